"""The frozen result of :func:`qheat.solve`: steady state, heat currents and diagnostics."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from ..master import Generator
from ..model.coupling import CouplingStrength
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
        coupling: the system's spectral and memory ratios (:mod:`qheat.model.coupling`);
            None when not computed.
        entropy_production: ``sigma = -sum_j J_j / T_j``, ``(...)``; negative where heat
            flows from cold to hot (:func:`qheat.steady.validity.entropy_production`); None
            when not computed.
        second_law_broken: where heat flows from cold to hot beyond round-off, ``(...)``
            (:func:`qheat.steady.validity.second_law_broken`); None when not computed.
        current_floor: the size below which a current is round-off, ``(...)``
            (:func:`qheat.steady.currents.current_round_off`); None when not computed.
        cumulants: ``c_1 ... c_N`` of the heat from every bath, ``(..., n_baths, N)``: the
            mean current, the zero-frequency noise, the third cumulant, ...
            (:mod:`qheat.steady.cumulants`); None unless asked for
            (``qheat.solve(..., cumulants=N)``, :func:`qheat.cumulants`).
        tur_ratio: ``Q_j = c2_j sigma / c1_j^2`` of every bath, ``(..., n_baths)``; None
            without the noise.
        counting_imbalance: ``|sum_j c1_j| / max_j |c1_j|``, ``(...)``, the energy the
            counting statistics does not conserve (:class:`~qheat.errors.CountingWarning`);
            None without cumulants.

    ``J1``, ``J2``, ``J3``, ... are the currents of the first, second, third ... bath;
    :meth:`current` takes a bath's name.
    """

    equation: str
    generator: Generator
    state: SteadyState
    currents: NDArray[np.float64]
    bath_names: tuple[str, ...] = ()
    coupling: CouplingStrength | None = None
    entropy_production: NDArray[np.float64] | None = None
    second_law_broken: NDArray[np.bool_] | None = None
    current_floor: NDArray[np.float64] | None = None
    cumulants: NDArray[np.float64] | None = None
    tur_ratio: NDArray[np.float64] | None = None
    counting_imbalance: NDArray[np.float64] | None = None

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
    def weak_coupling_ratio(self) -> NDArray[np.float64] | None:
        """How far the system is from weak coupling, ``(...)``: the larger of the driven
        transitions' zero-temperature rate over their frequency and their rate times the
        bath's memory time (:mod:`qheat.model.coupling`; docs/trust.md). A
        :class:`~qheat.errors.WeakCouplingWarning` is raised above
        :data:`~qheat.steady.validity.WEAK_COUPLING_WARN`. None when not computed."""
        return None if self.coupling is None else self.coupling.ratio

    @property
    def conservation_residual(self) -> NDArray[np.float64]:
        """``|sum_j J_j| / sum_j |J_j|``, zero in exact arithmetic (Eq. 21), ``(...)``.

        It measures the digits the currents lost to cancellation: about 1e-14 in the paper's
        regime, 1.7e-5 for Bloch-Redfield at ``T = 1e4`` (rates far above the energies), where
        the currents are small differences of much larger energy flows. 0 where every current
        is 0, and where every current is round-off (below :attr:`current_floor`: a current
        that is zero in exact arithmetic, e.g. every bath but one decoupled), where the ratio
        would only measure noise. (The sweeps report the same quantity as
        ``conservation_residual``.)
        """
        total = np.abs(self.currents).sum(axis=-1)
        if self.current_floor is not None:
            noise = np.abs(self.currents).max(axis=-1) <= self.current_floor
            total = np.where(noise, 0.0, total)
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
