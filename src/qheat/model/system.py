"""A general open system: Hermitian ``H`` (d x d) and one Hermitian coupling operator per bath.

Bath ``j`` couples through ``H_SB_j = A_j (x) B_j`` (Eq. 5 with ``A_j = sx_j`` for the paper's
model). Every array may carry leading batch axes ``(...)`` that broadcast (numpy rules).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol

import numpy as np
from numpy.typing import ArrayLike, NDArray

from .._checks import hermitian
from ..errors import InvalidParameterError

__all__ = ["Bath", "Eigenbasis", "OpenSystem"]

ComplexArray = NDArray[np.complex128]
FloatArray = NDArray[np.float64]


class Bath(Protocol):
    """What the master equations need of a bath (see :class:`qheat.baths.DrudeBath`)."""

    @property
    def shape(self) -> tuple[int, ...]: ...

    def expanded(self, ndim: int) -> "Bath": ...

    def G(self, omega: ArrayLike) -> FloatArray: ...

    def S(self, omega: ArrayLike) -> FloatArray: ...

    def Gamma(self, omega: ArrayLike) -> ComplexArray: ...


@dataclass(frozen=True)
class Eigenbasis:
    """Eigen-decomposition ``H = U diag(E) U^dag``; columns of ``vectors`` are eigenstates.

    Shapes: ``energies (..., d)``, ``vectors (..., d, d)``.
    """

    energies: FloatArray
    vectors: ComplexArray

    def bohr_frequencies(self) -> FloatArray:
        """``w_ab = E_b - E_a`` (..., d, d): the frequency that ``|a><b|`` lowers the energy by."""
        return self.energies[..., None, :] - self.energies[..., :, None]

    def to_eigen(self, op: ArrayLike) -> ComplexArray:
        """Matrix elements ``<a|op|b>`` of a lab-basis operator."""
        u = self.vectors
        return np.conj(np.swapaxes(u, -1, -2)) @ np.asarray(op) @ u

    def to_lab(self, op: ArrayLike) -> ComplexArray:
        """Lab-basis matrix of an operator given in the eigenbasis."""
        u = self.vectors
        return u @ np.asarray(op) @ np.conj(np.swapaxes(u, -1, -2))


@dataclass(frozen=True)
class OpenSystem:
    """A system Hamiltonian, its coupling operators and one bath per coupling.

    Args:
        hamiltonian: ``H_S``, Hermitian, shape ``(..., d, d)``.
        couplings: one Hermitian system operator ``A_j`` per bath, each ``(..., d, d)``.
        baths: the baths, in the same order.
        eigenbasis: optional analytic eigen-decomposition of ``H_S`` (the paper's model
            supplies its own, Eqs. 2-3); computed with ``numpy.linalg.eigh`` otherwise.
        degeneracy_tol: Bohr frequencies closer than this are one frequency (the
            secular approximation keeps pairs ``|w - w'| <= tol``; ``|w| <= tol`` is 0).
    """

    hamiltonian: ComplexArray
    couplings: tuple[ComplexArray, ...]
    baths: tuple[Bath, ...]
    eigenbasis: Eigenbasis | None = field(default=None, repr=False)
    degeneracy_tol: float = 1e-9

    def __post_init__(self) -> None:
        h = hermitian("hamiltonian", self.hamiltonian)
        d = h.shape[-1]
        couplings = tuple(
            hermitian(f"couplings[{j}]", a, dim=d) for j, a in enumerate(self.couplings)
        )
        if len(couplings) == 0:
            raise InvalidParameterError("couplings must list at least one coupling operator")
        if len(couplings) != len(self.baths):
            raise InvalidParameterError(
                f"couplings and baths must have the same length, got {len(couplings)} and "
                f"{len(self.baths)}"
            )
        if not (np.isfinite(self.degeneracy_tol) and self.degeneracy_tol >= 0):
            raise InvalidParameterError(
                f"degeneracy_tol must be finite and >= 0, got {self.degeneracy_tol!r}"
            )
        object.__setattr__(self, "hamiltonian", h)
        object.__setattr__(self, "couplings", couplings)
        object.__setattr__(self, "baths", tuple(self.baths))
        shapes = [h.shape[:-2], *(a.shape[:-2] for a in couplings), *(b.shape for b in self.baths)]
        try:
            np.broadcast_shapes(*shapes)
        except ValueError as exc:
            raise InvalidParameterError(
                f"system and bath parameters must broadcast together, got batch shapes {shapes}"
            ) from exc

    @property
    def dim(self) -> int:
        """Hilbert-space dimension d."""
        return int(self.hamiltonian.shape[-1])

    @property
    def batch_shape(self) -> tuple[int, ...]:
        """Broadcast shape of all parameters (the leading axes of every result)."""
        shapes = [self.hamiltonian.shape[:-2], *(a.shape[:-2] for a in self.couplings)]
        return np.broadcast_shapes(*shapes, *(b.shape for b in self.baths))

    def eigensystem(self) -> Eigenbasis:
        """The analytic eigenbasis if given, else ``numpy.linalg.eigh`` (ascending energies)."""
        if self.eigenbasis is not None:
            return self.eigenbasis
        energies, vectors = np.linalg.eigh(self.hamiltonian)
        return Eigenbasis(energies=energies, vectors=vectors)
