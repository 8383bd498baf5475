"""NDTC maps at the edges of their zone: weak coupling recorded and hatched, bad options refused.

Independent evidence:

* each map point's ``weak_coupling_ratio`` is the largest, along its bias grid, of the ratio
  recomputed from its definition with numpy (``trust_reference``);
* ``MIN_RTOL`` is reachable: the peak refined to it agrees, within it, with the zero of the
  current's derivative found by Brent's method on central differences (a second method), and
  the golden-section search cannot go further: within ``MIN_RTOL / 2`` of the peak the current
  differs from its maximum by round-off only;
* the command line refuses what it used to ignore or pretend: ``--rtol 1e-300`` and a fixed
  option that a plane axis overrides; the figure hatches exactly the cells outside.
"""

from __future__ import annotations

import tracemalloc
import warnings
from pathlib import Path

import numpy as np
import pytest
import xarray as xr
from scipy.optimize import brentq

import qheat
from qheat.analysis.ndtc import MIN_RTOL as REFINE_MIN_RTOL
from qheat.analysis.ndtc import refine_peak
from qheat.devices import load_device
from qheat.errors import InvalidParameterError, WeakCouplingWarning
from qheat.explorer.budget import batch_points, point_bytes
from qheat.figures.maps import ndtc_map_figure
from qheat.steady.validity import WEAK_COUPLING_WARN
from qheat.sweeps.ndtc_map import MIN_RTOL, ndtc_map
from trust_reference import paper_weak_coupling_ratio

from cli_helpers import run_cli

MAP = ["ndtc-map", "--x", "g=0.3:0.9:2", "--y", "gamma=0.02:0.04:2", "--dt", "0.1:100:20"]


def test_the_map_records_weak_coupling_along_each_curve(tmp_path: Path) -> None:
    g, gamma, dT = np.array([0.3, 0.9]), np.array([0.01, 0.1, 0.4]), np.linspace(0.1, 150, 16)
    with pytest.warns(WeakCouplingWarning, match=r"br NDTC map: outside weak coupling.* of 6"):
        ds = ndtc_map(("g", g), ("gamma", gamma), dT, eps1=4.0, eps2=3.0, t2=5.0)
    for i, gi in enumerate(g):
        for j, gj in enumerate(gamma):
            along = [paper_weak_coupling_ratio(4, 3, gi, gj, 50, 5 + t, 5) for t in dT]
            assert float(ds["weak_coupling_ratio"][i, j]) == pytest.approx(max(along), rel=1e-12)
    strong = ds["weak_coupling_ratio"].values > WEAK_COUPLING_WARN
    assert strong.any() and not strong.all()
    assert not ds["second_law_broken"].values.any()  # Bloch-Redfield at a bias dT >= 0.1
    assert np.isnan(ds["secular_ratio"].values).all()  # no secular approximation
    lindblad = ndtc_map(("g", g), ("gamma", gamma[:1]), dT, equation="lindblad", t2=5.0)
    assert (lindblad["secular_ratio"].values > 0).all()

    fig = ndtc_map_figure(ds)
    hatched = [c for c in fig.axes[0].collections if c.get_hatch()]
    assert len(hatched) == 1 and hatched[0].get_hatch() == "//"
    assert int(np.ma.count(hatched[0].get_array())) == int(strong.sum())
    assert "outside weak coupling" in fig.axes[0].get_title()


def test_the_command_line_says_how_much_of_the_map_is_outside(tmp_path: Path) -> None:
    out, png = tmp_path / "map.nc", tmp_path / "map.png"
    argv = ["ndtc-map", "--x", "g=0.3:0.9:2", "--y", "gamma=0.02:0.4:3", "--dt", "0.1:150:16"]
    with warnings.catch_warnings():  # as a user sees it: printed, not raised as by pytest
        warnings.simplefilter("default", WeakCouplingWarning)
        status, text, err = run_cli([*argv, "--out", str(out), "--figure", str(png)])
    assert status == 0, err
    assert "outside weak coupling at 66.7% of the points" in text
    assert err.startswith("qheat ndtc-map: warning: WeakCouplingWarning: br NDTC map:")
    with xr.open_dataset(out) as ds:
        assert ds["weak_coupling_ratio"].dims == ("g", "gamma")
        assert float((ds["weak_coupling_ratio"] > WEAK_COUPLING_WARN).mean()) == pytest.approx(
            2 / 3
        )
    status, text, _ = run_cli(MAP)
    assert status == 0 and "> 0.05: the current may be off by 10% or more" in text


def test_rtol_below_what_the_currents_resolve_is_refused() -> None:
    status, out, err = run_cli([*MAP, "--rtol", "1e-300"])
    assert status == 2 and not out and err.count("\n") == 1
    assert "--rtol must be in [1e-06, 1), got '1e-300'" in err
    for bad in ("0", "1", "nan", "-1e-3"):
        assert run_cli([*MAP, "--rtol", bad])[0] == 2
    with pytest.raises(InvalidParameterError, match=r"rtol must be in \[1e-06, 1\)"):
        ndtc_map(("g", [0.5]), ("gamma", [0.03]), np.linspace(0.1, 100, 20), rtol=1e-9)
    with pytest.raises(InvalidParameterError, match=r"rtol must be in \[1.5e-08, 1\)"):
        refine_peak(
            lambda x: -((x - 1.0) ** 2),
            np.linspace(0, 2, 5),
            -((np.linspace(0, 2, 5) - 1) ** 2),
            rtol=1e-12,
        )
    assert REFINE_MIN_RTOL == pytest.approx(1.49e-8, rel=1e-2)


