"""Automatic convergence of HEOM heat currents in the Pade terms and the hierarchy depth.

Starting from ``HeomOptions.start``, the currents are recomputed with ``pade_step`` more Pade
terms and with one more tier. When both refinements change every ``J_j`` by less than
``rtol * max|J| + atol``, the result is converged and the base solve is returned, with the largest change as its error estimate. Otherwise the truncation that moved
the current is raised and the test repeated, up to ``max_pade_terms`` and ``max_depth``; a
result that did not converge says so (``converged=False`` and a :class:`ConvergenceWarning`).
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field

import numpy as np
from numpy.typing import NDArray

from ..errors import ConvergenceWarning, InvalidParameterError
from ..model import OpenSystem
from .heom import HeomLevel, HeomPoint, heom_point

__all__ = ["HeomOptions", "HeomResult", "solve_heom"]


@dataclass(frozen=True)
class HeomOptions:
    """Convergence settings of :func:`solve_heom`.

    Attributes:
        rtol: relative tolerance on the heat currents (relative to ``max_j |J_j|``).
        atol: absolute floor of the tolerance (currents near zero, e.g. at ``T1 = T2``).
        start: first truncation tried.
        pade_step: Pade terms added per refinement.
        max_pade_terms: largest number of Pade terms per bath.
        max_depth: deepest hierarchy.
    """

    rtol: float = 2e-3
    atol: float = 1e-7
    start: HeomLevel = field(default_factory=lambda: HeomLevel(pade_terms=3, depth=2))
    pade_step: int = 1
    max_pade_terms: int = 12
    max_depth: int = 5

    def __post_init__(self) -> None:
        if not self.rtol > 0:
            raise InvalidParameterError(f"rtol must be > 0, got {self.rtol}")
        if not self.atol >= 0:
            raise InvalidParameterError(f"atol must be >= 0, got {self.atol}")
        if self.pade_step < 1:
            raise InvalidParameterError(f"pade_step must be >= 1, got {self.pade_step}")
        if self.max_pade_terms < self.start.pade_terms or self.max_depth < self.start.depth:
            raise InvalidParameterError(
                f"max_pade_terms, max_depth ({self.max_pade_terms}, {self.max_depth}) must be >= "
                f"the start level ({self.start.pade_terms}, {self.start.depth})"
            )


@dataclass(frozen=True)
class HeomResult:
    """Converged (or not) HEOM steady state and heat currents at one parameter point.

    Attributes:
        currents: ``J_j`` per bath, positive into the system.
        rho: steady state in the eigenbasis of ``H_S`` (paper order for the paper's model).
        rho_lab: steady state in the lab basis.
        converged: whether both refinements moved every current by less than the tolerance.
        error_estimate: largest change of a current under the last possible refinements.
        level: truncation of the returned solve.
        seconds: total wall time of all solves.
        history: every solve made, in order.
    """

    currents: NDArray[np.float64]
    rho: NDArray[np.complex128]
    rho_lab: NDArray[np.complex128]
    converged: bool
    error_estimate: float
    level: HeomLevel
    seconds: float
    history: tuple[HeomPoint, ...]

    @property
    def J1(self) -> float:
        """Heat current from bath 1 into the system."""
        return float(self.currents[0])

    @property
    def J2(self) -> float:
        """Heat current from bath 2 into the system."""
        return float(self.currents[1])


def solve_heom(system: OpenSystem, options: HeomOptions | None = None) -> HeomResult:
    """HEOM steady state and heat currents of one point of ``system``, converged automatically.

    Warns:
        ConvergenceWarning: the maximal truncation was reached before the tolerance.
    """
    opts = HeomOptions() if options is None else options
    cache: dict[HeomLevel, HeomPoint] = {}

    def point(level: HeomLevel) -> HeomPoint:
        if level not in cache:
            cache[level] = heom_point(system, level)
        return cache[level]

    level = opts.start
    error = float("nan")
    while True:
        base = point(level).currents
        tol = opts.rtol * float(np.max(np.abs(base))) + opts.atol
        finer_pade = HeomLevel(min(level.pade_terms + opts.pade_step, opts.max_pade_terms), level.depth)
        deeper = HeomLevel(level.pade_terms, min(level.depth + 1, opts.max_depth))
        change_pade = float(np.max(np.abs(point(finer_pade).currents - base)))
        change_depth = float(np.max(np.abs(point(deeper).currents - base)))
        measured = [c for c, f in ((change_pade, finer_pade), (change_depth, deeper)) if f != level]
        error = max(measured) if measured else error
        converged = error <= tol and finer_pade != level and deeper != level
        refined = HeomLevel(
            finer_pade.pade_terms if change_pade > tol else level.pade_terms,
            deeper.depth if change_depth > tol else level.depth,
        )
        if converged or refined == level:
            break
        level = refined
    best = point(level)
    if not converged:
        warnings.warn(
            f"HEOM currents not converged to rtol={opts.rtol:g} (change {error:.2e} > {tol:.2e}) "
            f"at Nk={level.pade_terms}, depth={level.depth}; raise max_pade_terms/max_depth",
            ConvergenceWarning,
            stacklevel=2,
        )
    basis = system.eigensystem()
    return HeomResult(
        currents=best.currents,
        rho=basis.to_eigen(best.rho_lab),
        rho_lab=best.rho_lab,
        converged=converged,
        error_estimate=error,
        level=best.level,
        seconds=sum(p.seconds for p in cache.values()),
        history=tuple(cache.values()),
    )
