"""Exact benchmark: HEOM steady states and heat currents through QuTiP (extra ``qheat[exact]``)."""

from .converge import HeomOptions, HeomResult, next_order, previous_order, solve_heom
from .exponents import REPRESENTABLE, Decomposition, decompose
from .heom import HeomLevel, HeomPoint, heom_point, hierarchy_size, terminator
from .report import heom_report, result_report

__all__ = [
    "REPRESENTABLE",
    "Decomposition",
    "HeomLevel",
    "HeomOptions",
    "HeomPoint",
    "HeomResult",
    "decompose",
    "heom_point",
    "heom_report",
    "hierarchy_size",
    "next_order",
    "previous_order",
    "result_report",
    "solve_heom",
    "terminator",
]
