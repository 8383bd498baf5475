"""The explorer's noise and TUR ratio (issue 24), without a browser.

* the curves' noise and TUR ratio equal one unbatched :func:`qheat.cumulants` per point;
* the map's noise and TUR ratio at the peak equal :func:`qheat.cumulants` at the peak's bias,
  its smallest TUR ratio the minimum of an unbatched scan of the curve;
* the page: the toggle is off by default (no noise computed, its plots hidden); on, the plots
  show the curves' values and the TUR plot names the smallest ratio; the map recolours by the
  TUR ratio; the exports carry the noise (the shown ``qheat sweep`` command run through the
  sweep engine gives the same noise).
"""

from __future__ import annotations

import io
import warnings
from pathlib import Path

import numpy as np
import pytest
import xarray as xr

import qheat
from qheat.explorer.curves import Axis, compute_curves
from qheat.explorer.export import netcdf_bytes, python_snippet, sweep_command
from qheat.explorer.models import PaperModel
from qheat.explorer.ndtc_plane import compute_plane
from qheat.explorer.page import Explorer

from cli_helpers import run_cli

FIG6 = {
    "eps1": 4.0,
    "eps2": 3.0,
    "g": 0.5,
    "gamma1": 0.03,
    "gamma2": 0.03,
    "omega_d": 50.0,
    "t2": 5.0,
    "dt": 50.0,
}
EQUATIONS = {"br": qheat.BlochRedfield(), "lindblad": qheat.GlobalLindblad()}


def point(dt: float, **changes: float) -> qheat.OpenSystem:
    p = {**FIG6, **changes}
    return qheat.paper_system(
        p["eps1"], p["eps2"], p["g"], p["gamma1"], p["gamma2"], p["omega_d"], 5.0 + dt, 5.0
    )


