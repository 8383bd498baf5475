"""``qheat figure --sweep``: the currents of a device sweep against its swept parameter."""

from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
import pytest
import xarray as xr

import qheat
from qheat.cli import main
from qheat.figures.sweeps import sweep_figure


def two_level(t_hot: np.ndarray | float, gap: float | np.ndarray = 1.0) -> qheat.OpenSystem:
    """One qubit between two Drude baths (a builder written here)."""
    h = 0.5 * np.asarray(gap, dtype=float)[..., None, None] * np.diag([1.0, -1.0])
    x = np.array([[0.0, 1.0], [1.0, 0.0]])
    baths = (qheat.DrudeBath(0.01, 20.0, t_hot), qheat.DrudeBath(0.01, 20.0, 0.5))
    return qheat.OpenSystem(h, (x, x), baths, bath_names=("hot", "cold"))


@pytest.fixture(scope="module")
def sweep() -> xr.Dataset:
    grid = {"t_hot": np.linspace(0.5, 3.0, 12), "gap": np.array([0.5, 1.0, 2.0])}
    return qheat.sweep(two_level, grid, equations=("br", "lindblad"))


def test_one_panel_per_bath_one_line_per_equation_and_value(sweep: xr.Dataset) -> None:
    fig = sweep_figure(sweep)
    axes = fig.axes
    assert [ax.get_title() for ax in axes] == ["bath hot", "bath cold"]
    lines = [line for line in axes[0].lines if np.asarray(line.get_xdata()).size == 12]
    assert len(lines) == 2 * 3  # equations x values of the second dimension
    drawn = {tuple(np.round(line.get_ydata(), 15)) for line in lines}
    for eq in ("br", "lindblad"):
        for gap in (0.5, 1.0, 2.0):
            want = qheat.solve(
                two_level(np.linspace(0.5, 3.0, 12), gap),
                qheat.BlochRedfield() if eq == "br" else qheat.GlobalLindblad(),
            ).current("hot")
            assert tuple(np.round(want, 15)) in drawn
    plt.close("all")


def test_bad_requests_say_what_exists(sweep: xr.Dataset) -> None:
    with pytest.raises(ValueError, match="swept dimensions"):
        sweep_figure(sweep, "nowhere")
    with pytest.raises(ValueError, match="unknown equation"):
        sweep_figure(sweep, equations=["ule"])


def test_cli_figure_of_a_sweep_file(
    sweep: xr.Dataset, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "s.nc"
    sweep.to_netcdf(path, engine="h5netcdf")
    png = tmp_path / "s.png"
    assert main(["figure", "--sweep", str(path), "--x", "gap", "--figure", str(png)]) == 0
    assert png.stat().st_size > 10_000
    assert main(["figure", "--sweep", str(path), "--x", "nowhere", "--figure", str(png)]) == 2
    assert "swept dimensions" in capsys.readouterr().err
    assert main(["figure"]) == 2
