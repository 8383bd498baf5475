"""``qheat figure`` and ``qheat reproduce`` write every promised file, in the promised formats.

The reference is the specification of issue 3: PNG and PDF figures, netCDF (h5netcdf) and CSV
data with the chosen range in the attributes, and ``summary.json`` in the exact schema.
"""

from __future__ import annotations

import json
import warnings
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
import xarray as xr

from qheat import GlobalLindblad, paper_system, solve
from qheat.cli import main
from qheat.errors import SecularityWarning
from qheat.figures.paper import current_figure
from qheat.paper.run import figure_dataset, merge_summary_json

CURVE_KEYS = {
    "equation",
    "params",
    "dT_range",
    "ndtc",
    "dT_peak",
    "J_peak",
    "ratio_min",
    "ratio_max",
}
PARAM_KEYS = {"eps1", "eps2", "g", "gamma1", "gamma2", "omega_d", "t2"}


def _check_curve(curve: dict[str, Any]) -> None:
    assert set(curve) == CURVE_KEYS
    assert curve["equation"] in ("br", "lindblad")
    assert set(curve["params"]) == PARAM_KEYS
    assert all(isinstance(v, float) for v in curve["params"].values())
    lo, hi = curve["dT_range"]
    assert isinstance(lo, float) and isinstance(hi, float) and lo < hi
    assert isinstance(curve["ndtc"], bool)
    for key in ("dT_peak", "J_peak", "ratio_min", "ratio_max"):
        assert curve[key] is None or isinstance(curve[key], float)
    if curve["equation"] == "lindblad":
        assert curve["ratio_min"] is None and curve["ratio_max"] is None
    else:
        assert curve["ratio_min"] <= curve["ratio_max"]
    if curve["dT_peak"] is not None:
        assert lo < curve["dT_peak"] < hi


def test_figure_3_writes_figure_data_and_summary(tmp_path: Path) -> None:
    assert main(["figure", "3", "--out", str(tmp_path), "--points", "41", "--no-progress"]) == 0
    for suffix in ("png", "pdf", "nc", "csv"):
        assert (tmp_path / f"fig3.{suffix}").stat().st_size > 0
    assert (tmp_path / "fig3.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert (tmp_path / "fig3.pdf").read_bytes()[:5] == b"%PDF-"

    ds = xr.open_dataset(tmp_path / "fig3.nc", engine="h5netcdf")
    assert list(ds.attrs["dT_range"]) == [0.0, 200.0]
    assert ds.dT.attrs["long_name"] == "T1 - T2"
    assert ds.J1.dims == ("equation", "g", "dT") and ds.J1.shape == (2, 3, 41)
    assert np.allclose(ds.J1 + ds.J2, 0.0, atol=1e-14)  # Eq. 21 survives the round trip
    table = pd.read_csv(tmp_path / "fig3.csv")
    assert {"equation", "g", "dT", "J1", "J2"} <= set(table.columns) and len(table) == 2 * 3 * 41
    ds.close()

    summary = json.loads((tmp_path / "summary.json").read_text())
    assert list(summary) == ["fig3"]
    assert len(summary["fig3"]) == 6  # three g, two equations
    for curve in summary["fig3"]:
        _check_curve(curve)
    assert {c["params"]["g"] for c in summary["fig3"]} == {0.75, 0.5, 0.25}


def test_figure_merges_into_existing_summary(tmp_path: Path) -> None:
    """``qheat figure N`` keeps the other figures' entries of an existing summary.json."""
    path = tmp_path / "summary.json"
    path.write_text(json.dumps({"fig6": [{"kept": True}], "fig3": [{"old": True}]}))
    merged = merge_summary_json(path, {"fig3": [{"new": True}]})
    assert (
        merged
        == json.loads(path.read_text())
        == {"fig3": [{"new": True}], "fig6": [{"kept": True}]}
    )
    path.write_text("not json")
    assert merge_summary_json(path, {"fig5": []}) == {"fig5": []}


def test_reproduce_writes_everything(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("always", SecularityWarning)  # the suite ignores it otherwise
        assert main(["reproduce", "--out", str(tmp_path), "--points", "21", "--no-progress"]) == 0
    for number in (2, 3, 4, 5, 6):
        for suffix in ("png", "pdf", "nc", "csv"):
            assert (tmp_path / f"fig{number}.{suffix}").stat().st_size > 0
    summary = json.loads((tmp_path / "summary.json").read_text())
    assert list(summary) == ["fig3", "fig4", "fig5", "fig6"]
    assert [len(summary[k]) for k in summary] == [6, 6, 18, 6]
    for curves in summary.values():
        for curve in curves:
            _check_curve(curve)
    text = (tmp_path / "summary.md").read_text()
    assert "J_BR < J_L" in text and "Fig. 6" in text
    captured = capsys.readouterr()
    assert "wrote" in captured.out
    # the global Lindblad curves leave the secular regime at large dT: one line per figure
    for number in (3, 4, 5, 6):
        assert (
            f"qheat reproduce: warning: SecularityWarning: Fig. {number}: lindblad: "
            in captured.err
        )
    assert "Traceback" not in captured.err and "warnings.warn" not in captured.err
    # summary.md says from which dT each Lindblad curve is outside its validity, from figN.nc
    fig6 = xr.open_dataset(tmp_path / "fig6.nc")
    ratio = fig6["secular_ratio"].sel(equation="lindblad", gamma=0.03).values
    first = float(fig6["dT"].values[ratio > 1][0])
    assert f"| 6 | gamma = 0.03 | {ratio.max():.3g} | dT >= {first:.4g} |" in text
    assert np.all(np.isnan(fig6["secular_ratio"].sel(equation="br").values))
    # the stored ratio is solve's: one point recomputed from the paper's Fig. 6 parameters
    system = paper_system(4, 3, 0.5, 0.03, 0.03, 50, 5 + first, 5)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", SecularityWarning)
        direct = solve(system, GlobalLindblad()).secular_ratio
    assert float(direct) == pytest.approx(float(ratio[ratio > 1][0]), rel=1e-12)  # type: ignore[arg-type]


def test_bad_figure_number_is_a_one_line_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exc:
        main(["figure", "7", "--out", str(tmp_path)])
    assert exc.value.code == 2
    assert "invalid choice" in capsys.readouterr().err


def test_unusable_output_directory_is_a_one_line_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("")
    assert main(["figure", "3", "--out", str(blocker / "sub"), "--no-progress"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "--out" in err


def test_figures_mark_where_the_lindblad_curves_leave_their_validity() -> None:
    """One open circle per drawn Lindblad curve whose secular ratio exceeds 1, at its first such
    dT (Fig. 6: all three panels); none on Fig. 5, which draws Bloch-Redfield only."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", SecularityWarning)
        fig6, fig5 = figure_dataset(6, points=41), figure_dataset(5, points=41)
    for ds, expected in ((fig6, 3), (fig5, 0)):
        figure = current_figure(ds)
        circles = [
            line for ax in figure.axes for line in ax.get_lines() if line.get_marker() == "o"
        ]
        assert len(circles) == expected
    ratio = fig6["secular_ratio"].sel(equation="lindblad", gamma=0.03).values
    first = float(fig6["dT"].values[ratio > 1][0])
    xs = sorted(
        float(line.get_xdata()[0])
        for ax in current_figure(fig6).axes
        for line in ax.get_lines()
        if line.get_marker() == "o"
    )
    assert first in xs
