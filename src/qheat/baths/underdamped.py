"""The underdamped (Brownian-oscillator) bath and its Lamb shift in closed form.

``J(w) = gamma w w0^4 / ((w0^2 - w^2)^2 + width^2 w^2)`` (hbar = kB = 1; ``J ~ gamma w`` at
small ``w``). ``J`` is rational with four simple poles ``x_p = (+-D -+ i width)/2``,
``D = sqrt(4 w0^2 - width^2)`` (imaginary when ``width > 2 w0``): two in each half plane. With
the residues ``r_p`` of ``J`` (``J(x) = sum_p r_p/(x - x_p)``), closing the contour of
``Gamma(w) = int_0^inf e^{iwt} C(t) dt`` around the poles of ``J`` and the Matsubara poles
``x = -i 2 pi k T`` of ``n(x) + 1`` and summing the Matsubara series with the digamma function
``psi`` gives (``docs/baths.md``, Eq. B3)::

    S(w) = (1/pi) J(w) Re psi(1 + i w/(2 pi T)) + Im sum_p A_p / (w - x_p),
    A_p = r_p (1 + 2T/x_p - (i/pi) psi(1 + i x_p/(2 pi T)))   (Im x_p < 0),
    A_p = -(i/pi) r_p psi(1 - i x_p/(2 pi T))                  (Im x_p > 0),

every digamma argument with real part > 1. At ``T = 0`` (Eq. B4)::

    S(w) = (1/pi) [ J(w) ln|w| - sum_p r_p ln(-x_p) / (w - x_p) ].

Both are exact. The residues grow like ``1/|D|`` at critical damping (``width = 2 w0``, a double
pole), so within :data:`CRITICAL` of it ``S`` comes from the principal-value quadrature instead
(:mod:`qheat.baths.numerical`).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy.special import digamma

from .._checks import real_array
from .numerical import LambShiftCache
from .parametric import ParametricBath, frequency
from .quadrature import lamb_shift_integral
from .special import re_digamma_one_plus_iy_wide

__all__ = ["COLD_RATIO", "CRITICAL", "UnderdampedBath"]

FloatArray = NDArray[np.float64]
ComplexArray = NDArray[np.complex128]

CRITICAL = 1e-3
"""``|4 w0^2 - width^2| < CRITICAL w0^2``: near critical damping, S by quadrature."""
COLD_RATIO = 1e-12
"""The ``T = 0`` form is used where ``2 pi T < COLD_RATIO min |x_p|`` (error ``O(T^2)``)."""


def _reduced(key: tuple[float, ...]) -> Callable[[float], float]:
    """``S1(u)`` of the bath with ``gamma = w0 = 1``, ``width`` and ``T`` (quadrature)."""
    width, tau = key

    def ratio(x: float) -> float:  # J1(x)/x
        return 1.0 / ((1.0 - x * x) ** 2 + (width * x) ** 2)

    return lambda u: lamb_shift_integral(u, ratio, tau, [0.5, 1.0, 2.0, 10.0, 100.0])


_REDUCED = LambShiftCache(_reduced, lambda key: 1.0)
"""Near-critical baths: tables of ``S1`` per ``(width/w0, T/w0)``."""


@dataclass(frozen=True, init=False)
class UnderdampedBath(ParametricBath):
    """A bath with ``J(w) = gamma w omega_0^4 / ((omega_0^2 - w^2)^2 + width^2 w^2)``.

    Args:
        gamma: coupling strength >= 0 (``J ~ gamma w`` at small ``w``).
        omega_0: resonance frequency > 0.
        width: damping (full width of the resonance) > 0.
        temperature: T >= 0.

    Each parameter may be an array; they broadcast together (leading batch axes).

    Example:
        >>> bath = UnderdampedBath(gamma=0.01, omega_0=5.0, width=1.0, temperature=2.0)
        >>> float(bath.G(0.0)), round(float(bath.S(0.0)), 12)  # S(0) = -gamma w0^2 / (2 width)
        (0.02, -0.125)
    """

    gamma: FloatArray
    omega_0: FloatArray
    width: FloatArray
    temperature: FloatArray

    PARAMETERS = ("gamma", "omega_0", "width", "temperature")

    def __init__(
        self, gamma: ArrayLike, omega_0: ArrayLike, width: ArrayLike, temperature: ArrayLike
    ) -> None:
        self._store(
            gamma=real_array("gamma", gamma, minimum=0.0),
            omega_0=real_array("omega_0", omega_0, strictly_positive=True),
            width=real_array("width", width, strictly_positive=True),
            temperature=real_array("temperature", temperature, minimum=0.0),
        )

    @property
    def memory_rate(self) -> FloatArray:
        """The slowest decay rate of the resonance's correlation function
        (:mod:`qheat.model.coupling`): ``width / 2`` when underdamped (``width < 2 omega_0``),
        ``width / 2 - sqrt(width^2 / 4 - omega_0^2)`` when overdamped (the poles of ``J``)."""
        half = 0.5 * self.width
        excess = np.sqrt(np.maximum(half * half - self.omega_0**2, 0.0))
        return np.asarray(half - excess, dtype=np.float64)

    def _j_over_w(self, w: FloatArray) -> FloatArray:
        w0 = self.omega_0
        r = w / w0
        with np.errstate(over="ignore", under="ignore", invalid="ignore", divide="ignore"):
            value = self.gamma / ((1.0 - r * r) ** 2 + (self.width / w0 * r) ** 2)
        return np.asarray(value, dtype=np.float64)

    def S(self, omega: ArrayLike) -> FloatArray:
        """``S(w)`` of Eq. 15 in closed form (Eqs. B3, B4 of ``docs/baths.md``).

        The coefficients ``A_p`` are computed once per parameter set, not per frequency.
        Within :data:`CRITICAL` of critical damping, by quadrature (or its table).
        """
        w = frequency(omega)
        gamma, w0, width, t = self._values()
        with np.errstate(all="ignore"):  # an overflow makes S non-finite: refused below
            near = np.abs(4.0 - (width / w0) ** 2) < CRITICAL
            if not near.any():
                return self._finite("S(w)", _closed_form(w, gamma, w0, width, t), w)
            safe = np.where(near, 0.5 * w0, width)  # any width away from critical damping
            closed = _closed_form(w, gamma, w0, safe, t)
        w, gamma, w0, width, t, near = np.broadcast_arrays(w, gamma, w0, width, t, near)
        out = np.array(np.broadcast_to(closed, w.shape))
        reduced = _REDUCED(w[near] / w0[near], [width[near] / w0[near], t[near] / w0[near]])
        out[near] = gamma[near] * w0[near] * reduced
        return self._finite("S(w)", out, w)


def poles_and_residues(
    gamma: FloatArray, w0: FloatArray, width: FloatArray
) -> tuple[ComplexArray, ComplexArray]:
    """The four poles ``x_p`` of ``J`` and its residues ``r_p`` there, on a last axis of 4.

    Order: the two in the lower half plane first. Overdamped (``width > 2 w0``), the poles are
    ``-+i (width -+ sqrt(width^2 - 4 w0^2))/2``; the small ones are computed as
    ``-+2i w0^2 / (width + sqrt(width^2 - 4 w0^2))``, without the cancellation that would round
    them to 0 when ``w0 << width``.
    """
    disc = 4.0 * w0 * w0 - width * width
    half_d = 0.5 * np.sqrt(disc + 0j)
    half_w = 0.5j * width
    x = np.stack([half_d - half_w, -half_d - half_w, half_d + half_w, -half_d + half_w], -1)
    over = disc < 0
    if np.any(over):
        small = 2.0 * w0 * w0 / (width + np.sqrt(np.where(over, -disc, 0.0)))
        x[..., 0] = np.where(over, -1j * small, x[..., 0])
        x[..., 3] = np.where(over, 1j * small, x[..., 3])
    # J(x) = gamma w0^4 x / prod_q (x - x_q): residue at x_p
    diff = x[..., :, None] - x[..., None, :]
    np.einsum("...ii->...i", diff)[...] = 1.0
    residues = (gamma * w0**4)[..., None] * x / np.prod(diff, axis=-1)
    return x, residues


def _closed_form(
    w: FloatArray, gamma: FloatArray, w0: FloatArray, width: FloatArray, t: FloatArray
) -> FloatArray:
    """Eq. B3 (``T > 0``) or B4 (``T = 0``); coefficients per parameter set, then broadcast
    against ``w``."""
    x, r = poles_and_residues(gamma, w0, width)  # (..., 4)
    u = w / w0
    j = w * gamma / ((1.0 - u * u) ** 2 + (width / w0 * u) ** 2)
    hot = 2 * math.pi * t >= COLD_RATIO * np.abs(x).min(axis=-1)
    shifted = w[..., None] - x
    if hot.any():
        th = np.where(hot, t, 1.0)[..., None]
        lower = x.imag < 0
        psi = digamma(1.0 + np.where(lower, 1j, -1j) * x / (2 * math.pi * th))
        a = np.where(lower, r * (1.0 + 2.0 * th / x), 0.0) - 1j / math.pi * r * psi
        y = w / (2 * math.pi * np.where(hot, t, 1.0))
        warm = j / math.pi * re_digamma_one_plus_iy_wide(np.asarray(y)) + (a / shifted).sum(-1).imag
        if hot.all():
            return np.asarray(warm, dtype=np.float64)
    log_w = np.log(np.where(w == 0, 1.0, np.abs(w)))
    cold = (j * log_w - (r * np.log(-x) / shifted).sum(-1).real) / math.pi
    if not hot.any():
        return np.asarray(cold, dtype=np.float64)
    return np.asarray(np.where(hot, warm, cold), dtype=np.float64)
