"""Reference adaptive principal-value quadrature of the Lamb-shift integral, Eq. 15.

Slow (milliseconds per frequency) but independent of the closed form of
:meth:`qheat.baths.DrudeBath.S`: it integrates Eq. 15 term by term on the positive axis.
The first term, ``(n + 1)/(w - x)``, has its pole at ``x = w`` when ``w > 0``; the second,
``n/(w + x)``, has its pole at ``x = -w`` when ``w < 0``. Each pole is handled by QUADPACK's
Cauchy-weighted rule on a window around it.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Callable

import numpy as np

from .._checks import real_array
from ..errors import ConvergenceWarning, InvalidParameterError

__all__ = ["lamb_shift_quadrature", "TOLERANCE"]

TOLERANCE = 1e-9
"""A :class:`~qheat.errors.ConvergenceWarning` is raised when the summed error estimates exceed
this fraction of ``|S|``."""


def lamb_shift_quadrature(omega: float, gamma: float, omega_d: float, temperature: float) -> float:
    """``S(w)`` of Eq. 15 by adaptive quadrature, for one Drude bath (Eq. 17).

    ``(1/pi) P.V. int_0^inf J(x) [ (n(x) + 1)/(w - x) + n(x)/(w + x) ] dx``.
    A :class:`~qheat.errors.ConvergenceWarning` is raised if QUADPACK reports trouble.

    Raises:
        InvalidParameterError: an argument is not a finite real scalar in its range
            (``gamma >= 0``, ``omega_d > 0``, ``temperature >= 0``).
    """
    omega = _scalar("omega", omega)
    gamma = _scalar("gamma", gamma, minimum=0.0)
    omega_d = _scalar("omega_d", omega_d, strictly_positive=True)
    temperature = _scalar("temperature", temperature, minimum=0.0)

    def spectral(x: float) -> float:
        return gamma * x / (1.0 + (x / omega_d) ** 2)

    def emitted(x: float) -> float:  # J(x) (n(x) + 1), finite limit gamma T at x = 0
        if temperature == 0.0:
            return spectral(x)
        if x == 0.0:
            return gamma * temperature
        return spectral(x) / -math.expm1(-x / temperature)

    def absorbed(x: float) -> float:  # J(x) n(x)
        if temperature == 0.0:
            return 0.0
        if x == 0.0:
            return gamma * temperature
        if x / temperature > 700.0:  # n(x) underflows
            return 0.0
        return spectral(x) / math.expm1(x / temperature)

    scales = [omega_d, 10 * omega_d, 100 * omega_d]
    if temperature > 0:
        scales += [temperature, 10 * temperature]
    if omega == 0.0:
        # the 1/x of both terms cancel: (n+1)/(-x) + n/x = -1/x
        total, error = _integrate(lambda x: -spectral(x) / x if x > 0 else -gamma, None, scales)
    else:
        pole = abs(omega)
        if omega > 0:  # first term has the pole: 1/(w - x) = -1/(x - w)
            first, e1 = _integrate(emitted, pole, scales)
            second, e2 = _regular(absorbed, lambda x: 1.0 / (omega + x), scales)
            total, error = second - first, e1 + e2
        else:  # second term has the pole: 1/(w + x) = 1/(x - |w|)
            first, e1 = _integrate(absorbed, pole, scales)
            second, e2 = _regular(emitted, lambda x: 1.0 / (omega - x), scales)
            total, error = first + second, e1 + e2
    if error > TOLERANCE * max(abs(total), 1e-300):
        warnings.warn(
            f"Lamb-shift quadrature at omega = {omega:g}: QUADPACK's error estimate "
            f"{error / math.pi:.1e} exceeds {TOLERANCE:g} of |S| = {abs(total) / math.pi:.3g}",
            ConvergenceWarning,
            stacklevel=2,
        )
    return total / math.pi


def _scalar(
    name: str, value: float, *, minimum: float | None = None, strictly_positive: bool = False
) -> float:
    arr = real_array(name, value, minimum=minimum, strictly_positive=strictly_positive)
    if arr.ndim != 0:
        raise InvalidParameterError(
            f"{name} must be a scalar (the quadrature is one frequency at a time), "
            f"got shape {arr.shape}"
        )
    return float(arr)


def _breakpoints(pole: float | None, scales: list[float]) -> list[float]:
    pts = {0.0, *scales}
    if pole is not None:
        pts |= {0.5 * pole, 1.5 * pole}
        pts = {p for p in pts if not (0.5 * pole < p < 1.5 * pole)}
    return sorted(pts)


def _integrate(
    f: Callable[[float], float], pole: float | None, scales: list[float]
) -> tuple[float, float]:
    """``int_0^inf f(x)/(x - pole) dx`` (P.V.) if a pole is given, else ``int_0^inf f``.

    Returns the value and the sum of QUADPACK's absolute error estimates.
    """
    if pole is None:
        return _regular(f, lambda x: 1.0, scales)
    pts = _breakpoints(pole, scales)
    pieces = [
        _quad(f, a, b, weight="cauchy", wvar=pole)
        if (a == 0.5 * pole and b == 1.5 * pole)
        else _quad(lambda x: f(x) / (x - pole), a, b)
        for a, b in zip(pts[:-1], pts[1:])
    ]
    pieces.append(_quad(lambda x: f(x) / (x - pole), pts[-1], np.inf))
    return sum(v for v, _ in pieces), sum(e for _, e in pieces)


def _regular(
    f: Callable[[float], float], weight: Callable[[float], float], scales: list[float]
) -> tuple[float, float]:
    pts = _breakpoints(None, scales)
    pieces = [_quad(lambda x: f(x) * weight(x), a, b) for a, b in zip(pts[:-1], pts[1:])]
    pieces.append(_quad(lambda x: f(x) * weight(x), pts[-1], np.inf))
    return sum(v for v, _ in pieces), sum(e for _, e in pieces)


def _quad(f: Callable[[float], float], a: float, b: float, **kw: object) -> tuple[float, float]:
    """One QUADPACK call: value and absolute error estimate (its own warnings silenced)."""
    from scipy.integrate import IntegrationWarning, quad  # on first use: the reference only

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", IntegrationWarning)
        value, abserr = quad(f, a, b, epsabs=0.0, epsrel=1e-12, limit=2000, **kw)  # type: ignore[arg-type]
    return float(value), float(abserr)
