"""Steady-state heat currents, Eqs. 21-23."""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from ..master import Generator, vec
from ..master.superop import PopulationBlock

__all__ = ["heat_currents", "block_heat_currents"]

ComplexArray = NDArray[np.complex128]


def heat_currents(generator: Generator, rho: ComplexArray) -> NDArray[np.float64]:
    """``J_j = Tr((H_S + H_LS) D_j(rho))`` for each bath j (Eqs. 21-23), shape ``(..., n_baths)``.

    ``H_LS`` and ``D_j`` are those of the same master equation; ``J_j > 0`` means heat flows
    from bath j into the system. At a steady state ``sum_j J_j = 0`` (Eq. 21).
    """
    # Tr(E X) = sum_ij E_ji X_ij = vec(E^T) . vec(X); the baths stacked on a leading axis
    energy_t = vec(np.swapaxes(generator.energy_operator, -1, -2))[..., None, :]
    d_rho = np.array(generator.dissipators) @ vec(rho)[..., :, None]  # (n_baths, ..., d^2, 1)
    currents = (energy_t @ d_rho)[..., 0, 0].real  # (n_baths, ...)
    return np.asarray(np.moveaxis(currents, 0, -1) if currents.ndim > 1 else currents, dtype=np.float64)


def block_heat_currents(
    energy: ComplexArray,
    dissipators: tuple[ComplexArray, ...],
    x: ComplexArray,
    block: PopulationBlock,
) -> NDArray[np.float64]:
    """Eqs. 21-23 with ``rho`` and each ``D_j`` on a population block, element-major.

    Args:
        energy: ``H_S + H_LS`` in the eigenbasis, element-major ``(d*d, n)``.
        dissipators: ``D_j`` on the block, ``(m*m, n)`` each (row ``r*m + s``; the block is
            invariant under each ``D_j``, so ``D_j(rho)`` lies in it).
        x: the block elements of ``rho``, ``(m, n)``.
        block: the population block.

    Returns:
        ``J_j`` for each bath, ``(n, n_baths)``; positive into the system.
    """
    m, d = block.size, block.dim
    energy_t = energy[block.cols * d + block.rows]  # E_ji for element (i, j): Tr(E X)
    out = []
    for dissipator in dissipators:
        d_rho = np.sum(dissipator.reshape((m, m) + x.shape[1:]) * x[None], axis=1)
        out.append(np.sum(energy_t * d_rho, axis=0).real)
    return np.stack(out, axis=-1)
