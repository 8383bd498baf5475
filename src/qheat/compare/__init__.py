"""Grade the master equations against HEOM: ``J1(dT)`` comparisons and the validation battery."""

from .kato_tanimura import KatoTanimuraSpec, kato_tanimura, kato_tanimura_figure
from .runner import (
    PRESETS,
    CompareSpec,
    compare_currents,
    compare_system,
    default_equations,
    equation_label,
)
from .summary import error_table, summarize, verdict

__all__ = [
    "PRESETS",
    "CompareSpec",
    "KatoTanimuraSpec",
    "compare_currents",
    "compare_system",
    "default_equations",
    "equation_label",
    "error_table",
    "kato_tanimura",
    "kato_tanimura_figure",
    "summarize",
    "verdict",
]
