"""The Drude bath (paper Eqs. 13-17; docs/theory.md Eqs. T3-T5) against independent values.

Independent values used here: the reference principal-value quadrature of Eq. 15
(``lamb_shift_quadrature``), a second quadrature written in this file (the full-line
Hilbert transform, theory Eq. T4a), closed forms written out in this file (G at T = 0,
S at T = 0, G(0) = gamma T, KMS) and the golden values of ``independent-values.json``.
Tolerances are explained in ``tests/README.md``.
"""

from __future__ import annotations

import math
import warnings
from typing import Any

import numpy as np
import pytest
from scipy.integrate import quad

from qheat.baths import DrudeBath, lamb_shift_quadrature
from qheat.errors import ConvergenceWarning

from golden import golden_bath

# Closed form against quadrature: the bound (tests/README.md, "S(w)").
S_RTOL = 1e-9


def _quadrature(omega: float, gamma: float, omega_d: float, temperature: float) -> float:
    """Reference quadrature; any ConvergenceWarning (summed error estimate above 1e-9 |S|) fails."""
    with warnings.catch_warnings():
        warnings.simplefilter("error", ConvergenceWarning)
        return lamb_shift_quadrature(omega, gamma, omega_d, temperature)


def _sample() -> list[tuple[float, float, float, float]]:
    """(w, T, wD, gamma): a seeded sample of the issue's box plus its edges."""
    rng = np.random.default_rng(20261125)
    n = 36
    uniform = rng.uniform(-200.0, 200.0, n)
    logmag = np.sign(rng.uniform(-1.0, 1.0, n)) * 10.0 ** rng.uniform(-4.0, math.log10(200.0), n)
    w = np.where(rng.random(n) < 0.5, uniform, logmag)
    t = 10.0 ** rng.uniform(math.log10(0.05), math.log10(500.0), n)
    wd = 10.0 ** rng.uniform(0.0, 3.0, n)
    gamma = rng.uniform(1e-3, 0.1, n)
    points = [(float(a), float(b), float(c), float(d)) for a, b, c, d in zip(w, t, wd, gamma)]
    edges = [
        (0.0, 0.05, 1.0),
        (0.0, 500.0, 1000.0),
        (1e-6, 0.05, 1.0),
        (-1e-6, 500.0, 1000.0),
        (1e-3, 0.05, 1000.0),
        (-1e-3, 500.0, 1.0),
        (-200.0, 0.05, 1.0),
        (200.0, 0.05, 1.0),
        (-200.0, 500.0, 1000.0),
        (200.0, 500.0, 1000.0),
        (-200.0, 0.05, 1000.0),
        (200.0, 500.0, 1.0),
        (-7.5, 5.0, 50.0),  # negative w: the pole of the n/(w + x) term at x = -w
    ]
    return points + [(w_, t_, wd_, 0.01) for w_, t_, wd_ in edges]


def test_lamb_shift_closed_form_matches_quadrature() -> None:
    """Theory Eq. T4 (digamma closed form) equals the P.V. quadrature of Eq. 15."""
    worst = 0.0
    for w, t, wd, gamma in _sample():
        exact = _quadrature(w, gamma, wd, t)
        closed = float(DrudeBath(gamma=gamma, omega_d=wd, temperature=t).S(w))
        err = abs(closed - exact) / abs(exact)
        worst = max(worst, err)
        assert err <= S_RTOL, (w, t, wd, gamma, closed, exact)
    assert worst <= S_RTOL


def _full_line_hilbert(omega: float, gamma: float, omega_d: float, temperature: float) -> float:
    """Theory Eq. T4a: ``S(w) = (1/pi) P.V. int_R G(x)/(w - x) dx``, G written out here.

    A quadrature independent of both the closed form and ``lamb_shift_quadrature``: it
    uses the odd extension of J over the whole real line and one Cauchy-weighted window.
    """

    def g(x: float) -> float:  # J(x) (n(x) + 1) = J(x) / (1 - exp(-x/T)), limit gamma T
        if x == 0.0:
            return gamma * temperature
        j = gamma * x / (1.0 + (x / omega_d) ** 2)
        if x > 0:
            return j / -math.expm1(-x / temperature)
        if -x / temperature > 700.0:  # J n underflows
            return 0.0
        return -j / math.expm1(-x / temperature)  # J(x) (n(x) + 1) = |J(x)| n(|x|)

    h = max(abs(omega), 1.0)
    a, b = omega - h, omega + h
    opts: dict[str, Any] = {"epsabs": 0.0, "epsrel": 1e-13, "limit": 500}
    pv = quad(g, a, b, weight="cauchy", wvar=omega, **opts)[0]  # int g/(x - w)
    scales = sorted(
        {a, b, *(s for s in (-30 * temperature, 0.0, omega_d, 10 * omega_d) if not a < s < b)}
    )
    rest = 0.0
    for lo, hi in zip(scales[:-1], scales[1:]):
        if lo >= b or hi <= a:
            rest += quad(lambda x: g(x) / (x - omega), lo, hi, **opts)[0]
    rest += quad(lambda x: g(x) / (x - omega), scales[-1], np.inf, **opts)[0]
    rest += quad(lambda x: g(x) / (x - omega), -np.inf, scales[0], **opts)[0]
    return -(pv + rest) / math.pi


