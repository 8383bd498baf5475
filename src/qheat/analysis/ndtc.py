"""Negative differential thermal conductance (NDTC) of current-versus-bias curves (paper Sec. IV).

A curve is the steady-state heat current ``J(dT)`` from the hot bath, ``dT = T1 - T2`` at fixed
``T2`` (the paper's Figs. 3-6). Its differential conductance is ``dJ/d(dT)``; NDTC means the
conductance turns negative somewhere in the range: the current falls although the bias grows.
Every function takes a shared bias grid ``dT`` of shape ``(n,)`` and currents ``J`` of shape
``(..., n)`` and works over the leading axes at once.

Units: whatever ``J`` and ``dT`` carry (the paper's hbar = kB = 1); the conductance is in
``[J]/[dT]``.

Example:
    >>> import numpy as np
    >>> dT = np.linspace(0.0, 10.0, 101)
    >>> r = ndtc_on_grid(dT, dT * np.exp(-dT / 2.0))
    >>> bool(r.ndtc), float(r.dT_peak)
    (True, 2.0)
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray

from ..errors import InvalidParameterError

__all__ = [
    "MIN_RTOL",
    "ROUNDOFF",
    "NDTCResult",
    "conductance",
    "ndtc_on_grid",
    "refine_peak",
    "suppression_ratio",
]

FloatArray = NDArray[np.float64]

ROUNDOFF = 1e-10
"""A conductance counts as negative only below ``-ROUNDOFF * max|J| / spacing`` of its curve,
and a maximum as interior only if it exceeds both end values by ``ROUNDOFF * max|J|``.

