"""End-to-end smoke test: the golden point through the public API (values in ../shared)."""

import json
from pathlib import Path

import pytest

import qheat

REF = Path(__file__).resolve().parents[2] / "shared" / "reference" / "independent-values.json"


@pytest.mark.skipif(not REF.exists(), reason="shared reference data not present")
def test_golden_first_point_both_equations() -> None:
    point = json.loads(REF.read_text())["points"][0]
    system = qheat.paper_system(**point["params"])
    for equation in (qheat.BlochRedfield(), qheat.GlobalLindblad()):
        sol = qheat.solve(system, equation)
        want = point[equation.name]["J1"]
        assert abs(float(sol.J1) - want) <= 1e-8 * abs(want)
