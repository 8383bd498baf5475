"""NDTC analysis against curves whose maxima and negative-conductance intervals are known.

* ``J = x exp(-x/a)``: ``dJ/dx = (1 - x/a) exp(-x/a)``, maximum at ``x = a`` with ``J = a/e``,
  negative conductance on ``(a, inf)``.
* ``J = x + 2 sin x``: ``dJ/dx = 1 + 2 cos x < 0`` exactly on ``(2 pi/3, 4 pi/3)`` (mod 2 pi).
* ``J = 1 - exp(-x)``: monotonic, no NDTC, no interior maximum.
* ``J = x^2``: second-order differences are exact, ``dJ/dx = 2x`` even on an uneven grid.
"""

from __future__ import annotations

import numpy as np
import pytest

from qheat.analysis.ndtc import conductance, ndtc_on_grid, refine_peak, suppression_ratio
from qheat.errors import InvalidParameterError

A = np.array([1.0, 2.5, 4.0])


def hump(x: np.ndarray, a: np.ndarray) -> np.ndarray:
    return x * np.exp(-x / a)


def test_grid_peak_and_interval_of_x_exp() -> None:
    dT = np.linspace(0.0, 12.0, 121)
    h = dT[1] - dT[0]
    result = ndtc_on_grid(dT, hump(dT, A[:, None]))
    assert result.ndtc.tolist() == [True, True, True]
    np.testing.assert_allclose(result.dT_peak, A, atol=h / 2)
    np.testing.assert_allclose(result.J_peak, A / np.e, rtol=1e-2)
    # the conductance turns negative at x = a and stays negative up to the end of the range
    np.testing.assert_allclose(result.negative_interval[:, 0], A, atol=h)
    np.testing.assert_array_equal(result.negative_interval[:, 1], dT[-1])


def test_refine_peak_reaches_rtol() -> None:
    dT = np.linspace(0.0, 12.0, 25)  # coarse: spacing 0.5
    calls: list[tuple[int, ...]] = []

    def current(x: np.ndarray) -> np.ndarray:
        calls.append(np.shape(x))
        return hump(x, A)

    result = refine_peak(current, dT, hump(dT, A[:, None]), rtol=1e-4)
    assert np.all(np.abs(result.dT_peak - A) <= 1e-4 * A)
    np.testing.assert_allclose(result.J_peak, A / np.e, rtol=1e-9)  # flat top: error ~ (dx)^2
    assert set(calls) == {(3,)}  # one batched evaluation per step, one bias per curve


def test_refine_peak_tighter_rtol_is_tighter() -> None:
    dT = np.linspace(0.0, 12.0, 25)
    result = refine_peak(lambda x: hump(x, A), dT, hump(dT, A[:, None]), rtol=1e-7)
    assert np.all(np.abs(result.dT_peak - A) <= 1e-7 * A)


def test_monotonic_curve_has_no_ndtc() -> None:
    dT = np.linspace(0.0, 50.0, 201)
    J = 1.0 - np.exp(-dT)  # saturates to 1 within round-off
    result = ndtc_on_grid(dT, J)
    assert not result.ndtc
    assert np.isnan(result.dT_peak) and np.isnan(result.J_peak)
    assert np.all(np.isnan(result.negative_interval))
    refined = refine_peak(lambda x: 1.0 - np.exp(-x), dT, J)
    assert not refined.ndtc and np.isnan(refined.dT_peak)


def test_round_off_noise_is_not_ndtc() -> None:
    dT = np.linspace(0.0, 10.0, 101)
    rng = np.random.default_rng(1)
    J = 0.1 * (1.0 + 1e-14 * rng.standard_normal(dT.size))  # flat, noisy in the last digits
    assert not ndtc_on_grid(dT, J).ndtc


def test_bounded_negative_interval_of_x_plus_2sin() -> None:
    dT = np.linspace(0.0, 6.0, 601)
    result = ndtc_on_grid(dT, dT + 2.0 * np.sin(dT))
    assert result.ndtc
    np.testing.assert_allclose(result.negative_interval, [2 * np.pi / 3, 4 * np.pi / 3], atol=1e-4)
    # the global maximum is at the right end (J grows again): no interior maximum
    assert np.isnan(result.dT_peak)


def test_batched_stack_matches_single_curves() -> None:
    dT = np.linspace(0.0, 10.0, 101)
    a = np.array([[1.0, 2.0, 30.0], [3.0, 0.5, 4.0]])
    J = hump(dT, a[..., None])
    stacked = ndtc_on_grid(dT, J)
    assert stacked.ndtc.shape == stacked.dT_peak.shape == stacked.J_peak.shape == (2, 3)
    assert stacked.negative_interval.shape == (2, 3, 2)
    for index in np.ndindex(2, 3):
        single = ndtc_on_grid(dT, J[index])
        assert bool(stacked.ndtc[index]) == bool(single.ndtc)
        np.testing.assert_array_equal(stacked.dT_peak[index], single.dT_peak)
        np.testing.assert_array_equal(stacked.negative_interval[index], single.negative_interval)
    assert not stacked.ndtc[0, 2]  # a = 30 > 10: still rising at the end of the range
    refined = refine_peak(lambda x: hump(x, a), dT, J)
    peaked = np.isfinite(refined.dT_peak)
    assert np.all(np.abs(refined.dT_peak[peaked] - a[peaked]) <= 1e-4 * a[peaked])


def test_conductance_is_exact_for_quadratics_on_uneven_grids() -> None:
    dT = np.sort(np.random.default_rng(0).uniform(0.0, 5.0, 40))
    np.testing.assert_allclose(conductance(dT, dT**2), 2.0 * dT, rtol=1e-10, atol=1e-10)


def test_conductance_second_order() -> None:
    errors = []
    for n in (41, 81):
        dT = np.linspace(0.0, 2.0, n)
        errors.append(np.max(np.abs(conductance(dT, np.sin(dT)) - np.cos(dT))))
    assert errors[0] / errors[1] == pytest.approx(4.0, rel=0.1)


def test_suppression_ratio() -> None:
    ratio = suppression_ratio(np.array([0.0, 1.0, 3.0]), np.array([0.0, 2.0, 4.0]))
    assert np.isnan(ratio[0])
    np.testing.assert_array_equal(ratio[1:], [0.5, 0.75])


@pytest.mark.parametrize(
    ("dT", "J"),
    [
        (np.array([0.0, 1.0]), np.array([0.0, 1.0])),
        (np.array([0.0, 2.0, 1.0]), np.zeros(3)),
        (np.linspace(0, 1, 5), np.zeros(4)),
        (np.linspace(0, 1, 5), np.array([0.0, np.nan, 0.0, 0.0, 0.0])),
    ],
)
def test_bad_grids_are_rejected(dT: np.ndarray, J: np.ndarray) -> None:
    with pytest.raises(InvalidParameterError):
        ndtc_on_grid(dT, J)


def test_refine_checks_rtol_and_shape() -> None:
    dT = np.linspace(0.0, 10.0, 11)
    J = hump(dT, 2.0)
    with pytest.raises(InvalidParameterError, match="rtol"):
        refine_peak(lambda x: hump(x, 2.0), dT, J, rtol=0.0)
    with pytest.raises(InvalidParameterError, match="leading shape"):
        refine_peak(lambda x: np.zeros(3), dT, J)
