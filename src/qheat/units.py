"""Lab units: energies in h x GHz or h x MHz, temperatures in mK or K, heat currents in W.

qheat computes in natural units, ``hbar = kB = 1``, with the energy unit

    u = h x (1 GHz) = 6.62607015e-25 J,

so a frequency ``f`` (in GHz) is the energy ``h f = f u``: ``5.0`` in a Hamiltonian term is a
transition at ``omega / 2 pi = 5 GHz``. Every other unit follows from ``u`` with
``hbar = kB = 1`` (``h = 2 pi hbar``, SI values exact since 2019):

| quantity | internal unit | in SI |
|---|---|---|
| energy, frequency | ``u = h x 1 GHz`` | ``6.626e-25 J`` |
| temperature | ``u / kB`` | ``0.04799 K`` (1 mK is 0.020837 u) |
| time | ``hbar / u = 1 / (2 pi x 1 GHz)`` | ``1.592e-10 s`` |
| rate | ``u / hbar = 2 pi x 1e9 / s`` | ``6.283e9 / s`` |
| heat current | ``u^2 / hbar`` | ``2 pi h (1 GHz)^2 = 4.1633e-15 W`` |
| entropy production | ``u / hbar`` (``kB = 1``) | ``kB u / hbar = 8.675e-14 W/K`` |

The bath frequencies (``omega_d``, ``omega_c``, ``omega_0``, ``width``) are energies
``hbar omega`` in the energy unit, like the Hamiltonian's (``omega_d = 20`` in GHz is
``omega_D = 2 pi x 20 GHz``); ``gamma`` and ``s`` are dimensionless
(:data:`BATH_PARAMETER_DIMENSIONS`). This module is the one place where numbers change unit;
it holds no global state: a :class:`Units` is a value a device carries.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal

from .errors import InvalidParameterError

__all__ = [
    "BATH_PARAMETER_DIMENSIONS",
    "CURRENT_W",
    "ENERGY_J",
    "ENERGY_UNITS",
    "ENTROPY_PRODUCTION_W_PER_K",
    "H",
    "HBAR",
    "KB",
    "RATE_PER_S",
    "TEMPERATURE_K",
    "TEMPERATURE_UNITS",
    "Dimension",
    "Units",
]

Dimension = Literal["energy", "temperature", "1"]
"""What a number of a device file measures: an energy (or frequency), a temperature, or
nothing (``"1"``: a dimensionless coupling such as ``gamma``)."""

H = 6.62607015e-34
"""Planck's constant in J s (exact, SI 2019)."""
HBAR = H / (2 * math.pi)
"""``hbar = h / 2 pi`` in J s."""
KB = 1.380649e-23
"""Boltzmann's constant in J/K (exact, SI 2019)."""

ENERGY_J = H * 1e9
"""The internal energy unit ``u = h x 1 GHz`` in joules."""
TEMPERATURE_K = ENERGY_J / KB
"""The internal temperature unit ``u / kB`` in kelvin (0.04799 K)."""
RATE_PER_S = ENERGY_J / HBAR
"""The internal rate unit ``u / hbar = 2 pi x 1e9`` per second."""
CURRENT_W = ENERGY_J**2 / HBAR
"""The internal heat-current unit ``u^2 / hbar = 2 pi h (1 GHz)^2`` in watts (4.1633e-15 W)."""
ENTROPY_PRODUCTION_W_PER_K = CURRENT_W / TEMPERATURE_K
"""The internal unit of ``-sum_j J_j / T_j`` (``u / hbar`` with ``kB = 1``) in W/K."""

ENERGY_UNITS: dict[str, float] = {"GHz": 1.0, "MHz": 1e-3}
"""``[units] energy``: each name's value in the internal unit ``u = h x 1 GHz``."""
TEMPERATURE_UNITS: dict[str, float] = {"K": 1.0, "mK": 1e-3}
"""``[units] temperature``: each name's value in kelvin."""

BATH_PARAMETER_DIMENSIONS: dict[str, Dimension] = {
    "gamma": "1",
    "s": "1",
    "omega_d": "energy",
    "omega_c": "energy",
    "omega_0": "energy",
    "width": "energy",
    "t": "temperature",
}
"""The dimension of every parameter of :data:`qheat.baths.registry.SPECTRAL_DENSITIES`.

``gamma`` is dimensionless in each kind (``J(w) ~ gamma w`` at small ``w``, a rate over a
frequency); ``s`` is an exponent; the cutoffs, the resonance and its width are frequencies
(energies ``hbar omega``); ``t`` is the temperature."""

_OUTPUTS = {
    "current": (CURRENT_W, "W"),
    "entropy_production": (ENTROPY_PRODUCTION_W_PER_K, "W/K"),
    "rate": (RATE_PER_S, "1/s"),
}


@dataclass(frozen=True)
class Units:
    """The lab units of a device: its energy and temperature units, and what follows.

    Args:
        energy: ``"GHz"`` or ``"MHz"`` (an energy ``h f``; frequencies alike).
        temperature: ``"mK"`` or ``"K"``.

    Raises:
        InvalidParameterError: another name (the message lists the allowed ones).

    Example:
        >>> units = Units("GHz", "mK")
        >>> units.to_internal(5.0, "energy"), round(units.to_internal(20.0, "temperature"), 6)
        (5.0, 0.416732)
        >>> f"{units.output_scale('current'):.5g} {units.output_unit('current')}"
        '4.1633e-15 W'
    """

    energy: str
    temperature: str

    def __post_init__(self) -> None:
        for name, value, allowed in (
            ("energy", self.energy, ENERGY_UNITS),
            ("temperature", self.temperature, TEMPERATURE_UNITS),
        ):
            if not isinstance(value, str) or value not in allowed:
                raise InvalidParameterError(
                    f"units.{name} must be one of {', '.join(map(repr, allowed))}, got {value!r}"
                )

    def scale(self, dimension: Dimension) -> float:
        """Internal value of one device unit of ``dimension`` (``x_internal = scale * x``)."""
        if dimension == "energy":
            return ENERGY_UNITS[self.energy]
        if dimension == "temperature":
            return TEMPERATURE_UNITS[self.temperature] / TEMPERATURE_K
        return 1.0

    def to_internal(self, value: float, dimension: Dimension) -> float:
        """``value`` (in this device's unit of ``dimension``) in the internal units."""
        return float(value) * self.scale(dimension)

    def unit(self, dimension: Dimension) -> str:
        """The name of this device's unit of ``dimension`` (``"1"`` when dimensionless)."""
        if dimension == "energy":
            return f"h x {self.energy}"
        if dimension == "temperature":
            return self.temperature
        return "1"

    def output_scale(self, quantity: str) -> float:
        """SI value of one internal unit of ``quantity``: ``"current"`` (W),
        ``"entropy_production"`` (W/K) or ``"rate"`` (1/s)."""
        return _output(quantity)[0]

    def output_unit(self, quantity: str) -> str:
        """The SI unit :meth:`output_scale` converts ``quantity`` to."""
        return _output(quantity)[1]

    def cumulant_scale(self, order: int) -> float:
        """SI value (``J^order / s``) of one internal unit of the ``order``-th cumulant of the
        heat (``u^order`` per time ``hbar / u``): ``c1`` in W, ``c2`` in ``J^2/s``, ..."""
        return float(ENERGY_J**order * RATE_PER_S)


def _output(quantity: str) -> tuple[float, str]:
    if quantity not in _OUTPUTS:
        raise InvalidParameterError(
            f"quantity must be one of {', '.join(map(repr, _OUTPUTS))}, got {quantity!r}"
        )
    return _OUTPUTS[quantity]
