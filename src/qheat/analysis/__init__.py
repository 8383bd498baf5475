"""Analysis of steady states and currents: the perturbative picture of Appendix B, the
mean-force Gibbs state (Eq. 20), closed forms of the Lindblad current (Eqs. 24-26) and of the
symmetric limit (Appendix C), NDTC analysis of current curves, and the device analyses
(NDTC along any swept parameter, the rectification factor of a diode, the amplification
factor of a transistor).

Import from the submodules (e.g. ``from qheat.analysis.mean_force import mean_force_gibbs``);
the device analyses are also here (``from qheat.analysis import amplification``).
"""

from .device import (
    Amplification,
    Rectification,
    amplification,
    amplification_on_grid,
    ndtc_along,
    rectification,
    rectification_factor,
)

__all__ = [
    "Amplification",
    "Rectification",
    "amplification",
    "amplification_on_grid",
    "ndtc_along",
    "rectification",
    "rectification_factor",
]
