"""``qheat explore``: the interactive explorer in the browser, served locally."""

from __future__ import annotations

import argparse
from typing import Any

from ..errors import QheatError
from . import SUMMARIES

__all__ = ["register", "run"]


def _port(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"--port must be an integer, got {text!r}") from None
    if not 0 < value < 65536:
        raise argparse.ArgumentTypeError(f"--port must be in [1, 65535], got {value}")
    return value


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "explore",
        help=SUMMARIES["explore"],
        description="Serve a page with sliders for every parameter (the paper's model, or a "
        "device file's [parameters]), the heat current along a swept axis for each bath and "
        "master equation (NDTC peak and secular-validity marker read out), the steady state, an "
        "NDTC map and exports (PNG, netCDF, the qheat sweep command, Python). Bound to "
        "127.0.0.1 unless --address says otherwise. Stop it with Ctrl-C.",
    )
    parser.add_argument("--device", metavar="FILE", help="a device file (parsed, never run)")
    parser.add_argument("--port", type=_port, default=5006, help="port (default 5006)")
    parser.add_argument(
        "--address",
        default="127.0.0.1",
        help="address to bind (default 127.0.0.1: this machine only)",
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

    serve(device=args.device, port=args.port, address=args.address, show=args.show)
    return 0
