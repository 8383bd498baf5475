"""``qheat current --device FILE`` (issue 11, item 3).

Independent values: the currents of each equation equal ``qheat.solve`` on the system written by
hand here (kron products, DrudeBath) at the ``--param`` values; they sum to zero; the paper's
model keeps its keys and adds ``currents`` equal to ``J1``/``J2``; every bad input ends with one
line and exit status 2.
"""

from __future__ import annotations

import json
import subprocess
import sys
import warnings
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import qheat
import qheat.devices
from qheat.api import paper_system

from cli_helpers import run_cli

ROOT = Path(__file__).resolve().parents[1]
THREE = str(ROOT / "examples" / "three_qubits.toml")

I2 = np.eye(2)
X = np.array([[0.0, 1.0], [1.0, 0.0]])
Z = np.diag([1.0, -1.0])


def kron(*factors: np.ndarray) -> np.ndarray:
    out = np.ones((1, 1))
    for f in factors:
        out = np.kron(out, f)
    return out


def hand_built(tM: float) -> qheat.OpenSystem:
    """examples/three_qubits.toml written out by hand."""
    h = (
        0.5 * kron(Z, I2, I2)
        + 0.3 * kron(I2, Z, I2)
        + 0.45 * kron(I2, I2, Z)
        + 0.2 * kron(X, X, I2)
        + 0.35 * kron(I2, Z, Z)
    )
    return qheat.OpenSystem(
        h,
        (kron(X, I2, I2), kron(I2, X, I2), kron(I2, I2, X)),
        (
            qheat.DrudeBath(0.01, 40.0, 1.0),
            qheat.DrudeBath(0.005, 40.0, tM),
            qheat.DrudeBath(0.01, 40.0, 0.2),
        ),
        subsystem_dims=(2, 2, 2),
    )


def _json(argv: list[str]) -> dict[str, Any]:
    code, out, err = run_cli(["current", *argv, "--json"])
    assert code == 0, err
    assert len(out.strip().splitlines()) == 1
    return dict(json.loads(out))


EQUATIONS = {
    "br": qheat.BlochRedfield(),
    "lindblad": qheat.GlobalLindblad(),
    "local": qheat.LocalLindblad(),
    "ule": qheat.UniversalLindblad(),
}


def test_device_json_is_keyed_by_equation_and_bath_name() -> None:
    data = _json(["--device", THREE, "--param", "tM=0.8"])
    assert list(data) == ["br", "lindblad", "local", "ule"]
    system = hand_built(0.8)
    for name, equation in EQUATIONS.items():
        entry = data[name]
        assert list(entry["currents"]) == ["L", "M", "R"]
        want = qheat.solve(system, equation)
        got = np.array(list(entry["currents"].values()))
        np.testing.assert_allclose(got, want.currents, rtol=1e-12, atol=1e-18)
        assert abs(got.sum()) <= 1e-12 * np.abs(got).sum()
        assert entry["min_eigenvalue"] == pytest.approx(float(want.min_eigenvalue), abs=1e-14)
        assert 0 <= entry["residual"] < 1e-12 and entry["condition_number"] >= 1
        assert entry["conservation_residual"] < 1e-12
        # the local equation sends heat into the hottest bath L here (J_L < 0, T_L = 1 the
        # highest): the second law is broken, and said (docs/local-global.md)
        if name == "local":
            assert got[0] < 0 and entry["second_law_broken"] is True
            assert len(entry["warnings"]) == 1 and "WeakCouplingWarning" in entry["warnings"][0]
        else:
            assert entry["warnings"] == [] and entry["second_law_broken"] is False
        if name == "lindblad":
            assert entry["secular_ratio"] == pytest.approx(float(want.secular_ratio), rel=1e-12)
        else:
            assert entry["secular_ratio"] is None


def test_equation_and_no_lamb_shift_options_for_a_device() -> None:
    data = _json(["--device", THREE, "--equation", "br", "--no-lamb-shift"])
    assert list(data) == ["br"]
    want = qheat.solve(hand_built(0.5), qheat.BlochRedfield(lamb_shift=False))
    got = list(data["br"]["currents"].values())
    np.testing.assert_allclose(got, want.currents, rtol=1e-12, atol=1e-18)
    with_shift = _json(["--device", THREE, "--equation", "br"])["br"]["currents"]["L"]
    assert with_shift != pytest.approx(got[0], rel=1e-6)  # the Lamb shift matters here


