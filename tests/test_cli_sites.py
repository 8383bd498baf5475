"""``qheat current --device`` of a device of sites in lab units (issue 23): the JSON carries the
unit of every quantity and the top-level population of each truncated site.

Independent evidence: the printed currents equal ``qheat.solve`` of the same file times the SI
factors of :mod:`qheat.units` (checked against scipy.constants in test_units.py); the top-level
populations equal the lab-basis diagonal of the solution's state summed here with numpy.
"""

from __future__ import annotations

import json
import warnings
from pathlib import Path

import numpy as np
import pytest

import qheat
from qheat.devices import load_device
from qheat.units import CURRENT_W, ENTROPY_PRODUCTION_W_PER_K

from cli_helpers import run_cli

VALVE = Path(__file__).resolve().parents[1] / "examples" / "heat_valve.toml"


def test_json_of_a_lab_units_device_is_in_watts_with_the_top_levels() -> None:
    status, out, err = run_cli(
        ["current", "--device", str(VALVE), "--equation", "lindblad", "--param", "wq=5.0", "--json"]
    )
    assert status == 0, err
    entry = json.loads(out)["lindblad"]
    device = load_device(VALVE)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        sol = qheat.solve(device.system(wq=5.0), qheat.GlobalLindblad())
    for bath in ("hot", "cold"):
        assert entry["currents"][bath] == pytest.approx(float(sol.current(bath)) * CURRENT_W)
    sigma = float(sol.entropy_production) * ENTROPY_PRODUCTION_W_PER_K
    assert entry["entropy_production"] == pytest.approx(sigma)
    assert entry["units"]["currents"] == "W" and entry["units"]["entropy_production"] == "W/K"
    assert entry["units"]["parameters"] == {"wq": "h x GHz", "t_hot": "mK", "t_cold": "mK"}
    diagonal = np.real(np.diag(sol.state.rho_lab)).reshape(4, 4, 4)  # r1, q, r2
    want = {"r1": diagonal[3].sum(), "q": diagonal[:, 3].sum(), "r2": diagonal[:, :, 3].sum()}
    assert entry["top_level_population"] == pytest.approx(want, rel=1e-9, abs=1e-15)


def test_text_output_names_the_sites_the_units_and_the_truncation() -> None:
    status, out, _ = run_cli(["current", "--device", str(VALVE), "--equation", "lindblad"])
    assert status == 0
    header, *rest = out.splitlines()
    assert "sites r1 (4 levels), q (4 levels), r2 (4 levels); units h x GHz, mK" in header
    assert any(line.startswith("[lindblad]  J[hot] = +") and " W " in line for line in rest)
    assert any(line.startswith("top-level population of the truncated sites: r1 ") for line in rest)


def test_natural_units_json_has_no_units_key() -> None:
    three = Path(__file__).resolve().parents[1] / "examples" / "three_qubits.toml"
    status, out, _ = run_cli(["current", "--device", str(three), "--equation", "br", "--json"])
    entry = json.loads(out)["br"]
    assert status == 0 and "units" not in entry and "top_level_population" not in entry
