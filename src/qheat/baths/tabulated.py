"""``S(w)`` tabulated once per bath parameter set, with a checked interpolation error.

The real line is cut into dyadic panels ``+-[a 2^k, a 2^(k+1)]`` (``a`` a frequency scale of
the bath, ``k`` any integer), built on first use. On each panel ``S`` is interpolated by the
Chebyshev polynomial of degree :data:`DEGREE` through the Chebyshev-Lobatto points, the
interpolant accepted only when it matches the direct value (the quadrature, or any exact
function) at the :data:`DEGREE` points halfway between the nodes, and its last two Chebyshev
coefficients are small, both to :data:`TOLERANCE` of the panel's largest ``|S|``; otherwise
the panel is halved and each half tried again. ``S`` is analytic on every panel away from
``w = 0`` (a dyadic panel keeps the distance to 0, where ``S`` is not analytic for an ohmic
bath, equal to its own length), so the Chebyshev coefficients fall geometrically and the
midpoint check bounds the error. ``w = 0`` itself is computed directly, once.

A sweep then pays the quadratures of the panels it touches (``2 DEGREE + 1`` each), not one
per value: evaluating a million frequencies costs a few array passes.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
from numpy.polynomial import chebyshev
from numpy.typing import NDArray

from ..errors import ConvergenceWarning

__all__ = ["DEGREE", "TOLERANCE", "LambShiftTable"]

FloatArray = NDArray[np.float64]

DEGREE = 16
"""Degree of the Chebyshev interpolant on each (sub)panel."""
TOLERANCE = 1e-10
"""Accepted interpolation error, relative to the largest ``|S|`` on the panel."""
MAX_SPLITS = 12
"""A panel is halved at most this many times (``2^-12`` of its length)."""

_NODES = np.cos(np.pi * np.arange(DEGREE + 1) / DEGREE)[::-1]
_MIDPOINTS = np.cos(np.pi * (np.arange(DEGREE) + 0.5) / DEGREE)[::-1]


class LambShiftTable:
    """Piecewise-Chebyshev interpolant of ``exact(w)`` on dyadic panels of scale ``scale``.

    Args:
        exact: ``S`` at one frequency (e.g. :func:`~qheat.baths.quadrature.lamb_shift_integral`).
        scale: the frequency ``a`` of the panel grid (a cutoff of the bath), > 0.
    """

    def __init__(self, exact: Callable[[float], float], scale: float) -> None:
        self._exact = exact
        self._scale = float(scale)
        self._panels: dict[int, tuple[FloatArray, FloatArray]] = {}
        self._zero: float | None = None

    @property
    def panels(self) -> int:
        """Number of (sub)panels built so far."""
        return sum(len(edges) - 1 for edges, _ in self._panels.values())

    def __call__(self, omega: FloatArray) -> FloatArray:
        """The interpolated ``S`` at every frequency of ``omega`` (any shape)."""
        w = np.asarray(omega, dtype=np.float64)
        out = np.empty(w.shape)
        mantissa, exponent = np.frexp(np.abs(w) / self._scale)  # |w|/a = m 2^e, m in [1/2, 1)
        t = 4.0 * mantissa - 3.0  # the position in the panel [2^(e-1), 2^e], mapped to [-1, 1)
        key = 2 * exponent.astype(np.int64) + (w < 0)
        zero = w == 0
        if zero.any():
            if self._zero is None:
                self._zero = float(self._exact(0.0))
            out[zero] = self._zero
        keys, inverse = np.unique(np.where(zero, 0, key), return_inverse=True)
        inverse = inverse.reshape(w.shape)
        for i, k in enumerate(keys):
            pick = (inverse == i) & ~zero
            if not pick.any():
                continue
            edges, coefs = self._panel(int(k))
            out[pick] = _evaluate(edges, coefs, t[pick])
        return out

    def _panel(self, key: int) -> tuple[FloatArray, FloatArray]:
        if key not in self._panels:
            exponent, negative = divmod(key, 2)
            sign = -1.0 if negative else 1.0
            low = np.ldexp(self._scale, exponent - 1)

            def at(t: FloatArray) -> FloatArray:  # S at positions t in [-1, 1] of the panel
                return np.array([self._exact(sign * low * (t_ + 3.0) / 2.0) for t_ in t])

            pieces = _fit(at, -1.0, 1.0, 0)
            edges = np.array([p[0] for p in pieces] + [1.0])
            self._panels[key] = (edges, np.array([p[1] for p in pieces]))
        return self._panels[key]


def _fit(
    at: Callable[[FloatArray], FloatArray], lo: float, hi: float, depth: int
) -> list[tuple[float, FloatArray]]:
    """``[(lo, coefficients), ...]`` of accepted subpanels of ``[lo, hi]`` (positions t)."""
    half, mid = 0.5 * (hi - lo), 0.5 * (hi + lo)
    values = at(mid + half * _NODES)
    coefs = np.asarray(chebyshev.chebfit(_NODES, values, DEGREE), dtype=np.float64)
    check = at(mid + half * _MIDPOINTS)
    size = max(float(np.abs(values).max()), float(np.abs(check).max()), 1e-300)
    error = max(
        float(np.abs(chebyshev.chebval(_MIDPOINTS, coefs) - check).max()),
        float(np.abs(coefs[-2:]).max()),
    )
    if error <= TOLERANCE * size:
        return [(lo, coefs)]
    if depth >= MAX_SPLITS:
        import warnings

        warnings.warn(
            f"tabulated Lamb shift: interpolation error {error / size:.1e} (relative) above "
            f"{TOLERANCE:g} after {MAX_SPLITS} halvings of a panel",
            ConvergenceWarning,
            stacklevel=4,
        )
        return [(lo, coefs)]
    return _fit(at, lo, mid, depth + 1) + _fit(at, mid, hi, depth + 1)


def _evaluate(edges: FloatArray, coefs: FloatArray, t: FloatArray) -> Any:
    """Clenshaw's recurrence with each position's own subpanel coefficients."""
    if len(edges) == 2:
        return chebyshev.chebval(t, coefs[0])
    index = np.clip(np.searchsorted(edges, t, side="right") - 1, 0, len(edges) - 2)
    lo, hi = edges[index], edges[index + 1]
    u = (2.0 * t - (lo + hi)) / (hi - lo)
    c = coefs[index]  # (n, DEGREE + 1)
    b1 = np.zeros_like(u)
    b2 = np.zeros_like(u)
    for j in range(DEGREE, 0, -1):
        b1, b2 = c[:, j] + 2.0 * u * b1 - b2, b1
    return c[:, 0] + u * b1 - b2
