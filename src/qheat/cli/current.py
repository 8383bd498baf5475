"""``qheat current``: steady-state heat currents at one parameter point.

Of the paper's model (options ``--eps1 ... --t2``), or of a device file (``--device FILE``
with ``--param NAME=VALUE`` overriding its ``[parameters]``; see ``docs/devices.md``).
"""

from __future__ import annotations

import argparse
import json
import math
import sys
import warnings
from typing import TYPE_CHECKING, Any

import numpy as np

from ..api import paper_system, solve
from ..errors import InvalidParameterError, NonUniqueSteadyStateError
from ..master import (
    BlochRedfield,
    GlobalLindblad,
    LocalLindblad,
    MasterEquation,
    UniversalLindblad,
)
from ..master.equations import SECULAR_RATIO_NOTICE, secular_notice
from ..model import OpenSystem
from ..steady import Solution
from ..steady.cumulants import COUNTING_IMBALANCE_WARN, MAX_ORDER
from ..steady.solve import SOLVERS
from ..steady.truncation import TRUNCATION_WARN, top_level_populations
from ..steady.validity import weak_coupling_notice
from . import SUMMARIES
from ._parser import add_model_options, temperatures

if TYPE_CHECKING:
    from ..devices import Device

EQUATION_CHOICES = ("br", "lindblad", "local", "ule", "heom", "all")
PAPER_EQUATIONS = ("br", "lindblad")
"""What ``--equation all`` means for the paper's model (the equations of its golden values)."""
MODEL_OPTIONS = ("eps1", "eps2", "g", "gamma1", "gamma2", "omega_d", "t1", "t2", "dt")
"""Destinations of the paper's model options (refused together with ``--device``)."""


def equations(choice: str, lamb_shift: bool, names: tuple[str, ...] = ()) -> list[MasterEquation]:
    """The master equations named by ``--equation`` (``all``: those in ``names``, else all)."""
    table: dict[str, MasterEquation] = {
        "br": BlochRedfield(lamb_shift=lamb_shift),
        "lindblad": GlobalLindblad(lamb_shift=lamb_shift),
        "local": LocalLindblad(lamb_shift=lamb_shift),
        "ule": UniversalLindblad(lamb_shift=lamb_shift),
    }
    if choice != "all":
        return [table[choice]]
    return [eq for name, eq in table.items() if not names or name in names]


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "current",
        help=SUMMARIES["current"],
        description="Steady-state heat currents (Eqs. 21-23; J > 0 flows from the bath into "
        "the system). The paper's model: J1, J2 and the steady state in the eigenbasis (s1, "
        "s2, s3, s4). A device file (--device FILE, see docs/devices.md): the current of each "
        "bath, keyed by its name; with --equation all an equation that does not apply to the "
        'device (the local one on a single qubit) is omitted with its reason ({"omitted": '
        "REASON} in --json) and the others are kept. For the global Lindblad equation also its secular_ratio "
        "(transition rate over the smallest Bohr-frequency gap it neglects; above 1 it is "
        "outside its validity). Warnings (PositivityWarning, IllConditionedWarning, "
        "SecularityWarning) are printed as one line each on stderr and listed under "
        "'warnings' in --json output.",
    )
    add_model_options(parser)
    defaults = {name: parser.get_default(name) for name in MODEL_OPTIONS}
    parser.set_defaults(**{name: None for name in MODEL_OPTIONS}, paper_defaults=defaults)
    group = parser.add_argument_group("a device file instead of the paper's model")
    group.add_argument("--device", metavar="FILE", help="a device file (TOML, docs/devices.md)")
    group.add_argument(
        "--param",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="set a parameter of the device's [parameters] (repeatable)",
    )
    parser.add_argument(
        "--equation",
        choices=EQUATION_CHOICES,
        default="all",
        help="master equation (default all: br and lindblad for the paper's model; br, "
        "lindblad, local and ule for a device; local, ule and heom need --device; heom: the "
        "exact HEOM currents, converged in order and depth, needs QuTiP, qheat[exact])",
    )
    parser.add_argument("--no-lamb-shift", action="store_true", help="set S(w) = 0 everywhere")
    parser.add_argument(
        "--solver",
        choices=SOLVERS,
        default="auto",
        help="steady-state solver: dense (block solve, exact condition number), krylov "
        "(matrix-free, large devices; condition number not computed) or auto (krylov from "
        "d = 32); docs/large-devices.md",
    )
    parser.add_argument(
        "--cumulants",
        type=_cumulant_order,
        default=0,
        metavar="N",
        help="also the first N cumulants of the heat from each bath (2: current and noise, 3: "
        "and the third cumulant; up to 6) and, from 2 on, the TUR ratio "
        "c2 sigma / c1^2; docs/fluctuations.md",
    )
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    if args.device is not None:
        return run_device(args)
    if args.param:
        raise InvalidParameterError("--param sets a parameter of a device file; give --device FILE")
    for name, value in args.paper_defaults.items():
        if getattr(args, name) is None:
            setattr(args, name, value)
    if args.equation not in (*PAPER_EQUATIONS, "all"):
        raise InvalidParameterError(
            f"--equation {args.equation} needs --device FILE; the paper's model offers "
            f"{', '.join(PAPER_EQUATIONS)}, all"
        )
    return run_paper(args)