The currents come from a linear solve accurate to ~1e-13 relative; a flat or saturating curve
must not be flagged as NDTC because of noise in the last digits.
"""

MIN_RTOL = 2.0**-26
"""The narrowest relative bracket :func:`refine_peak` accepts, ``sqrt(eps)`` of double precision
(1.5e-8): within it of a smooth maximum ``J(x) = J_max (1 - O((dx/x)^2))`` differs from
``J_max`` by less than one unit in the last place, so no comparison can narrow it further.
(Currents with round-off above ``eps`` are flat over a wider bracket:
:data:`qheat.sweeps.ndtc_map.MIN_RTOL`.)"""

_INV_PHI = (math.sqrt(5.0) - 1.0) / 2.0  # golden-section contraction per step


@dataclass(frozen=True)
class NDTCResult:
    """NDTC of a stack of current-versus-bias curves; every field has the curves' leading shape.

    Attributes:
        ndtc: ``dJ/d(dT) < 0`` somewhere in the range, beyond round-off (:data:`ROUNDOFF`).
        dT_peak: bias of the interior maximum of ``J``: the global maximum, when it exceeds
            the current at both ends of the range beyond round-off; NaN otherwise.
        J_peak: current at ``dT_peak``; NaN if there is no interior maximum.
        negative_interval: ``(..., 2)``, ``[start, end]`` of the first interval where the
            conductance is negative, its ends linearly interpolated zero crossings of the
            conductance (or the range's ends); NaN if there is none.
    """

    ndtc: NDArray[np.bool_]
    dT_peak: FloatArray
    J_peak: FloatArray
    negative_interval: FloatArray


def conductance(dT: ArrayLike, J: ArrayLike, axis: int = -1) -> FloatArray:
    """Differential conductance ``dJ/d(dT)`` on the grid, second order everywhere.

    Central differences inside (``np.gradient`` handles uneven spacing), second-order one-sided
    differences at the two ends. ``dT`` is ``(n,)``, strictly increasing, ``n >= 3``; ``J`` has
    ``n`` points along ``axis`` (default the last); the result has the shape of ``J``.
    """
    x, y = _checked(dT, to_last(J, axis))
    c = np.asarray(np.gradient(y, x, axis=-1, edge_order=2), dtype=np.float64)
    return np.moveaxis(c, -1, axis)


def ndtc_on_grid(dT: ArrayLike, J: ArrayLike) -> NDTCResult:
    """NDTC, peak and negative-conductance interval of each curve, at grid resolution.

    Args:
        dT: bias grid ``(n,)``, strictly increasing, ``n >= 3``.
        J: currents ``(..., n)`` on that grid.

    Returns:
        The :class:`NDTCResult`; ``dT_peak`` is a grid point (refine it with :func:`refine_peak`).
    """
    x, y = _checked(dT, J)
    lead = y.shape[:-1]
    y2 = y.reshape(-1, x.size)
    c = np.asarray(np.gradient(y2, x, axis=-1, edge_order=2), dtype=np.float64)
    scale = ROUNDOFF * np.max(np.abs(y2), axis=-1)
    negative = c < -(scale / np.min(np.diff(x)))[:, None]

    i_max = np.argmax(y2, axis=-1)
    rows = np.arange(y2.shape[0])
    top = y2[rows, i_max]
    interior = (top - y2[:, 0] > scale) & (top - y2[:, -1] > scale)
    dT_peak = np.where(interior, x[i_max], np.nan)
    J_peak = np.where(interior, top, np.nan)

    interval = _first_negative_run(x, c, negative)
    return NDTCResult(
        ndtc=np.any(negative, axis=-1).reshape(lead),
        dT_peak=dT_peak.reshape(lead),
        J_peak=J_peak.reshape(lead),
        negative_interval=interval.reshape(*lead, 2),
    )


def refine_peak(
    current: Callable[[FloatArray], ArrayLike],
    dT: ArrayLike,
    J: ArrayLike,
    rtol: float = 1e-4,
) -> NDTCResult:
    """:func:`ndtc_on_grid`, with each interior maximum refined beyond the grid.

    The maximum is bracketed by the grid neighbours of the largest grid value and narrowed by a
    golden-section search, all curves at once, until the bracket is below ``rtol * |dT_peak|``
    (or ``rtol`` times the initial bracket for a peak closer to ``dT = 0`` than that; the
    contraction is fixed, so the number of steps is known in advance). Curves without an
    interior maximum keep NaN and their evaluations are ignored.

    Args:
        current: ``current(x)`` with ``x`` of the curves' leading shape ``(...)`` returns the
            currents of the curves at those biases, shape ``(...)`` (one batched solve).
        dT: bias grid ``(n,)``.
        J: currents ``(..., n)`` on that grid, from the same ``current``.
        rtol: relative width of the final bracket in ``dT``; ``MIN_RTOL <= rtol < 1``
            (:data:`MIN_RTOL`).

    Returns:
        The grid result with ``dT_peak`` and ``J_peak`` refined; ``ndtc`` and
        ``negative_interval`` stay at grid resolution.
    """
    if not MIN_RTOL <= rtol < 1.0:
        raise InvalidParameterError(
            f"rtol must be in [{MIN_RTOL:.2g}, 1), got {rtol!r}: closer to a smooth maximum "
            "than sqrt(machine epsilon) its values are equal in double precision"
        )
    x, y = _checked(dT, J)
    grid = ndtc_on_grid(x, y)
    lead = y.shape[:-1]
    has_peak = np.isfinite(grid.dT_peak)
    if not np.any(has_peak):
        return grid

    i_max = np.argmax(y, axis=-1)
    lo = np.where(has_peak, x[np.clip(i_max - 1, 0, x.size - 1)], x[0])
    hi = np.where(has_peak, x[np.clip(i_max + 1, 0, x.size - 1)], x[-1])
    target = rtol * np.maximum(np.abs(np.where(has_peak, grid.dT_peak, 0.0)), hi - lo)
    steps = int(np.max(np.ceil(np.log(target / (hi - lo)) / math.log(_INV_PHI))[has_peak]))

    def evaluate(points: FloatArray) -> FloatArray:
        values = np.asarray(current(points), dtype=np.float64)
        if values.shape != lead:
            raise InvalidParameterError(
                f"current(dT) must return the curves' leading shape {lead}, got {values.shape}"
            )
        return values

    a, b = lo.astype(np.float64), hi.astype(np.float64)
    c_pt = b - _INV_PHI * (b - a)
    d_pt = a + _INV_PHI * (b - a)
    fc, fd = evaluate(c_pt), evaluate(d_pt)
    for _ in range(max(steps, 0)):
        keep_left = fc >= fd  # the maximum lies in [a, d]
        a = np.where(keep_left, a, c_pt)
        b = np.where(keep_left, d_pt, b)
        new_c = np.where(keep_left, b - _INV_PHI * (b - a), d_pt)
        new_d = np.where(keep_left, c_pt, a + _INV_PHI * (b - a))
        probe = np.where(keep_left, new_c, new_d)
        f_probe = evaluate(probe)
        fc, fd = np.where(keep_left, f_probe, fd), np.where(keep_left, fc, f_probe)
        c_pt, d_pt = new_c, new_d

    best_left = fc >= fd
    peak_x = np.where(best_left, c_pt, d_pt)
    peak_j = np.where(best_left, fc, fd)
    return NDTCResult(
        ndtc=grid.ndtc,
        dT_peak=np.where(has_peak, peak_x, np.nan),
        J_peak=np.where(has_peak, peak_j, np.nan),
        negative_interval=grid.negative_interval,
    )


def suppression_ratio(J_br: ArrayLike, J_lindblad: ArrayLike) -> FloatArray:
    """``J_BR / J_L``, the suppression of the current by the non-secular terms (Sec. IV).

    Below 1 where Bloch-Redfield carries less heat than the global Lindblad equation. NaN where
    ``J_L = 0`` (no bias: both currents vanish and the ratio is undefined).
    """
    num = np.asarray(J_br, dtype=np.float64)
    den = np.asarray(J_lindblad, dtype=np.float64)
    num, den = np.broadcast_arrays(num, den)
    out = np.full(num.shape, np.nan)
    np.divide(num, den, out=out, where=den != 0)
    return out


def to_last(J: ArrayLike, axis: int) -> FloatArray:
    """``J`` as a float array with its ``axis`` moved last (an error naming ``axis`` if absent)."""
    y = np.asarray(J, dtype=np.float64)
    if not isinstance(axis, (int, np.integer)) or not -y.ndim <= axis < y.ndim:
        raise InvalidParameterError(
            f"axis must be an integer in [{-y.ndim}, {y.ndim}) for J of shape {y.shape}, "
            f"got {axis!r}"
        )
    return np.moveaxis(y, axis, -1)


def _checked(dT: ArrayLike, J: ArrayLike) -> tuple[FloatArray, FloatArray]:
    """``dT`` as a strictly increasing ``(n,)`` grid, ``n >= 3``, and ``J`` as ``(..., n)``."""
    x = np.asarray(dT, dtype=np.float64)
    y = np.asarray(J, dtype=np.float64)
    if x.ndim != 1 or x.size < 3:
        raise InvalidParameterError(
            f"dT must be a 1-d grid of at least 3 points, got shape {x.shape}"
        )
    if not np.all(np.diff(x) > 0):
        raise InvalidParameterError("dT must be strictly increasing")
    if y.ndim < 1 or y.shape[-1] != x.size:
        raise InvalidParameterError(f"J must have shape (..., {x.size}) to match dT, got {y.shape}")
    if not (np.all(np.isfinite(x)) and np.all(np.isfinite(y))):
        raise InvalidParameterError("dT and J must be finite")
    return x, y


def _first_negative_run(x: FloatArray, c: FloatArray, negative: NDArray[np.bool_]) -> FloatArray:
    """``(m, 2)`` ends of the first run of ``negative`` in each row of ``c`` (NaN if none)."""
    m, n = c.shape
    rows = np.arange(m)
    any_neg = np.any(negative, axis=-1)
    first = np.argmax(negative, axis=-1)
    after = (np.arange(n)[None, :] >= first[:, None]) & ~negative
    has_end = np.any(after, axis=-1)
    last = np.where(has_end, np.argmax(after, axis=-1), n) - 1

    start = np.where(first > 0, _crossing(x, c, rows, np.maximum(first - 1, 0)), x[0])
    end = np.where(has_end, _crossing(x, c, rows, np.minimum(last, n - 2)), x[-1])
    interval = np.stack([start, end], axis=-1)
    return np.where(any_neg[:, None], interval, np.nan)


def _crossing(
    x: FloatArray, c: FloatArray, rows: NDArray[np.intp], k: NDArray[np.intp]
) -> FloatArray:
    """Zero of the straight line through ``(x[k], c[k])`` and ``(x[k+1], c[k+1])``."""
    c0, c1 = c[rows, k], c[rows, k + 1]
    denom = c0 - c1
    frac = np.divide(c0, denom, out=np.full(c0.shape, 0.5), where=denom != 0)
    return np.asarray(x[k] + np.clip(frac, 0.0, 1.0) * (x[k + 1] - x[k]), dtype=np.float64)
