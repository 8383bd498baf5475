"""HEOM heat currents converged in the number of exponents and the depth, or said not to be.

From ``HeomOptions.start = (order, depth)`` (the order raised to every bath's
:func:`~qheat.exact.exponents.minimum_order`: its Matsubara frequencies must pass the bath's
own frequency scale before a refinement can be trusted) each step at ``(K, D)`` solves the
hierarchy at ``(K, D)``, with the order doubled (``K' = max(K + 1, 2K)``), one tier deeper,
and one step coarser in each (``K/2``; ``D - 1``: small solves that give the rates). The value
returned is the order-refined solve ``J(K', D)``; its error estimate per bath is
(:mod:`qheat.exact.estimate`)::

    error_j = |J(K') - J(K)| max(1, r/(1 - r))           r = (J(K') - J(K)) / (J(K) - J(K/2))
            + |J(K, D+1) - J(K, D)| max(1, 1/(1 - r_D))  r_D the same ratio in depth

The first term is Richardson's error of ``J(K')`` for currents converging like ``1/K`` (the
asymptotic rate of the paired Matsubara series, ``r = 1/2``), larger when the measured changes
shrink more slowly; the second is the depth change at ``K``, the error of depth ``D``. Bath
``j``'s tolerance is::

    tol_j = max(rtol |J_j|, floor max_k |J_k|, atol, round-off of J_j)

The point is converged when ``error_j <= tol_j`` for every bath and no current above the floor
changes sign under either refinement. Otherwise every truncation whose own term exceeds the
tolerance (or the larger one, if only their sum does) is raised and the step repeated; a raise
of both is made only if the level it leads to is within the budget, else the worse one alone.

Budget. No hierarchy beyond ``max_order``, ``max_depth`` or ``max_unknowns`` is built (its size
is counted before QuTiP constructs it); a solve that runs out of memory counts as beyond the
budget. When no refinement the estimate needs is within it, the result has
``converged = False``, the best solve made, its last estimate (a refinement that could not be
made is replaced by the same estimate one step down, ``inf`` if none), a ``reason`` naming the
limit, and a :class:`~qheat.errors.ConvergenceWarning` is raised.
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
from .estimate import depth_error, tail_error
from .exponents import Decomposition, FitError, decompose, minimum_order
from .heom import HeomLevel, HeomPoint, heom_point, hierarchy_size

__all__ = ["HeomOptions", "HeomResult", "next_order", "previous_order", "solve_heom"]

FloatArray = NDArray[np.float64]


def next_order(order: int) -> int:
    """The refinement of ``order``: ``max(order + 1, 2 order)`` (0, 1, 2, 4, 8, ...)."""
    return max(order + 1, 2 * order)


def previous_order(order: int) -> int | None:
    """The order :func:`next_order` refines into ``order`` (``K/2``; 0 for 1), or None if there
    is none (0, or odd above 1)."""
    if order == 1:
        return 0
    return order // 2 if order >= 2 and order % 2 == 0 else None


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
        currents: ``J_j`` per bath (positive into the system) at ``level``: the finest
            solve in order made at the last step.
        rho: steady state in the eigenbasis of ``H_S``.
        rho_lab: steady state in the lab basis.
        converged: every current's error estimate within its tolerance, no sign flip.
        errors: per bath, the estimated error of ``currents`` (order term plus depth term, see
            the module docstring; ``inf`` where it could not be estimated).
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


def _out_of_memory(err: Exception) -> bool:
    """A failed allocation: Python's MemoryError or SuperLU's own abort message."""
    text = str(err).lower()
    return isinstance(err, MemoryError) or ("alloc" in text or "memory" in text)


class _Solver:
    """Solves at levels within the budget, remembering decompositions, solves and limits."""

    def __init__(self, system: OpenSystem, opts: HeomOptions) -> None:
        self.system = system
        self.opts = opts
        self.decs: dict[int, tuple[Decomposition, ...]] = {}
        self.points: dict[HeomLevel, HeomPoint] = {}
        self.orders_matter = not all(isinstance(b, ExponentialBath) for b in system.baths)
        self.failures: list[str] = []
        self.memory_limit: int | None = None

    def decompositions(self, order: int) -> tuple[Decomposition, ...]:
        if order not in self.decs:
            names = self.system.bath_names or ()
            self.decs[order] = tuple(
                decompose(b, order, n) for b, n in zip(self.system.baths, names)
            )
        return self.decs[order]

    def unknowns(self, level: HeomLevel) -> int:
        width = sum(dec.n_exponents for dec in self.decompositions(self._order(level)))
        return hierarchy_size(width, level.depth) * self.system.dim**2

    def _order(self, level: HeomLevel) -> int:
        return level.order if self.orders_matter else self.opts.start.order

    def limit(self, level: HeomLevel) -> str | None:
        """Why ``level`` is beyond the budget (naming the limit), or None if it is within."""
        opts = self.opts
        if level.order > opts.max_order:
            return f"order {level.order} > max_order={opts.max_order}"
        if level.depth > opts.max_depth:
            return f"depth {level.depth} > max_depth={opts.max_depth}"
        try:
            n = self.unknowns(level)
        except FitError as err:
            if str(err) not in self.failures:
                self.failures.append(str(err))
            return f"order {level.order}: {err}"
        where = f"order {level.order}, depth {level.depth} needs {n} unknowns"
        if n > opts.max_unknowns:
            return f"{where} > max_unknowns={opts.max_unknowns}"
        if self.memory_limit is not None and n >= self.memory_limit:
            return f"{where}, and a solve of {self.memory_limit} ran out of memory"
        return None

    def solve(self, level: HeomLevel) -> HeomPoint | None:
        """The solve at ``level``; None if it is beyond the budget or runs out of memory."""
        level = HeomLevel(self._order(level), level.depth)
        if level in self.points:
            return self.points[level]
        if self.limit(level) is not None:
            return None
        try:
            point = heom_point(self.system, level, self.decompositions(level.order))
        except (MemoryError, RuntimeError) as err:
            if not _out_of_memory(err):
                raise
            n = self.unknowns(level)
            self.memory_limit = n if self.memory_limit is None else min(n, self.memory_limit)
            return None
        self.points[level] = point
        return point

    def coarser(self, level: HeomLevel) -> HeomLevel | None:
        """The next order down (``K/2``, ``K/4``, ...) whose exponents differ from those at
        ``level.order`` (a Matsubara term near ``wD`` waits for a higher order, so orders 0 and
        1 can hold the same exponents), or None."""
        here = self.decompositions(level.order)
        previous = previous_order(level.order)
        while previous is not None and _same(self.decompositions(previous), here):
            previous = previous_order(previous)
        return None if previous is None else HeomLevel(previous, level.depth)


def _same(a: tuple[Decomposition, ...], b: tuple[Decomposition, ...]) -> bool:
    """Whether two decompositions of the baths hold the same exponents."""
    fields = ("ck_real", "vk_real", "ck_imag", "vk_imag")
    return all(np.array_equal(getattr(x, f), getattr(y, f)) for x, y in zip(a, b) for f in fields)


@dataclass(frozen=True)
class _Step:
    """The estimate at one level ``(K, D)``: the value, its two error terms and what blocked."""

    value: HeomPoint
    order_error: FloatArray
    depth_error: FloatArray
    flipped: dict[str, bool]
    blocked: dict[str, str]

    @property
    def errors(self) -> FloatArray:
        return np.asarray(self.order_error + self.depth_error, dtype=float)


def _order_term(
    solver: _Solver, level: HeomLevel, base: HeomPoint, opts: HeomOptions
) -> tuple[HeomPoint, FloatArray, bool, str | None]:
    """``(value, order error, sign flipped, blocked reason)`` at ``level``."""
    n = solver.system.n_baths
    if not solver.orders_matter:
        return base, np.zeros(n), False, None
    finer_level = HeomLevel(next_order(level.order), level.depth)
    finer = solver.solve(finer_level)
    below = solver.coarser(level)
    coarse = None if below is None else solver.solve(below)
    if finer is not None:
        v0 = None if coarse is None else coarse.currents
        error = tail_error(v0, base.currents, finer.currents, finer.noise)
        return finer, error, bool(_flips(base, finer, opts).any()), None
    blocked = solver.limit(finer_level) or "out of memory"
    # the same estimate one step down: the error of J(K) from K/4, K/2, K
    if coarse is None or below is None:
        return base, np.full(n, math.inf), False, blocked
    lower = solver.coarser(below)
    coarsest = None if lower is None else solver.solve(lower)
    v0 = None if coarsest is None else coarsest.currents
    return base, tail_error(v0, coarse.currents, base.currents, base.noise), False, blocked


def _depth_term(
    solver: _Solver, level: HeomLevel, base: HeomPoint, opts: HeomOptions
) -> tuple[FloatArray, bool, str | None]:
    """``(depth error of depth D, sign flipped, blocked reason)`` at ``level``."""
    deeper_level = HeomLevel(level.order, level.depth + 1)
    deeper = solver.solve(deeper_level)
    shallow = solver.solve(HeomLevel(level.order, level.depth - 1)) if level.depth > 1 else None
    if deeper is not None:
        v0 = None if shallow is None else shallow.currents
        error = depth_error(v0, base.currents, deeper.currents, base.noise)
        return error, bool(_flips(base, deeper, opts).any()), None
    blocked = solver.limit(deeper_level) or "out of memory"
    if shallow is None:
        return np.full(solver.system.n_baths, math.inf), False, blocked
    low = solver.solve(HeomLevel(level.order, level.depth - 2)) if level.depth > 2 else None
    v0 = None if low is None else low.currents
    return tail_error(v0, shallow.currents, base.currents, base.noise), False, blocked


def _step(solver: _Solver, level: HeomLevel, base: HeomPoint, opts: HeomOptions) -> _Step:
    value, order_error, order_flip, order_blocked = _order_term(solver, level, base, opts)
    depth_err, depth_flip, depth_blocked = _depth_term(solver, level, base, opts)
    blocked = {
        kind: why
        for kind, why in (("order", order_blocked), ("depth", depth_blocked))
        if why is not None
    }
    return _Step(value, order_error, depth_err, {"order": order_flip, "depth": depth_flip}, blocked)


def _raise(solver: _Solver, level: HeomLevel, step: _Step, tol: FloatArray) -> list[str]:
    """The truncations to raise (``"order"``, ``"depth"``), within the budget; [] if none."""
    terms = {"order": step.order_error, "depth": step.depth_error}
    failing = [k for k, e in terms.items() if step.flipped[k] or not np.all(e <= tol)]
    if not failing:  # each within the tolerance, their sum not: the larger one
        failing = [max(terms, key=lambda k: float(np.max(terms[k] / tol)))]
    failing = [k for k in failing if k not in step.blocked]
    if len(failing) == 2 and solver.limit(_raised(level, failing)) is not None:
        failing = [max(failing, key=lambda k: float(np.max(terms[k] / tol)))]
    return failing


def _raised(level: HeomLevel, kinds: list[str]) -> HeomLevel:
    return HeomLevel(
        next_order(level.order) if "order" in kinds else level.order,
        level.depth + 1 if "depth" in kinds else level.depth,
    )


def _budget_reason(step: _Step, solver: _Solver) -> str:
    parts = [f"the {kind} refinement: {why}" for kind, why in step.blocked.items()]
    if any(step.flipped.values()):
        parts.append("a current changed sign")
    parts += [f for f in solver.failures if not any(f in p for p in parts)]
    return "budget exhausted: " + "; ".join(parts or ["no refinement within the budget"])


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
    start_limit = solver.limit(level)
    base = solver.solve(level) if start_limit is None else None
    if base is None:
        raise InvalidParameterError(
            f"the start level is beyond the budget: {start_limit or 'its solve ran out of memory'}"
        )
    while True:
        step = _step(solver, level, base, opts)
        tol = _tolerance(step.value, opts)
        if np.all(step.errors <= tol) and not any(step.flipped.values()):
            converged = True
            reason = (
                f"converged: the estimated error (order {step.value.level.order} against "
                f"{level.order}, by Richardson in 1/order, plus the change to depth "
                f"{level.depth + 1}) is at most rtol={opts.rtol:g} of every current (floor "
                f"{opts.floor:g} of the largest)"
            )
            break
        kinds = _raise(solver, level, step, tol)
        following = None if not kinds else solver.solve(_raised(level, kinds))
        if following is None:
            converged, reason = False, _budget_reason(step, solver)
            break
        level, base = _raised(level, kinds), following
    if not converged:
        warnings.warn(
            f"HEOM currents not converged at order {step.value.level.order}, depth "
            f"{step.value.level.depth} (estimated error {float(np.max(step.errors)):.2e}): "
            f"{reason}",
            ConvergenceWarning,
            stacklevel=2,
        )
    basis = system.eigensystem()
    return HeomResult(
        bath_names=tuple(system.bath_names or ()),
        currents=step.value.currents,
        rho=basis.to_eigen(step.value.rho_lab),
        rho_lab=step.value.rho_lab,
        converged=converged,
        errors=step.errors,
        level=step.value.level,
        reason=reason,
        fit_errors=step.value.fit_errors,
        seconds=sum(p.seconds for p in solver.points.values()),
        history=tuple(solver.points.values()),
    )
