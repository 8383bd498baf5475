"""``qheat current``: steady-state heat currents of the paper's model at one point."""

from __future__ import annotations

import argparse
import json
import sys
import warnings
from typing import Any

import numpy as np

from ..api import paper_system, solve
from ..errors import NonUniqueSteadyStateError
from ..master import BlochRedfield, GlobalLindblad, MasterEquation
from . import SUMMARIES
from ._parser import add_model_options, temperatures

EQUATION_CHOICES = ("br", "lindblad", "all")


def equations(choice: str, lamb_shift: bool) -> list[MasterEquation]:
    """The master equations named by ``--equation``."""
    table: dict[str, MasterEquation] = {
        "br": BlochRedfield(lamb_shift=lamb_shift),
        "lindblad": GlobalLindblad(lamb_shift=lamb_shift),
    }
    return list(table.values()) if choice == "all" else [table[choice]]


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "current",
        help=SUMMARIES["current"],
        description="Steady-state heat currents J1, J2 (Eqs. 21-23; J > 0 flows from the bath "
        "into the system) and the steady state in the eigenbasis (s1, s2, s3, s4); for the "
        "global Lindblad equation also its secular_ratio (transition rate over the smallest "
        "Bohr-frequency gap it neglects; above 1 it is outside its validity). Warnings "
        "(PositivityWarning, IllConditionedWarning, SecularityWarning) are printed as one line "
        "each on stderr and listed under 'warnings' in --json output.",
    )
    add_model_options(parser)
    parser.add_argument("--equation", choices=EQUATION_CHOICES, default="all", help="master equation (default all)")
    parser.add_argument("--no-lamb-shift", action="store_true", help="set S(w) = 0 everywhere")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    t1, t2 = temperatures(args)
    if args.gamma1 == 0 and args.gamma2 == 0:
        raise NonUniqueSteadyStateError(
            "--gamma1 and --gamma2 are both 0: no bath couples, so there is no unique steady "
            "state; give at least one of them a value > 0"
        )
    system = paper_system(args.eps1, args.eps2, args.g, args.gamma1, args.gamma2, args.omega_d, t1, t2)
    results: dict[str, dict[str, Any]] = {}
    for eq in equations(args.equation, not args.no_lamb_shift):
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            sol = solve(system, eq)
        notes = [f"{w.category.__name__}: {' '.join(str(w.message).split())}" for w in caught]
        for note in notes:
            print(f"qheat current: warning [{eq.name}]: {note}", file=sys.stderr)
        results[eq.name] = {
            "J1": float(sol.J1),
            "J2": float(sol.J2),
            "rho_real": np.real(sol.rho).tolist(),
            "rho_imag": np.imag(sol.rho).tolist(),
            "min_eigenvalue": float(sol.min_eigenvalue),
            "residual": float(sol.state.residual),
            "condition_number": float(sol.state.condition_number),
            "warnings": notes,
        }
        if sol.secular_ratio is not None:  # secular equations: rate / neglected gap
            results[eq.name]["secular_ratio"] = float(sol.secular_ratio)
    if args.json:
        print(json.dumps(results))
        return 0
    print(f"eps1={args.eps1:g} eps2={args.eps2:g} g={args.g:g} gamma1={args.gamma1:g} "
          f"gamma2={args.gamma2:g} omega_d={args.omega_d:g} T1={t1:g} T2={t2:g}"
          f"{'  (no Lamb shift)' if args.no_lamb_shift else ''}")
    for name, r in results.items():
        print(f"\n[{name}]  J1 = {r['J1']:+.10e}   J2 = {r['J2']:+.10e}   J1 + J2 = {r['J1'] + r['J2']:+.2e}")
        if "secular_ratio" in r:
            verdict = "outside its validity" if r["secular_ratio"] > 1 else "below 1"
            print(f"secular_ratio (transition rate / smallest neglected gap) {r['secular_ratio']:.3g}: {verdict}")
        print(f"steady state in the eigenbasis (s1..s4), smallest eigenvalue {r['min_eigenvalue']:.3e}:")
        for re_row, im_row in zip(r["rho_real"], r["rho_imag"]):
            print("  " + "  ".join(f"{a:+.6f}{b:+.6f}j" for a, b in zip(re_row, im_row)))
    return 0
