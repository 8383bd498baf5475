"""A general open system: Hermitian ``H`` (d x d) and one Hermitian coupling operator per bath.

Bath ``j`` couples through ``H_SB_j = A_j (x) B_j`` (Eq. 5 with ``A_j = sx_j`` for the paper's
model). Every array may carry leading batch axes ``(...)`` that broadcast (numpy rules).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any, Protocol

import numpy as np
from numpy.typing import ArrayLike, NDArray

from .._checks import broadcast_shape, hermitian, tolerance
from ..errors import InvalidParameterError
from .coupling import (
    DEFAULT_DEGENERACY_TOL,
    CouplingStrength,
    check_merged_levels,
    coupling_strength,
)

__all__ = [
    "Bath",
    "Builder",
    "Eigenbasis",
    "OpenSystem",
    "as_matrix",
    "coupling_support",
    "spectral_rates",
    "stack_baths",
]

EIGENBASIS_RTOL = 1e-8
"""A supplied eigenbasis must satisfy ``max |H U - U diag(E)|`` and ``max |U^dag U - 1|``
below this (relative to ``max(1, max |H|)`` for the first)."""

ComplexArray = NDArray[np.complex128]
FloatArray = NDArray[np.float64]

ROUND_OFF = 1e-13
"""Eigenbasis matrix elements of a coupling below this times its largest are exact zeros."""


class Bath(Protocol):
    """What the master equations need of a bath (see :class:`qheat.baths.DrudeBath`).

    Optional: a classmethod ``stacked(baths, ndim)`` returning one bath whose parameters carry
    a leading axis over ``baths`` (see :meth:`qheat.baths.DrudeBath.stacked`). When every bath
    of a system is of one such class, their spectra are evaluated in one call.
    """

    @property
    def shape(self) -> tuple[int, ...]: ...

    def expanded(self, ndim: int) -> Bath: ...

    def G(self, omega: ArrayLike) -> FloatArray: ...

    def S(self, omega: ArrayLike) -> FloatArray: ...

    def Gamma(self, omega: ArrayLike) -> ComplexArray: ...


_BATH_MEMBERS = ("shape", "expanded", "G", "S", "Gamma")
"""What :class:`OpenSystem` checks a bath has (the members of the :class:`Bath` protocol)."""


@dataclass(frozen=True)
class Eigenbasis:
    """Eigen-decomposition ``H = U diag(E) U^dag``; columns of ``vectors`` are eigenstates.

    Shapes: ``energies (..., d)``, ``vectors (..., d, d)``.
    """

    energies: FloatArray
    vectors: ComplexArray

    def bohr_frequencies(self) -> FloatArray:
        """``w_ab = E_b - E_a`` (..., d, d): the frequency that ``|a><b|`` lowers the energy by."""
        return self.energies[..., None, :] - self.energies[..., :, None]

    def to_eigen(self, op: ArrayLike) -> ComplexArray:
        """Matrix elements ``<a|op|b>`` of a lab-basis operator."""
        u = self.vectors
        return np.conj(np.swapaxes(u, -1, -2)) @ np.asarray(op) @ u

    def to_lab(self, op: ArrayLike) -> ComplexArray:
        """Lab-basis matrix of an operator given in the eigenbasis."""
        u = self.vectors
        return u @ np.asarray(op) @ np.conj(np.swapaxes(u, -1, -2))


@dataclass(frozen=True)
class OpenSystem:
    """A system Hamiltonian, its coupling operators and one bath per coupling.

    Args:
        hamiltonian: ``H_S``, Hermitian, shape ``(..., d, d)``.
        couplings: one Hermitian system operator ``A_j`` per bath, each ``(..., d, d)``.
        baths: the baths, in the same order.
        eigenbasis: optional analytic eigen-decomposition of ``H_S`` (the paper's model
            supplies its own, Eqs. 2-3); computed with ``numpy.linalg.eigh`` otherwise.
        degeneracy_tol: Bohr frequencies closer than this are one frequency (the
            secular approximation keeps pairs ``|w - w'| <= tol``; ``|w| <= tol`` is 0).
        bath_names: one distinct name per bath (default ``"1", "2", ...``); results are
            labelled by them (``Solution.current("L")``, the ``bath`` coordinate of a sweep).
        subsystem_dims: the tensor-product structure of the Hilbert space, e.g. ``(2, 2, 2)``
            for three qubits (product ``d``; the first factor is the leftmost); ``None`` when
            unknown. :class:`~qheat.master.LocalLindblad` uses it to find local Hamiltonians.
        site_names: optional, one distinct name per factor of ``subsystem_dims`` (a device's
            sites, :mod:`qheat.model.sites`); diagnostics name sites by it.
        truncated_sites: the names (of ``site_names``) of the sites that are truncated
            oscillators (resonators, transmons): :func:`qheat.solve` checks the population of
            their top level (:mod:`qheat.steady.truncation`, ``TruncationWarning``).

    ``hamiltonian`` and ``couplings`` may be QuTiP ``Qobj`` (their ``full()`` matrix is used);
    a tensor ``Qobj`` (``dims = [[4, 6], [4, 6]]``) gives ``subsystem_dims`` when it is not
    given, and must agree with it when it is.
    """

    hamiltonian: ComplexArray
    couplings: tuple[ComplexArray, ...]
    baths: tuple[Bath, ...]
    eigenbasis: Eigenbasis | None = field(default=None, repr=False)
    degeneracy_tol: float = DEFAULT_DEGENERACY_TOL
    bath_names: tuple[str, ...] | None = None
    subsystem_dims: tuple[int, ...] | None = None
    site_names: tuple[str, ...] | None = None
    truncated_sites: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        qobj_dims = _qobj_dims(self.hamiltonian, self.couplings, self.subsystem_dims)
        h = hermitian("hamiltonian", as_matrix(self.hamiltonian))
        d = h.shape[-1]
        if isinstance(self.couplings, np.ndarray) or not isinstance(self.couplings, (tuple, list)):
            raise InvalidParameterError(
                "couplings must be a tuple with one (..., d, d) operator per bath, got "
                f"{type(self.couplings).__name__}"
            )
        if not isinstance(self.baths, (tuple, list)):
            raise InvalidParameterError(
                f"baths must be a tuple with one bath per coupling, got {type(self.baths).__name__}"
            )
        couplings = tuple(
            hermitian(f"couplings[{j}]", as_matrix(a), dim=d) for j, a in enumerate(self.couplings)
        )
        if len(couplings) == 0:
            raise InvalidParameterError("couplings must list at least one coupling operator")
        object.__setattr__(self, "degeneracy_tol", tolerance("degeneracy_tol", self.degeneracy_tol))
        object.__setattr__(self, "hamiltonian", h)
        object.__setattr__(self, "couplings", couplings)
        object.__setattr__(self, "baths", tuple(self.baths))
        self._check_baths()
        object.__setattr__(self, "bath_names", _names(self.bath_names, len(couplings)))
        dims = _dims(self.subsystem_dims if qobj_dims is None else qobj_dims, d)
        object.__setattr__(self, "subsystem_dims", dims)
        names, truncated = _sites(self.site_names, self.truncated_sites, dims)
        object.__setattr__(self, "site_names", names)
        object.__setattr__(self, "truncated_sites", truncated)
        if self.eigenbasis is not None:
            _check_eigenbasis(self.eigenbasis, h)

    @classmethod
    def _exact(
        cls,
        hamiltonian: ComplexArray,
        couplings: tuple[ComplexArray, ...],
        baths: tuple[Bath, ...],
        eigenbasis: Eigenbasis,
        subsystem_dims: tuple[int, ...] | None = None,
    ) -> OpenSystem:
        """For model constructors whose operators are Hermitian complex arrays and whose
        eigenbasis is exact by construction (:meth:`TwoQubitModel.open_system`): only the
        baths and the shapes are checked, not what the model guarantees (and tests)."""
        system = object.__new__(cls)
        fields = {"hamiltonian": hamiltonian, "couplings": couplings, "baths": baths}
        fields.update({"eigenbasis": eigenbasis, "degeneracy_tol": cls.degeneracy_tol})
        fields.update({"bath_names": _names(None, len(baths)), "subsystem_dims": subsystem_dims})
        fields.update({"site_names": None, "truncated_sites": ()})
        for name, value in fields.items():
            object.__setattr__(system, name, value)
        system._check_baths()
        return system

    def _check_baths(self) -> None:
        """One bath per coupling, each with the :class:`Bath` members; shapes broadcast."""
        if len(self.couplings) != len(self.baths):
            raise InvalidParameterError(
                f"couplings and baths must have the same length, got {len(self.couplings)} and "
                f"{len(self.baths)}"
            )
        for j, bath in enumerate(self.baths):
            if not all(hasattr(bath, m) for m in _BATH_MEMBERS):
                raise InvalidParameterError(
                    f"baths[{j}] must be a bath (shape, expanded, G, S, Gamma; e.g. "
                    f"qheat.DrudeBath), got {type(bath).__name__}"
                )
        shapes = {"hamiltonian": self.hamiltonian.shape[:-2]}
        shapes.update({f"couplings[{j}]": a.shape[:-2] for j, a in enumerate(self.couplings)})
        shapes.update({f"baths[{j}]": b.shape for j, b in enumerate(self.baths)})
        broadcast_shape(shapes)

    def with_baths(self, baths: tuple[Bath, ...]) -> OpenSystem:
        """The same system with other baths (same number, names and order)."""
        return OpenSystem(
            self.hamiltonian,
            self.couplings,
            tuple(baths),
            eigenbasis=self.eigenbasis,
            degeneracy_tol=self.degeneracy_tol,
            bath_names=self.bath_names,
            subsystem_dims=self.subsystem_dims,
            site_names=self.site_names,
            truncated_sites=self.truncated_sites,
        )

    @property
    def n_baths(self) -> int:
        """Number of baths."""
        return len(self.baths)

    @property
    def dim(self) -> int:
        """Hilbert-space dimension d."""
        return int(self.hamiltonian.shape[-1])

    @cached_property
    def batch_shape(self) -> tuple[int, ...]:
        """Broadcast shape of all parameters (the leading axes of every result)."""
        shapes = [self.hamiltonian.shape[:-2], *(a.shape[:-2] for a in self.couplings)]
        shapes += [b.shape for b in self.baths]
        return np.broadcast_shapes(*shapes) if any(shapes) else ()

    def eigensystem(self) -> Eigenbasis:
        """The analytic eigenbasis if given, else ``numpy.linalg.eigh`` (ascending energies)."""
        return self._eigensystem

    @cached_property
    def _eigensystem(self) -> Eigenbasis:
        if self.eigenbasis is not None:
            return self.eigenbasis
        h = self.hamiltonian
        if not np.any(h.imag):  # real symmetric: real eigenvectors (half the work downstream)
            energies, real_vectors = np.linalg.eigh(h.real)
            return Eigenbasis(energies=energies, vectors=real_vectors.astype(np.complex128))
        energies, vectors = np.linalg.eigh(h)
        return Eigenbasis(energies=energies, vectors=vectors)

    @cached_property
    def bohr_frequencies(self) -> FloatArray:
        """``w_ab = E_b - E_a`` (..., d, d), with ``|w_ab| <= degeneracy_tol`` set to exactly 0."""
        w = self.eigensystem().bohr_frequencies()
        return np.where(np.abs(w) <= self.degeneracy_tol, 0.0, w)

    @cached_property
    def eigen_couplings(self) -> tuple[ComplexArray, ...]:
        """The coupling operators ``<a|A_j|b>`` in the eigenbasis, each ``(..., d, d)``.

        Elements below :data:`ROUND_OFF` times the largest (the round-off of a numerical
        eigenbasis, where a symmetry makes them vanish) are set to exactly 0, so that the
        master equations see the symmetry's block structure; the steady state's residual on
        the whole Liouvillian measures what that drops (about 1e-16).
        """
        basis = self.eigensystem()
        out = []
        for a in self.couplings:
            element = basis.to_eigen(a)
            if self.eigenbasis is None:
                scale = np.max(np.abs(element), initial=0.0)
                element = np.where(np.abs(element) <= ROUND_OFF * scale, 0.0, element)
            out.append(element)
        return tuple(out)

    @cached_property
    def correlation_spectra(self) -> tuple[ComplexArray, ...]:
        """``Gamma_j(w_ab) = G_j(w_ab) + i S_j(w_ab)`` (Eq. 13) at the Bohr frequencies.

        One ``(..., d, d)`` array per bath, evaluated where ``A_j`` has a nonzero element
        (zero elsewhere): the only places the master equations use it. Computed once per
        system and shared by every master equation built from it.
        """
        supports = [coupling_support(a) for a in self.eigen_couplings]
        stacked = _stacked(self.baths, len(self.batch_shape))
        if stacked is None:
            return tuple(
                spectral_rates(bath, self.bohr_frequencies, where=support)
                for bath, support in zip(self.baths, supports)
            )
        union = np.logical_or.reduce(supports)
        rates = spectral_rates(stacked, self.bohr_frequencies, where=union)  # (n_baths, ...)
        return tuple(
            rate if (support == union).all() else np.where(support, rate, 0.0)
            for rate, support in zip(rates, supports)
        )

    def check_degeneracy_tol(self) -> None:
        """Refuse a ``degeneracy_tol`` that merges levels the dynamics resolves (split by more
        than 0.2 x the largest transition rate; :func:`qheat.model.coupling.check_merged_levels`).

        Raises:
            InvalidParameterError: naming ``degeneracy_tol``, the splitting and the limit.
        """
        rates = sum(
            2.0 * gamma.real * np.abs(a) ** 2
            for a, gamma in zip(self.eigen_couplings, self.correlation_spectra)
        )
        largest = np.asarray(rates).reshape(np.shape(rates)[:-2] + (-1,)).max(axis=-1)
        check_merged_levels(self.eigensystem().energies, self.degeneracy_tol, largest)

    @cached_property
    def coupling_strength(self) -> CouplingStrength:
        """How far the system is from weak coupling, the premise of every perturbative master
        equation (:mod:`qheat.model.coupling`): its spectral and memory ratios, ``(...)``."""
        return coupling_strength(
            self.eigen_couplings,
            self.correlation_spectra,
            self.bohr_frequencies,
            self.baths,
            self.batch_shape,
        )

    @property
    def temperatures(self) -> tuple[FloatArray | None, ...]:
        """Each bath's temperature (its ``temperature`` attribute; None where it has none)."""
        out = []
        for bath in self.baths:
            t = getattr(bath, "temperature", None)
            out.append(None if t is None else np.asarray(t, dtype=np.float64))
        return tuple(out)

    @cached_property
    def bath_stack(self) -> tuple[ComplexArray, ComplexArray]:
        """``(A_j, Gamma_j(w_ab))`` of every bath on a leading bath axis, ``(n_baths, ..., d, d)``
        each (:attr:`eigen_couplings`, :attr:`correlation_spectra`): the master equations
        build all baths' terms in one batched call."""
        ndim = len(self.batch_shape)
        return (
            stack_baths(self.eigen_couplings, ndim),
            stack_baths(self.correlation_spectra, ndim),
        )


Builder = Callable[..., OpenSystem]
"""``build(**params) -> OpenSystem``: what sweeps and analyses call at each point (e.g.
``qheat.paper_system`` or a device's ``system``)."""


def as_matrix(value: Any) -> Any:
    """A QuTiP ``Qobj`` (anything with ``full()`` and ``dims``) as its dense matrix; else as is."""
    full = getattr(value, "full", None)
    if callable(full) and hasattr(value, "dims"):
        return full()
    return value


def _names(names: object, n: int) -> tuple[str, ...]:
    """``bath_names`` checked: ``n`` distinct non-empty strings (default ``"1", ..., "n"``)."""
    if names is None:
        return tuple(str(j + 1) for j in range(n))
    if isinstance(names, str) or not isinstance(names, (tuple, list)):
        raise InvalidParameterError(
            f"bath_names must be a tuple of {n} distinct strings, got {type(names).__name__}"
        )
    names = tuple(names)
    if len(names) != n or not all(isinstance(x, str) and x for x in names):
        raise InvalidParameterError(
            f"bath_names must be {n} non-empty strings (one per bath), got {list(names)}"
        )
    if len(set(names)) != n:
        twice = sorted({x for x in names if names.count(x) > 1})
        raise InvalidParameterError(f"bath_names must be distinct, got {twice} more than once")
    return names


def _dims(dims: object, d: int) -> tuple[int, ...] | None:
    """``subsystem_dims`` checked: integers >= 2 whose product is ``d`` (or None)."""
    if dims is None:
        return None
    if not isinstance(dims, (tuple, list)) or not all(
        isinstance(x, (int, np.integer)) and not isinstance(x, bool) and x >= 2 for x in dims
    ):
        raise InvalidParameterError(
            f"subsystem_dims must be a tuple of integers >= 2, got {dims!r}"
        )
    dims = tuple(int(x) for x in dims)
    if int(np.prod(dims)) != d:
        raise InvalidParameterError(
            f"subsystem_dims {dims} must multiply to the dimension d = {d}, got {int(np.prod(dims))}"
        )
    return dims


def _qobj_dims(hamiltonian: object, couplings: object, dims: object) -> tuple[int, ...] | None:
    """The tensor structure of QuTiP operators: the factors of the ``dims`` of the tensor
    ``Qobj`` among ``hamiltonian`` and ``couplings`` (None when there is none). They must all
    agree, and agree with ``subsystem_dims`` if it is given."""
    named = {"hamiltonian": hamiltonian}
    if isinstance(couplings, (tuple, list)):
        named.update({f"couplings[{j}]": a for j, a in enumerate(couplings)})
    found: dict[str, tuple[int, ...]] = {}
    for name, value in named.items():
        qdims = getattr(value, "dims", None)
        if not callable(getattr(value, "full", None)) or not isinstance(qdims, (list, tuple)):
            continue
        if len(qdims) != 2 or not all(isinstance(side, (list, tuple)) for side in qdims):
            continue
        left, right = (tuple(int(x) for x in side) for side in qdims)
        if left != right:
            raise InvalidParameterError(
                f"{name} is a Qobj with dims {[list(left), list(right)]}: an operator of an "
                "open system needs equal left and right dims"
            )
        if len(left) > 1:  # a tensor product
            found[name] = left
    if not found:
        return None
    first_name, first = next(iter(found.items()))
    for name, value in found.items():
        if value != first:
            raise InvalidParameterError(
                f"{name} is a Qobj of dims {list(value)}, {first_name} of dims {list(first)}: "
                "they must act on the same tensor product"
            )
    if isinstance(dims, (tuple, list)) and tuple(dims) != first:
        raise InvalidParameterError(
            f"subsystem_dims {tuple(dims)} does not match the dims {list(first)} of the Qobj "
            f"{first_name}"
        )
    return first


def _sites(
    names: object, truncated: object, dims: tuple[int, ...] | None
) -> tuple[tuple[str, ...] | None, tuple[str, ...]]:
    """``site_names`` (one distinct string per factor of ``dims``) and ``truncated_sites``
    (some of them), checked."""
    if isinstance(truncated, str) or not isinstance(truncated, (tuple, list)):
        raise InvalidParameterError(
            f"truncated_sites must be a tuple of site names, got {type(truncated).__name__}"
        )
    truncated = tuple(truncated)
    if names is None:
        if truncated:
            raise InvalidParameterError(
                "truncated_sites needs site_names (one name per factor of subsystem_dims)"
            )
        return None, ()
    if isinstance(names, str) or not isinstance(names, (tuple, list)):
        raise InvalidParameterError(
            f"site_names must be a tuple of strings, got {type(names).__name__}"
        )
    names = tuple(names)
    if dims is None or len(names) != len(dims):
        raise InvalidParameterError(
            f"site_names must name each factor of subsystem_dims {dims}, got {list(names)}"
        )
    if not all(isinstance(x, str) and x for x in names) or len(set(names)) != len(names):
        raise InvalidParameterError(
            f"site_names must be distinct non-empty strings, got {list(names)}"
        )
    unknown = [x for x in truncated if x not in names]
    if unknown:
        raise InvalidParameterError(
            f"truncated_sites: {unknown[0]!r} is not a site; the sites are {', '.join(names)}"
        )
    return names, tuple(x for x in names if x in truncated)


def stack_baths(arrays: tuple[ComplexArray, ...], ndim: int) -> ComplexArray:
    """``(..., d, d)`` arrays, one per bath, stacked on a new leading axis.

    Each is first padded to ``ndim`` batch axes, and broadcast if the shapes still differ.
    """
    padded = [a.reshape((1,) * (ndim + 2 - a.ndim) + a.shape) for a in arrays]
    if len({a.shape for a in padded}) > 1:
        padded = list(np.broadcast_arrays(*padded))
    return np.array(padded)  # one C-level copy (np.stack of equal shapes, faster)


def _stacked(baths: tuple[Bath, ...], ndim: int) -> Bath | None:
    """All ``baths`` as one bath with a leading bath axis, if their class can stack them."""
    cls = type(baths[0])
    stack = getattr(cls, "stacked", None)
    if len(baths) < 2 or stack is None or any(type(b) is not cls for b in baths):
        return None
    return stack(baths, ndim)  # type: ignore[no-any-return]


def coupling_support(coupling: ComplexArray) -> NDArray[np.bool_]:
    """``(d, d)`` pattern of the elements of ``coupling`` that are nonzero at any batch point."""
    nonzero = coupling != 0
    return nonzero if nonzero.ndim == 2 else nonzero.any(axis=tuple(range(nonzero.ndim - 2)))


def spectral_rates(
    bath: Bath, omega: FloatArray, where: NDArray[np.bool_] | None = None
) -> ComplexArray:
    """``Gamma(w_ab) = G(w_ab) + i S(w_ab)`` (Eq. 13) of one bath at frequencies ``(..., d, d)``.

    ``where`` (``(d, d)`` booleans) evaluates only those elements and leaves 0 elsewhere.
    """
    if where is None:
        local = bath.expanded(2) if bath.shape else bath
        return np.asarray(local.Gamma(omega), dtype=np.complex128)
    flat = np.flatnonzero(where)
    picked = omega.reshape(omega.shape[:-2] + (-1,))[..., flat]
    local = bath.expanded(1) if bath.shape else bath
    picked_rates = np.asarray(local.Gamma(picked))
    out = np.zeros(picked_rates.shape[:-1] + (where.size,), dtype=complex)
    out[..., flat] = picked_rates
    return out.reshape(picked_rates.shape[:-1] + where.shape)


def _check_eigenbasis(basis: object, h: ComplexArray) -> None:
    """A supplied eigenbasis must diagonalize ``h``: otherwise every result would be wrong."""
    if not isinstance(basis, Eigenbasis):
        raise InvalidParameterError(
            f"eigenbasis must be an Eigenbasis or None, got {type(basis).__name__}"
        )
    d = h.shape[-1]
    energies, vectors = np.asarray(basis.energies), np.asarray(basis.vectors)
    if energies.shape[-1:] != (d,) or vectors.shape[-2:] != (d, d):
        raise InvalidParameterError(
            f"eigenbasis must have energies (..., {d}) and vectors (..., {d}, {d}), got "
            f"{energies.shape} and {vectors.shape}"
        )
    scale = max(1.0, float(np.max(np.abs(h))))
    mismatch = float(np.max(np.abs(h @ vectors - vectors * energies[..., None, :])))
    unitarity = float(np.max(np.abs(np.conj(np.swapaxes(vectors, -1, -2)) @ vectors - np.eye(d))))
    if not (mismatch <= EIGENBASIS_RTOL * scale and unitarity <= EIGENBASIS_RTOL):
        raise InvalidParameterError(
            "eigenbasis does not diagonalize the hamiltonian: max |H U - U diag(E)| = "
            f"{mismatch:.3g}, max |U^dag U - 1| = {unitarity:.3g} (allowed {EIGENBASIS_RTOL:g})"
        )
