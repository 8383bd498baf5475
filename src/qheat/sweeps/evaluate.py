"""One chunk of a sweep: build the batched system, solve every equation, collect diagnostics.

This is :func:`qheat.solve` on a batch (the only path from a system to its currents, and with
``cumulants=N`` to their cumulants); the chunk's warnings are collected as diagnostics and
raised once per sweep by the caller. A device with ``[units]`` has its currents and entropy
production recorded in W and W/K, its cumulants in ``J^n/s`` (:func:`output_scales`).
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

from ..api import solve
from ..master import MasterEquation
from ..model import OpenSystem
from ..steady import Solution
from ..steady.truncation import top_level_populations
from .builders import Builder, builder_units
from .dataset import cumulant_variables, per_bath
from .grid import Grid

__all__ = [
    "VARIABLES",
    "ChunkSpec",
    "ChunkTask",
    "evaluate_chunk",
    "evaluate_system",
    "output_scales",
]

FloatArray = NDArray[np.float64]

VARIABLES = (
    "min_eigenvalue",
    "residual",
    "condition_number",
    "secular_ratio",
    "conservation_residual",
    "weak_coupling_ratio",
    "entropy_production",
    "second_law_broken",
    "top_level_population",
)
"""The diagnostics of :class:`~qheat.steady.Solution` a sweep records, ``(equation, n)`` each;
``top_level_population`` is the largest over the system's truncated sites
(:func:`qheat.steady.truncation.top_level_populations`; NaN when it has none)."""


@dataclass(frozen=True)
class ChunkSpec:
    """What every chunk of a sweep shares: the grid, the builder, the equations and the
    number of cumulants (sent to each worker once)."""

    grid: Grid
    build: Builder
    equations: tuple[MasterEquation, ...]
    cumulants: int = 0


@dataclass(frozen=True)
class ChunkTask:
    """One chunk: its number and its flat point range ``start <= i < stop``."""

    number: int
    start: int
    stop: int

    def __str__(self) -> str:
        return f"chunk {self.number} (points {self.start} to {self.stop - 1})"


def evaluate_chunk(spec: ChunkSpec, task: ChunkTask) -> dict[str, FloatArray]:
    """The flat result arrays of one chunk: ``J`` ``(equation, bath, n)``, each of
    :data:`VARIABLES` ``(equation, n)`` and the cumulant variables ``(equation, bath, n)``."""
    system = spec.build(**spec.grid.points(task.start, task.stop))
    out = evaluate_system(system, spec.equations, task.stop - task.start, spec.cumulants)
    for name, scale in output_scales(spec.build, spec.cumulants).items():
        out[name] *= scale
    return out


def output_scales(build: Any, cumulants: int = 0) -> dict[str, float]:
    """What a sweep multiplies its results by: ``J`` and ``c1`` to W, ``entropy_production``
    to W/K, ``noise`` and ``c3 ... cN`` to ``J^n/s`` for a device with ``[units]``
    (:mod:`qheat.units`; the TUR ratio is dimensionless); nothing otherwise."""
    units = builder_units(build)
    if units is None:
        return {}
    scales = {
        "J": units.output_scale("current"),
        "entropy_production": units.output_scale("entropy_production"),
    }
    orders = {"c1": 1, "noise": 2, **{f"c{n}": n for n in range(3, cumulants + 1)}}
    scales.update({name: units.cumulant_scale(n) for name, n in orders.items() if n <= cumulants})
    return scales


def evaluate_system(
    system: OpenSystem,
    equations: tuple[MasterEquation, ...],
    n: int | None = None,
    cumulants: int = 0,
) -> dict[str, FloatArray]:
    """:func:`qheat.solve` of ``system`` under each equation (``cumulants=N``: with the first
    ``N`` cumulants, :func:`~qheat.sweeps.dataset.cumulant_variables`), flattened to ``n``
    points.

    Warnings are silenced here (their diagnostics are returned); errors propagate.
    """
    n = math.prod(system.batch_shape) if n is None else n
    nb = system.n_baths
    out = {"J": np.empty((len(equations), nb, n))}
    out.update({name: np.full((len(equations), n), np.nan) for name in VARIABLES})
    out.update(
        {
            name: np.full(
                (len(equations), nb, n) if per_bath(name) else (len(equations), n), np.nan
            )
            for name in cumulant_variables(cumulants)
        }
    )
    for i, equation in enumerate(equations):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            solution = solve(system, equation, cumulants=cumulants)
        currents = np.broadcast_to(solution.currents, system.batch_shape + (nb,))
        out["J"][i] = currents.reshape(n, nb).T
        if solution.cumulants is not None:
            _store_cumulants(out, i, solution, system.batch_shape, n)
        diagnostics: Mapping[str, NDArray[np.float64] | None] = {
            "min_eigenvalue": solution.min_eigenvalue,
            "residual": solution.state.residual,
            "condition_number": solution.state.condition_number,
            "secular_ratio": solution.secular_ratio,
            "conservation_residual": solution.conservation_residual,
            "weak_coupling_ratio": solution.weak_coupling_ratio,
            "entropy_production": solution.entropy_production,
            "second_law_broken": None
            if solution.second_law_broken is None
            else solution.second_law_broken.astype(np.float64),
            "top_level_population": _largest(top_level_populations(system, solution.state)),
        }
        for name, values in diagnostics.items():
            if values is not None:
                out[name][i] = np.broadcast_to(values, system.batch_shape).reshape(n)
    return out


def _store_cumulants(
    out: dict[str, FloatArray], i: int, solution: Solution, batch: tuple[int, ...], n: int
) -> None:
    """``Solution.cumulants`` ``(..., bath, N)`` and ``tur_ratio`` ``(..., bath)`` of equation
    ``i`` into the flat ``(equation, bath, n)`` columns, ``counting_imbalance`` into
    ``(equation, n)``."""
    assert solution.cumulants is not None
    nb, order = solution.cumulants.shape[-2:]
    flat = np.broadcast_to(solution.cumulants, batch + (nb, order)).reshape(n, nb, order)
    for k, name in enumerate(("c1", "noise", *(f"c{m}" for m in range(3, order + 1)))[:order]):
        out[name][i] = flat[..., k].T
    if solution.tur_ratio is not None:
        out["tur_ratio"][i] = np.broadcast_to(solution.tur_ratio, batch + (nb,)).reshape(n, nb).T
    if solution.counting_imbalance is not None:
        out["counting_imbalance"][i] = np.broadcast_to(solution.counting_imbalance, batch).reshape(
            n
        )


def _largest(populations: Mapping[str, FloatArray]) -> FloatArray | None:
    """The largest top-level population over the sites, per point (None without sites)."""
    if not populations:
        return None
    return np.asarray(np.max(np.broadcast_arrays(*populations.values()), axis=0))
