"""NDTC phase maps: where a heat current has negative differential thermal conductance along
one parameter, over a plane of two others (paper Sec. IV, Figs. 4-6; any device).

For every point of the plane the current ``J(p)`` of one bath under one master equation is
computed on a grid of the parameter ``p`` swept (``along``; for the paper's model the bias
``dT = T1 - T2`` with the current of the hot bath 1 under Bloch-Redfield);
:func:`qheat.analysis.ndtc.ndtc_on_grid` decides NDTC and :func:`qheat.analysis.ndtc.refine_peak`
locates the current's interior maximum by a golden-section search, all points at once, to a
bracket narrower than ``rtol * p_peak``. Every current comes from :func:`qheat.solve`. For the
paper's model two plane parameters are aliases: ``gamma`` sets ``gamma1 = gamma2`` and ``eps``
sets ``eps1 = eps2`` (the symmetric case).

Every curve also records where it leaves the premises of its master equation (docs/trust.md):
the largest ``weak_coupling_ratio`` and ``secular_ratio`` along its grid and whether some grid
point breaks the second law; one :class:`~qheat.errors.WeakCouplingWarning` names the share of
the plane outside weak coupling.
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping
from typing import Any

import numpy as np
import xarray as xr
from numpy.typing import ArrayLike, NDArray
from tqdm import tqdm

from .._version import __version__
from ..analysis.ndtc import refine_peak
from ..api import solve
from ..errors import InvalidParameterError, WeakCouplingWarning
from ..master import MasterEquation
from ..steady import Solution
from ..steady.validity import WEAK_COUPLING_NOTICE, WEAK_COUPLING_WARN, weak_coupling_message
from .builders import PAPER_PARAMETERS, BuilderInfo, builder_info
from .evaluate import output_scales
from .grid import make_grid
from .run import equations_named

__all__ = ["ndtc_map", "ALIASES", "DEFAULT_RTOL", "MIN_RTOL", "peak_variable", "fixed_values"]

FloatArray = NDArray[np.float64]

ALIASES: dict[str, tuple[str, ...]] = {"gamma": ("gamma1", "gamma2"), "eps": ("eps1", "eps2")}
"""Plane parameters of the paper's model that set two model parameters at once."""
DEFAULT_RTOL = 1e-4
"""Default relative width of the final bracket around each peak."""
MIN_RTOL = 1e-6
"""Narrowest relative bracket a map may ask for. The currents carry a relative round-off of
about ``5e-14``; near its maximum ``J`` differs from ``J_peak`` by ``(dp/p)^2`` times a number
of order one, so within about ``4e-7 * p_peak`` of the peak the current is flat to round-off
(measured on the paper's Fig. 6 curve, docs/sweeps.md) and a golden-section search cannot
tell its points apart: a tighter ``rtol`` would be reported but not reached."""


def peak_variable(along: str) -> str:
    """Name of the map variable holding the peak position: ``dT_peak`` for the paper's bias."""
    return "dT_peak" if along == "dt" else f"{along}_peak"


