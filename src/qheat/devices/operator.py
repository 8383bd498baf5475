"""Operators linear in named parameters: ``A(p) = A_0 + sum_k p_k A_k``.

A device file writes its Hamiltonian and its coupling operators as sums of Pauli strings whose
coefficients are numbers or parameter names; grouped by parameter, each is such an operator.
The matrices ``A_0`` and ``A_k`` are built once, so evaluating ``A`` at a batch of parameter
values is one multiply-add per parameter.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from .pauli import pauli

__all__ = ["LinearOperator", "Term"]

ComplexArray = NDArray[np.complex128]
FloatArray = NDArray[np.float64]


@dataclass(frozen=True)
class Term:
    """``scale * parameter * P`` (``parameter`` None: ``scale * P``) for a Pauli string ``P``."""

    scale: float
    parameter: str | None
    label: str


@dataclass(frozen=True, eq=False)
class LinearOperator:
    """``A(p) = constant + sum_k p_k parts[k]``, each matrix ``(d, d)``.

    Attributes:
        constant: the sum of the terms with numeric coefficients.
        parts: ``(parameter name, sum of the Pauli strings it multiplies)`` per parameter.
    """

    constant: ComplexArray
    parts: tuple[tuple[str, ComplexArray], ...]

    @classmethod
    def from_terms(cls, terms: Sequence[Term], dim: int) -> LinearOperator:
        """Group ``terms`` by parameter and sum their Pauli matrices (built once)."""
        constant = np.zeros((dim, dim), dtype=np.complex128)
        parts: dict[str, ComplexArray] = {}
        for term in terms:
            matrix = term.scale * pauli(term.label)
            if term.parameter is None:
                constant = constant + matrix
            else:
                parts[term.parameter] = parts.get(term.parameter, 0.0) + matrix
        return cls(constant, tuple(parts.items()))

    def __call__(self, values: Mapping[str, FloatArray]) -> ComplexArray:
        """``A`` at the parameter ``values`` (arrays broadcast): shape ``(..., d, d)``.

        The batch is written once: the first array parameter's products straight into the
        result, the scalar parameters folded into the constant matrix.
        """
        constant = self.constant
        arrays: list[tuple[FloatArray, ComplexArray]] = []
        for name, matrix in self.parts:
            value = values[name]
            if value.ndim:
                arrays.append((value[..., None, None], matrix))
            else:
                constant = constant + float(value) * matrix
        if not arrays:
            return constant
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
            deviation = float(np.abs(matrix - matrix.conj().T).max())
            if deviation > 1e-12 * max(1.0, float(np.abs(matrix).max())):
                return name, deviation
        return None
