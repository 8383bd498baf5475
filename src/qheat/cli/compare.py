"""``qheat compare``: every master equation graded against HEOM.

``--preset fig6|fig5`` (the paper's model, J1 against dT), ``--preset kato-tanimura`` (QuTiP's
HEOM heat-transport tutorial, J1 against zeta) or ``--device FILE`` (every bath of a device
file at one point, ``--param NAME=VALUE`` overriding its parameters).
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import sys
from pathlib import Path
from typing import Any

import numpy as np
from tqdm import tqdm

from ..compare import PRESETS, CompareSpec, compare_currents, summarize, verdict
from ..errors import InvalidParameterError
from ..exact import HeomOptions
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
        "dT 0..300) and fig5 (e=(4,4), g=0.05, gamma=0.01, dT 0..100); kato-tanimura: QuTiP's "
        "HEOM heat-transport tutorial (Kato and Tanimura 2015, Fig. 3a), J1 against zeta. "
        "--device FILE grades every bath of a device file at one point.",
    )
    parser.add_argument(
        "--preset",
        choices=[*sorted(PRESETS), KATO_TANIMURA],
        help="the paper's case (default fig6; other options override its values) or kato-tanimura",
    )
    parser.add_argument("--device", metavar="FILE", help="a device file (TOML, docs/devices.md)")
    parser.add_argument(
        "--param",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="set a parameter of the device's [parameters] (repeatable; with --device)",
    )
    parser.add_argument("--json", action="store_true", help="with --device: print JSON")
    parser.add_argument(
        "--max-unknowns",
        type=int,
        default=None,
        help="HEOM budget: largest hierarchy in unknowns (default 100000)",
    )
    parser.add_argument("--eps1", type=number("--eps1", positive=True))
    parser.add_argument("--eps2", type=number("--eps2", positive=True))
    parser.add_argument("--g", type=number("--g"))
    parser.add_argument("--gamma", type=number("--gamma", positive=True), help="gamma1 = gamma2")
    parser.add_argument("--omega-d", type=number("--omega-d", positive=True))
    parser.add_argument("--t2", type=number("--t2", positive=True))
    parser.add_argument(
        "--dt-max", type=number("--dt-max", positive=True), help="largest dT (grid 0..max)"
    )
    parser.add_argument(
        "--heom-points",
        type=int,
        default=None,
        help="HEOM grid points (default: preset grid, or 9)",
    )
    parser.add_argument(
        "--rtol",
        type=number("--rtol", positive=True),
        default=None,
        help="HEOM relative tolerance on J (default 2e-3)",
    )
    parser.add_argument(
        "--workers", type=int, default=1, help="processes for HEOM points (one BLAS thread each)"
    )
    parser.add_argument(
        "--out",
        type=Path,
        default=None,
        help="write compare.png/.pdf, compare.nc, summary.json here",
    )
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
    heom = _heom_options(args, base.heom)
    if heom is not base.heom:
        changes["heom"] = heom
    return dataclasses.replace(base, **changes) if changes else base


KATO_TANIMURA = "kato-tanimura"

_MODEL_OPTIONS = ("eps1", "eps2", "g", "gamma", "omega_d", "t2", "dt_max", "heom_points")


def run(args: argparse.Namespace) -> int:
    given = [f"--{k.replace('_', '-')}" for k in _MODEL_OPTIONS if getattr(args, k) is not None]
    if args.device is not None or args.preset == KATO_TANIMURA:
        what = "--device" if args.device is not None else "--preset kato-tanimura"
        if given or (args.device is not None and args.preset is not None):
            raise InvalidParameterError(
                f"{what} takes none of the paper's model options, got "
                f"{', '.join(given) or '--preset ' + str(args.preset)}"
            )
        return run_device(args) if args.device is not None else run_kato_tanimura(args)
    if args.param or args.json:
        raise InvalidParameterError("--param and --json apply to --device FILE")
    spec = spec_from_args(args)
    if args.workers < 1:
        raise ValueError(f"--workers must be >= 1, got {args.workers}")
    with tqdm(total=len(spec.dT), desc="HEOM points", unit="pt", disable=args.no_progress) as bar:
        ds = compare_currents(
            spec, workers=args.workers, progress=lambda done, total: bar.update(1)
        )
    summary = summarize(ds)
    text = verdict(summary)
    ds.attrs["verdict"] = text
    print(text)
    per_point = ds["heom_seconds"].values
    print(
        f"HEOM cost per point: median {np.median(per_point):.2f} s, max {np.max(per_point):.2f} s"
    )
    if args.out is not None:
        out = output_directory(args.out)
        written = save_figure(compare_figure(ds), out / "compare")
        ds.to_netcdf(out / "compare.nc")
        (out / "summary.json").write_text(json.dumps(summary, indent=2) + "\n")
        (out / "summary.txt").write_text(text + "\n")
        written += [out / "compare.nc", out / "summary.json", out / "summary.txt"]
        print("wrote " + ", ".join(str(p) for p in written))
    return 0


def _heom_options(args: argparse.Namespace, base: HeomOptions) -> HeomOptions:
    """``base`` with ``--rtol`` and ``--max-unknowns`` applied (``base`` itself if neither)."""
    changes: dict[str, Any] = {}
    if args.rtol is not None:
        changes["rtol"] = args.rtol
    if args.max_unknowns is not None:
        changes["max_unknowns"] = args.max_unknowns
    return dataclasses.replace(base, **changes) if changes else base


def run_device(args: argparse.Namespace) -> int:
    """``--device FILE``: each bath's current from every equation and from HEOM, graded."""
    from ..compare import compare_system
    from ..devices import load_device
    from .current import parse_params

    device = load_device(args.device)
    system = device.system(**parse_params(args.param))
    ds = compare_system(system, heom=_heom_options(args, HeomOptions()))
    if args.json:
        payload = {
            "heom": {
                "converged": bool(ds.attrs["heom_converged"]),
                "order": int(ds.attrs["heom_order"]),
                "depth": int(ds.attrs["heom_depth"]),
                "reason": ds.attrs["heom_reason"],
                "errors": {
                    str(b): _finite(e) for b, e in zip(ds["bath"].values, ds["heom_error"].values)
                },
            },
            "currents": {
                str(eq): {str(b): _finite(j) for b, j in zip(ds["bath"].values, row)}
                for eq, row in zip(ds["equation"].values, ds["J"].values)
            },
            "rel_error": {
                str(eq): {str(b): _finite(r) for b, r in zip(ds["bath"].values, row)}
                for eq, row in zip(ds["equation"].values[1:], ds["rel_error"].values[1:])
            },
            "skipped": _skipped(ds),
        }
        print(json.dumps(payload))
    else:
        print(
            f"{args.device}: HEOM "
            + (
                f"converged at order {ds.attrs['heom_order']}, depth {ds.attrs['heom_depth']}"
                if ds.attrs["heom_converged"]
                else f"NOT converged ({ds.attrs['heom_reason']})"
            )
        )
        baths = [str(b) for b in ds["bath"].values]
        print(
            f"{'equation':<20}" + "".join(f"{'J[' + b + ']':>16}{'rel. err.':>11}" for b in baths)
        )
        for eq, j_row, r_row in zip(ds["equation"].values, ds["J"].values, ds["rel_error"].values):
            cells = "".join(f"{j:>+16.6e}{r:>+11.2%}" for j, r in zip(j_row, r_row))
            print(f"{eq!s:<20}{cells}")
        for label, why in _skipped(ds).items():
            print(f"{label}: not applicable to this device, left out: {why}")
    if args.out is not None:
        out = output_directory(args.out)
        ds.to_netcdf(out / "compare.nc")
        # stdout holds only the JSON document with --json
        print(f"wrote {out / 'compare.nc'}", file=sys.stderr if args.json else sys.stdout)
    if not ds.attrs["heom_converged"]:
        print(
            "qheat compare: HEOM did not converge within its budget, so the grades above are "
            "not against an exact reference; raise --max-unknowns",
            file=sys.stderr,
        )
        return 1
    return 0