def ndtc_map(
    x: tuple[str, ArrayLike],
    y: tuple[str, ArrayLike],
    dt: ArrayLike,
    *,
    build: Any = None,
    along: str = "dt",
    bath: str | None = None,
    equation: str | MasterEquation = "br",
    rtol: float = DEFAULT_RTOL,
    lamb_shift: bool = True,
    chunk_size: int = 4096,
    progress: bool | None = False,
    **fixed: float,
) -> xr.Dataset:
    """NDTC of ``J(along)`` of one bath at every point of an ``x`` by ``y`` plane.

    Args:
        x: ``(name, values)`` of the first plane axis (for the paper's model also the aliases
            ``gamma`` (both couplings) and ``eps`` (both splittings)).
        y: ``(name, values)`` of the second plane axis (a different parameter).
        dt: the grid of the parameter ``along``, strictly increasing, at least 3 points.
        build: the system: None for the paper's model, a device, or a builder callable
            (:func:`qheat.sweep`).
        along: the parameter swept on each curve (default ``dt``, the paper's bias).
        bath: the bath whose current is examined (default: the first).
        equation: the master equation (a name or an instance; default Bloch-Redfield).
        rtol: the peak is refined until its bracket is below ``rtol * p_peak``;
            ``MIN_RTOL <= rtol < 1`` (:data:`MIN_RTOL`).
        lamb_shift: for an equation given by name: keep ``S(w)`` (False: ``S = 0``).
        chunk_size: points solved together; memory about 11 kB per point of a chunk for the
            paper's model, ``16 d^4`` bytes and more for a device of dimension ``d``
            (``qheat ndtc-map`` sizes it by :func:`qheat.explorer.budget.batch_points`),
            whatever the plane size.
        progress: progress bar over chunks of the plane.
        **fixed: the other parameters (defaults: those of the builder).

    Returns:
        Dataset over ``(x, y)``: ``ndtc`` (bool), the peak position (``dT_peak`` for the
        paper's bias, ``<along>_peak`` otherwise), ``J_peak``, ``negative_interval_start``,
        ``negative_interval_end`` (NaN where undefined), and each curve's validity along its
        grid: ``weak_coupling_ratio`` (the largest), ``second_law_broken`` (1 where some
        point sends heat from cold to hot), ``secular_ratio`` (the largest; NaN for an
        equation without the secular approximation).

    Raises:
        InvalidParameterError: a bad plane, grid, bath, equation or ``rtol``.

    Warns:
        WeakCouplingWarning: some curves leave weak coupling (``weak_coupling_ratio`` above
            :data:`~qheat.steady.validity.WEAK_COUPLING_WARN`) or break the second law.
    """
    if not MIN_RTOL <= rtol < 1.0:
        raise InvalidParameterError(
            f"rtol must be in [{MIN_RTOL:g}, 1), got {rtol!r}: the current is flat to "
            "round-off within about 4e-7 of its peak, a narrower bracket cannot be reached"
        )
    info = builder_info(build)
    eq = equations_named([equation], lamb_shift)[0]
    aliases = ALIASES if info.names == PAPER_PARAMETERS else {}

    def _expand(name: str) -> tuple[str, ...]:
        return aliases.get(name, (name,))

    def _axis(name: str, value: ArrayLike) -> FloatArray:
        """A parameter shaped to broadcast over the plane ``(nx, ny)``."""
        arr = np.asarray(value, dtype=float)
        if name in _expand(xname):
            return arr[:, None]
        if name in _expand(yname):
            return arr[None, :]
        return arr

    names = set(info.names or ()) | set(aliases)
    (xname, xv), (yname, yv) = (
        (x[0], np.asarray(x[1], dtype=float)),
        (y[0], np.asarray(y[1], dtype=float)),
    )
    for name, values in ((xname, xv), (yname, yv)):
        if info.names is not None and name not in names:
            raise InvalidParameterError(
                f"plane axis must be one of {', '.join(sorted(names - {along}))}, got {name!r}"
            )
        if values.ndim != 1 or values.size < 1:
            raise InvalidParameterError(
                f"values of plane axis {name} must be a non-empty 1-D array"
            )
    if set(_expand(xname)) & set(_expand(yname)):
        raise InvalidParameterError(f"plane axes {xname} and {yname} set the same parameter")
    if along in (_expand(xname) + _expand(yname)):
        raise InvalidParameterError(f"{along} is swept along each curve; it cannot be a plane axis")
    bias = np.asarray(dt, dtype=float)
    if bias.ndim != 1 or bias.size < 3 or not np.all(np.diff(bias) > 0):
        raise InvalidParameterError(
            f"{along} must be a strictly increasing 1-D grid of at least 3 values"
        )
    exclusive = {"t1", "dt"} if along in ("t1", "dt") else {along}
    clash = set(fixed) & (set(_expand(xname)) | set(_expand(yname)) | exclusive)
    if clash:
        raise InvalidParameterError(
            f"{sorted(clash)} are set by the plane or the swept grid; do not fix them"
        )
    params: dict[str, ArrayLike] = {**info.defaults, **fixed}
    for name in _expand(xname):
        params[name] = xv
    for name in _expand(yname):
        params[name] = yv
    params.pop("t1" if along == "dt" else along, None)
    # the same range checks as a sweep (names the parameter and its allowed range)
    make_grid({**params, along: bias}, info=info)
    plane = {k: np.broadcast_to(_axis(k, v), (xv.size, yv.size)).ravel() for k, v in params.items()}
    n = xv.size * yv.size
    probe = info.build(**{k: v[:1] for k, v in plane.items()}, **{along: bias[:1]})
    bath_names = tuple(probe.bath_names or ())
    bath = bath_names[0] if bath is None else bath
    if bath not in bath_names:
        raise InvalidParameterError(f"bath must be one of {', '.join(bath_names)}, got {bath!r}")
    if (
        isinstance(chunk_size, bool)
        or not isinstance(chunk_size, (int, np.integer))
        or chunk_size < 1
    ):
        raise InvalidParameterError(f"chunk_size must be an integer >= 1, got {chunk_size!r}")
    total = n * bias.size  # the grid pass: every (plane point, grid value), chunk by chunk
    points = {k: np.repeat(v, bias.size) for k, v in plane.items()}
    points[along] = np.tile(bias, n)
    current: FloatArray = np.empty((n, bias.size))
    validity: dict[str, FloatArray] = {name: np.empty((n, bias.size)) for name in _VALIDITY}
    flat_current, flat = current.reshape(-1), {k: v.reshape(-1) for k, v in validity.items()}
    starts = range(0, total, chunk_size)
    for start in tqdm(starts, desc="ndtc-map", unit="chunk", disable=not progress):
        part = slice(start, min(start + chunk_size, total))
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # summarized for the whole map below
            sol = solve(info.build(**{k: v[part] for k, v in points.items()}), eq)
        flat_current[part] = sol.current(bath)  # views: current and validity filled
        for name, values in _validity(sol).items():
            flat[name][part] = values
        del sol  # before the next chunk is solved
    ratio = np.fmax.reduce(validity["weak_coupling_ratio"], axis=-1)
    broken_at = validity["second_law_broken"] > 0
    _warn_outside(eq.name, ratio, broken_at, validity["entropy_production"])

    def at_bias(p: ArrayLike) -> FloatArray:
        flat = np.asarray(p, dtype=float).ravel()
        out = np.empty(n)
        for start in range(0, n, chunk_size):
            part = slice(start, start + chunk_size)
            values = {**{k: v[part] for k, v in plane.items()}, along: flat[part]}
            out[part] = _current(info, eq, bath, values)
        return out

    result = refine_peak(at_bias, bias, current, rtol=rtol)
    shape = (xv.size, yv.size)
    dims = (xname, yname)
    unit = "energy (kB = 1)" if along == "dt" else "as the parameter"
    watts = output_scales(info.build).get("J")  # a device with [units]: J_peak in W
    label = "dT" if along == "dt" else along

    def var(values: ArrayLike, long_name: str, units: str) -> xr.DataArray:
        return xr.DataArray(
            np.asarray(values).reshape(shape),
            dims=dims,
            attrs={"long_name": long_name, "units": units},
        )

    return xr.Dataset(
        {
            "ndtc": var(
                result.ndtc,
                f"dJ/d{label} < 0 somewhere in the {label} range ({eq.name}, bath {bath})",
                "1",
            ),
            peak_variable(along): var(
                result.dT_peak,
                f"{label} of the interior maximum of J, refined to rtol={rtol:g}; NaN: none",
                unit,
            ),
            "J_peak": var(
                result.J_peak * watts if watts else result.J_peak,
                f"J at the peak (heat from bath {bath} into the system)",
                "W" if watts else "energy per time (hbar = 1)",
            ),
            "negative_interval_start": var(
                result.negative_interval[..., 0],
                f"start of the first {label} interval of negative conductance (grid resolution)",
                unit,
            ),
            "negative_interval_end": var(
                result.negative_interval[..., 1],
                f"end of the first {label} interval of negative conductance (grid resolution)",
                unit,
            ),
            "weak_coupling_ratio": var(
                ratio,
                f"largest weak-coupling ratio along the {label} grid (docs/trust.md; outside "
                f"weak coupling above {WEAK_COUPLING_WARN:g}, a notice above "
                f"{WEAK_COUPLING_NOTICE:g})",
                "1",
            ),
            "second_law_broken": var(
                broken_at.any(axis=-1).astype(np.float64),
                f"1 where heat flows from cold to hot at some point of the {label} grid",
                "1",
            ),
            "secular_ratio": var(
                np.fmax.reduce(validity["secular_ratio"], axis=-1),
                f"largest secular ratio along the {label} grid (outside the secular "
                "approximation above 1; NaN: not a secular equation)",
                "1",
            ),
        },
        coords={
            xname: xr.DataArray(xv, dims=(xname,), attrs={"long_name": _label(info, xname)}),
            yname: xr.DataArray(yv, dims=(yname,), attrs={"long_name": _label(info, yname)}),
            **{
                k: xr.DataArray(
                    float(np.asarray(v)), attrs={"long_name": _label(info, k) + " (fixed)"}
                )
                for k, v in params.items()
                if k not in _expand(xname) + _expand(yname)
            },
        },
        attrs={
            "title": f"NDTC map of the heat current J({label}) of bath {bath} ({eq.name})",
            "conventions": info.conventions,
            "along": along,
            "bath": bath,
            "equation": eq.name,
            "grid": f"{bias.size} values of {along} from {bias[0]:g} to {bias[-1]:g}",
            "rtol": rtol,
            "weak_coupling_warn": WEAK_COUPLING_WARN,
            "lamb_shift": "on" if getattr(eq, "lamb_shift", True) else "S(w) = 0",
            "builder": info.identity,
            "source": f"qheat {__version__}",
        },
    )


