"""Adaptive principal-value quadrature of the Lamb-shift integral, Eq. 15, for any J.

``S(w) = (1/pi) P.V. int_0^inf J(x) [ (n(x) + 1)/(w - x) + n(x)/(w + x) ] dx``, integrated
term by term on the positive axis. The first term has its pole at ``x = w`` when ``w > 0``;
the second at ``x = -w`` when ``w < 0``. Each pole is handled by QUADPACK's Cauchy-weighted
rule (QAWC) on the window ``[|w|/2, 3|w|/2]``; the rest of the axis is cut at the bath's
scales and integrated by QAGS/QAGI (which extrapolate through endpoint singularities such as
``x^(s-1)`` of an ohmic bath with ``s < 1``). At ``w = 0`` the two poles cancel:
``S(0) = -(1/pi) int_0^inf J(x)/x dx``.

Every piece is asked for ``1e-12`` relative accuracy. A
:class:`~qheat.errors.ConvergenceWarning` is raised when QUADPACK's summed error estimates
exceed :data:`TOLERANCE` of ``sum |pieces|`` (the size of what was added up, so that a value
of ``S`` near one of its zeros does not warn spuriously). Milliseconds per frequency.
"""

from __future__ import annotations

import itertools
import math
import warnings
from collections.abc import Callable, Sequence

import numpy as np

from .._checks import real_array
from ..errors import ConvergenceWarning, InvalidParameterError

__all__ = ["TOLERANCE", "lamb_shift_integral", "lamb_shift_quadrature"]

TOLERANCE = 1e-10
"""A :class:`~qheat.errors.ConvergenceWarning` is raised when the summed error estimates exceed
this fraction of the summed magnitudes of the pieces."""

Scalar = Callable[[float], float]


def lamb_shift_quadrature(omega: float, gamma: float, omega_d: float, temperature: float) -> float:
    """``S(w)`` of Eq. 15 by adaptive quadrature, for one Drude bath (Eq. 17).

    Independent of the closed form of :meth:`qheat.baths.DrudeBath.S`.
    A :class:`~qheat.errors.ConvergenceWarning` is raised if QUADPACK reports trouble.

    Raises:
        InvalidParameterError: an argument is not a finite real scalar in its range
            (``gamma >= 0``, ``omega_d > 0``, ``temperature >= 0``).
    """
    omega = _scalar("omega", omega)
    gamma = _scalar("gamma", gamma, minimum=0.0)
    omega_d = _scalar("omega_d", omega_d, strictly_positive=True)
    temperature = _scalar("temperature", temperature, minimum=0.0)
    return lamb_shift_integral(
        omega,
        lambda x: gamma / (1.0 + (x / omega_d) ** 2),
        temperature,
        [omega_d, 10 * omega_d, 100 * omega_d],
    )


def lamb_shift_integral(
    omega: float, ratio: Scalar, temperature: float, scales: Sequence[float]
) -> float:
    """``S(w)`` of Eq. 15 for the spectral density ``J(x) = x ratio(x)``, ``x > 0``.

    Args:
        omega: the frequency w (any sign).
        ratio: ``J(x)/x`` for ``x > 0`` (a scalar function; it may diverge as ``x -> 0``
            like ``x^(s-1)`` with ``s > 0``).
        temperature: T >= 0.
        scales: frequencies where J has structure (cutoffs, resonances): breakpoints of the
            quadrature, together with ``T`` and ``10 T``.

    Returns:
        ``S(w)``, or NaN when a piece of the integral is not finite (``J`` overflows double
        precision; the baths turn that into an :class:`~qheat.errors.InvalidParameterError`).

    Warns:
        ConvergenceWarning: QUADPACK's error estimate exceeds :data:`TOLERANCE` (relative).
    """
    t = temperature

    def emitted(x: float) -> float:  # G(x) = J(x) (n(x) + 1), x > 0
        if t == 0.0:
            return x * ratio(x)
        if x <= 1e-8 * t:  # x (n + 1) = T + x/2 + O(x^2/T); x/T may underflow to 0
            return ratio(x) * (t + 0.5 * x)
        return ratio(x) * x / -math.expm1(-x / t)

    def absorbed(x: float) -> float:  # G(-x) = J(x) n(x), x > 0
        if t == 0.0 or x > 700.0 * t:  # n(x) underflows
            return 0.0
        if x <= 1e-8 * t:  # x n = T - x/2 + O(x^2/T)
            return ratio(x) * (t - 0.5 * x)
        return ratio(x) * x / math.expm1(x / t)

    points = sorted({s for s in scales if s > 0} | ({t, 10 * t} if t > 0 else set()))
    if omega == 0.0:  # the 1/x of both terms cancel: (n+1)/(-x) + n/x = -1/x
        pieces = _pieces(lambda x: -ratio(x), None, points)
    else:
        pole = abs(omega)
        if omega > 0:  # first term has the pole: 1/(w - x) = -1/(x - w)
            pieces = [(-v, e) for v, e in _pieces(emitted, pole, points)]
            pieces += _pieces(lambda x: absorbed(x) / (omega + x), None, points)
        else:  # second term has the pole: 1/(w + x) = 1/(x - |w|)
            pieces = _pieces(absorbed, pole, points)
            pieces += _pieces(lambda x: emitted(x) / (omega - x), None, points)
    if not all(math.isfinite(v) for v, _ in pieces):  # J overflows: the baths refuse NaN
        return math.nan
    total = math.fsum(v for v, _ in pieces)
    error = sum(e for _, e in pieces)
    size = sum(abs(v) for v, _ in pieces)
    if error > TOLERANCE * max(size, 1e-300):
        warnings.warn(
            f"Lamb-shift quadrature at omega = {omega:g}: QUADPACK's error estimate "
            f"{error / math.pi:.1e} exceeds {TOLERANCE:g} of the integral's size "
            f"{size / math.pi:.3g}",
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


def _pieces(f: Scalar, pole: float | None, scales: list[float]) -> list[tuple[float, float]]:
    """``int_0^inf f(x)/(x - pole) dx`` (P.V.) if a pole is given, else ``int_0^inf f``, as
    (value, QUADPACK error estimate) per piece between breakpoints."""
    pts = {0.0, *scales}
    if pole is not None:
        pts = {p for p in pts if not 0.5 * pole < p < 1.5 * pole} | {0.5 * pole, 1.5 * pole}
    edges = sorted(pts)
    g = f if pole is None else (lambda x: f(x) / (x - pole))
    out = []
    for a, b in itertools.pairwise(edges):
        if pole is not None and a == 0.5 * pole and b == 1.5 * pole:
            out.append(_quad(f, a, b, weight="cauchy", wvar=pole))
        else:
            out.append(_quad(g, a, b))
    out.append(_quad(g, edges[-1], np.inf))
    return out


def _quad(f: Scalar, a: float, b: float, **kw: object) -> tuple[float, float]:
    """One QUADPACK call: value and absolute error estimate (its own warnings silenced)."""
    from scipy.integrate import (  # on first use: the numerical path only
        IntegrationWarning,
        quad,
    )

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", IntegrationWarning)
        value, abserr = quad(  # type: ignore[arg-type]
            f, a, b, epsabs=0.0, epsrel=1e-12, limit=2000, **kw
        )
    return float(value), float(abserr)
