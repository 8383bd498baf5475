"""Labelled sweeps: dims and coordinates, values against qheat.solve, files, CLI and config."""

import json
import warnings
from pathlib import Path

import numpy as np
import pytest
import xarray as xr

import qheat
from qheat.cli import main
from qheat.errors import InvalidParameterError
from qheat.sweeps import sweep
from qheat.sweeps.config import ConfigError, parse_values, read_config

G = np.array([0.2, 0.5, 0.9])
DT = np.array([0.5, 5.0, 20.0, 60.0])


@pytest.fixture(scope="module")
def plane() -> xr.Dataset:
    return sweep(eps1=5.0, eps2=4.0, g=G, t2=5.0, dt=DT, chunk_size=5)


def test_dims_coords_and_variables(plane: xr.Dataset) -> None:
    assert plane["J"].dims == ("equation", "bath", "g", "dt") and plane["J"].shape == (2, 2, 3, 4)
    assert list(plane["equation"].values) == ["br", "lindblad"]
    assert list(plane["bath"].values) == ["1", "2"]
    np.testing.assert_array_equal(plane["g"], G)
    np.testing.assert_array_equal(plane["dt"], DT)
    assert float(plane["eps1"]) == 5.0 and float(plane["gamma1"]) == 0.01  # fixed, labelled
    for v in (
        "min_eigenvalue",
        "residual",
        "condition_number",
        "secular_ratio",
        "conservation_residual",
    ):
        assert plane[v].dims == ("equation", "g", "dt")
    assert "hbar = kB = 1" in plane.attrs["conventions"]
    assert "units" in plane["J"].attrs and "long_name" in plane["dt"].attrs


def test_values_equal_solve_point_by_point(plane: xr.Dataset) -> None:
    for i, g in enumerate(G):
        for j, dt in enumerate(DT):
            system = qheat.paper_system(5, 4, g, 0.01, 0.01, 50, 5 + dt, 5)
            for eq in (qheat.BlochRedfield(), qheat.GlobalLindblad()):
                sol = qheat.solve(system, eq)
                point = plane.sel(equation=eq.name).isel(g=i, dt=j)
                np.testing.assert_allclose(point["J"], sol.currents, rtol=1e-12)
                assert float(point["min_eigenvalue"]) == pytest.approx(
                    float(sol.min_eigenvalue), abs=1e-13
                )
                assert float(point["residual"]) == pytest.approx(
                    float(sol.state.residual), rel=1e-6, abs=1e-18
                )
            lindblad = qheat.solve(system, qheat.GlobalLindblad())
            assert float(plane["secular_ratio"].sel(equation="lindblad")[i, j]) == pytest.approx(
                float(lindblad.secular_ratio),
                rel=1e-12,  # type: ignore[arg-type]
            )
    assert np.isnan(plane["secular_ratio"].sel(equation="br")).all()  # Bloch-Redfield drops no pair


def test_one_secularity_warning_per_sweep() -> None:
    """Where the rates exceed the gap 2 alpha (hot bath, small g), one warning for the sweep,
    counting the points that qheat.solve finds outside (point by point)."""
    dt = np.array([0.5, 60.0, 100.0, 150.0])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", qheat.SecularityWarning)
        ratios = [
            qheat.solve(
                qheat.paper_system(5, 4, 0.2, 0.01, 0.01, 50, 5 + x, 5), qheat.GlobalLindblad()
            ).secular_ratio
            for x in dt
        ]
    n_out = sum(float(r) > 1 for r in ratios)  # type: ignore[arg-type]
    assert 0 < n_out < dt.size
    with pytest.warns(
        qheat.SecularityWarning, match=rf"lindblad: .* at {n_out} of 4 points"
    ) as caught:
        ds = sweep(eps1=5.0, eps2=4.0, g=0.2, t2=5.0, dt=dt)
    assert len([w for w in caught if w.category is qheat.SecularityWarning]) == 1
    assert np.count_nonzero(ds["secular_ratio"].sel(equation="lindblad") > 1) == n_out


def test_conservation(plane: xr.Dataset) -> None:
    """J1 + J2 = 0 (Eq. 21), summed here from J, and the residual the sweep reports."""
    j = plane["J"]
    assert float(np.abs(j.sum("bath")).max() / np.abs(j).max()) < 1e-11
    assert float(plane["conservation_residual"].max()) < 1e-11


def test_chunking_does_not_change_results(plane: xr.Dataset) -> None:
    """Equal to round-off (batched BLAS calls may round differently with the batch size)."""
    whole = sweep(eps1=5.0, eps2=4.0, g=G, t2=5.0, dt=DT, chunk_size=1000)
    xr.testing.assert_allclose(plane, whole, rtol=1e-14, atol=0)


