"""Compute, analyse and write the paper's figures: the steps behind ``qheat reproduce``.

Each step is a separate function so that a caller (the command line) can show progress between
them: :func:`figure_dataset` (the physics, one batched solve per master equation),
:func:`write_data` (netCDF through h5netcdf, and CSV), :func:`analyse` (NDTC, suppression and
the paper's claims), :func:`write_summary` (``summary.json``, ``summary.md``);
:func:`write_figure` draws a figure (PNG, PDF) and writes its data.
"""

from __future__ import annotations

import json
import warnings
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import xarray as xr

from ..analysis.ndtc import NDTCResult
from ..errors import SecularityWarning
from ..figures.paper import paper_figure, save_figure, with_extension
from .claims import (
    Finding,
    coherence_findings,
    gamma_findings,
    lindblad_findings,
    suppression_findings,
    symmetric_findings,
)
from .coherences import coherence_dataset
from .currents import current_dataset
from .report import figure_name, summary_markdown
from .specs import CURRENT_FIGURES, FIG2, FIGURE_NUMBERS
from .summary import Analysis, curve_ndtc, curve_summaries

__all__ = [
    "figure_dataset",
    "write_figure",
    "write_data",
    "analyse",
    "write_summary",
    "merge_summary_json",
]


def figure_dataset(number: int, points: int | None = None) -> xr.Dataset:
    """The Dataset of figure ``number`` (2-6), on the spec's grid or on ``points`` points."""
    if number == 2:
        return coherence_dataset(FIG2 if points is None else FIG2.with_points(points))
    if number not in CURRENT_FIGURES:
        raise ValueError(f"figure number must be one of {FIGURE_NUMBERS}, got {number}")
    fig = CURRENT_FIGURES[number]
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", SecularityWarning)
        ds = current_dataset(fig if points is None else fig.with_points(points))
    for w in caught:  # say which figure (the Lindblad curves leave their validity at large dT)
        prefix = f"Fig. {number}: " if issubclass(w.category, SecularityWarning) else ""
        warnings.warn(f"{prefix}{w.message}", w.category, stacklevel=2)
    return ds


def write_figure(ds: xr.Dataset, out: Path) -> list[Path]:
    """Draw the Dataset's figure and write ``figN.png``, ``figN.pdf``, ``figN.nc``, ``figN.csv``."""
    stem = out / figure_name(int(ds.attrs["figure"]))
    return save_figure(paper_figure(ds), stem) + write_data(ds, stem)


def write_data(ds: xr.Dataset, stem: Path) -> list[Path]:
    """Write ``stem.nc`` (netCDF4 via h5netcdf) and ``stem.csv`` (long format); return the paths."""
    nc, csv = with_extension(stem, ".nc"), with_extension(stem, ".csv")
    ds.to_netcdf(nc, engine="h5netcdf")
    ds.to_dataframe().reset_index().to_csv(csv, index=False)
    return [nc, csv]


def analyse(datasets: Mapping[int, xr.Dataset]) -> Analysis:
    """NDTC of every curve (peaks refined to 1e-4) and the paper's claims, for the figures given."""
    curves: dict[str, list[dict[str, Any]]] = {}
    findings: list[Finding] = []
    equilibrium: dict[int, float] = {}
    if 2 in datasets:
        findings += coherence_findings(datasets[2])
    for number in sorted(n for n in datasets if n in CURRENT_FIGURES):
        fig, ds = CURRENT_FIGURES[number], datasets[number]
        results: dict[str, NDTCResult] = curve_ndtc(fig, ds)
        curves[f"fig{number}"] = curve_summaries(fig, ds, results)
        equilibrium[number] = float(abs(ds.J1.sel(equation="br", dT=0.0)).max())
        if number == 3:
            findings += suppression_findings(fig, ds, "larger for smaller g", +1)
        elif number == 4:
            findings += suppression_findings(
                fig, ds, "larger for smaller e1 - e2 at fixed e1 + e2", -1
            )
        elif number == 5:
            findings += symmetric_findings(fig, ds, results["br"])
        else:
            findings += gamma_findings(fig, ds, results["br"])
        findings.append(lindblad_findings(number, results["lindblad"]))
    return Analysis(curves=curves, findings=findings, equilibrium_current=equilibrium)


def merge_summary_json(path: Path, curves: Mapping[str, list[dict[str, Any]]]) -> dict[str, Any]:
    """Write ``curves`` into the JSON object at ``path``, keeping its other figures' keys."""
    current: dict[str, Any] = {}
    if path.exists():
        try:
            loaded = json.loads(path.read_text())
            current = loaded if isinstance(loaded, dict) else {}
        except json.JSONDecodeError:
            current = {}
    current.update(curves)
    ordered = {key: current[key] for key in sorted(current)}
    path.write_text(json.dumps(ordered, indent=1) + "\n")
    return ordered


def write_summary(
    out: Path, analysis: Analysis, datasets: Mapping[int, xr.Dataset], seconds: float | None
) -> list[Path]:
    """Write ``out/summary.json`` (only the given figures' curves) and ``out/summary.md``."""
    json_path, md_path = out / "summary.json", out / "summary.md"
    json_path.write_text(json.dumps(analysis.curves, indent=1) + "\n")
    md_path.write_text(summary_markdown(analysis, datasets, seconds))
    return [json_path, md_path]
