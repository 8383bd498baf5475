"""The secular ratio of the global Lindblad equation and its SecularityWarning.

``secular_ratio`` = largest transition rate ``sum_j 2 G_j(w_ab) |A_j,ab|^2`` over the smallest
gap ``|w - w'|`` between Bohr frequencies that the secular approximation drops. Checked here
against an independent construction from the analytic eigenoperators of Eq. 6, and against
what it is meant to predict: how far the Lindblad current is from the Bloch-Redfield one.
"""

from __future__ import annotations

import math
import warnings

import numpy as np
import pytest

from qheat import (
    BlochRedfield,
    GlobalLindblad,
    PartialSecular,
    SecularityWarning,
    TwoQubitModel,
    paper_system,
    perturbative_state,
    solve,
)
from qheat.baths import DrudeBath


def _analytic_ratio(e1: float, e2: float, g: float, gamma: float, t1: float, t2: float) -> float:
    """From Eq. 6: each V_j(w_mu) moves weight |coefficient|^2 at +-w_mu; gaps of one bath."""
    model = TwoQubitModel(e1, e2, g)
    baths = (DrudeBath(gamma, 50.0, t1), DrudeBath(gamma, 50.0, t2))
    omega = {1: float(model.omega1), 2: float(model.omega2)}
    ops = model.eigenoperators()
    rates: dict[tuple[int, int], float] = {}
    for (j, mu), v in ops.items():
        for row, col in zip(*np.nonzero(v)):
            weight = abs(complex(v[row, col])) ** 2
            for (a, b), w in (((row, col), omega[mu]), ((col, row), -omega[mu])):
                rates[(a, b)] = rates.get((a, b), 0.0) + 2 * float(baths[j - 1].G(w)) * weight
    # frequencies each bath couples: +-w1, +-w2 (every coefficient of Eq. 6 nonzero here)
    freqs = [omega[1], -omega[1], omega[2], -omega[2]]
    smallest_gap = min(abs(x - y) for x in freqs for y in freqs if abs(x - y) > 1e-9)
    return max(rates.values()) / smallest_gap


@pytest.mark.parametrize(
    "e1, e2, g, gamma, t1, t2",
    [
        (5, 4, 0.5, 0.01, 15, 5),
        (5, 4, 0.25, 0.03, 105, 5),
        (5, 4.9, 0.05, 0.01, 15, 5),
        (3, 1, 1.2, 0.02, 2, 0.5),
    ],
)
def test_ratio_equals_the_construction_from_eq6(
    e1: float, e2: float, g: float, gamma: float, t1: float, t2: float
) -> None:
    system = paper_system(e1, e2, g, gamma, gamma, 50, t1, t2)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", SecularityWarning)
        ratio = GlobalLindblad().generator(system).secular_ratio
    assert ratio is not None
    assert float(ratio) == pytest.approx(_analytic_ratio(e1, e2, g, gamma, t1, t2), rel=1e-12)


def test_warned_where_the_ratio_exceeds_one_and_only_there() -> None:
    """The small-gap table of docs/sharp-bits.md: eps2 = 4.0 passes, 4.9 and 5.0 warn."""
    with warnings.catch_warnings():
        warnings.simplefilter("error", SecularityWarning)
        quiet = solve(paper_system(5, 4.0, 0.05, 0.01, 0.01, 50, 15, 5), GlobalLindblad())
    assert quiet.secular_ratio is not None and float(quiet.secular_ratio) < 1
    for eps2 in (4.9, 5.0):
        with pytest.warns(SecularityWarning, match=r"lindblad: .* at 1 of 1 points"):
            sol = solve(paper_system(5, eps2, 0.05, 0.01, 0.01, 50, 15, 5), GlobalLindblad())
        assert sol.secular_ratio is not None and float(sol.secular_ratio) > 1


def test_batch_counts_the_points_outside() -> None:
    """The warning counts the points whose ratio (from Eq. 6, independently) exceeds 1."""
    t1 = np.array([5.0, 15.0, 105.0, 305.0])
    expected = [_analytic_ratio(5, 4, 0.5, 0.01, t, 5) for t in t1]
    n_out = sum(r > 1 for r in expected)
    assert 0 < n_out < t1.size  # the batch straddles the threshold
    system = paper_system(5, 4, 0.5, 0.01, 0.01, 50, t1, 5)
    with pytest.warns(SecularityWarning, match=f"at {n_out} of 4 points"):
        sol = solve(system, GlobalLindblad())
    assert sol.secular_ratio is not None and sol.secular_ratio.shape == (4,)
    np.testing.assert_allclose(sol.secular_ratio, expected, rtol=1e-12)


def test_equations_that_drop_no_pair_have_no_ratio_and_no_warning() -> None:
    system = paper_system(5, 5, 1e-7, 0.01, 0.02, 50, 8, 5)  # rates >> gap 2e-7
    with warnings.catch_warnings():
        warnings.simplefilter("error", SecularityWarning)
        assert solve(system, BlochRedfield()).secular_ratio is None
        assert solve(system, PartialSecular(math.inf)).secular_ratio is None
    with pytest.warns(SecularityWarning):
        assert float(solve(system, GlobalLindblad()).secular_ratio) > 1e5  # type: ignore[arg-type]