def test_human_readable_device_output() -> None:
    code, out, _ = run_cli(["current", "--device", THREE, "--equation", "lindblad"])
    assert code == 0
    assert "baths L, M, R" in out and "tM=0.5" in out and "[lindblad]" in out
    assert "J[L] = +4.3351390992e-04" in out  # solve(hand_built(0.5), GlobalLindblad())
    want = qheat.solve(hand_built(0.5), qheat.GlobalLindblad()).current("1")
    assert f"{float(want):+.10e}" == "+4.3351390992e-04"


def test_the_paper_model_adds_currents_keyed_by_bath() -> None:
    """Existing keys stay; ``currents`` holds J1, J2 under the default names "1", "2"."""
    data = _json(["--t1", "15", "--t2", "5"])
    assert set(data) == {"br", "lindblad"}
    want = qheat.solve(paper_system(5, 4, 0.5, 0.01, 0.01, 50, 15, 5))
    br = data["br"]
    assert {"J1", "J2", "rho_real", "rho_imag", "min_eigenvalue", "residual"} <= set(br)
    assert br["currents"] == {"1": br["J1"], "2": br["J2"]}
    assert br["J1"] == pytest.approx(float(want.J1), rel=1e-13)
    assert br["conservation_residual"] < 1e-12


def _bad_file(tmp_path: Path) -> str:
    path = tmp_path / "bad.toml"
    path.write_text(Path(THREE).read_text().replace("t = 1.0", "t = -1.0"))
    return str(path)


BAD = [
    (["--device", "FILE"], ["bad.toml", "baths[0].t", ">= 0"]),
    (["--device", "nowhere.toml"], ["nowhere.toml", "cannot read"]),
    (["--device", THREE, "--param", "tX=1"], ["unknown parameter 'tX'", "tM"]),
    (["--device", THREE, "--param", "tM"], ["--param must be NAME=VALUE"]),
    (["--device", THREE, "--param", "tM=abc"], ["--param tM", "finite number"]),
    (["--device", THREE, "--param", "tM=-1"], ["baths[1]", "t = tM", ">= 0"]),
    (["--device", THREE, "--param", "tM=1", "--param", "tM=2"], ["tM", "more than once"]),
    (["--device", THREE, "--eps1", "3"], ["--eps1", "--param NAME=VALUE"]),
    (["--param", "tM=1"], ["--param", "--device FILE"]),
    (["--equation", "ule"], ["--equation ule", "--device"]),
    (["--equation", "heom"], ["--equation heom", "--device"]),
    (["--device", THREE, "--equation", "heom", "--no-lamb-shift"], ["--no-lamb-shift", "heom"]),
    (["--device", THREE, "--equation", "heom2"], ["--equation"]),
]


@pytest.mark.parametrize("argv, words", BAD, ids=[" ".join(a) for a, _ in BAD])
def test_bad_input_ends_with_one_line_and_status_2(
    argv: list[str], words: list[str], tmp_path: Path
) -> None:
    argv = [_bad_file(tmp_path) if a == "FILE" else a for a in argv]
    code, out, err = run_cli(["current", *argv, "--json"])
    assert code == 2 and out == ""
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert all(w in lines[0] for w in words), lines[0]
    assert "Traceback" not in err


def test_a_file_without_a_unique_steady_state_warns_and_reports(tmp_path: Path) -> None:
    """Without the bath R, IIZ is conserved (see tests/test_devices.py, which checks the
    currents against the two sectors solved apart): exit 0, the JSON names the warning, the
    infinite condition number is null (JSON has no infinity), the currents sum to zero."""
    text = Path(THREE).read_text()
    path = tmp_path / "two_baths.toml"
    path.write_text(text[: text.index("# Qubit 2 couples")])
    code, out, err = run_cli(
        ["current", "--device", str(path), "--equation", "br", "--no-lamb-shift", "--json"]
    )
    assert code == 0 and "DegenerateSteadyStateWarning" in err
    entry = json.loads(out, parse_constant=lambda c: pytest.fail(f"non-JSON constant {c}"))["br"]
    assert entry["condition_number"] is None
    assert any("not unique" in w for w in entry["warnings"])
    currents = np.array(list(entry["currents"].values()))
    assert abs(currents.sum()) <= 1e-12 * np.abs(currents).sum()


