"""``qheat validate``: the fixed battery of HEOM comparisons and its markdown report."""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path
from typing import Any

import xarray as xr
from tqdm import tqdm

from ..compare import error_table, summarize
from ..compare.validate import VALIDATION_CASES, run_validation, validation_markdown
from ..figures.compare import compare_figure
from ..figures.paper import save_figure, with_extension
from . import SUMMARIES
from .reproduce import output_directory

__all__ = ["register", "run", "write_validation"]


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "validate",
        help=SUMMARIES["validate"],
        description="Runs the Fig. 5 and Fig. 6 ranges at gamma = 0.01 and 0.03 against exact "
        "HEOM currents and writes validation.md (max and median relative error of each "
        "equation), one figure and one Dataset per case, and validation.json.",
    )
    parser.add_argument(
        "--out",
        type=Path,
        default=Path("validation"),
        help="output directory (default validation/)",
    )
    parser.add_argument(
        "--workers", type=int, default=2, help="processes for HEOM points (default 2)"
    )
    parser.add_argument("--no-progress", action="store_true", help="no progress bar")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    if args.workers < 1:
        raise ValueError(f"--workers must be >= 1, got {args.workers}")
    out = output_directory(args.out)
    start = time.perf_counter()
    with tqdm(
        total=len(VALIDATION_CASES), desc="qheat validate", unit="case", disable=args.no_progress
    ) as bar:
        results = run_validation(workers=args.workers, progress=lambda name: bar.update(1))
    report, _ = write_validation(results, out)
    print(report)
    print(f"wrote {out / 'validation.md'} ({time.perf_counter() - start:.0f} s)")
    return 0


def write_validation(results: dict[str, xr.Dataset], out: Path) -> tuple[str, list[Path]]:
    """Write ``<case>.png``, ``<case>.pdf`` and ``<case>.nc`` per case, ``validation.md`` (which
    shows each case's figure) and ``validation.json`` into ``out``; return the report and paths.
    """
    written: list[Path] = []
    figures = {}
    for name, ds in results.items():
        paths = save_figure(compare_figure(ds, title=name), out / name)
        data = with_extension(out / name, ".nc")
        ds.to_netcdf(data)
        figures[name] = paths[0].name  # the report sits next to the figures
        written += [*paths, data]
    report = validation_markdown(results, figures)
    (out / "validation.md").write_text(report)
    table = {
        name: {eq: {"max": mx, "median": med} for eq, (mx, med) in error_table(ds).items()}
        for name, ds in results.items()
    }
    summaries = {name: summarize(ds) for name, ds in results.items()}
    document = {"errors": table, "summaries": summaries}
    (out / "validation.json").write_text(json.dumps(document, indent=2) + "\n")
    return report, [*written, out / "validation.md", out / "validation.json"]