def run_paper(args: argparse.Namespace) -> int:
    t1, t2 = temperatures(args)
    if args.gamma1 == 0 and args.gamma2 == 0:
        raise NonUniqueSteadyStateError(
            "--gamma1 and --gamma2 are both 0: no bath couples, so there is no unique steady "
            "state; give at least one of them a value > 0"
        )
    system = paper_system(
        args.eps1, args.eps2, args.g, args.gamma1, args.gamma2, args.omega_d, t1, t2
    )
    results: dict[str, dict[str, Any]] = {}
    for eq in equations(args.equation, not args.no_lamb_shift, PAPER_EQUATIONS):
        sol, notes = _solve(system, eq, args)
        results[eq.name] = {
            "J1": float(sol.J1),
            "J2": float(sol.J2),
            "currents": _currents(sol),
            "rho_real": np.real(sol.rho).tolist(),
            "rho_imag": np.imag(sol.rho).tolist(),
            "min_eigenvalue": float(sol.min_eigenvalue),
            "residual": float(sol.state.residual),
            **_solver(sol),
            "conservation_residual": float(sol.conservation_residual),
            **_validity(sol),
            **_fluctuations(sol),
            "warnings": notes,
        }
        if sol.secular_ratio is not None:  # secular equations: rate / neglected gap
            results[eq.name]["secular_ratio"] = float(sol.secular_ratio)
    if args.json:
        print(json.dumps(results))
        return 0
    print(
        f"eps1={args.eps1:g} eps2={args.eps2:g} g={args.g:g} gamma1={args.gamma1:g} "
        f"gamma2={args.gamma2:g} omega_d={args.omega_d:g} T1={t1:g} T2={t2:g}"
        f"{'  (no Lamb shift)' if args.no_lamb_shift else ''}"
    )
    for name, r in results.items():
        print(
            f"\n[{name}]  J1 = {r['J1']:+.10e}   J2 = {r['J2']:+.10e}   J1 + J2 = {r['J1'] + r['J2']:+.2e}"
        )
        if "secular_ratio" in r:
            ratio = r["secular_ratio"]
            print(
                secular_notice(ratio)
                or f"secular_ratio {ratio:.3g}: below the notice level "
                f"{SECULAR_RATIO_NOTICE:g} (transition rate / smallest neglected gap)"
            )
        _print_validity(r)
        _print_fluctuations(r)
        print(
            f"steady state in the eigenbasis (s1..s4), smallest eigenvalue {r['min_eigenvalue']:.3e}:"
        )
        for re_row, im_row in zip(r["rho_real"], r["rho_imag"]):
            print("  " + "  ".join(f"{a:+.6f}{b:+.6f}j" for a, b in zip(re_row, im_row)))
    return 0


