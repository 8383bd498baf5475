"""The operator form of a generator: ``L(rho)`` applied with matrix products, never assembled.

Every master equation of qheat (Eqs. 8-12, A12-A15, the local equation, the ULE) has, in the
eigenbasis of ``H_S``, the form (docs/large-devices.md)::

    L(x)   = X x + x X^dag + sum_j jumps_j(x),          X = -i E - (1/2) sum_j P_j,
    D_j(x) = jumps_j(x) - (1/2) {P_j, x},

with ``E = H_S + H_LS`` the energy operator of the currents (Eqs. 21-23) and ``P_j`` Hermitian.
The jumps of a bath are

* **dense terms** ``sum_t (W_t x V_t^dag + V_t x W_t^dag)``: Bloch-Redfield, one term with
  ``W = Gamma o A``, ``V = A`` (``P = K + K^dag``, ``K = A^dag W``); the ULE, ``W = V = L/sqrt 2``
  with its jump operator ``L = sqrt(2G) o A`` (``P = L^dag L``); the local equation, one term per
  cluster of local Bohr frequencies;
* **pair terms** of a secular selection, ``jumps(x)_ac = sum (Gamma_ab + Gamma*_ce) A_ab A*_ce
  x_be`` over the pairs ``|w_ab - w_ce| <= cutoff`` of one bath (global Lindblad, partial
  secular), listed once (:func:`secular_pairs`), never as a ``d^4`` mask.

``L`` maps Hermitian matrices to Hermitian matrices, and for Hermitian ``x`` every part comes in
Hermitian-conjugate pairs: ``L(x) = M + M^dag`` with ``M = X x + sum_j N_j(x)``,
``N_j(x) = sum_t W_t x V_t^dag`` (dense) or ``(N_j)_ac = sum Gamma_ab A_ab A*_ce x_be`` (pairs).
One application costs ``1 + 2 sum_j t_j`` products of ``d x d`` matrices (BR: ``1 + 2 n``), and
the pairs. This is what the Krylov steady state (:mod:`qheat.steady.krylov`) applies.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property

import numba
import numpy as np
from numpy.typing import NDArray

__all__ = [
    "DenseJumps",
    "JumpForm",
    "PairJumps",
    "secular_clusters",
    "secular_pairs",
    "cluster_jumps",
    "in_basis",
]

ComplexArray = NDArray[np.complex128]
FloatArray = NDArray[np.float64]
IndexArray = NDArray[np.int64]


def _dag(x: ComplexArray) -> ComplexArray:
    return np.conj(np.swapaxes(x, -1, -2))


@dataclass(frozen=True)
class DenseJumps:
    """``jumps(x) = sum_t (W_t x V_t^dag + V_t x W_t^dag)`` of one bath.

    Attributes:
        weighted: the ``W_t``, ``(t, d, d)``.
        operators: the ``V_t``, ``(t, d, d)``.
    """

    weighted: ComplexArray
    operators: ComplexArray

    def half(self, x: ComplexArray) -> ComplexArray:
        """``N(x) = sum_t W_t x V_t^dag`` (``jumps(x) = N + N^dag`` for Hermitian ``x``)."""
        out = np.zeros_like(x)
        for w, v in zip(self.weighted, self.operators):
            out += (w @ x) @ _dag(v)
        return out

    def diagonal(self) -> ComplexArray:
        """``jumps(|a><c|)_ac``, ``(d, d)``: ``sum_t W_aa V*_cc + V_aa W*_cc``."""
        w = np.diagonal(self.weighted, axis1=-2, axis2=-1)
        v = np.diagonal(self.operators, axis1=-2, axis2=-1)
        return np.asarray(
            (w[:, :, None] * np.conj(v)[:, None, :] + v[:, :, None] * np.conj(w)[:, None, :]).sum(
                axis=0
            ),
            dtype=np.complex128,
        )

    def population_rates(self) -> FloatArray:
        """``jumps(|b><b|)_aa``, ``(d, d)`` (row ``a``, column ``b``): ``2 Re sum_t W_ab V*_ab``."""
        return np.asarray(
            2.0 * (self.weighted * np.conj(self.operators)).real.sum(axis=0), dtype=np.float64
        )

    def tilted(self, omega: FloatArray, order: int) -> DenseJumps:
        """The ``order``-th derivative in the counting field ``chi`` of the jumps tilted by
        ``exp(-chi (w_ab + w_ce)/2)`` (:mod:`qheat.master.counting`): with ``w`` the Bohr
        frequencies of the basis, ``M_n(x) = (-1/2)^n sum_k C(n, k) (w^k o W) x (w^(n-k) o
        V)^dag`` (Leibniz), as dense terms."""
        weighted, operators = [], []
        for k in range(order + 1):
            scale = (-0.5) ** order * math.comb(order, k)
            weighted.append(scale * omega**k * self.weighted)
            operators.append(omega ** (order - k) * self.operators)
        return DenseJumps(np.concatenate(weighted), np.concatenate(operators))

    def norm_bound(self) -> float:
        """An upper bound of the jumps' ``inf``-norm on ``vec(x)``: ``2 sum_t |W_t| |V_t|``."""
        rows = np.abs(self.weighted).sum(axis=-1).max(axis=-1)
        cols = np.abs(self.operators).sum(axis=-1).max(axis=-1)
        return float(2.0 * (rows * cols).sum())


