"""Argument parsing shared by the subcommands: one-line errors, checked numbers, model options."""

from __future__ import annotations

import argparse
import math
import re
import sys
from collections.abc import Callable, Sequence
from typing import Any, NoReturn

__all__ = ["OneLineParser", "number", "add_model_options", "temperatures"]

NEGATIVE_NUMBER = re.compile(r"^-(\d|\.\d)|^-(inf|infinity|nan)$", re.IGNORECASE)
"""What argparse must take as a value rather than an option name: anything starting with a
minus and a digit (``-1e3``, ``-.5``, a range ``-1:5:3``) and ``-inf``, ``-nan``."""


class OneLineParser(argparse.ArgumentParser):
    """An ``ArgumentParser`` whose errors are one line on stderr with exit status 2.

    Abbreviated options are refused (``--omega`` must not silently mean ``--omega-d``), an
    unknown option of a subcommand is reported with the list of the options it allows, and
    every negative number is a value, not an option (argparse's own rule misses ``-1e3``,
    ``-inf`` and ranges such as ``-1:5:3``, which then read as "expected one argument").
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("allow_abbrev", False)
        super().__init__(*args, **kwargs)
        self._negative_number_matcher = NEGATIVE_NUMBER

    def error(self, message: str) -> NoReturn:
        print(f"{self.prog}: error: {' '.join(message.split())}", file=sys.stderr)
        sys.exit(2)

    def parse_known_args(  # type: ignore[override]
        self, args: Sequence[str] | None = None, namespace: argparse.Namespace | None = None
    ) -> tuple[argparse.Namespace, list[str]]:
        parsed, extras = super().parse_known_args(args, namespace)
        is_leaf = not any(isinstance(a, argparse._SubParsersAction) for a in self._actions)
        if extras and is_leaf:
            allowed = sorted(
                {o for a in self._actions for o in a.option_strings if o.startswith("--")}
            )
            self.error(
                f"unrecognized arguments: {' '.join(extras)} (allowed options: {', '.join(allowed)})"
            )
        return parsed, extras


def number(
    name: str, *, minimum: float | None = None, positive: bool = False
) -> Callable[[str], float]:
    """An argparse ``type`` for a finite float, with its allowed range in the message."""

    def parse(text: str) -> float:
        try:
            value = float(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{name} must be a number, got {text!r}") from None
        if not math.isfinite(value):
            raise argparse.ArgumentTypeError(f"{name} must be finite, got {text!r}")
        if positive and value <= 0:
            raise argparse.ArgumentTypeError(f"{name} must be > 0, got {text}")
        if minimum is not None and value < minimum:
            raise argparse.ArgumentTypeError(f"{name} must be >= {minimum:g}, got {text}")
        return value + 0.0  # -0.0 is 0 (echoed as 0)

    return parse


def add_model_options(parser: argparse.ArgumentParser) -> None:
    """Options of the paper's model and baths (Eqs. 1, 17), with the paper's Fig. 3 defaults."""
    group = parser.add_argument_group("model (Eq. 1) and Drude baths (Eq. 17); hbar = kB = 1")
    group.add_argument(
        "--eps1", type=number("--eps1", positive=True), default=5.0, help="e1 > 0 (default 5)"
    )
    group.add_argument(
        "--eps2", type=number("--eps2", positive=True), default=4.0, help="e2 > 0 (default 4)"
    )
    group.add_argument(
        "--g", type=number("--g"), default=0.5, help="qubit-qubit coupling g (default 0.5)"
    )
    group.add_argument(
        "--gamma1",
        type=number("--gamma1", minimum=0),
        default=0.01,
        help="bath 1 coupling >= 0 (default 0.01)",
    )
    group.add_argument(
        "--gamma2",
        type=number("--gamma2", minimum=0),
        default=0.01,
        help="bath 2 coupling >= 0 (default 0.01)",
    )
    group.add_argument(
        "--omega-d",
        type=number("--omega-d", positive=True),
        default=50.0,
        help="Drude cutoff > 0 (default 50)",
    )
    group.add_argument(
        "--t2", type=number("--t2", minimum=0), default=5.0, help="T2 >= 0 (default 5)"
    )
    hot = group.add_mutually_exclusive_group()
    hot.add_argument("--t1", type=number("--t1", minimum=0), help="T1 >= 0")
    hot.add_argument(
        "--dt", type=number("--dt"), help="T1 - T2, the paper's axis (T1 = T2 + DT >= 0)"
    )


def temperatures(args: argparse.Namespace) -> tuple[float, float]:
    """``(T1, T2)`` from ``--t1`` or ``--dt`` (default ``T1 = T2``)."""
    if args.t1 is not None:
        return args.t1, args.t2
    t1 = args.t2 + (args.dt if args.dt is not None else 0.0)
    if not (math.isfinite(t1) and t1 >= 0):
        raise ValueError(f"--dt gives T1 = T2 + DT = {t1:g}; T1 must be finite and >= 0")
    return t1, args.t2
