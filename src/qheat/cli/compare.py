"""``qheat compare``: J1 against dT from every master equation and from HEOM, graded."""

from __future__ import annotations

import argparse
import dataclasses
import json
from pathlib import Path
from typing import Any

import numpy as np
from tqdm import tqdm

from ..compare import PRESETS, CompareSpec, compare_currents, summarize, verdict
from ..figures.compare import compare_figure
from ..figures.paper import save_figure
from . import SUMMARIES
from ._parser import number
from .reproduce import output_directory

__all__ = ["register", "run"]


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "compare",
        help=SUMMARIES["compare"],
        description="J1 vs dT (T1 = T2 + dT) from Bloch-Redfield, global and local Lindblad, "
        "partial secular, the universal Lindblad equation and HEOM (QuTiP), with each "
        "equation's relative error vs HEOM. Presets: fig6 (e=(4,3), g=0.5, gamma=0.03, "
        "dT 0..300) and fig5 (e=(4,4), g=0.05, gamma=0.01, dT 0..100).",
    )
    parser.add_argument("--preset", choices=sorted(PRESETS), help="the paper's case (default fig6; other options override its values)")
    parser.add_argument("--eps1", type=number("--eps1", positive=True))
    parser.add_argument("--eps2", type=number("--eps2", positive=True))
    parser.add_argument("--g", type=number("--g"))
    parser.add_argument("--gamma", type=number("--gamma", positive=True), help="gamma1 = gamma2")
    parser.add_argument("--omega-d", type=number("--omega-d", positive=True))
    parser.add_argument("--t2", type=number("--t2", positive=True))
    parser.add_argument("--dt-max", type=number("--dt-max", positive=True), help="largest dT (grid 0..max)")
    parser.add_argument("--heom-points", type=int, default=None, help="HEOM grid points (default: preset grid, or 9)")
    parser.add_argument("--rtol", type=number("--rtol", positive=True), default=None, help="HEOM relative tolerance on J (default 2e-3)")
    parser.add_argument("--workers", type=int, default=1, help="processes for HEOM points (one BLAS thread each)")
    parser.add_argument("--out", type=Path, default=None, help="write compare.png/.pdf, compare.nc, summary.json here")
    parser.add_argument("--no-progress", action="store_true", help="no progress bar")
    parser.set_defaults(func=run)


def spec_from_args(args: argparse.Namespace) -> CompareSpec:
    """The preset (or the Fig. 6 defaults) with the given options replacing its values."""
    base = PRESETS[args.preset or "fig6"]
    changes: dict[str, Any] = {
        key: getattr(args, key)
        for key in ("eps1", "eps2", "g", "gamma", "omega_d", "t2")
        if getattr(args, key) is not None
    }
    if args.dt_max is not None or args.heom_points is not None:
        top = args.dt_max if args.dt_max is not None else base.dT[-1]
        n = args.heom_points if args.heom_points is not None else 9
        if n < 3:
            raise ValueError(f"--heom-points must be >= 3, got {n}")
        changes["dT"] = tuple(float(x) for x in np.linspace(0.0, top, n))
    if args.rtol is not None:
        changes["heom"] = dataclasses.replace(base.heom, rtol=args.rtol)
    return dataclasses.replace(base, **changes) if changes else base


def run(args: argparse.Namespace) -> int:
    spec = spec_from_args(args)
    if args.workers < 1:
        raise ValueError(f"--workers must be >= 1, got {args.workers}")
    with tqdm(total=len(spec.dT), desc="HEOM points", unit="pt", disable=args.no_progress) as bar:
        ds = compare_currents(spec, workers=args.workers, progress=lambda done, total: bar.update(1))
    summary = summarize(ds)
    text = verdict(summary)
    ds.attrs["verdict"] = text
    print(text)
    per_point = ds["heom_seconds"].values
    print(f"HEOM cost per point: median {np.median(per_point):.2f} s, max {np.max(per_point):.2f} s")
    if args.out is not None:
        out = output_directory(args.out)
        written = save_figure(compare_figure(ds), out / "compare")
        ds.to_netcdf(out / "compare.nc")
        (out / "summary.json").write_text(json.dumps(summary, indent=2) + "\n")
        (out / "summary.txt").write_text(text + "\n")
        written += [out / "compare.nc", out / "summary.json", out / "summary.txt"]
        print("wrote " + ", ".join(str(p) for p in written))
    return 0


