"""Figure of a comparison Dataset (:func:`qheat.compare.compare_currents`); no physics here.

Top panel: ``J1(dT)`` of every master equation (lines, fine grid) and of HEOM (black dots;
open circles where HEOM did not converge). Bottom panel: relative error against HEOM
(symmetric-log scale, linear within +-10%). Curves far above HEOM are cut at 1.5x its maximum
and marked "off scale" in the legend.
"""

from __future__ import annotations

import numpy as np
import xarray as xr
from matplotlib.figure import Figure

__all__ = ["compare_figure"]

COLORS = {
    "br": "tab:red",
    "lindblad": "tab:blue",
    "local": "tab:green",
    "ule": "tab:purple",
}


def compare_figure(ds: xr.Dataset, title: str | None = None) -> Figure:
    """Two stacked panels: currents against bias, and each equation's relative error vs HEOM."""
    fig = Figure(figsize=(6.4, 6.4), layout="constrained")
    top, bottom = fig.subplots(2, 1, sharex=True, height_ratios=(2, 1))
    heom = ds["J1"].sel(equation="heom").values
    ceiling = 1.5 * float(np.max(np.abs(heom)))
    for name in ds["master_equation"].values:
        color = COLORS.get(str(name), "tab:orange")
        curve = ds["J1_fine"].sel(master_equation=name)
        off = float(np.max(np.abs(curve))) > ceiling
        style = "--" if str(name).startswith("partial_secular") else "-"
        top.plot(
            ds["dT_fine"],
            curve,
            style,
            color=color,
            label=f"{name} (off scale)" if off else str(name),
        )
        bottom.plot(ds["dT"], 100 * ds["rel_error"].sel(equation=name), "o-", ms=3, color=color)
    ok = ds["heom_converged"].values.astype(bool)
    top.plot(ds["dT"].values[ok], heom[ok], "ko", ms=5, label="HEOM (exact)")
    if np.any(~ok):
        top.plot(
            ds["dT"].values[~ok],
            heom[~ok],
            "o",
            mfc="none",
            mec="k",
            ms=6,
            label="HEOM, not converged",
        )
    top.set_ylim(min(0.0, 1.5 * float(np.min(heom))), ceiling)
    top.set_ylabel(r"$\mathcal{J}_1$")
    top.legend(fontsize=8)
    a = ds.attrs
    top.set_title(
        title
        or f"e=({a['eps1']:g}, {a['eps2']:g}), g={a['g']:g}, gamma={a['gamma1']:g}, wD={a['omega_d']:g}, T2={a['T2']:g}",
        fontsize=9,
    )
    bottom.set_yscale("symlog", linthresh=10.0)
    bottom.axhline(0.0, color="k", lw=0.5)
    bottom.set_ylabel("error vs HEOM (%)")
    bottom.set_xlabel(r"$\Delta T = T_1 - T_2$")
    return fig
