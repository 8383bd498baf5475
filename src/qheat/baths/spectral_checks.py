"""Checks of a user's spectral density ``J(w)``: vectorized, finite, odd, ``>= 0`` for ``w > 0``,
and decaying at large ``w`` so that the Lamb shift of Eq. 15 exists.

Units: hbar = kB = 1; frequencies in units of the bath's ``scale`` (its cutoff).

* **Sign and oddness** are checked on :data:`GRID`, 250 log-spaced frequencies per decade from
  ``1e-8 scale`` to ``1e8 scale`` (a dip of relative width 1% shows up on it), and around every
  local minimum of ``J(w)/w`` on that grid, refined :data:`REFINE` times finer (a narrower dip
  in a smooth ``J`` sits at such a minimum). A value below ``-NEGATIVE_RTOL`` times the
  largest ``|J|`` within a decade of its frequency (the :class:`Envelope`) is negative; smaller
  ones are rounding. Every value of ``J`` that qheat evaluates later (the rates at the Bohr
  frequencies, the quadrature's nodes) is checked again with :meth:`Envelope.check_sign`.
* **Decay**: ``S(0) = -(1/pi) int_0^inf J(x)/x dx`` (Eq. 15 at ``w = 0``) and ``S(w)`` at every
  ``w`` converge only if ``J(x)/x`` is integrable at infinity, which needs ``J(x) -> 0``. A ``J``
  that does not decrease between ``1e18 scale`` and ``1e20 scale`` (``0.01 w``, ``0.01 w^3``,
  a constant) makes that integral diverge: :func:`tail_divergence` says so (the quadrature would
  return a number depending only on where it stopped).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy.ndimage import maximum_filter1d

from ..errors import InvalidParameterError

__all__ = [
    "GRID",
    "NEGATIVE_RTOL",
    "REFINE",
    "Envelope",
    "call",
    "check_spectral_density",
    "describe",
    "tail_divergence",
]

FloatArray = NDArray[np.float64]
SpectralDensity = Callable[[FloatArray], ArrayLike]

PER_DECADE = 250
GRID = np.logspace(-8.0, 8.0, 16 * PER_DECADE + 1)
"""Where sign and oddness are checked, in units of ``scale`` (250 points per decade)."""
_LOG_GRID = np.log(GRID)
REFINE = 64
"""Points between the neighbours of each local minimum of ``J(w)/w`` on :data:`GRID`."""
MAX_MINIMA = 64
"""At most this many local minima are refined (a noisy ``J`` has many)."""
NEGATIVE_RTOL = 1e-12
"""``J(w) < -NEGATIVE_RTOL`` times the largest ``|J|`` within a decade of ``w`` (``w > 0``) is
refused; above it, rounding."""
TAIL = (1e18, 1e20)
"""Where the decay of ``J`` is checked, in units of ``scale``."""


def describe(j: SpectralDensity) -> str:
    """The user's ``J`` as messages name it (its qualified name)."""
    return str(getattr(j, "__qualname__", None) or getattr(j, "__name__", None) or repr(j))


def call(j: SpectralDensity, w: FloatArray) -> FloatArray:
    """``J(w)`` as a float array of the shape of ``w`` (refused otherwise)."""
    value = np.asarray(j(w), dtype=np.float64)
    if value.shape != w.shape:
        raise InvalidParameterError(
            f"J must return an array of the shape of its argument (vectorized), got shape "
            f"{value.shape} for {w.shape}"
        )
    return value


