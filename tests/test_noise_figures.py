"""Figures of a sweep with cumulants: noise and TUR rows under the currents, noise/TUR maps.

What is drawn is compared with the sweep's own values (and those with qheat.cumulants), the
share of the plane below the TUR bound with a count made here.
"""

from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
import pytest
import xarray as xr

import qheat
from qheat.cli import main
from qheat.figures.noise_maps import fluctuation_map_figure
from qheat.figures.sweeps import sweep_figure

T_HOT = np.linspace(0.6, 3.0, 9)
GAP = np.array([0.5, 1.0, 2.0, 3.0])


def two_level(t_hot: np.ndarray | float, gap: float | np.ndarray = 1.0) -> qheat.OpenSystem:
    """One qubit between two Drude baths, its splitting and the hot temperature swept."""
    h = 0.5 * np.asarray(gap, dtype=float)[..., None, None] * np.diag([1.0, -1.0])
    x = np.array([[0.0, 1.0], [1.0, 0.0]])
    baths = (qheat.DrudeBath(0.01, 20.0, t_hot), qheat.DrudeBath(0.01, 20.0, 0.5))
    return qheat.OpenSystem(h, (x, x), baths, bath_names=("hot", "cold"))


@pytest.fixture(scope="module")
def noisy() -> xr.Dataset:
    grid = {"t_hot": T_HOT, "gap": GAP}
    return qheat.sweep(two_level, grid, equations=("br", "lindblad"), cumulants=2)


def test_rows_of_noise_and_tur_under_the_currents(noisy: xr.Dataset) -> None:
    fig = sweep_figure(noisy)
    axes = np.asarray(fig.axes).reshape(3, 2)
    assert [ax.get_title() for ax in axes[0]] == ["bath hot", "bath cold"]
    assert "noise" in axes[1, 0].get_ylabel() and "TUR" in axes[2, 1].get_ylabel()
    drawn = {
        tuple(np.round(line.get_ydata(), 12))
        for line in axes[1, 0].lines
        if np.asarray(line.get_ydata()).size == T_HOT.size
    }
    for gap in GAP:
        system = two_level(T_HOT, gap)
        want = qheat.cumulants(system, qheat.BlochRedfield(), 2).cumulants[:, 0, 1]
        assert tuple(np.round(want, 12)) in drawn
    bound = [line for line in axes[2, 0].lines if np.allclose(line.get_ydata(), 2.0)]
    assert len(bound) == 1  # the classical bound Q = 2
    assert len(sweep_figure(noisy.drop_vars(["noise", "tur_ratio"])).axes) == 2
    plt.close("all")


def test_maps_show_the_sweep_and_the_share_below_the_bound(noisy: xr.Dataset) -> None:
    fig = fluctuation_map_figure(noisy, "t_hot", equation="br", bath="hot")
    meshes = [ax.collections[0] for ax in fig.axes[:3]]
    for mesh, name in zip(meshes, ("J", "noise", "tur_ratio")):
        want = np.asarray(noisy[name].sel(equation="br", bath="hot").transpose("gap", "t_hot"))
        np.testing.assert_array_equal(np.asarray(mesh.get_array()).reshape(want.shape), want)
    q = np.asarray(noisy["tur_ratio"].sel(equation="br", bath="hot"))
    share = 100.0 * np.count_nonzero(q < 2.0) / q.size
    assert f"(Q < 2, red, inside the black line): {share:.0f}%" in fig._suptitle.get_text()
    with pytest.raises(ValueError, match="--cumulants 2"):
        fluctuation_map_figure(noisy.drop_vars("noise"))
    with pytest.raises(ValueError, match="exactly two swept"):
        fluctuation_map_figure(noisy.isel(gap=0, drop=True))
    with pytest.raises(ValueError, match="unknown bath"):
        fluctuation_map_figure(noisy, bath="warm")
    plt.close("all")


def test_cli_figure_map(
    noisy: xr.Dataset, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "n.nc"
    noisy.to_netcdf(path, engine="h5netcdf")
    png = tmp_path / "m.png"
    args = ["figure", "--sweep", str(path), "--figure", str(png)]
    assert main([*args, "--map", "--equation", "lindblad", "--bath", "cold"]) == 0
    assert png.stat().st_size > 20_000
    assert main([*args, "--bath", "cold"]) == 2
    assert "--bath applies to --sweep --map only" in capsys.readouterr().err
    assert main([*args, "--map", "--equation", "br", "--equation", "lindblad"]) == 2
    assert "one equation" in capsys.readouterr().err
    assert main(["figure", "--map"]) == 2
    plain = tmp_path / "plain.nc"
    noisy.drop_vars(["noise", "tur_ratio"]).to_netcdf(plain, engine="h5netcdf")
    assert main(["figure", "--sweep", str(plain), "--map", "--figure", str(png)]) == 2
    assert "--cumulants 2" in capsys.readouterr().err
