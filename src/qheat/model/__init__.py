"""Systems: operators, the paper's two-qubit model (Eqs. 1-6) and general open systems."""

from .operators import ID2, SX, SY, SZ, two_qubit_operator
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
    "TwoQubitModel",
    "two_qubit_operator",
]