@pytest.mark.parametrize(
    "omega, temperature, omega_d",
    [
        (-7.5, 5.0, 50.0),
        (-0.3, 0.7, 10.0),
        (0.3, 40.0, 200.0),
        (4.53, 5.0, 50.0),
        (120.0, 0.7, 10.0),
    ],
)
def test_lamb_shift_is_the_hilbert_transform_of_g(
    omega: float, temperature: float, omega_d: float
) -> None:
    """Eq. T4a, the starting point of the closed-form derivation, by a second quadrature."""
    exact = _full_line_hilbert(omega, 0.01, omega_d, temperature)
    closed = float(DrudeBath(gamma=0.01, omega_d=omega_d, temperature=temperature).S(omega))
    assert closed == pytest.approx(exact, rel=1e-9)


def test_golden_g_and_s() -> None:
    """G and S of an independent implementation (closed form checked by its own quadrature)."""
    for row in golden_bath():
        bath = DrudeBath(gamma=row["gamma"], omega_d=row["omega_d"], temperature=row["t"])
        assert float(bath.G(row["omega"])) == pytest.approx(row["G"], rel=1e-12, abs=0.0)
        assert float(bath.S(row["omega"])) == pytest.approx(row["S"], rel=1e-12, abs=0.0)
        assert float(bath.S(row["omega"])) == pytest.approx(row["S_quadrature"], rel=1e-12, abs=0.0)


@pytest.mark.parametrize(
    "gamma, omega_d, temperature", [(0.01, 50.0, 5.0), (0.3, 1.0, 0.05), (1e-3, 1e3, 500.0)]
)
def test_g_at_zero_frequency_is_gamma_t(gamma: float, omega_d: float, temperature: float) -> None:
    """Theory Eq. T3: ``G(0) = lim J(w)(n(w) + 1) = J'(0) T = gamma T``, and continuity there."""
    bath = DrudeBath(gamma=gamma, omega_d=omega_d, temperature=temperature)
    assert float(bath.G(0.0)) == pytest.approx(gamma * temperature, rel=1e-15)
    for eps in (1e-9 * temperature, -1e-9 * temperature):
        assert float(bath.G(eps)) == pytest.approx(gamma * temperature, rel=1e-8)


def test_kms_and_emission_minus_absorption() -> None:
    """KMS ``G(-w) = exp(-w/T) G(w)`` and ``G(w) - G(-w) = J(w)`` (odd J, Eq. T3)."""
    w = np.linspace(-60.0, 60.0, 241)
    for t in (0.05, 0.7, 5.0, 500.0):
        bath = DrudeBath(gamma=0.02, omega_d=50.0, temperature=t)
        g_plus, g_minus = bath.G(w), bath.G(-w)
        keep = np.abs(w) / t < 600.0  # exp(-w/T) over- or underflows beyond
        boltzmann = np.exp(-w[keep] / t)
        np.testing.assert_allclose(g_minus[keep], boltzmann * g_plus[keep], rtol=1e-12, atol=0.0)
        np.testing.assert_allclose(g_plus - g_minus, bath.J(w), rtol=1e-12, atol=1e-300)
        np.testing.assert_allclose(bath.J(-w), -bath.J(w), rtol=0.0, atol=0.0)


def test_g_at_zero_temperature() -> None:
    """Theory Eq. T3 at T = 0: ``G(w) = gamma max(w, 0) / (1 + (w/wD)^2)``."""
    w = np.concatenate([np.linspace(-200.0, 200.0, 401), [-1e-12, 1e-12]])
    gamma, wd = 0.03, 20.0
    want = gamma * np.maximum(w, 0.0) / (1.0 + (w / wd) ** 2)
    np.testing.assert_allclose(DrudeBath(gamma, wd, 0.0).G(w), want, rtol=1e-15, atol=0.0)
    # and the T -> 0 limit is continuous: at T = 1e-3 only |w| <~ 50 T differs
    far = np.abs(w) > 0.05
    np.testing.assert_allclose(
        DrudeBath(gamma, wd, 1e-3).G(w)[far], want[far], rtol=1e-15, atol=1e-300
    )


