"""Dissipators and Lamb shift of the Bloch-Redfield family (Eqs. 9-12, A12-A15), batched.

Writing ``A = sum_w V(w)`` elementwise in the eigenbasis, ``V(w)`` collects the elements
``A_ab |a><b|`` with Bohr frequency ``w_ab = E_b - E_a = w``. Eqs. 9-10 then read::

    D(rho) = sum_{abcd} M_{ab,cd} gamma_{ab,cd} A_ab A*_cd (|a><b| rho |d><c| - 1/2 {|d><c|a><b|, rho})
    H_LS   = sum_{abcd} M_{ab,cd} xi_{ab,cd}    A_ab A*_cd  |d><c|a><b|

with ``gamma_{ab,cd} = Gamma(w_ab) + Gamma*(w_cd)`` (Eq. 12), ``xi = (Gamma(w_ab) -
Gamma*(w_cd)) / 2i`` (Eq. 11, lambda^2 absorbed into gamma) and a selection mask ``M``: all
ones for Bloch-Redfield, ``|w_ab - w_cd| <= tol`` for the global Lindblad equation.

Both sums close over one matrix, ``K_db = sum_a M_{ab,ad} Gamma(w_ab) A_ab A*_ad``
(``K = A^dag (Gamma o A)`` when every pair is kept)::

    P = K + K^dag   (the anticommutator term, so that D(rho) = jumps - {P, rho}/2)
    H_LS = (K - K^dag) / 2i
    -i [H_LS, rho] - {P, rho}/2 = -K rho - rho K^dag

and the jump term is ``sum_abcd W_abcd |a><b| rho |d><c|`` with
``W_abcd = M_abcd (Gamma(w_ab) + Gamma*(w_cd)) A_ab A*_cd``; without a mask its superoperator is
``conj(A) kron (Gamma o A) + conj(Gamma o A) kron A``. This module builds these pieces directly
(no generic 4-index contraction) on the full ``d^2 x d^2`` space, and the sparsity pattern of
``L``; :mod:`qheat.master.pair_loops` evaluates the same sums on a block of ``L`` or on a state.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np
from numpy.typing import NDArray

from ..model import Bath, Eigenbasis
from ..model.system import coupling_support
from ..model.system import spectral_rates as model_spectral_rates
from .superop import multiplication

__all__ = [
    "bohr_frequencies",
    "spectral_rates",
    "closure_operator",
    "pair_terms",
    "spectral_pair_terms",
    "without_lamb_shift",
    "coupling_pattern",
]

ComplexArray = NDArray[np.complex128]
FloatArray = NDArray[np.float64]
BoolArray = NDArray[np.bool_]


def bohr_frequencies(eigenbasis: Eigenbasis, tol: float) -> FloatArray:
    """``w_ab = E_b - E_a`` with ``|w_ab| <= tol`` set exactly to zero (degenerate levels)."""
    w = eigenbasis.bohr_frequencies()
    return np.where(np.abs(w) <= tol, 0.0, w)


def spectral_rates(
    bath: Bath, omega: FloatArray, lamb_shift: bool, where: BoolArray | None = None
) -> ComplexArray:
    """``Gamma(w_ab) = G(w_ab) + i S(w_ab)`` (Eq. 13) at the Bohr frequencies, ``(..., d, d)``.

    ``lamb_shift=False`` sets ``S = 0`` (``Gamma = G``), as QuTiP's Bloch-Redfield tensor does.
    ``where`` (``(d, d)`` booleans) evaluates only those elements and leaves 0 elsewhere: the
    master equations use ``Gamma(w_ab)`` only where the coupling ``A_ab`` is nonzero.
    """
    return without_lamb_shift(model_spectral_rates(bath, omega, where), lamb_shift)


def without_lamb_shift(gamma: ComplexArray, lamb_shift: bool) -> ComplexArray:
    """``Gamma`` itself, or its real part ``G`` (``S = 0``) when ``lamb_shift`` is False."""
    return gamma if lamb_shift else np.asarray(gamma.real, dtype=np.complex128)


def closure_operator(
    coupling: ComplexArray, weighted: ComplexArray, mask: BoolArray | None
) -> ComplexArray:
    """``K_db = sum_a M_{ab,ad} (Gamma o A)_ab A*_ad``, ``(..., d, d)`` (module docstring).

    Args:
        coupling: ``A`` in the eigenbasis, ``(..., d, d)``.
        weighted: ``Gamma o A`` (elementwise product), ``(..., d, d)``.
        mask: ``M`` of shape ``(..., d, d, d, d)``, or ``None`` for all pairs.
    """
    if mask is None:  # sum_a conj(A_ad) (Gamma o A)_ab (einsum: the same bits at any batch size)
        return np.asarray(
            np.einsum("...ad,...ab->...db", np.conj(coupling), weighted), dtype=np.complex128
        )
    mask_abad = np.diagonal(mask, axis1=-4, axis2=-2)  # (..., b, d, a)
    return np.asarray(
        np.einsum("...bda,...ab,...ad->...db", mask_abad, weighted, np.conj(coupling)),
        dtype=np.complex128,
    )


def pair_terms(
    coupling: ComplexArray,
    bath: Bath,
    omega: FloatArray,
    mask: BoolArray | None,
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
    gam = spectral_rates(bath, omega, lamb_shift, coupling_support(coupling))
    return spectral_pair_terms(coupling, gam, mask)


def spectral_pair_terms(
    coupling: ComplexArray,
    gam: ComplexArray,
    mask: BoolArray | None,
    closure_mask: BoolArray | None = None,
) -> tuple[ComplexArray, ComplexArray]:
    """:func:`pair_terms` from the spectra ``Gamma(w_ab)`` already evaluated, ``(..., d, d)``.

    ``closure_mask`` (``(..., d, d)``): for a mask whose ``M_{ab,ad}`` depends on ``(b, d)``
    only, as every secular mask does (``|w_ab - w_ad| = |w_db|``), ``K`` is the unmasked
    ``K`` times ``closure_mask[d, b] = M_{ab,ad}``; giving it skips the general contraction.
    """
    weighted = gam * coupling
    if closure_mask is None:
        k = closure_operator(coupling, weighted, mask)
    else:
        k = closure_operator(coupling, weighted, None) * closure_mask
    d = coupling.shape[-1]
    if mask is None:  # conj(A) kron (Gamma o A) + conj(Gamma o A) kron A, in one expression
        jump = np.conj(coupling)[..., :, None, :, None] * weighted[..., None, :, None, :]
        jump = jump + np.conj(weighted)[..., :, None, :, None] * coupling[..., None, :, None, :]
        jump = jump.reshape(jump.shape[:-4] + (d * d, d * d))
    else:
        rate = (gam[..., :, :, None, None] + np.conj(gam)[..., None, None, :, :]) * (
            coupling[..., :, :, None, None] * np.conj(coupling)[..., None, None, :, :]
        )
        # (D rho)_ac += W_abcd rho_bd: row c*d + a, column d*d + b
        jump = np.swapaxes(rate * mask, -3, -2).swapaxes(-4, -3).swapaxes(-2, -1)
        jump = jump.reshape(jump.shape[:-4] + (d * d, d * d))
    k_dag = np.conj(np.swapaxes(k, -1, -2))
    half_p = -0.5 * (k + k_dag)
    dissipator = jump + multiplication(half_p, half_p)
    return dissipator, (k - k_dag) / 2j


def coupling_pattern(
    couplings: tuple[ComplexArray, ...], dim: int, near: BoolArray | None = None
) -> BoolArray:
    """Where the Liouvillian of couplings ``A_j`` (eigenbasis) can be nonzero, ``(d^2, d^2)``.

    Structural, the union over the batch: jumps link ``(a, c)`` to ``(b, d)`` when
    ``A_ab A_cd != 0``; ``K`` (hence ``H_LS`` and ``P``) is nonzero where ``|A|^T |A|`` is; the
    diagonal ``H_S`` adds the diagonal. With ``near`` (``(d^2, d^2)``, the pairs ``|w_ab -
    w_cd| <= cutoff`` at some batch point: :func:`~qheat.master.pair_loops.near_pairs`), only
    those pairs are kept, as the secular mask does. Vanishing rates only remove entries. The pattern is built once per
    distinct structure (cached).
    """
    supports = np.array([coupling_support(a) for a in couplings])  # (n_baths, d, d)
    close = b"" if near is None else np.packbits(near).tobytes()
    return _pattern(np.packbits(supports).tobytes(), len(couplings), dim, close)


@lru_cache(maxsize=256)
def _pattern(packed: bytes, n_baths: int, dim: int, close: bytes) -> BoolArray:
    """:func:`coupling_pattern` of packed supports ``(n_baths, d, d)`` and, if given, the packed
    ``(d^2, d^2)`` pattern of ``|w_ab - w_cd| <= cutoff`` (row ``a*d + b``, column ``c*d + d'``)."""
    size = n_baths * dim * dim
    supports = np.unpackbits(np.frombuffer(packed, dtype=np.uint8))[:size]
    supports = supports.reshape(n_baths, dim, dim).astype(float)
    eye = np.eye(dim, dtype=bool)
    jumps = np.zeros((dim * dim, dim * dim), dtype=bool)
    ks = np.zeros((dim, dim), dtype=bool)
    for nz in supports:
        jumps |= np.kron(nz, nz) > 0
        ks |= (nz.T @ nz) > 0
    if close:
        near = np.unpackbits(np.frombuffer(close, dtype=np.uint8))[: dim**4].reshape(
            dim * dim, dim * dim
        )
        # vec row (a, c) = c*d + a, column (b, d) = d*d + b: W_abcd kept if |w_ab - w_cd| small
        row, col = np.nonzero(jumps)
        ab, cd = (row % dim) * dim + col % dim, (row // dim) * dim + col // dim
        jumps[row, col] = near[ab, cd].astype(bool)
        # K_db kept where M_{ab,ad} = |w_db| <= cutoff: the pair (db, dd) of the same frequency
        diagonal = np.arange(dim) * (dim + 1)
        zero = near[:, diagonal].any(axis=1).reshape(dim, dim)
        ks &= zero
    pattern = np.eye(dim * dim, dtype=bool) | jumps | np.kron(eye, ks) | np.kron(ks.T, eye)
    pattern.flags.writeable = False
    return pattern
