"""How weak the system-bath coupling is: the premise of every perturbative master equation.

Bloch-Redfield, the Lindblad equations and the ULE are second order in the coupling (Born) and
Markovian. Two dimensionless numbers measure how far a system is from that premise, both from
quantities the master equations already evaluate (``A_j`` and ``Gamma_j(w_ab)`` in the
eigenbasis, Eq. 13; docs/trust.md):

* the **spectral ratio** ``max_{j, ab} |A_j,ab|^2 J_j(w_ab) / w_ab`` over the transitions
  ``w_ab > 0`` a bath drives: the zero-temperature decay rate of a transition over its
  frequency (``gamma / (1 + (w/wD)^2)`` for the paper's Drude bath and ``A = sx``). ``J`` is
  read off the rates through ``J(w) = G(w) - G(-w)``, so no spectral density is evaluated
  again;
* the **memory ratio** ``max_{j, ab} 2 G_j(w_ab) |A_j,ab|^2 / nu_j``: the largest transition
  rate a bath causes times its correlation time ``1/nu_j`` (``nu_j`` the slowest decay rate of
  its correlation function, the bath's ``memory_rate``: ``wD`` for Drude, ``omega_c`` for
  ohmic, ``width / 2`` for underdamped; baths without one are not counted). The Markov
  approximation needs the system to change slowly on that time.

The weak-coupling ratio is the larger of the two.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

from ..errors import InvalidParameterError

__all__ = [
    "DEFAULT_DEGENERACY_TOL",
    "SECULAR_RATIO_NOTICE",
    "CouplingStrength",
    "coupling_strength",
    "check_merged_levels",
]

DEFAULT_DEGENERACY_TOL = 1e-9
"""``OpenSystem.degeneracy_tol`` by default: levels closer than this are one (round-off)."""

SECULAR_RATIO_NOTICE = 0.2
"""Above this ratio of a transition rate to a Bohr-frequency gap, the secular approximation's
error exceeds 10% (calibrated against HEOM and Bloch-Redfield, docs/sharp-bits.md); printed
summaries then say so (:func:`qheat.master.equations.secular_notice`). Merging levels split by
``delta`` into one (``degeneracy_tol``) is the converse approximation, accurate while
``delta`` stays below this fraction of the rates (:func:`check_merged_levels`)."""

ComplexArray = NDArray[np.complex128]
FloatArray = NDArray[np.float64]


@dataclass(frozen=True)
class CouplingStrength:
    """The spectral and memory ratios of a system (module docstring), each ``(...)``.

    Attributes:
        spectral: ``max |A_ab|^2 J(w_ab) / w_ab`` over baths and driven transitions.
        memory: ``max 2 G(w_ab) |A_ab|^2 / nu`` over baths with a memory rate (0 if none).
    """

    spectral: FloatArray
    memory: FloatArray

    @property
    def ratio(self) -> FloatArray:
        """The weak-coupling ratio: the larger of :attr:`spectral` and :attr:`memory`."""
        return np.asarray(np.maximum(self.spectral, self.memory), dtype=np.float64)


def coupling_strength(
    couplings: Sequence[ComplexArray],
    spectra: Sequence[ComplexArray],
    omega: FloatArray,
    baths: Sequence[Any],
    batch: tuple[int, ...],
) -> CouplingStrength:
    """:class:`CouplingStrength` from the eigenbasis couplings ``A_j`` and spectra
    ``Gamma_j(w_ab)`` (``(..., d, d)`` each, one per bath; ``Gamma`` evaluated where ``A`` is
    nonzero) and the Bohr frequencies ``w_ab = E_b - E_a``, over the system's ``batch`` shape.

    ``A_j`` is Hermitian, so the element ``ba`` of a driven transition ``ab`` is driven too and
    ``J_j(w_ab) = G_j(w_ab) - G_j(w_ba)`` is known wherever it is needed.
    """
    spectral = np.zeros(batch)
    memory = np.zeros(batch)
    upward = omega > 0  # each transition once, at its positive frequency
    safe = np.where(upward, omega, 1.0)
    for a, gamma, bath in zip(couplings, spectra, baths):
        weight = np.abs(a) ** 2
        rate = gamma.real
        j_over_w = np.where(upward, (rate - np.swapaxes(rate, -1, -2)) / safe, 0.0)
        spectral = np.maximum(spectral, _largest(weight * j_over_w, batch))
        nu = getattr(bath, "memory_rate", None)
        if nu is not None:
            largest = _largest(2.0 * rate * weight, batch)
            memory = np.maximum(memory, largest / np.asarray(nu, dtype=np.float64))
    return CouplingStrength(
        np.asarray(spectral, dtype=np.float64), np.asarray(memory, dtype=np.float64)
    )


def _largest(values: FloatArray, batch: tuple[int, ...]) -> FloatArray:
    """``max`` over the last two axes, broadcast to ``batch``."""
    flat = values.reshape(values.shape[:-2] + (-1,))
    return np.broadcast_to(flat.max(axis=-1, initial=0.0), batch)


MERGE_ROUND_OFF = 1e-13
"""Level splittings below this times ``d max|E|`` are round-off of a degeneracy."""


def check_merged_levels(
    energies: FloatArray, tol: float, rates: FloatArray, where: str = "degeneracy_tol"
) -> None:
    """Refuse a ``degeneracy_tol`` that merges levels the dynamics resolves.

    Levels ``E_a != E_b`` closer than ``tol`` become one (their Bohr frequency is set to 0, the
    secular equations keep their pair). That is accurate while the splitting ``delta`` stays
    below :data:`SECULAR_RATIO_NOTICE` times the largest transition rate (the rates blur the
    splitting); beyond, the levels' own dynamics is lost (``degeneracy_tol = 2`` on levels split
    by 0.2-1 returns currents of 1e-18 instead of 2.4e-3; the default ``1e-9`` on a device whose
    energies are ``1e-12`` returned the maximally mixed state). Splittings within the round-off
    of the eigenvalues (:data:`MERGE_ROUND_OFF` ``d max|E|``) are always merged.

    Args:
        energies: the eigenvalues of ``H_S``, ``(..., d)``.
        tol: the tolerance given.
        rates: the largest transition rate at each point, ``(...)``.
        where: the parameter's name in the message.

    Raises:
        InvalidParameterError: ``tol`` merges a splitting above that limit at some point.
    """
    split = np.abs(energies[..., None, :] - energies[..., :, None])
    scale = np.abs(energies).max(axis=-1, initial=0.0)[..., None, None]
    floor = MERGE_ROUND_OFF * energies.shape[-1] * scale  # eigh's round-off of a degeneracy
    merged = np.where((split > floor) & (split <= tol), split, 0.0)
    largest = merged.reshape(merged.shape[:-2] + (-1,)).max(axis=-1)
    allowed = SECULAR_RATIO_NOTICE * np.asarray(rates, dtype=np.float64)
    bad = largest > allowed
    if np.any(bad):
        delta = float(np.max(np.where(bad, largest, 0.0)))
        limit = float(np.min(np.where(bad, allowed, np.inf)))
        raise InvalidParameterError(
            f"{where} = {tol:g} merges energy levels split by up to {delta:.3g} into one, more "
            f"than {SECULAR_RATIO_NOTICE:g} x the largest transition rate ({limit:.3g}): the "
            "levels' own dynamics would be lost (currents of round-off size); give "
            f"{where} below {limit:.3g} (the default is {DEFAULT_DEGENERACY_TOL:g}, an "
            "absolute energy: energies far below it need a smaller one, or other units)"
        )