_VALIDITY = ("weak_coupling_ratio", "second_law_broken", "entropy_production", "secular_ratio")
"""Per-point diagnostics of a solution that the map reduces along each curve."""


def _validity(sol: Solution) -> dict[str, Any]:
    """The diagnostics of :data:`_VALIDITY` of a chunk's solution (NaN: not computed)."""
    values = {
        "weak_coupling_ratio": sol.weak_coupling_ratio,
        "second_law_broken": sol.second_law_broken,
        "entropy_production": sol.entropy_production,
        "secular_ratio": sol.secular_ratio,
    }
    return {k: np.nan if v is None else np.asarray(v, dtype=np.float64) for k, v in values.items()}


def _warn_outside(
    name: str, ratio: FloatArray, broken_at: NDArray[np.bool_], sigma: FloatArray
) -> None:
    """One WeakCouplingWarning for the map: its points whose curve leaves weak coupling."""
    strong = ratio > WEAK_COUPLING_WARN
    broken = broken_at.any(axis=-1)
    if not (strong.any() or broken.any()):
        return
    lowest = float(np.min(sigma[broken_at])) if broken.any() else 0.0
    message = weak_coupling_message(
        f"{name} NDTC map",
        ratio.size,
        int(np.count_nonzero(strong)),
        float(np.nanmax(ratio)) if strong.any() else 0.0,
        int(np.count_nonzero(broken)),
        lowest,
    )
    warnings.warn(message, WeakCouplingWarning, stacklevel=3)


def _current(
    info: BuilderInfo, eq: MasterEquation, bath: str, values: Mapping[str, ArrayLike]
) -> FloatArray:
    """``J`` of ``bath`` at the (broadcast) parameters, through :func:`qheat.solve`; its
    warnings are the map's diagnostics, not raised per chunk."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return np.asarray(solve(info.build(**values), eq).current(bath))


def _label(info: BuilderInfo, name: str) -> str:
    if name in ALIASES and info.names == PAPER_PARAMETERS:
        return " and ".join(info.units.get(n, n) for n in ALIASES[name])
    return info.units.get(name, name)


def fixed_values(values: Mapping[str, FloatArray]) -> dict[str, float]:
    """Scalars only (the parameters held fixed on a map); an array raises."""
    out = {}
    for name, value in values.items():
        if np.ndim(value) != 0:
            raise InvalidParameterError(
                f"{name} is fixed on an NDTC map: give one value, not a range"
            )
        out[name] = float(value)
    return out
