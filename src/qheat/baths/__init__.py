"""Baths: spectral densities, Bose factor, G(w) and the Lamb-shift function S(w)."""

from .bose import bose, emission_factor
from .drude import DrudeBath
from .environments import from_qutip
from .exponential import ExponentialBath
from .ohmic import OhmicBath
from .quadrature import lamb_shift_integral, lamb_shift_quadrature
from .underdamped import UnderdampedBath
from .user import SpectralDensityBath

__all__ = [
    "DrudeBath",
    "ExponentialBath",
    "OhmicBath",
    "SpectralDensityBath",
    "UnderdampedBath",
    "bose",
    "emission_factor",
    "from_qutip",
    "lamb_shift_integral",
    "lamb_shift_quadrature",
]
