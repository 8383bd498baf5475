"""The object every master equation produces: ``H_S + H_LS`` plus one dissipator per bath.

All matrices are in the eigenbasis of ``H_S`` (the basis in which the paper writes
Eqs. 8-12), on column-stacked density matrices (see :mod:`qheat.master.superop`).

Two kinds, one interface (what :func:`qheat.steady.steady_state` and
:func:`qheat.steady.heat_currents` use):

* :class:`Generator` holds its superoperators explicitly (any master equation, including one a
  user writes);
* :class:`PairGenerator` (the Bloch-Redfield family, Eqs. 8-12 and A12-A15) holds the
  couplings and spectra and builds only what is asked: the sparsity pattern of ``L`` from the
  couplings and the secular selection, ``L`` on a block of matrix elements, or ``D_j(rho)``
  on a state, in compiled loops (:mod:`qheat.master.pair_loops`). Its full superoperators
  (``dissipators``, :meth:`liouvillian`) are built on first use and equal the blocks.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

import numpy as np
from numpy.typing import NDArray

from .._arrays import at_point, dense
from ..model import Eigenbasis
from ..model.system import coupling_support
from .jump_form import (
    DenseJumps,
    JumpForm,
    PairJumps,
    cluster_jumps,
    secular_clusters,
    secular_pairs,
)
from .pair_kernel import coupling_pattern, spectral_pair_terms
from .pair_loops import NO_CUTOFF, assemble_block, dissipate_pairs, near_pairs
from .superop import (
    PopulationBlock,
    commutator,
    sandwich,
    unvec,
    vec,
)

__all__ = ["CLUSTER_BUDGET", "PAIR_BUDGET", "FormGenerator", "Generator", "PairGenerator"]

PAIR_BUDGET = 20_000_000
"""Most pairs of Bohr frequencies a secular selection may keep in operator form (about 640 MB:
indices and coefficients); beyond, its clusters of frequencies are used as dense terms, or it is
refused with the memory it would need."""
CLUSTER_BUDGET = 2**31
"""Most bytes the dense cluster terms of a secular selection may take (``32 d^2`` per cluster)."""

ComplexArray = NDArray[np.complex128]
FloatArray = NDArray[np.float64]
BoolArray = NDArray[np.bool_]


def _dag(x: ComplexArray) -> ComplexArray:
    return np.conj(np.swapaxes(x, -1, -2))


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
    def batch_shape(self) -> tuple[int, ...]:
        """The broadcast shape of the generator's batch axes."""
        shapes = [self.hamiltonian.shape[:-2], self.lamb_shift.shape[:-2]]
        return tuple(np.broadcast_shapes(*shapes, *(x.shape[:-2] for x in self.dissipators)))

    @cached_property
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

    def dissipate(self, rho: ComplexArray) -> ComplexArray:
        """``D_j(rho)`` of every bath, the baths on a leading axis, ``(n_baths, ..., d, d)``."""
        d_rho = np.array(self.dissipators) @ vec(rho)[..., :, None]
        return unvec(d_rho[..., 0])

    def rate_scale(self) -> FloatArray:
        """The largest rate of the dissipators, ``(...)``: ``max_j max |D_j|`` elementwise
        (the size of the terms whose sums are ``D_j(rho)``; see
        :func:`qheat.steady.currents.current_round_off`)."""
        largest = np.max([np.abs(d).max(axis=(-2, -1)) for d in self.dissipators], axis=0)
        return np.asarray(largest, dtype=np.float64)


@dataclass(frozen=True)
class FormGenerator(Generator):
    """A generator known in operator form point by point, its superoperators built on demand.

    For equations whose dissipators are written as jump operators (the ULE, the local
    equation): :meth:`operator_form` gives ``L`` at one batch point as a
    :class:`~qheat.master.jump_form.JumpForm` (the matrix-free path of large devices), and
    ``dissipators`` (the ``(..., d^2, d^2)`` superoperators of the dense path) are built from
    ``superoperators()`` on first use only.

    Attributes (beyond :class:`Generator`'s):
        baths: the number of baths.
        batch: the batch shape.
        scale: the largest rate of the jump operators at each point, ``(...)``
            (:meth:`Generator.rate_scale`).
        forms: ``forms(point)``, the operator form at a flat batch index.
        superoperators: builds the dissipators (called at most once).
    """

    dissipators: tuple[ComplexArray, ...] = field(init=False, repr=False, compare=False)
    baths: int = field(kw_only=True)
    batch: tuple[int, ...] = field(kw_only=True)
    scale: FloatArray = field(kw_only=True, repr=False, compare=False)
    forms: Callable[[int], JumpForm] = field(kw_only=True, repr=False, compare=False)
    superoperators: Callable[[], tuple[ComplexArray, ...]] = field(
        kw_only=True, repr=False, compare=False
    )

    def __getattr__(self, name: str) -> tuple[ComplexArray, ...]:
        """``dissipators`` on first use."""
        if name != "dissipators":
            raise AttributeError(f"{type(self).__name__!r} object has no attribute {name!r}")
        value = tuple(self.superoperators())
        object.__setattr__(self, "dissipators", value)
        return value

    @property
    def n_baths(self) -> int:
        """Number of baths."""
        return self.baths

    @property
    def batch_shape(self) -> tuple[int, ...]:
        """The batch shape of the system the generator was built from."""
        return self.batch

    def rate_scale(self) -> FloatArray:
        """The largest rate of the jump operators, ``(...)`` (given by the equation)."""
        return self.scale

    def operator_form(self, point: int) -> JumpForm:
        """``L`` at the flat batch index ``point`` in operator form."""
        return self.forms(point)


