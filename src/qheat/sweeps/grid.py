"""Named parameter grids of the paper's model, cut into chunks of flat points.

A :class:`Grid` holds fixed values and swept axes. Axes form a cartesian product (one
dimension per axis, in the order given) or, with ``zipped=True``, are read side by side along
one dimension named ``point``. Points are numbered in C order over the dimensions; chunk ``k``
holds points ``[k * chunk_size, (k + 1) * chunk_size)``.
"""

from __future__ import annotations

import hashlib
import json
import math
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray

from .._checks import real_array
from ..errors import InvalidParameterError
from .engine import PARAMETERS

__all__ = ["Grid", "DEFAULTS", "LIMITS", "UNITS", "ZIP_DIM", "make_grid", "checked_values"]

FloatArray = NDArray[np.float64]

DEFAULTS: dict[str, float] = {
    "eps1": 5.0, "eps2": 4.0, "g": 0.5, "gamma1": 0.01, "gamma2": 0.01, "omega_d": 50.0, "t2": 5.0,
}
"""Values of the parameters a sweep does not name (those of ``qheat current``); ``dt = 0``."""
LIMITS: dict[str, tuple[float | None, bool]] = {
    "eps1": (0.0, True), "eps2": (0.0, True), "g": (None, False), "gamma1": (0.0, False),
    "gamma2": (0.0, False), "omega_d": (0.0, True), "t1": (0.0, False), "t2": (0.0, False),
    "dt": (None, False),
}
"""``(lower bound, strict)`` of each parameter; None: any real value."""
UNITS: dict[str, str] = {
    "eps1": "level splitting e1 of atom 1 (Eq. 1); energy units, hbar = kB = 1",
    "eps2": "level splitting e2 of atom 2 (Eq. 1); energy units",
    "g": "qubit-qubit coupling g (Eq. 1); energy units",
    "gamma1": "coupling of bath 1, lambda_1^2 absorbed (Eq. 17); dimensionless",
    "gamma2": "coupling of bath 2, lambda_2^2 absorbed (Eq. 17); dimensionless",
    "omega_d": "Drude cutoff frequency wD of both baths (Eq. 17); energy units",
    "t1": "temperature T1 of bath 1; energy units (kB = 1)",
    "t2": "temperature T2 of bath 2; energy units (kB = 1)",
    "dt": "temperature difference dT = T1 - T2; energy units (kB = 1)",
}
ZIP_DIM = "point"
"""The one dimension of a zipped grid."""