def counted(system: qheat.OpenSystem, name: str) -> qheat.Solution:
    """:func:`qheat.cumulants` without the global Lindblad equation's secular warning."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", qheat.SecularityWarning)
        return qheat.cumulants(system, EQUATIONS[name], 2)


@pytest.fixture(scope="module")
def curves():  # type: ignore[no-untyped-def]
    return compute_curves(
        PaperModel(), FIG6, Axis("dt", 0.0, 150.0, 31), tuple(EQUATIONS), noise=True
    )


@pytest.mark.filterwarnings(
    "ignore::qheat.errors.CountingWarning"
)  # BR at the NDTC: test_counting_balance
def test_curves_noise_equals_one_solve_per_point(curves) -> None:  # type: ignore[no-untyped-def]
    assert curves.noise.shape == curves.tur_ratio.shape == curves.J.shape == (2, 2, 31)
    for i in (3, 12, 30):
        for e, name in enumerate(curves.equations):
            sol = counted(point(float(curves.x[i])), name)
            np.testing.assert_allclose(curves.noise[e, :, i], sol.cumulants[:, 1], rtol=1e-10)
            np.testing.assert_allclose(curves.tur_ratio[e, :, i], sol.tur_ratio, rtol=1e-10)
            np.testing.assert_allclose(curves.c1[e, :, i], sol.cumulants[:, 0], rtol=1e-10)
    plain = compute_curves(PaperModel(), FIG6, Axis("dt", 0.0, 10.0, 3), ("br",))
    assert plain.noise is None and plain.tur_minimum("br", "1") is None


@pytest.mark.filterwarnings(
    "ignore::qheat.errors.CountingWarning"
)  # BR at the NDTC: test_counting_balance
def test_exports_carry_the_noise(curves, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    with xr.open_dataset(io.BytesIO(netcdf_bytes(curves))) as ds:
        np.testing.assert_array_equal(ds["noise"].values, curves.noise)
        assert ds["tur_ratio"].dims == ds["J"].dims
    out = tmp_path / "n.nc"
    words = sweep_command(PaperModel(), curves, out=str(out)).split()
    assert "--cumulants" in words
    status, _, err = run_cli(words[1:] + ["--no-progress"])
    assert status == 0, err
    with xr.open_dataset(out) as ds:
        np.testing.assert_allclose(
            ds["noise"].transpose("equation", "bath", "dt"), curves.noise, rtol=1e-9
        )
    scope: dict[str, object] = {}
    exec(python_snippet(PaperModel(), curves), scope)  # noqa: S102 (our own generated text)
    noise = scope["noise"]
    assert isinstance(noise, dict)
    for e, name in enumerate(curves.equations):
        np.testing.assert_allclose(np.asarray(noise[name]).T, curves.noise[e], rtol=1e-12)


@pytest.mark.filterwarnings(
    "ignore::qheat.errors.CountingWarning"
)  # BR at the NDTC: test_counting_balance
def test_map_noise_at_the_peak_and_smallest_tur_ratio() -> None:
    bias = Axis("dt", 0.0, 150.0, 16)
    plane = compute_plane(
        PaperModel(), FIG6, bias, Axis("g", 0.3, 0.9, 3), Axis("t2", 2.0, 8.0, 3), noise=True
    )
    assert plane.noise_peak is not None and plane.tur_min is not None
    assert plane.tur_peak is not None and plane.noise_peak.shape == (3, 3)
    for iy, t2 in enumerate((2.0, 5.0, 8.0)):
        for ix, g in enumerate((0.3, 0.6, 0.9)):
            systems = qheat.paper_system(4, 3, g, 0.03, 0.03, 50, t2 + bias.values(), t2)
            sol = counted(systems, "br")
            q = sol.tur_ratio[:, 0]
            assert plane.tur_min[iy, ix] == pytest.approx(np.nanmin(q), rel=1e-10)
            if np.isfinite(plane.peak[iy, ix]):
                k = int(np.argmin(np.abs(bias.values() - plane.peak[iy, ix])))
                assert plane.noise_peak[iy, ix] == pytest.approx(sol.cumulants[k, 0, 1], rel=1e-10)
                assert plane.tur_peak[iy, ix] == pytest.approx(q[k], rel=1e-10)
            else:
                assert np.isnan(plane.noise_peak[iy, ix])
    assert np.isfinite(plane.peak).any()


def test_the_toggle_adds_the_noise_plots_and_the_map_recolours() -> None:
    page = Explorer(PaperModel())
    assert not page.noise_toggle.value and not page.fluctuation_row.visible
    assert page.curves is not None and page.curves.noise is None
    assert page.fluctuation_sources["noise", "br", "1"].data["y"] == []
    page.noise_toggle.value = True
    curves = page.curves
    assert curves is not None and curves.noise is not None and page.fluctuation_row.visible
    np.testing.assert_array_equal(
        page.fluctuation_sources["noise", "br", "1"].data["y"], curves.noise[0, 0]
    )
    np.testing.assert_array_equal(
        page.fluctuation_sources["tur", "lindblad", "2"].data["y"], curves.tur_ratio[1, 1]
    )
    q, where = curves.tur_minimum("br", "1")  # type: ignore[misc]
    assert f"br {q:.4g} at {where:.4g}" in page.tur_figure.title.text
    assert "--cumulants 2" in page.command.value and "with noise" in page.timing.object
    page.noise_toggle.value = False
    assert (
        not page.fluctuation_row.visible
        and page.fluctuation_sources["noise", "br", "1"].data["y"] == []
    )
    plain = compute_plane(
        PaperModel(), FIG6, Axis("dt", 0, 150, 12), Axis("g", 0.3, 0.9, 3), Axis("t2", 2.0, 8.0, 3)
    )
    page.draw_plane(plain)
    page.map_colour.value = "tur_min"  # not computed yet: the page says how to get it
    assert "needs the noise" in page.map_status.object
    noisy = compute_plane(
        PaperModel(),
        FIG6,
        Axis("dt", 0, 150, 12),
        Axis("g", 0.3, 0.9, 3),
        Axis("t2", 2.0, 8.0, 3),
        noise=True,
    )
    page.draw_plane(noisy)
    image = page.map_source.data["image"][0]
    assert np.array_equal(image, noisy.tur_min, equal_nan=True)
    assert "TUR violated" in page.map_status.object and "smallest Q1" in page.map_figure.title.text
    assert page.map_colorbar.title.startswith("smallest TUR ratio")
