"""The ohmic family with an exponential cutoff: ``J(w) = gamma w (|w|/wc)^(s-1) exp(-|w|/wc)``.

``s = 1`` is ohmic, ``s < 1`` sub-ohmic, ``s > 1`` super-ohmic (hbar = kB = 1; lambda^2 is
absorbed into ``gamma``). ``G(w) = J(w) (n(w) + 1)`` (Eq. 14) with ``G(0) = gamma T`` at
``s = 1``, ``0`` at ``s > 1``; at ``s < 1`` and ``T > 0``, ``G(0)`` diverges and asking for it
raises :class:`~qheat.errors.InvalidParameterError` (its neighbours are finite).

``S(w)`` (Eq. 15) has no closed form here. With ``u = w/wc`` it scales as
``S(w) = gamma wc S1(u; s, T/wc)``; ``S1`` is computed by principal-value quadrature
(:mod:`qheat.baths.quadrature`, relative accuracy about 1e-12) and, once a parameter set
``(s, T/wc)`` has been asked for :data:`~qheat.baths.numerical.TABULATE_AFTER` values, from a
table interpolating it to 1e-10 of its size (:mod:`qheat.baths.tabulated`).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray

from .._checks import real_array
from .numerical import LambShiftCache
from .parametric import ParametricBath, frequency
from .quadrature import lamb_shift_integral

__all__ = ["OhmicBath"]

FloatArray = NDArray[np.float64]


def _reduced(key: tuple[float, ...]) -> Callable[[float], float]:
    """``S1(u)`` of the bath with ``gamma = wc = 1``, ``s`` and ``T = tau``, by quadrature."""
    s, tau = key
    peak = max(s, 1.0)

    def ratio(x: float) -> float:  # J1(x)/x = x^(s-1) exp(-x)
        if x == 0.0:  # a node rounded to 0 (subnormal breakpoints): J'(0) of J1
            return 1.0 if s == 1.0 else (0.0 if s > 1.0 else math.inf)
        try:
            return float(x ** (s - 1.0) * math.exp(-x))
        except OverflowError:  # x^(s-1) beyond double precision (large s): in logarithms
            log_ratio = (s - 1.0) * math.log(x) - x
            return math.exp(log_ratio) if log_ratio < 709.0 else math.inf  # S: an error

    return lambda u: lamb_shift_integral(u, ratio, tau, [1.0, s, 10 * peak, 100 * peak])


_REDUCED = LambShiftCache(_reduced, lambda key: 1.0)
"""Tables of ``S1`` per ``(s, T/wc)``, shared by every ohmic bath."""


@dataclass(frozen=True, init=False)
class OhmicBath(ParametricBath):
    """A bath with ``J(w) = gamma w (|w|/omega_c)^(s-1) exp(-|w|/omega_c)``, odd in ``w``.

    Args:
        gamma: coupling strength >= 0 (``J ~ gamma w`` at small ``w`` when ``s = 1``).
        omega_c: cutoff frequency > 0.
        s: exponent > 0 (1 ohmic, < 1 sub-ohmic, > 1 super-ohmic).
        temperature: T >= 0.

    Each parameter may be an array; they broadcast together (leading batch axes).

    Example:
        >>> bath = OhmicBath(gamma=0.01, omega_c=50.0, s=1.0, temperature=5.0)
        >>> float(bath.G(0.0)), round(float(bath.S(0.0)), 12)  # S(0) = -gamma wc Gamma(s)/pi
        (0.05, -0.159154943092)
    """

    gamma: FloatArray
    omega_c: FloatArray
    s: FloatArray
    temperature: FloatArray

    PARAMETERS = ("gamma", "omega_c", "s", "temperature")

    def __init__(
        self, gamma: ArrayLike, omega_c: ArrayLike, s: ArrayLike, temperature: ArrayLike
    ) -> None:
        self._store(
            gamma=real_array("gamma", gamma, minimum=0.0),
            omega_c=real_array("omega_c", omega_c, strictly_positive=True),
            s=real_array("s", s, strictly_positive=True),
            temperature=real_array("temperature", temperature, minimum=0.0),
        )

    @property
    def memory_rate(self) -> FloatArray:
        """``omega_c``: the cutoff, the inverse memory time of the bath
        (:mod:`qheat.model.coupling`)."""
        return self.omega_c

    def _j_over_w(self, w: FloatArray) -> FloatArray:
        r = np.abs(w) / self.omega_c
        with np.errstate(divide="ignore", over="ignore", under="ignore", invalid="ignore"):
            shape = r ** (self.s - 1.0) * np.exp(-r)
            overflow = ~np.isfinite(shape) & (r > 0)  # r^(s-1) overflows (large s): logarithms
            if overflow.any():
                logs = (self.s - 1.0) * np.log(np.where(r > 0, r, 1.0)) - r
                shape = np.where(overflow, np.exp(logs), shape)
            value = self.gamma * shape
        return np.asarray(value, dtype=np.float64)

    def S(self, omega: ArrayLike) -> FloatArray:
        """``S(w)`` of Eq. 15: ``gamma wc S1(w/wc; s, T/wc)``, ``S1`` by quadrature or table.

        ``S(0) = -(1/pi) int_0^inf J(x)/x dx = -gamma wc Gamma(s)/pi`` at every temperature.
        """
        w = frequency(omega)
        with np.errstate(over="ignore", under="ignore"):
            u, s, tau, scale = np.broadcast_arrays(
                w / self.omega_c, self.s, self.temperature / self.omega_c, self.gamma * self.omega_c
            )
        finite = np.isfinite(u) & np.isfinite(tau)
        if not finite.all():  # w/wc or T/wc overflows: refused, naming the parameters
            self._finite("S(w)", np.where(finite, 0.0, np.inf), w)
        reduced = _REDUCED(u.ravel(), [s.ravel(), tau.ravel()]).reshape(u.shape)
        return self._finite("S(w)", scale * reduced, w)
