"""Sweeps and figures of devices with sites and lab units (issue 23).

Independent evidence: a sweep's currents equal ``qheat.solve`` point by point times the SI
factor of :mod:`qheat.units` (itself checked against scipy.constants in test_units.py); its
``top_level_population`` of a resonator between two baths of equal temperature is the
truncated thermal ``q^{L-1} / sum_m q^m`` with ``q = exp(-h f / kB T)``, written here; the
netCDF file keeps the units; the figure's axes name them.
"""

from __future__ import annotations

import math
import warnings
from pathlib import Path

import numpy as np
import pytest
import scipy.constants as sc
import xarray as xr

import qheat
from qheat.devices import parse_device
from qheat.figures.sweeps import sweep_figure
from qheat.units import CURRENT_W, ENTROPY_PRODUCTION_W_PER_K

MODE = """
[units]
energy = "GHz"
temperature = "mK"
[parameters]
t_hot = 300.0
t_cold = 300.0
[device]
sites = [{name = "r", levels = LEVELS}]
hamiltonian = [[6.0, "r:n"]]
[[baths]]
name = "hot"
coupling = "r:x"
spectral_density = "ohmic"
gamma = 0.002
omega_c = 40.0
s = 1.0
t = "t_hot"
[[baths]]
name = "cold"
coupling = "r:x"
spectral_density = "ohmic"
gamma = 0.002
omega_c = 40.0
s = 1.0
t = "t_cold"
"""


def test_a_lab_units_sweep_records_watts_units_and_the_top_level(tmp_path: Path) -> None:
    device = parse_device(MODE.replace("LEVELS", "3"))
    t_hot = np.array([300.0, 600.0, 1200.0])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ds = qheat.sweep(device, t_hot=t_hot, equations=["lindblad"], lamb_shift=False)
        sol = qheat.solve(device.system(t_hot=t_hot), qheat.GlobalLindblad(lamb_shift=False))
    np.testing.assert_allclose(ds["J"].sel(equation="lindblad").T, sol.currents * CURRENT_W)
    np.testing.assert_allclose(
        ds["entropy_production"].sel(equation="lindblad"),
        sol.entropy_production * ENTROPY_PRODUCTION_W_PER_K,
    )
    assert ds["J"].attrs["units"] == "W" and ds["entropy_production"].attrs["units"] == "W/K"
    assert ds["t_hot"].attrs["units"] == "mK" and ds["t_cold"].attrs["units"] == "mK"
    assert "h x GHz" in ds.attrs["units"]
    # equal temperatures (the first point): the truncated thermal state of 3 levels
    q = math.exp(-sc.h * 6e9 / (sc.k * 0.3))
    top = float(ds["top_level_population"].sel(equation="lindblad")[0])
    assert top == pytest.approx(q**2 / (1 + q + q**2), rel=1e-10)
    assert abs(float(ds["J"].sel(equation="lindblad", bath="hot")[0])) < 1e-30
    out = tmp_path / "mode.nc"
    ds.to_netcdf(out, engine="h5netcdf")
    with xr.open_dataset(out, engine="h5netcdf") as back:
        assert back["J"].attrs["units"] == "W" and back["t_hot"].attrs["units"] == "mK"
    fig = sweep_figure(ds)
    labels = [ax.get_xlabel() for ax in fig.axes] + [ax.get_ylabel() for ax in fig.axes]
    assert all("[mK]" in label for label in labels[:2]) and all("[W]" in y for y in labels[2:])


def test_natural_units_sweeps_are_unchanged_and_have_no_top_level() -> None:
    """A qubit device and the paper's model: currents in natural units, no unit attribute on
    the coordinates, ``top_level_population`` NaN (no truncated site)."""
    ds = qheat.sweep(g=np.array([0.1, 0.5]), equations=["br"])
    assert ds["J"].attrs["units"] == "energy per time (hbar = 1)" and "units" not in ds.attrs
    assert "units" not in ds["g"].attrs
    assert np.isnan(ds["top_level_population"]).all()
    fig = sweep_figure(ds)
    assert "[" not in fig.axes[0].get_ylabel()


def test_an_ndtc_map_of_a_lab_units_device_has_its_peak_current_in_watts() -> None:
    """The map's ``J_peak`` of the heat valve (its current peaks in ``wq`` at the resonance):
    in W, equal to ``qheat.solve`` at the peak times the SI factor."""
    from qheat.devices import load_device
    from qheat.sweeps.ndtc_map import ndtc_map

    valve = load_device(Path(__file__).resolve().parents[1] / "examples" / "heat_valve.toml")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ds = ndtc_map(
            ("t_hot", [100.0]),
            ("t_cold", [30.0]),
            np.linspace(5.0, 5.8, 9),
            build=valve,
            along="wq",
            bath="hot",
            equation="br",
        )
        peak = float(ds["wq_peak"].squeeze())
        at_peak = qheat.solve(valve.system(wq=peak), qheat.BlochRedfield()).current("hot")
    assert ds["J_peak"].attrs["units"] == "W" and 5.3 < peak < 5.5
    assert float(ds["J_peak"].squeeze()) == pytest.approx(float(at_peak) * CURRENT_W, rel=1e-6)
