"""The two ways a device file names its operators: Pauli strings of qubits, or site labels.

``qubits = n`` files write each operator as a Pauli string of ``n`` letters
(:mod:`qheat.devices.pauli`); ``sites = [...]`` files as a product of ``"site:op"`` factors
(:mod:`qheat.model.sites`). Both give sparse matrices on the same tensor product; this module
is what the loader asks of either: is a label valid, its matrix, how to name what is wrong.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar, Protocol

import scipy.sparse

from ..model.sites import Sites
from .pauli import label_error, sparse_pauli

__all__ = ["OperatorSpace", "QubitSpace", "SiteSpace"]


class OperatorSpace(Protocol):
    """What the loader needs of the operator labels of a file."""

    @property
    def dims(self) -> tuple[int, ...]: ...

    @property
    def word(self) -> str:
        """What a label is called in messages ("Pauli string", "operator label")."""

    @property
    def shape(self) -> str:
        """The shape of a label in messages (``PAULI``, ``site:op site:op ...``)."""

    def label_error(self, label: object) -> str | None: ...

    def sparse(self, label: str) -> scipy.sparse.csr_array: ...


@dataclass(frozen=True)
class QubitSpace:
    """``n`` qubits: labels are Pauli strings of ``n`` letters (qubit 0 leftmost)."""

    n: int
    word: ClassVar[str] = "Pauli string"
    shape: ClassVar[str] = "PAULI"

    @property
    def dims(self) -> tuple[int, ...]:
        return (2,) * self.n

    def label_error(self, label: object) -> str | None:
        return label_error(label, self.n)

    def sparse(self, label: str) -> scipy.sparse.csr_array:
        return sparse_pauli(label)


@dataclass(frozen=True)
class SiteSpace:
    """Named sites: labels are products of ``"site:op"`` factors (:class:`Sites`)."""

    sites: Sites
    word: ClassVar[str] = "operator label"
    shape: ClassVar[str] = "site:op site:op ..."

    @property
    def dims(self) -> tuple[int, ...]:
        return self.sites.dims

    def label_error(self, label: object) -> str | None:
        return self.sites.label_error(label)

    def sparse(self, label: str) -> scipy.sparse.csr_array:
        return self.sites.sparse(label)