def test_the_narrowest_rtol_is_reached_and_is_the_limit() -> None:
    def current(dt: float | np.ndarray) -> np.ndarray:
        system = qheat.paper_system(4.0, 3.0, 0.5, 0.03, 0.03, 50.0, 5.0 + np.asarray(dt), 5.0)
        return np.asarray(qheat.solve(system).J1)

    def slope(dt: float, h: float = 1e-4) -> float:
        return float((current(dt * (1 + h)) - current(dt * (1 - h))) / (2 * h * dt))

    root = brentq(slope, 20.0, 35.0, xtol=1e-10)  # dJ1/d(dT) = 0: the peak, a second method
    grid = np.linspace(0.1, 100, 40)
    ds = ndtc_map(("g", [0.5]), ("gamma", [0.03]), grid, eps1=4.0, eps2=3.0, t2=5.0, rtol=MIN_RTOL)
    peak = float(ds["dT_peak"][0, 0])
    assert abs(peak - root) <= MIN_RTOL * root
    near = current(root * (1 + np.linspace(-0.5, 0.5, 11) * MIN_RTOL))
    assert np.ptp(near) <= 1e-12 * near.max()  # flat to round-off: nothing left to bracket


def test_a_fixed_option_overlapping_a_plane_axis_is_an_error(tmp_path: Path) -> None:
    for extra, message in (
        (["--g", "0.7"], "--g 0.7 is fixed, but --x g=0.3:0.9:2 sweeps it over the plane"),
        (["--gamma1", "0.05"], "--gamma1 0.05 is fixed, but --y gamma=0.02:0.04:2 sweeps it"),
    ):
        status, out, err = run_cli([*MAP, *extra])
        assert status == 2 and not out and err.count("\n") == 1 and message in err, err
    # a single value of a plane axis is honoured: a one-column map, equal to the two-column one
    single, double = tmp_path / "one.nc", tmp_path / "two.nc"
    status, one, err = run_cli(["ndtc-map", "--x", "g=0.3", *MAP[3:], "--out", str(single)])
    assert status == 0 and "1 x 2 plane (g x gamma)" in one, err
    assert run_cli([*MAP, "--out", str(double)])[0] == 0
    with xr.open_dataset(single) as a, xr.open_dataset(double) as b:
        np.testing.assert_array_equal(a["dT_peak"].values[0], b["dT_peak"].values[0])


def test_a_device_map_is_solved_in_chunks_within_its_memory_budget(tmp_path: Path) -> None:
    """A four-qubit chain (d = 16): chunks of the budget's points, not whole curves, and the
    same map whatever the chunk; a budget below one point is refused in one line."""
    path = tmp_path / "four.toml"
    terms = '[0.5, "ZIII"], [0.6, "IZII"], [0.7, "IIZI"], [0.8, "IIIZ"], '
    terms += '["g", "XXII"], ["g", "IXXI"], ["g", "IIXX"]'
    path.write_text(
        f"[parameters]\ng = 0.2\ntL = 2.0\ntR = 0.5\n\n[device]\nqubits = 4\n"
        f"hamiltonian = [{terms}]\n\n"
        '[[baths]]\nname = "L"\ncoupling = "XIII"\nspectral_density = "drude"\ngamma = 0.01\n'
        'omega_d = 20.0\nt = "tL"\n\n[[baths]]\nname = "R"\ncoupling = "IIIX"\n'
        'spectral_density = "drude"\ngamma = 0.01\nomega_d = 20.0\nt = "tR"\n'
    )
    device = load_device(path)
    budget = 2 * point_bytes(16, 2, "br")  # two points of d = 16 at a time: 7.6 MiB
    chunk = batch_points(16, 2, ("br",), budget)
    plane, grid = (("g", [0.1, 0.3]), ("tR", [0.5])), np.linspace(0.6, 4.0, 10)
    whole = ndtc_map(*plane, grid, build=device, along="tL")  # one chunk of all 20 points
    tracemalloc.start()
    try:
        ds = ndtc_map(*plane, grid, build=device, along="tL", chunk_size=chunk)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert chunk == 2 and peak <= budget, peak  # a whole curve of 10 points needs 5 times more
    for name in ("J_peak", "tL_peak", "weak_coupling_ratio"):
        np.testing.assert_allclose(ds[name].values, whole[name].values, rtol=1e-12)
    argv = ["ndtc-map", "--device", str(path), "--x", "g=0.1:0.3:2", "--y", "tR=0.5"]
    status, out, err = run_cli([*argv, "--along", "tL=0.6:4:10", "--memory-budget", "0.002"])
    assert status == 2 and not out and err.count("\n") == 1
    assert "dimension 16, br) needs about 3.81 MiB, more than the budget of 2.05 MiB" in err