NEAR_RESONANT = """
[device]
qubits = 2
hamiltonian = [[1.0, "ZI"], [0.99, "IZ"], [0.005, "XX"]]
[[baths]]
name = "a"
coupling = "XI"
spectral_density = "drude"
gamma = 0.02
omega_d = 20.0
t = 3.0
[[baths]]
name = "b"
coupling = "IX"
spectral_density = "drude"
gamma = 0.02
omega_d = 20.0
t = 1.0
"""


def test_a_device_outside_the_secular_regime_reports_its_ratio_and_warning(
    tmp_path: Path,
) -> None:
    """Two nearly resonant qubits (gap 0.02 between Bohr frequencies): the JSON ratio equals
    solve's on the hand-built system, above 1, with its SecularityWarning listed."""
    path = tmp_path / "near.toml"
    path.write_text(NEAR_RESONANT)
    code, out, err = run_cli(["current", "--device", str(path), "--equation", "lindblad", "--json"])
    assert code == 0
    entry = json.loads(out)["lindblad"]
    system = qheat.OpenSystem(
        1.0 * kron(Z, I2) + 0.99 * kron(I2, Z) + 0.005 * kron(X, X),
        (kron(X, I2), kron(I2, X)),
        (qheat.DrudeBath(0.02, 20.0, 3.0), qheat.DrudeBath(0.02, 20.0, 1.0)),
    )
    with pytest.warns(qheat.SecularityWarning):
        want = qheat.solve(system, qheat.GlobalLindblad())
    assert entry["secular_ratio"] == pytest.approx(float(want.secular_ratio), rel=1e-12)
    assert entry["secular_ratio"] > 1
    assert entry["warnings"][0].startswith("SecularityWarning: lindblad: ")
    assert "warning [lindblad]: SecularityWarning" in err


def test_a_device_command_imports_no_heavy_module() -> None:
    """``qheat current --device`` starts fast: no xarray, matplotlib or QuTiP (fresh
    interpreter)."""
    code = (
        "import sys\n"
        "from qheat.cli import main\n"
        f"assert main(['current', '--device', {THREE!r}, '--equation', 'br', '--json']) == 0\n"
        "heavy = sorted(m for m in ('xarray', 'matplotlib', 'qutip') if m in sys.modules)\n"
        "assert not heavy, heavy\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=False
    )
    assert result.returncode == 0, result.stderr


def test_heom_currents_of_a_device_agree_with_bloch_redfield_at_weak_coupling(
    tmp_path: Path,
) -> None:
    """``--equation heom`` (exact, QuTiP): converged, the currents keyed by bath name sum to
    zero and, at gamma = 0.002, equal the Bloch-Redfield currents to 1% (second method)."""
    path = tmp_path / "weak.toml"
    path.write_text(
        (ROOT / "examples" / "diode.toml").read_text().replace("gamma = 0.01", "gamma = 0.002")
    )
    code, out, err = run_cli(["current", "--device", str(path), "--equation", "heom", "--json"])
    assert code == 0, err
    entry = json.loads(out)["heom"]
    assert entry["converged"] is True and entry["warnings"] == []
    assert {"error_estimate", "order", "depth"} <= set(entry)
    got = np.array([entry["currents"]["hot"], entry["currents"]["cold"]])
    assert abs(got.sum()) <= 1e-10 * np.abs(got).sum()
    device = qheat.devices.load_device(path)
    br = qheat.solve(device.system(), qheat.BlochRedfield()).currents
    np.testing.assert_allclose(got, br, rtol=1e-2)
    assert entry["error_estimate"] < 1e-2 * abs(got[0])


