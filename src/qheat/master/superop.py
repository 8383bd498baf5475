"""Superoperators on column-stacked density matrices, batched over leading axes.

Convention: ``vec(rho)[j*d + i] = rho[i, j]`` (column stacking), so that
``vec(X rho Y) = (Y^T kron X) vec(rho)``.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

__all__ = ["vec", "unvec", "sandwich", "commutator", "tensor_to_matrix"]

ComplexArray = NDArray[np.complex128]


def vec(rho: ComplexArray) -> ComplexArray:
    """Column-stack ``(..., d, d) -> (..., d*d)``."""
    d = rho.shape[-1]
    return np.swapaxes(rho, -1, -2).reshape(rho.shape[:-2] + (d * d,))


def unvec(v: ComplexArray) -> ComplexArray:
    """Inverse of :func:`vec`: ``(..., d*d) -> (..., d, d)``."""
    d = int(round(np.sqrt(v.shape[-1])))
    return np.swapaxes(v.reshape(v.shape[:-1] + (d, d)), -1, -2)


def tensor_to_matrix(t: ComplexArray) -> ComplexArray:
    """``T[i, j, k, l]`` with ``(d rho/dt)_ij = sum_kl T_ijkl rho_kl`` -> ``(..., d^2, d^2)``."""
    d = t.shape[-1]
    return np.swapaxes(np.swapaxes(t, -4, -3), -2, -1).reshape(t.shape[:-4] + (d * d, d * d))


def sandwich(x: ComplexArray, y: ComplexArray) -> ComplexArray:
    """Superoperator of ``rho -> X rho Y``: ``Y^T kron X``, shape ``(..., d^2, d^2)``."""
    return tensor_to_matrix(np.einsum("...ik,...lj->...ijkl", x, y))


def commutator(h: ComplexArray) -> ComplexArray:
    """Superoperator of ``rho -> -i [H, rho]``."""
    eye = np.broadcast_to(np.eye(h.shape[-1], dtype=complex), h.shape)
    return -1j * (sandwich(h, eye) - sandwich(eye, h))
