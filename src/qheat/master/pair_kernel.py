"""Dissipators and Lamb shift of the Bloch-Redfield family (Eqs. 9-12, A12-A15), batched.

Writing ``A = sum_w V(w)`` elementwise in the eigenbasis, ``V(w)`` collects the elements
``A_ab |a><b|`` with Bohr frequency ``w_ab = E_b - E_a = w``. Eqs. 9-10 then read::

    D(rho) = sum_{abcd} M_{ab,cd} gamma_{ab,cd} A_ab A*_cd (|a><b| rho |d><c| - 1/2 {|d><c|a><b|, rho})
    H_LS   = sum_{abcd} M_{ab,cd} xi_{ab,cd}    A_ab A*_cd  |d><c|a><b|

with ``gamma_{ab,cd} = Gamma(w_ab) + Gamma*(w_cd)`` (Eq. 12), ``xi = (Gamma(w_ab) -
Gamma*(w_cd)) / 2i`` (Eq. 11, lambda^2 absorbed into gamma) and a selection mask ``M``: all
ones for Bloch-Redfield, ``|w_ab - w_cd| <= tol`` for the global Lindblad equation.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from ..model import Bath, Eigenbasis
from .superop import tensor_to_matrix

__all__ = ["bohr_frequencies", "pair_terms"]

ComplexArray = NDArray[np.complex128]
FloatArray = NDArray[np.float64]


def bohr_frequencies(eigenbasis: Eigenbasis, tol: float) -> FloatArray:
    """``w_ab = E_b - E_a`` with ``|w_ab| <= tol`` set exactly to zero (degenerate levels)."""
    w = eigenbasis.bohr_frequencies()
    return np.where(np.abs(w) <= tol, 0.0, w)


def pair_terms(
    coupling: ComplexArray,
    bath: Bath,
    omega: FloatArray,
    mask: NDArray[np.bool_] | None,
    lamb_shift: bool = True,
) -> tuple[ComplexArray, ComplexArray]:
    """Dissipator ``(..., d^2, d^2)`` and Lamb-shift Hamiltonian ``(..., d, d)`` of one bath.

    Args:
        coupling: ``A_j`` in the eigenbasis, ``(..., d, d)``.
        bath: the bath; its parameters broadcast against the batch axes.
        omega: Bohr frequencies ``(..., d, d)``.
        mask: ``M_{ab,cd}`` of shape ``(..., d, d, d, d)``, or ``None`` for all pairs.
        lamb_shift: if False, ``S(w) = 0`` everywhere (``Gamma = G``), as QuTiP's
            Bloch-Redfield tensor does. The Hermitian part ``(G(w) - G(w'))/2i`` of the
            non-secular pairs then remains in ``H_LS``: it belongs to the Redfield structure.
    """
    local = bath.expanded(2)
    gam = local.Gamma(omega) if lamb_shift else local.G(omega).astype(complex)
    gam_ab = gam[..., :, :, None, None]
    gam_cd = np.conj(gam)[..., None, None, :, :]
    amp = coupling[..., :, :, None, None] * np.conj(coupling)[..., None, None, :, :]
    rate = (gam_ab + gam_cd) * amp
    shift = (gam_ab - gam_cd) / 2j * amp
    if mask is not None:
        rate = rate * mask
        shift = shift * mask
    d = coupling.shape[-1]
    eye = np.eye(d)
    # jump term: (d rho)_ac += W_abcd rho_bd  ->  T[i, j, k, l] = W[i, k, j, l]
    jump = np.swapaxes(rate, -3, -2)
    # anticommutator: P_db = sum_a W_abad
    p = np.einsum("...abad->...db", rate)
    anti = np.einsum("...ik,jl->...ijkl", p, eye) + np.einsum("ik,...lj->...ijkl", eye, p)
    dissipator = tensor_to_matrix(jump - 0.5 * anti)
    lamb = np.einsum("...abad->...db", shift)
    return dissipator, lamb
