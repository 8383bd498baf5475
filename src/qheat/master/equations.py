"""The master equations as typed options: each builds a :class:`Generator` from an open system.

* :class:`BlochRedfield` -- Eqs. 8-12: all pairs ``(w, w')``, non-secular terms and the full
  Lamb shift ``H_LS`` of Eq. 9 (switchable off).
* :class:`GlobalLindblad` -- Eqs. A14-A15: the secular terms ``w = w'`` only, with its own
  ``H_LS^L`` (switchable off).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar, Protocol

import numpy as np
from numpy.typing import NDArray

from .._checks import flag, tolerance
from ..errors import InvalidParameterError
from ..model import OpenSystem
from .generator import Generator
from .pair_kernel import spectral_pair_terms, without_lamb_shift

__all__ = ["MasterEquation", "BlochRedfield", "GlobalLindblad", "pair_generator", "secular_mask"]


class MasterEquation(Protocol):
    """Anything that turns an :class:`~qheat.model.OpenSystem` into a :class:`Generator`."""

    name: ClassVar[str]

    def generator(self, system: OpenSystem) -> Generator: ...


def secular_mask(omega: NDArray[np.float64], cutoff: float) -> NDArray[np.bool_]:
    """``M_{ab,cd} = |w_ab - w_cd| <= cutoff`` of shape ``(..., d, d, d, d)``."""
    return np.abs(omega[..., :, :, None, None] - omega[..., None, None, :, :]) <= cutoff


def pair_generator(
    name: str, system: OpenSystem, lamb_shift: bool, secular_cutoff: float | None
) -> Generator:
    """Generator of the Bloch-Redfield family: pairs ``(w, w')`` kept when ``|w - w'| <= cutoff``.

    ``secular_cutoff=None`` keeps every pair (Bloch-Redfield, Eqs. 8-12); a cutoff at the
    degeneracy tolerance keeps only ``w = w'`` (global Lindblad, Eqs. A14-A15); anything in
    between is a partial-secular equation.

    Raises:
        InvalidParameterError: ``name`` is not a non-empty string, ``lamb_shift`` is not a
            bool, or ``secular_cutoff`` is neither None nor a finite number >= 0.
    """
    if not (isinstance(name, str) and name):
        raise InvalidParameterError(f"name must be a non-empty string, got {name!r}")
    lamb_shift = flag("lamb_shift", lamb_shift)
    if secular_cutoff is not None:
        secular_cutoff = tolerance("secular_cutoff", secular_cutoff)
    if not isinstance(system, OpenSystem):
        raise InvalidParameterError(f"system must be an OpenSystem, got {type(system).__name__}")
    basis = system.eigensystem()
    omega = system.bohr_frequencies
    mask = None if secular_cutoff is None else secular_mask(omega, secular_cutoff)
    # every bath in one batched call: the bath index is a leading axis
    ndim = len(system.batch_shape)
    couplings = _stack(system.eigen_couplings, ndim)
    spectra = without_lamb_shift(_stack(system.correlation_spectra, ndim), lamb_shift)
    dissipators, lamb = spectral_pair_terms(couplings, spectra, mask)
    h_s = np.zeros(omega.shape, dtype=complex)
    idx = np.arange(system.dim)
    h_s[..., idx, idx] = basis.energies
    return Generator(
        name=name,
        eigenbasis=basis,
        hamiltonian=h_s,
        lamb_shift=np.asarray(lamb.sum(axis=0), dtype=np.complex128),
        dissipators=tuple(dissipators),
    )


def _stack(arrays: tuple[NDArray[np.complex128], ...], ndim: int) -> NDArray[np.complex128]:
    """``(..., d, d)`` arrays, one per bath, stacked on a new leading axis.

    Each is first padded to ``ndim`` batch axes, and broadcast if the shapes still differ.
    """
    padded = [a.reshape((1,) * (ndim + 2 - a.ndim) + a.shape) for a in arrays]
    if len({a.shape for a in padded}) > 1:
        padded = list(np.broadcast_arrays(*padded))
    return np.array(padded)  # one C-level copy (np.stack of equal shapes, faster)


@dataclass(frozen=True)
class BlochRedfield:
    """Bloch-Redfield master equation, Eqs. 8-12 (non-secular, with the Lamb shift of Eq. 9).

    Args:
        lamb_shift: keep ``S(w)`` (Eq. 15). ``False`` sets ``S = 0`` everywhere, as QuTiP's
            Bloch-Redfield tensor does (``H_LS`` then keeps only the non-secular
            ``(G(w) - G(w'))/2i`` terms of Eq. 11).
    """

    lamb_shift: bool = True
    name: ClassVar[str] = "br"

    def __post_init__(self) -> None:
        flag("lamb_shift", self.lamb_shift)

    def generator(self, system: OpenSystem) -> Generator:
        """Build the Bloch-Redfield generator of ``system``."""
        return pair_generator(self.name, system, self.lamb_shift, secular_cutoff=None)


@dataclass(frozen=True)
class GlobalLindblad:
    """Global (secular) Lindblad master equation, Eqs. A14-A15.

    Keeps the pairs ``(w, w')`` with ``|w - w'| <= system.degeneracy_tol``.

    Args:
        lamb_shift: keep ``S(w)``; ``False`` sets ``S = 0``, hence ``H_LS^L = 0`` (Eq. A14).
    """

    lamb_shift: bool = True
    name: ClassVar[str] = "lindblad"

    def __post_init__(self) -> None:
        flag("lamb_shift", self.lamb_shift)

    def generator(self, system: OpenSystem) -> Generator:
        """Build the global Lindblad generator of ``system``."""
        return pair_generator(self.name, system, self.lamb_shift, secular_cutoff=system.degeneracy_tol)
