"""More master equations of the family, each a typed option producing a :class:`Generator`.

* :class:`LocalLindblad` (:mod:`qheat.master.local`) -- each bath thermalizes the part of the
  device it touches, with that part's own Hamiltonian (the "local" approach of the paper's
  Appendix C).
* :class:`PartialSecular` -- the Bloch-Redfield pairs ``(w, w')`` kept when
  ``|w - w'| <= cutoff``: ``cutoff = 0`` is the global Lindblad equation (Eqs. A14-A15),
  ``cutoff = inf`` is Bloch-Redfield (Eqs. 8-12).
* :class:`UniversalLindblad` (:mod:`qheat.master.ule`) -- the universal Lindblad equation (ULE)
  of Nathan and Rudner, Phys. Rev. B 102, 115109 (2020): completely positive, with the accuracy
  of Redfield's, and their Lamb shift.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import ClassVar

from ..errors import InvalidParameterError
from ..model import OpenSystem
from .equations import pair_generator
from .generator import Generator
from .local import LocalLindblad
from .ule import UniversalLindblad, lindblad_dissipator

__all__ = ["LocalLindblad", "PartialSecular", "UniversalLindblad", "lindblad_dissipator"]


@dataclass(frozen=True)
class PartialSecular:
    """Partial-secular Bloch-Redfield equation: pairs kept when ``|w - w'| <= cutoff``.

    ``cutoff = 0`` (raised to ``system.degeneracy_tol``) reproduces :class:`GlobalLindblad`,
    ``cutoff = inf`` reproduces :class:`BlochRedfield`; in between, only near-degenerate
    Bohr frequencies interfere.

    Args:
        cutoff: secular cutoff in energy units, ``>= 0`` (``math.inf`` allowed).
        lamb_shift: keep ``S(w)`` (see :class:`BlochRedfield`).
    """

    cutoff: float
    lamb_shift: bool = True
    name: ClassVar[str] = "partial_secular"

    def __post_init__(self) -> None:
        if math.isnan(self.cutoff) or self.cutoff < 0:
            raise InvalidParameterError(f"cutoff must be >= 0 (inf allowed), got {self.cutoff!r}")

    def generator(self, system: OpenSystem) -> Generator:
        """Build the partial-secular generator of ``system``."""
        cutoff = None if math.isinf(self.cutoff) else max(self.cutoff, system.degeneracy_tol)
        return pair_generator(self.name, system, self.lamb_shift, secular_cutoff=cutoff)
