"""``qheat bath``: the Drude bath's J, G and S (Eqs. 14, 15, 17) at given frequencies."""

from __future__ import annotations

import argparse
import json
from typing import Any

from ..baths import DrudeBath
from . import SUMMARIES
from ._parser import number


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "bath",
        help=SUMMARIES["bath"],
        description="J(w) = gamma w/(1 + (w/wD)^2) (Eq. 17), G(w) = J(w)(n(w) + 1) (Eq. 14) and "
        "S(w) (Eq. 15, exact closed form) at the given frequencies.",
    )
    parser.add_argument("--gamma", type=number("--gamma", minimum=0), default=0.01, help="coupling >= 0 (default 0.01)")
    parser.add_argument("--omega-d", type=number("--omega-d", positive=True), default=50.0, help="cutoff > 0 (default 50)")
    parser.add_argument("--t", type=number("--t", minimum=0), default=5.0, help="temperature >= 0 (default 5)")
    parser.add_argument("--omega", type=number("--omega"), nargs="+", required=True, help="frequencies (any sign)")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    bath = DrudeBath(gamma=args.gamma, omega_d=args.omega_d, temperature=args.t)
    out = {
        "omega": list(args.omega),
        "J": [float(x) for x in bath.J(args.omega)],
        "G": [float(x) for x in bath.G(args.omega)],
        "S": [float(x) for x in bath.S(args.omega)],
    }
    if args.json:
        print(json.dumps(out))
        return 0
    print(f"Drude bath: gamma={args.gamma:g} omega_d={args.omega_d:g} T={args.t:g}")
    print(f"{'omega':>12} {'J':>16} {'G':>16} {'S':>16}")
    for row in zip(out["omega"], out["J"], out["G"], out["S"]):
        print(" ".join(f"{x:16.9g}" if i else f"{x:12.6g}" for i, x in enumerate(row)))
    return 0