def run_device(args: argparse.Namespace) -> int:
    """``--device FILE``: the currents of each bath of the file, keyed by the baths' names."""
    from ..devices import load_device

    given = [
        f"--{name.replace('_', '-')}" for name in MODEL_OPTIONS if getattr(args, name) is not None
    ]
    if given:
        raise InvalidParameterError(
            f"{given[0]} is an option of the paper's model; with --device set the file's "
            "parameters with --param NAME=VALUE"
        )
    device = load_device(args.device)
    params = parse_params(args.param)
    system = device.system(**params)
    if args.equation == "heom":
        return report_heom(device, system, params, args)
    results: dict[str, dict[str, Any]] = {}
    chosen = equations(args.equation, not args.no_lamb_shift)
    refusals: list[InvalidParameterError] = []
    for eq in chosen:
        try:
            sol, notes = _solve(system, eq, args)
        except InvalidParameterError as exc:
            if args.equation != "all":  # asked for by name: refused with its reason
                raise
            refusals.append(exc)  # does not apply to this device (e.g. local on one qubit)
            results[eq.name] = {"omitted": " ".join(str(exc).split())}
            continue
        secular = sol.secular_ratio
        results[eq.name] = {
            "currents": _currents(sol),
            "min_eigenvalue": float(sol.min_eigenvalue),
            "residual": float(sol.state.residual),
            **_solver(sol),
            "conservation_residual": float(sol.conservation_residual),
            "secular_ratio": None if secular is None else float(secular),
            **_validity(sol),
            **_fluctuations(sol),
            **_truncation(system, sol),
            "warnings": notes,
        }
        _to_lab_units(results[eq.name], device)
    if len(refusals) == len(chosen):  # nothing applies: the first reason, one line
        raise refusals[0]
    if args.json:
        print(json.dumps(results))
        return 0
    _device_header(device, params, args.no_lamb_shift)
    for name, r in results.items():
        if "omitted" in r:
            print(f"\n[{name}]  omitted: {r['omitted']}")
            continue
        watts = " W" if "units" in r else ""
        currents = "   ".join(f"J[{b}] = {j:+.10e}{watts}" for b, j in r["currents"].items())
        print(f"\n[{name}]  {currents}   sum = {sum(r['currents'].values()):+.2e}{watts}")
        print(
            f"smallest eigenvalue of the state {r['min_eigenvalue']:.3e}, residual "
            f"{r['residual']:.2e}, condition number {_condition_text(r)}"
        )
        _print_validity(r)
        _print_fluctuations(r)
        _print_truncation(r)
        if r["secular_ratio"] is not None:
            ratio = r["secular_ratio"]
            print(
                secular_notice(ratio)
                or f"secular_ratio {ratio:.3g}: below the notice level "
                f"{SECULAR_RATIO_NOTICE:g} (transition rate / smallest neglected gap)"
            )
    return 0


def report_heom(
    device: Device, system: OpenSystem, params: dict[str, float], args: argparse.Namespace
) -> int:
    """``--equation heom``: the exact currents of :func:`qheat.exact.heom_report` (QuTiP)."""
    from ..exact import heom_report

    if args.no_lamb_shift:
        raise InvalidParameterError(
            "--no-lamb-shift does not apply to --equation heom (the exact solution has no "
            "separate Lamb shift); drop one of them"
        )
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        report = heom_report(system)
    notes = [f"{w.category.__name__}: {' '.join(str(w.message).split())}" for w in caught]
    for note in notes:
        print(f"qheat current: warning [heom]: {note}", file=sys.stderr)
    if not report["converged"]:  # never presented as an exact result
        estimate = report["error_estimate"]
        print(
            f"qheat current: error: HEOM did not converge within its budget (order "
            f"{report['order']}, depth {report['depth']}, error estimate "
            f"{'unknown' if estimate is None else f'{estimate:.2e}'}; {report.get('reason', '')}): "
            "no exact currents to report; weaker coupling or higher temperatures converge faster",
            file=sys.stderr,
        )
        return 1
    if device.units is not None:  # the currents and their error estimate in W
        scale = device.units.output_scale("current")
        report["currents"] = {bath: j * scale for bath, j in report["currents"].items()}
        if report["error_estimate"] is not None:
            report["error_estimate"] *= scale
        report["units"] = {"currents": "W", "error_estimate": "W"}
    if args.json:
        print(json.dumps({"heom": {**report, "warnings": notes}}))
        return 0
    _device_header(device, params, False)
    watts = " W" if device.units is not None else ""
    currents = "   ".join(f"J[{b}] = {j:+.10e}{watts}" for b, j in report["currents"].items())
    print(f"\n[heom]  {currents}   sum = {sum(report['currents'].values()):+.2e}{watts}")
    estimate = report["error_estimate"]
    print(
        f"converged at order "
        f"{report['order']}, depth {report['depth']}; error estimate "
        f"{'unknown' if estimate is None else f'{estimate:.2e}'}"
    )
    return 0


