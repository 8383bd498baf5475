"""The public API type-checks for a user who passes plain Python numbers (py.typed)."""

from __future__ import annotations

from pathlib import Path

from mypy import api

USER_CODE = """
import numpy as np
import qheat

bath = qheat.DrudeBath(gamma=0.01, omega_d=50.0, temperature=5)
model = qheat.TwoQubitModel(eps1=5, eps2=4.0, g=[0.25, 0.5])
system = qheat.paper_system(5, 4, 0.5, 0.01, 0.01, 50, np.linspace(5, 50, 3), 5)
solution = qheat.solve(system, qheat.BlochRedfield(lamb_shift=False))
currents: np.ndarray = solution.currents
g0: float = float(bath.G(0.0))
"""


def test_user_code_with_plain_numbers_type_checks(tmp_path: Path) -> None:
    (tmp_path / "mypy.ini").write_text("[mypy]\nignore_missing_imports = True\n")
    script = tmp_path / "user.py"
    script.write_text(USER_CODE)
    stdout, stderr, status = api.run(
        ["--config-file", str(tmp_path / "mypy.ini"), "--cache-dir", str(tmp_path), str(script)]
    )
    assert status == 0, stdout + stderr
