"""Compiled loops of the Bloch-Redfield family, per point: ``L`` on a block, ``D_j(rho)``, the
closures ``K_j`` and the pairs a secular selection keeps or drops.

The formulas are those of :mod:`qheat.master.pair_kernel` (Eqs. 9-12, A12-A15 with
``Gamma = G + iS``, ``lambda^2`` absorbed into ``gamma``), written element by element so that
one compiled loop over the batch replaces dozens of numpy calls on ``4 x 4`` arrays:

* the element of ``L`` mapping ``rho_kl`` into ``(d rho/dt)_ij`` is
  ``X_ik delta_jl + delta_ik Y_lj + sum_b M_{ik,jl} A_ik A*_jl (Gamma_ik + Gamma*_jl)``
  (``A``, ``Gamma`` of bath ``b``) with ``X = -iH - K``, ``Y = iH - K^dag``, ``K = sum_b K_b``
  (the closures, selection applied) and ``M_{ik,jl} = |w_ik - w_jl| <= cutoff`` (all ones
  without a cutoff);
* one bath's dissipator is ``D(rho)_ac = sum_be M_{ab,ce} A_ab A*_ce (Gamma_ab + Gamma*_ce)
  rho_be - {P, rho}_ac / 2`` with ``P = K_j + K_j^dag``; without a cutoff the sum is the
  matrix product ``W rho A^dag + A rho W^dag`` (``W = Gamma o A``).

All arrays are batch-first and C-contiguous: ``(n, d, d)``, or ``(n_baths, n, d, d)``. numba
compiles each loop on first use and caches it on disk (``__pycache__``), so later processes
load it in a fraction of a second.
"""

from __future__ import annotations

import math
from functools import lru_cache

import numba
import numpy as np
from numpy.typing import NDArray

from .._arrays import dense

__all__ = [
    "assemble_block",
    "assemble_counting",
    "closures",
    "dissipate_pairs",
    "near_pairs",
    "smallest_dropped_gap",
]

ComplexArray = NDArray[np.complex128]
FloatArray = NDArray[np.float64]
MATMUL_FROM = 16
"""From this dimension on, :func:`closures` is one batched matrix product (``A^dag (Gamma o
A)``) instead of the compiled loop (26 s against 0.2 s at d = 1024)."""
NO_CUTOFF = -1.0
"""The ``cutoff`` argument meaning every pair is kept (Bloch-Redfield)."""


def assemble_block(
    index: NDArray[np.intp],
    pattern: NDArray[np.bool_],
    supports: NDArray[np.bool_],
    couplings: ComplexArray,
    spectra: ComplexArray,
    left: ComplexArray,
    right: ComplexArray,
    omega: FloatArray,
    cutoff: float,
) -> ComplexArray:
    """``L`` on the block of elements ``vec(rho)[index]``, ``(n, m, m)``.

    Args:
        index: column-stacked positions ``j d + i`` of the elements ``rho_ij``, ``(m,)``.
        pattern: ``(d^2, d^2)``, where ``L`` may be nonzero (its structural pattern).
        supports: ``(n_baths, d*d)``, where each ``A_j`` is nonzero somewhere in the batch.
        couplings: ``A_j``, ``(n_baths, n, d, d)``.
        spectra: ``Gamma_j(w)``, ``(n_baths, n, d, d)``.
        left: ``X = -iH - K``, ``(n, d, d)``.
        right: ``Y = iH - K^dag``, ``(n, d, d)``.
        omega: the Bohr frequencies, ``(n, d, d)``.
        cutoff: the secular cutoff, or :data:`NO_CUTOFF`.
    """
    n_baths, n, d = couplings.shape[:3]
    m = index.size
    table = _block_table(index, pattern, supports, d, n_baths)
    out = np.zeros((n, m * m), dtype=np.complex128)
    _assemble(
        table,
        couplings.reshape(n_baths, n, d * d),
        spectra.reshape(n_baths, n, d * d),
        left.reshape(n, d * d),
        right.reshape(n, d * d),
        omega.reshape(n, d * d),
        cutoff,
        out,
    )
    return out.reshape(n, m, m)


def _block_table(
    index: NDArray[np.intp],
    pattern: NDArray[np.bool_],
    supports: NDArray[np.bool_],
    d: int,
    n_baths: int,
) -> NDArray[np.int64]:
    """The structural entries of ``L`` on the block ``index`` (cached by :func:`_entries` on
    the block, the sparsity pattern and the couplings' supports)."""
    return _entries(
        index.astype(np.int64).tobytes(),
        np.packbits(pattern).tobytes(),
        np.packbits(supports).tobytes(),
        d,
        n_baths,
    )