def _device_header(device: Device, params: dict[str, float], no_lamb_shift: bool) -> None:
    """The first line of the human-readable output of a device: file, qubits or sites (and
    units), baths, values."""
    values = {**device.parameters, **params}
    shown = " ".join(f"{k}={v:g}" for k, v in values.items())
    print(
        f"device {device.source}: {device.summary}, baths {', '.join(device.bath_names)}"
        f"{'; ' + shown if shown else ''}{'  (no Lamb shift)' if no_lamb_shift else ''}"
    )


def _truncation(system: OpenSystem, sol: Solution) -> dict[str, Any]:
    """``top_level_population`` ``{site: p}`` of the truncated sites (none: nothing)."""
    tops = top_level_populations(system, sol.state)
    if not tops:
        return {}
    return {"top_level_population": {site: float(p) for site, p in tops.items()}}


def _print_truncation(r: dict[str, Any]) -> None:
    """The top-level populations of a printed summary, with the advice when one is full."""
    tops = r.get("top_level_population")
    if not tops:
        return
    shown = ", ".join(f"{site} {p:.3g}" for site, p in tops.items())
    full = [site for site, p in tops.items() if p > TRUNCATION_WARN]
    advice = (
        f": above {TRUNCATION_WARN:g} for {', '.join(full)}, raise their levels"
        if full
        else f" (all below {TRUNCATION_WARN:g})"
    )
    print(f"top-level population of the truncated sites: {shown}{advice}")


def _to_lab_units(r: dict[str, Any], device: Device) -> None:
    """A device with ``[units]``: the currents in W, the entropy production in W/K, the
    cumulants in J^n/s, and ``units`` naming them (qheat.units); else nothing changes."""
    units = device.units
    if units is None:
        return
    scale = units.output_scale("current")
    r["currents"] = {bath: j * scale for bath, j in r["currents"].items()}
    if r.get("entropy_production") is not None:
        r["entropy_production"] *= units.output_scale("entropy_production")
    if "cumulants" in r:
        r["cumulants"] = {
            bath: [c * units.cumulant_scale(n) for n, c in enumerate(values, 1)]
            for bath, values in r["cumulants"].items()
        }
    r["units"] = {
        "currents": "W",
        "entropy_production": "W/K",
        **({"cumulants": "J^n/s (c1 in W, c2 in J^2/s, ...)"} if "cumulants" in r else {}),
        "parameters": {name: device.parameter_unit(name) for name in device.parameters},
    }


def _finite_or_none(value: float) -> float | None:
    """JSON has no infinity: an infinite condition number (a degenerate steady state) is null."""
    return value if math.isfinite(value) else None


def parse_params(items: list[str]) -> dict[str, float]:
    """``["NAME=VALUE", ...]`` as ``{NAME: VALUE}``: finite numbers, each name once."""
    params: dict[str, float] = {}
    for item in items:
        name, sep, text = item.partition("=")
        name = name.strip()
        if not sep or not name:
            raise InvalidParameterError(f"--param must be NAME=VALUE, got {item!r}")
        try:
            value = float(text)
        except ValueError:
            value = math.nan
        if not math.isfinite(value):
            raise InvalidParameterError(f"--param {name} must be a finite number, got {text!r}")
        if name in params:
            raise InvalidParameterError(f"--param {name} is given more than once")
        params[name] = value
    return params


