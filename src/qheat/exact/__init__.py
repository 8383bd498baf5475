"""Exact benchmark: HEOM steady states and heat currents through QuTiP (extra ``qheat[exact]``)."""

from .converge import HeomOptions, HeomResult, solve_heom
from .heom import HeomLevel, HeomPoint, heom_point, qutip_drude_bath

__all__ = [
    "HeomLevel",
    "HeomOptions",
    "HeomPoint",
    "HeomResult",
    "heom_point",
    "qutip_drude_bath",
    "solve_heom",
]
