"""Steady-state heat currents, Eqs. 21-23."""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from ..master import Generator

__all__ = ["CURRENT_ROUND_OFF", "current_round_off", "heat_currents"]

CURRENT_ROUND_OFF = 1e-13
"""A current ``|J_j| <= CURRENT_ROUND_OFF * d * max|H_S + H_LS| * r * max|rho|`` is round-off,
``r`` the largest rate of the dissipators (:meth:`~qheat.master.Generator.rate_scale`): the
elements of ``D_j(rho)`` are sums of products of that size, which cancel when the current is
zero in exact arithmetic (a bath with ``gamma = 0``, a Gibbs state), and the trace of Eqs.
21-23 adds ``d^2`` of them."""

ComplexArray = NDArray[np.complex128]


def heat_currents(
    generator: Generator, rho: ComplexArray, dissipated: ComplexArray | None = None
) -> NDArray[np.float64]:
    """``J_j = Tr((H_S + H_LS) D_j(rho))`` for each bath j (Eqs. 21-23), shape ``(..., n_baths)``.

    ``H_LS`` and ``D_j`` are those of the same master equation; ``J_j > 0`` means heat flows
    from bath j into the system. At a steady state ``sum_j J_j = 0`` (Eq. 21).
    ``dissipated``: ``D_j(rho)`` if known (``SteadyState.dissipated``).
    """
    d_rho = generator.dissipate(rho) if dissipated is None else dissipated  # (n_baths, ..., d, d)
    energy = generator.energy_operator
    # Tr(E X) = sum_ab E_ab X_ba
    currents = np.einsum("...ab,...ba->...", energy, d_rho).real  # (n_baths, ...)
    return np.asarray(np.moveaxis(currents, 0, -1), dtype=np.float64)


def current_round_off(generator: Generator, rho: ComplexArray) -> NDArray[np.float64]:
    """The size below which a heat current is round-off at the state ``rho``, ``(...)``
    (:data:`CURRENT_ROUND_OFF`)."""
    energy = np.abs(generator.energy_operator).max(axis=(-2, -1))
    size = np.abs(rho).max(axis=(-2, -1))
    scale = energy * generator.rate_scale() * size
    return np.asarray(CURRENT_ROUND_OFF * generator.dim * scale, dtype=np.float64)
