"""The explorer opens a device of sites in lab units (issue 23): ``qheat explore --device
examples/heat_valve.toml``.

Independent evidence: the explorer's curves equal ``qheat.solve`` at each point times the SI
factor of :mod:`qheat.units` (checked against scipy.constants in test_units.py); the sliders,
the axes and the read-out name the units; the server serves the example file.
"""

from __future__ import annotations

import warnings
from pathlib import Path
from urllib.request import urlopen

import numpy as np

import qheat
from explorer_server import explore
from qheat.devices import load_device, parse_device
from qheat.errors import PositivityWarning
from qheat.explorer.curves import Axis, compute_curves
from qheat.explorer.models import load_model
from qheat.explorer.page import Explorer
from qheat.units import CURRENT_W

ROOT = Path(__file__).resolve().parents[1]
VALVE = ROOT / "examples" / "heat_valve.toml"


def test_the_heat_valve_curves_are_in_watts_with_units_on_the_sliders() -> None:
    model = load_model(VALVE)
    labels = {p.name: p.label for p in model.parameters}
    assert labels == {"wq": "wq [h x GHz]", "t_hot": "t_hot [mK]", "t_cold": "t_cold [mK]"}
    defaults = {p.name: p.default for p in model.parameters}
    curves = compute_curves(model, defaults, Axis("wq", 5.0, 5.8, 3), ("br",))
    device = load_device(VALVE)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", PositivityWarning)  # Redfield's, -1e-5: as the page's
        sol = qheat.solve(device.system(wq=np.array([5.0, 5.4, 5.8])), qheat.BlochRedfield())
    np.testing.assert_allclose(curves.J[0], sol.currents.T * CURRENT_W, rtol=1e-12)
    assert curves.current_unit == "W" and 1e-19 < float(curves.J[0, 0, 1]) < 1e-15
    ds = curves.to_dataset()
    assert ds["J"].attrs["units"] == "W" and "W/K" in ds.attrs["units"]


def test_the_page_of_a_lab_units_device_labels_its_axes(tmp_path: Path) -> None:
    """A small valve (2-level resonators, so the page's 300 default points are quick)."""
    text = VALVE.read_text()
    for site in ("r1", "r2"):
        text = text.replace(f'{{name = "{site}", levels = 4}}', f'{{name = "{site}", levels = 2}}')
    text = text.replace('{name = "q", levels = 4}', '{name = "q", levels = 2}')
    small = tmp_path / "small_valve.toml"
    small.write_text(text)
    assert parse_device(text).dim == 8
    page = Explorer(load_model(small), axis="wq", equations=("br",))
    assert page.current_figure.xaxis.axis_label == "wq [h x GHz]"
    assert page.current_figure.yaxis.axis_label == "J [W] (into the system)"
    assert " W at wq = " in page.readout.object
    assert page.sliders["t_hot"].label == "t_hot [mK]"


def test_qheat_explore_serves_the_heat_valve() -> None:
    with explore("--device", str(VALVE)) as port:
        with urlopen(f"http://127.0.0.1:{port}/", timeout=120) as response:  # noqa: S310
            page = response.read().decode()
    assert response.status == 200 and "qheat explorer" in page
