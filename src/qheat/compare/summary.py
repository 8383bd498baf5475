"""Summaries of a comparison Dataset: NDTC, peak and error of each equation, and a verdict."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import xarray as xr

from ..analysis.ndtc import ndtc_on_grid
from ..master.equations import secular_notice

__all__ = ["summarize", "verdict", "error_table"]


def _number(x: Any) -> float | None:
    value = float(x)
    return None if math.isnan(value) else value


def summarize(ds: xr.Dataset) -> dict[str, dict[str, Any]]:
    """``{"<equation>": {"ndtc", "dT_peak", "J_peak", "max_rel_error_vs_heom",
    "max_secular_ratio"}}`` plus ``"heom"`` (the ratio is None for equations that drop no pair).

    NDTC and peak come from :func:`qheat.analysis.ndtc.ndtc_on_grid`: on the fine grid for the
    master equations, on the (coarser) HEOM grid for ``"heom"``, so the HEOM peak is known to
    the HEOM grid spacing only.
    """
    out: dict[str, dict[str, Any]] = {}
    heom = ndtc_on_grid(ds["dT"].values, ds["J1"].sel(equation="heom").values)
    out["heom"] = {
        "ndtc": bool(heom.ndtc),
        "dT_peak": _number(heom.dT_peak),
        "J_peak": _number(heom.J_peak),
        "max_rel_error_vs_heom": 0.0,
        "max_secular_ratio": None,
        "converged_points": int(ds["heom_converged"].sum()),
        "points": int(ds.sizes["dT"]),
    }
    for name in ds["master_equation"].values:
        r = ndtc_on_grid(ds["dT_fine"].values, ds["J1_fine"].sel(master_equation=name).values)
        err = np.abs(ds["rel_error"].sel(equation=name).values)
        ratio = (
            ds["secular_ratio"].sel(master_equation=name).values
            if "secular_ratio" in ds
            else np.array([])
        )
        out[str(name)] = {
            "ndtc": bool(r.ndtc),
            "dT_peak": _number(r.dT_peak),
            "J_peak": _number(r.J_peak),
            "max_rel_error_vs_heom": _number(np.nanmax(err)) if np.any(np.isfinite(err)) else None,
            "max_secular_ratio": _number(np.nanmax(ratio)) if np.any(np.isfinite(ratio)) else None,
        }
    return out


def error_table(ds: xr.Dataset, converged_only: bool = False) -> dict[str, tuple[float, float]]:
    """``{equation: (max, median)}`` of ``|J1 - J1_heom| / |J1_heom|`` over the HEOM grid.

    ``converged_only`` drops the points where HEOM did not converge (NaN if none is left).
    """
    keep = (
        ds["heom_converged"].values.astype(bool)
        if converged_only
        else np.ones(ds.sizes["dT"], bool)
    )
    table = {}
    for name in ds["master_equation"].values:
        err = np.abs(ds["rel_error"].sel(equation=name).values)[keep]
        ok = np.isfinite(err)
        table[str(name)] = (
            (float(np.max(err[ok])), float(np.median(err[ok])))
            if np.any(ok)
            else (math.nan, math.nan)
        )
    return table


def verdict(summary: dict[str, dict[str, Any]]) -> str:
    """Plain statement: does the exact current show NDTC where Bloch-Redfield does, and where;
    each equation's error, and for the secular ones their largest ``secular_ratio`` with the
    notice of :func:`qheat.master.equations.secular_notice` above 0.2."""
    heom, br = summary["heom"], summary.get("br")
    lines = []
    conv = f"{heom.get('converged_points', '?')}/{heom.get('points', '?')} HEOM points converged"
    if br is None:
        lines.append(f"HEOM NDTC: {heom['ndtc']} (peak dT = {heom['dT_peak']}); {conv}.")
        return "\n".join(lines)
    if heom["ndtc"] and br["ndtc"]:
        shift = (
            f"peak at dT = {heom['dT_peak']:g} (HEOM grid) against {br['dT_peak']:g} (BR)"
            if heom["dT_peak"] is not None and br["dT_peak"] is not None
            else "peak position undetermined on the grid"
        )
        lines.append(f"The exact (HEOM) current shows NDTC where Bloch-Redfield does: {shift}.")
    elif br["ndtc"]:
        lines.append(
            "Bloch-Redfield predicts NDTC but the exact (HEOM) current does NOT show it on this grid."
        )
    elif heom["ndtc"]:
        lines.append("The exact (HEOM) current shows NDTC although Bloch-Redfield does not.")
    else:
        lines.append("Neither HEOM nor Bloch-Redfield shows NDTC in this range.")
    if heom["J_peak"] is not None and br["J_peak"] is not None:
        lines.append(f"Peak current: HEOM {heom['J_peak']:.5g}, BR {br['J_peak']:.5g}.")
    for name, row in summary.items():
        if name != "heom" and row["max_rel_error_vs_heom"] is not None:
            ratio = row.get("max_secular_ratio")
            note = ""
            if ratio is not None:
                note = f"  ({secular_notice(ratio) or f'secular_ratio up to {ratio:.3g}'})"
            lines.append(
                f"  {name:>18}: NDTC {str(row['ndtc']):5}  dT_peak {row['dT_peak']}  "
                f"max |rel. error| vs HEOM {row['max_rel_error_vs_heom']:.2%}{note}"
            )
    lines.append(conv + ".")
    return "\n".join(lines)
