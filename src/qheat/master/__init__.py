"""Master equations: one Generator type (H_S + H_LS and one dissipator per bath)."""

from .equations import BlochRedfield, GlobalLindblad, MasterEquation, secular_mask
from .family import LocalLindblad, PartialSecular, UniversalLindblad
from .generator import Generator
from .superop import commutator, sandwich, unvec, vec

__all__ = [
    "BlochRedfield",
    "Generator",
    "GlobalLindblad",
    "LocalLindblad",
    "MasterEquation",
    "PartialSecular",
    "UniversalLindblad",
    "commutator",
    "sandwich",
    "secular_mask",
    "unvec",
    "vec",
]
