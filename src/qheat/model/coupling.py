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

__all__ = ["CouplingStrength", "coupling_strength"]

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
