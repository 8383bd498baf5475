"""qheat: quantum heat transport through small open quantum systems, beyond the secular
approximation (Bloch-Redfield and Lindblad master equations).

Units: hbar = kB = 1. See ``docs/theory.md`` for the equations the functions cite.
"""

from .api import paper_system, solve
from .baths import DrudeBath, lamb_shift_quadrature
from .errors import (
    ConvergenceWarning,
    IllConditionedWarning,
    InvalidParameterError,
    NonUniqueSteadyStateError,
    PositivityWarning,
    QheatError,
)
from .master import BlochRedfield, Generator, GlobalLindblad
from .model import Eigenbasis, OpenSystem, TwoQubitModel
from .steady import Solution, SteadyState, heat_currents, steady_state

__version__ = "0.1.0"

__all__ = [
    "BlochRedfield",
    "ConvergenceWarning",
    "DrudeBath",
    "Eigenbasis",
    "Generator",
    "GlobalLindblad",
    "IllConditionedWarning",
    "InvalidParameterError",
    "NonUniqueSteadyStateError",
    "OpenSystem",
    "PositivityWarning",
    "QheatError",
    "Solution",
    "SteadyState",
    "TwoQubitModel",
    "heat_currents",
    "lamb_shift_quadrature",
    "paper_system",
    "solve",
    "steady_state",
]