def assemble_counting(
    index: NDArray[np.intp],
    pattern: NDArray[np.bool_],
    supports: NDArray[np.bool_],
    couplings: ComplexArray,
    spectra: ComplexArray,
    omega: FloatArray,
    cutoff: float,
    bath: int,
    order: int,
) -> ComplexArray:
    """``d^n L(chi)/d chi^n`` at ``chi = 0`` on the block ``vec(rho)[index]``, ``(n, m, m)``:
    the jumps of bath ``bath`` only, each element ``M_{ik,jl} A_ik A*_jl (Gamma_ik +
    Gamma*_jl)`` times ``(-(w_ik + w_jl)/2)^order`` (the energy the jump takes from the bath,
    :mod:`qheat.master.counting`). Arguments as :func:`assemble_block`."""
    n_baths, n, d = couplings.shape[:3]
    m = index.size
    table = _block_table(index, pattern, supports, d, n_baths)
    out = np.zeros((n, m * m), dtype=np.complex128)
    _assemble_counting(
        table,
        couplings[bath].reshape(n, d * d),
        spectra[bath].reshape(n, d * d),
        omega.reshape(n, d * d),
        cutoff,
        bath,
        order,
        out,
    )
    return out.reshape(n, m, m)


@lru_cache(maxsize=256)
def _entries(
    index_bytes: bytes, pattern_bits: bytes, support_bits: bytes, d: int, n_baths: int
) -> NDArray[np.int64]:
    """The structural entries of ``L`` on a block, ``(6, T)`` (cached per structure): flat
    position ``r m + s``; ``ik``; ``jl``; where ``X_ik`` enters (``-1``: no); where ``Y_lj``
    enters; the baths whose jumps reach the entry as bits (``-1``: all, beyond 62 baths)."""
    index = np.frombuffer(index_bytes, dtype=np.int64)
    rows, cols, m = index % d, index // d, index.size
    pattern = np.unpackbits(np.frombuffer(pattern_bits, dtype=np.uint8))[: d**4]
    keep = pattern.reshape(d * d, d * d)[np.ix_(index, index)]
    supports = np.unpackbits(np.frombuffer(support_bits, dtype=np.uint8))[: n_baths * d * d]
    supports = supports.reshape(n_baths, d * d).astype(bool)
    r, s = np.nonzero(keep)  # entry (r, s): element (i, j) <- element (k, l)
    i, j, k, col = rows[r], cols[r], rows[s], cols[s]
    table = np.stack(
        [
            r * m + s,
            i * d + k,
            j * d + col,
            np.where(j == col, i * d + k, -1),  # X_ik delta_jl
            np.where(i == k, col * d + j, -1),  # delta_ik Y_lj
            # the baths whose jumps reach the entry (A_ik A*_jl != 0 somewhere), as bits
            (supports[:, i * d + k] & supports[:, j * d + col]).T @ (1 << np.arange(n_baths))
            if n_baths < 63
            else np.full(r.size, -1),
        ]
    ).astype(np.int64)
    table.flags.writeable = False
    return table


def dissipate_pairs(
    couplings: ComplexArray,
    spectra: ComplexArray,
    closures: ComplexArray,
    rho: ComplexArray,
    omega: FloatArray,
    cutoff: float,
    pairs: NDArray[np.int64],
) -> ComplexArray:
    """``D_j(rho)`` of every bath, ``(n_baths, n, d, d)``.

    Args:
        couplings: ``A_j``, ``(n_baths, n, d, d)``.
        spectra: ``Gamma_j(w)``, same shape.
        closures: ``K_j``, same shape.
        rho: the states, ``(n, d, d)``.
        omega: the Bohr frequencies, ``(n, d, d)``.
        cutoff: the secular cutoff, or :data:`NO_CUTOFF`.
        pairs: with a cutoff, ``(3, T)``: bath, ``ab`` and ``ce`` of the pairs ``A_ab A*_ce``
            that may be kept (the others are zero or dropped everywhere), sorted by bath;
            ignored without one.
    """
    out = np.empty(couplings.shape, dtype=np.complex128)
    _dissipate(couplings, spectra, closures, rho, omega, cutoff, pairs, out)
    return out


