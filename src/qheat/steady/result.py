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
        bath_names: the baths' names, in the order of the last axis of ``currents``.

    ``J1``, ``J2``, ``J3``, ... are the currents of the first, second, third ... bath;
    :meth:`current` takes a bath's name.
    """

    equation: str
    generator: Generator
    state: SteadyState
    currents: NDArray[np.float64]
    bath_names: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        n = self.currents.shape[-1] if self.currents.ndim else 1
        if not self.bath_names:
            object.__setattr__(self, "bath_names", tuple(str(j + 1) for j in range(n)))

    def current(self, bath: str) -> NDArray[np.float64]:
        """Heat current from the bath named ``bath`` into the system, ``(...)``."""
        if bath not in self.bath_names:
            raise KeyError(f"no bath named {bath!r}; the baths are {list(self.bath_names)}")
        return self.currents[..., self.bath_names.index(bath)]

    @property
    def currents_by_bath(self) -> dict[str, NDArray[np.float64]]:
        """``{bath name: J}``, each ``(...)``."""
        return {name: self.currents[..., j] for j, name in enumerate(self.bath_names)}

    def __getattr__(self, name: str) -> NDArray[np.float64]:
        """``J<k>``: the current of the k-th bath (1-based), as ``J1`` and ``J2``."""
        if name.startswith("J") and name[1:].isdigit() and int(name[1:]) >= 1:
            k = int(name[1:])
            n = len(self.bath_names)
            if k > n:
                raise AttributeError(f"{name}: this system has {n} baths (J1 to J{n})")
            return self.currents[..., k - 1]
        raise AttributeError(f"{type(self).__name__!r} object has no attribute {name!r}")

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
        if len(self.bath_names) < 2:
            raise AttributeError("J2: this system has 1 bath (J1 only)")
        return self.currents[..., 1]
