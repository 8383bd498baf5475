"""``qheat reproduce``: the paper's Figs. 2-6, their data, ``summary.json`` and ``summary.md``."""

from __future__ import annotations

import argparse
import time
from pathlib import Path
from typing import Any

import xarray as xr
from tqdm import tqdm

from ..paper.run import analyse, figure_dataset, write_figure, write_summary
from ..paper.specs import FIGURE_NUMBERS
from . import SUMMARIES

__all__ = ["register", "run", "add_output_options", "output_directory"]


def add_output_options(parser: argparse.ArgumentParser) -> None:
    """``--out``, ``--points`` and ``--no-progress``, shared with ``qheat figure``."""
    parser.add_argument(
        "--out", type=Path, default=Path("out"), help="output directory (default out/)"
    )
    parser.add_argument(
        "--points",
        type=_points,
        default=None,
        help="grid points per curve, overriding each figure's own grid (coarser = faster)",
    )
    parser.add_argument("--no-progress", action="store_true", help="no progress bar")


def output_directory(out: Path) -> Path:
    """Create ``out`` if needed; a failure becomes a one-line error naming ``--out``."""
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ValueError(f"--out {out}: cannot create the directory ({exc.strerror})") from exc
    return out


def _points(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"--points must be an integer, got {text!r}") from None
    if value < 5:
        raise argparse.ArgumentTypeError(f"--points must be >= 5, got {value}")
    return value


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "reproduce",
        help=SUMMARIES["reproduce"],
        description="Compute Figs. 2-6 of the paper, write each as PNG and PDF with its data "
        "(netCDF and CSV), and write summary.json (NDTC, peaks, J_BR/J_L of every curve) and "
        "summary.md (the paper's claims checked against the data).",
    )
    add_output_options(parser)
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    start = time.perf_counter()
    out = output_directory(args.out)
    datasets: dict[int, xr.Dataset] = {}
    written: list[Path] = []
    with tqdm(
        total=2 * len(FIGURE_NUMBERS) + 2,
        desc="qheat reproduce",
        unit="step",
        disable=args.no_progress,
    ) as bar:
        for number in FIGURE_NUMBERS:
            bar.set_postfix_str(f"Fig. {number}: solve")
            datasets[number] = figure_dataset(number, args.points)
            bar.update()
            bar.set_postfix_str(f"Fig. {number}: draw")
            written += write_figure(datasets[number], out)
            bar.update()
        bar.set_postfix_str("NDTC and claims")
        analysis = analyse(datasets)
        bar.update()
        bar.set_postfix_str("summary")
        written += write_summary(out, analysis, datasets, time.perf_counter() - start)
        bar.update()
    failed = [f for f in analysis.findings if not f.holds]
    print(f"wrote {len(written)} files to {out}/ in {time.perf_counter() - start:.1f} s")
    print(
        f"{len(analysis.findings) - len(failed)} of {len(analysis.findings)} checked claims hold; see {out / 'summary.md'}"
    )
    return 0
