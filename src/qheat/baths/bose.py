"""Bose-Einstein occupation and the thermal emission factor, stable for all w and T >= 0.

Units: hbar = kB = 1, so frequencies, energies and temperatures share one unit.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray

from ..errors import InvalidParameterError

__all__ = ["bose", "emission_factor"]


def bose(omega: ArrayLike, temperature: ArrayLike) -> NDArray[np.float64]:
    """Mean occupation ``n(w) = 1 / (exp(w/T) - 1)`` (paper, below Eq. 15), for ``w > 0``.

    ``T = 0`` gives 0; large ``w/T`` underflows to 0 without warnings.

    Raises:
        InvalidParameterError: a temperature is negative or NaN.
    """
    w = np.asarray(omega, dtype=float)
    t = _temperature(temperature)
    with np.errstate(divide="ignore", over="ignore", invalid="ignore", under="ignore"):
        x = np.where(t > 0, w / np.where(t > 0, t, 1.0), np.inf)
        return np.where(np.isinf(x), 0.0, 1.0 / np.expm1(x))


def emission_factor(omega: ArrayLike, temperature: ArrayLike) -> NDArray[np.float64]:
    """``w (n(w) + 1)`` for every real ``w``, with ``n(-w) + 1 = -n(w)``.

    Written as ``|w| / (1 - exp(-x))`` (times ``exp(-x)`` for ``w < 0``) with ``x = |w|/T``:
    it tends to ``T`` at ``w = 0`` (series ``T + |w|/2`` for ``x < 1e-8``), to
    ``max(w, 0)`` at ``T = 0`` and as ``x`` overflows (subnormal ``T``), obeys KMS exactly
    (value at ``-w`` is ``exp(-w/T)`` times the value at ``w``), and neither overflows nor
    divides by zero.

    Raises:
        InvalidParameterError: a temperature is negative or NaN.
    """
    w = np.asarray(omega, dtype=float)
    t = _temperature(temperature)
    w, t = np.broadcast_arrays(w, t)
    hot = t > 0
    with np.errstate(divide="ignore", over="ignore", invalid="ignore", under="ignore"):
        x = np.abs(w) / np.where(hot, t, 1.0)
        small = x < 1e-8
        # |w| / (1 - e^-x) = T x / (1 - e^-x) for x >= 0, with its series T (1 + x/2) near 0
        up = np.where(small, t + 0.5 * np.abs(w), np.abs(w) / -np.expm1(-np.where(small, 1.0, x)))
        thermal = np.where(w >= 0, up, up * np.exp(-x))
    return np.where(hot, thermal, np.maximum(w, 0.0))


def _temperature(temperature: ArrayLike) -> NDArray[np.float64]:
    t = np.asarray(temperature, dtype=float)
    if not np.all(t >= 0):  # also catches NaN
        bad = float(t[~(t >= 0)].ravel()[0])
        raise InvalidParameterError(f"temperature must be >= 0 (and not NaN), got {bad!r}")
    return t
