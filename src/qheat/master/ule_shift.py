"""The Lamb shift of the universal Lindblad equation (Nathan and Rudner, PRB 102, 115109 (2020)).

With the jump spectral function ``g(w) = sqrt(2 G(w))`` (qheat's normalization, see
:class:`~qheat.master.UniversalLindblad`), Nathan and Rudner's Hermitian Lamb shift of one bath
with coupling ``X`` is, in the eigenbasis of ``H_S`` (their Eq. 15 and Appendix D, with the
erratum PRB 104, 119901 (2021))::

    Lambda_ik = sum_m X_im X_mk f(w_im, w_mk),        w_ab = E_b - E_a,
    f(p, q)   = -(1/2 pi) P.V. int dx g(x - p) g(x + q) / x
              = -(1/pi)   P.V. int dx sqrt(G(x - p) G(x + q)) / x,

the frequency form of ``Lambda = -(i/2) int ds ds' sgn(s - s') g(s) g(-s') X(s) X(s')``
(``X(s) = exp(iHs) X exp(-iHs)``, ``g(t)`` the inverse Fourier transform of ``g(w)``).
Writing ``sqrt(G_a G_b) = (G_a + G_b)/2 - (sqrt(G_a) - sqrt(G_b))^2 / 2`` and
``S(w) = (1/pi) P.V. int dx G(x) / (w - x)`` (Eq. 15) splits it exactly into::

    f(p, q) = [S(-p) + S(q)] / 2 + r(p, q),
    r(p, q) = (1/2 pi) P.V. int dx (sqrt(G(x - p)) - sqrt(G(x + q)))^2 / x.

The first part is the ``S`` part of the Bloch-Redfield ``H_LS`` (closed form); ``r`` vanishes
for ``q = -p``, so on the secular blocks (``E_i = E_k``) ``Lambda`` is the secular Lamb shift
``sum_w S(w) A(w)^dag A(w)`` of the global Lindblad equation. ``r`` has no closed form for a
Drude bath; :func:`sqrt_rate_remainder` computes it by a graded composite Gauss-Legendre rule.
"""

from __future__ import annotations

import warnings
from functools import lru_cache

import numpy as np
from numpy.typing import NDArray

from ..errors import ConvergenceWarning
from ..model import Bath

__all__ = ["QUADRATURE_RTOL", "sqrt_rate_remainder"]

FloatArray = NDArray[np.float64]

QUADRATURE_RTOL = 1e-6
"""A :class:`~qheat.errors.ConvergenceWarning` is raised where the error estimate of ``r``
(the 10-node minus the 5-node sum, a bound far above the error of the 10-node sum returned)
exceeds this times ``max |S|`` of the bath at that point (the scale of ``Lambda``)."""

_NEAR = 4.0 ** np.arange(-13, 1)
"""Panel edges ``z +- L 4^k`` around each kink ``z`` of the integrand, ``1.5e-8 L`` to ``L``."""
_FAR = 1.0 + 4.0 ** np.arange(1, 14)
"""Panel edges ``L (1 + 4^k)`` beyond the kinks, up to ``6.7e7 L``."""
_NODES = 10
"""Gauss-Legendre nodes per panel; the same sum with 5 nodes gives the error estimate."""


@lru_cache(maxsize=4)
def _rule(n: int) -> tuple[FloatArray, FloatArray]:
    nodes, weights = np.polynomial.legendre.leggauss(n)
    return nodes, weights


def sqrt_rate_remainder(bath: Bath, p: FloatArray, q: FloatArray, scale: FloatArray) -> FloatArray:
    """``r(p, q) = (1/2 pi) P.V. int dx (sqrt G(x - p) - sqrt G(x + q))^2 / x`` (module docstring).

    Args:
        bath: the bath (only ``G`` is used), batch shape broadcasting with ``(...)``.
        p, q: Bohr frequencies, ``(..., n)`` (one column per term).
        scale: ``max(|S|)`` of the bath at each batch point, ``(...)``, for the warning.

    The principal value is ``int_0^inf (h(x) - h(-x)) / x dx`` with ``h`` the squared difference
    (regular at 0). Panels are graded geometrically (ratio 4) around the kinks of the integrand
    at ``|p|`` and ``|q|`` (where a ``G`` turns from Bose-suppressed to linear, over a width
    ``T``) from ``1.5e-8 L`` to ``L = max(|p|, |q|)``, then out to ``6.7e7 L``; beyond, the
    integrand falls as ``x^-4``. Each panel uses a 10-node Gauss-Legendre rule; the difference
    from the 5-node sum is the error estimate. Against QUADPACK's Cauchy-weighted rule on the
    undivided integral (``tests/test_ule.py``) the sum returned is good to about ``1e-12``
    absolute (Drude bath, ``gamma = 0.01``, ``wD = 50``, T from 0.05 to 5). Cost: about 0.3 ms
    per term (batch point and triple ``i, m, k``; 8 terms, 2.5 ms, per point of the paper's
    model).

    Warns:
        ConvergenceWarning: the estimate exceeds :data:`QUADRATURE_RTOL` times ``scale``.
    """
    length = np.maximum(np.abs(p), np.abs(q))
    length = np.where(length > 0, length, 1.0)  # p = q = 0: the integrand is 0
    near = length[..., None] * _NEAR
    edges = np.concatenate(
        [
            np.zeros(length.shape + (1,)),
            *(np.abs(z)[..., None] + sign * near for z in (p, q) for sign in (-1.0, 1.0)),
            length[..., None] * _FAR,
        ],
        axis=-1,
    )
    edges = np.sort(np.maximum(edges, 0.0), axis=-1)
    fine = _panel_sum(bath, p, q, edges, _NODES)
    coarse = _panel_sum(bath, p, q, edges, _NODES // 2)
    error = np.abs(fine - coarse)
    limit = QUADRATURE_RTOL * np.asarray(scale)[..., None]
    if np.any(error > limit):
        warnings.warn(
            "ULE Lamb shift: quadrature error estimate "
            f"{float(np.max(error / np.maximum(limit, 1e-300))):.3g} times the tolerance "
            f"({QUADRATURE_RTOL:g} of max |S|); the Lamb shift may be inaccurate",
            ConvergenceWarning,
            stacklevel=4,
        )
    return fine


def _panel_sum(bath: Bath, p: FloatArray, q: FloatArray, edges: FloatArray, n: int) -> FloatArray:
    """``(1/2 pi) sum_panels sum_nodes w (h(x) - h(-x)) / x`` on the panels between ``edges``."""
    t, w = _rule(n)
    lo, hi = edges[..., :-1, None], edges[..., 1:, None]
    half = 0.5 * (hi - lo)
    x = lo + half * (1.0 + t)  # (..., n_terms, panels, n)
    weight = half * w
    x = np.where(weight > 0, x, 1.0)  # empty panels (repeated edges) contribute 0
    g = bath.expanded(3) if bath.shape else bath
    pp, qq = p[..., None, None], q[..., None, None]
    with np.errstate(under="ignore"):
        root = [np.sqrt(np.maximum(g.G(arg), 0.0)) for arg in (x - pp, x + qq, -x - pp, -x + qq)]
    h = (root[0] - root[1]) ** 2 - (root[2] - root[3]) ** 2
    return np.asarray((weight * h / x).sum(axis=(-1, -2)) / (2.0 * np.pi), dtype=np.float64)