@dataclass(frozen=True)
class PairJumps:
    """The jumps of a secular selection of one bath, as a list of pairs (module docstring).

    Attributes:
        couplings: ``A`` in the eigenbasis, ``(d, d)``.
        spectra: ``Gamma(w_ab)``, ``(d, d)``.
        pairs: ``(4, T)``: ``a, b, c, e`` of each pair ``(ab, ce)`` kept (both orders).
    """

    couplings: ComplexArray
    spectra: ComplexArray
    pairs: IndexArray

    @cached_property
    def coefficients(self) -> ComplexArray:
        """``Gamma_ab A_ab A*_ce`` of each pair, ``(T,)``."""
        a, b, c, e = self.pairs
        weighted = self.spectra * self.couplings
        return np.asarray(weighted[a, b] * np.conj(self.couplings[c, e]), dtype=np.complex128)

    def half(self, x: ComplexArray) -> ComplexArray:
        """``N(x)_ac = sum Gamma_ab A_ab A*_ce x_be`` over the pairs."""
        out = np.zeros_like(x)
        _pair_half(self.pairs, self.coefficients, np.ascontiguousarray(x), out)
        return out

    def diagonal(self) -> ComplexArray:
        """``(Gamma_aa + Gamma*_cc) A_aa A*_cc``: the pairs ``(aa, cc)`` (gap 0, always kept)."""
        return DenseJumps((self.spectra * self.couplings)[None], self.couplings[None]).diagonal()

    def population_rates(self) -> FloatArray:
        """``2 G_ab |A_ab|^2``: the pairs ``(ab, ab)`` (gap 0, always kept)."""
        return np.asarray(2.0 * self.spectra.real * np.abs(self.couplings) ** 2, dtype=np.float64)

    def tilted(self, omega: FloatArray, order: int) -> PairJumps:
        """The ``order``-th counting-field derivative: each pair's coefficient times
        ``(-(w_ab + w_ce)/2)^order`` (see :meth:`DenseJumps.tilted`)."""
        a, b, c, e = self.pairs
        energy = -0.5 * (omega[a, b] + omega[c, e])
        out = PairJumps(self.couplings, self.spectra, self.pairs)
        object.__setattr__(out, "coefficients", self.coefficients * energy**order)
        return out

    def norm_bound(self) -> float:
        """An upper bound of the jumps' ``inf``-norm: twice the largest row sum of ``|coef|``."""
        a, _, c, _ = self.pairs
        d = self.couplings.shape[-1]
        rows = np.bincount(a * d + c, weights=np.abs(self.coefficients), minlength=d * d)
        return float(2.0 * rows.max(initial=0.0))


Jumps = DenseJumps | PairJumps


