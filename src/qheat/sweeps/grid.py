"""Named parameter grids, cut into chunks of flat points.

A :class:`Grid` holds fixed values and swept axes. Axes form a cartesian product (one
dimension per axis, in the order given) or, with ``zipped=True``, are read side by side along
one dimension named ``point``. Points are numbered in C order over the dimensions; chunk ``k``
holds points ``[k * chunk_size, (k + 1) * chunk_size)``.

An axis is a 1-D array or a :class:`LinearAxis` (``start:stop:num`` of the command line),
whose values are computed only where they are needed: a grid of 10^10 points is planned
without an array of its size, and its fingerprint is a hash of three numbers.
"""

from __future__ import annotations

import hashlib
import json
import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from .._checks import real_array
from ..errors import InvalidParameterError
from .builders import LIMITS, PAPER_PARAMETERS, BuilderInfo, builder_info

__all__ = ["Axis", "Grid", "LinearAxis", "ZIP_DIM", "make_grid", "checked_values"]

FloatArray = NDArray[np.float64]


@dataclass(frozen=True)
class LinearAxis:
    """``num`` evenly spaced values from ``start`` to ``stop``, both included, computed on
    demand: value ``i`` is ``i * step + start`` with ``step = (stop - start) / (num - 1)``
    and the last one ``stop``, bit for bit the values of ``numpy.linspace(start, stop, num)``.
    """

    start: float
    stop: float
    num: int

    ndim = 1

    @property
    def size(self) -> int:
        """Number of values."""
        return self.num

    @property
    def shape(self) -> tuple[int]:
        return (self.num,)

    def __len__(self) -> int:
        return self.num

    def __getitem__(self, index: slice | NDArray[np.integer] | int) -> FloatArray:
        """The values at ``index`` (a slice or integer indices), as an array."""
        if isinstance(index, slice):
            flat = np.arange(*index.indices(self.num))
        else:
            flat = np.asarray(index)
            flat = np.where(flat < 0, flat + self.num, flat)
        if self.num == 1:
            return np.full(flat.shape, float(self.start))
        step = (self.stop - self.start) / (self.num - 1)
        values = flat.astype(np.float64) * step + self.start
        return np.where(flat == self.num - 1, float(self.stop), values)

    def __array__(self, dtype: Any = None, copy: bool | None = None) -> FloatArray:
        values = np.linspace(self.start, self.stop, self.num)
        return values if dtype is None else values.astype(dtype)

    def min(self) -> float:
        return float(min(self.start, self.stop))

    def max(self) -> float:
        return float(max(self.start, self.stop))


Axis = FloatArray | LinearAxis
"""The values of one swept parameter."""

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
    axes: tuple[tuple[str, Axis], ...]
    zipped: bool = False

    @property
    def names(self) -> tuple[str, ...]:
        """Every parameter, fixed ones first."""
        return tuple(n for n, _ in self.fixed) + tuple(n for n, _ in self.axes)

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

    def points(self, start: int, stop: int) -> dict[str, FloatArray | float]:
        """Every parameter at the flat points ``start <= i < stop``: each axis ``(stop - start,)``,
        each fixed value a float (it broadcasts)."""
        flat = np.arange(start, stop)
        out: dict[str, FloatArray | float] = {name: value for name, value in self.fixed}
        if self.zipped:
            out.update({name: values[flat] for name, values in self.axes})
            return out
        if self.axes:  # a grid of fixed values only is a single point
            for (name, values), index in zip(self.axes, np.unravel_index(flat, self.shape)):
                out[name] = values[index]
        return out

    def fingerprint(self) -> str:
        """A hash of the grid, to recognise the same sweep when resuming.

        Exact (values as hexadecimal floats); an axis of evenly spaced values hashes as its
        ``(start, stop, num)`` whether it is a :class:`LinearAxis` or the array of
        ``numpy.linspace``, any other axis as the hash of its bytes.
        """
        text = json.dumps(
            {
                "fixed": [[n, float(v).hex()] for n, v in self.fixed],
                "axes": [[n, _axis_digest(v)] for n, v in self.axes],
                "zipped": self.zipped,
            }
        )
        return hashlib.sha256(text.encode()).hexdigest()


def _axis_digest(values: Axis) -> list[Any]:
    if isinstance(values, LinearAxis):
        return ["linspace", float(values.start).hex(), float(values.stop).hex(), values.num]
    arr = np.ascontiguousarray(values, dtype=np.float64)
    if arr.size > 1 and np.array_equal(arr, np.linspace(arr[0], arr[-1], arr.size)):
        return ["linspace", float(arr[0]).hex(), float(arr[-1]).hex(), int(arr.size)]
    return ["values", int(arr.size), hashlib.sha256(arr.tobytes()).hexdigest()]