@dataclass(frozen=True)
class Envelope:
    """The largest ``|J|`` within a decade of each frequency of :data:`GRID` (times ``scale``):
    the size against which a negative value of ``J`` is judged."""

    j: SpectralDensity
    scale: float
    local: FloatArray

    def tolerance(self, w: FloatArray) -> FloatArray:
        """``NEGATIVE_RTOL`` times the envelope at ``|w|`` (its end values beyond the grid)."""
        log_w = np.log(np.maximum(np.abs(w), 1e-300) / self.scale)
        return NEGATIVE_RTOL * np.interp(log_w, _LOG_GRID, self.local)

    def check_sign(self, w: FloatArray, value: FloatArray) -> None:
        """Refuse ``J(w) < 0`` beyond rounding at any ``w > 0`` (a negative rate).

        Raises:
            InvalidParameterError: naming the frequencies where ``J`` is negative and its
                least value there.
        """
        negative = (w > 0) & (value < 0)
        if not negative.any():  # the common case: no envelope to interpolate
            return
        negative[negative] = value[negative] < -self.tolerance(w[negative])
        if not negative.any():
            return
        where, below = w[negative], value[negative]
        k = int(np.argmin(below / self.tolerance(where)))
        span = (
            f"at w = {where[0]:.6g}"
            if where.size == 1
            else f"for w in about [{where.min():.6g}, {where.max():.6g}]"
        )
        raise InvalidParameterError(
            f"J must be >= 0 for w > 0 (a negative spectral density gives negative rates), got "
            f"J < 0 {span}: J({where[k]:.6g}) = {below[k]:.4g} (J = {describe(self.j)})"
        )


def check_spectral_density(j: SpectralDensity, scale: float) -> Envelope:
    """Check ``J`` on :data:`GRID` (times ``scale``) and refined near its dips.

    Returns:
        The :class:`Envelope` of ``|J|``, to check later values of ``J`` against.

    Raises:
        InvalidParameterError: ``J`` is not vectorized, not finite, not odd, or negative at
            some ``w > 0`` (the message gives the frequency and the value).
    """
    x = GRID * scale
    with np.errstate(all="ignore"):  # the user's J may overflow far out: judged below
        plus, minus = call(j, x), call(j, -x)
    if not (np.isfinite(plus).all() and np.isfinite(minus).all()):
        bad = ~(np.isfinite(plus) & np.isfinite(minus))
        raise InvalidParameterError(
            f"J must be finite at real frequencies, got J({x[bad][0]:g}) = {plus[bad][0]:g}, "
            f"J({-x[bad][0]:g}) = {minus[bad][0]:g}"
        )
    if not np.allclose(minus, -plus, rtol=1e-12, atol=1e-300):
        k = int(np.argmax(np.abs(minus + plus)))
        raise InvalidParameterError(
            "J must be odd, J(-w) = -J(w) (qheat's convention; a J given for w > 0 only "
            "extends as lambda w: np.sign(w) * J(np.abs(w))), got "
            f"J({-x[k]:g}) = {minus[k]:g} and J({x[k]:g}) = {plus[k]:g}"
        )
    envelope = Envelope(j, scale, maximum_filter1d(np.abs(plus), 2 * PER_DECADE + 1))
    envelope.check_sign(x, plus)
    envelope.check_sign(*_refined(j, x, plus))
    return envelope


def tail_divergence(j: SpectralDensity, scale: float) -> str | None:
    """Why ``S(w)`` of Eq. 15 diverges for ``J``, or None when ``J`` decays at large ``w``."""
    x = np.asarray(TAIL) * scale
    with np.errstate(all="ignore"):
        near, far = np.abs(call(j, x))
    if np.isfinite(near) and np.isfinite(far) and (far == 0 or far < near):
        return None
    return (
        f"the Lamb shift S(w) of Eq. 15 diverges for the spectral density J = {describe(j)}: "
        f"it needs int J(x)/x dx to converge at large x, so J must decay, but |J({x[0]:.0e})| "
        f"= {near:.3g} and |J({x[1]:.0e})| = {far:.3g}; give J a cutoff (e.g. a factor "
        "exp(-|w|/w_c) or 1/(1 + (w/w_c)^2))"
    )


def _refined(j: SpectralDensity, x: FloatArray, plus: FloatArray) -> tuple[Any, FloatArray]:
    """``J`` on a :data:`REFINE`-times finer grid around each local minimum of ``J/w``."""
    ratio = plus / x
    inner = np.flatnonzero((ratio[1:-1] <= ratio[:-2]) & (ratio[1:-1] <= ratio[2:])) + 1
    if not inner.size:
        return np.empty(0), np.empty(0)
    inner = inner[np.argsort(ratio[inner])[:MAX_MINIMA]]  # the deepest first
    t = np.linspace(0.0, 1.0, 2 * REFINE + 1)[1:-1]
    near = np.concatenate([x[k - 1] + (x[k + 1] - x[k - 1]) * t for k in inner])
    with np.errstate(all="ignore"):
        return near, call(j, near)
