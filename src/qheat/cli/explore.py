"""``qheat explore``: the interactive explorer in the browser, served locally."""

from __future__ import annotations

import argparse
import math
from collections.abc import Callable
from typing import Any

from ..errors import QheatError
from ..explorer.budget import DEFAULT_BUDGET
from . import SUMMARIES

__all__ = ["gib", "register", "run"]


def _port(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"--port must be an integer, got {text!r}") from None
    if not 0 < value < 65536:
        raise argparse.ArgumentTypeError(f"--port must be in [1, 65535], got {value}")
    return value


def gib(option: str) -> Callable[[str], int]:
    """An argparse type: a positive number of GiB, as bytes (``option`` names it in errors)."""

    def parse(text: str) -> int:
        try:
            value = float(text)
        except ValueError:
            value = math.nan
        if not (math.isfinite(value) and value > 0):
            raise argparse.ArgumentTypeError(
                f"{option} must be a number of GiB > 0, e.g. 2 or 0.5, got {text!r}"
            )
        return int(value * (1 << 30))

    return parse


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "explore",
        help=SUMMARIES["explore"],
        description="Serve a page with sliders for every parameter (the paper's model, or a "
        "device file's [parameters]), the heat current along a swept axis for each bath and "
        "master equation (NDTC peak and secular-validity marker read out), the steady state, an "
        "NDTC map and exports (PNG, netCDF, the qheat sweep command, Python). Bound to "
        "127.0.0.1 unless --address says otherwise; requests for another Host name are "
        "refused (403). Stop it with Ctrl-C.",
    )
    parser.add_argument("--device", metavar="FILE", help="a device file (parsed, never run)")
    parser.add_argument("--port", type=_port, default=5006, help="port (default 5006)")
    parser.add_argument(
        "--address",
        default="127.0.0.1",
        help="address to bind (default 127.0.0.1: this machine only)",
    )
    parser.add_argument(
        "--allow-host",
        action="append",
        default=[],
        metavar="NAME",
        help="another host name the page is reached by, e.g. behind a proxy (repeatable)",
    )
    parser.add_argument(
        "--memory-budget",
        type=gib("--memory-budget"),
        default=DEFAULT_BUDGET,
        metavar="GIB",
        help=f"memory each visitor's solves may hold, in GiB (default "
        f"{DEFAULT_BUDGET / (1 << 30):g}); curves and maps are solved in batches within it",
    )
    parser.add_argument(
        "--show",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="open a browser tab (default: --show)",
    )
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    try:
        import panel  # noqa: F401 (the explorer's page; an optional dependency)
    except ImportError:
        raise QheatError(
            "qheat explore needs Panel and Bokeh: pip install 'qheat[explore]'"
        ) from None
    from ..explorer import serve

    serve(
        device=args.device,
        port=args.port,
        address=args.address,
        show=args.show,
        memory_budget=args.memory_budget,
        allow_hosts=tuple(args.allow_host),
    )
    return 0
