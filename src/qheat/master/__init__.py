"""Master equations: one Generator type (H_S + H_LS and one dissipator per bath)."""

from .equations import BlochRedfield, GlobalLindblad, MasterEquation, secular_mask
from .generator import Generator
from .superop import commutator, sandwich, unvec, vec

__all__ = [
    "BlochRedfield",
    "Generator",
    "GlobalLindblad",
    "MasterEquation",
    "commutator",
    "sandwich",
    "secular_mask",
    "unvec",
    "vec",
]
