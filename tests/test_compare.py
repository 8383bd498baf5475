"""``qheat compare`` / :func:`qheat.compare.compare_currents` on a cheap weak-coupling case."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from qheat.cli import main
from qheat.compare import (
    PRESETS,
    CompareSpec,
    KatoTanimuraSpec,
    compare_currents,
    compare_system,
    kato_tanimura,
    kato_tanimura_figure,
    summarize,
    verdict,
)
from qheat.compare.validate import VALIDATION_CASES, validation_markdown
from qheat.errors import InvalidParameterError
from qheat.exact import HeomLevel, HeomOptions

from cli_helpers import run_cli

SUMMARY_KEYS = {"ndtc", "dT_peak", "J_peak", "max_rel_error_vs_heom", "max_secular_ratio"}


@pytest.fixture(scope="module")
def small() -> object:
    spec = CompareSpec(
        eps1=5.0,
        eps2=4.0,
        g=0.5,
        gamma=0.002,
        omega_d=50.0,
        t2=5.0,
        dT=(0.0, 10.0, 20.0),
        n_fine=11,
        heom=HeomOptions(rtol=1e-3, atol=1e-6, start=HeomLevel(1, 2)),
    )
    return compare_currents(spec)


def test_dataset_layout(small) -> None:  # type: ignore[no-untyped-def]
    ds = small
    assert list(ds["equation"].values) == [
        "heom",
        "br",
        "lindblad",
        "local",
        "partial_secular_1",
        "ule",
    ]
    assert ds["J1"].shape == (6, 3)
    assert ds["J1_fine"].shape == (5, 11)
    assert bool(ds["heom_converged"].all())


def test_heom_conserves_energy_and_matches_weak_coupling_equations(  # type: ignore[no-untyped-def]
    small,
) -> None:
    ds = small
    heom = ds["J1"].sel(equation="heom").values
    np.testing.assert_allclose(ds["heom_J2"].values, -heom, atol=1e-3 * np.max(np.abs(heom)))
    # gamma = 0.002: BR and ULE are within O(gamma) of HEOM (a few per mille)
    for name in ("br", "ule"):
        assert np.nanmax(np.abs(ds["rel_error"].sel(equation=name).values)) < 0.01
    # the error is relative to HEOM: it is NaN where the exact current vanishes (dT = 0)
    assert np.isnan(ds["rel_error"].sel(equation="br", dT=0.0))


def test_summary_schema_and_verdict(small) -> None:  # type: ignore[no-untyped-def]
    summary = summarize(small)
    assert set(summary) == {"heom", "br", "lindblad", "local", "partial_secular_1", "ule"}
    for row in summary.values():
        assert SUMMARY_KEYS <= set(row)
    assert summary["br"]["ndtc"] is False  # monotone at this weak bias
    # secular ratios: only for the equations that drop pairs, equal to solve's diagnostic
    assert (
        summary["br"]["max_secular_ratio"] is None and summary["ule"]["max_secular_ratio"] is None
    )
    assert summary["lindblad"]["max_secular_ratio"] == pytest.approx(
        float(np.max(small["secular_ratio"].sel(master_equation="lindblad"))), rel=1e-15
    )
    assert "NDTC" in verdict(summary)
    assert "# qheat validation" in validation_markdown({"small": small}, {})


def test_presets_are_the_papers_cases() -> None:
    fig6, fig5 = PRESETS["fig6"], PRESETS["fig5"]
    assert (fig6.eps1, fig6.eps2, fig6.g, fig6.gamma, fig6.t2, fig6.omega_d) == (
        4,
        3,
        0.5,
        0.03,
        5,
        50,
    )
    assert (fig6.dT[0], fig6.dT[-1]) == (0, 300)
    assert (fig5.eps1, fig5.eps2, fig5.g, fig5.gamma, fig5.dT[-1]) == (4, 4, 0.05, 0.01, 100)
    assert {spec.gamma for spec in VALIDATION_CASES.values()} == {0.01, 0.03}


def test_spec_rejects_bad_grid() -> None:
    with pytest.raises(InvalidParameterError, match="dT"):
        CompareSpec(4, 3, 0.5, 0.03, 50, 5, dT=(0.0, 10.0))


def test_cli_writes_figure_dataset_and_summary(tmp_path: Path) -> None:
    code = main(
        [
            "compare",
            "--preset",
            "fig6",
            "--gamma",
            "0.002",
            "--dt-max",
            "20",
            "--heom-points",
            "3",
            "--out",
            str(tmp_path),
            "--no-progress",
            "--workers",
            "2",
        ]
    )
    assert code == 0
    summary = json.loads((tmp_path / "summary.json").read_text())
    assert "heom" in summary and "br" in summary
    assert all(SUMMARY_KEYS <= set(row) for row in summary.values())
    for name in ("compare.png", "compare.pdf", "compare.nc"):
        assert (tmp_path / name).stat().st_size > 0


def test_validate_is_a_subcommand() -> None:
    from qheat.cli import build_parser

    args = build_parser().parse_args(["validate", "--out", "somewhere", "--workers", "1"])
    assert args.command == "validate" and args.workers == 1


DEVICE = """
[parameters]
tH = 6.0

