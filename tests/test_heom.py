"""HEOM (qheat.exact): bath mapping, energy conservation, weak-coupling and MFG limits, honesty.

Each test runs a few HEOM solves at small hierarchies (well under a second each).
"""

from __future__ import annotations

import json

import numpy as np
import pytest
from scipy.integrate import quad
from scipy.special import polygamma

from qheat.analysis.mean_force import mean_force_gibbs
from qheat.api import paper_system, solve
from qheat.baths import DrudeBath, SpectralDensityBath
from qheat.errors import ConvergenceWarning, InvalidParameterError
from qheat.exact import (
    HeomLevel,
    HeomOptions,
    decompose,
    heom_point,
    heom_report,
    next_order,
    solve_heom,
)
from qheat.model import OpenSystem, TwoQubitModel

SX = np.array([[0.0, 1.0], [1.0, 0.0]])
SZ = np.diag([1.0, -1.0])


def eq_a4(j, temperature: float, t: float) -> complex:
    """Eq. A4 by quadrature: (1/pi) int_0^inf J(w) [coth(w/2T) cos(wt) - i sin(wt)] dw."""

    def symmetric(w: float) -> float:
        if w == 0:
            h = 1e-6
            return 2 * temperature * float(j(h)) / h
        return float(j(w)) / np.tanh(w / (2 * temperature))

    re = quad(symmetric, 0, np.inf, weight="cos", wvar=t, limit=400)[0]
    im = -quad(lambda w: float(j(w)), 0, np.inf, weight="sin", wvar=t, limit=400)[0]
    return complex(re, im) / np.pi


@pytest.mark.parametrize("temperature", [5.0, 0.5])
def test_drude_exponents_reproduce_eq_a4(temperature: float) -> None:
    """The paired Matsubara exponents sum to the correlation function of qheat's J (Eq. A4)
    up to the terms beyond the order, ~ -(lam wD^2/(pi^2 T)) e^{-wD t} psi'(K + 1) (the
    e^{-nu_k t} halves are negligible at these t): the omission is 1/K and exactly that."""
    gamma, wd, order = 0.03, 50.0, 400
    bath = DrudeBath(gamma=gamma, omega_d=wd, temperature=temperature)
    dec = decompose(bath, order=order)
    lam = gamma * wd / 2
    for t in (0.01, 0.04, 0.1):
        tail = -lam * wd**2 / (np.pi**2 * temperature) * np.exp(-wd * t) * polygamma(1, order + 1)
        expected = eq_a4(bath.J, temperature, t)
        assert abs(tail) > 5e-4 * abs(expected)  # the tail is visible at this order
        assert complex(dec.correlation(t)) + tail == pytest.approx(expected, rel=2e-4)


def test_exponents_plus_rest_is_the_closed_form_gamma() -> None:
    """Gamma_kept(w) tends to qheat's closed-form Gamma(w) (digamma) as the order grows:
    the terminator (Gamma - Gamma_kept) carries only what the hierarchy leaves out."""
    bath = DrudeBath(gamma=0.03, omega_d=50.0, temperature=0.5)
    w = np.array([-3.0, -0.7, 0.0, 1.0, 4.0])
    exact = bath.Gamma(w)
    misses = [np.max(np.abs(decompose(bath, k).gamma_kept(w) - exact)) for k in (50, 400)]
    assert misses[1] < misses[0] / 4
    assert misses[1] < 2e-3 * np.max(np.abs(exact))


def test_currents_conserve_energy_and_agree_from_both_sides() -> None:
    point = heom_point(paper_system(5, 4, 0.5, 0.01, 0.01, 50, 15, 5), HeomLevel(2, 2))
    assert abs(point.currents.sum()) < 1e-12 * abs(point.currents[0])
    np.testing.assert_allclose(point.bath_currents, point.currents, rtol=1e-9)
    assert np.max(np.abs(point.imag_currents)) < 1e-10 * abs(point.currents[0])


def test_no_current_at_equal_temperatures() -> None:
    """At T1 = T2 the currents vanish; a relative tolerance cannot be met there, so the
    convergence loop needs an absolute one (atol) to call the point converged."""
    system = paper_system(5, 4, 0.5, 0.003, 0.003, 50, 8, 8)
    scale = abs(float(solve(paper_system(5, 4, 0.5, 0.003, 0.003, 50, 15, 8)).J1))
    point = heom_point(system, HeomLevel(1, 2))
    assert np.max(np.abs(point.currents)) < 1e-4 * scale
    result = solve_heom(system, HeomOptions(atol=1e-5 * scale, max_depth=3))
    assert result.converged and abs(result.J1) < 1e-4 * scale


