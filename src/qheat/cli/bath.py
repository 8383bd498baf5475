"""``qheat bath``: a bath's J, G and S (Eqs. 14, 15) at given frequencies.

``--spectral-density`` picks the bath (:data:`qheat.baths.registry.SPECTRAL_DENSITIES`):
``drude`` (``--omega-d``), ``ohmic`` (``--omega-c``, ``--s``) or ``underdamped``
(``--omega-0``, ``--width``), each with ``--gamma`` and ``--t``. An option of another
spectral density is refused with a one-line error (exit status 2).
"""

from __future__ import annotations

import argparse
import json
from typing import Any

from ..baths.registry import SPECTRAL_DENSITIES, make_bath
from ..errors import InvalidParameterError
from . import SUMMARIES
from ._parser import number

SHAPE_OPTIONS: dict[str, dict[str, float | None]] = {
    "drude": {"omega_d": 50.0},
    "ohmic": {"omega_c": 50.0, "s": 1.0},
    "underdamped": {"omega_0": None, "width": None},
}
"""The options of each spectral density besides --gamma and --t, with their defaults (None:
required)."""

CLOSED_FORM = {"drude": "closed form", "ohmic": "quadrature", "underdamped": "closed form"}


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "bath",
        help=SUMMARIES["bath"],
        description="J(w), G(w) = J(w)(n(w) + 1) (Eq. 14) and the Lamb-shift function S(w) "
        "(Eq. 15) of a bath at the given frequencies: drude J = gamma w/(1 + (w/omega_d)^2) "
        "(S in closed form), ohmic J = gamma w (|w|/omega_c)^(s-1) exp(-|w|/omega_c) "
        "(S by quadrature), underdamped J = gamma w omega_0^4/((omega_0^2 - w^2)^2 + "
        "width^2 w^2) (S in closed form).",
    )
    add = parser.add_argument
    add(
        "--spectral-density",
        choices=list(SPECTRAL_DENSITIES),
        default="drude",
        help="the bath (default drude)",
    )
    add(
        "--gamma",
        type=number("--gamma", minimum=0),
        default=0.01,
        help="coupling >= 0 (default 0.01)",
    )
    add("--omega-d", type=number("--omega-d", positive=True), help="drude cutoff > 0 (default 50)")
    add("--omega-c", type=number("--omega-c", positive=True), help="ohmic cutoff > 0 (default 50)")
    add("--s", type=number("--s", positive=True), help="ohmic exponent > 0 (default 1)")
    add(
        "--omega-0",
        type=number("--omega-0", positive=True),
        help="underdamped resonance > 0 (required)",
    )
    add("--width", type=number("--width", positive=True), help="underdamped width > 0 (required)")
    add("--t", type=number("--t", minimum=0), default=5.0, help="temperature >= 0 (default 5)")
    add("--omega", type=number("--omega"), nargs="+", required=True, help="frequencies (any sign)")
    add("--json", action="store_true", help="print one JSON object")
    parser.set_defaults(func=run)


def shape_parameters(args: argparse.Namespace) -> dict[str, float]:
    """The chosen spectral density's own parameters; another one's option is an error."""
    kind = args.spectral_density
    for other, names in SHAPE_OPTIONS.items():
        for name in names:
            if other != kind and getattr(args, name) is not None:
                raise InvalidParameterError(
                    f"--{name.replace('_', '-')} belongs to --spectral-density {other}, not "
                    f"{kind} (which takes {_options(kind)})"
                )
    values: dict[str, float] = {}
    for name, default in SHAPE_OPTIONS[kind].items():
        value: float | None = getattr(args, name)
        if value is None and default is None:
            raise InvalidParameterError(
                f"--{name.replace('_', '-')} is required with --spectral-density {kind} "
                f"(which takes {_options(kind)})"
            )
        values[name] = float(value if value is not None else default)  # type: ignore[arg-type]
    return values


def _options(kind: str) -> str:
    return ", ".join(f"--{n.replace('_', '-')}" for n in ("gamma", *SHAPE_OPTIONS[kind], "t"))


def run(args: argparse.Namespace) -> int:
    kind = args.spectral_density
    shape = shape_parameters(args)
    bath = make_bath(kind, {"gamma": args.gamma, **shape, "t": args.t})
    omega = [w + 0.0 for w in args.omega]  # -0.0 is 0 (as the bath reads it)
    out = {
        "omega": omega,
        "J": [float(x) + 0.0 for x in bath.J(omega)],  # + 0.0: no "-0" printed
        "G": [float(x) + 0.0 for x in bath.G(omega)],
        "S": [float(x) + 0.0 for x in bath.S(omega)],
    }
    if args.json:
        print(json.dumps(out))
        return 0
    described = " ".join(f"{k}={float(getattr(bath, k)):g}" for k in shape)
    print(
        f"{kind.capitalize()} bath: gamma={float(bath.gamma):g} {described} "
        f"T={float(bath.temperature):g} "
        f"(S: {CLOSED_FORM[kind]})"
    )
    print(f"{'omega':>12} {'J':>16} {'G':>16} {'S':>16}")
    for row in zip(out["omega"], out["J"], out["G"], out["S"]):
        print(" ".join(f"{x:16.9g}" if i else f"{x:12.6g}" for i, x in enumerate(row)))
    return 0
