"""HEOM benchmark (qheat.exact): bath mapping, energy conservation, weak-coupling and MFG limits.

Each test runs a few HEOM solves at small hierarchies (a second or so each).
"""

from __future__ import annotations

import numpy as np
import pytest
from scipy.integrate import quad

pytest.importorskip("qutip")

from qheat.api import paper_system, solve  # noqa: E402
from qheat.baths import DrudeBath  # noqa: E402
from qheat.exact import HeomLevel, HeomOptions, heom_point, qutip_drude_bath, solve_heom  # noqa: E402
from qheat.model import OpenSystem, TwoQubitModel  # noqa: E402
from qheat.model.operators import SX  # noqa: E402


def _eq_a4(bath: DrudeBath, t: float) -> complex:
    """Eq. A4 by quadrature: (1/pi) int_0^inf J(w) [coth(w/2T) cos(wt) - i sin(wt)] dw."""
    temp = float(bath.temperature)

    def symmetric(w: float) -> float:
        return float(bath.J(w)) / np.tanh(w / (2 * temp)) if w > 0 else 2 * temp * float(bath.gamma)

    re = quad(symmetric, 0, np.inf, weight="cos", wvar=t)[0]
    im = -quad(lambda w: float(bath.J(w)), 0, np.inf, weight="sin", wvar=t)[0]
    return complex(re, im) / np.pi


def test_bath_mapping_reproduces_eq_a4_correlation() -> None:
    bath = DrudeBath(gamma=0.03, omega_d=50.0, temperature=5.0)
    qbath = qutip_drude_bath(bath, SX, pade_terms=12, tag=0)
    for t in (0.02, 0.1, 0.5):
        total = 0j
        for exp in qbath.exponents:
            decay = np.exp(-exp.vk * t)
            kind = exp.type.name
            if kind == "R":
                total += exp.ck * decay
            elif kind == "I":
                total += 1j * exp.ck * decay
            else:
                total += (exp.ck + 1j * exp.ck2) * decay
        expected = _eq_a4(bath, t)
        assert total == pytest.approx(expected, rel=2e-3)


def test_currents_conserve_energy_and_converge() -> None:
    system = paper_system(5, 4, 0.5, 0.003, 0.003, 50, 15, 5)
    opts = HeomOptions(rtol=1e-3, start=HeomLevel(4, 2))
    result = solve_heom(system, opts)
    assert result.converged
    assert result.J1 > 0  # heat leaves the hot bath 1
    assert abs(result.J1 + result.J2) <= opts.rtol * abs(result.J1)
    assert np.max(np.abs(result.history[0].imag_currents)) < 1e-10


def test_system_side_and_bath_side_currents_agree() -> None:
    """-i Tr([H_S, Q] sigma) (system energy) equals -d<H_B>/dt from the ADOs in the steady state."""
    point = heom_point(paper_system(5, 4, 0.5, 0.01, 0.01, 50, 15, 5), HeomLevel(5, 2))
    np.testing.assert_allclose(point.bath_currents, point.currents, rtol=1e-9)


def test_no_current_at_equal_temperatures() -> None:
    system = paper_system(5, 4, 0.5, 0.003, 0.003, 50, 8, 8)
    result = solve_heom(system, HeomOptions(rtol=1e-3, atol=1e-8, start=HeomLevel(4, 2)))
    scale = abs(float(solve(paper_system(5, 4, 0.5, 0.003, 0.003, 50, 15, 8)).J1))
    assert abs(result.J1) < 1e-3 * scale


def test_weak_coupling_limit_is_bloch_redfield_to_first_order() -> None:
    """(J_HEOM - J_BR)/J_BR is O(gamma): it shrinks tenfold over a decade of gamma."""
    opts = HeomOptions(rtol=1e-4, start=HeomLevel(5, 2))
    rel = []
    for gamma in (0.003, 0.0003):
        system = paper_system(5, 4, 0.5, gamma, gamma, 50, 15, 5)
        exact = solve_heom(system, opts).J1
        br = float(solve(system).J1)
        rel.append((exact - br) / br)
    assert abs(rel[0]) < 0.02
    assert rel[0] / rel[1] == pytest.approx(10.0, rel=0.15)


def test_single_bath_coherences_match_mean_force_gibbs() -> None:
    """One bath at T: rho_14 and rho_23 of HEOM agree with Eq. 20 up to O(gamma) relative."""
    mean_force = pytest.importorskip("qheat.analysis.mean_force")
    model = TwoQubitModel(5.0, 4.0, 1.0)
    bath = DrudeBath(gamma=0.01, omega_d=50.0, temperature=5.0)
    system = OpenSystem(
        model.hamiltonian(), (model.couplings()[0],), (bath,), eigenbasis=model.eigenbasis()
    )
    rho = model.eigenbasis().to_eigen(heom_point(system, HeomLevel(6, 3)).rho_lab)
    mfg = mean_force.mean_force_gibbs(model, [bath])
    for i, j in ((0, 3), (1, 2)):
        assert abs(mfg[i, j]) > 1e-4  # the coherence is a second-order effect, not zero
        assert rho[i, j] == pytest.approx(mfg[i, j], rel=0.03)


def test_unconverged_result_says_so() -> None:
    from qheat.errors import ConvergenceWarning

    system = paper_system(5, 4, 0.5, 0.003, 0.003, 50, 15, 5)
    opts = HeomOptions(rtol=1e-9, start=HeomLevel(2, 1), max_pade_terms=3, max_depth=2)
    with pytest.warns(ConvergenceWarning, match="not converged"):
        result = solve_heom(system, opts)
    assert not result.converged
    assert result.error_estimate > 0