def _s_zero_temperature(w: float, gamma: float, omega_d: float) -> float:
    """Theory Eq. T5, written out here: the T = 0 closed form of S."""
    log = math.log(abs(w) / omega_d) if w != 0 else 0.0
    return gamma * omega_d / (w**2 + omega_d**2) * (-(omega_d**2) / 2 + w * omega_d / math.pi * log)


@pytest.mark.parametrize("w", [-200.0, -7.5, -1.0, -0.01, 0.0, 0.01, 1.0, 4.53, 50.0, 200.0])
def test_lamb_shift_at_zero_temperature(w: float) -> None:
    """Eq. T5 against the quadrature at T = 0, the code at T = 0, and the code at T = 1e-6."""
    gamma, wd = 0.01, 50.0
    want = _s_zero_temperature(w, gamma, wd)
    assert want == pytest.approx(_quadrature(w, gamma, wd, 0.0), rel=1e-9)
    assert float(DrudeBath(gamma, wd, 0.0).S(w)) == pytest.approx(want, rel=1e-12)
    # psi(1 + i y) = ln y + O(1/y^2) for y = w/(2 pi T) -> inf: the T -> 0 limit is smooth
    assert float(DrudeBath(gamma, wd, 1e-6).S(w)) == pytest.approx(want, rel=1e-9)


def test_s_at_zero_frequency() -> None:
    """``S(0) = -gamma wD / 2`` for every T (theory Eq. T4 at w = 0; the w-odd parts vanish)."""
    for t in (0.0, 0.05, 5.0, 500.0):
        assert float(DrudeBath(0.02, 30.0, t).S(0.0)) == pytest.approx(-0.02 * 30.0 / 2, rel=1e-15)


def test_vectorized_over_all_parameters() -> None:
    """Arrays of w, T, gamma and wD broadcast; each element equals the scalar evaluation."""
    w = np.array([-30.0, -0.5, 0.0, 0.5, 4.0, 120.0])  # (6,)
    t = np.array([0.0, 0.3, 5.0, 80.0])[:, None, None]  # (4, 1, 1)
    gamma = np.array([0.01, 0.05])[:, None]  # (2, 1)
    wd = np.array([[10.0], [200.0]])  # (2, 1)
    bath = DrudeBath(gamma=gamma, omega_d=wd, temperature=t)
    assert bath.shape == (4, 2, 1)
    for name in ("J", "G", "S"):
        values = getattr(bath, name)(w)
        # J does not depend on T, so its shape need only broadcast to the full one
        assert values.shape == ((2, 6) if name == "J" else (4, 2, 6))
        values = np.broadcast_to(values, (4, 2, 6))
        for i, j, k in np.ndindex(values.shape):
            scalar = DrudeBath(gamma[j, 0], wd[j, 0], t[i, 0, 0])
            assert values[i, j, k] == pytest.approx(
                float(getattr(scalar, name)(w[k])), rel=1e-14, abs=1e-300
            )
    gam = bath.Gamma(w)
    np.testing.assert_array_equal(gam.real, bath.G(w))
    np.testing.assert_array_equal(gam.imag, bath.S(w))


@pytest.mark.parametrize(
    "kwargs, name",
    [
        ({"gamma": -0.1, "omega_d": 50.0, "temperature": 5.0}, "gamma"),
        ({"gamma": 0.1, "omega_d": 0.0, "temperature": 5.0}, "omega_d"),
        ({"gamma": 0.1, "omega_d": 50.0, "temperature": -1.0}, "temperature"),
        ({"gamma": 0.1, "omega_d": 50.0, "temperature": float("nan")}, "temperature"),
        ({"gamma": float("inf"), "omega_d": 50.0, "temperature": 5.0}, "gamma"),
    ],
)
def test_bad_bath_parameters_are_named(kwargs: dict[str, float], name: str) -> None:
    """Bad parameters raise an InvalidParameterError (a ValueError) naming the parameter."""
    with pytest.raises(ValueError, match=name):
        DrudeBath(**kwargs)


def test_stacked_baths_evaluate_as_each_bath() -> None:
    """``DrudeBath.stacked``: one evaluation equals each bath's own, for broadcasting shapes."""
    w = np.array([-7.0, -0.3, 0.0, 2.5, 60.0])
    hot = DrudeBath(gamma=np.array([0.01, 0.03]), omega_d=50.0, temperature=np.array([15.0, 0.0]))
    cold = DrudeBath(gamma=0.02, omega_d=20.0, temperature=5.0)
    stacked = DrudeBath.stacked([hot, cold], ndim=2)
    assert stacked.shape == (2, 1, 2)
    both = stacked.expanded(1).Gamma(w)  # (bath, 1, 2, w)
    for j, bath in enumerate((hot, cold)):
        each = np.broadcast_to(bath.expanded(1).Gamma(w), (1, 2, w.size))
        np.testing.assert_array_equal(both[j], each)
