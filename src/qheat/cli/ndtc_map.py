"""``qheat ndtc-map``: where the Bloch-Redfield current J1(dT) shows NDTC over a plane."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

import numpy as np

from ..errors import InvalidParameterError
from ..figures.maps import MAP_VARIABLES, ndtc_map_figure
from ..sweeps.config import parse_values
from ..sweeps.dataset import write_dataset
from ..sweeps.ndtc_map import ALIASES, DEFAULT_RTOL, fixed_values, ndtc_map
from . import SUMMARIES
from .sweep import add_grid_options, grid_values

__all__ = ["register", "run"]


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "ndtc-map",
        help=SUMMARIES["ndtc-map"],
        description="For each point of an X by Y plane: whether the Bloch-Redfield current "
        "J1(dT) has negative differential thermal conductance in the dT range, the dT of its "
        "peak (refined to --rtol) and the peak current. Example (Fig. 6 energies): qheat "
        "ndtc-map --x g=0.05:1.5:40 --y gamma=0.002:0.05:40 --eps1 4 --eps2 3 --t2 5 "
        "--dt 0.1:100:200 --out map.nc --figure map.png",
    )
    parser.add_argument("--x", required=True, metavar="NAME=A:B:N", help="first plane axis (gamma = both couplings, eps = both splittings)")
    parser.add_argument("--y", required=True, metavar="NAME=A:B:N", help="second plane axis")
    parser.add_argument("--dt", required=True, metavar="A:B:N", help="bias grid dT = T1 - T2 (at least 3 values)")
    add_grid_options(parser, skip=("t1", "dt"))
    parser.add_argument("--rtol", type=float, default=DEFAULT_RTOL, help=f"peak bracket below rtol * dT_peak (default {DEFAULT_RTOL:g})")
    parser.add_argument("--no-lamb-shift", action="store_true", help="set S(w) = 0 everywhere")
    parser.add_argument("--out", metavar="FILE.nc|FILE.zarr", help="save the map data")
    parser.add_argument("--figure", metavar="FILE.png|FILE.pdf", help="render the map")
    parser.add_argument("--color", choices=MAP_VARIABLES, default="dT_peak", help="colour by (default dT_peak)")
    parser.set_defaults(func=run)


def _axis(option: str, text: str) -> tuple[str, np.ndarray]:
    name, sep, values = text.partition("=")
    name = name.strip().replace("-", "_")
    if not sep:
        raise InvalidParameterError(f"{option} must read NAME=START:STOP:NUM, got {text!r}")
    arr = np.atleast_1d(parse_values(f"{option} {name}", values))
    return name, arr


def run(args: argparse.Namespace) -> int:
    x, y = _axis("--x", args.x), _axis("--y", args.y)
    bias = parse_values("--dt", args.dt)
    if bias.ndim != 1:
        raise InvalidParameterError(f"--dt must be a range START:STOP:NUM, got {args.dt!r}")
    model = argparse.Namespace(**{k: v for k, v in vars(args).items() if k != "dt"})
    fixed = fixed_values(grid_values(model, {}))
    for name in (x[0], y[0]):
        for covered in ALIASES.get(name, (name,)):
            fixed.pop(covered, None)
    if args.out and Path(args.out).suffix not in (".nc", ".zarr"):
        raise InvalidParameterError(f"--out must end in .nc or .zarr, got {args.out!r}")
    ds = ndtc_map(x, y, bias, rtol=args.rtol, lamb_shift=not args.no_lamb_shift, progress=None, **fixed)  # type: ignore[arg-type]
    share = float(np.mean(ds["ndtc"]))
    print(f"{ds.sizes[x[0]]} x {ds.sizes[y[0]]} plane ({x[0]} x {y[0]}), {bias.size} dT values: "
          f"NDTC at {100 * share:.1f}% of the points; peak dT refined to rtol {args.rtol:g}")
    peaks = np.asarray(ds["dT_peak"])
    if np.any(np.isfinite(peaks)):
        print(f"  dT_peak from {np.nanmin(peaks):.6g} to {np.nanmax(peaks):.6g}; J_peak up to "
              f"{np.nanmax(np.asarray(ds['J_peak'])):.6e}")
    if args.out:
        write_dataset(ds, Path(args.out))
        print(f"wrote {args.out}")
    if args.figure:
        ndtc_map_figure(ds, args.color).savefig(args.figure, dpi=150)
        print(f"wrote {args.figure}")
    return 0
