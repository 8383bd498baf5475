"""Steady states (batched, with diagnostics) and heat currents (Eqs. 21-23)."""

from .currents import heat_currents
from .result import Solution
from .solve import SteadyState, steady_state

__all__ = ["Solution", "SteadyState", "heat_currents", "steady_state"]
