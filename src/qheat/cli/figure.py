"""``qheat figure N``: one of the paper's figures (2-6) with its data; ``qheat figure --sweep
FILE``: the currents of a sweep (any device) against its swept parameter, with its noise and
TUR ratio when the sweep has them; ``--map``: colour maps of the current, noise and TUR ratio
over the sweep's two swept parameters."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from tqdm import tqdm

from ..errors import InvalidParameterError
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
        "entries already there are kept). With --sweep FILE (a 'qheat sweep' output): J of each "
        "bath against the swept parameter, one colour per equation, into --figure; a sweep "
        "with --cumulants 2 adds rows of noise and TUR-ratio panels. --map: maps of J, noise "
        "and TUR ratio over the two swept parameters (one --equation, one --bath).",
    )
    parser.add_argument("number", type=int, nargs="?", choices=FIGURE_NUMBERS, help="figure number")
    parser.add_argument(
        "--sweep", metavar="FILE.nc|FILE.zarr", help="plot a sweep's currents instead"
    )
    parser.add_argument(
        "--x", metavar="NAME", help="with --sweep: the swept dimension on the x axis"
    )
    parser.add_argument(
        "--equation",
        action="append",
        metavar="NAME",
        help="with --sweep: equations to draw (repeatable; default all)",
    )
    parser.add_argument(
        "--figure", metavar="FILE.png|FILE.pdf", help="with --sweep: where to write the figure"
    )
    parser.add_argument(
        "--map",
        action="store_true",
        help="with --sweep of two parameters and --cumulants 2: colour maps of J, noise and "
        "the TUR ratio (the first --equation, default the sweep's first)",
    )
    parser.add_argument(
        "--bath", metavar="NAME", help="with --sweep --map: the bath (default the first)"
    )
    add_output_options(parser)
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    if args.sweep is not None:
        return _sweep_figure(args)
    if args.map or args.bath is not None:
        raise InvalidParameterError("--map and --bath apply to --sweep FILE only")
    if args.number is None:
        raise InvalidParameterError("give a figure number (2-6) or --sweep FILE")
    out = output_directory(args.out)
    number: int = args.number
    steps = 3 if number in CURRENT_FIGURES else 2
    with tqdm(
        total=steps, desc=f"qheat figure {number}", unit="step", disable=args.no_progress
    ) as bar:
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


def _sweep_figure(args: argparse.Namespace) -> int:
    import xarray as xr

    from ..figures.noise_maps import fluctuation_map_figure
    from ..figures.sweeps import sweep_figure

    if args.number is not None:
        raise InvalidParameterError("give a figure number or --sweep FILE, not both")
    if args.map and args.equation and len(args.equation) > 1:
        raise InvalidParameterError("--map draws one equation: give --equation once")
    if not args.figure:
        raise InvalidParameterError("--sweep needs --figure FILE.png (or .pdf)")
    if args.bath is not None and not args.map:
        raise InvalidParameterError("--bath applies to --sweep --map only")
    path = Path(args.sweep)
    if not path.exists():
        raise InvalidParameterError(f"--sweep: {path} does not exist")
    engine = "zarr" if path.suffix == ".zarr" else "h5netcdf"
    try:
        ds = xr.open_dataset(path, engine=engine)
    except Exception as exc:  # noqa: BLE001 - whatever the file is, it is not a sweep
        kind = "zarr store" if engine == "zarr" else "netCDF file"
        reason = " ".join(str(exc).split())[:200]
        raise InvalidParameterError(
            f"--sweep {path}: not a readable {kind} ({type(exc).__name__}: {reason}); give "
            "the output of 'qheat sweep --out'"
        ) from None
    with ds:
        try:
            if args.map:
                equation = args.equation[0] if args.equation else None
                fig = fluctuation_map_figure(ds.load(), args.x, equation=equation, bath=args.bath)
            else:
                fig = sweep_figure(ds.load(), args.x, equations=args.equation, source=str(path))
        except ValueError as exc:
            raise InvalidParameterError(f"--sweep {path}: {exc}") from None
    fig.savefig(args.figure, dpi=150)
    print(f"wrote {args.figure}")
    return 0
