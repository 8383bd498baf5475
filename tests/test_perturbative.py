"""Appendix B: the perturbative Bloch-Redfield steady state.

Independent values: the exact steady state of ``qheat.solve`` (error scaling), the global
Lindblad steady state (``rho^(0)``), the paper's M-matrix entries typed in from Appendix B
(Eqs. B4-B5 and the corrected ``M_13(2,1)``), and the block structure of Eq. 18.
"""

from __future__ import annotations

import numpy as np
import pytest

import qheat
from qheat.errors import InvalidParameterError, NonUniqueSteadyStateError
from qheat.steady.perturbative import perturbative_state

GAMMAS = np.geomspace(1e-3, 1e-2, 4)  # one decade


def _slope(x: np.ndarray, y: np.ndarray) -> float:
    return float(np.polyfit(np.log(x), np.log(y), 1)[0])


def _max_abs(a: np.ndarray) -> np.ndarray:
    return np.abs(a).max(axis=(-1, -2))


@pytest.mark.parametrize("lamb_shift", [True, False])
@pytest.mark.parametrize(
    "eps1, eps2, g, t1, t2, ratio",
    [
        (5.0, 4.0, 0.5, 15.0, 5.0, 1.0),
        (4.0, 3.0, 0.5, 30.0, 5.0, 0.5),
        (6.0, 4.0, 1.5, 2.0, 9.0, 2.0),
    ],
)
def test_error_against_exact_state_falls_as_gamma_squared(
    eps1: float, eps2: float, g: float, t1: float, t2: float, ratio: float, lamb_shift: bool
) -> None:
    model = qheat.TwoQubitModel(eps1, eps2, g)
    b1 = qheat.DrudeBath(GAMMAS, 50.0, t1)
    b2 = qheat.DrudeBath(ratio * GAMMAS, 50.0, t2)
    exact = qheat.solve(model.open_system(b1, b2), qheat.BlochRedfield(lamb_shift)).rho
    state = perturbative_state(model, b1, b2, lamb_shift=lamb_shift)
    # second order: slope 2; the zeroth-order state alone errs at slope 1 (the fit discriminates)
    assert _slope(GAMMAS, _max_abs(exact - state.rho)) > 1.9
    assert _slope(GAMMAS, _max_abs(exact - state.rho0)) == pytest.approx(1.0, abs=0.1)


def test_zeroth_order_is_global_lindblad_state() -> None:
    rng = np.random.default_rng(3)
    shape = (12,)
    eps2 = rng.uniform(1, 5, shape)
    system_args = dict(
        eps1=eps2 + rng.uniform(0.1, 3, shape),
        eps2=eps2,
        g=rng.uniform(-2, 2, shape),
    )
    b1 = qheat.DrudeBath(rng.uniform(0.001, 0.05, shape), 50.0, rng.uniform(0.5, 50, shape))
    b2 = qheat.DrudeBath(rng.uniform(0.0, 0.05, shape), 30.0, rng.uniform(0.5, 50, shape))
    model = qheat.TwoQubitModel(**system_args)
    lindblad = qheat.solve(model.open_system(b1, b2), qheat.GlobalLindblad()).rho
    state = perturbative_state(model, b1, b2)
    assert state.rho0.shape == state.rho2.shape == state.rho.shape == shape + (4, 4)
    np.testing.assert_allclose(state.rho0, lindblad, rtol=0, atol=1e-14)


def test_second_order_part_structure() -> None:
    """Eq. 18: only the diagonal and the secondary diagonal; Tr rho^(2) = 0; Hermitian."""
    model = qheat.TwoQubitModel(5.0, 4.0, [0.25, 0.75])
    state = perturbative_state(
        model, qheat.DrudeBath(0.01, 50.0, 15.0), qheat.DrudeBath(0.02, 50.0, 5.0)
    )
    rho2 = state.rho2
    outside = np.ones((4, 4), bool)
    outside[np.arange(4), np.arange(4)] = False
    outside[[0, 1, 2, 3], [3, 2, 1, 0]] = False
    assert np.all(rho2[..., outside] == 0)
    assert np.all(np.abs(rho2[..., [0, 1], [3, 2]]) > 1e-5)
    np.testing.assert_allclose(np.trace(rho2, axis1=-2, axis2=-1), 0, atol=1e-16)
    np.testing.assert_allclose(rho2, np.conj(np.swapaxes(rho2, -1, -2)), atol=1e-17)


