"""Steady-state heat currents, Eqs. 21-23."""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from ..master import Generator, unvec, vec

__all__ = ["heat_currents"]


def heat_currents(generator: Generator, rho: NDArray[np.complex128]) -> NDArray[np.float64]:
    """``J_j = Tr((H_S + H_LS) D_j(rho))`` for each bath j (Eqs. 21-23), shape ``(..., n_baths)``.

    ``H_LS`` and ``D_j`` are those of the same master equation; ``J_j > 0`` means heat flows
    from bath j into the system. At a steady state ``sum_j J_j = 0`` (Eq. 21).
    """
    energy = generator.energy_operator
    out = []
    for dissipator in generator.dissipators:
        drho = unvec(np.einsum("...ij,...j->...i", dissipator, vec(rho)))
        out.append(np.real(np.einsum("...ij,...ji->...", energy, drho)))
    return np.stack(out, axis=-1)
