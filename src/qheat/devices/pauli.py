"""Pauli strings: one letter per qubit, the tensor product of single-qubit operators.

Letters: ``I``, ``X``, ``Y``, ``Z`` (the Pauli matrices) and ``+``, ``-`` (the raising and
lowering operators ``s+ = (X + iY)/2 = |0><1|`` and ``s- = (X - iY)/2 = |1><0|``).
Qubit 0 is the leftmost tensor factor and ``|0>`` has ``sz = +1``, so ``"ZI" = diag(1, 1, -1, -1)``.
"""

from __future__ import annotations

import numpy as np
import scipy.sparse
from numpy.typing import NDArray

from ..errors import InvalidParameterError

__all__ = ["LETTERS", "label_error", "pauli", "sparse_pauli"]

ComplexArray = NDArray[np.complex128]

LETTERS: dict[str, ComplexArray] = {
    "I": np.array([[1, 0], [0, 1]], dtype=np.complex128),
    "X": np.array([[0, 1], [1, 0]], dtype=np.complex128),
    "Y": np.array([[0, -1j], [1j, 0]], dtype=np.complex128),
    "Z": np.array([[1, 0], [0, -1]], dtype=np.complex128),
    "+": np.array([[0, 1], [0, 0]], dtype=np.complex128),
    "-": np.array([[0, 0], [1, 0]], dtype=np.complex128),
}
"""Single-qubit operator of each letter, in the basis ``(|0>, |1>)`` with ``sz|0> = +|0>``."""


def label_error(label: object, n_qubits: int | None = None) -> str | None:
    """Why ``label`` is not a Pauli string (of ``n_qubits`` letters if given); None if it is."""
    letters = "I, X, Y, Z, +, -"
    if not isinstance(label, str):
        return f"must be a string of the letters {letters} (one per qubit), got {label!r}"
    bad = sorted({c for c in label if c not in LETTERS})
    if bad:
        shown = ", ".join(map(repr, bad))
        return f"must have only the letters {letters} (one per qubit), got {label!r} with {shown}"
    if n_qubits is not None and len(label) != n_qubits:
        return f"must have {n_qubits} letters (one per qubit), got {label!r} with {len(label)}"
    if not label:
        return f"must have at least one letter of {letters}"
    return None


def pauli(label: str) -> ComplexArray:
    """The matrix ``P_0 (x) P_1 (x) ...`` of a Pauli string, shape ``(2^n, 2^n)``.

    Example:
        >>> pauli("ZI").real.diagonal()
        array([ 1.,  1., -1., -1.])
        >>> pauli("+").real  # s+ = |0><1| raises sz
        array([[0., 1.],
               [0., 0.]])
    """
    return np.asarray(sparse_pauli(label).toarray(), dtype=np.complex128)


def sparse_pauli(label: str) -> scipy.sparse.csr_array:
    """The matrix of a Pauli string as a sparse (CSR) array: ``2^n`` nonzeros of ``4^n``, so
    strings of 12 qubits (``d = 4096``) take 100 kB instead of 268 MB each."""
    problem = label_error(label)
    if problem is not None:
        raise InvalidParameterError(f"label {problem}")
    matrix = scipy.sparse.csr_array(LETTERS[label[0]])
    for letter in label[1:]:
        matrix = scipy.sparse.kron(matrix, scipy.sparse.csr_array(LETTERS[letter]), format="csr")
    return scipy.sparse.csr_array(matrix, dtype=np.complex128)
