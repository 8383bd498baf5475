"""The paper's claims about Figs. 3-6 (Sec. IV), each checked on a small grid where it holds.

The reference values here are the paper's statements themselves (orderings and signs), the
golden points of ``tests/data/independent-values.json`` and exact limits (no current
without bias). Where the data contradict a claim, the test pins the claim to the range where
it holds and a separate test documents the exception (the numbers are in ``summary.md``).
"""

from __future__ import annotations

import numpy as np
import pytest
import xarray as xr

from qheat.analysis.ndtc import conductance, ndtc_on_grid
from qheat.api import paper_system, solve
from qheat.master import BlochRedfield, GlobalLindblad
from qheat.paper.currents import current_dataset
from qheat.paper.specs import FIG3, FIG4, FIG5, FIG6
from qheat.paper.summary import curve_ndtc

from golden import golden_points


@pytest.fixture(scope="module")
def fig3() -> xr.Dataset:
    return current_dataset(FIG3.with_points(41))  # dT = 0, 5, ..., 200


@pytest.fixture(scope="module")
def fig4() -> xr.Dataset:
    return current_dataset(FIG4.with_points(51))  # dT = 0, 10, ..., 500


@pytest.fixture(scope="module")
def fig5() -> xr.Dataset:
    return current_dataset(FIG5.with_points(61))  # dT = 0, 1, ..., 60


@pytest.fixture(scope="module")
def fig6() -> xr.Dataset:
    return current_dataset(FIG6.with_points(61))  # dT = 0, 5, ..., 300


