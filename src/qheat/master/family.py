"""More master equations of the family, each a typed option producing a :class:`Generator`.

* :class:`LocalLindblad` -- each bath thermalizes its own qubit at its own frequency (the
  "local" approach discussed in the paper's Appendix C).
* :class:`PartialSecular` -- the Bloch-Redfield pairs ``(w, w')`` kept when
  ``|w - w'| <= cutoff``: ``cutoff = 0`` is the global Lindblad equation (Eqs. A14-A15),
  ``cutoff = inf`` is Bloch-Redfield (Eqs. 8-12).
* :class:`UniversalLindblad` -- the universal Lindblad equation (ULE) of Nathan and Rudner,
  Phys. Rev. B 102, 115109 (2020): completely positive, with the accuracy of Redfield's.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import ClassVar

import numpy as np
from numpy.typing import NDArray

from ..errors import InvalidParameterError
from ..model import OpenSystem
from .equations import pair_generator
from .generator import Generator
from .superop import sandwich

__all__ = ["LocalLindblad", "PartialSecular", "UniversalLindblad", "lindblad_dissipator"]

ComplexArray = NDArray[np.complex128]


def _dag(x: ComplexArray) -> ComplexArray:
    return np.conj(np.swapaxes(x, -1, -2))


def lindblad_dissipator(jump: ComplexArray) -> ComplexArray:
    """Superoperator of ``L rho L^dag - 1/2 {L^dag L, rho}``, shape ``(..., d^2, d^2)``."""
    eye = np.broadcast_to(np.eye(jump.shape[-1], dtype=complex), jump.shape)
    ldl = _dag(jump) @ jump
    return sandwich(jump, _dag(jump)) - 0.5 * (sandwich(ldl, eye) + sandwich(eye, ldl))


@dataclass(frozen=True)
class LocalLindblad:
    """Local Lindblad equation: bath ``j`` drives only its own qubit, at the bare frequency ``e_j``.

    The local Hamiltonian is the lab-diagonal part of ``H_S`` (for the paper's model
    ``e1/2 sz1 + e2/2 sz2``, the inter-qubit ``g sx1 sx2`` dropped); each bath's dissipator
    and Lamb shift are those of the secular (global Lindblad) equation of that local
    Hamiltonian -- ``D_j = 2G_j(e_j) D[s-_j] + 2G_j(-e_j) D[s+_j]`` for ``A_j = sx_j`` --
    while the coherent part keeps the full ``H_S``. Heat currents are
    ``J_j = Tr((H_S + H_LS) D_j(rho))`` with these local dissipators (``Tr(H_S D_j(rho))``
    when ``lamb_shift=False``), so ``J_1 + J_2 = 0`` in the steady state.

    Sharp bit: for ``e1 != e2`` the local equation violates the second law (heat can flow from
    the cold to the hot bath; Levy and Kosloff, EPL 107, 20004 (2014)); see ``docs/exact.md``.

    Args:
        lamb_shift: keep the local Lamb shift ``S_j(+-e_j)`` terms.
    """

    lamb_shift: bool = True
    name: ClassVar[str] = "local"

    def generator(self, system: OpenSystem) -> Generator:
        """Build the local Lindblad generator of ``system`` in the eigenbasis of the full ``H_S``."""
        h = system.hamiltonian
        local_h = np.zeros_like(h)
        idx = np.arange(system.dim)
        local_h[..., idx, idx] = h[..., idx, idx]
        local = OpenSystem(local_h, system.couplings, system.baths, degeneracy_tol=system.degeneracy_tol)
        part = pair_generator(self.name, local, self.lamb_shift, secular_cutoff=system.degeneracy_tol)
        basis = system.eigensystem()
        m = _dag(basis.vectors) @ part.eigenbasis.vectors  # local eigenbasis -> H_S eigenbasis
        to_eigen = sandwich(m, _dag(m))
        from_local = sandwich(_dag(m), m)
        h_s = np.zeros(np.broadcast_shapes(h.shape, m.shape), dtype=complex)
        h_s[..., idx, idx] = basis.energies
        return Generator(
            name=self.name,
            eigenbasis=basis,
            hamiltonian=h_s,
            lamb_shift=m @ part.lamb_shift @ _dag(m),
            dissipators=tuple(to_eigen @ d @ from_local for d in part.dissipators),
        )


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


@dataclass(frozen=True)
class UniversalLindblad:
    """Universal Lindblad equation (ULE), Nathan and Rudner, Phys. Rev. B 102, 115109 (2020).

    One jump operator per bath, ``L_j = sum_ab g_j(w_ab) A_ab |a><b|`` with the jump
    spectral function ``g(w) = sqrt(2 G(w))`` (``2G`` is the full Fourier transform of the
    bath correlation function, Eq. 14, i.e. ``2 pi`` times Nathan-Rudner's ``J(w)``), so the
    dissipator is Eq. 10 with the rates ``G(w) + G(w')`` of Eq. 12 replaced by
    ``2 sqrt(G(w) G(w'))``: identical secular rates, and Lindblad form, hence completely
    positive for every parameter.

    Lamb shift: the Hermitian ``H_LS`` of the Bloch-Redfield equation (Eq. 9) is used in place
    of Nathan-Rudner's ``Lambda`` (their Eq. 15, not implemented); any Hermitian shift keeps
    the equation completely positive, and both agree to the order the ULE is accurate in the
    secular terms.

    Args:
        lamb_shift: add the Bloch-Redfield ``H_LS``; ``False`` sets it to zero.
    """

    lamb_shift: bool = True
    name: ClassVar[str] = "ule"

    def generator(self, system: OpenSystem) -> Generator:
        """Build the ULE generator of ``system``."""
        redfield = pair_generator(self.name, system, True, secular_cutoff=None)
        basis = redfield.eigenbasis
        omega = system.bohr_frequencies
        dissipators = []
        for coupling, bath in zip(system.couplings, system.baths):
            g = np.sqrt(np.maximum(bath.expanded(2).G(omega), 0.0))
            jump = np.sqrt(2.0) * g * basis.to_eigen(coupling)
            dissipators.append(lindblad_dissipator(jump))
        lamb = redfield.lamb_shift if self.lamb_shift else np.zeros_like(redfield.lamb_shift)
        return Generator(
            name=self.name,
            eigenbasis=basis,
            hamiltonian=redfield.hamiltonian,
            lamb_shift=lamb,
            dissipators=tuple(np.broadcast_arrays(*dissipators)),
        )
