"""HEOM heat currents converged in the number of exponents and the depth, or said not to be.

From ``HeomOptions.start = (order, depth)`` (the order raised to every bath's
:func:`~qheat.exact.exponents.minimum_order`: its Matsubara frequencies must pass the bath's
own frequency scale before a refinement can be trusted) the currents are recomputed with more
exponents (``order -> max(order + 1, 2 order)``) and one tier deeper. Bath ``j``'s tolerance is::

    tol_j = max(rtol |J_j|, floor max_k |J_k|, atol, round-off of J_j)

The point is converged when the two refinements together (order change plus depth change, the
``errors`` reported) move every current by less than its tolerance and no current above the
floor changes sign. Otherwise every truncation that moved a current
is raised and the test repeated. Doubling the order makes the change an honest error estimate
also when the currents converge only like ``1/order``. When a refinement would pass
``max_order``, ``max_depth`` or ``max_unknowns``, the budget has run out: the result has
``converged = False``, its ``errors`` are the last changes measured (``inf`` if none) and a
:class:`~qheat.errors.ConvergenceWarning` is raised.
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass, field

import numpy as np
from numpy.typing import NDArray

from ..baths import ExponentialBath
from ..errors import ConvergenceWarning, InvalidParameterError
from ..model import OpenSystem
from .exponents import Decomposition, FitError, decompose, minimum_order
from .heom import HeomLevel, HeomPoint, heom_point, hierarchy_size

__all__ = ["HeomOptions", "HeomResult", "next_order", "solve_heom"]

FloatArray = NDArray[np.float64]


def next_order(order: int) -> int:
    """The refinement of ``order``: ``max(order + 1, 2 order)`` (0, 1, 2, 4, 8, ...)."""
    return max(order + 1, 2 * order)


@dataclass(frozen=True)
class HeomOptions:
    """Tolerances and budget of :func:`solve_heom`.

    Attributes:
        rtol: tolerance on each current relative to its own size.
        floor: absolute floor of every tolerance, relative to the largest current (a current
            much smaller than the others is converged once known to this fraction of them).
        atol: absolute floor (same units as the currents; for points whose exact currents all
            vanish, e.g. equal temperatures).
        start: first truncation tried.
        max_order: largest number of exponents per bath.
        max_depth: deepest hierarchy.
        max_unknowns: largest hierarchy, in unknowns (ADOs times ``d^2``); 10^5 unknowns take
            10-40 s to build and solve on one core.
    """

    rtol: float = 2e-3
    floor: float = 1e-3
    atol: float = 0.0
    start: HeomLevel = field(default_factory=lambda: HeomLevel(order=1, depth=2))
    max_order: int = 64
    max_depth: int = 8
    max_unknowns: int = 100_000

    def __post_init__(self) -> None:
        if not 0 < self.rtol < 1:
            raise InvalidParameterError(f"rtol must be in (0, 1), got {self.rtol}")
        if not 0 <= self.floor < 1:
            raise InvalidParameterError(f"floor must be in [0, 1), got {self.floor}")
        if not self.atol >= 0:
            raise InvalidParameterError(f"atol must be >= 0, got {self.atol}")
        if self.max_order < self.start.order or self.max_depth < self.start.depth:
            raise InvalidParameterError(
                f"max_order, max_depth ({self.max_order}, {self.max_depth}) must be >= the "
                f"start level ({self.start.order}, {self.start.depth})"
            )
        if self.max_unknowns < 1:
            raise InvalidParameterError(f"max_unknowns must be >= 1, got {self.max_unknowns}")


@dataclass(frozen=True)
class HeomResult:
    """HEOM steady state and heat currents at one point, converged or not.

    Attributes:
        bath_names: names of the baths, in the order of ``currents``.
        currents: ``J_j`` per bath (positive into the system) at ``level``.
        rho: steady state in the eigenbasis of ``H_S``.
        rho_lab: steady state in the lab basis.
        converged: every current within its tolerance under both refinements together (the sum
            of the two changes), no sign flip.
        errors: per bath, the change under the last refinements measured (order change plus
            depth change; ``inf`` where a refinement could not be made).
        level: truncation of the returned solve.
        reason: why the loop stopped, in words.
        fit_errors: per bath, the relative rms error of a fitted decomposition (None: exact).
        seconds: total wall time of all solves.
        history: every solve made, in order.
    """

    bath_names: tuple[str, ...]
    currents: FloatArray
    rho: NDArray[np.complex128]
    rho_lab: NDArray[np.complex128]
    converged: bool
    errors: FloatArray
    level: HeomLevel
    reason: str
    fit_errors: tuple[float | None, ...]
    seconds: float
    history: tuple[HeomPoint, ...]

    @property
    def error_estimate(self) -> float:
        """The largest of :attr:`errors` (same units as the currents)."""
        return float(np.max(self.errors))

    @property
    def currents_by_name(self) -> dict[str, float]:
        """``{bath name: J_j}``."""
        return {name: float(j) for name, j in zip(self.bath_names, self.currents)}

    def current(self, name: str) -> float:
        """The heat current from the bath called ``name`` into the system."""
        if name not in self.bath_names:
            raise InvalidParameterError(
                f"bath name must be one of {', '.join(self.bath_names)}, got {name!r}"
            )
        return float(self.currents[self.bath_names.index(name)])

    @property
    def J1(self) -> float:
        """Heat current from the first bath into the system."""
        return float(self.currents[0])

    @property
    def J2(self) -> float:
        """Heat current from the second bath into the system."""
        return float(self.currents[1])


def _tolerance(point: HeomPoint, opts: HeomOptions) -> FloatArray:
    j = np.abs(point.currents)
    scale = float(np.max(j))
    floor = max(opts.floor * scale, opts.atol)
    return np.maximum(np.maximum(opts.rtol * j, floor), point.noise)


def _flips(base: HeomPoint, other: HeomPoint, opts: HeomOptions) -> NDArray[np.bool_]:
    """Currents that change sign while larger than the floor (never converged)."""
    a, b = base.currents, other.currents
    scale = float(np.max(np.abs(a)))
    floor = np.maximum(max(opts.floor * scale, opts.atol), base.noise)
    return (np.sign(a) != np.sign(b)) & (np.maximum(np.abs(a), np.abs(b)) > floor)


class _Solver:
    """Solves at levels within the budget, remembering decompositions and solves."""

    def __init__(self, system: OpenSystem, opts: HeomOptions) -> None:
        self.system = system
        self.opts = opts
        self.decs: dict[int, tuple[Decomposition, ...]] = {}
        self.points: dict[HeomLevel, HeomPoint] = {}
        self.orders_matter = not all(isinstance(b, ExponentialBath) for b in system.baths)
        self.failures: list[str] = []

    def decompositions(self, order: int) -> tuple[Decomposition, ...]:
        if order not in self.decs:
            names = self.system.bath_names or ()
            self.decs[order] = tuple(
                decompose(b, order, n) for b, n in zip(self.system.baths, names)
            )
        return self.decs[order]

    def unknowns(self, level: HeomLevel) -> int:
        width = sum(dec.n_exponents for dec in self.decompositions(level.order))
        return hierarchy_size(width, level.depth) * self.system.dim**2

    def within(self, level: HeomLevel) -> bool:
        """Whether ``level`` is within the budget (and, for fitted baths, the fit succeeds)."""
        if level.order > self.opts.max_order or level.depth > self.opts.max_depth:
            return False
        try:
            return self.unknowns(level) <= self.opts.max_unknowns
        except FitError as err:
            if str(err) not in self.failures:
                self.failures.append(str(err))
            return False

    def solve(self, level: HeomLevel) -> HeomPoint:
        if not self.orders_matter:
            level = HeomLevel(self.opts.start.order, level.depth)
        if level not in self.points:
            self.points[level] = heom_point(self.system, level, self.decompositions(level.order))
        return self.points[level]


def solve_heom(system: OpenSystem, options: HeomOptions | None = None) -> HeomResult:
    """HEOM steady state and heat currents of every bath of ``system``, converged or flagged.

    Args:
        system: one parameter point of any :class:`~qheat.model.OpenSystem` whose baths
            :func:`qheat.exact.exponents.decompose` holds (Drude, underdamped, ohmic by a fit,
            exponential), with any number of baths.
        options: tolerances and budget (:class:`HeomOptions`).

    Raises:
        InvalidParameterError: a bath the hierarchy cannot hold (named in the message), a
            batch of points, or a start level beyond the budget.

    Warns:
        ConvergenceWarning: the budget ran out before the tolerance was met.
    """
    opts = HeomOptions() if options is None else options
    if system.batch_shape != ():
        raise InvalidParameterError(
            f"HEOM takes one parameter point, got a system with batch shape {system.batch_shape}"
        )
    solver = _Solver(system, opts)
    needed = max((minimum_order(b) for b in system.baths), default=0)
    level = HeomLevel(min(max(opts.start.order, needed), opts.max_order), opts.start.depth)
    if not solver.within(level):
        raise InvalidParameterError(
            f"the start level (order {level.order}, depth {level.depth}) needs "
            f"{solver.unknowns(level)} unknowns, more than max_unknowns = {opts.max_unknowns}"
        )
    n = system.n_baths
    change = {"order": np.full(n, math.inf), "depth": np.full(n, math.inf)}
    while True:
        base = solver.solve(level)
        tol = _tolerance(base, opts)
        refined = {
            "order": HeomLevel(next_order(level.order), level.depth),
            "depth": HeomLevel(level.order, level.depth + 1),
        }
        ok, flipped = {}, {}
        for kind, finer in refined.items():
            if kind == "order" and not solver.orders_matter:
                change[kind], ok[kind], flipped[kind] = np.zeros(n), True, False
                continue
            if not solver.within(finer):
                ok[kind], flipped[kind] = False, False
                continue
            other = solver.solve(finer)
            change[kind] = np.abs(other.currents - base.currents)
            flipped[kind] = bool(_flips(base, other, opts).any())
            ok[kind] = bool(np.all(change[kind] <= tol)) and not flipped[kind]
        if ok["order"] and ok["depth"]:
            if np.all(change["order"] + change["depth"] <= tol):
                reason = (
                    f"converged: the next order and depth together change every current by "
                    f"at most rtol={opts.rtol:g} of it (floor {opts.floor:g} of the largest)"
                )
                converged = True
                break
            # each within the tolerance, their sum not: refine the larger one
            worse = max(refined, key=lambda k: float(np.max(change[k] / tol)))
            ok[worse] = False
        raise_kind = [k for k in refined if not ok[k] and solver.within(refined[k])]
        if not raise_kind:
            blocked = [k for k in refined if not ok[k]]
            reason = (
                f"budget exhausted: the {' and '.join(blocked)} refinement would exceed "
                f"max_order={opts.max_order}, max_depth={opts.max_depth} or "
                f"max_unknowns={opts.max_unknowns}"
                + ("; a current changed sign" if any(flipped.values()) else "")
                + "".join(f"; {f}" for f in solver.failures)
            )
            converged = False
            break
        level = HeomLevel(
            refined["order"].order if "order" in raise_kind else level.order,
            level.depth + 1 if "depth" in raise_kind else level.depth,
        )
    errors = change["order"] + change["depth"]
    if not converged:
        warnings.warn(
            f"HEOM currents not converged at order {level.order}, depth {level.depth} "
            f"(estimated error {float(np.max(errors)):.2e}): {reason}",
            ConvergenceWarning,
            stacklevel=2,
        )
    basis = system.eigensystem()
    return HeomResult(
        bath_names=tuple(system.bath_names or ()),
        currents=base.currents,
        rho=basis.to_eigen(base.rho_lab),
        rho_lab=base.rho_lab,
        converged=converged,
        errors=errors,
        level=base.level,
        reason=reason,
        fit_errors=base.fit_errors,
        seconds=sum(p.seconds for p in solver.points.values()),
        history=tuple(solver.points.values()),
    )