@dataclass(frozen=True)
class JumpForm:
    """``L`` of one parameter point in operator form (module docstring).

    Attributes:
        energy: ``E = H_S + H_LS``, ``(d, d)``.
        anticommutators: ``P_j`` of every bath, ``(n, d, d)``.
        jumps: the jumps of every bath.
        tilt: ``tilt(j, n)``, the jumps of ``d^n L(chi_j)/d chi_j^n`` at ``chi = 0`` for the heat
            drawn from bath ``j`` (:mod:`qheat.master.counting`); None if not counted.
        omega: the Bohr frequencies ``w_ab`` of the basis the jump terms are written in (the
            eigenbasis of ``H_S``); None when they were moved from other bases (the local
            equation).
    """

    energy: ComplexArray
    anticommutators: ComplexArray
    jumps: tuple[Jumps, ...]
    tilt: Callable[[int, int], Jumps] | None = field(default=None, repr=False, compare=False)
    omega: FloatArray | None = field(default=None, repr=False, compare=False)

    @property
    def dim(self) -> int:
        """Hilbert-space dimension ``d``."""
        return int(self.energy.shape[-1])

    @cached_property
    def left(self) -> ComplexArray:
        """``X = -i E - (1/2) sum_j P_j``."""
        return np.asarray(
            -1j * self.energy - 0.5 * self.anticommutators.sum(axis=0), dtype=np.complex128
        )

    def half_action(self, x: ComplexArray) -> ComplexArray:
        """``M = X x + sum_j N_j(x)``: ``L(x) = M + M^dag`` for Hermitian ``x``."""
        out = self.left @ x
        for jumps in self.jumps:
            out += jumps.half(x)
        return out

    def apply(self, x: ComplexArray) -> ComplexArray:
        """``L(x)`` of a Hermitian ``x``, ``(d, d)``."""
        half = self.half_action(x)
        return half + _dag(half)

    def dissipate(self, x: ComplexArray) -> ComplexArray:
        """``D_j(x)`` of every bath for a Hermitian ``x``, ``(n, d, d)``."""
        out = np.empty((len(self.jumps),) + x.shape, dtype=np.complex128)
        for j, jumps in enumerate(self.jumps):
            half = jumps.half(x) - 0.5 * (self.anticommutators[j] @ x)
            out[j] = half + _dag(half)
        return out

    def diagonal(self) -> ComplexArray:
        """``L(|a><c|)_ac``, ``(d, d)``: the diagonal of ``L`` on ``vec(x)``."""
        x = np.diagonal(self.left)
        out = x[:, None] + np.conj(x)[None, :]
        for jumps in self.jumps:
            out = out + jumps.diagonal()
        return np.asarray(out, dtype=np.complex128)

    def population_rates(self) -> FloatArray:
        """The rate ``R_ab`` of ``|b> -> |a>`` (``a != b``; diagonal 0): ``L`` on the
        populations, as the Pauli master equation sees it."""
        rates = sum((jumps.population_rates() for jumps in self.jumps), np.zeros((1, 1)))
        rates = np.array(np.broadcast_to(rates, (self.dim, self.dim)))
        np.fill_diagonal(rates, 0.0)
        return rates

    def counting_action(self, bath: int, order: int, x: ComplexArray) -> ComplexArray:
        """``d^n L(chi)/d chi^n (x)`` at ``chi = 0`` for the heat from bath ``bath``, Hermitian
        ``x`` (``n = order >= 1``)."""
        if self.tilt is None:
            raise ValueError("this operator form has no counting field")
        half = self.tilt(bath, order).half(x)
        return half + _dag(half)

    def norm_bound(self) -> float:
        """An upper bound of ``||L||_inf`` on ``vec(x)``: ``2 ||X||_inf`` plus the jumps'."""
        left = float(np.abs(self.left).sum(axis=-1).max())
        return 2.0 * left + sum(jumps.norm_bound() for jumps in self.jumps)