def test_zipped_axes_follow_the_cartesian_diagonal(plane: xr.Dataset) -> None:
    zipped = sweep(eps1=5.0, eps2=4.0, g=G, t2=5.0, dt=DT[:3], zipped=True, equations=("br",))
    assert zipped["J"].dims == ("equation", "bath", "point")
    j_br = plane["J"].sel(equation="br", bath="1")
    np.testing.assert_allclose(
        zipped["J"].sel(equation="br", bath="1"), [j_br[k, k] for k in range(3)], rtol=1e-13
    )


def test_netcdf_and_zarr_round_trip(plane: xr.Dataset, tmp_path: Path) -> None:
    for name in ("plane.nc", "plane.zarr"):
        out = tmp_path / name
        ds = sweep(eps1=5.0, eps2=4.0, g=G, t2=5.0, dt=DT, chunk_size=5, out=out)
        xr.testing.assert_identical(ds, plane)
        engine = "zarr" if name.endswith("zarr") else "h5netcdf"
        with xr.open_dataset(out, engine=engine) as back:
            xr.testing.assert_identical(back.load(), plane)
        assert not (tmp_path / (name + ".parts")).exists()


def test_bad_parameters_name_themselves() -> None:
    with pytest.raises(InvalidParameterError, match="eps1"):
        sweep(eps1=np.array([1.0, -1.0]))
    with pytest.raises(InvalidParameterError, match="unknown sweep parameter"):
        sweep(temperature=1.0)
    with pytest.raises(InvalidParameterError, match="not both"):
        sweep(t1=1.0, dt=1.0)
    with pytest.raises(InvalidParameterError, match="T1 = T2 \\+ dt"):
        sweep(t2=1.0, dt=np.array([-2.0, 1.0]))


def test_parse_values() -> None:
    np.testing.assert_array_equal(parse_values("--g", "0:1:5"), np.linspace(0, 1, 5))
    assert parse_values("--g", "0.5").ndim == 0
    for bad in ("0:1", "a:1:3", "0:1:0", "0:1:2.5", "nan"):
        with pytest.raises(InvalidParameterError, match="--g"):
            parse_values("--g", bad)