def test_a_heom_result_that_did_not_converge_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    """When the hierarchy's budget runs out (``converged = False``, as ``solve_heom`` reports
    for issue 12's cold qubit, tests/test_heom.py), the command line prints no currents and
    exits 1 with a message that says so."""
    import qheat.exact

    def not_converged(system: qheat.OpenSystem, *args: Any, **kwargs: Any) -> dict[str, Any]:
        return {
            "currents": {"L": 1.0, "M": -0.5, "R": -0.5},
            "converged": False,
            "error_estimate": 3e-4,
            "order": 64,
            "depth": 8,
            "reason": "budget exhausted",
        }

    monkeypatch.setattr(qheat.exact, "heom_report", not_converged)
    for extra in ([], ["--json"]):
        code, out, err = run_cli(["current", "--device", THREE, "--equation", "heom", *extra])
        assert code == 1 and out == ""
        assert "did not converge" in err and "3.00e-04" in err and "budget exhausted" in err


def test_python_dash_m_qheat_runs_the_issue_file(tmp_path: Path) -> None:
    """``python -m qheat current --device F --no-lamb-shift --json`` in a fresh process, on the
    issue's two-bath file (qubit 2 has no bath: the warning and null condition number), gives
    exit 0 and the currents of qheat.solve on the same device, summing to zero."""
    text = Path(THREE).read_text()
    path = tmp_path / "issue.toml"
    path.write_text(text[: text.index("# Qubit 2 couples")])
    result = subprocess.run(
        [sys.executable, "-m", "qheat", "current", "--device", str(path), "--no-lamb-shift"]
        + ["--json"],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert list(data) == ["br", "lindblad", "local", "ule"]
    system = qheat.load_device(path).system()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        want = qheat.solve(system, qheat.BlochRedfield(lamb_shift=False))
    got = np.array(list(data["br"]["currents"].values()))
    assert list(data["br"]["currents"]) == ["L", "M"]
    np.testing.assert_allclose(got, want.currents, rtol=1e-12, atol=1e-18)
    assert abs(got.sum()) <= 1e-12 * np.abs(got).sum()


ONE_QUBIT = """
[parameters]
th = 2.0

[device]
qubits = 1
hamiltonian = [[0.5, "Z"], [0.1, "X"]]

[[baths]]
name = "hot"
coupling = "X"
spectral_density = "drude"
gamma = 0.01
omega_d = 20.0
t = "th"

[[baths]]
name = "cold"
coupling = "Z"
spectral_density = "drude"
gamma = 0.01
omega_d = 20.0
t = 0.5
"""


def test_an_equation_that_does_not_apply_is_omitted_with_its_reason(tmp_path: Path) -> None:
    path = tmp_path / "one.toml"
    path.write_text(ONE_QUBIT)
    data = _json(["--device", str(path), "--param", "th=3"])
    assert list(data) == ["br", "lindblad", "local", "ule"]
    reason = data["local"]["omitted"]
    assert list(data["local"]) == ["omitted"] and "acts on every subsystem" in reason
    system = qheat.OpenSystem(  # the file written by hand
        0.5 * Z + 0.1 * X,
        (X, Z),
        (qheat.DrudeBath(0.01, 20.0, 3.0), qheat.DrudeBath(0.01, 20.0, 0.5)),
        subsystem_dims=(2,),
    )
    for name in ("br", "lindblad", "ule"):
        want = qheat.solve(system, EQUATIONS[name]).currents
        got = data[name]["currents"]
        np.testing.assert_allclose([got["hot"], got["cold"]], want, rtol=1e-10, atol=1e-17)
        assert got["hot"] > 0 > got["cold"]  # heat flows from the hot bath to the cold one
    code, out, err = run_cli(["current", "--device", str(path)])
    assert code == 0 and not err, err
    omitted = [line for line in out.splitlines() if "omitted" in line]
    assert omitted == [f"[local]  omitted: {reason}"]
    assert out.count("J[hot] = ") == 3
    code, out, err = run_cli(["current", "--device", str(path), "--equation", "local"])
    assert code == 2 and not out and err.count("\n") == 1 and "acts on every subsystem" in err
