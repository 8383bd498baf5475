"""Spin operators and the lab basis.

Single-qubit basis ``(|0>, |1>)`` with ``|1>`` the excited state: ``sz = diag(-1, +1)``.
Two qubits: ``|q1, q2>`` has index ``2 q1 + q2`` (``kron(op1, op2)``), so the lab basis
is ``(|0,0>, |0,1>, |1,0>, |1,1>)``.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from ..errors import InvalidParameterError

__all__ = ["SX", "SY", "SZ", "ID2", "two_qubit_operator"]

SX: NDArray[np.complex128] = np.array([[0, 1], [1, 0]], dtype=complex)
SY: NDArray[np.complex128] = np.array([[0, 1j], [-1j, 0]], dtype=complex)  # [sx, sy] = 2i sz
SZ: NDArray[np.complex128] = np.array([[-1, 0], [0, 1]], dtype=complex)
ID2: NDArray[np.complex128] = np.eye(2, dtype=complex)


def two_qubit_operator(op: NDArray[np.complex128], qubit: int) -> NDArray[np.complex128]:
    """``op`` acting on qubit 1 or 2 of the pair: ``op x 1`` or ``1 x op``."""
    if isinstance(qubit, bool) or qubit not in (1, 2):
        raise InvalidParameterError(f"qubit must be 1 or 2, got {qubit!r}")
    if np.shape(op) != (2, 2):
        raise InvalidParameterError(
            f"op must be a 2 x 2 single-qubit operator, got shape {np.shape(op)}"
        )
    return np.asarray(np.kron(op, ID2) if qubit == 1 else np.kron(ID2, op), dtype=np.complex128)
