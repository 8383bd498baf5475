"""Error of the finest of a sequence of truncations, by Richardson's argument.

Along one truncation axis (the number of exponents ``K``, doubled at each step, or the depth
``D``) three solves ``v0, v1, v2`` from coarse to fine give the last change ``d = v2 - v1`` and
the ratio of the last two changes ``r = (v2 - v1) / (v1 - v0)``. If the changes keep shrinking
by at most ``r`` (a geometric tail), the error of ``v2`` is the rest of the series::

    |v_inf - v2| <= |d| r / (1 - r)            (0 <= r < 1)

* Order. Currents converge like ``1/K`` (the rest outside the hierarchy is a tail
  ``sum_{k>K} 1/nu_k^2 ~ 1/K``, treated to second order by the terminator): doubling ``K``
  halves the error, ``r = 1/2`` and the error of ``J(2K)`` is ``|J(2K) - J(K)|``, Richardson's
  estimate for a first-order method. A faster apparent rate (``r < 1/2``) is not trusted (the
  asymptotic rate is ``1/K``), a slower one is used: :func:`tail_error` with ``at_least = 1``.
* Depth. Tiers converge geometrically at no known rate: the error of ``J(D)`` is
  ``|J(D+1) - J(D)|`` plus the tail ``|d| r/(1 - r)`` after ``J(D+1)``, i.e. ``|d| / (1 - r)``
  (:func:`depth_error`), never less than the change itself.

A ratio ``r >= 1`` (changes not shrinking) gives ``inf``: the sequence has not started to
converge. Changes at the round-off level of the currents count as zero.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray

__all__ = ["depth_error", "ratio", "tail_error"]

FloatArray = NDArray[np.float64]


def ratio(v0: ArrayLike | None, v1: ArrayLike, v2: ArrayLike, noise: ArrayLike = 0.0) -> FloatArray:
    """``r = (v2 - v1) / (v1 - v0)`` per element, signed.

    0 where the last change is within ``noise`` (converged to round-off); NaN without ``v0``
    (unknown); ``inf`` where a change within ``noise`` is followed by a larger one.
    """
    last = np.asarray(v2, dtype=float) - np.asarray(v1, dtype=float)
    eps = np.broadcast_to(np.asarray(noise, dtype=float), last.shape)
    if v0 is None:
        r = np.full(last.shape, np.nan)
    else:
        prev = np.asarray(v1, dtype=float) - np.asarray(v0, dtype=float)
        tiny = np.abs(prev) <= eps
        r = np.where(tiny, np.inf, last / np.where(tiny, 1.0, prev))
    return np.asarray(np.where(np.abs(last) <= eps, 0.0, r), dtype=float)


def _geometric(r: FloatArray, numerator: FloatArray) -> FloatArray:
    """``numerator / (1 - r)``, ``inf`` where ``r >= 1``."""
    below = r < 1
    return np.where(below, numerator / np.where(below, 1.0 - r, 1.0), np.inf)


def tail_error(
    v0: ArrayLike | None,
    v1: ArrayLike,
    v2: ArrayLike,
    noise: ArrayLike = 0.0,
    at_least: float = 1.0,
) -> FloatArray:
    """Error of ``v2``, the finest of three solves: ``|v2 - v1| max(at_least, r/(1 - r))``.

    Args:
        v0, v1, v2: the quantity at three truncations, coarse to fine (``v0`` None if there
            is no coarser one: the factor is then ``at_least``).
        noise: round-off scale; a last change within it gives an error of ``noise``.
        at_least: the smallest factor on ``|v2 - v1|``: 1 when the errors fall no faster
            than the refinement factor (``1/K`` under doubling, ``r = 1/2``).

    Returns:
        The bound per element; ``inf`` where ``r >= 1`` or a round-off-level change is
        followed by a real one.
    """
    last = np.abs(np.asarray(v2, dtype=float) - np.asarray(v1, dtype=float))
    eps = np.broadcast_to(np.asarray(noise, dtype=float), last.shape)
    r = ratio(v0, v1, v2, noise)
    factor = np.where(np.isnan(r), at_least, np.maximum(at_least, _geometric(r, r)))
    return np.asarray(np.where(last <= eps, eps, last * factor), dtype=float)


def depth_error(
    v0: ArrayLike | None, v1: ArrayLike, v2: ArrayLike, noise: ArrayLike = 0.0
) -> FloatArray:
    """Error of ``v1`` (depth ``D``) from ``v2`` one tier deeper and ``v0`` one tier less:
    ``|v2 - v1| max(1, 1/(1 - r))`` (``inf`` where ``r >= 1``; ``|v2 - v1|`` without ``v0``)."""
    last = np.abs(np.asarray(v2, dtype=float) - np.asarray(v1, dtype=float))
    eps = np.broadcast_to(np.asarray(noise, dtype=float), last.shape)
    r = ratio(v0, v1, v2, noise)
    factor = np.maximum(1.0, _geometric(np.where(np.isnan(r), 0.0, r), np.ones_like(r)))
    return np.asarray(np.where(last <= eps, eps, last * factor), dtype=float)
