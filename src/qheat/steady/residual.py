"""How well a state solves the whole master equation: ``max |L(rho)|``, compiled per point.

``L(rho) = -i [H_S + H_LS, rho] + sum_j D_j(rho)`` (Eq. 8) from the energy operator and the
dissipated parts ``D_j(rho)`` a generator already computed (they also give the currents).
"""

from __future__ import annotations

import math

import numba
import numpy as np
from numpy.typing import NDArray

from .._arrays import dense

__all__ = ["action_and_state_maxima"]

ComplexArray = NDArray[np.complex128]
FloatArray = NDArray[np.float64]


def action_and_state_maxima(
    energy: ComplexArray, rho: ComplexArray, dissipated: ComplexArray
) -> tuple[FloatArray, FloatArray]:
    """``max_ab |L(rho)_ab|`` and ``max_ab |rho_ab|`` at each point, ``(...)`` each.

    Args:
        energy: ``H_S + H_LS``, ``(..., d, d)`` (broadcast against ``rho``).
        rho: the states, ``(..., d, d)``.
        dissipated: ``D_j(rho)`` of every bath, ``(n_baths, ..., d, d)``.
    """
    d, n_baths = rho.shape[-1], dissipated.shape[0]
    batch = np.broadcast_shapes(energy.shape[:-2], rho.shape[:-2], dissipated.shape[1:-2])
    n = math.prod(batch)

    def flat(x: ComplexArray, lead: tuple[int, ...]) -> ComplexArray:
        return dense(x, lead + batch + (d, d), np.complex128).reshape(lead + (n, d, d))

    maxima = np.empty((2, n))
    _maxima(flat(energy, ()), flat(rho, ()), flat(dissipated, (n_baths,)), maxima)
    return maxima[0].reshape(batch), maxima[1].reshape(batch)


@numba.njit(cache=True, nogil=True)
def _maxima(e: ComplexArray, rho: ComplexArray, dissipated: ComplexArray, out: FloatArray) -> None:
    n_baths, n, d = dissipated.shape[0], rho.shape[0], rho.shape[1]
    for p in range(n):
        action, state = 0.0, 0.0
        for a in range(d):
            for c in range(d):
                acc = 0j
                for b in range(d):
                    acc += e[p, a, b] * rho[p, b, c] - rho[p, a, b] * e[p, b, c]
                value = -1j * acc
                for j in range(n_baths):
                    value += dissipated[j, p, a, c]
                action = max(action, abs(value)) if math.isfinite(abs(value)) else math.nan
                state = max(state, abs(rho[p, a, c]))
        out[0, p] = action
        out[1, p] = state
