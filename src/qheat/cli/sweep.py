"""``qheat sweep``: heat currents over a grid of parameters, written to netCDF or zarr.

Each option of ``qheat current`` takes a value or a range ``start:stop:num`` (``num`` evenly
spaced values, both ends included); ranges form a cartesian grid (``--zip``: side by side).
With ``--device F``, the device file's ``[parameters]`` are swept instead, each given as
``--param NAME=VALUE`` or ``--param NAME=START:STOP:NUM``.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path
from typing import Any

import numpy as np

from ..errors import InvalidParameterError
from ..steady.cumulants import MAX_ORDER
from ..sweeps.builders import builder_info
from ..sweeps.config import SweepConfig, parse_axis, read_config
from ..sweeps.grid import make_grid
from ..sweeps.run import (
    DEFAULT_CHUNK_SIZE,
    EQUATION_NAMES,
    equations_named,
    execute,
    prepare_grid,
)
from ..sweeps.schedulers import SCHEDULERS, scheduler_named
from ..sweeps.store import StoreError, verify_output
from . import SUMMARIES

__all__ = ["add_grid_options", "grid_values", "param_values", "register", "run"]

_OPTIONS = (
    ("eps1", "e1 > 0 (default 5)"),
    ("eps2", "e2 > 0 (default 4)"),
    ("g", "qubit-qubit coupling g (default 0.5)"),
    ("gamma1", "bath 1 coupling >= 0 (default 0.01)"),
    ("gamma2", "bath 2 coupling >= 0 (default 0.01)"),
    ("omega_d", "Drude cutoff > 0 (default 50)"),
    ("t2", "T2 >= 0 (default 5)"),
)


def add_grid_options(parser: argparse.ArgumentParser, skip: tuple[str, ...] = ()) -> None:
    """The model options of ``qheat current``, each ``VALUE`` or ``START:STOP:NUM``.

    ``skip`` leaves options out; skipping ``t1`` or ``dt`` leaves out both temperatures options.
    """
    group = parser.add_argument_group(
        "model (Eq. 1) and Drude baths (Eq. 17), each VALUE or START:STOP:NUM; hbar = kB = 1"
    )
    for name, text in _OPTIONS:
        if name not in skip:
            flag = "--" + name.replace("_", "-")
            group.add_argument(flag, dest=name, metavar="V|A:B:N", help=text)
    if "t1" in skip or "dt" in skip:
        return
    hot = group.add_mutually_exclusive_group()
    hot.add_argument("--t1", metavar="V|A:B:N", help="T1 >= 0")
    hot.add_argument("--dt", metavar="V|A:B:N", help="T1 - T2, the paper's axis (default 0)")


def grid_values(args: argparse.Namespace, base: dict[str, Any]) -> dict[str, Any]:
    """Parameter values: ``base`` (from a config file) overridden by the options given."""
    values = dict(base)
    for name in [n for n, _ in _OPTIONS] + ["t1", "dt"]:
        text = getattr(args, name, None)
        if text is not None:
            values[name] = parse_axis("--" + name.replace("_", "-"), text)
            if name in ("t1", "dt"):
                values.pop("dt" if name == "t1" else "t1", None)
    return values


def param_values(items: list[str] | None) -> dict[str, Any]:
    """``--param NAME=VALUE`` or ``NAME=START:STOP:NUM`` options as parameter values."""
    values: dict[str, Any] = {}
    for item in items or []:
        name, sep, text = item.partition("=")
        if not sep or not name.strip():
            raise InvalidParameterError(
                f"--param must be NAME=VALUE or NAME=START:STOP:NUM, got {item!r}"
            )
        if name.strip() in values:
            raise InvalidParameterError(f"--param {name.strip()} is given twice")
        values[name.strip()] = parse_axis(f"--param {name.strip()}", text)
    return values


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "sweep",
        help=SUMMARIES["sweep"],
        description="Heat currents J (Eqs. 21-23) of each bath and master equation over a grid: "
        "every option of 'qheat current' takes a value or a range START:STOP:NUM (NUM evenly "
        "spaced values, both ends included); ranges form a cartesian grid. Example: qheat sweep "
        "--g 0.05:1:1000 --dt 0.1:100:1000 --out plane.nc. With --device F: the device's "
        "[parameters], e.g. qheat sweep --device transistor.toml --param tM=0.2:2:100 --out t.nc. "
        "Before it starts, the sweep prints its size, expected time, output size and working "
        "memory (--dry-run: only that, and what would stop it); a .zarr output is streamed chunk "
        "by chunk (any size), a .nc output must fit in memory; an existing output is replaced "
        "only with --overwrite; one sweep at a time writes an output (a lock FILE.lock beside "
        "it). --verify --out FILE reads every chunk of an output back and says what is missing.",
    )
    add_grid_options(parser)
    parser.add_argument(
        "--device", metavar="DEVICE.toml", help="sweep a device file instead of the paper's model"
    )
    parser.add_argument(
        "--param",
        action="append",
        metavar="NAME=V|A:B:N",
        help="a device parameter (repeatable; with --device)",
    )
    parser.add_argument(
        "--equation",
        choices=(*EQUATION_NAMES, "all"),
        help="master equation (default: br and lindblad; all: every equation, those that do "
        "not apply to the system left out with a warning)",
    )
    parser.add_argument(
        "--no-lamb-shift", action="store_true", default=None, help="set S(w) = 0 everywhere"
    )
    parser.add_argument(
        "--zip",
        action="store_true",
        default=None,
        help="read the ranges side by side (equal NUM) instead of a grid",
    )
    parser.add_argument("--out", metavar="FILE.nc|FILE.zarr", help="write the Dataset there")
    parser.add_argument(
        "--config",
        metavar="CONFIG.toml",
        help="read settings from a TOML file (options given here override it)",
    )
    parser.add_argument("--scheduler", choices=SCHEDULERS, help="where chunks run (default serial)")
    parser.add_argument(
        "--address",
        metavar="tcp://HOST:PORT",
        help="existing Dask scheduler (with --scheduler dask)",
    )
    parser.add_argument(
        "--workers",
        type=int,
        metavar="N",
        help="processes for --scheduler processes, 1 to 1024 (default: all cores)",
    )
    parser.add_argument(
        "--shared-store",
        action="store_true",
        help="with --scheduler dask and a .zarr output on a file system every worker sees at "
        "the same path: the workers write their chunks themselves",
    )
    parser.add_argument(
        "--resume",
        action="store_true",
        help="continue an interrupted run of the same sweep (its chunks written so far are kept)",
    )
    parser.add_argument(
        "--overwrite",
        action="store_true",
        help="replace an existing output (without it, an existing output is refused)",
    )
    parser.add_argument(
        "--dry-run",
        action="store_true",
        help="print the estimate (points, time, output size, memory) and stop; exit 2 "
        "with one line if the run could not go ahead (memory, disk, a locked output)",
    )
    parser.add_argument(
        "--verify",
        action="store_true",
        help="with --out FILE only: read back every chunk of that output and say whether it is "
        "complete (exit 0) or what is missing (exit 2)",
    )
    parser.add_argument(
        "--chunk-size",
        type=int,
        metavar="N",
        help=f"points per chunk (default: as many as fit the memory, at most "
        f"{DEFAULT_CHUNK_SIZE}; when resuming, the stored one)",
    )
    parser.add_argument(
        "--cumulants",
        type=int,
        metavar="N",
        help="also the first N cumulants of the heat from each bath, 1 to 6 (docs/"
        "fluctuations.md): variables c1 (the counting statistics' mean current), noise (c2), "
        "tur_ratio (N >= 2), c3 ... cN, with the dims of J; about 1.3x the time for N = 2",
    )
    parser.add_argument("--no-progress", action="store_true", help="no progress bar")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    if args.verify:
        return _verify(args)
    config = read_config(args.config) if args.config else SweepConfig()
    build: Any = None
    if args.device is not None:
        given = [n for n, _ in _OPTIONS if getattr(args, n, None) is not None]
        given += [n for n in ("t1", "dt") if getattr(args, n, None) is not None]
        if given or args.config:
            flags = ", ".join("--" + n.replace("_", "-") for n in given) or "--config"
            raise InvalidParameterError(
                f"{flags} set the paper's model; with --device give --param NAME=... instead"
            )
        from ..devices import load_device

        build = load_device(args.device)
        values = param_values(args.param)
    else:
        if args.param:
            raise InvalidParameterError("--param applies to --device only")
        values = grid_values(args, config.parameters)
    names = (args.equation,) if args.equation else (config.equations or ("br", "lindblad"))
    optional = args.equation in (None, "all") and (config.equations in (None, ("all",)))
    lamb_shift = (
        not args.no_lamb_shift
        if args.no_lamb_shift
        else (config.lamb_shift if config.lamb_shift is not None else True)
    )
    equations = equations_named(list(names), lamb_shift)
    zipped = bool(args.zip or config.zipped)
    chunk_size = args.chunk_size or config.chunk_size
    cumulants = args.cumulants if args.cumulants is not None else (config.cumulants or 0)
    if args.cumulants is not None and not 1 <= args.cumulants <= MAX_ORDER:
        raise InvalidParameterError(
            f"--cumulants must be an integer from 1 to {MAX_ORDER}, got {args.cumulants}"
        )
    if args.chunk_size is not None and args.chunk_size < 1:
        raise InvalidParameterError(f"--chunk-size must be >= 1, got {args.chunk_size}")
    out = args.out or config.out
    if args.resume and out is None:
        raise InvalidParameterError("--resume needs --out (the file whose chunks to reuse)")
    name = args.scheduler or config.scheduler or "serial"
    address = args.address or config.address
    if address is not None and name != "dask":
        raise InvalidParameterError("--address applies to --scheduler dask only")
    info = builder_info(build)
    grid = make_grid(values, zipped=zipped, info=info)
    if args.shared_store and (name != "dask" or out is None or not str(out).endswith(".zarr")):
        raise InvalidParameterError(
            "--shared-store applies to --scheduler dask with --out FILE.zarr"
        )
    scheduler = scheduler_named(name, address, args.workers, args.shared_store)
    output = None if out is None else Path(out)
    prepared = prepare_grid(
        grid,
        info=info,
        equations=equations,
        optional_equations=optional,
        chunk_size=chunk_size,
        scheduler=scheduler,
        out=output,
        resume=args.resume,
        overwrite=args.overwrite,
        check=not args.dry_run,
        cumulants=cumulants,
    )
    for line in prepared.plan.lines(grid, output):
        print(line, flush=True)
    if prepared.problems:  # a dry run: the plan, then what would stop the run
        raise InvalidParameterError("cannot run: " + "; and ".join(prepared.problems))
    if args.dry_run:
        return 0
    started = time.perf_counter()
    ds = execute(prepared, scheduler, progress=False if args.no_progress else None)
    seconds = time.perf_counter() - started
    dims = " x ".join(f"{d} ({n})" for d, n in zip(grid.dims, grid.shape)) or "one point"
    print(
        f"{grid.size} points ({dims}), equations {', '.join(eq.name for eq in prepared.equations)}, "
        f"{'Lamb shift' if lamb_shift else 'no Lamb shift'}: {seconds:.2f} s, "
        f"{grid.size / max(seconds, 1e-9):.3g} points/s"
    )
    if out is not None:
        print(f"wrote {out}")
        return 0
    for eq in ds.equation.values:
        for bath in ds.bath.values:
            data = np.asarray(ds["J"].sel(equation=eq, bath=bath))
            unit = _si_unit(ds["J"])
            print(
                f"  J[{eq}, bath {bath}]: min {np.nanmin(data):+.6e}{unit}  "
                f"max {np.nanmax(data):+.6e}{unit}"
            )
        for var in ds.data_vars:
            if var == "J":
                continue
            per_bath = "bath" in ds[var].dims
            for bath in ds.bath.values if per_bath else [None]:
                data = np.asarray(
                    ds[var].sel({"equation": eq} | ({"bath": bath} if per_bath else {}))
                )
                where = f"{eq}, bath {bath}" if per_bath else eq
                if not np.isnan(data).all():
                    unit = _si_unit(ds[var])
                    print(
                        f"  {var}[{where}]: min {np.nanmin(data):+.6e}{unit}  "
                        f"max {np.nanmax(data):+.6e}{unit}"
                    )
    return 0


def _si_unit(variable: Any) -> str:
    """`` W`` or `` W/K``: a variable of a lab-units device (qheat.units); else nothing."""
    unit = variable.attrs.get("units")
    return f" {unit}" if unit in ("W", "W/K") else ""


def _verify(args: argparse.Namespace) -> int:
    """``--verify --out FILE``: read every chunk back; exit 0 if complete."""
    if args.out is None:
        raise InvalidParameterError("--verify needs --out FILE.zarr|FILE.nc (the output to check)")
    report = verify_output(Path(args.out))
    if not report.complete:
        raise StoreError(report.line())
    print(report.line())
    return 0