def test_weak_coupling_limit_is_bloch_redfield_to_first_order() -> None:
    """(J_HEOM - J_BR)/J_BR is O(gamma): it shrinks tenfold over a decade of gamma."""
    opts = HeomOptions(rtol=1e-4)
    rel = []
    for gamma in (0.003, 0.0003):
        system = paper_system(5, 4, 0.5, gamma, gamma, 50, 15, 5)
        result = solve_heom(system, opts)
        assert result.converged
        br = float(solve(system).J1)
        rel.append((result.J1 - br) / br)
    assert abs(rel[0]) < 0.02
    assert rel[0] / rel[1] == pytest.approx(10.0, rel=0.15)


def test_single_bath_coherences_match_mean_force_gibbs() -> None:
    """One bath at T: rho_14 and rho_23 of HEOM agree with Eq. 20 up to O(gamma) relative."""
    model = TwoQubitModel(5.0, 4.0, 1.0)
    bath = DrudeBath(gamma=0.01, omega_d=50.0, temperature=5.0)
    system = OpenSystem(
        model.hamiltonian(), (model.couplings()[0],), (bath,), eigenbasis=model.eigenbasis()
    )
    rho = model.eigenbasis().to_eigen(heom_point(system, HeomLevel(2, 3)).rho_lab)
    mfg = mean_force_gibbs(model, [bath])
    for i, j in ((0, 3), (1, 2)):
        assert abs(mfg[i, j]) > 1e-4  # the coherence is a second-order effect, not zero
        assert rho[i, j] == pytest.approx(mfg[i, j], rel=0.03)


def cold_qubit() -> OpenSystem:
    """Issue 12: H = sz/2, couplings sx, Drude gamma = (0.1, 0.01), wD = 50, T = (1, 0.5)."""
    baths = (DrudeBath(0.1, 50.0, 1.0), DrudeBath(0.01, 50.0, 0.5))
    return OpenSystem(0.5 * SZ, (SX, SX), baths, bath_names=("hot", "cold"))


def test_cold_qubit_is_not_called_converged_within_a_small_budget() -> None:
    """The issue's failure: the old default returned a wrong value after flipping signs. Here
    the budget allows depth 2 only (orders 16 and 32): the order refinement moves the current
    by 2%, so the result must say it has not converged, with an error estimate that large."""
    opts = HeomOptions(max_unknowns=10_000)
    with pytest.warns(ConvergenceWarning, match="not converged"):
        result = solve_heom(cold_qubit(), opts)
    assert not result.converged
    assert "budget" in result.reason
    assert result.error_estimate > opts.rtol * abs(result.J1)
    assert result.J1 > 0 and result.current("hot") == result.J1  # heat leaves the hot bath
    # every solve made kept the sign: the decomposition never flips it (the old one did)
    assert all(p.currents[0] > 0 for p in result.history)


def test_sign_flip_is_never_converged() -> None:
    """A refinement that flips a current's sign cannot pass, even with a huge tolerance."""
    from qheat.exact.converge import _flips
    from qheat.exact.heom import HeomPoint

    def fake(j: float) -> HeomPoint:
        return HeomPoint(
            HeomLevel(1, 2),
            np.eye(2) / 2,
            np.array([j, -j]),
            np.zeros(2),
            np.array([j, -j]),
            np.zeros(2),
            1,
            (None, None),
            0.0,
        )

    opts = HeomOptions(rtol=0.99, floor=0.0)
    assert _flips(fake(1e-3), fake(-1e-3), opts).all()
    assert not _flips(fake(1e-3), fake(2e-3), opts).any()


def test_orders_double() -> None:
    assert [next_order(k) for k in (0, 1, 2, 4, 8)] == [1, 2, 4, 8, 16]


def test_a_bath_hierarchy_cannot_hold_is_named() -> None:
    own = SpectralDensityBath(lambda w: 0.01 * w * np.exp(-np.abs(w) / 10), 1.0, scale=10.0)
    system = OpenSystem(0.5 * SZ, (SX, SX), (DrudeBath(0.01, 50, 1), own), bath_names=("a", "b"))
    with pytest.raises(InvalidParameterError, match=r"bath 'b' \(SpectralDensityBath\).*Drude"):
        solve_heom(system)
    cold = OpenSystem(0.5 * SZ, (SX,), (DrudeBath(0.01, 50, 0.0),))
    with pytest.raises(InvalidParameterError, match="temperature > 0"):
        solve_heom(cold)
    batch = OpenSystem(0.5 * SZ, (SX,), (DrudeBath(0.01, 50, [1.0, 2.0]),))
    with pytest.raises(InvalidParameterError, match="one parameter point"):
        solve_heom(batch)


def test_report_is_json_with_currents_by_bath_name() -> None:
    system = paper_system(5, 4, 0.5, 0.003, 0.003, 50, 15, 5)
    report = heom_report(system, HeomOptions(rtol=1e-3))
    assert set(report) >= {"currents", "converged", "error_estimate", "order", "depth", "reason"}
    assert list(report["currents"]) == ["1", "2"]
    assert report["converged"] is True
    assert report["error_estimate"] <= 1e-3 * abs(report["currents"]["1"])
    json.dumps(report)