def _solve(
    system: OpenSystem, eq: MasterEquation, args: argparse.Namespace
) -> tuple[Solution, list[str]]:
    """``solve(system, eq)`` with its warnings printed (one line each) and returned."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        sol = solve(system, eq, solver=args.solver, cumulants=args.cumulants)
    notes = [f"{w.category.__name__}: {' '.join(str(w.message).split())}" for w in caught]
    for note in notes:
        print(f"qheat current: warning [{eq.name}]: {note}", file=sys.stderr)
    return sol, notes


def _condition_text(r: dict[str, Any]) -> str:
    """The condition number of a printed summary, or why there is none."""
    if r["condition_number"] is not None:
        return format(r["condition_number"], ".3g")
    if r.get("solver") == "krylov":
        return f"not computed (matrix-free Krylov solve, {r.get('iterations')} applications of L)"
    return "inf"


def _print_fluctuations(r: dict[str, Any]) -> None:
    """One line per bath: its heat cumulants and TUR ratio (when asked for)."""
    for bath, values in r.get("cumulants", {}).items():
        shown = "   ".join(f"c{n} = {c:+.6e}" for n, c in enumerate(values, 1))
        tur = r.get("tur_ratio", {}).get(bath)
        print(f"cumulants [{bath}]  {shown}" + ("" if tur is None else f"   TUR Q = {tur:.6g}"))
    imbalance = r.get("counting_imbalance")
    if imbalance is not None and imbalance > COUNTING_IMBALANCE_WARN:
        print(
            f"counting imbalance |sum_j c1_j| / max |c1_j| = {imbalance:.3g} > "
            f"{COUNTING_IMBALANCE_WARN:g}: c1 is not J, the noise and TUR ratio are uncertain "
            "at that level"
        )


def _cumulant_order(text: str) -> int:
    """``--cumulants N``: an integer from 0 to 6."""
    try:
        value = int(text)
    except ValueError:
        value = -1
    if not 0 <= value <= MAX_ORDER:
        raise argparse.ArgumentTypeError(
            f"--cumulants must be an integer from 0 to {MAX_ORDER}, got {text!r}"
        )
    return value


def _solver(sol: Solution) -> dict[str, Any]:
    """Which solver ran, and the condition number with the reason when there is none."""
    cond = float(sol.state.condition_number)
    out: dict[str, Any] = {"solver": sol.state.solver, "condition_number": _finite_or_none(cond)}
    if sol.state.iterations is not None:
        out["iterations"] = int(sol.state.iterations)
    if sol.state.solver == "krylov":
        out["condition_number_note"] = (
            "not computed by the matrix-free Krylov solver (it would need the inverse); the "
            "residual of the whole L is the accuracy measure"
        )
    elif not math.isfinite(cond):
        out["condition_number_note"] = "infinite: the steady state is not unique"
    return out


def _fluctuations(sol: Solution) -> dict[str, Any]:
    """``cumulants`` ``{bath: [c1, ..., cN]}``, ``counting_imbalance`` and ``tur_ratio``
    ``{bath: Q}`` when computed."""
    if sol.cumulants is None:
        return {}
    out: dict[str, Any] = {
        "cumulants": {
            name: [float(c) for c in sol.cumulants[j]] for j, name in enumerate(sol.bath_names)
        }
    }
    if sol.counting_imbalance is not None:
        out["counting_imbalance"] = float(sol.counting_imbalance)
    if sol.tur_ratio is not None:
        out["tur_ratio"] = {
            name: _finite_or_none(float(q)) for name, q in zip(sol.bath_names, sol.tur_ratio)
        }
    return out


def _validity(sol: Solution) -> dict[str, Any]:
    """The weak-coupling diagnostics of a one-point solution (docs/trust.md) for JSON."""
    ratio, sigma = sol.weak_coupling_ratio, sol.entropy_production
    broken = sol.second_law_broken
    return {
        "weak_coupling_ratio": None if ratio is None else float(ratio),
        "entropy_production": None if sigma is None else _finite_or_none(float(sigma)),
        "second_law_broken": None if broken is None else bool(broken),
    }


def _print_validity(r: dict[str, Any]) -> None:
    """The weak-coupling line of a printed summary: a notice, or the ratio below it."""
    ratio = r["weak_coupling_ratio"]
    if ratio is None:
        return
    notice = weak_coupling_notice(ratio, bool(r["second_law_broken"]))
    print(notice or f"weak-coupling ratio {ratio:.3g}: weak coupling (docs/trust.md)")


def _currents(sol: Solution) -> dict[str, float]:
    """``{bath name: J}`` of a one-point solution."""
    return {name: float(j) for name, j in sol.currents_by_bath.items()}
