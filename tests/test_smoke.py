"""End-to-end smoke test: the golden point through the public API (values in tests/data)."""

import qheat

from golden import golden_points


def test_golden_first_point_both_equations() -> None:
    point = golden_points()[0]
    system = qheat.paper_system(**point["params"])
    for equation in (qheat.BlochRedfield(), qheat.GlobalLindblad()):
        sol = qheat.solve(system, equation)
        want = point[equation.name]["J1"]
        assert abs(float(sol.J1) - want) <= 1e-8 * abs(want)
