"""Closed forms: Eqs. 24-26, Appendix B's populations, Appendix C (Eq. C1 and the symmetric
Bloch-Redfield state), the monotonicity claim below Eq. 26, and the accuracy of Eq. 23.

Independent values: the numerical steady states and currents of ``qheat.solve``; the local
thermal product state built in the lab basis; the printed form of Eq. C1.
"""

from __future__ import annotations

import numpy as np
import pytest

import qheat
from qheat.analysis.closed_forms import (
    eq23_gap,
    lindblad_current,
    lindblad_populations,
    symmetric_br_state,
    symmetric_lindblad_limit,
)
from qheat.baths.bose import bose
from qheat.errors import InvalidParameterError
from qheat.model import ID2, SZ
from qheat.steady import heat_currents

RNG = np.random.default_rng(7)
N = 16
_E2 = RNG.uniform(1, 5, N)
MODEL = qheat.TwoQubitModel(_E2 + RNG.uniform(0.05, 3, N), _E2, RNG.uniform(-2, 2, N))
BATH1 = qheat.DrudeBath(
    RNG.uniform(0.002, 0.04, N), RNG.uniform(10, 80, N), RNG.uniform(0.3, 80, N)
)
BATH2 = qheat.DrudeBath(RNG.uniform(0.0, 0.04, N), RNG.uniform(10, 80, N), RNG.uniform(0.3, 80, N))


@pytest.mark.parametrize("lamb_shift", [True, False])
def test_eq24_equals_numerical_lindblad_current(lamb_shift: bool) -> None:
    numerical = qheat.solve(MODEL.open_system(BATH1, BATH2), qheat.GlobalLindblad(lamb_shift))
    closed = lindblad_current(MODEL, BATH1, BATH2, lamb_shift=lamb_shift)
    assert closed.shape == (N,)
    # atol: round-off of the numerical solve, ~1e-15 on currents of order 1e-3 .. 0.2
    np.testing.assert_allclose(closed, numerical.J1, rtol=1e-12, atol=1e-14)


def test_appendix_b_populations_equal_numerical_lindblad_state() -> None:
    numerical = qheat.solve(MODEL.open_system(BATH1, BATH2), qheat.GlobalLindblad())
    np.testing.assert_allclose(
        lindblad_populations(MODEL, BATH1, BATH2), numerical.state.populations, atol=1e-14
    )


def test_no_coupled_bath_raises() -> None:
    off = qheat.DrudeBath(0.0, 50.0, 5.0)
    with pytest.raises(InvalidParameterError, match="gamma1 \\+ gamma2"):
        lindblad_current(qheat.TwoQubitModel(5.0, 4.0, 0.5), off, off)


# ---- the claim below Eq. 26: dJ^L/dT1 > 0 for T1 > T2 -------------------------------------


@pytest.mark.parametrize("lamb_shift", [True, False])
def test_lindblad_current_grows_with_t1(lamb_shift: bool) -> None:
    eps1 = np.array([5.0, 5.0, 5.0, 6.5, 4.0, 5.0, 4.5])
    eps2 = np.array([4.0, 4.0, 4.0, 3.5, 3.0, 5.0, 1.0])
    g = np.array([0.75, 0.5, 0.25, 0.5, 0.5, 0.05, 2.0])
    model = qheat.TwoQubitModel(eps1, eps2, g)
    t2 = np.array([0.5, 2.0, 5.0, 20.0])[:, None, None, None]
    t1 = t2 + np.linspace(0.0, 300.0, 301)[:, None, None]
    gamma = np.array([0.01, 0.03])[:, None]
    h = 1e-3

    def current(t: np.ndarray) -> np.ndarray:
        return lindblad_current(
            model, qheat.DrudeBath(gamma, 50.0, t), qheat.DrudeBath(gamma, 50.0, t2), lamb_shift
        )

    slope = (current(t1 + h) - current(t1 - h)) / (2 * h)  # (T2, T1, gamma, model)
    assert slope.shape == (4, 301, 2, 7)
    assert np.all(slope > 0)
    assert np.all(np.diff(current(t1), axis=1) > 0)


# ---- Appendix C -----------------------------------------------------------------------------

GS = np.array([1e-2, 1e-3, 1e-4])


def _symmetric(gamma2: float = 0.01) -> tuple[qheat.OpenSystem, qheat.DrudeBath, qheat.DrudeBath]:
    b1, b2 = qheat.DrudeBath(0.01, 50.0, 12.0), qheat.DrudeBath(gamma2, 50.0, 5.0)
    return qheat.TwoQubitModel(5.0, 5.0, GS).open_system(b1, b2), b1, b2


