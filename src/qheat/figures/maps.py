"""NDTC maps: a colour map of the peak of J(p) over a parameter plane, NDTC boundary drawn.

Takes the Dataset of :func:`qheat.sweeps.ndtc_map.ndtc_map`; no physics here.
"""

from __future__ import annotations

import numpy as np
import xarray as xr
from matplotlib.figure import Figure

__all__ = ["ndtc_map_figure", "MAP_VARIABLES"]

MAP_VARIABLES = ("dT_peak", "J_peak")
"""Variables the map of the paper's model can colour by (a device's map: ``<parameter>_peak``)."""


def ndtc_map_figure(ds: xr.Dataset, variable: str = "dT_peak") -> Figure:
    """Colour map of ``variable`` over the plane, with the boundary of the NDTC region.

    Cells without an interior peak (NaN) are left blank; the black line is the 0.5 contour of
    the ``ndtc`` flag, i.e. the border between points with and without NDTC in the dT range.
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
    ax.set_title(f"{equation} NDTC (inside the black line): {share:.0f}% of the plane", fontsize=10)
    return fig


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
