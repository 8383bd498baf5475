"""Steady-state heat currents, Eqs. 21-23."""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from ..master import Generator

__all__ = ["heat_currents"]

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
