"""The explorer's NDTC map: over a plane of two parameters, where one equation's current peaks.

At each ``(x, y)`` of the plane the current of one bath along the swept axis is one curve; its
NDTC and interior maximum come from :func:`qheat.analysis.ndtc.ndtc_on_grid` (grid resolution,
the project's definition). Each row of the plane is one batched :func:`qheat.solve`
(``nx * n`` points), so memory stays small. Units: hbar = kB = 1.
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
from .curves import EQUATIONS, Axis
from .models import Model

__all__ = ["MAX_PLANE_POINTS", "NDTCPlane", "compute_plane"]

MAX_PLANE_POINTS = 400_000
"""Most solved points in one map (``nx * ny * n``), about 20 s on one core."""

FloatArray = NDArray[np.float64]


@dataclass(frozen=True)
class NDTCPlane:
    """NDTC of ``J_bath(axis)`` under ``equation`` over an ``x`` by ``y`` plane.

    ``ndtc``, ``peak`` (the axis value of the interior maximum, NaN if none) and ``J_peak``
    are ``(ny, nx)``.
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
    seconds: float


def compute_plane(
    model: Model,
    params: dict[str, float],
    axis: Axis,
    x: Axis,
    y: Axis,
    equation: str = "br",
    bath: str | None = None,
) -> NDTCPlane:
    """The NDTC map of ``model`` over ``x`` and ``y``, each point a curve along ``axis``.

    Raises:
        InvalidParameterError: the plane's parameters are not two distinct parameters other
            than the swept one, the plane is larger than :data:`MAX_PLANE_POINTS`, or a
            parameter is refused by the model.
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
    rows = []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # a map spans regimes; the curves panel shows warnings
        for y_value in ys:
            system = model.system(
                **fixed, **{x.name: xs[:, None], y.name: y_value, axis.name: bias[None, :]}
            )
            J = solve(system, EQUATIONS[equation]()).currents[..., bath_names.index(which)]
            rows.append(ndtc_on_grid(bias, J))
    return NDTCPlane(
        x_name=x.name,
        x=xs,
        y_name=y.name,
        y=ys,
        axis=axis.name,
        equation=equation,
        bath=which,
        ndtc=np.stack([r.ndtc for r in rows]),
        peak=np.stack([r.dT_peak for r in rows]),
        J_peak=np.stack([r.J_peak for r in rows]),
        seconds=time.perf_counter() - started,
    )
