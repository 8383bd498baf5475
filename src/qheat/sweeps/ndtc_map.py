"""NDTC phase maps: where the Bloch-Redfield current J1(dT) has negative differential
thermal conductance, over a plane of two parameters (paper Sec. IV, Figs. 4-6).

For every point of the plane the current from the hot bath, ``J1(dT)`` with ``T1 = T2 + dT``,
is computed on a bias grid; :func:`qheat.analysis.ndtc.ndtc_on_grid` decides NDTC and
:func:`qheat.analysis.ndtc.refine_peak` locates the current's interior maximum by a
golden-section search, all points at once, to a bracket narrower than ``rtol * dT_peak``.
Two plane parameters are aliases of two model parameters: ``gamma`` sets ``gamma1 = gamma2``
and ``eps`` sets ``eps1 = eps2`` (the symmetric case).
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping

import numpy as np
import xarray as xr
from numpy.typing import ArrayLike, NDArray
from tqdm import tqdm

from .._version import __version__
from ..analysis.ndtc import refine_peak
from ..api import solve
from ..errors import InvalidParameterError
from ..master import BlochRedfield
from .builders import CONVENTIONS, DEFAULTS, UNITS, paper_point
from .grid import make_grid

__all__ = ["ndtc_map", "ALIASES", "DEFAULT_RTOL"]

FloatArray = NDArray[np.float64]

ALIASES: dict[str, tuple[str, ...]] = {"gamma": ("gamma1", "gamma2"), "eps": ("eps1", "eps2")}
"""Plane parameters that set two model parameters at once."""
DEFAULT_RTOL = 1e-4
"""Default relative width of the final bracket around each peak."""
_PLANE = ("eps1", "eps2", "g", "gamma1", "gamma2", "omega_d", "t2", *ALIASES)


def ndtc_map(
    x: tuple[str, ArrayLike],
    y: tuple[str, ArrayLike],
    dt: ArrayLike,
    *,
    rtol: float = DEFAULT_RTOL,
    lamb_shift: bool = True,
    chunk_size: int = 4096,
    progress: bool | None = False,
    **fixed: float,
) -> xr.Dataset:
    """NDTC of the Bloch-Redfield current ``J1(dT)`` at every point of an ``x`` by ``y`` plane.

    Args:
        x: ``(name, values)`` of the first plane axis; names among ``eps1, eps2, g, gamma1,
            gamma2, omega_d, t2`` and the aliases ``gamma`` (both couplings) and ``eps``
            (both splittings).
        y: ``(name, values)`` of the second plane axis (a different parameter).
        dt: the bias grid ``dT = T1 - T2``, strictly increasing, at least 3 points.
        rtol: the peak is refined until its bracket is below ``rtol * dT_peak``.
        lamb_shift: keep ``S(w)`` (False: ``S = 0``).
        chunk_size: points solved together (at least one curve of ``len(dt)`` points);
            memory about 11 kB per point of a chunk, whatever the plane size.
        progress: progress bar over chunks of the plane.
        **fixed: the other model parameters (defaults of ``qheat current``).

    Returns:
        Dataset over ``(x, y)``: ``ndtc`` (bool), ``dT_peak``, ``J_peak``,
        ``negative_interval_start``, ``negative_interval_end`` (NaN where undefined).
    """
    (xname, xv), (yname, yv) = (x[0], np.asarray(x[1], dtype=float)), (y[0], np.asarray(y[1], dtype=float))
    for name, values in ((xname, xv), (yname, yv)):
        if name not in _PLANE:
            raise InvalidParameterError(f"plane axis must be one of {', '.join(_PLANE)}, got {name!r}")
        if values.ndim != 1 or values.size < 1:
            raise InvalidParameterError(f"values of plane axis {name} must be a non-empty 1-D array")
    if set(_expand(xname)) & set(_expand(yname)):
        raise InvalidParameterError(f"plane axes {xname} and {yname} set the same parameter")
    bias = np.asarray(dt, dtype=float)
    if bias.ndim != 1 or bias.size < 3 or not np.all(np.diff(bias) > 0):
        raise InvalidParameterError("dt must be a strictly increasing 1-D grid of at least 3 values")
    clash = set(fixed) & (set(_expand(xname)) | set(_expand(yname)) | {"t1", "dt"})
    if clash:
        raise InvalidParameterError(f"{sorted(clash)} are set by the plane or the bias grid; do not fix them")
    params: dict[str, ArrayLike] = {**DEFAULTS, **fixed}
    for name in _expand(xname):
        params[name] = xv
    for name in _expand(yname):
        params[name] = yv
    # the same range checks as a sweep (names the parameter and its allowed range)
    make_grid({**params, "dt": bias})
    plane = {k: np.broadcast_to(_axis(k, v, xname, yname), (xv.size, yv.size)).ravel() for k, v in params.items()}
    n = xv.size * yv.size
    curves = max(1, chunk_size // bias.size)  # plane points per chunk of the grid pass
    current = np.empty((n, bias.size))
    starts = range(0, n, curves)
    for start in tqdm(starts, desc="ndtc-map", unit="chunk", disable=not progress):
        stop = min(start + curves, n)
        chunk = {k: v[start:stop, None] for k, v in plane.items()}
        current[start:stop] = _br_current({**chunk, "dt": bias[None, :]}, lamb_shift)

    def at_bias(d_t: ArrayLike) -> FloatArray:
        flat = np.asarray(d_t, dtype=float).ravel()
        out = np.empty(n)
        for start in range(0, n, chunk_size):
            part = slice(start, start + chunk_size)
            values = {**{k: v[part] for k, v in plane.items()}, "dt": flat[part]}
            out[part] = _br_current(values, lamb_shift)
        return out

    result = refine_peak(at_bias, bias, current, rtol=rtol)
    shape = (xv.size, yv.size)
    dims = (xname, yname)

    def var(values: ArrayLike, long_name: str, units: str) -> xr.DataArray:
        return xr.DataArray(np.asarray(values).reshape(shape), dims=dims, attrs={"long_name": long_name, "units": units})

    return xr.Dataset(
        {
            "ndtc": var(result.ndtc, "dJ1/d(dT) < 0 somewhere in the dT range (Bloch-Redfield)", "1"),
            "dT_peak": var(result.dT_peak, f"dT of the interior maximum of J1, refined to rtol={rtol:g}; NaN: none", "energy (kB = 1)"),
            "J_peak": var(result.J_peak, "J1 at dT_peak (heat from bath 1 into the system)", "energy per time (hbar = 1)"),
            "negative_interval_start": var(result.negative_interval[..., 0], "start of the first dT interval of negative conductance (grid resolution)", "energy (kB = 1)"),
            "negative_interval_end": var(result.negative_interval[..., 1], "end of the first dT interval of negative conductance (grid resolution)", "energy (kB = 1)"),
        },
        coords={
            xname: xr.DataArray(xv, dims=(xname,), attrs={"long_name": _label(xname)}),
            yname: xr.DataArray(yv, dims=(yname,), attrs={"long_name": _label(yname)}),
            **{k: xr.DataArray(float(np.asarray(v)), attrs={"long_name": _label(k) + " (fixed)"})
               for k, v in params.items() if k not in _expand(xname) + _expand(yname)},
        },
        attrs={
            "title": "NDTC map of the Bloch-Redfield heat current J1(dT)",
            "conventions": CONVENTIONS,
            "dt_grid": f"{bias.size} values from {bias[0]:g} to {bias[-1]:g}",
            "rtol": rtol,
            "lamb_shift": "included (closed-form S(w), Eq. 15)" if lamb_shift else "S(w) = 0",
            "source": f"qheat {__version__}",
        },
    )


def _br_current(values: Mapping[str, ArrayLike], lamb_shift: bool) -> FloatArray:
    """``J1`` of Bloch-Redfield at the (broadcast) paper parameters, through :func:`qheat.solve`;
    its warnings are the map's diagnostics, not raised per chunk."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return np.asarray(solve(paper_point(**values), BlochRedfield(lamb_shift)).J1)


def _expand(name: str) -> tuple[str, ...]:
    return ALIASES.get(name, (name,))


def _axis(name: str, value: ArrayLike, xname: str, yname: str) -> FloatArray:
    """A parameter shaped to broadcast over the plane ``(nx, ny)``."""
    arr = np.asarray(value, dtype=float)
    if name in _expand(xname):
        return arr[:, None]
    if name in _expand(yname):
        return arr[None, :]
    return arr


def _label(name: str) -> str:
    if name in ALIASES:
        return " and ".join(UNITS[n] for n in ALIASES[name])
    return UNITS[name]


def fixed_values(values: Mapping[str, FloatArray]) -> dict[str, float]:
    """Scalars only (the parameters held fixed on a map); an array raises."""
    out = {}
    for name, value in values.items():
        if np.ndim(value) != 0:
            raise InvalidParameterError(f"{name} is fixed on an NDTC map: give one value, not a range")
        out[name] = float(value)
    return out