@dataclass(frozen=True)
class Grid:
    """Fixed values and swept axes of the paper's model.

    Attributes:
        fixed: parameter -> value for the parameters held fixed.
        axes: ``(name, values)`` for each swept parameter, values 1-D.
        zipped: axes read side by side along one dimension (equal lengths) instead of a
            cartesian product.
    """

    fixed: tuple[tuple[str, float], ...]
    axes: tuple[tuple[str, FloatArray], ...]
    zipped: bool = False

    @property
    def dims(self) -> tuple[str, ...]:
        """Dimension names of the result."""
        if self.zipped:
            return (ZIP_DIM,) if self.axes else ()
        return tuple(name for name, _ in self.axes)

    @property
    def shape(self) -> tuple[int, ...]:
        """Shape of the result (one entry per dimension)."""
        if self.zipped:
            return (self.axes[0][1].size,) if self.axes else ()
        return tuple(values.size for _, values in self.axes)

    @property
    def size(self) -> int:
        """Number of points."""
        return math.prod(self.shape)

    def n_chunks(self, chunk_size: int) -> int:
        """Number of chunks of at most ``chunk_size`` points."""
        return max(1, -(-self.size // chunk_size))

    def points(self, start: int, stop: int) -> dict[str, FloatArray]:
        """Every parameter at the flat points ``start <= i < stop``, ``(stop - start,)`` each."""
        flat = np.arange(start, stop)
        out = {name: np.full(flat.size, value) for name, value in self.fixed}
        if self.zipped:
            out.update({name: values[flat] for name, values in self.axes})
            return out
        if self.axes:  # a grid of fixed values only is a single point
            for (name, values), index in zip(self.axes, np.unravel_index(flat, self.shape)):
                out[name] = values[index]
        return out

    def bias(self) -> FloatArray:
        """``T1 - T2`` at every point, in flat order, ``(size,)``."""
        p = self.points(0, self.size)
        return p["dt"] if "dt" in p else p["t1"] - p["t2"]

    def fingerprint(self) -> str:
        """A hash of the grid, to recognise the same sweep when resuming."""
        text = json.dumps(
            {
                "fixed": [[n, float(v)] for n, v in self.fixed],
                "axes": [[n, [float(x) for x in v]] for n, v in self.axes],
                "zipped": self.zipped,
            }
        )
        return hashlib.sha256(text.encode()).hexdigest()


def make_grid(params: Mapping[str, ArrayLike], zipped: bool = False) -> Grid:
    """A :class:`Grid` from parameter values: scalars are fixed, 1-D arrays are axes.

    Unnamed parameters take :data:`DEFAULTS` (and ``dt = 0`` unless ``t1`` is given).

    Raises:
        InvalidParameterError: an unknown name, ``t1`` with ``dt``, a value out of its range
            (naming the parameter and the range), an axis that is not 1-D or is empty, zipped
            axes of different lengths, or a repeated value along an axis.
    """
    unknown = sorted(set(params) - set(PARAMETERS))
    if unknown:
        raise InvalidParameterError(
            f"unknown sweep parameter(s) {unknown}; allowed: {', '.join(PARAMETERS)}"
        )
    if "t1" in params and "dt" in params:
        raise InvalidParameterError("give t1 or dt (= T1 - T2), not both")
    values = {name: checked_values(name, params[name]) for name in params}
    for name, default in DEFAULTS.items():
        values.setdefault(name, np.asarray(default))
    if "t1" not in values:
        values.setdefault("dt", np.asarray(0.0))
    fixed = tuple((n, float(v)) for n, v in values.items() if v.ndim == 0)
    axes = tuple((n, v) for n, v in values.items() if v.ndim == 1)
    if zipped and len({v.size for _, v in axes}) > 1:
        raise InvalidParameterError(
            "zipped axes must have equal lengths, got "
            + ", ".join(f"{n}: {v.size}" for n, v in axes)
        )
    grid = Grid(fixed=fixed, axes=axes, zipped=zipped)
    t2 = _extremes(grid, "t2")
    dt = _extremes(grid, "dt") if "dt" in values else None
    if dt is not None and t2[0] + dt[0] < 0:
        raise InvalidParameterError(
            f"T1 = T2 + dt must be >= 0; the grid reaches T2 + dt = {t2[0] + dt[0]:g}"
        )
    gammas = [_extremes(grid, "gamma1"), _extremes(grid, "gamma2")]
    if all(g[0] == 0 for g in gammas) and not grid.zipped:
        raise InvalidParameterError(
            "gamma1 and gamma2 are both 0 somewhere on the grid: no bath couples there and no "
            "unique steady state exists; give one of them values > 0"
        )
    return grid


def checked_values(name: str, value: ArrayLike) -> FloatArray:
    """One parameter's value (0-d) or axis (1-D) after checking it is finite and in range.

    Raises:
        InvalidParameterError: naming the parameter and its allowed range.
    """
    arr = np.asarray(value, dtype=float) if not isinstance(value, np.ndarray) else value
    if arr.ndim > 1:
        raise InvalidParameterError(f"{name} must be a number or a 1-D array, got shape {arr.shape}")
    if arr.ndim == 1 and arr.size == 0:
        raise InvalidParameterError(f"{name} must not be empty")
    lower, strict = LIMITS[name]
    checked = real_array(
        name,
        arr,
        minimum=None if strict else lower,
        strictly_positive=strict,
    )
    if checked.ndim == 1 and np.unique(checked).size != checked.size:
        raise InvalidParameterError(f"{name} repeats a value; axis values must be distinct")
    return checked


def _extremes(grid: Grid, name: str) -> tuple[float, float]:
    for n, value in grid.fixed:
        if n == name:
            return value, value
    for n, values in grid.axes:
        if n == name:
            return float(values.min()), float(values.max())
    raise KeyError(name)
