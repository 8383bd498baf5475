"""Eq. 20: the mean-force Gibbs state (MFG), one bath or two at one temperature.

Independent values: the exact Bloch-Redfield steady state (``qheat.solve``), whose
coherences must agree with the MFG to second order in the coupling (Fig. 2); the
perturbative coherences of Eqs. B4-B5 (first order exactly); the Gibbs state from
``scipy.linalg.expm`` of the lab Hamiltonian; the Lamb-shift slope from the reference
quadrature of Eq. 15.
"""

from __future__ import annotations

import numpy as np
import pytest
from scipy.linalg import expm

import qheat
from qheat.analysis.mean_force import gibbs_state, lamb_shift_slope, mean_force_gibbs
from qheat.baths import lamb_shift_quadrature
from qheat.errors import InvalidParameterError
from qheat.steady.perturbative import perturbative_state

FIG2 = qheat.TwoQubitModel(5.0, 4.0, 1.0)  # Fig. 2: e = (5, 4), g = 1, wD = 50
TEMPS = np.array([1.0, 3.0, 10.0, 30.0])
GAMMAS = np.geomspace(1e-3, 1e-2, 4)  # one decade
COHERENCES = ([0, 1], [3, 2])  # rho14, rho23


def _baths(gamma: np.ndarray, both: bool) -> tuple[qheat.DrudeBath, qheat.DrudeBath]:
    g = np.asarray(gamma)[:, None]
    return (
        qheat.DrudeBath(g, 50.0, TEMPS),
        qheat.DrudeBath(g if both else 0.0 * g, 50.0, TEMPS),
    )


@pytest.mark.parametrize("both", [False, True], ids=["gamma2=0", "gamma2=gamma1"])
def test_br_coherences_agree_with_mfg_to_second_order(both: bool) -> None:
    b1, b2 = _baths(GAMMAS, both)
    br = qheat.solve(FIG2.open_system(b1, b2)).rho[..., COHERENCES[0], COHERENCES[1]]
    mfg = mean_force_gibbs(FIG2, [b1, b2])[..., COHERENCES[0], COHERENCES[1]]
    relative = np.abs(br - mfg) / np.abs(mfg)  # (gamma, T, coherence)
    assert np.all(relative[-1] < 0.05)  # Fig. 2's gamma = 0.01: markers on the lines
    for series in relative.reshape(len(GAMMAS), -1).T:
        slope = np.polyfit(np.log(GAMMAS), np.log(series), 1)[0]
        assert slope > 0.9  # the relative difference shrinks (at least) linearly in gamma


@pytest.mark.parametrize("both", [False, True], ids=["gamma2=0", "gamma2=gamma1"])
def test_mfg_coherences_are_exactly_the_first_order_coherences_b4_b5(both: bool) -> None:
    b1, b2 = _baths(np.array([0.01]), both)
    pert = perturbative_state(FIG2, b1, b2).rho2[..., COHERENCES[0], COHERENCES[1]]
    mfg = mean_force_gibbs(FIG2, [b1, b2])[..., COHERENCES[0], COHERENCES[1]]
    np.testing.assert_allclose(mfg, pert, rtol=1e-11, atol=0)


def test_br_populations_differ_from_mfg_at_first_order() -> None:
    """Documents a known limit: a second-order master equation fixes the O(gamma)
    coherences, not the O(gamma) populations. (pop_BR - pop_MFG)/gamma tends to a non-zero
    constant as gamma -> 0 instead of vanishing."""
    gammas = np.array([1e-3, 1e-4])
    b1, b2 = _baths(gammas, both=False)
    pops_br = qheat.solve(FIG2.open_system(b1, b2)).state.populations
    pops_mfg = np.real(np.diagonal(mean_force_gibbs(FIG2, [b1, b2]), axis1=-2, axis2=-1))
    ratio = (pops_br - pops_mfg) / gammas[:, None, None]
    np.testing.assert_allclose(ratio[0], ratio[1], rtol=0.02, atol=2e-4)  # a constant
    assert np.abs(ratio[1]).max() > 0.5  # ... that does not vanish


def test_uncoupled_baths_give_the_gibbs_state() -> None:
    """gamma = 0 contributes nothing, whatever that bath's temperature."""
    rho = mean_force_gibbs(
        FIG2, [qheat.DrudeBath(0.0, 50.0, TEMPS), qheat.DrudeBath(0.0, 50.0, 2 * TEMPS)]
    )
    np.testing.assert_array_equal(rho, gibbs_state(FIG2, TEMPS))
    one = mean_force_gibbs(
        FIG2, [qheat.DrudeBath(0.01, 50.0, TEMPS), qheat.DrudeBath(0.0, 50.0, 7.0)]
    )
    alone = mean_force_gibbs(FIG2, [qheat.DrudeBath(0.01, 50.0, TEMPS)])
    np.testing.assert_array_equal(one, alone)


def test_gibbs_state_matches_matrix_exponential() -> None:
    for t in (0.7, 5.0):
        lab = expm(-FIG2.hamiltonian() / t)
        want = FIG2.eigenbasis().to_eigen(lab / np.trace(lab))
        np.testing.assert_allclose(gibbs_state(FIG2, np.array(t)), want, atol=1e-14)


def test_mfg_is_hermitian_with_unit_trace_and_batches() -> None:
    model = qheat.TwoQubitModel([5.0, 6.0], 4.0, [[0.5], [1.0], [2.0]])
    rho = mean_force_gibbs(
        model, [qheat.DrudeBath(0.02, 50.0, 4.0), qheat.DrudeBath(0.01, 40.0, 4.0)]
    )
    assert rho.shape == (3, 2, 4, 4)
    np.testing.assert_allclose(rho, np.conj(np.swapaxes(rho, -1, -2)), atol=1e-16)
    np.testing.assert_allclose(np.trace(rho, axis1=-2, axis2=-1), 1.0, atol=1e-15)


def test_different_temperatures_raise() -> None:
    with pytest.raises(InvalidParameterError, match=r"T2 = 6"):
        mean_force_gibbs(FIG2, [qheat.DrudeBath(0.01, 50.0, 5.0), qheat.DrudeBath(0.01, 50.0, 6.0)])
    with pytest.raises(InvalidParameterError, match="temperature"):
        mean_force_gibbs(FIG2, [qheat.DrudeBath(0.01, 50.0, 0.0)])


@pytest.mark.parametrize("omega, temperature", [(3.0, 5.0), (-6.0, 0.5), (0.3, 20.0), (5.0, 0.0)])
def test_lamb_shift_slope_matches_quadrature(omega: float, temperature: float) -> None:
    h = 1e-3
    want = (
        lamb_shift_quadrature(omega + h, 0.01, 50.0, temperature)
        - lamb_shift_quadrature(omega - h, 0.01, 50.0, temperature)
    ) / (2 * h)
    got = float(lamb_shift_slope(qheat.DrudeBath(0.01, 50.0, temperature), np.array(omega)))
    assert got == pytest.approx(want, rel=1e-7)


def test_lamb_shift_slope_rejects_the_zero_temperature_singularity() -> None:
    with pytest.raises(InvalidParameterError, match="omega"):
        lamb_shift_slope(qheat.DrudeBath(0.01, 50.0, 0.0), np.array(0.0))
