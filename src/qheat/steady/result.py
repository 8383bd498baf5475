"""The frozen result of :func:`qheat.solve`: steady state, heat currents and diagnostics."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from ..master import Generator
from .solve import SteadyState

__all__ = ["Solution"]


@dataclass(frozen=True)
class Solution:
    """Steady state and heat currents of one master equation, over the batch shape.

    Attributes:
        equation: name of the master equation (``"br"``, ``"lindblad"``, ...).
        generator: the generator that was solved.
        state: the steady state with its diagnostics.
        currents: ``J_j`` for each bath, ``(..., n_baths)``; positive into the system.
    """

    equation: str
    generator: Generator
    state: SteadyState
    currents: NDArray[np.float64]

    @property
    def rho(self) -> NDArray[np.complex128]:
        """Steady state in the eigenbasis of ``H_S``."""
        return self.state.rho

    @property
    def min_eigenvalue(self) -> NDArray[np.float64]:
        """Smallest eigenvalue of the steady state."""
        return self.state.min_eigenvalue

    @property
    def secular_ratio(self) -> NDArray[np.float64] | None:
        """Transition rates over the smallest neglected gap (secular equations; else None).

        See :attr:`qheat.master.Generator.secular_ratio` and
        :class:`~qheat.errors.SecularityWarning` (raised above 1).
        """
        return self.generator.secular_ratio

    @property
    def conservation_residual(self) -> NDArray[np.float64]:
        """``|sum_j J_j| / sum_j |J_j|``, zero in exact arithmetic (Eq. 21), ``(...)``.

        It measures the digits the currents lost to cancellation: about 1e-14 in the paper's
        regime, 1.7e-5 for Bloch-Redfield at ``T = 1e4`` (rates far above the energies), where
        the currents are small differences of much larger energy flows. 0 where every current
        is 0. (The sweeps report the same quantity as ``conservation_residual_E``.)
        """
        total = np.abs(self.currents).sum(axis=-1)
        imbalance = np.abs(self.currents.sum(axis=-1))
        return np.divide(imbalance, total, out=np.zeros_like(total), where=total > 0)

    @property
    def J1(self) -> NDArray[np.float64]:
        """Heat current from bath 1 into the system."""
        return self.currents[..., 0]

    @property
    def J2(self) -> NDArray[np.float64]:
        """Heat current from bath 2 into the system (needs at least two baths)."""
        return self.currents[..., 1]