def run_kato_tanimura(args: argparse.Namespace) -> int:
    """``--preset kato-tanimura``: the tutorial's J1(zeta) from HEOM, BR, Lindblad and ULE."""
    from ..compare import KatoTanimuraSpec, kato_tanimura, kato_tanimura_figure

    base = KatoTanimuraSpec()
    spec = dataclasses.replace(base, heom=_heom_options(args, base.heom))
    total = len(spec.j12) * len(spec.zetas)
    with tqdm(total=total, desc="HEOM points", unit="pt", disable=args.no_progress) as bar:
        ds = kato_tanimura(spec, progress=lambda done, n: bar.update(1))
    for j12 in ds["j12"].values:
        print(f"J12 = {float(j12):g}: J1/(e J12) x 10^3 against zeta")
        print(f"{'zeta':>8}" + "".join(f"{e!s:>11}" for e in ds["equation"].values) + "  HEOM")
        for zeta in ds["zeta"].values:
            row = ds["J1"].sel(j12=j12, zeta=zeta).values * 1e3 / float(j12)
            ok = bool(ds["heom_converged"].sel(j12=j12, zeta=zeta))
            print(
                f"{float(zeta):>8.3f}"
                + "".join(f"{x:>11.5f}" for x in row)
                + ("  converged" if ok else "  NOT converged")
            )
    n_ok = int(ds["heom_converged"].sum())
    print(
        f"HEOM: {n_ok}/{total} points converged; cost per point: median "
        f"{float(np.median(ds['heom_seconds'])):.2f} s, "
        f"max {float(np.max(ds['heom_seconds'])):.2f} s"
    )
    if args.out is not None:
        out = output_directory(args.out)
        written = save_figure(kato_tanimura_figure(ds), out / "kato_tanimura")
        ds.to_netcdf(out / "kato_tanimura.nc")
        print("wrote " + ", ".join(str(p) for p in [*written, out / "kato_tanimura.nc"]))
    return 0 if n_ok == total else 1


def _skipped(ds: Any) -> dict[str, str]:
    """``{label: reason}`` of the equations :func:`~qheat.compare.compare_system` left out."""
    return dict(json.loads(ds.attrs["skipped_reasons"]))


def _finite(x: Any) -> float | None:
    value = float(x)
    return value if np.isfinite(value) else None
