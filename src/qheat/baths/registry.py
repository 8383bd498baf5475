"""Baths by name: the spectral densities a device file or the command line can ask for.

``make_bath("drude", {"gamma": 0.01, "omega_d": 50, "t": 1})`` builds a
:class:`~qheat.baths.DrudeBath`; ``"ohmic"`` (``gamma, omega_c, s, t``) an
:class:`~qheat.baths.OhmicBath` and ``"underdamped"`` (``gamma, omega_0, width, t``) an
:class:`~qheat.baths.UnderdampedBath`. Each entry names its parameters (``t`` is the temperature)
in the units of qheat (hbar = kB = 1; lambda^2 absorbed into ``gamma``).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from ..errors import InvalidParameterError
from .drude import DrudeBath
from .ohmic import OhmicBath
from .underdamped import UnderdampedBath

__all__ = ["SPECTRAL_DENSITIES", "BathKind", "make_bath"]


@dataclass(frozen=True)
class BathKind:
    """One named spectral density: its constructor and the parameter names it takes."""

    formula: str
    parameters: tuple[str, ...]
    build: Callable[..., Any]


SPECTRAL_DENSITIES: dict[str, BathKind] = {
    "drude": BathKind(
        formula="J(w) = gamma w / (1 + (w/omega_d)^2)",
        parameters=("gamma", "omega_d", "t"),
        build=lambda gamma, omega_d, t: DrudeBath(gamma=gamma, omega_d=omega_d, temperature=t),
    ),
    "ohmic": BathKind(
        formula="J(w) = gamma w (|w|/omega_c)^(s-1) exp(-|w|/omega_c)",
        parameters=("gamma", "omega_c", "s", "t"),
        build=lambda gamma, omega_c, s, t: OhmicBath(
            gamma=gamma, omega_c=omega_c, s=s, temperature=t
        ),
    ),
    "underdamped": BathKind(
        formula="J(w) = gamma w omega_0^4 / ((omega_0^2 - w^2)^2 + width^2 w^2)",
        parameters=("gamma", "omega_0", "width", "t"),
        build=lambda gamma, omega_0, width, t: UnderdampedBath(
            gamma=gamma, omega_0=omega_0, width=width, temperature=t
        ),
    ),
}
"""Name -> :class:`BathKind`; ``t`` is the temperature of every kind."""


def make_bath(kind: str, parameters: Mapping[str, Any]) -> Any:
    """The bath of spectral density ``kind`` with ``parameters`` (exactly its names).

    Raises:
        InvalidParameterError: an unknown kind, a missing or unknown parameter, or a value out
            of range (the bath's own check, naming the parameter).
    """
    if kind not in SPECTRAL_DENSITIES:
        raise InvalidParameterError(
            f"spectral_density must be one of {', '.join(SPECTRAL_DENSITIES)}, got {kind!r}"
        )
    entry = SPECTRAL_DENSITIES[kind]
    missing = [p for p in entry.parameters if p not in parameters]
    unknown = [p for p in parameters if p not in entry.parameters]
    if missing or unknown:
        raise InvalidParameterError(
            f"the {kind} bath takes exactly {', '.join(entry.parameters)}; "
            + (f"missing {', '.join(missing)}" if missing else f"unknown {', '.join(unknown)}")
        )
    return entry.build(**{p: parameters[p] for p in entry.parameters})