def test_partial_secular_ratio_counts_only_the_pairs_it_drops() -> None:
    """Keeping the pair (w1, w2) (gap 2 alpha = 1.41) leaves gaps >= 2 w1 = 7.6 neglected."""
    system = paper_system(5, 4, 0.5, 0.03, 0.03, 50, 305, 5)
    with pytest.warns(SecularityWarning):
        lindblad = GlobalLindblad().generator(system).secular_ratio
    partial = PartialSecular(2.0).generator(system).secular_ratio  # no warning: ratio < 1
    alpha = float(TwoQubitModel(5, 4, 0.5).alpha)
    omega1 = float(TwoQubitModel(5, 4, 0.5).omega1)
    assert lindblad is not None and partial is not None
    assert float(partial) == pytest.approx(float(lindblad) * 2 * alpha / (2 * omega1), rel=1e-12)


def test_ratio_predicts_the_lindblad_error_on_the_papers_grids() -> None:
    """What the warning promises: below 0.2 the Lindblad current is within 15% of
    Bloch-Redfield; above 1 it is off by more than 25% (Figs. 3 and 6 parameters, dT > 0)."""
    dt = np.array([2.0, 5.0, 10.0, 20.0, 50.0, 100.0, 200.0, 300.0])
    for g in (0.25, 0.5, 0.75):
        for gamma in (0.01, 0.03):
            system = paper_system(5, 4, g, gamma, gamma, 50, 5 + dt, 5)
            br = solve(system, BlochRedfield(lamb_shift=False))
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", SecularityWarning)
                lind = solve(system, GlobalLindblad(lamb_shift=False))
            assert lind.secular_ratio is not None
            error = np.abs(lind.J1 / br.J1 - 1)
            small, large = lind.secular_ratio < 0.2, lind.secular_ratio > 1
            assert np.all(error[small] < 0.15), (g, gamma, error[small])
            assert np.all(error[large] > 0.25), (g, gamma, error[large])


# ------------------------------------------------ the perturbative state (Appendix B)
def _expansion(e2: float, g: float, gamma: float, t1: float):  # type: ignore[no-untyped-def]
    model = TwoQubitModel(5.0, e2, g)
    hot, cold = DrudeBath(gamma, 50.0, t1), DrudeBath(gamma, 50.0, 5.0)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        state = perturbative_state(model, hot, cold)
    exact = solve(model.open_system(hot, cold)).rho
    return state, exact, [w.category for w in caught]


def test_expansion_parameter_is_linear_in_gamma() -> None:
    """The rates, hence the parameter, are exactly linear in gamma (Eqs. 11-14)."""
    small, _, _ = _expansion(4.0, 0.5, 0.001, 15.0)
    large, _, _ = _expansion(4.0, 0.5, 0.01, 15.0)
    assert float(large.expansion_parameter) == pytest.approx(
        10 * float(small.expansion_parameter), rel=1e-12
    )


def test_expansion_warns_where_it_stops_helping() -> None:
    """Small parameter: first order beats zeroth order; large (alpha -> 0 or hot baths):
    the first-order state is worse than the zeroth, and perturbative_state warns."""
    state, exact, caught = _expansion(4.0, 0.5, 0.01, 15.0)
    assert float(state.expansion_parameter) < 0.2 and SecularityWarning not in caught
    assert np.abs(state.rho - exact).max() < 0.5 * np.abs(state.rho0 - exact).max()
    for e2, g, gamma, t1 in (
        (5.0, 1e-3, 0.01, 15.0),
        (4.0, 0.5, 0.03, 305.0),
        (4.9, 0.05, 0.01, 15.0),
    ):
        state, exact, caught = _expansion(e2, g, gamma, t1)
        assert float(state.expansion_parameter) > 1 and SecularityWarning in caught
        assert np.abs(state.rho - exact).max() > np.abs(state.rho0 - exact).max()


def test_secular_ratio_is_linear_in_gamma_and_symmetric_under_swapping_the_qubits() -> None:
    """Rates are linear in the couplings (Eqs. 12-14), the gaps do not depend on them; the
    ratio is a property of the pair of subsystems, not of their labels."""

    def ratio(e1: float, e2: float, g1: float, g2: float, t1: float, t2: float) -> float:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", SecularityWarning)
            value = solve(
                paper_system(e1, e2, 0.3, g1, g2, 20, t1, t2), GlobalLindblad()
            ).secular_ratio
        assert value is not None
        return float(value)

    base = ratio(5.0, 3.5, 0.01, 0.004, 12.0, 3.0)
    assert ratio(5.0, 3.5, 0.03, 0.012, 12.0, 3.0) == pytest.approx(3 * base, rel=1e-12)
    assert ratio(3.5, 5.0, 0.004, 0.01, 3.0, 12.0) == pytest.approx(base, rel=1e-12)
