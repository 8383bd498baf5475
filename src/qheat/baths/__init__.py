"""Baths: spectral densities, Bose factor, G(w) and the Lamb-shift function S(w)."""

from .bose import bose, emission_factor
from .drude import DrudeBath
from .quadrature import lamb_shift_quadrature

__all__ = ["DrudeBath", "bose", "emission_factor", "lamb_shift_quadrature"]
