"""Thin public functions: check inputs, build the generator, solve, return a frozen result."""

from __future__ import annotations

from typing import cast

import numpy as np
from numpy.typing import ArrayLike, NDArray

from .baths import DrudeBath
from .master import BlochRedfield, MasterEquation
from .model import OpenSystem, TwoQubitModel
from .steady import Solution, heat_currents, steady_state

__all__ = ["paper_system", "solve"]


def paper_system(
    eps1: ArrayLike,
    eps2: ArrayLike,
    g: ArrayLike,
    gamma1: ArrayLike,
    gamma2: ArrayLike,
    omega_d: ArrayLike,
    t1: ArrayLike,
    t2: ArrayLike,
) -> OpenSystem:
    """The paper's open system: Eq. 1 with Drude baths (Eq. 17) on ``sx1`` and ``sx2``.

    Every argument may be an array; leading axes broadcast. Units: hbar = kB = 1.

    Example:
        >>> system = paper_system(5, 4, 0.5, 0.01, 0.01, 50, 15, 5)
        >>> system.dim, system.batch_shape
        (4, ())
    """
    model = TwoQubitModel(eps1=_real(eps1), eps2=_real(eps2), g=_real(g))
    return model.open_system(
        DrudeBath(gamma=_real(gamma1), omega_d=_real(omega_d), temperature=_real(t1)),
        DrudeBath(gamma=_real(gamma2), omega_d=_real(omega_d), temperature=_real(t2)),
    )


def _real(x: ArrayLike) -> NDArray[np.float64]:
    """Pass-through for typing; the constructors validate and convert."""
    return cast(NDArray[np.float64], x)


def solve(system: OpenSystem, equation: MasterEquation | None = None) -> Solution:
    """Steady state and heat currents of ``system`` under ``equation`` (default Bloch-Redfield).

    Example:
        >>> from qheat import GlobalLindblad
        >>> system = paper_system(5, 4, 0.5, 0.01, 0.01, 50, 15, 5)
        >>> sol = solve(system, GlobalLindblad())
        >>> round(float(sol.J1), 10), abs(float(sol.J1 + sol.J2)) < 1e-15
        (0.0498172737, True)
    """
    eq = BlochRedfield() if equation is None else equation
    generator = eq.generator(system)
    state = steady_state(generator)
    return Solution(
        equation=eq.name,
        generator=generator,
        state=state,
        currents=heat_currents(generator, state.rho),
    )