def _currents(ds: xr.Dataset, dT_min: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``(dT, J_BR, J_L)`` on the grid points with ``dT >= dT_min``."""
    sel = ds.sel(dT=ds.dT[ds.dT >= dT_min])
    return sel.dT.values, sel.J1.sel(equation="br").values, sel.J1.sel(equation="lindblad").values


# --- Figs. 3 and 4: suppression of the current by the non-secular terms -----------------------


@pytest.mark.parametrize("name", ["fig3", "fig4"])
def test_br_current_below_lindblad_beyond_small_bias(
    name: str, request: pytest.FixtureRequest
) -> None:
    """``J_BR < J_L`` ("always smaller") holds for dT >= 6; below, see the exception test."""
    _, j_br, j_l = _currents(request.getfixturevalue(name), 6.0)
    assert np.all(j_br < j_l)


@pytest.mark.parametrize("name", ["fig3", "fig4"])
def test_suppression_grows_with_bias(name: str, request: pytest.FixtureRequest) -> None:
    _, j_br, j_l = _currents(request.getfixturevalue(name), 5.0)
    assert np.all(np.diff(j_l - j_br, axis=-1) > 0)


def test_fig3_suppression_larger_for_smaller_g(fig3: xr.Dataset) -> None:
    """g = 0.75, 0.5, 0.25 along the axis: the relative suppression 1 - J_BR/J_L is ordered at
    every dT >= 5; the absolute J_L - J_BR only from dT ~ 30 on (below, g = 0.5 exceeds 0.25)."""
    _, j_br, j_l = _currents(fig3, 5.0)
    assert np.all(np.diff(1.0 - j_br / j_l, axis=0) > 0)
    dT, j_br, j_l = _currents(fig3, 30.0)
    assert np.all(np.diff(j_l - j_br, axis=0) > 0)
    _, j_br, j_l = _currents(fig3.sel(dT=[10.0]), 0.0)
    assert (j_l - j_br)[1, 0] > (j_l - j_br)[
        2, 0
    ]  # the exception: g = 0.5 above g = 0.25 at dT = 10


def test_fig4_suppression_larger_for_smaller_splitting_difference(fig4: xr.Dataset) -> None:
    """(e1, e2) = (5.5, 4.5), (6, 4), (6.5, 3.5): suppression falls along the axis."""
    _, j_br, j_l = _currents(fig4, 5.0)
    assert np.all(np.diff(j_l - j_br, axis=0) < 0)
    assert np.all(np.diff(1.0 - j_br / j_l, axis=0) < 0)


@pytest.mark.parametrize(
    ("eps1", "eps2", "g", "dT"),
    [(5.0, 4.0, 0.75, 1.0), (6.0, 4.0, 0.5, 1.0), (6.5, 3.5, 0.5, 2.5)],
)
def test_exception_br_above_lindblad_at_small_bias_from_lamb_shift(
    eps1: float, eps2: float, g: float, dT: float
) -> None:
    """The independent check: with the Lamb shift J_BR slightly exceeds J_L at small dT for
    Fig. 3's g = 0.75 and Fig. 4's (6, 4), (6.5, 3.5); without it (S = 0) J_BR < J_L there."""
    system = paper_system(eps1, eps2, g, 0.01, 0.01, 50.0, 5.0 + dT, 5.0)
    excess = float(solve(system, BlochRedfield()).J1 - solve(system, GlobalLindblad()).J1)
    assert 0 < excess < 1e-4
    excess_no_ls = float(
        solve(system, BlochRedfield(lamb_shift=False)).J1
        - solve(system, GlobalLindblad(lamb_shift=False)).J1
    )
    assert excess_no_ls < 0


def test_no_current_without_bias_when_s_is_zero() -> None:
    """At T1 = T2 both currents vanish without the Lamb shift; with it J_BR does not (summary.md)."""
    system = paper_system(5.0, 4.0, np.array([0.75, 0.5, 0.25]), 0.01, 0.01, 50.0, 5.0, 5.0)
    for equation in (
        BlochRedfield(lamb_shift=False),
        GlobalLindblad(lamb_shift=False),
        GlobalLindblad(),
    ):
        assert np.all(np.abs(solve(system, equation).J1) < 1e-14)
    assert np.all(np.abs(solve(system, BlochRedfield()).J1) > 1e-9)


# --- Fig. 5: symmetric case ------------------------------------------------------------------


def test_fig5_br_current_rises_then_falls(fig5: xr.Dataset) -> None:
    result = ndtc_on_grid(fig5.dT.values, fig5.J1.sel(equation="br").values)
    assert result.ndtc.all()
    assert np.all(np.isfinite(result.dT_peak))  # a maximum inside [0, 60], then the fall


def test_fig5_current_shrinks_as_g_decreases_and_grows_with_e(fig5: xr.Dataset) -> None:
    _, j_br, _ = _currents(fig5, 1.0)  # dims (eps, g, dT): eps = 4, 5, 6; g = 0.2, 0.1, 0.05
    assert np.all(np.diff(j_br, axis=1) < 0)
    assert np.all(np.diff(j_br, axis=0) > 0)


# --- Fig. 6: NDTC in the asymmetric case -----------------------------------------------------


def test_fig6_ndtc_in_br_more_pronounced_as_gamma_grows(fig6: xr.Dataset) -> None:
    dT = fig6.dT.values
    j_br = fig6.J1.sel(equation="br").values  # gamma = 0.01, 0.02, 0.03
    result = ndtc_on_grid(dT, j_br)
    assert result.ndtc.all()
    assert np.all(np.diff(result.dT_peak) < 0)  # the maximum comes earlier
    fall = 1.0 - j_br[:, -1] / result.J_peak
    assert np.all(np.diff(fall) > 0)  # and the current falls deeper after it
    assert np.all(np.diff(conductance(dT, j_br).min(axis=-1) / result.J_peak) < 0)


@pytest.mark.parametrize("name", ["fig3", "fig4", "fig5", "fig6"])
def test_lindblad_current_never_has_ndtc(name: str, request: pytest.FixtureRequest) -> None:
    """Eqs. 24-26: dJ^L/dT1 > 0 for T1 > T2."""
    ds = request.getfixturevalue(name)
    j_l = ds.J1.sel(equation="lindblad").values
    assert not ndtc_on_grid(ds.dT.values, j_l).ndtc.any()
    assert np.all(np.diff(j_l, axis=-1) > 0)


# --- The data behind the figures against the golden points -----------------------------------


def test_figure_data_match_golden_points(fig3: xr.Dataset, fig6: xr.Dataset) -> None:
    points = golden_points()
    first = points[0]["params"]  # e = (5, 4), g = 0.5, gamma = 0.01, T1 = 15, T2 = 5: Fig. 3
    assert (first["eps1"], first["eps2"], first["g"], first["t1"], first["t2"]) == (
        5,
        4,
        0.5,
        15,
        5,
    )
    for eq in ("br", "lindblad"):
        got = float(fig3.J1.sel(equation=eq, g=0.5, dT=10.0))
        assert got == pytest.approx(points[0][eq]["J1"], rel=1e-8)
    second = points[1]["params"]  # e = (4, 3), g = 0.5, gamma = 0.02, T1 = 30: Fig. 6
    assert (second["eps1"], second["eps2"], second["gamma1"], second["t1"]) == (4, 3, 0.02, 30)
    got = float(fig6.J1.sel(equation="br", gamma=0.02, dT=25.0))
    assert got == pytest.approx(points[1]["br"]["J1"], rel=1e-8)


def test_refined_peaks_match_a_dense_scan(fig5: xr.Dataset) -> None:
    """The summary's peaks (golden-section on the batched engine) against a brute-force scan."""
    refined = curve_ndtc(FIG5, fig5)["br"]
    for index in [(0, 0), (2, 2)]:
        e, g = float(fig5.eps[index[0]]), float(fig5.g[index[1]])
        peak = float(refined.dT_peak[index])
        x = np.linspace(peak - 0.5, peak + 0.5, 2001)
        dense = solve(paper_system(e, e, g, 0.01, 0.01, 50.0, 5.0 + x, 5.0)).J1
        assert abs(x[np.argmax(dense)] - peak) <= 1e-4 * peak + (x[1] - x[0])
        assert float(refined.J_peak[index]) == pytest.approx(dense.max(), rel=1e-9)
