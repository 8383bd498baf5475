"""The ``qheat current`` and ``qheat bath`` commands (issue 2, "Command line").

Independent values: the golden points of ``independent-values.json``, the Python API for
option equivalences (``--dt`` = ``--t1 T2 + DT``), the eigenvalues of the printed state, and
the error contract (exit status 2, one line naming the parameter, no traceback).
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import warnings
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from qheat import GlobalLindblad, SecularityWarning
from qheat.api import paper_system, solve
from qheat.cli import SUMMARIES, build_parser, commands, main
from qheat.master import BlochRedfield

from golden import golden_bath, golden_points

QHEAT = Path(sys.executable).with_name("qheat")
POINT = [
    "--eps1",
    "5",
    "--eps2",
    "4",
    "--g",
    "0.5",
    "--gamma1",
    "0.01",
    "--gamma2",
    "0.01",
    "--omega-d",
    "50",
]


def _run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    """``qheat argv`` in-process: (exit status, stdout, stderr); parser errors exit via SystemExit."""
    try:
        code = main(argv)
    except SystemExit as exc:
        code = int(exc.code or 0)
    out = capsys.readouterr()
    return code, out.out, out.err


def _json(argv: list[str], capsys: pytest.CaptureFixture[str]) -> dict[str, Any]:
    code, out, err = _run(argv + ["--json"], capsys)
    assert code == 0, err
    assert len(out.strip().splitlines()) == 1  # one JSON object on one line
    return dict(json.loads(out))


def _params_argv(params: dict[str, float]) -> list[str]:
    flags = {
        "eps1": "--eps1",
        "eps2": "--eps2",
        "g": "--g",
        "gamma1": "--gamma1",
        "gamma2": "--gamma2",
        "omega_d": "--omega-d",
        "t1": "--t1",
        "t2": "--t2",
    }
    return [x for k, v in params.items() for x in (flags[k], repr(float(v)))]


def test_current_json_reproduces_every_golden_point(capsys: pytest.CaptureFixture[str]) -> None:
    """Keys br/lindblad with J1, J2 (1e-8 rel), rho_real/rho_imag 4x4 (1e-10 abs on rho14,
    rho23, populations), min_eigenvalue = smallest eigenvalue of the printed rho."""
    for point in golden_points():
        data = _json(["current", *_params_argv(point["params"])], capsys)
        assert set(data) == {"br", "lindblad"}
        for name in ("br", "lindblad"):
            got, want = data[name], point[name]
            for key in ("J1", "J2"):
                if abs(want[key]) < 1e-14:
                    assert abs(got[key]) <= 1e-14
                else:
                    assert got[key] == pytest.approx(want[key], rel=1e-8)
            rho = np.array(got["rho_real"]) + 1j * np.array(got["rho_imag"])
            assert rho.shape == (4, 4)
            assert abs(rho[0, 3] - complex(*want["rho14"])) <= 1e-10
            assert abs(rho[1, 2] - complex(*want["rho23"])) <= 1e-10
            np.testing.assert_allclose(np.diag(rho).real, want["populations"], rtol=0, atol=1e-10)
            assert got["min_eigenvalue"] == pytest.approx(np.linalg.eigvalsh(rho).min(), abs=1e-15)


def test_dt_is_t1_minus_t2(capsys: pytest.CaptureFixture[str]) -> None:
    """``--t2 5 --dt 10`` is ``--t1 15 --t2 5`` (the paper's Delta T axis)."""
    by_dt = _json(["current", *POINT, "--t2", "5", "--dt", "10"], capsys)
    by_t1 = _json(["current", *POINT, "--t1", "15", "--t2", "5"], capsys)
    assert by_dt == by_t1
    want = solve(paper_system(5, 4, 0.5, 0.01, 0.01, 50, 15, 5)).J1
    assert by_dt["br"]["J1"] == pytest.approx(float(want), rel=1e-14)


def test_equation_and_no_lamb_shift_options(capsys: pytest.CaptureFixture[str]) -> None:
    """``--equation`` picks one key; ``--no-lamb-shift`` gives the golden br_without_lamb_shift."""
    data = _json(["current", *POINT, "--t1", "15", "--t2", "5", "--equation", "lindblad"], capsys)
    assert set(data) == {"lindblad"}
    data = _json(
        ["current", *POINT, "--t1", "15", "--t2", "5", "--equation", "br", "--no-lamb-shift"],
        capsys,
    )
    assert set(data) == {"br"}
    want = golden_points()[0]
    assert want["params"]["t1"] == 15 and want["params"]["g"] == 0.5
    assert data["br"]["J1"] == pytest.approx(want["br_without_lamb_shift"]["J1"], rel=1e-8)
    lind = _json(
        ["current", *POINT, "--t1", "15", "--t2", "5", "--equation", "lindblad", "--no-lamb-shift"],
        capsys,
    )
    sol = solve(paper_system(5, 4, 0.5, 0.01, 0.01, 50, 15, 5), GlobalLindblad(lamb_shift=False))
    assert lind["lindblad"]["J1"] == pytest.approx(float(sol.J1), rel=1e-14)


def test_single_bath_and_zero_temperature_are_valid(capsys: pytest.CaptureFixture[str]) -> None:
    """gamma2 = 0 (Fig. 2) and T = 0 run; with one bath J = 0 (no second bath to carry heat)."""
    data = _json(
        ["current", *POINT[:-4], "--gamma2", "0", "--omega-d", "50", "--t1", "4", "--t2", "4"],
        capsys,
    )
    assert abs(data["br"]["J1"]) <= 1e-14
    data = _json(["current", *POINT, "--t1", "5", "--t2", "0", "--equation", "br"], capsys)
    sol = solve(paper_system(5, 4, 0.5, 0.01, 0.01, 50, 5, 0), BlochRedfield())
    assert data["br"]["J1"] == pytest.approx(float(sol.J1), rel=1e-14)


def test_human_readable_output(capsys: pytest.CaptureFixture[str]) -> None:
    """Without --json: both equations with J1, J2, J1 + J2 and the state."""
    code, out, _ = _run(["current", *POINT, "--t1", "15", "--t2", "5"], capsys)
    assert code == 0
    assert "[br]" in out and "[lindblad]" in out and "J1 + J2" in out
    assert "4.6494909542e-02" in out  # the golden br J1, 0.04649490954225821, to 11 digits


def test_bath_json_matches_golden(capsys: pytest.CaptureFixture[str]) -> None:
    """``qheat bath --json``: omega, J, G, S lists; G and S equal the golden bath values."""
    rows = golden_bath()
    groups: dict[tuple[float, float, float], list[dict[str, float]]] = {}
    for row in rows:
        groups.setdefault((row["gamma"], row["omega_d"], row["t"]), []).append(row)
    for (gamma, wd, t), group in groups.items():
        omegas = [repr(float(r["omega"])) for r in group]
        data = _json(
            [
                "bath",
                "--gamma",
                repr(gamma),
                "--omega-d",
                repr(wd),
                "--t",
                repr(t),
                "--omega",
                *omegas,
            ],
            capsys,
        )
        assert set(data) == {"omega", "J", "G", "S"}
        assert data["omega"] == [r["omega"] for r in group]
        np.testing.assert_allclose(data["G"], [r["G"] for r in group], rtol=1e-12, atol=0)
        np.testing.assert_allclose(data["S"], [r["S"] for r in group], rtol=1e-12, atol=0)
        w = np.array(data["omega"])
        np.testing.assert_allclose(data["J"], gamma * w / (1 + (w / wd) ** 2), rtol=1e-15, atol=0)


BAD_INPUT = [
    (["current", "--t1", "-1"], "--t1"),
    (["current", "--t2", "-0.5"], "--t2"),
    (["current", "--gamma1", "-0.01"], "--gamma1"),
    (["current", "--gamma2", "-1e-3"], "--gamma2"),
    (["current", "--omega-d", "0"], "--omega-d"),
    (["current", "--omega-d", "-5"], "--omega-d"),
    (["current", "--eps1", "nan"], "--eps1"),
    (["current", "--g", "inf"], "--g"),
    (["current", "--t1", "-inf"], "--t1"),
    (["current", "--eps2", "abc"], "--eps2"),
    (["current", "--eps1", "0"], "--eps1"),
    (["current", "--gamma1", "0", "--gamma2", "0"], "--gamma1"),
    (["current", "--t2", "5", "--dt", "-10"], "--dt"),
    (["current", "--equation", "local"], "--equation"),
    (["bath", "--omega", "1", "--t", "-1"], "--t"),
    (["bath", "--omega", "1", "--gamma", "-1"], "--gamma"),
    (["bath", "--omega", "1", "--omega-d", "0"], "--omega-d"),
    (["bath", "--omega", "nan"], "--omega"),
    (["bath", "--omega", "1", "abc"], "--omega"),
]


@pytest.mark.parametrize("argv, name", BAD_INPUT, ids=[" ".join(a) for a, _ in BAD_INPUT])
def test_bad_input_exits_2_with_one_line(
    argv: list[str], name: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """Exit status 2, nothing on stdout, one stderr line naming the parameter, no traceback."""
    code, out, err = _run(argv, capsys)
    assert code == 2
    assert out == ""
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert name in lines[0]
    assert "Traceback" not in err


def test_installed_command_exits_cleanly() -> None:
    """The console script itself (one start-up, ~5 s here): a bad value exits 2, one line.

    The golden values through the same code path are checked in-process above.
    """
    if not QHEAT.exists():
        pytest.skip("qheat console script not installed next to this Python")
    bad = subprocess.run(
        [str(QHEAT), "current", "--t1", "-1", "--json"],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert bad.returncode == 2 and bad.stdout == ""
    assert (
        len(bad.stderr.strip().splitlines()) == 1
        and "--t1" in bad.stderr
        and "Traceback" not in bad.stderr
    )


def test_one_command_imports_only_what_it_needs() -> None:
    """`qheat current`, `qheat bath` and `qheat --help` start fast: no xarray, matplotlib or
    QuTiP (a fresh interpreter; together they took about 2 s to import before each command
    loaded its own)."""
    code = (
        "import sys\n"
        "from qheat.cli import main\n"
        "assert main(['bath', '--gamma', '0.01', '--omega-d', '50', '--t', '5', '--omega', '1']) == 0\n"
        "assert main(['current', '--eps1', '5', '--eps2', '4', '--g', '0.5', '--gamma1', '0.01',\n"
        "             '--gamma2', '0.01', '--omega-d', '50', '--t1', '10', '--t2', '5', '--json']) == 0\n"
        "try:\n"
        "    main(['--help'])\n"
        "except SystemExit:\n"
        "    pass\n"
        "heavy = sorted(m for m in ('xarray', 'matplotlib', 'qutip') if m in sys.modules)\n"
        "assert not heavy, heavy\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr


def test_current_reports_the_secular_ratio_and_its_warning(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """Small gap (eps = (5, 4.9), g = 0.05): Lindblad's ratio in the JSON equals solve's, above
    1, and its SecularityWarning is listed; Bloch-Redfield has no ratio."""
    args = [
        "--eps1",
        "5",
        "--eps2",
        "4.9",
        "--g",
        "0.05",
        "--gamma1",
        "0.01",
        "--gamma2",
        "0.01",
        "--omega-d",
        "50",
        "--t1",
        "15",
        "--t2",
        "5",
    ]
    assert main(["current", *args, "--json"]) == 0
    captured = capsys.readouterr()
    got = json.loads(captured.out)
    assert "secular_ratio" not in got["br"]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", SecularityWarning)
        ratio = solve(
            paper_system(5, 4.9, 0.05, 0.01, 0.01, 50, 15, 5), GlobalLindblad()
        ).secular_ratio
    assert got["lindblad"]["secular_ratio"] == pytest.approx(float(ratio), rel=1e-15)  # type: ignore[arg-type]
    assert got["lindblad"]["secular_ratio"] > 1
    assert any(w.startswith("SecularityWarning: lindblad: ") for w in got["lindblad"]["warnings"])
    assert "warning [lindblad]: SecularityWarning" in captured.err


def test_the_overview_lists_every_subcommand_with_its_own_help() -> None:
    """``qheat --help`` lists the subcommands from ``SUMMARIES`` without importing them; each
    subcommand's parser carries the same line."""
    assert set(SUMMARIES) == set(commands())
    full = build_parser()
    sub = next(a for a in full._actions if isinstance(a, argparse._SubParsersAction))
    registered = {action.dest: action.help for action in sub._choices_actions}
    assert registered == SUMMARIES
