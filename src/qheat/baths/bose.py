"""Bose-Einstein occupation and the thermal emission factor, stable for all w and T >= 0.

Units: hbar = kB = 1, so frequencies, energies and temperatures share one unit.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray

from ..errors import InvalidParameterError

__all__ = ["bose", "emission_factor", "thermal_emission"]


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

    One expression for both signs: ``w (n(w) + 1) = w / (1 - exp(-w/T))``, written
    ``-w / expm1(-w/T)``. It tends to ``T`` at ``w = 0`` (series ``T + w/2`` for
    ``|w/T| < 1e-8``, exact ``T`` at ``w = 0``), equals ``max(w, 0)`` at ``T = 0`` and when
    ``w/T`` overflows (subnormal ``T``: ``expm1`` gives ``-1`` or ``inf``), obeys KMS (value at
    ``-w`` is ``exp(-w/T)`` times the value at ``w``) to rounding, and never overflows.

    Raises:
        InvalidParameterError: a temperature is negative or NaN.
    """
    return thermal_emission(np.asarray(omega, dtype=float), _temperature(temperature))


def thermal_emission(w: NDArray[np.float64], t: NDArray[np.float64]) -> NDArray[np.float64]:
    """:func:`emission_factor` for float arrays already checked (``t >= 0``): no validation."""
    with np.errstate(divide="ignore", over="ignore", invalid="ignore", under="ignore"):
        x = w / t  # +-inf at T = 0 (w != 0), NaN at w = T = 0: both handled below
        # NaN compares False: w = T = 0 takes the series branch, whose value T + w/2 is 0
        series = ~(np.abs(x) >= 1e-8)
        return np.where(series, t + 0.5 * w, -w / np.expm1(-x))


def _temperature(temperature: ArrayLike) -> NDArray[np.float64]:
    t = np.asarray(temperature, dtype=float)
    if not np.all(t >= 0):  # also catches NaN
        bad = float(t[~(t >= 0)].ravel()[0])
        raise InvalidParameterError(f"temperature must be >= 0 (and not NaN), got {bad!r}")
    return np.asarray(t + 0.0)  # -0.0 is 0: w / -0.0 would make an inverted bath