def secular_pairs(
    couplings: ComplexArray, omega: FloatArray, cutoff: float, budget: int
) -> IndexArray:
    """``(4, T)``: ``a, b, c, e`` of the pairs ``(ab, ce)`` with ``A_ab A_ce != 0`` and
    ``|w_ab - w_ce| <= cutoff``, from the coupled elements sorted by frequency (a window
    around each; no ``d^4`` array).

    Raises:
        MemoryError: more than ``budget`` pairs (the caller names the limit).
    """
    d = couplings.shape[-1]
    flat = np.flatnonzero(couplings.ravel() != 0)
    w = omega.ravel()[flat]
    order = np.argsort(w, kind="stable")
    flat, w = flat[order], w[order]
    lo = np.searchsorted(w, w - cutoff, side="left")
    hi = np.searchsorted(w, w + cutoff, side="right")
    counts = hi - lo
    total = int(counts.sum())
    if total > budget:
        raise MemoryError(
            f"the secular selection keeps {total:.3g} pairs of Bohr frequencies, more than the "
            f"budget of {budget:.3g}"
        )
    first = np.repeat(np.arange(flat.size), counts)
    offsets = np.arange(total) - np.repeat(np.cumsum(counts) - counts, counts)
    second = np.repeat(lo, counts) + offsets
    ab, ce = flat[first], flat[second]
    return np.stack([ab // d, ab % d, ce // d, ce % d]).astype(np.int64)


def secular_clusters(couplings: ComplexArray, omega: FloatArray, cutoff: float) -> list[IndexArray]:
    """The coupled elements (flat ``ab``) grouped into clusters of Bohr frequencies: sorted,
    a new cluster wherever the next frequency is more than ``cutoff`` away. A secular selection
    is the sum over clusters of Bloch-Redfield's jumps restricted to each (``W_c x V_c^dag``)
    exactly when every cluster is narrower than ``cutoff`` (no chain of near frequencies).

    Raises:
        ValueError: a cluster is wider than ``cutoff`` (then only :func:`secular_pairs` is
            exact).
    """
    flat = np.flatnonzero(couplings.ravel() != 0)
    w = omega.ravel()[flat]
    order = np.argsort(w, kind="stable")
    flat, w = flat[order], w[order]
    cuts = np.flatnonzero(np.diff(w) > cutoff) + 1
    starts = np.concatenate([[0], cuts])
    stops = np.concatenate([cuts, [w.size]])
    if np.any(w[stops - 1] - w[starts] > cutoff):
        raise ValueError("a cluster of Bohr frequencies is wider than the secular cutoff")
    return [flat[a:b] for a, b in zip(starts, stops)]


def cluster_jumps(
    couplings: ComplexArray, spectra: ComplexArray, clusters: list[IndexArray]
) -> DenseJumps:
    """The secular jumps of one bath as dense terms, one per cluster of Bohr frequencies:
    ``W_c = (Gamma o A)`` and ``V_c = A`` restricted to the cluster's elements."""
    d = couplings.shape[-1]
    weighted = np.zeros((len(clusters), d * d), dtype=np.complex128)
    operators = np.zeros((len(clusters), d * d), dtype=np.complex128)
    flat_a, flat_g = couplings.ravel(), (spectra * couplings).ravel()
    for c, elements in enumerate(clusters):
        operators[c, elements] = flat_a[elements]
        weighted[c, elements] = flat_g[elements]
    return DenseJumps(weighted.reshape(-1, d, d), operators.reshape(-1, d, d))


def in_basis(form: JumpForm, change: ComplexArray) -> JumpForm:
    """The same generator in another basis, ``x -> m x m^dag`` with the unitary ``m``
    (``change``): every operator ``O -> m O m^dag``; only dense jumps can be moved."""

    def move(x: ComplexArray) -> ComplexArray:
        return np.asarray(change @ x @ _dag(change), dtype=np.complex128)

    jumps = []
    for part in form.jumps:
        if not isinstance(part, DenseJumps):
            raise TypeError("pair jumps cannot change basis: give them as cluster_jumps")
        jumps.append(DenseJumps(move(part.weighted), move(part.operators)))
    tilt = form.tilt

    def moved_tilt(bath: int, order: int) -> Jumps:
        assert tilt is not None
        part = tilt(bath, order)
        assert isinstance(part, DenseJumps)
        return DenseJumps(move(part.weighted), move(part.operators))

    return JumpForm(
        move(form.energy),
        move(form.anticommutators),
        tuple(jumps),
        None if tilt is None else moved_tilt,
    )


@numba.njit(cache=True, nogil=True)
def _pair_half(
    pairs: IndexArray, coefficients: ComplexArray, x: ComplexArray, out: ComplexArray
) -> None:
    for t in range(pairs.shape[1]):
        out[pairs[0, t], pairs[2, t]] += coefficients[t] * x[pairs[1, t], pairs[3, t]]
