"""The fixed validation battery: every equation against HEOM over the Fig. 5 and Fig. 6 ranges.

Four cases: the Fig. 5 model (e = (4, 4), g = 0.05, dT 0..100) and the Fig. 6 model
(e = (4, 3), g = 0.5, dT 0..300), each at gamma = 0.01 and 0.03 (wD = 50, T2 = 5), on
coarser HEOM grids than the ``compare`` presets and hierarchy depth at most 4, so the battery
runs in minutes; points that would need a deeper hierarchy are reported as not converged.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable

import numpy as np
import xarray as xr

from ..master.equations import SECULAR_RATIO_NOTICE, SECULAR_RATIO_WARN
from .runner import PRESETS, CompareSpec, compare_currents
from .summary import error_table, summarize, verdict

__all__ = ["VALIDATION_CASES", "run_validation", "validation_markdown"]

_FIG5_GRID = (0.0, 4.0, 8.0, 12.0, 20.0, 40.0, 70.0, 100.0)
_FIG6_GRID = (0.0, 10.0, 20.0, 30.0, 50.0, 100.0, 200.0, 300.0)

_BATTERY_HEOM = dataclasses.replace(PRESETS["fig6"].heom, max_depth=4)
"""The presets' HEOM settings with the depth capped at 4 to keep the battery in minutes; points
needing more say so (not converged)."""

VALIDATION_CASES: dict[str, CompareSpec] = {
    f"{fig}_gamma{gamma:g}": dataclasses.replace(
        PRESETS[fig], gamma=gamma, dT=grid, n_fine=201, heom=_BATTERY_HEOM
    )
    for fig, grid in (("fig5", _FIG5_GRID), ("fig6", _FIG6_GRID))
    for gamma in (0.01, 0.03)
}


def run_validation(
    workers: int = 1, progress: Callable[[str], None] | None = None
) -> dict[str, xr.Dataset]:
    """Run every case of :data:`VALIDATION_CASES`; ``progress`` gets each case name when done."""
    out = {}
    for name, spec in VALIDATION_CASES.items():
        out[name] = compare_currents(spec, workers=workers)
        if progress:
            progress(name)
    return out


def validation_markdown(results: dict[str, xr.Dataset], figures: dict[str, str]) -> str:
    """Markdown report: max and median |relative error| vs HEOM per equation and case."""
    names = list(results)
    equations = [str(e) for e in results[names[0]]["master_equation"].values]
    header = ["| equation | " + " | ".join(names) + " |", "|---|" + "---|" * len(names)]
    lines = [
        "# qheat validation: master equations against exact HEOM currents",
        "",
        "Relative error `|J1 - J1_HEOM| / |J1_HEOM|` of the heat current from bath 1 over the HEOM",
        "grid of each case (points with `|J1_HEOM|` below 1e-3 of its maximum, i.e. dT = 0,",
        "excluded). Cells are `max / median`. wD = 50, T2 = 5, gamma1 = gamma2 = gamma. Each",
        "case's verdict gives the largest `secular_ratio` of the secular equations: above "
        f"{SECULAR_RATIO_NOTICE:g}",
        "their current may be off by 10% or more (docs/sharp-bits.md), above "
        f"{SECULAR_RATIO_WARN:g} they are outside",
        "their validity.",
        "",
        *header,
    ]
    for converged_only in (False, True):
        if converged_only:
            lines += ["", "Same, over the points where HEOM converged only:", "", *header]
        tables = {name: error_table(ds, converged_only) for name, ds in results.items()}
        for eq in equations:
            cells = [f"{tables[n][eq][0]:.2%} / {tables[n][eq][1]:.2%}" for n in names]
            lines.append(f"| {eq} | " + " | ".join(cells) + " |")
    lines += [
        "",
        "## HEOM cost and convergence",
        "",
        "| case | points converged | not converged at dT | median s/point | max s/point |",
        "|---|---|---|---|---|",
    ]
    for name, ds in results.items():
        sec = ds["heom_seconds"].values
        bad = ds["dT"].values[~ds["heom_converged"].values.astype(bool)]
        lines.append(
            f"| {name} | {int(ds['heom_converged'].sum())}/{ds.sizes['dT']} | "
            f"{', '.join(f'{x:g}' for x in bad) or '-'} | {float(np.median(sec)):.2f} | "
            f"{float(sec.max()):.2f} |"
        )
    for name, ds in results.items():
        lines += ["", f"## {name}", "", "```", verdict(summarize(ds)), "```", ""]
        if name in figures:
            lines.append(f"![{name}]({figures[name]})")
    return "\n".join(lines) + "\n"
