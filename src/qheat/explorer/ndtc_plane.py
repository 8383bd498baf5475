"""The explorer's NDTC map: over a plane of two parameters, where one equation's current peaks.

At each ``(x, y)`` of the plane the current of one bath along the swept axis is one curve; its
NDTC and interior maximum come from :func:`qheat.analysis.ndtc.ndtc_on_grid` (grid resolution,
the project's definition). The ``ny * nx * n`` points are solved in batches of
:func:`~qheat.explorer.budget.batch_points` (the memory budget), each one :func:`qheat.solve`.
Each curve also records how far it strays from weak coupling: the largest
``Solution.weak_coupling_ratio`` along it and whether some point of it breaks the second law
(docs/trust.md). Units: hbar = kB = 1.
"""

from __future__ import annotations

import time
import warnings
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from ..analysis.ndtc import ndtc_on_grid
from ..api import solve
from ..errors import InvalidParameterError
from ..steady.validity import WEAK_COUPLING_WARN
from .budget import DEFAULT_BUDGET, batch_points
from .curves import EQUATIONS, Axis
from .models import Model

__all__ = ["MAX_PLANE_POINTS", "NDTCPlane", "compute_plane"]

MAX_PLANE_POINTS = 400_000
"""Most solved points in one map (``nx * ny * n``), about 20 s on one core."""

FloatArray = NDArray[np.float64]


@dataclass(frozen=True)
class NDTCPlane:
    """NDTC of ``J_bath(axis)`` under ``equation`` over an ``x`` by ``y`` plane.

    ``ndtc``, ``peak`` (the axis value of the interior maximum, NaN if none), ``J_peak``,
    ``weak_coupling_ratio`` (the largest along the curve) and ``second_law_broken`` (some point
    of the curve sends heat from cold to hot) are ``(ny, nx)``.
    """

    x_name: str
    x: FloatArray
    y_name: str
    y: FloatArray
    axis: str
    equation: str
    bath: str
    ndtc: NDArray[np.bool_]
    peak: FloatArray
    J_peak: FloatArray
    weak_coupling_ratio: FloatArray
    second_law_broken: NDArray[np.bool_]
    seconds: float

    @property
    def outside(self) -> NDArray[np.bool_]:
        """Curves outside weak coupling somewhere: a ratio above
        :data:`~qheat.steady.validity.WEAK_COUPLING_WARN` or the second law broken."""
        return np.asarray((self.weak_coupling_ratio > WEAK_COUPLING_WARN) | self.second_law_broken)


def compute_plane(
    model: Model,
    params: dict[str, float],
    axis: Axis,
    x: Axis,
    y: Axis,
    equation: str = "br",
    bath: str | None = None,
    budget: int = DEFAULT_BUDGET // 2,
) -> NDTCPlane:
    """The NDTC map of ``model`` over ``x`` and ``y``, each point a curve along ``axis``,
    solved in batches within ``budget`` bytes.

    Raises:
        InvalidParameterError: the plane's parameters are not two distinct parameters other
            than the swept one, the plane is larger than :data:`MAX_PLANE_POINTS`, a
            parameter is refused by the model, or one point does not fit ``budget``.
    """
    started = time.perf_counter()
    names = {p.name for p in model.parameters}
    for option in (x, y):
        if option.name not in names:
            raise InvalidParameterError(
                f"map axis {option.name!r} is not a parameter; choose from "
                f"{', '.join(sorted(names))}"
            )
    if len({x.name, y.name, axis.name}) < 3:
        raise InvalidParameterError(
            f"the map needs two parameters other than the swept {axis.name!r} and each other, "
            f"got {x.name!r} and {y.name!r}"
        )
    if equation not in EQUATIONS:
        raise InvalidParameterError(f"unknown equation {equation!r}; valid: {', '.join(EQUATIONS)}")
    bias, xs, ys = axis.values(), x.values(), y.values()
    if bias.size * xs.size * ys.size > MAX_PLANE_POINTS:
        raise InvalidParameterError(
            f"the map has {xs.size} x {ys.size} x {bias.size} points; at most "
            f"{MAX_PLANE_POINTS} (fewer grid points or fewer points along {axis.name})"
        )
    bath_names = tuple(model.bath_names)
    which = bath_names[0] if bath is None else bath
    if which not in bath_names:
        raise InvalidParameterError(f"no bath named {which!r}; the baths are {list(bath_names)}")
    fixed = {k: v for k, v in params.items() if k not in (x.name, y.name, axis.name)}
    shape = (ys.size, xs.size, bias.size)
    grid = {
        y.name: np.broadcast_to(ys[:, None, None], shape).ravel(),
        x.name: np.broadcast_to(xs[None, :, None], shape).ravel(),
        axis.name: np.broadcast_to(bias[None, None, :], shape).ravel(),
    }
    total = grid[axis.name].size
    J, ratio, broken = np.empty(total), np.empty(total), np.empty(total, dtype=bool)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # a map spans regimes: the map shows where it leaves them
        probe = model.system(**fixed, **{k: v[:1] for k, v in grid.items()})
        batch = batch_points(probe.dim, len(probe.baths), (equation,), budget)
        for start in range(0, total, batch):
            part = slice(start, min(start + batch, total))
            sol = solve(
                model.system(**fixed, **{k: v[part] for k, v in grid.items()}),
                EQUATIONS[equation](),
            )
            J[part] = sol.currents[..., bath_names.index(which)]
            ratio[part] = np.nan if sol.weak_coupling_ratio is None else sol.weak_coupling_ratio
            broken[part] = False if sol.second_law_broken is None else sol.second_law_broken
            del sol  # before the next batch is solved
    result = ndtc_on_grid(bias, J.reshape(shape))
    return NDTCPlane(
        x_name=x.name,
        x=xs,
        y_name=y.name,
        y=ys,
        axis=axis.name,
        equation=equation,
        bath=which,
        ndtc=result.ndtc,
        peak=result.dT_peak,
        J_peak=result.J_peak,
        weak_coupling_ratio=np.fmax.reduce(ratio.reshape(shape), axis=-1),
        second_law_broken=np.asarray(broken.reshape(shape).any(axis=-1)),
        seconds=time.perf_counter() - started,
    )