@pytest.mark.parametrize("lamb_shift", [True, False])
def test_symmetric_br_current_vanishes_while_lindblad_tends_to_c1(lamb_shift: bool) -> None:
    system, b1, b2 = _symmetric()
    j_br = qheat.solve(system, qheat.BlochRedfield(lamb_shift)).J1
    j_l = qheat.solve(system, qheat.GlobalLindblad(lamb_shift)).J1
    c1 = symmetric_lindblad_limit(5.0, b1, b2, lamb_shift)
    assert c1 > 0.05
    np.testing.assert_allclose(j_br[1:] / j_br[:-1], 1e-2, rtol=0.05)  # J_BR ~ g^2 -> 0
    assert abs(j_br[-1]) < 1e-6 * c1
    np.testing.assert_allclose(j_l, c1, rtol=2e-4)
    err = np.abs(j_l - c1)
    np.testing.assert_allclose(err[1:] / err[:-1], 1e-2, rtol=0.05)  # J_L -> C1 as g^2


def test_c1_as_printed_for_equal_gammas_and_general_for_unequal() -> None:
    b1, b2 = qheat.DrudeBath(0.01, 50.0, 12.0), qheat.DrudeBath(0.01, 50.0, 5.0)
    e = 5.0
    n1, n2 = bose(e, 12.0), bose(e, 5.0)
    delta = (b1.S(e) + b2.S(e) - b1.S(-e) - b2.S(-e)) / 2
    printed = b1.J(e) * (n1 - n2) / (1 + n1 + n2) * (e + delta)
    assert symmetric_lindblad_limit(e, b1, b2) == pytest.approx(printed, rel=1e-14)
    system, b1, b2 = _symmetric(gamma2=0.03)
    j_l = qheat.solve(system, qheat.GlobalLindblad()).J1[-1]
    assert symmetric_lindblad_limit(e, b1, b2) == pytest.approx(j_l, rel=1e-8)


def test_symmetric_br_state_is_the_local_product_state() -> None:
    n1, n2 = 0.3, 1.7
    qubit = lambda n: (ID2 * (n + 0.5) - 0.5 * SZ) / (1 + 2 * n)  # noqa: E731  diag(n+1, n)
    product = np.kron(qubit(n1), qubit(n2))
    basis = qheat.TwoQubitModel(5.0, 5.0, 1e-9).eigenbasis()
    np.testing.assert_allclose(symmetric_br_state(n1, n2), basis.to_eigen(product), atol=1e-8)


def test_numerical_br_state_approaches_appendix_c() -> None:
    system, _, _ = _symmetric()
    closed = symmetric_br_state(bose(5.0, 12.0), bose(5.0, 5.0))
    err = np.abs(qheat.solve(system).rho - closed).max(axis=(-1, -2))
    assert err[-1] < 1e-4
    np.testing.assert_allclose(err[1:] / err[:-1], 0.1, rtol=0.05)  # O(g)


# ---- Eq. 23 ---------------------------------------------------------------------------------


def _fig3(gamma: float, dt: np.ndarray) -> qheat.OpenSystem:
    return qheat.paper_system(5.0, 4.0, 0.5, gamma, gamma, 50.0, 5.0 + dt, 5.0)


def test_eq23_is_exact_without_lamb_shift() -> None:
    gap = eq23_gap(_fig3(0.01, np.array([1.0, 20.0, 100.0])), lamb_shift=False)
    np.testing.assert_allclose(gap.br, gap.lindblad, rtol=1e-12)


def test_eq23_gap_is_first_order_and_comes_from_the_lamb_shift_only() -> None:
    dt = np.array([1.0, 20.0, 100.0])
    small, large = eq23_gap(_fig3(0.01, dt)), eq23_gap(_fig3(0.02, dt))
    np.testing.assert_allclose(large.relative / small.relative, 2.0, rtol=0.05)  # O(gamma)
    assert np.all(np.abs(small.relative) > 1e-4)
    # H_S alone gives the same energy flow on rho^L: the populations of L^BR(rho^L) and
    # L^L(rho^L) coincide, so the gap is Tr(H_LS^BR L_j^BR(rho^L)) - Tr(H_LS^L L_j^L(rho^L))
    system = _fig3(0.01, dt)
    lindblad = qheat.GlobalLindblad().generator(system)
    rho_l = qheat.steady_state(lindblad).rho
    br = qheat.BlochRedfield().generator(system)
    bare = [
        qheat.Generator(g.name, g.eigenbasis, g.hamiltonian, 0 * g.lamb_shift, g.dissipators)
        for g in (br, lindblad)
    ]
    np.testing.assert_allclose(
        heat_currents(bare[0], rho_l), heat_currents(bare[1], rho_l), rtol=1e-12
    )
