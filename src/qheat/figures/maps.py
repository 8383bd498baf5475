"""NDTC maps: a colour map of the peak of J(p) over a parameter plane, NDTC boundary drawn,
the region outside weak coupling hatched.

Takes the Dataset of :func:`qheat.sweeps.ndtc_map.ndtc_map`; no physics here.
"""

from __future__ import annotations

import numpy as np
import xarray as xr
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from ..steady.validity import WEAK_COUPLING_WARN

__all__ = ["ndtc_map_figure", "MAP_VARIABLES"]

MAP_VARIABLES = ("dT_peak", "J_peak")
"""Variables the map of the paper's model can colour by (a device's map: ``<parameter>_peak``)."""


def ndtc_map_figure(ds: xr.Dataset, variable: str = "dT_peak") -> Figure:
    """Colour map of ``variable`` over the plane, with the boundary of the NDTC region.

    Cells without an interior peak (NaN) are left blank; the black line is the 0.5 contour of
    the ``ndtc`` flag, i.e. the border between points with and without NDTC in the dT range.
    Cells whose curve leaves weak coupling (the Dataset's ``weak_coupling_ratio`` above
    :data:`~qheat.steady.validity.WEAK_COUPLING_WARN`) are hatched ``//``, those where it
    breaks the second law (``second_law_broken``) ``xx``: their currents are not physics
    (docs/trust.md). The title gives the share of each.
    """
    allowed = [v for v in ds.data_vars if str(v).endswith("_peak")]
    if variable not in allowed:
        raise ValueError(f"variable must be one of {allowed}, got {variable!r}")
    xdim, ydim = (str(d) for d in ds[variable].dims)
    x, y = np.asarray(ds[xdim]), np.asarray(ds[ydim])
    values = np.asarray(ds[variable]).T  # rows follow y
    ndtc = np.asarray(ds["ndtc"], dtype=float).T
    fig = Figure(figsize=(6.0, 4.6), layout="constrained")
    ax = fig.add_subplot()
    mesh = ax.pcolormesh(x, y, np.ma.masked_invalid(values), shading="nearest", cmap="viridis")
    along = str(ds.attrs.get("along", "dt"))
    bath = str(ds.attrs.get("bath", "1"))
    label = (
        rf"peak current $J_{{{bath}}}$"
        if variable == "J_peak"
        else r"$\Delta T$ of the current peak"
        if along == "dt"
        else f"{along} of the current peak"
    )
    fig.colorbar(mesh, ax=ax, label=label)
    if x.size > 1 and y.size > 1 and 0 < ndtc.sum() < ndtc.size:
        ax.contour(x, y, ndtc, levels=[0.5], colors="black", linewidths=1.5)
    ax.set_xlabel(_axis_label(ds, xdim))
    ax.set_ylabel(_axis_label(ds, ydim))
    share = 100.0 * float(np.mean(ndtc))
    equation = {"br": "Bloch-Redfield", "lindblad": "global Lindblad"}.get(
        str(ds.attrs.get("equation", "br")), str(ds.attrs.get("equation"))
    )
    title = f"{equation} NDTC (inside the black line): {share:.0f}% of the plane"
    outside = _hatch_outside(ax, ds, x, y)
    if outside:
        title += "\n" + outside
    ax.set_title(title, fontsize=10)
    return fig


def _hatch_outside(ax: Axes, ds: xr.Dataset, x: np.ndarray, y: np.ndarray) -> str:
    """Hatch the cells outside weak coupling (``//``: ratio, ``xx``: the second law); the
    title's line about them ("" when every cell is inside or the Dataset predates them)."""
    if "weak_coupling_ratio" not in ds or "second_law_broken" not in ds:
        return ""
    strong = np.asarray(ds["weak_coupling_ratio"]).T > WEAK_COUPLING_WARN
    broken = np.asarray(ds["second_law_broken"]).T > 0
    parts = []
    for mask, hatch, what in (
        (strong & ~broken, "//", f"weak-coupling ratio > {WEAK_COUPLING_WARN:g}"),
        (broken, "xx", "heat from cold to hot"),
    ):
        if mask.any():
            ax.pcolor(
                *_edges(x, y),
                np.ma.masked_where(~mask, np.ones(mask.shape)),
                hatch=hatch,
                facecolor="none",
                edgecolor="white",
                linewidth=0.0,
            )
            parts.append(f"{hatch} {what}: {100.0 * float(np.mean(mask)):.0f}%")
    return "outside weak coupling (not physics), " + "; ".join(parts) if parts else ""


def _edges(x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Cell edges halfway between grid points (a single point: a unit-wide cell)."""

    def edges(v: np.ndarray) -> np.ndarray:
        if v.size == 1:
            return np.array([v[0] - 0.5, v[0] + 0.5])
        mid = (v[1:] + v[:-1]) / 2.0
        return np.concatenate([[2 * v[0] - mid[0]], mid, [2 * v[-1] - mid[-1]]])

    return edges(np.asarray(x, dtype=float)), edges(np.asarray(y, dtype=float))


def _axis_label(ds: xr.Dataset, dim: str) -> str:
    names = {
        "g": "$g$",
        "gamma": r"$\gamma_1 = \gamma_2$",
        "eps": r"$\epsilon_1 = \epsilon_2$",
        "gamma1": r"$\gamma_1$",
        "gamma2": r"$\gamma_2$",
        "eps1": r"$\epsilon_1$",
        "eps2": r"$\epsilon_2$",
        "omega_d": r"$\omega_D$",
        "t2": "$T_2$",
    }
    return names.get(dim, dim)
