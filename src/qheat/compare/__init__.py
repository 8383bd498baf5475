"""Grade the master equations against HEOM: ``J1(dT)`` comparisons and the validation battery."""

from .runner import PRESETS, CompareSpec, compare_currents, default_equations, equation_label
from .summary import error_table, summarize, verdict

__all__ = [
    "PRESETS",
    "CompareSpec",
    "compare_currents",
    "default_equations",
    "equation_label",
    "error_table",
    "summarize",
    "verdict",
]
