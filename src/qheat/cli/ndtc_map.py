"""``qheat ndtc-map``: where a heat current shows NDTC along one parameter, over a plane.

The paper's model by default (the Bloch-Redfield current J1(dT)); with ``--device F``, the
current of any bath (``--bath``) under any equation (``--equation``) along any device
parameter (``--along NAME=A:B:N``).
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

import numpy as np

from ..errors import InvalidParameterError
from ..explorer.budget import DEFAULT_BUDGET, batch_points
from ..figures.maps import ndtc_map_figure
from ..steady.validity import WEAK_COUPLING_WARN, weak_coupling_notice
from ..sweeps.config import parse_values
from ..sweeps.dataset import write_dataset
from ..sweeps.ndtc_map import (
    ALIASES,
    DEFAULT_RTOL,
    MIN_RTOL,
    fixed_values,
    ndtc_map,
    peak_variable,
)
from ..sweeps.run import EQUATION_NAMES
from . import SUMMARIES
from .explore import gib
from .sweep import add_grid_options, grid_values, param_values

__all__ = ["register", "run"]


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "ndtc-map",
        help=SUMMARIES["ndtc-map"],
        description="For each point of an X by Y plane: whether the Bloch-Redfield current "
        "J1(dT) has negative differential thermal conductance in the dT range, the dT of its "
        "peak (refined to --rtol) and the peak current. Example (Fig. 6 energies): qheat "
        "ndtc-map --x g=0.05:1.5:40 --y gamma=0.002:0.05:40 --eps1 4 --eps2 3 --t2 5 "
        "--dt 0.1:100:200 --out map.nc --figure map.png. A device: qheat ndtc-map --device "
        "d.toml --x tM=0.2:2:20 --y g=0.1:1:20 --along tL=0.5:5:60 --bath L",
    )
    parser.add_argument(
        "--x",
        required=True,
        metavar="NAME=A:B:N",
        help="first plane axis (gamma = both couplings, eps = both splittings)",
    )
    parser.add_argument("--y", required=True, metavar="NAME=A:B:N", help="second plane axis")
    parser.add_argument(
        "--dt",
        metavar="A:B:N",
        help="bias grid dT = T1 - T2 (at least 3 values; the paper's model)",
    )
    parser.add_argument(
        "--device", metavar="DEVICE.toml", help="a device file instead of the paper's model"
    )
    parser.add_argument(
        "--along",
        metavar="NAME=A:B:N",
        help="the device parameter along each curve (with --device)",
    )
    parser.add_argument(
        "--param",
        action="append",
        metavar="NAME=V",
        help="a fixed device parameter (repeatable; with --device)",
    )
    parser.add_argument(
        "--bath", metavar="NAME", help="the bath whose current is examined (default: the first)"
    )
    parser.add_argument(
        "--equation",
        choices=tuple(EQUATION_NAMES),
        default="br",
        help="master equation (default br)",
    )
    add_grid_options(parser, skip=("t1", "dt"))
    parser.add_argument(
        "--rtol",
        type=_rtol,
        default=DEFAULT_RTOL,
        help=f"peak bracket below rtol * dT_peak, in [{MIN_RTOL:g}, 1) (default "
        f"{DEFAULT_RTOL:g}; the current is flat to round-off closer to its peak)",
    )
    parser.add_argument(
        "--memory-budget",
        type=gib("--memory-budget"),
        default=DEFAULT_BUDGET,
        metavar="GIB",
        help=f"memory the solves may hold at once, in GiB (default "
        f"{DEFAULT_BUDGET / (1 << 30):g}); the map is solved in chunks within it",
    )
    parser.add_argument("--no-lamb-shift", action="store_true", help="set S(w) = 0 everywhere")
    parser.add_argument("--out", metavar="FILE.nc|FILE.zarr", help="save the map data")
    parser.add_argument(
        "--overwrite",
        action="store_true",
        help="replace an existing --out (without it, an existing output is refused)",
    )
    parser.add_argument("--figure", metavar="FILE.png|FILE.pdf", help="render the map")
    parser.add_argument(
        "--color",
        choices=("peak", "J_peak"),
        default="peak",
        help="colour by the peak position (default) or the peak current",
    )
    parser.set_defaults(func=run)


def _rtol(text: str) -> float:
    """``--rtol``: a number in ``[MIN_RTOL, 1)`` (tighter is below the currents' round-off)."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"--rtol must be a number, got {text!r}") from None
    if not MIN_RTOL <= value < 1.0:  # also refuses NaN
        raise argparse.ArgumentTypeError(
            f"--rtol must be in [{MIN_RTOL:g}, 1), got {text!r}: the current is flat to "
            "round-off within about 4e-7 of its peak, a narrower bracket cannot be reached"
        )
    return value


def _axis(option: str, text: str) -> tuple[str, np.ndarray]:
    name, sep, values = text.partition("=")
    name = name.strip().replace("-", "_")
    if not sep:
        raise InvalidParameterError(f"{option} must read NAME=START:STOP:NUM, got {text!r}")
    arr = np.atleast_1d(parse_values(f"{option} {name}", values))
    return name, arr


def run(args: argparse.Namespace) -> int:
    x, y = _axis("--x", args.x), _axis("--y", args.y)
    if args.out and Path(args.out).suffix not in (".nc", ".zarr"):
        raise InvalidParameterError(f"--out must end in .nc or .zarr, got {args.out!r}")
    if args.out and Path(args.out).exists() and not args.overwrite:
        raise InvalidParameterError(
            f"--out {args.out} exists; give --overwrite to replace it, or another path"
        )
    build = None
    if args.device is not None:
        paper = [
            n
            for n in ("eps1", "eps2", "g", "gamma1", "gamma2", "omega_d", "t2")
            if getattr(args, n) is not None
        ]
        if paper or args.dt is not None or args.along is None:
            raise InvalidParameterError(
                "with --device give --along NAME=A:B:N (and --param NAME=V), not --dt or the "
                "paper's options" + (f" ({', '.join('--' + n for n in paper)})" if paper else "")
            )
        from ..devices import load_device

        build = load_device(args.device)
        along, bias = _axis("--along", args.along)
        fixed = fixed_values(param_values(args.param))
    else:
        if args.along is not None or args.param:
            raise InvalidParameterError(
                "--along and --param apply to --device only (the paper's model sweeps --dt)"
            )
        if args.dt is None:
            raise InvalidParameterError("--dt A:B:N is required for the paper's model")
        along, bias = "dt", parse_values("--dt", args.dt)
        if bias.ndim != 1:
            raise InvalidParameterError(f"--dt must be a range START:STOP:NUM, got {args.dt!r}")
        model = argparse.Namespace(**{k: v for k, v in vars(args).items() if k != "dt"})
        fixed = fixed_values(grid_values(model, {}))
        for option, text, name in (("--x", args.x, x[0]), ("--y", args.y, y[0])):
            for covered in ALIASES.get(name, (name,)):
                if covered in fixed:
                    raise InvalidParameterError(
                        f"--{covered.replace('_', '-')} {fixed[covered]:g} is fixed, but "
                        f"{option} {text} sweeps it over the plane; give one of them"
                    )
    probe = None if build is None else build.system()  # the paper's model: 2 qubits, 2 baths
    dim, n_baths = (4, 2) if probe is None else (probe.dim, len(probe.baths))
    chunk = batch_points(dim, n_baths, (args.equation,), args.memory_budget, "--memory-budget")
    ds = ndtc_map(
        x,
        y,
        bias,
        build=build,
        chunk_size=chunk,
        along=along,
        bath=args.bath,
        equation=args.equation,
        rtol=args.rtol,
        lamb_shift=not args.no_lamb_shift,
        progress=None,
        **fixed,  # type: ignore[arg-type]
    )
    share = float(np.mean(ds["ndtc"]))
    peak = peak_variable(along)
    label = "dT" if along == "dt" else along
    print(
        f"{ds.sizes[x[0]]} x {ds.sizes[y[0]]} plane ({x[0]} x {y[0]}), {bias.size} {label} values, "
        f"bath {ds.attrs['bath']}, {ds.attrs['equation']}: NDTC at {100 * share:.1f}% of the points; "
        f"peak {label} refined to rtol {args.rtol:g}"
    )
    peaks = np.asarray(ds[peak])
    if np.any(np.isfinite(peaks)):
        print(
            f"  {peak} from {np.nanmin(peaks):.6g} to {np.nanmax(peaks):.6g}; J_peak up to "
            f"{np.nanmax(np.asarray(ds['J_peak'])):.6e}"
        )
    print("  " + _validity_line(ds))
    if args.out:
        write_dataset(ds, Path(args.out))
        print(f"wrote {args.out}")
    if args.figure:
        ndtc_map_figure(ds, peak if args.color == "peak" else "J_peak").savefig(
            args.figure, dpi=150
        )
        print(f"wrote {args.figure}")
    return 0


def _validity_line(ds: Any) -> str:
    """How much of the map is outside weak coupling (docs/trust.md), one line."""
    ratio = np.asarray(ds["weak_coupling_ratio"])
    broken = np.asarray(ds["second_law_broken"]) > 0
    strong = ratio > WEAK_COUPLING_WARN
    if strong.any() or broken.any():
        return (
            f"outside weak coupling at {100 * float(np.mean(strong | broken)):.1f}% of the "
            f"points (weak-coupling ratio > {WEAK_COUPLING_WARN:g} along the curve at "
            f"{100 * float(np.mean(strong)):.1f}%, heat from cold to hot at "
            f"{100 * float(np.mean(broken)):.1f}%): not physics there; hatched in --figure, "
            "weak_coupling_ratio and second_law_broken in --out"
        )
    top = float(np.nanmax(ratio)) if np.any(np.isfinite(ratio)) else 0.0
    return weak_coupling_notice(top) or f"weak-coupling ratio up to {top:.3g}: weak coupling"
