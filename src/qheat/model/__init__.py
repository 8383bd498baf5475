"""Systems: operators, the paper's two-qubit model (Eqs. 1-6), general open systems, sites of
any number of levels (:mod:`qheat.model.sites`) and the counterterm of a bath."""

from .counterterm import reorganization_energy, with_counterterm
from .operators import ID2, SX, SY, SZ, two_qubit_operator
from .sites import Sites, site_operator
from .system import Bath, Builder, Eigenbasis, OpenSystem
from .two_qubit import TwoQubitModel

__all__ = [
    "Bath",
    "Builder",
    "Eigenbasis",
    "ID2",
    "OpenSystem",
    "SX",
    "SY",
    "SZ",
    "Sites",
    "TwoQubitModel",
    "reorganization_energy",
    "site_operator",
    "two_qubit_operator",
    "with_counterterm",
]