@dataclass(frozen=True)
class _FlatPairs:
    """A pair generator's pieces, batch-first: ``A_j``, ``Gamma_j``, ``K_j`` ``(n_baths, n, d,
    d)``; ``X = -iH - K``, ``Y = iH - K^dag``, ``w_ab`` ``(n, d, d)``; the batch shape."""

    batch: tuple[int, ...]
    couplings: ComplexArray
    spectra: ComplexArray
    closures: ComplexArray
    left: ComplexArray
    right: ComplexArray
    omega: FloatArray
    cutoff: float


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
    def batch_shape(self) -> tuple[int, ...]:
        """The broadcast shape of the batch axes of every piece of ``L``."""
        return tuple(
            np.broadcast_shapes(
                self.omega.shape[:-2],
                self.couplings.shape[1:-2],
                self.spectra.shape[1:-2],
                self.closures.shape[1:-2],
                self.hamiltonian.shape[:-2],
            )
        )

    @cached_property
    def _mask(self) -> BoolArray | None:
        """The secular selection ``M_{ab,cd} = |w_ab - w_cd| <= cutoff`` (None: all pairs)."""
        if self.cutoff is None:
            return None
        w = self.omega
        return np.abs(w[..., :, :, None, None] - w[..., None, None, :, :]) <= self.cutoff

    @cached_property
    def _near(self) -> BoolArray | None:
        """``(d^2, d^2)``: the pairs the secular selection keeps at some point (None: all)."""
        return None if self.cutoff is None else near_pairs(self.omega, self.cutoff)

    @cached_property
    def _supports(self) -> BoolArray:
        """``(n_baths, d*d)``: where each ``A_j`` is nonzero at some point of the batch."""
        return np.array([coupling_support(a).ravel() for a in self.couplings])

    @cached_property
    def _pattern(self) -> BoolArray:
        return coupling_pattern(tuple(self.couplings), self.dim, self._near)

    @cached_property
    def _selected_pairs(self) -> NDArray[np.int64]:
        """``(3, T)``: bath, ``ab`` and ``ce`` of the pairs ``A_ab A*_ce`` a secular selection
        may keep (``near`` and both elements coupled by that bath somewhere in the batch)."""
        assert self._near is not None
        rows = []
        for j, support in enumerate(self._supports):
            ab, ce = np.nonzero(self._near & support[:, None] & support[None, :])
            rows.append(np.stack([np.full(ab.size, j), ab, ce]))
        return np.concatenate(rows, axis=1).astype(np.int64)

    def pattern(self) -> BoolArray:
        """Structural sparsity of ``L`` from the couplings and the secular selection.

        ``L`` can be nonzero only there (vanishing rates only remove entries); the steady state
        checks the block it picks from this pattern by the residual of the whole ``L``.
        """
        return self._pattern

    @cached_property
    def _flat(self) -> _FlatPairs:
        """:meth:`_flatten` over the generator's own batch."""
        return self._flatten(())

    def _flatten(self, extra: tuple[int, ...]) -> _FlatPairs:
        """The pieces of ``L`` broadcast to the batch (and ``extra``, e.g. a batch of states)
        and flattened, batch-first and contiguous (what :mod:`qheat.master.pair_loops` reads)."""
        d, n_baths = self.dim, self.n_baths
        batch = np.broadcast_shapes(
            extra,
            self.omega.shape[:-2],
            self.couplings.shape[1:-2],
            self.spectra.shape[1:-2],
            self.closures.shape[1:-2],
            self.hamiltonian.shape[:-2],
        )
        n = math.prod(batch)

        def flat(x: NDArray[Any], baths: bool, dtype: type) -> NDArray[Any]:
            lead = (n_baths,) if baths else ()
            return dense(x, lead + batch + (d, d), dtype).reshape(lead + (n, d, d))

        k = flat(self.closures, True, complex)
        k_total = k.sum(axis=0)
        h = flat(self.hamiltonian, False, complex)
        return _FlatPairs(
            batch=batch,
            couplings=flat(self.couplings, True, complex),
            spectra=flat(self.spectra, True, complex),
            closures=k,
            left=-1j * h - k_total,
            right=1j * h - np.conj(np.swapaxes(k_total, -1, -2)),
            omega=flat(self.omega, False, float),
            cutoff=NO_CUTOFF if self.cutoff is None else float(self.cutoff),
        )

    def rate_scale(self) -> FloatArray:
        """The largest rate, ``(...)``: ``max_j max_ab |Gamma_j(w_ab)| |A_j,ab|^2`` (each element
        of ``D_j`` is a sum of such products)."""
        terms = np.abs(self.spectra) * np.abs(self.couplings) ** 2
        largest = terms.max(axis=(-2, -1)).max(axis=0)
        return np.asarray(largest, dtype=np.float64)

    def block_liouvillian(self, block: PopulationBlock) -> ComplexArray:
        """``L`` on ``block`` only, element by element (no ``d^2 x d^2`` matrix), compiled."""
        f = self._flat
        out = assemble_block(
            block.index,
            self._pattern,
            self._supports,
            f.couplings,
            f.spectra,
            f.left,
            f.right,
            f.omega,
            f.cutoff,
        )
        return out.reshape(f.batch + out.shape[-2:])

    def operator_form(self, point: int, movable: bool = False) -> JumpForm:
        """``L`` at the flat batch index ``point`` in operator form (no ``d^2 x d^2`` matrix;
        :mod:`qheat.master.jump_form`): Bloch-Redfield's jumps ``W rho A^dag + A rho W^dag``
        (``W = Gamma o A``) as one dense term per bath; a secular selection's as the list of the
        pairs it keeps, or as one dense term per cluster of Bohr frequencies when that costs
        less (few wide clusters, e.g. degenerate spectra) or when ``movable`` (dense terms can
        change basis: the local equation).

        Raises:
            MemoryError: neither form of the secular selection fits its budget
                (:data:`PAIR_BUDGET`, :data:`CLUSTER_BUDGET`).
        """
        batch = self.batch_shape
        cutoff = NO_CUTOFF if self.cutoff is None else float(self.cutoff)
        omega = np.asarray(at_point(self.omega, batch, point), dtype=np.float64)
        jumps, anticommutators = [], []
        for a_j, g_j, k_j in zip(self.couplings, self.spectra, self.closures):
            a, g = at_point(a_j, batch, point), at_point(g_j, batch, point)
            k = at_point(k_j, batch, point)
            anticommutators.append(k + _dag(k))
            jumps.append(
                DenseJumps((g * a)[None], a[None])
                if self.cutoff is None
                else self._secular_jumps(a, g, omega, cutoff, movable)
            )
        parts = tuple(jumps)
        return JumpForm(
            energy=np.asarray(at_point(self.energy_operator, batch, point), dtype=np.complex128),
            anticommutators=np.asarray(anticommutators, dtype=np.complex128),
            jumps=parts,
            tilt=lambda j, order: parts[j].tilted(omega, order),
            omega=omega,
        )

    def _secular_jumps(
        self, a: ComplexArray, g: ComplexArray, omega: FloatArray, cutoff: float, movable: bool
    ) -> DenseJumps | PairJumps:
        """One bath's secular jumps as pairs or as clusters, whichever is cheaper and fits."""
        d = self.dim
        try:
            clusters = secular_clusters(a, omega, cutoff)
        except ValueError:  # a chain of near frequencies: only the pairs are exact
            clusters = None
        if clusters is not None:
            pairs = sum(c.size**2 for c in clusters)
            dense_cost = len(clusters) * 2 * d**3
            fits = len(clusters) * 32 * d * d <= CLUSTER_BUDGET
            if fits and (movable or pairs > PAIR_BUDGET or dense_cost < pairs):
                return cluster_jumps(a, g, clusters)
            if movable:
                raise MemoryError(
                    f"{self.name}: {len(clusters)} clusters of Bohr frequencies need "
                    f"{len(clusters) * 32 * d * d / 2**30:.3g} GiB as dense terms"
                )
        try:
            return PairJumps(a, g, secular_pairs(a, omega, cutoff, PAIR_BUDGET))
        except MemoryError as exc:
            raise MemoryError(
                f"{self.name}: {exc} (about 32 bytes each); use BlochRedfield() or a smaller device"
            ) from None

    def dissipate(self, rho: ComplexArray) -> ComplexArray:
        """``D_j(rho) = jumps_j(rho) - {P_j, rho}/2`` of every bath, ``(n, ..., d, d)``,
        compiled (:func:`~qheat.master.pair_loops.dissipate_pairs`)."""
        f, d = self._flat, self.dim
        if np.broadcast_shapes(rho.shape[:-2], f.batch) != f.batch:  # more states than points
            f = self._flatten(rho.shape[:-2])
        x = dense(rho, f.batch + (d, d), np.complex128)
        pairs = np.zeros((3, 0), dtype=np.int64) if self.cutoff is None else self._selected_pairs
        out = dissipate_pairs(
            f.couplings, f.spectra, f.closures, x.reshape(-1, d, d), f.omega, f.cutoff, pairs
        )
        return out.reshape((self.n_baths,) + f.batch + (d, d))
