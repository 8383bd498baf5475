"""One chunk of a sweep: build the batched system, solve every equation, collect diagnostics.

This is :func:`qheat.solve` on a batch (the only path from a system to its currents); the
chunk's warnings are collected as diagnostics and raised once per sweep by the caller. A
device with ``[units]`` has its currents and entropy production recorded in W and W/K
(:func:`output_scales`).
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
from ..steady.truncation import top_level_populations
from ..units import Units
from .builders import Builder
from .grid import Grid

__all__ = [
    "VARIABLES",
    "ChunkSpec",
    "ChunkTask",
    "builder_units",
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
    """What every chunk of a sweep shares: the grid, the builder and the equations (sent to
    each worker once)."""

    grid: Grid
    build: Builder
    equations: tuple[MasterEquation, ...]


@dataclass(frozen=True)
class ChunkTask:
    """One chunk: its number and its flat point range ``start <= i < stop``."""

    number: int
    start: int
    stop: int

    def __str__(self) -> str:
        return f"chunk {self.number} (points {self.start} to {self.stop - 1})"


def evaluate_chunk(spec: ChunkSpec, task: ChunkTask) -> dict[str, FloatArray]:
    """The flat result arrays of one chunk: ``J`` ``(equation, bath, n)`` and each of
    :data:`VARIABLES` ``(equation, n)``."""
    system = spec.build(**spec.grid.points(task.start, task.stop))
    out = evaluate_system(system, spec.equations, task.stop - task.start)
    for name, scale in output_scales(spec.build).items():
        out[name] *= scale
    return out


def builder_units(build: Any) -> Units | None:
    """The lab units of a builder: those of the device whose ``system`` it is (None: natural
    units, no conversion)."""
    units = getattr(getattr(build, "__self__", None), "units", None)
    return units if isinstance(units, Units) else None


def output_scales(build: Any) -> dict[str, float]:
    """What a sweep multiplies its results by: ``J`` to W and ``entropy_production`` to W/K
    for a device with ``[units]`` (:mod:`qheat.units`); nothing otherwise."""
    units = builder_units(build)
    if units is None:
        return {}
    return {
        "J": units.output_scale("current"),
        "entropy_production": units.output_scale("entropy_production"),
    }


def evaluate_system(
    system: OpenSystem, equations: tuple[MasterEquation, ...], n: int | None = None
) -> dict[str, FloatArray]:
    """:func:`qheat.solve` of ``system`` under each equation, flattened to ``n`` points.

    Warnings are silenced here (their diagnostics are returned); errors propagate.
    """
    n = math.prod(system.batch_shape) if n is None else n
    out = {"J": np.empty((len(equations), system.n_baths, n))}
    out.update({name: np.full((len(equations), n), np.nan) for name in VARIABLES})
    for i, equation in enumerate(equations):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            solution = solve(system, equation)
        currents = np.broadcast_to(solution.currents, system.batch_shape + (system.n_baths,))
        out["J"][i] = currents.reshape(n, system.n_baths).T
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


def _largest(populations: Mapping[str, FloatArray]) -> FloatArray | None:
    """The largest top-level population over the sites, per point (None without sites)."""
    if not populations:
        return None
    return np.asarray(np.max(np.broadcast_arrays(*populations.values()), axis=0))
