"""Operators linear in named parameters: ``A(p) = A_0 + sum_k p_k A_k``.

A device file writes its Hamiltonian and its coupling operators as sums of Pauli strings (or
site labels, :mod:`qheat.model.sites`) whose coefficients are numbers or parameter names;
grouped by parameter, each is such an operator. The matrices ``A_0`` and ``A_k`` are built
once, sparse (a Pauli string has ``d`` nonzeros), so evaluating ``A`` at a batch of parameter
values is one multiply-add per parameter on the dense result.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from functools import cached_property

import numpy as np
import scipy.sparse
from numpy.typing import NDArray

from .pauli import sparse_pauli

__all__ = ["LinearOperator", "Term"]

ComplexArray = NDArray[np.complex128]
FloatArray = NDArray[np.float64]


@dataclass(frozen=True)
class Term:
    """``scale * parameter * P`` (``parameter`` None: ``scale * P``) for the operator ``P`` of
    ``label`` (a Pauli string or a site label)."""

    scale: float
    parameter: str | None
    label: str


@dataclass(frozen=True, eq=False)
class LinearOperator:
    """``A(p) = constant + sum_k p_k parts[k]``, each matrix ``(d, d)``, stored sparse.

    Attributes:
        constant: the sum of the terms with numeric coefficients (CSR).
        parts: ``(parameter name, sum of the Pauli strings it multiplies)`` per parameter.
    """

    constant: scipy.sparse.csr_array
    parts: tuple[tuple[str, scipy.sparse.csr_array], ...]

    @classmethod
    def from_terms(
        cls,
        terms: Sequence[Term],
        dim: int,
        matrix_of: Callable[[str], scipy.sparse.csr_array] = sparse_pauli,
    ) -> LinearOperator:
        """Group ``terms`` by parameter and sum their matrices (built once, sparse);
        ``matrix_of(label)`` is the matrix of a label (default: a Pauli string's)."""
        constant = scipy.sparse.csr_array((dim, dim), dtype=np.complex128)
        parts: dict[str, scipy.sparse.csr_array] = {}
        for term in terms:
            matrix = term.scale * matrix_of(term.label)
            if term.parameter is None:
                constant = constant + matrix
            else:
                previous = parts.get(term.parameter)
                parts[term.parameter] = matrix if previous is None else previous + matrix
        return cls(scipy.sparse.csr_array(constant), tuple(parts.items()))

    @cached_property
    def _dense(self) -> tuple[ComplexArray, tuple[tuple[str, ComplexArray], ...]]:
        """The matrices dense (``d^2`` complex numbers each), built on first evaluation."""
        return self.constant.toarray(), tuple((n, m.toarray()) for n, m in self.parts)

    def __call__(self, values: Mapping[str, FloatArray]) -> ComplexArray:
        """``A`` at the parameter ``values`` (arrays broadcast): shape ``(..., d, d)``.

        The batch is written once: the first array parameter's products straight into the
        result, the scalar parameters folded into the constant matrix.
        """
        constant, dense_parts = self._dense
        arrays: list[tuple[FloatArray, ComplexArray]] = []
        for name, matrix in dense_parts:
            value = values[name]
            if value.ndim:
                arrays.append((value[..., None, None], matrix))
            else:
                constant = constant + float(value) * matrix
        if not arrays:
            return np.array(constant)
        shape = np.broadcast_shapes(*(value.shape[:-2] for value, _ in arrays))
        out = np.empty(shape + constant.shape, dtype=np.complex128)
        np.multiply(arrays[0][0], arrays[0][1], out=out)
        for value, matrix in arrays[1:]:
            out += value * matrix
        out += constant
        return out

    def non_hermitian_part(self) -> tuple[str | None, float] | None:
        """The first group (a parameter name, or None for the constant) whose matrix is not
        Hermitian, with ``max |A - A^dag|``; None if ``A(p)`` is Hermitian for every ``p``."""
        for name, matrix in ((None, self.constant), *self.parts):
            gap = abs(matrix - matrix.conj().T)
            deviation = float(gap.max()) if gap.nnz else 0.0
            size = float(abs(matrix).max()) if matrix.nnz else 0.0
            if deviation > 1e-12 * max(1.0, size):
                return name, deviation
        return None
