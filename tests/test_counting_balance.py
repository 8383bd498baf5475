"""The energy balance of the counting statistics, ``sum_j c1_j``, and its warning.

Independent evidence: the steady state's energy balance. ``0 = Tr(H_S L(rho))`` with
``L = -i[H_S + H_LS, .] + sum_j D_j`` and ``c1_j = Tr(H_S D_j(rho))`` give
``sum_j c1_j = i Tr(H_S [H_LS, rho])``, computed here from the generator's ``H_LS`` and the
state with numpy: zero for the secular global Lindblad equation (``H_LS`` commutes with
``H_S``), the imbalance Bloch-Redfield's non-secular Lamb shift carries otherwise.
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest

from qheat import BlochRedfield, GlobalLindblad, paper_system, solve
from qheat.errors import CountingWarning, WeakCouplingWarning
from qheat.steady.cumulants import COUNTING_IMBALANCE_WARN, counting_imbalance


def _paper(dt: float, gamma: float = 0.01):  # type: ignore[no-untyped-def]
    return paper_system(5, 4, 0.5, gamma, gamma, 50, 5 + dt, 5)


def _solve_quietly(system, equation, order=2):  # type: ignore[no-untyped-def]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return solve(system, equation, cumulants=order)


@pytest.mark.parametrize("lamb_shift", [True, False])
@pytest.mark.parametrize("dt", [0.0, 10.0, 150.0])
def test_the_imbalance_is_the_power_of_the_non_secular_lamb_shift(
    dt: float, lamb_shift: bool
) -> None:
    sol = _solve_quietly(_paper(dt), BlochRedfield(lamb_shift=lamb_shift))
    gen, rho = sol.generator, sol.state.rho
    h, h_ls = gen.hamiltonian, gen.lamb_shift
    expected = float(np.real(1j * np.trace(h @ (h_ls @ rho - rho @ h_ls))))
    total = float(sol.cumulants[:, 0].sum())
    assert total == pytest.approx(expected, rel=1e-8, abs=1e-15)
    largest = float(np.abs(sol.cumulants[:, 0]).max())
    if largest <= float(sol.current_floor):  # equal temperatures without the Lamb shift
        assert float(sol.counting_imbalance) == 0.0 and dt == 0.0 and not lamb_shift
    else:
        assert float(sol.counting_imbalance) == pytest.approx(abs(expected) / largest, rel=1e-8)


def test_the_global_lindblad_equation_conserves_it_and_is_silent() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error", CountingWarning)
        warnings.simplefilter("ignore", RuntimeWarning)  # secularity, weak-coupling notices
        sol = solve(_paper(150.0), GlobalLindblad(), cumulants=2)
    assert float(sol.counting_imbalance) < 1e-12


def test_bloch_redfield_warns_with_the_ratio_and_its_reason() -> None:
    """The paper's Fig. 6 coupling at dT = 150 (6%), and at equal temperatures, where both
    baths' c1 are negative (the counting loses all it counts)."""
    for dt, low in ((150.0, 0.05), (0.0, 1.0)):
        with pytest.warns(CountingWarning, match="does not conserve energy") as caught:
            warnings.simplefilter("ignore", WeakCouplingWarning)
            sol = solve(_paper(dt), BlochRedfield(), cumulants=2)
        imbalance = float(sol.counting_imbalance)
        assert imbalance > low
        message = str(next(w.message for w in caught if w.category is CountingWarning))
        assert f"{imbalance:.3g}" in message and "non-secular Lamb-shift" in message


def test_weak_coupling_without_the_lamb_shift_is_silent() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error", CountingWarning)
        sol = solve(_paper(10.0), BlochRedfield(lamb_shift=False), cumulants=1)
    assert 0 < float(sol.counting_imbalance) < COUNTING_IMBALANCE_WARN / 10


def test_a_batch_reports_the_share_of_points() -> None:
    system = paper_system(5, 4, 0.5, 0.01, 0.01, 50, np.array([5.0, 15.0, 155.0]), 5)
    with pytest.warns(CountingWarning, match=r"at 66\.7% of the points"):
        warnings.simplefilter("ignore", WeakCouplingWarning)
        sol = solve(system, BlochRedfield(), cumulants=1)
    assert sol.counting_imbalance.shape == (3,)


def test_round_off_currents_count_as_balanced() -> None:
    c = np.array([[[1e-17, 0.0], [2e-17, 0.0]], [[1.0, 0.0], [-0.5, 0.0]]])
    assert counting_imbalance(c, floor=np.array([1e-15, 1e-15])).tolist() == [0.0, 0.5]


@pytest.mark.filterwarnings("ignore::qheat.errors.CountingWarning")
def test_a_sweep_stores_it_per_equation_and_point() -> None:
    import qheat

    dt = np.array([0.0, 10.0, 150.0])
    ds = qheat.sweep(eps1=5, eps2=4, g=0.5, gamma1=0.01, gamma2=0.01, omega_d=50, t2=5, dt=dt,
                     equations=["br", "lindblad"], cumulants=1)  # fmt: skip
    assert ds["counting_imbalance"].dims == ("equation", "dt")
    for k, value in enumerate(dt):
        for name, equation in (("br", BlochRedfield()), ("lindblad", GlobalLindblad())):
            want = float(_solve_quietly(_paper(value), equation, 1).counting_imbalance)
            got = float(ds["counting_imbalance"].sel(equation=name).values[k])
            assert got == pytest.approx(want, rel=1e-12, abs=1e-15)
    assert float(ds["counting_imbalance"].sel(equation="br", dt=150.0)) > 0.05
