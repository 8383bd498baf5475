"""One chunk of a sweep: build the batched system, solve every equation, collect diagnostics.

This is :func:`qheat.solve` on a batch (the only path from a system to its currents, and with
``cumulants=N`` to their cumulants); the chunk's warnings are collected as diagnostics and
raised once per sweep by the caller.
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
from ..steady import Solution
from .builders import Builder
from .dataset import cumulant_variables
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
    return evaluate_system(system, spec.equations, task.stop - task.start, spec.cumulants)


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
        {name: np.full((len(equations), nb, n), np.nan) for name in cumulant_variables(cumulants)}
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
        }
        for name, values in diagnostics.items():
            if values is not None:
                out[name][i] = np.broadcast_to(values, system.batch_shape).reshape(n)
    return out


def _store_cumulants(
    out: dict[str, FloatArray], i: int, solution: Solution, batch: tuple[int, ...], n: int
) -> None:
    """``Solution.cumulants`` ``(..., bath, N)`` and ``tur_ratio`` ``(..., bath)`` of equation
    ``i`` into the flat ``(equation, bath, n)`` columns."""
    assert solution.cumulants is not None
    nb, order = solution.cumulants.shape[-2:]
    flat = np.broadcast_to(solution.cumulants, batch + (nb, order)).reshape(n, nb, order)
    for k, name in enumerate(("c1", "noise", *(f"c{m}" for m in range(3, order + 1)))[:order]):
        out[name][i] = flat[..., k].T
    if solution.tur_ratio is not None:
        out["tur_ratio"][i] = np.broadcast_to(solution.tur_ratio, batch + (nb,)).reshape(n, nb).T