[device]
qubits = 2
hamiltonian = [[1.0, "ZI"], [0.75, "IZ"], [0.1, "XX"]]

[[baths]]
name = "hot"
coupling = "XI"
spectral_density = "drude"
gamma = 0.002
omega_d = 10.0
t = "tH"

[[baths]]
name = "cold"
coupling = "IX"
spectral_density = "drude"
gamma = 0.002
omega_d = 10.0
t = 3.0
"""


def test_compare_device_grades_every_bath(tmp_path: Path) -> None:
    path = tmp_path / "two.toml"
    path.write_text(DEVICE)
    code, out, err = run_cli(["compare", "--device", str(path), "--param", "tH=5", "--json"])
    assert code == 0, err
    payload = json.loads(out)
    assert payload["heom"]["converged"] is True
    heom = payload["currents"]["heom"]
    assert set(heom) == {"hot", "cold"}
    assert heom["hot"] > 0 and heom["hot"] == pytest.approx(-heom["cold"], rel=1e-9)
    # weak coupling: Bloch-Redfield and the ULE within a few per cent of HEOM
    for name in ("br", "ule"):
        assert abs(payload["rel_error"][name]["hot"]) < 0.03


def test_compare_system_dataset() -> None:
    from qheat.api import paper_system

    ds = compare_system(paper_system(5, 4, 0.5, 0.002, 0.002, 50, 15, 5))
    assert list(ds["bath"].values) == ["1", "2"]
    assert ds["J"].shape == (6, 2) and ds.attrs["heom_converged"] == 1
    assert ds.attrs["skipped"] == "" and json.loads(ds.attrs["skipped_reasons"]) == {}
    heom = ds["J"].sel(equation="heom").values
    br = ds["J"].sel(equation="br").values
    np.testing.assert_allclose(br, heom, rtol=0.01)


def test_kato_tanimura_layout_and_weak_coupling() -> None:
    """Two points of the tutorial's J12 = 0.1 curve: HEOM conserves energy and BR is close at
    the weakest coupling (zeta = 0.25) and worse at zeta = 1."""
    spec = KatoTanimuraSpec(j12=(0.1,), zetas=(0.25, 1.0))
    ds = kato_tanimura(spec)
    assert list(ds["equation"].values) == ["heom", "br", "lindblad", "ule"]
    assert bool(ds["heom_converged"].all())
    heom = ds["J1"].sel(equation="heom").values
    np.testing.assert_allclose(ds["heom_J2"].values, -heom, rtol=1e-9)
    err = np.abs(ds["rel_error"].sel(equation="br").values[0])
    assert err[0] < 0.05 and err[1] > err[0]
    fig = kato_tanimura_figure(ds)
    assert len(fig.axes) == 1


def test_kato_tanimura_and_device_refuse_model_options() -> None:
    code, _, err = run_cli(["compare", "--preset", "kato-tanimura", "--gamma", "0.1"])
    assert code != 0 and "--gamma" in err
    code, _, err = run_cli(["compare", "--param", "x=1"])
    assert code != 0 and "--device" in err


ONE_QUBIT = """
[device]
qubits = 1
hamiltonian = [[0.5, "Z"]]

[[baths]]
name = "hot"
coupling = "X"
spectral_density = "drude"
gamma = 0.002
omega_d = 5.0
t = 2.0

[[baths]]
name = "cold"
coupling = "X"
spectral_density = "drude"
gamma = 0.002
omega_d = 5.0
t = 1.0
"""


def test_compare_device_leaves_out_an_equation_that_does_not_apply(tmp_path: Path) -> None:
    """Issue 21: on one qubit every coupling acts on the only subsystem, so the local Lindblad
    equation cannot be built; compare leaves it out with its reason and grades the others
    (before: a row of NaN). For one qubit the secular approximation is exact, so BR, Lindblad,
    partial secular and the ULE give one current, within O(gamma) of HEOM."""
    path = tmp_path / "one.toml"
    path.write_text(ONE_QUBIT)
    code, out, err = run_cli(
        ["compare", "--device", str(path), "--json", "--out", str(tmp_path / "out")]
    )
    assert code == 0, err
    payload = json.loads(out)  # stdout is one JSON document, "wrote ..." goes to stderr
    assert "compare.nc" in err
    kept = ["heom", "br", "lindblad", "partial_secular_1", "ule"]
    assert list(payload["currents"]) == kept and list(payload["rel_error"]) == kept[1:]
    assert list(payload["skipped"]) == ["local"]
    assert "acts on every subsystem" in payload["skipped"]["local"]
    br = payload["currents"]["br"]["hot"]
    for name in kept[2:]:
        assert payload["currents"][name]["hot"] == pytest.approx(br, rel=1e-9)
    assert abs(payload["rel_error"]["br"]["hot"]) < 0.02
    code, out, err = run_cli(["compare", "--device", str(path)])
    assert code == 0, err
    lines = out.splitlines()
    assert not any(line.startswith("local ") for line in lines)
    assert any(line.startswith("local: not applicable") for line in lines)
    assert sum(line.split()[0] in kept for line in lines) == len(kept)
