"""One chunk of a sweep: build the batched system, solve every equation, collect diagnostics.

This is :func:`qheat.solve` on a batch (the only path from a system to its currents); the
chunk's warnings are collected as diagnostics and raised once per sweep by the caller.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from ..api import solve
from ..master import MasterEquation
from ..model import OpenSystem
from .builders import Builder
from .grid import Grid

__all__ = ["VARIABLES", "ChunkSpec", "ChunkTask", "evaluate_chunk", "evaluate_system"]

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
)
"""The diagnostics of :class:`~qheat.steady.Solution` a sweep records, ``(equation, n)`` each."""


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
    return evaluate_system(system, spec.equations, task.stop - task.start)


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
        }
        for name, values in diagnostics.items():
            if values is not None:
                out[name][i] = np.broadcast_to(values, system.batch_shape).reshape(n)
    return out
