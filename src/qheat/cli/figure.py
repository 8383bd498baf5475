"""``qheat figure N``: one of the paper's figures (2-6) with its data."""

from __future__ import annotations

import argparse
from typing import Any

from tqdm import tqdm

from ..paper.run import analyse, figure_dataset, merge_summary_json, write_figure
from ..paper.specs import CURRENT_FIGURES, FIGURE_NUMBERS
from . import SUMMARIES
from .reproduce import add_output_options, output_directory

__all__ = ["register", "run"]


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "figure",
        help=SUMMARIES["figure"],
        description="Compute one of the paper's Figs. 2-6 and write figN.png, figN.pdf, figN.nc "
        "and figN.csv; for Figs. 3-6 also put its curves into summary.json (other figures' "
        "entries already there are kept).",
    )
    parser.add_argument("number", type=int, choices=FIGURE_NUMBERS, help="figure number")
    add_output_options(parser)
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    out = output_directory(args.out)
    number: int = args.number
    steps = 3 if number in CURRENT_FIGURES else 2
    with tqdm(total=steps, desc=f"qheat figure {number}", unit="step", disable=args.no_progress) as bar:
        ds = figure_dataset(number, args.points)
        bar.update()
        written = write_figure(ds, out)
        bar.update()
        if number in CURRENT_FIGURES:
            merge_summary_json(out / "summary.json", analyse({number: ds}).curves)
            written.append(out / "summary.json")
            bar.update()
    print("wrote " + ", ".join(str(p) for p in written))
    return 0
