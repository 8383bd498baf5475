"""The ``qheat`` command line: one module per subcommand in this package.

Each subcommand module defines ``register(subparsers)``, which adds its parser and sets
``func(args) -> int``. Bad input ends with a one-line message and exit status 2, never a
traceback.
"""

from __future__ import annotations

import argparse
import importlib
import os
import pkgutil
import sys
import warnings
from collections.abc import Callable, Sequence

from tqdm import tqdm

from ..errors import QheatError
from ._parser import OneLineParser

__all__ = ["main", "build_parser", "commands", "SUMMARIES"]

SUMMARIES = {
    "bath": "spectral density J, G and Lamb-shift function S of a Drude, ohmic or underdamped bath",
    "compare": "grade every master equation against exact HEOM currents",
    "current": "heat currents and steady state at one parameter point",
    "explore": "interactive explorer in the browser: sliders, live currents, NDTC peak and map",
    "figure": "one of the paper's figures (2-6) and its data",
    "ndtc-map": "NDTC map of the Bloch-Redfield current over a plane of two parameters",
    "reproduce": "all of the paper's figures (2-6), their data and a summary",
    "sweep": "heat currents over a grid of parameters (netCDF or zarr)",
    "validate": "grade every master equation against HEOM on a fixed battery (markdown report)",
}
"""One line per subcommand: its ``help`` in its own parser and in ``qheat --help``, which lists
the subcommands without importing them (each imports what it needs: xarray, matplotlib...)."""

_DESCRIPTION = "Heat currents through small open quantum systems (Bloch-Redfield, Lindblad)."


def commands() -> dict[str, str]:
    """Subcommand name -> its module in this package (``ndtc_map`` is ``ndtc-map``), unimported."""
    names = sorted(m.name for m in pkgutil.iter_modules(__path__) if not m.name.startswith("_"))
    return {name.replace("_", "-"): name for name in names}


def build_parser(command: str | None = None) -> argparse.ArgumentParser:
    """The ``qheat`` parser with every subcommand module of this package registered.

    With ``command``, only that subcommand's module is imported and registered: each module
    imports what it needs (xarray, matplotlib, QuTiP), so one command does not pay for the others.
    """
    parser = OneLineParser(prog="qheat", description=_DESCRIPTION)
    subparsers = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for name, module in commands().items():
        if command is None or name == command:
            importlib.import_module(f"{__name__}.{module}").register(subparsers)
    return parser


def _overview_parser() -> argparse.ArgumentParser:
    """``qheat --help``, a missing or unknown command: the subcommands listed, none imported."""
    parser = OneLineParser(prog="qheat", description=_DESCRIPTION)
    subparsers = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for name in commands():
        subparsers.add_parser(name, help=SUMMARIES[name])
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``qheat`` command."""
    words = list(sys.argv[1:] if argv is None else argv)
    command = next((w for w in words if not w.startswith("-")), None)
    parser = build_parser(command) if command in commands() else _overview_parser()
    args = parser.parse_args(words)
    try:
        with warnings.catch_warnings():
            warnings.showwarning = _one_line_warning(args.command)
            return int(args.func(args))
    except (QheatError, ValueError) as exc:
        print(f"qheat {args.command}: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print(f"qheat {args.command}: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        # the reader closed the pipe (e.g. `qheat ... | head`): stop quietly, as Unix tools do
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 141


def _one_line_warning(command: str) -> Callable[..., None]:
    """Show a warning as one line, ``qheat COMMAND: warning: MESSAGE`` (no source line),
    on its own line even while a progress bar is drawn (``tqdm.write``)."""

    def show(message: Warning | str, category: type[Warning], *_: object, **__: object) -> None:
        tqdm.write(f"qheat {command}: warning: {category.__name__}: {message}", file=sys.stderr)

    return show