class _AppendixB:
    """The paper's notation G~_+-, G-bar_+- and the M entries, typed in from Appendix B."""

    def __init__(self, model: qheat.TwoQubitModel, b1: qheat.DrudeBath, b2: qheat.DrudeBath):
        self.w1, self.w2 = float(model.omega1), float(model.omega2)
        self.alpha, self.beta = float(model.alpha), float(model.beta)
        sp, cp = np.sin(model.phi_plus), np.cos(model.phi_plus)
        sm, cm = np.sin(model.phi_minus), np.cos(model.phi_minus)
        self.weights = {self.w1: (sp**2, cm**2), self.w2: (cp**2, sm**2)}
        self.bars = (sp * cp, sm * cm)
        self.b1, self.b2 = b1, b2

    def tilde(self, f: str, w: float) -> complex:
        a, b = self.weights[abs(w)]
        return complex(getattr(self.b1, f)(w) * a + getattr(self.b2, f)(w) * b)

    def bar(self, f: str, w: float, sign: int) -> complex:
        return complex(
            getattr(self.b1, f)(w) * self.bars[0] + sign * getattr(self.b2, f)(w) * self.bars[1]
        )

    def m14(self) -> list[complex]:
        """M_ii(1,4), i = 1..4."""
        G = lambda w: self.bar("G", w, 1)  # noqa: E731
        S = lambda w: self.bar("S", w, 1)  # noqa: E731
        w1, w2 = self.w1, self.w2
        return [
            G(w2) - G(w1) + 1j * S(w1) - 1j * S(w2),
            G(-w1) + G(w2) + 1j * S(-w1) - 1j * S(w2),
            -G(w1) - G(-w2) + 1j * S(w1) - 1j * S(-w2),
            G(-w1) - G(-w2) + 1j * S(-w1) - 1j * S(-w2),
        ]

    def m23(self) -> list[complex]:
        """M_ii(2,3), i = 1..4."""
        G = lambda w: self.bar("G", w, -1)  # noqa: E731
        S = lambda w: self.bar("S", w, -1)  # noqa: E731
        w1, w2 = self.w1, self.w2
        return [
            G(w1) + G(w2) + 1j * S(w1) - 1j * S(w2),
            G(w2) - G(-w1) + 1j * S(-w1) - 1j * S(w2),
            G(w1) - G(-w2) + 1j * S(w1) - 1j * S(-w2),
            -G(-w1) - G(-w2) + 1j * S(-w1) - 1j * S(-w2),
        ]


def _entry(liou: np.ndarray, source: tuple[int, int], target: tuple[int, int]) -> complex:
    """``M_ij(k,l) = d(drho_kl/dt)/d rho_ij`` (1-based) from a column-stacked Liouvillian."""
    (i, j), (k, l) = source, target
    return complex(liou[(l - 1) * 4 + (k - 1), (j - 1) * 4 + (i - 1)])


MODEL = qheat.TwoQubitModel(5.0, 4.0, 0.7)
BATH1 = qheat.DrudeBath(0.013, 50.0, 15.0)
BATH2 = qheat.DrudeBath(0.008, 40.0, 5.0)


def test_coherences_are_eqs_b4_b5() -> None:
    paper = _AppendixB(MODEL, BATH1, BATH2)
    state = perturbative_state(MODEL, BATH1, BATH2)
    p0 = np.real(np.diagonal(state.rho0))
    rho14 = sum(m * p for m, p in zip(paper.m14(), p0)) / (2j * paper.beta)
    rho23 = sum(m * p for m, p in zip(paper.m23(), p0)) / (2j * paper.alpha)
    assert state.rho2[0, 3] == pytest.approx(rho14, rel=1e-12)
    assert state.rho2[1, 2] == pytest.approx(rho23, rel=1e-12)


def test_generator_entries_match_appendix_b_with_corrected_m13() -> None:
    paper = _AppendixB(MODEL, BATH1, BATH2)
    liou = qheat.BlochRedfield().generator(MODEL.open_system(BATH1, BATH2)).liouvillian()
    for i, (m14, m23) in enumerate(zip(paper.m14(), paper.m23()), start=1):
        assert _entry(liou, (i, i), (1, 4)) == pytest.approx(m14, rel=1e-12)
        assert _entry(liou, (i, i), (2, 3)) == pytest.approx(m23, rel=1e-12)
    w1, w2 = paper.w1, paper.w2
    G, S = paper.bar, paper.bar
    corrected = G("G", w1, -1) + G("G", -w2, -1) + 1j * S("S", w1, -1) - 1j * S("S", -w2, -1)
    printed = G("G", w1, -1) + G("G", -w2, 1) + 1j * S("S", w1, -1) - 1j * S("S", -w2, 1)
    m13_21 = _entry(liou, (1, 3), (2, 1))
    assert m13_21 == pytest.approx(corrected, rel=1e-12)
    assert abs(m13_21 - printed) > 0.1 * abs(m13_21)


def test_alpha_zero_raises_but_exact_solver_works() -> None:
    model = qheat.TwoQubitModel(5.0, 5.0, 0.0)
    b1, b2 = qheat.DrudeBath(0.01, 50.0, 12.0), qheat.DrudeBath(0.01, 50.0, 5.0)
    with pytest.raises(InvalidParameterError, match="alpha"):
        perturbative_state(model, b1, b2)
    rho = qheat.solve(model.open_system(b1, b2)).rho
    assert np.trace(rho) == pytest.approx(1.0)


def test_no_coupling_raises() -> None:
    bath = qheat.DrudeBath(0.0, 50.0, 5.0)
    with pytest.raises(NonUniqueSteadyStateError):
        perturbative_state(qheat.TwoQubitModel(5.0, 4.0, 0.5), bath, bath)