def closures(couplings: ComplexArray, spectra: ComplexArray) -> ComplexArray:
    """``K_db = sum_a Gamma_ab A_ab A*_ad`` (``K = A^dag (Gamma o A)``, every pair kept) of each
    bath, ``(n_baths, ..., d, d)`` from ``A_j`` and ``Gamma_j`` ``(n_baths, ..., d, d)``."""
    d, n_baths = couplings.shape[-1], couplings.shape[0]
    batch = np.broadcast_shapes(couplings.shape[1:-2], spectra.shape[1:-2])
    shape = (n_baths, math.prod(batch), d, d)

    def flat(x: ComplexArray) -> ComplexArray:
        return dense(x, (n_baths,) + batch + (d, d), np.complex128).reshape(shape)

    a, g = flat(couplings), flat(spectra)
    if d >= MATMUL_FROM:  # LAPACK's blocked product: the loop's strided reads of A lose there
        out = np.matmul(np.conj(np.swapaxes(a, -1, -2)), g * a)
    else:
        out = np.empty(shape, dtype=np.complex128)
        _closures(a, g, out)
    return out.reshape((n_baths,) + batch + (d, d))


def near_pairs(omega: FloatArray, cutoff: float) -> NDArray[np.bool_]:
    """``(d^2, d^2)``: the pairs ``(ab, cd)`` with ``|w_ab - w_cd| <= cutoff`` at some point of
    the batch (``omega``: ``(..., d, d)``)."""
    d = omega.shape[-1]
    flat = dense(omega, omega.shape, np.float64).reshape(-1, d * d)
    out = np.zeros((d * d, d * d), dtype=np.bool_)
    _near(flat, cutoff, out)
    return out


def smallest_dropped_gap(
    omega: FloatArray, elements: NDArray[np.intp], cutoff: float
) -> FloatArray:
    """``min |w_ab - w_cd|`` over the pairs of the flat ``elements`` (``ab = a d + b``) farther
    apart than ``cutoff`` (the pairs a secular selection drops), ``(...)``; ``inf`` if none.

    The frequencies of each point are sorted; the smallest gap above ``cutoff`` from each is to
    the first one beyond it plus ``cutoff``: ``O(m log m)`` for ``m`` elements, no pair list.
    """
    d = omega.shape[-1]
    flat = dense(omega, omega.shape, np.float64).reshape(-1, d * d)
    values = np.sort(flat[:, elements], axis=-1)
    out = np.empty(flat.shape[0])
    _dropped(values, cutoff, out)
    return out.reshape(omega.shape[:-2])


@numba.njit(cache=True, nogil=True)
def _closures(a: ComplexArray, g: ComplexArray, out: ComplexArray) -> None:
    n_baths, n, d = a.shape[0], a.shape[1], a.shape[2]
    for b in range(n_baths):
        for p in range(n):
            for i in range(d):
                for j in range(d):
                    acc = 0j
                    for k in range(d):
                        acc += np.conj(a[b, p, k, i]) * (g[b, p, k, j] * a[b, p, k, j])
                    out[b, p, i, j] = acc


@numba.njit(cache=True, nogil=True)
def _near(omega: FloatArray, cutoff: float, out: NDArray[np.bool_]) -> None:
    n, size = omega.shape
    for p in range(n):
        for r in range(size):
            for s in range(size):
                if not out[r, s] and abs(omega[p, r] - omega[p, s]) <= cutoff:
                    out[r, s] = True


@numba.njit(cache=True, nogil=True)
def _dropped(values: FloatArray, cutoff: float, out: FloatArray) -> None:
    n, m = values.shape
    for p in range(n):
        smallest = np.inf
        k = 0
        for i in range(m):  # k: the first value beyond values[i] + cutoff (it only moves on)
            while k < m and values[p, k] - values[p, i] <= cutoff:
                k += 1
            if k < m:
                smallest = min(smallest, values[p, k] - values[p, i])
        out[p] = smallest