def test_cli_sweep_writes_the_documented_dataset(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "plane.nc"
    code = main(
        [
            "sweep",
            "--eps1",
            "5",
            "--eps2",
            "4",
            "--g",
            "0.2:0.9:3",
            "--t2",
            "5",
            "--dt",
            "0.5:60:4",
            "--equation",
            "br",
            "--out",
            str(out),
            "--no-progress",
        ]
    )
    assert code == 0 and "12 points" in capsys.readouterr().out
    with xr.open_dataset(out, engine="h5netcdf") as ds:
        assert ds["J"].dims == ("equation", "bath", "g", "dt") and list(ds.equation.values) == [
            "br"
        ]
        system = qheat.paper_system(5, 4, 0.55, 0.01, 0.01, 50, 5 + 0.5, 5)
        got = float(ds["J"].sel(equation="br", bath="1")[1, 0])
        assert got == pytest.approx(float(qheat.solve(system).J1), rel=1e-12)


def test_config_file_and_its_errors(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    example = Path(__file__).resolve().parents[1] / "examples" / "sweep.toml"
    config = read_config(example)
    assert config.parameters["g"].shape == (100,) and config.parameters["dt"].shape == (200,)
    assert config.equations == ("br", "lindblad") and config.out == "plane.nc"
    good = tmp_path / "ok.toml"
    good.write_text(
        '[parameters]\ng = [0.2, 0.5]\ndt = "1:10:3"\n[sweep]\nequations = "br"\n'
        f'out = "{tmp_path / "c.nc"}"\n'
    )
    assert main(["sweep", "--config", str(good), "--no-progress"]) == 0
    with xr.open_dataset(tmp_path / "c.nc", engine="h5netcdf") as ds:
        assert ds["J"].shape == (1, 2, 2, 3)
    cases = {
        "[parameters]\neps1 = 5\ng = true\n": ("3", "'g'", "a number, a list"),
        "[sweep]\n\nchunk_size = 0\n": ("3", "'chunk_size'", "integer >= 1"),
        "[parameters]\nfoo = 1\n": ("2", "'foo'", "unknown parameter"),
        '[sweep]\nscheduler = "mpi"\n': ("2", "'scheduler'", "serial, processes, dask"),
        '[parameters]\ndt = "1:2"\n': ("2", "'dt'", "start:stop:num"),
        "[parameters\n": ("line 1", "TOML", "TOML"),
    }
    for text, (line, key, expected) in cases.items():
        bad = tmp_path / "bad.toml"
        bad.write_text(text)
        with pytest.raises(ConfigError) as info:
            read_config(bad)
        message = str(info.value)
        assert (f"bad.toml:{line}" in message or line in message) and key in message
        assert expected in message
        assert main(["sweep", "--config", str(bad)]) == 2
        assert "bad.toml" in capsys.readouterr().err


def test_manifest_guards_resume_of_another_sweep(tmp_path: Path) -> None:
    out = tmp_path / "p.nc"
    parts = tmp_path / "p.nc.parts"
    parts.mkdir()
    (parts / "sweep.json").write_text(json.dumps({"grid": "other"}))
    with pytest.raises(InvalidParameterError, match="different sweep"):
        sweep(g=G, out=out, resume=True)


def test_ndtc_map_peak_against_a_fine_scan(tmp_path: Path) -> None:
    """The refined peak of each curve agrees with a dense scan of qheat.solve near it."""
    from qheat.figures.maps import ndtc_map_figure
    from qheat.sweeps.ndtc_map import ndtc_map

    ds = ndtc_map(
        ("g", [0.3, 1.0]),
        ("gamma", [0.004, 0.03]),
        np.linspace(0.1, 100, 40),
        eps1=4.0,
        eps2=3.0,
        t2=5.0,
        rtol=1e-6,
    )
    assert ds["dT_peak"].dims == ("g", "gamma")
    assert not bool(ds["ndtc"][0, 0]) and np.isnan(
        float(ds["dT_peak"][0, 0])
    )  # weak coupling: monotone
    for i, g in enumerate([0.3, 1.0]):
        peak = float(ds["dT_peak"][i, 1])
        assert bool(ds["ndtc"][i, 1])
        fine = np.linspace(peak * 0.99, peak * 1.01, 2001)
        j = qheat.solve(qheat.paper_system(4, 3, g, 0.03, 0.03, 50, 5 + fine, 5)).J1
        assert abs(fine[np.argmax(j)] - peak) <= 2 * (fine[1] - fine[0])
        assert float(ds["J_peak"][i, 1]) == pytest.approx(float(j.max()), rel=1e-9)
    fig = ndtc_map_figure(ds, "J_peak")
    fig.savefig(tmp_path / "map.png")
    assert (tmp_path / "map.png").stat().st_size > 0


def test_cli_ndtc_map(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out, png = tmp_path / "map.nc", tmp_path / "map.png"
    code = main(
        [
            "ndtc-map",
            "--x",
            "g=0.3:1:2",
            "--y",
            "gamma=0.004:0.03:2",
            "--eps1",
            "4",
            "--eps2",
            "3",
            "--dt",
            "0.1:100:30",
            "--out",
            str(out),
            "--figure",
            str(png),
        ]
    )
    assert code == 0 and "NDTC at 50.0% of the points" in capsys.readouterr().out
    with xr.open_dataset(out, engine="h5netcdf") as ds:
        assert ds["ndtc"].shape == (2, 2)
    assert main(["ndtc-map", "--x", "g", "--y", "gamma=0:1:2", "--dt", "1:2:3"]) == 2
    # an existing output is refused before any work, replaced with --overwrite
    again = ["ndtc-map", "--x", "g=0.3:1:2", "--y", "gamma=0.004:0.03:2", "--dt", "0.1:100:5"]
    before = out.stat().st_mtime_ns
    assert main([*again, "--out", str(out)]) == 2
    assert "exists; give --overwrite" in capsys.readouterr().err
    assert out.stat().st_mtime_ns == before
    assert main([*again, "--out", str(out), "--overwrite"]) == 0
    with xr.open_dataset(out, engine="h5netcdf") as ds:
        assert ds.sizes["g"] == 2 and out.stat().st_mtime_ns != before


def test_one_positivity_warning_per_sweep() -> None:
    """Strong coupling at low temperature: Redfield states lose positivity (the independent
    check is the eigenvalue from qheat.solve); the sweep warns once, with the count."""
    gamma1 = np.array([0.01, 0.3])
    with pytest.warns(qheat.PositivityWarning, match="2 of 2 points") as record:
        ds = sweep(
            gamma1=gamma1, gamma2=0.3, t2=0.05, g=0.05, eps1=1.0, eps2=1.0, equations=("br",)
        )
    assert len(record) == 1
    for i, g1 in enumerate(gamma1):
        with pytest.warns(qheat.PositivityWarning):
            sol = qheat.solve(qheat.paper_system(1, 1, 0.05, g1, 0.3, 50, 0.05, 0.05))
        got = float(ds["min_eigenvalue"].sel(equation="br")[i])
        assert got == pytest.approx(float(sol.min_eigenvalue), abs=1e-13)
        assert float(sol.min_eigenvalue) < 0


@pytest.mark.parametrize("command", ["sweep", "ndtc-map"])
def test_help_renders(command: str, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main([command, "--help"])
    assert exit_info.value.code == 0 and "--eps1" in capsys.readouterr().out


def test_a_sweep_of_fixed_values_is_one_point_equal_to_solve() -> None:
    """No axis at all: one point, the same currents as ``qheat.solve`` (regression)."""
    ds = qheat.sweep(g=0.5, dt=10.0)
    system = qheat.paper_system(5, 4, 0.5, 0.01, 0.01, 50, 15, 5)
    want = qheat.solve(system, qheat.BlochRedfield()).J1
    j1 = ds.J.sel(equation="br", bath="1")
    assert j1.shape == ()
    assert abs(float(j1) - float(want)) <= 1e-12 * abs(float(want))
