"""The master equations as typed options: each builds a :class:`Generator` from an open system.

* :class:`BlochRedfield` -- Eqs. 8-12: all pairs ``(w, w')``, non-secular terms and the full
  Lamb shift ``H_LS`` of Eq. 9 (switchable off).
* :class:`GlobalLindblad` -- Eqs. A14-A15: the secular terms ``w = w'`` only, with its own
  ``H_LS^L`` (switchable off).
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from typing import ClassVar, Protocol

import numpy as np
from numpy.typing import ArrayLike, NDArray

from .._checks import flag, tolerance
from ..errors import InvalidParameterError, SecularityWarning
from ..model import OpenSystem
from ..model.coupling import SECULAR_RATIO_NOTICE
from .generator import Generator, PairGenerator
from .pair_kernel import without_lamb_shift
from .pair_loops import closures, smallest_dropped_gap

__all__ = [
    "MasterEquation",
    "BlochRedfield",
    "GlobalLindblad",
    "pair_generator",
    "secular_mask",
    "secular_ratio",
    "bohr_gaps",
    "warn_if_not_secular",
    "SECULAR_RATIO_WARN",
    "SECULAR_RATIO_NOTICE",
    "secular_notice",
]


class MasterEquation(Protocol):
    """Anything that turns an :class:`~qheat.model.OpenSystem` into a :class:`Generator`."""

    name: ClassVar[str]

    def generator(self, system: OpenSystem) -> Generator: ...


def secular_mask(omega: NDArray[np.float64], cutoff: float) -> NDArray[np.bool_]:
    """``M_{ab,cd} = |w_ab - w_cd| <= cutoff`` of shape ``(..., d, d, d, d)``."""
    return bohr_gaps(omega) <= cutoff


def pair_generator(
    name: str, system: OpenSystem, lamb_shift: bool, secular_cutoff: float | None
) -> PairGenerator:
    """Generator of the Bloch-Redfield family: pairs ``(w, w')`` kept when ``|w - w'| <= cutoff``.

    ``secular_cutoff=None`` keeps every pair (Bloch-Redfield, Eqs. 8-12); a cutoff at the
    degeneracy tolerance keeps only ``w = w'`` (global Lindblad, Eqs. A14-A15); anything in
    between is a partial-secular equation.

    With a cutoff, the generator carries :func:`secular_ratio` (``Generator.secular_ratio``).

    Raises:
        InvalidParameterError: ``name`` is not a non-empty string, ``lamb_shift`` is not a
            bool, or ``secular_cutoff`` is neither None nor a finite number >= 0.

    Warns:
        SecularityWarning: the secular ratio exceeds :data:`SECULAR_RATIO_WARN` at some point
            (the dropped pairs are not negligible there).
    """
    if not (isinstance(name, str) and name):
        raise InvalidParameterError(f"name must be a non-empty string, got {name!r}")
    lamb_shift = flag("lamb_shift", lamb_shift)
    if secular_cutoff is not None:
        secular_cutoff = tolerance("secular_cutoff", secular_cutoff)
    if not isinstance(system, OpenSystem):
        raise InvalidParameterError(f"system must be an OpenSystem, got {type(system).__name__}")
    basis = system.eigensystem()
    omega = system.bohr_frequencies
    # every bath in one batched call: the bath index is a leading axis
    couplings, spectra = system.bath_stack
    ratio = None
    # S = 0 without the Lamb shift: Gamma = G (K keeps the non-secular (G(w) - G(w'))/2i part)
    spectra = without_lamb_shift(spectra, lamb_shift)
    k = closures(couplings, spectra)
    if secular_cutoff is not None:
        ratio = secular_ratio(couplings, spectra, omega, secular_cutoff)
        warn_if_not_secular(name, ratio)
        k = k * (np.abs(omega) <= secular_cutoff)  # M_{ab,ad} = |w_db| <= cutoff
    h_s = np.zeros(omega.shape, dtype=complex)
    idx = np.arange(system.dim)
    h_s[..., idx, idx] = basis.energies
    k_dag = np.conj(np.swapaxes(k, -1, -2))
    return PairGenerator(
        name=name,
        eigenbasis=basis,
        hamiltonian=h_s,
        lamb_shift=np.asarray(((k - k_dag) / 2j).sum(axis=0), dtype=np.complex128),
        secular_ratio=ratio,
        couplings=couplings,
        spectra=spectra,
        omega=omega,
        cutoff=secular_cutoff,
        closures=k,
    )


def bohr_gaps(omega: NDArray[np.float64]) -> NDArray[np.float64]:
    """``|w_ab - w_cd|`` of shape ``(..., d, d, d, d)``."""
    return np.abs(omega[..., :, :, None, None] - omega[..., None, None, :, :])


def secular_ratio(
    couplings: NDArray[np.complex128],
    spectra: NDArray[np.complex128],
    omega: NDArray[np.float64],
    cutoff: float,
) -> NDArray[np.float64]:
    """Largest transition rate over the smallest Bohr-frequency gap a secular equation drops.

    The rate of ``|b> -> |a>`` (Fermi's golden rule) is ``sum_j 2 G_j(w_ab) |A_j,ab|^2``; the
    pairs dropped are those of one bath (``A_j,ab A_j,cd != 0``) with ``|w_ab - w_cd| >
    cutoff``. The secular approximation (Eqs. A12-A15) needs rates << gaps
    (docs/sharp-bits.md). 0 when no pair is dropped.

    Args:
        couplings: ``A_j`` in the eigenbasis, the baths on a leading axis, ``(n, ..., d, d)``.
        spectra: ``Gamma_j(w_ab)`` (only ``G = Re Gamma`` is used), ``(n, ..., d, d)``.
        omega: the Bohr frequencies ``w_ab``, ``(..., d, d)``.
        cutoff: the secular cutoff (pairs closer than this are kept).
    """
    n, d = couplings.shape[0], couplings.shape[-1]
    support = (couplings != 0).reshape(n, -1, d * d).any(axis=1)  # (n, d*d), union over batch
    smallest = np.full(omega.shape[:-2], np.inf)
    for coupled in support:  # each bath's frequencies, sorted: no list of pairs
        smallest = np.minimum(
            smallest, smallest_dropped_gap(omega, np.flatnonzero(coupled), cutoff)
        )
    rate = 2.0 * (spectra.real * np.abs(couplings) ** 2).sum(axis=0)
    largest = rate.reshape(rate.shape[:-2] + (-1,)).max(axis=-1)
    return np.asarray(largest / smallest, dtype=np.float64)


SECULAR_RATIO_WARN = 1.0
"""A :class:`~qheat.errors.SecularityWarning` is raised where ``secular_ratio`` exceeds this."""

# SECULAR_RATIO_NOTICE (0.2): above it printed summaries say the secular current may be off by
# 10% or more. Calibrated against HEOM and Bloch-Redfield (docs/sharp-bits.md): below 0.2 every
# measured error of the global Lindblad current is under 6.5% (vs BR) and 8.1% (vs HEOM); it
# reaches 10% from 0.25 on, and exceeds it everywhere above 0.34. Defined in qheat.model.coupling
# (it also bounds the level splittings degeneracy_tol may merge).


def secular_notice(ratio: ArrayLike) -> str:
    """One line for a printed summary about the largest ``ratio`` (NaN ignored): empty up to
    :data:`SECULAR_RATIO_NOTICE`, a notice above it, and above :data:`SECULAR_RATIO_WARN` the
    reason the solve warned."""
    values = np.asarray(ratio, dtype=np.float64)
    if not np.any(np.isfinite(values)):
        return ""
    top = float(np.nanmax(values))
    if top > SECULAR_RATIO_WARN:
        return (
            f"secular_ratio {top:.3g} > {SECULAR_RATIO_WARN:g}: outside the secular "
            "approximation's validity"
        )
    if top > SECULAR_RATIO_NOTICE:
        return (
            f"secular_ratio {top:.3g} > {SECULAR_RATIO_NOTICE:g}: the secular current may be "
            "off by 10% or more"
        )
    return ""


def warn_if_not_secular(name: str, ratio: NDArray[np.float64], stacklevel: int = 4) -> None:
    """One :class:`~qheat.errors.SecularityWarning` for a batch, if ``ratio`` exceeds
    :data:`SECULAR_RATIO_WARN` anywhere (``name`` prefixes the message)."""
    n_bad = int(np.count_nonzero(ratio > SECULAR_RATIO_WARN))  # NaN (not computed) is not counted
    if not n_bad:
        return
    warnings.warn(
        f"{name}: secular approximation outside its validity at {n_bad} of {ratio.size} "
        f"points: transition rates up to {np.nanmax(ratio):.3g} times the smallest Bohr-frequency "
        "gap it neglects (see the generator's secular_ratio); BlochRedfield() keeps those terms",
        SecularityWarning,
        stacklevel=stacklevel,
    )


@dataclass(frozen=True)
class BlochRedfield:
    """Bloch-Redfield master equation, Eqs. 8-12 (non-secular, with the Lamb shift of Eq. 9).

    Args:
        lamb_shift: keep ``S(w)`` (Eq. 15). ``False`` sets ``S = 0`` everywhere, as QuTiP's
            Bloch-Redfield tensor does (``H_LS`` then keeps only the non-secular
            ``(G(w) - G(w'))/2i`` terms of Eq. 11).
    """

    lamb_shift: bool = True
    name: ClassVar[str] = "br"

    def __post_init__(self) -> None:
        flag("lamb_shift", self.lamb_shift)

    def generator(self, system: OpenSystem) -> Generator:
        """Build the Bloch-Redfield generator of ``system``."""
        return pair_generator(self.name, system, self.lamb_shift, secular_cutoff=None)


@dataclass(frozen=True)
class GlobalLindblad:
    """Global (secular) Lindblad master equation, Eqs. A14-A15.

    Keeps the pairs ``(w, w')`` with ``|w - w'| <= system.degeneracy_tol``. Valid where the
    transition rates are small compared with the gaps between distinct Bohr frequencies: its
    generator's ``secular_ratio`` measures that, with a ``SecularityWarning`` above 1.

    Args:
        lamb_shift: keep ``S(w)``; ``False`` sets ``S = 0``, hence ``H_LS^L = 0`` (Eq. A14).
    """

    lamb_shift: bool = True
    name: ClassVar[str] = "lindblad"

    def __post_init__(self) -> None:
        flag("lamb_shift", self.lamb_shift)

    def generator(self, system: OpenSystem) -> Generator:
        """Build the global Lindblad generator of ``system``."""
        return pair_generator(
            self.name, system, self.lamb_shift, secular_cutoff=system.degeneracy_tol
        )
