"""The one object every master equation produces: ``H_S + H_LS`` plus one dissipator per bath.

All matrices are in the eigenbasis of ``H_S`` (the basis in which the paper writes
Eqs. 8-12), on column-stacked density matrices (see :mod:`qheat.master.superop`).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from ..model import Eigenbasis
from .superop import commutator, sandwich

__all__ = ["Generator"]

ComplexArray = NDArray[np.complex128]


@dataclass(frozen=True)
class Generator:
    """``d rho/dt = -i [H_S + H_LS, rho] + sum_j D_j(rho)`` (Eq. 8).

    Attributes:
        name: short name of the master equation (``"br"``, ``"lindblad"``, ...).
        eigenbasis: the eigen-decomposition of ``H_S`` the matrices refer to.
        hamiltonian: ``H_S`` in its eigenbasis, ``(..., d, d)``.
        lamb_shift: ``H_LS`` summed over baths, ``(..., d, d)``. With ``lamb_shift=False``
            (``S = 0``) it is zero for the global Lindblad equation and keeps only the
            non-secular ``(G(w) - G(w'))/2i`` terms for Bloch-Redfield.
        dissipators: ``D_j`` for each bath, ``(..., d^2, d^2)`` each.
        secular_ratio: for equations that drop pairs of Bohr frequencies (global Lindblad,
            partial secular): the largest transition rate ``sum_j 2 G_j(w_ab) |A_j,ab|^2``
            over the smallest gap ``|w - w'|`` among the pairs dropped, ``(...)``; the
            secular approximation needs it small (see :class:`~qheat.errors.SecularityWarning`).
            ``None`` for equations that drop none.
    """

    name: str
    eigenbasis: Eigenbasis
    hamiltonian: ComplexArray
    lamb_shift: ComplexArray
    dissipators: tuple[ComplexArray, ...]
    secular_ratio: NDArray[np.float64] | None = None

    @property
    def dim(self) -> int:
        """Hilbert-space dimension d."""
        return int(self.hamiltonian.shape[-1])

    @property
    def energy_operator(self) -> ComplexArray:
        """``H_S + H_LS``, the energy that the heat currents (Eqs. 21-23) measure."""
        return self.hamiltonian + self.lamb_shift

    def liouvillian(self) -> ComplexArray:
        """The full generator in the eigenbasis, ``(..., d^2, d^2)``."""
        total = commutator(self.energy_operator)
        for dissipator in self.dissipators:
            total = total + dissipator
        return total

    def lab_liouvillian(self) -> ComplexArray:
        """The full generator in the lab basis: ``(U* kron U) L (U^T kron U^dag)``."""
        u = self.eigenbasis.vectors
        u_dag = np.conj(np.swapaxes(u, -1, -2))
        to_lab = sandwich(u, u_dag)
        to_eigen = sandwich(u_dag, u)
        return to_lab @ self.liouvillian() @ to_eigen
