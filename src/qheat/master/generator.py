"""The object every master equation produces: ``H_S + H_LS`` plus one dissipator per bath.

All matrices are in the eigenbasis of ``H_S`` (the basis in which the paper writes
Eqs. 8-12), on column-stacked density matrices (see :mod:`qheat.master.superop`).

Two kinds, one interface (what :func:`qheat.steady.steady_state` and
:func:`qheat.steady.heat_currents` use):

* :class:`Generator` holds its superoperators explicitly (any master equation, including one a
  user writes);
* :class:`PairGenerator` (the Bloch-Redfield family, Eqs. 8-12 and A12-A15) holds the
  couplings and spectra and builds only what is asked: the sparsity pattern of ``L`` from the
  couplings and the secular selection, ``L`` on a block of matrix elements, or the action
  ``L(rho)`` and ``D_j(rho)`` on a state as matrix products. Its full superoperators
  (``dissipators``, :meth:`liouvillian`) are built on first use and equal the blocks.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

import numpy as np
from numpy.typing import NDArray

from ..model import Eigenbasis
from .pair_kernel import block_jumps, coupling_pattern, pair_positions, spectral_pair_terms
from .superop import (
    PopulationBlock,
    block_multiplication,
    commutator,
    element_major,
    sandwich,
    unvec,
    vec,
)

__all__ = ["Generator", "PairGenerator"]

ComplexArray = NDArray[np.complex128]
FloatArray = NDArray[np.float64]
BoolArray = NDArray[np.bool_]


def _dag(x: ComplexArray) -> ComplexArray:
    return np.conj(np.swapaxes(x, -1, -2))


def _dag_em(x: ComplexArray) -> ComplexArray:
    """The adjoint of ``(d, d, n)`` matrices stored with the batch last."""
    return np.conj(np.swapaxes(x, 0, 1))


@dataclass(frozen=True)
class Generator:
    """``d rho/dt = -i [H_S + H_LS, rho] + sum_j D_j(rho)`` (Eq. 8).

    Attributes:
        name: short name of the master equation (``"br"``, ``"lindblad"``, ...).
        eigenbasis: the eigen-decomposition of ``H_S`` the matrices refer to.
        hamiltonian: ``H_S`` in its eigenbasis, ``(..., d, d)``.
        lamb_shift: ``H_LS`` summed over baths, ``(..., d, d)``. With ``lamb_shift=False``
            (``S = 0``) it is zero for the global Lindblad equation and keeps only the
            non-secular ``(G(w) - G(w'))/2i`` terms for Bloch-Redfield.
        dissipators: ``D_j`` for each bath, ``(..., d^2, d^2)`` each.
        secular_ratio: for equations that drop pairs of Bohr frequencies (global Lindblad,
            partial secular): the largest transition rate ``sum_j 2 G_j(w_ab) |A_j,ab|^2``
            over the smallest gap ``|w - w'|`` among the pairs dropped, ``(...)``; the
            secular approximation needs it small (see :class:`~qheat.errors.SecularityWarning`).
            ``None`` for equations that drop none.
    """

    name: str
    eigenbasis: Eigenbasis
    hamiltonian: ComplexArray
    lamb_shift: ComplexArray
    dissipators: tuple[ComplexArray, ...]
    secular_ratio: NDArray[np.float64] | None = None

    @property
    def dim(self) -> int:
        """Hilbert-space dimension d."""
        return int(self.hamiltonian.shape[-1])

    @property
    def n_baths(self) -> int:
        """Number of baths (dissipators)."""
        return len(self.dissipators)

    @property
    def energy_operator(self) -> ComplexArray:
        """``H_S + H_LS``, the energy that the heat currents (Eqs. 21-23) measure."""
        return self.hamiltonian + self.lamb_shift

    def liouvillian(self) -> ComplexArray:
        """The full generator in the eigenbasis, ``(..., d^2, d^2)``."""
        return self._liouvillian

    @cached_property
    def _liouvillian(self) -> ComplexArray:
        total = commutator(self.energy_operator)
        for dissipator in self.dissipators:
            total = total + dissipator
        return total

    def lab_liouvillian(self) -> ComplexArray:
        """The full generator in the lab basis: ``(U* kron U) L (U^T kron U^dag)``."""
        u = self.eigenbasis.vectors
        to_lab = sandwich(u, _dag(u))
        to_eigen = sandwich(_dag(u), u)
        return to_lab @ self.liouvillian() @ to_eigen

    def pattern(self) -> BoolArray:
        """``(d^2, d^2)``: where ``L`` is nonzero at some batch point (its sparsity graph)."""
        nonzero = self.liouvillian() != 0
        return nonzero if nonzero.ndim == 2 else nonzero.any(axis=tuple(range(nonzero.ndim - 2)))

    def block_liouvillian(self, block: PopulationBlock) -> ComplexArray:
        """``L`` on the matrix elements of ``block``, ``(..., m, m)`` (block order)."""
        p = block.index
        return self.liouvillian()[..., p[:, None], p[None, :]]

    def apply(self, rho: ComplexArray, dissipated: ComplexArray | None = None) -> ComplexArray:
        """``L(rho) = -i [H_S + H_LS, rho] + sum_j D_j(rho)``, ``(..., d, d)``: the whole
        Liouvillian acting on a state (``dissipated``: :meth:`dissipate` of ``rho`` if known)."""
        if dissipated is None:
            return unvec((self.liouvillian() @ vec(rho)[..., None])[..., 0])
        e = self.energy_operator
        return -1j * (e @ rho - rho @ e) + dissipated.sum(axis=0)

    def dissipate(self, rho: ComplexArray) -> ComplexArray:
        """``D_j(rho)`` of every bath, the baths on a leading axis, ``(n_baths, ..., d, d)``."""
        d_rho = np.array(self.dissipators) @ vec(rho)[..., :, None]
        return unvec(d_rho[..., 0])


@dataclass(frozen=True)
class PairGenerator(Generator):
    """A generator of the Bloch-Redfield family (Eqs. 8-12; secular selection, Eqs. A12-A15).

    Built by :func:`qheat.master.equations.pair_generator`. With ``W = Gamma o A`` and
    ``K_j`` the closure operator of :mod:`qheat.master.pair_kernel` (``H_LS = (K - K^dag)/2i``,
    ``P = K + K^dag``), one bath's dissipator is ``D_j(rho) = jumps_j(rho) - {P_j, rho}/2`` with
    ``jumps_j(rho) = W rho A^dag + A rho W^dag`` when every pair is kept (Bloch-Redfield) and
    ``sum_abcd M_abcd (Gamma(w_ab) + Gamma*(w_cd)) A_ab A*_cd |a><b| rho |d><c|`` with a
    secular mask ``M``.

    Attributes (beyond :class:`Generator`'s; ``dissipators`` is built on first use):
        couplings: ``A_j`` in the eigenbasis, the baths on a leading axis, ``(n, ..., d, d)``.
        spectra: ``Gamma_j(w_ab)`` (``S = 0`` applied when the Lamb shift is off), same shape.
        omega: the Bohr frequencies ``w_ab``, ``(..., d, d)``.
        cutoff: keep the pairs ``|w_ab - w_cd| <= cutoff``; None keeps all.
        closures: ``K_j`` with the selection applied, ``(n, ..., d, d)``.
    """

    dissipators: tuple[ComplexArray, ...] = field(init=False, repr=False, compare=False)
    couplings: ComplexArray = field(kw_only=True, repr=False, compare=False)
    spectra: ComplexArray = field(kw_only=True, repr=False, compare=False)
    omega: FloatArray = field(kw_only=True, repr=False, compare=False)
    cutoff: float | None = field(kw_only=True, default=None)
    closures: ComplexArray = field(kw_only=True, repr=False, compare=False)

    def __getattr__(self, name: str) -> tuple[ComplexArray, ...]:
        """``dissipators``, the full ``(..., d^2, d^2)`` superoperators, on first use."""
        if name != "dissipators":
            raise AttributeError(f"{type(self).__name__!r} object has no attribute {name!r}")
        dissipators, _ = spectral_pair_terms(self.couplings, self.spectra, self._mask)
        value = tuple(dissipators)
        object.__setattr__(self, "dissipators", value)
        return value

    @property
    def n_baths(self) -> int:
        """Number of baths."""
        return int(self.couplings.shape[0])

    @cached_property
    def _mask(self) -> BoolArray | None:
        """The secular selection ``M_{ab,cd} = |w_ab - w_cd| <= cutoff`` (None: all pairs)."""
        if self.cutoff is None:
            return None
        w = self.omega
        return np.abs(w[..., :, :, None, None] - w[..., None, None, :, :]) <= self.cutoff

    @cached_property
    def _pattern(self) -> BoolArray:
        couplings = tuple(self.couplings)
        return coupling_pattern(couplings, self.dim, self.omega, self.cutoff)

    def pattern(self) -> BoolArray:
        """Structural sparsity of ``L`` from the couplings and the secular selection.

        ``L`` can be nonzero only there (vanishing rates only remove entries); the steady state
        checks the block it picks from this pattern by the residual of the whole ``L``.
        """
        return self._pattern

    def block_liouvillian(self, block: PopulationBlock) -> ComplexArray:
        """``L`` on ``block`` only, assembled element by element (no ``d^2 x d^2`` matrix)."""
        batch = np.broadcast_shapes(
            self.omega.shape[:-2], self.couplings.shape[1:-2], self.spectra.shape[1:-2]
        )
        d, m = self.dim, block.size

        def em(x: NDArray[Any]) -> NDArray[Any]:
            return element_major(np.broadcast_to(x, batch + (d, d)))

        # only the pairs the sparsity pattern allows (a secular selection removes most)
        ab, cd = pair_positions(block)
        keep = self._pattern[np.ix_(block.index, block.index)].ravel()
        ab, cd = ab[keep], cd[keep]
        total = None
        for a, gam in zip(self.couplings, self.spectra):
            a_em = em(a)
            if not np.any(a_em.imag):  # a real coupling (the paper's) halves the work
                a_em = np.ascontiguousarray(a_em.real)
            jump = block_jumps(a_em, em(gam * a), ab, cd)
            total = jump if total is None else np.add(total, jump, out=total)
        assert total is not None
        if self.cutoff is not None:  # the secular selection M_{ab,cd} on the block's pairs
            omega_em = em(self.omega)
            total = total * (np.abs(omega_em[ab] - omega_em[cd]) <= self.cutoff)
        k = em(self.closures.sum(axis=0))
        h = em(self.hamiltonian)
        k_dag = np.conj(k[np.arange(d * d).reshape(d, d).T.ravel()])
        out = block_multiplication(-1j * h - k, 1j * h - k_dag, block)
        out[keep] += total
        total = out
        return np.ascontiguousarray(total.T).reshape(batch + (m, m))

    def dissipate(self, rho: ComplexArray) -> ComplexArray:
        """``D_j(rho) = jumps_j(rho) - {P_j, rho}/2`` of every bath, ``(n, ..., d, d)``.

        Computed with the batch as the last, contiguous axis (small matrix products are
        vector operations there). Without a secular mask the jumps are ``W rho A^dag + A rho
        W^dag``; with one, only the columns of the jump superoperator at the elements where
        ``rho`` is nonzero are formed (``d^2 x m`` coefficients instead of ``d^4``).
        """
        d = self.dim
        batch = np.broadcast_shapes(rho.shape[:-2], self.omega.shape[:-2], self.spectra.shape[1:-2])
        n = int(np.prod(batch))

        def em(x: NDArray[Any]) -> NDArray[Any]:
            """``(..., d, d) -> (d, d, n)``, the batch last."""
            flat = np.broadcast_to(x, batch + (d, d)).reshape(n, d, d)
            return np.ascontiguousarray(np.moveaxis(flat, 0, -1))

        x = em(rho)
        # D maps Hermitian operators to Hermitian ones: D(X) = D(X_h) + i D(-i X_a) with X_h,
        # -i X_a Hermitian, and for Hermitian Y the products pair up as T + T^dag
        parts = [(1.0 + 0j, 0.5 * (x + _dag_em(x)))]
        anti = 0.5 * (x - _dag_em(x))
        if np.any(anti):
            parts.append((1j, -1j * anti))
        omega = em(self.omega).reshape(d * d, n) if self.cutoff is not None else None
        out = []
        for coupling, gam, k in zip(self.couplings, self.spectra, self.closures):
            a, w, p = em(coupling), em(gam * coupling), em(k)
            p = p + _dag_em(p)
            total = None
            for factor, y in parts:
                if omega is None:  # W Y A^dag + A Y W^dag = T + T^dag
                    t = np.einsum("acn,ecn->aen", np.einsum("abn,bcn->acn", w, y), np.conj(a))
                    t -= 0.5 * np.einsum("abn,bcn->acn", p, y)  # -{P, Y}/2 = -(Q + Q^dag)/2
                    value = t + _dag_em(t)
                else:
                    value = self._masked_jumps(a, w, y, omega)
                    q = np.einsum("abn,bcn->acn", p, y)
                    value -= 0.5 * (q + _dag_em(q))
                total = value if total is None else total + factor * value
            assert total is not None
            out.append(np.moveaxis(total, -1, 0).reshape(batch + (d, d)))
        return np.array(out)

    def _masked_jumps(
        self, a: ComplexArray, w: ComplexArray, x: ComplexArray, om: FloatArray
    ) -> ComplexArray:
        """``sum_be M_{ab,ce} (W_ab A*_ce + A_ab W*_ce) x_be`` on ``(d, d, n)`` arrays (``om``:
        the Bohr frequencies, ``(d*d, n)``), over the elements ``(b, e)`` where ``x`` is
        nonzero."""
        d, n = x.shape[0], x.shape[-1]
        flat_x = x.reshape(d * d, n)
        support = np.flatnonzero(np.any(flat_x != 0, axis=1))
        rows = np.arange(d * d)
        ra, rc = rows // d, rows % d
        sb, se = support // d, support % d
        ab, ce = ra[:, None] * d + sb[None, :], rc[:, None] * d + se[None, :]
        keep = np.abs(om[ab] - om[ce]) <= self.cutoff
        a2, w2 = a.reshape(d * d, n), w.reshape(d * d, n)
        coef = (w2[ab] * np.conj(a2[ce]) + a2[ab] * np.conj(w2[ce])) * keep
        return np.einsum("rsn,sn->rn", coef, flat_x[support]).reshape(d, d, n)