@numba.njit(cache=True, nogil=True)
def _assemble(
    table: NDArray[np.int64],
    a: ComplexArray,
    g: ComplexArray,
    x: ComplexArray,
    y: ComplexArray,
    omega: FloatArray,
    cutoff: float,
    out: ComplexArray,
) -> None:
    n_baths, n = a.shape[0], a.shape[1]
    for p in range(n):
        for t in range(table.shape[1]):
            ik, jl = table[1, t], table[2, t]
            value = 0j
            if table[3, t] >= 0:
                value += x[p, table[3, t]]
            if table[4, t] >= 0:
                value += y[p, table[4, t]]
            baths = table[5, t]  # the baths whose jumps reach the entry, as bits (-1: all)
            if baths != 0 and (cutoff < 0.0 or abs(omega[p, ik] - omega[p, jl]) <= cutoff):
                for b in range(n_baths):
                    if baths & (1 << b):
                        a_ik, a_jl = a[b, p, ik], np.conj(a[b, p, jl])
                        value += a_ik * a_jl * (g[b, p, ik] + np.conj(g[b, p, jl]))
            out[p, table[0, t]] = value


@numba.njit(cache=True, nogil=True)
def _dissipate(
    a: ComplexArray,
    g: ComplexArray,
    k: ComplexArray,
    rho: ComplexArray,
    omega: FloatArray,
    cutoff: float,
    pairs: NDArray[np.int64],
    out: ComplexArray,
) -> None:
    n_baths, n, d = a.shape[0], a.shape[1], a.shape[2]
    w = np.empty((d, d), dtype=np.complex128)
    left = np.empty((d, d), dtype=np.complex128)
    right = np.empty((d, d), dtype=np.complex128)
    anti = np.empty((d, d), dtype=np.complex128)
    bounds = np.searchsorted(pairs[0], np.arange(n_baths + 1))  # pairs are sorted by bath
    for p in range(n):
        for b in range(n_baths):
            for i in range(d):
                for c in range(d):
                    anti[i, c] = k[b, p, i, c] + np.conj(k[b, p, c, i])  # P = K + K^dag
            if cutoff >= 0.0:  # the selected pairs (i e1, c e2) of this bath kept at this point
                out[b, p] = 0.0
                for t in range(bounds[b], bounds[b + 1]):
                    i, e1 = pairs[1, t] // d, pairs[1, t] % d
                    c, e2 = pairs[2, t] // d, pairs[2, t] % d
                    if abs(omega[p, i, e1] - omega[p, c, e2]) <= cutoff:
                        out[b, p, i, c] += (
                            a[b, p, i, e1]
                            * np.conj(a[b, p, c, e2])
                            * (g[b, p, i, e1] + np.conj(g[b, p, c, e2]))
                            * rho[p, e1, e2]
                        )
            else:  # W rho A^dag + A rho W^dag: rho A^dag and rho W^dag first
                for i in range(d):
                    for j in range(d):
                        w[i, j] = g[b, p, i, j] * a[b, p, i, j]
                for i in range(d):
                    for c in range(d):
                        acc_a, acc_w = 0j, 0j
                        for e in range(d):
                            acc_a += rho[p, i, e] * np.conj(a[b, p, c, e])
                            acc_w += rho[p, i, e] * np.conj(w[c, e])
                        left[i, c], right[i, c] = acc_a, acc_w
                for i in range(d):
                    for c in range(d):
                        acc = 0j
                        for e in range(d):
                            acc += w[i, e] * left[e, c] + a[b, p, i, e] * right[e, c]
                        out[b, p, i, c] = acc
            for i in range(d):  # - {P, rho} / 2
                for c in range(d):
                    acc = 0j
                    for e in range(d):
                        acc += anti[i, e] * rho[p, e, c] + rho[p, i, e] * anti[e, c]
                    out[b, p, i, c] -= 0.5 * acc


@numba.njit(cache=True, nogil=True)
def _assemble_counting(
    table: NDArray[np.int64],
    a: ComplexArray,
    g: ComplexArray,
    omega: FloatArray,
    cutoff: float,
    bath: int,
    order: int,
    out: ComplexArray,
) -> None:
    n = a.shape[0]
    for p in range(n):
        for t in range(table.shape[1]):
            baths = table[5, t]
            if baths == 0 or (baths > 0 and not baths & (1 << bath)):
                continue
            ik, jl = table[1, t], table[2, t]
            if cutoff >= 0.0 and abs(omega[p, ik] - omega[p, jl]) > cutoff:
                continue
            energy = -0.5 * (omega[p, ik] + omega[p, jl])
            a_ik, a_jl = a[p, ik], np.conj(a[p, jl])
            out[p, table[0, t]] = a_ik * a_jl * (g[p, ik] + np.conj(g[p, jl])) * energy**order