def make_grid(
    params: Mapping[str, ArrayLike | LinearAxis],
    zipped: bool = False,
    info: BuilderInfo | None = None,
) -> Grid:
    """A :class:`Grid` from parameter values: scalars are fixed, 1-D arrays are axes.

    ``info`` (default: the paper's model) names the parameters the builder takes, their
    defaults (recorded as fixed values) and their ranges. For the paper's model, ``dt = 0``
    unless ``t1`` is given.

    Raises:
        InvalidParameterError: an unknown name, a value out of its range (naming the
            parameter and the range), an axis that is not 1-D or is empty, zipped axes of
            different lengths, or a repeated value along an axis.
    """
    info = builder_info(None) if info is None else info
    if info.names is not None:
        unknown = sorted(set(params) - set(info.names))
        if unknown:
            raise InvalidParameterError(
                f"unknown sweep parameter(s) {unknown}; allowed: {', '.join(info.names)}"
            )
    values = {
        name: checked_values(name, params[name], info.limits.get(name, (None, False)))
        for name in params
    }
    for name, default in info.defaults.items():
        values.setdefault(name, np.asarray(default))
    paper = info.names == PAPER_PARAMETERS
    if paper:
        if "t1" in values and "dt" in values:
            raise InvalidParameterError("give t1 or dt (= T1 - T2), not both")
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
    if paper:
        _check_paper_grid(grid)
    return grid


def _check_paper_grid(grid: Grid) -> None:
    """The paper's cross-parameter conditions over the whole grid, before any work."""
    names = grid.names
    t2 = _extremes(grid, "t2")
    if "dt" in names:
        dt = _extremes(grid, "dt")
        if t2[0] + dt[0] < 0:
            raise InvalidParameterError(
                f"T1 = T2 + dt must be >= 0; the grid reaches T2 + dt = {t2[0] + dt[0]:g}"
            )
    gammas = [_extremes(grid, "gamma1"), _extremes(grid, "gamma2")]
    if all(g[0] == 0 for g in gammas) and not grid.zipped:
        raise InvalidParameterError(
            "gamma1 and gamma2 are both 0 somewhere on the grid: no bath couples there and no "
            "unique steady state exists; give one of them values > 0"
        )


def checked_values(
    name: str, value: ArrayLike | LinearAxis, limit: tuple[float | None, bool] | None = None
) -> Any:
    """One parameter's value (0-d array) or axis (1-D array or :class:`LinearAxis`) after
    checking it is finite, in range and free of repeated values.

    ``limit`` is ``(lower bound, strict)`` (default: the paper's :data:`LIMITS` for its
    names, any finite value otherwise).

    Raises:
        InvalidParameterError: naming the parameter and its allowed range.
    """
    lower, strict = limit if limit is not None else LIMITS.get(name, (None, False))
    if isinstance(value, LinearAxis):
        return _checked_linear(name, value, lower, strict)
    arr = np.asarray(value, dtype=float) if not isinstance(value, np.ndarray) else value
    if arr.ndim > 1:
        raise InvalidParameterError(
            f"{name} must be a number or a 1-D array, got shape {arr.shape}"
        )
    if arr.ndim == 1 and arr.size == 0:
        raise InvalidParameterError(f"{name} must not be empty")
    checked = real_array(
        name,
        arr,
        minimum=None if strict else lower,
        strictly_positive=strict,
    )
    if checked.ndim == 1 and np.unique(checked).size != checked.size:
        raise InvalidParameterError(f"{name} repeats a value; axis values must be distinct")
    return checked


def _checked_linear(name: str, axis: LinearAxis, lower: float | None, strict: bool) -> LinearAxis:
    """The checks of :func:`checked_values` on the end points (the extremes of the axis)."""
    if axis.num < 1:
        raise InvalidParameterError(f"{name} must not be empty")
    real_array(
        name,
        np.array([axis.start, axis.stop]),
        minimum=None if strict else lower,
        strictly_positive=strict,
    )
    if axis.num > 1:
        step = abs(axis.stop - axis.start) / (axis.num - 1)
        if not step > 2 * np.spacing(max(abs(axis.start), abs(axis.stop))):
            raise InvalidParameterError(
                f"{name} repeats a value: {axis.num} values from {axis.start:g} to "
                f"{axis.stop:g} are closer than floating point can tell apart; axis values "
                "must be distinct"
            )
    return LinearAxis(float(axis.start), float(axis.stop), int(axis.num))


def _extremes(grid: Grid, name: str) -> tuple[float, float]:
    for n, value in grid.fixed:
        if n == name:
            return value, value
    for n, values in grid.axes:
        if n == name:
            return float(values.min()), float(values.max())
    raise KeyError(name)
