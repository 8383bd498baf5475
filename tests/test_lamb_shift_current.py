"""A qubit's heat current with the Lamb shift is the textbook current times
``1 + sum_j [S_j(w0) - S_j(-w0)] / w0`` (docs/sharp-bits.md).

Independent evidence: the textbook current is written out here from Fermi's golden-rule rates
``2 G_j(+-w0)`` with ``G(w) = J(w) (n(w) + 1)`` and ``J(w) = gamma w / (1 + (w/wD)^2)`` (no qheat
code), and the factor is computed from ``DrudeBath.S`` and, separately, from the principal-value
quadrature ``qheat.lamb_shift_quadrature``.
"""

from __future__ import annotations

import numpy as np
import pytest

import qheat
from qheat.baths import DrudeBath
from qheat.model import OpenSystem

SX = np.array([[0.0, 1.0], [1.0, 0.0]])
CASES = [  # (w0, (gamma1, wD1, T1), (gamma2, wD2, T2))
    (1.0, (0.1, 50.0, 1.0), (0.1, 50.0, 0.5)),
    (1.0, (0.1, 50.0, 1.0), (0.01, 50.0, 0.5)),
    (1.0, (0.01, 50.0, 1.0), (0.01, 50.0, 0.5)),
    (2.5, (0.03, 10.0, 4.0), (0.05, 80.0, 1.5)),
]


def golden_rule_current(w0: float, params: list[tuple[float, float, float]]) -> float:
    """``J_1 = w0 (G1up G2down - G1down G2up) / sum`` with ``G = J (n + 1)`` at ``+-w0``."""

    def g(w: float, gamma: float, wd: float, t: float) -> float:
        return gamma * w / (1 + (w / wd) ** 2) / -np.expm1(-w / t)  # J(w) (n(w) + 1)

    down = [2 * g(w0, *p) for p in params]
    up = [2 * g(-w0, *p) for p in params]
    return w0 * (up[0] * down[1] - down[0] * up[1]) / (sum(up) + sum(down))


def qubit(w0: float, params: list[tuple[float, float, float]]) -> OpenSystem:
    baths = tuple(DrudeBath(gamma=g, omega_d=wd, temperature=t) for g, wd, t in params)
    return OpenSystem(np.diag([w0 / 2, -w0 / 2]), (SX, SX), baths)


@pytest.mark.parametrize("case", CASES, ids=[f"case{i}" for i in range(len(CASES))])
@pytest.mark.parametrize("equation", [qheat.GlobalLindblad, qheat.BlochRedfield])
def test_current_is_the_textbook_one_times_the_shift_factor(case, equation) -> None:  # type: ignore[no-untyped-def]
    w0, *params = case
    system = qubit(w0, params)
    textbook = golden_rule_current(w0, params)
    without = qheat.solve(system, equation(lamb_shift=False))
    with_shift = qheat.solve(system, equation())
    assert float(without.J1) == pytest.approx(textbook, rel=1e-10)
    from_s = 1 + sum(float(b.S(w0) - b.S(-w0)) for b in system.baths) / w0
    from_quadrature = (
        1
        + sum(
            qheat.lamb_shift_quadrature(w0, g, wd, t) - qheat.lamb_shift_quadrature(-w0, g, wd, t)
            for g, wd, t in params
        )
        / w0
    )
    assert from_s == pytest.approx(from_quadrature, rel=1e-8)
    assert float(with_shift.J1) == pytest.approx(textbook * from_s, rel=1e-10)
    assert float(with_shift.J2) == pytest.approx(-textbook * from_s, rel=1e-10)


def test_the_documented_factors() -> None:
    """0.63, 0.81 and 0.96 (issue 15, docs/sharp-bits.md), from the quadrature alone."""
    factors = [
        1
        + sum(
            qheat.lamb_shift_quadrature(1.0, g, wd, t) - qheat.lamb_shift_quadrature(-1.0, g, wd, t)
            for g, wd, t in params
        )
        for _, *params in CASES[:3]
    ]
    assert [round(f, 2) for f in factors] == [0.63, 0.81, 0.96]
