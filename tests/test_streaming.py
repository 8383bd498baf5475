"""Sweeps streamed chunk by chunk: chunk rectangles, zarr region writes, bounded memory,
refusals before any work (index, memory, disk), nothing overwritten, resume checks."""

from __future__ import annotations

import json
import tracemalloc
from pathlib import Path

import numpy as np
import pytest
import xarray as xr
import zarr

import qheat
import qheat.sweeps.run as runner
from qheat.cli import main
from qheat.errors import InvalidParameterError
from qheat.sweeps import sweep
from qheat.sweeps.evaluate import VARIABLES, ChunkSpec, ChunkTask
from qheat.sweeps.store import DONE_LOG, ChunkLayout

G, DT = np.array([0.2, 0.5, 0.9]), np.array([0.5, 5.0, 20.0, 60.0, 90.0])


@pytest.mark.parametrize(
    ("shape", "chunk_size"),
    [
        ((7, 5, 3), 1),
        ((7, 5, 3), 4),
        ((7, 5, 3), 16),
        ((7, 5, 3), 40),
        ((7, 5, 3), 1000),
        ((11,), 4),
        ((), 3),
        ((2, 9), 9),
        ((3, 1, 8), 5),
    ],
)
def test_chunks_are_rectangles_that_tile_the_grid(shape: tuple[int, ...], chunk_size: int) -> None:
    """Each chunk's rectangle holds exactly the flat C-order points of its bounds (numbered
    independently by numpy), at most chunk_size of them, and the chunks cover each point once."""
    layout = ChunkLayout(shape, chunk_size)
    flat = np.arange(int(np.prod(shape))).reshape(shape)
    seen = np.zeros(flat.size, dtype=int)
    for k in range(layout.n_chunks):
        start, stop = layout.bounds(k)
        np.testing.assert_array_equal(flat[layout.region(k)].ravel(), np.arange(start, stop))
        assert 0 < stop - start <= max(chunk_size, 1)
        seen[start:stop] += 1
    assert (seen == 1).all()


def fake_chunk(spec: ChunkSpec, task: ChunkTask) -> dict[str, np.ndarray]:
    """Results written from the parameters alone (no physics), to check where they land."""
    points = spec.grid.points(task.start, task.stop)
    g, dt = np.asarray(points["g"]), np.asarray(points["dt"])
    n = task.stop - task.start
    out = {"J": np.stack([np.stack([g + 10 * dt, -(g + 10 * dt)])] * len(spec.equations))}
    out.update({name: np.zeros((len(spec.equations), n)) for name in VARIABLES})
    out["condition_number"] += 1.0
    assert out["J"].shape == (len(spec.equations), 2, n)
    return out


def test_zarr_regions_land_on_their_grid_points(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every point of a streamed store holds the value computed for its own parameters
    (an independent meshgrid of the axes), chunked as the sweep's rectangles."""
    monkeypatch.setattr(runner, "evaluate_chunk", fake_chunk)
    g, dt = np.linspace(0.1, 0.9, 5), np.linspace(1, 90, 17)
    ds = sweep(g=g, dt=dt, equations=["br"], chunk_size=7, out=tmp_path / "f.zarr")
    mesh = g[:, None] + 10 * dt[None, :]
    np.testing.assert_array_equal(ds["J"].sel(equation="br", bath="1"), mesh)
    np.testing.assert_array_equal(ds["J"].sel(equation="br", bath="2"), -mesh)
    store = zarr.open_group(str(tmp_path / "f.zarr"), mode="r", zarr_format=2)
    assert store["J"].chunks == (1, 2, 1, 7) and store["residual"].chunks == (1, 1, 7)
    assert len((tmp_path / "f.zarr" / DONE_LOG).read_text().split()) == 5 * 3


def test_streamed_store_equals_the_in_memory_sweep_and_solve(tmp_path: Path) -> None:
    plane = sweep(g=G, dt=DT, chunk_size=4)
    ds = sweep(g=G, dt=DT, chunk_size=4, out=tmp_path / "p.zarr")
    assert ds["J"].chunks is not None  # opened lazily from the store, not held in memory
    xr.testing.assert_identical(ds, plane)
    system = qheat.paper_system(5, 4, G[1], 0.01, 0.01, 50, 5 + DT[3], 5)
    want = qheat.solve(system, qheat.BlochRedfield())
    got = ds["J"].sel(equation="br", g=G[1], dt=DT[3]).values
    np.testing.assert_allclose(got, [want.J1, want.J2], rtol=1e-12)


def test_parent_memory_does_not_grow_with_the_grid(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Python allocations of the calling process for a 200 000-point zarr sweep stay within
    those of an 8 000-point one, a single chunk of the same size (a grid-sized array would add
    1.6 MB per variable)."""
    monkeypatch.setattr(runner, "evaluate_chunk", fake_chunk)
    peaks = []
    for n_dt in (80, 2000):
        g, dt = np.linspace(0.1, 0.9, 100), np.linspace(1, 90, n_dt)
        tracemalloc.start()
        sweep(g=g, dt=dt, equations=["br"], chunk_size=8000, out=tmp_path / f"m{n_dt}.zarr")
        peaks.append(tracemalloc.get_traced_memory()[1])
        tracemalloc.stop()
    assert peaks[1] < peaks[0] + 1.6e6, peaks


def test_existing_outputs_are_never_replaced_without_overwrite(tmp_path: Path) -> None:
    for name in ("p.zarr", "p.nc"):
        out = tmp_path / name
        first = sweep(g=G, dt=DT[:2], equations=["br"], out=out)
        with pytest.raises(InvalidParameterError, match="exists.*--overwrite"):
            sweep(g=G[:2], dt=DT[:2], equations=["br"], out=out)
        engine = "zarr" if name.endswith("zarr") else "h5netcdf"
        with xr.open_dataset(out, engine=engine) as back:
            xr.testing.assert_identical(back.load(), first.load())
        second = sweep(g=G[:2], dt=DT[:2], equations=["br"], out=out, overwrite=True)
        with xr.open_dataset(out, engine=engine) as back:
            xr.testing.assert_identical(back.load(), second.load())
            assert back.sizes["g"] == 2
    parts = tmp_path / "q.nc.parts"
    parts.mkdir()
    with pytest.raises(InvalidParameterError, match="interrupted sweep.*--resume"):
        sweep(g=G, out=tmp_path / "q.nc")


def test_resume_names_what_differs(tmp_path: Path) -> None:
    out = tmp_path / "p.zarr"
    sweep(g=G, dt=DT[:2], equations=["br"], chunk_size=2, out=out)
    with pytest.raises(InvalidParameterError, match=r"differs in equations.*stored.*BlochRedfield"):
        sweep(g=G, dt=DT[:2], equations=["lindblad"], chunk_size=2, out=out, resume=True)
    with pytest.raises(InvalidParameterError, match="differs in chunk_size"):
        sweep(g=G, dt=DT[:2], equations=["br"], chunk_size=3, out=out, resume=True)
    manifest = json.loads((out / "sweep.json").read_text())
    (out / "sweep.json").write_text(json.dumps({**manifest, "qheat": "0.0.1"}))
    with pytest.raises(InvalidParameterError, match='differs in qheat: qheat: stored "0.0.1"'):
        sweep(g=G, dt=DT[:2], equations=["br"], chunk_size=2, out=out, resume=True)
    foreign = tmp_path / "other.zarr"
    xr.Dataset({"x": ("a", [1.0])}).to_zarr(foreign, zarr_format=2)
    with pytest.raises(InvalidParameterError, match="not written by qheat sweep"):
        sweep(g=G, out=foreign, resume=True)


def test_refusals_before_any_work(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Each refusal is one line naming the cause, and nothing is computed or written."""

    def never(spec: ChunkSpec, task: ChunkTask) -> None:
        raise AssertionError("a chunk was computed")

    monkeypatch.setattr(runner, "evaluate_chunk", never)
    axes = [f"--{name}" for name in ("eps1", "eps2", "g", "gamma1", "gamma2")]
    huge = [arg for flag in axes for arg in (flag, "1:2:10000")]  # 10^20 points
    assert main(["sweep", *huge, "--out", str(tmp_path / "h.zarr"), "--dry-run"]) == 2
    assert "exceeds int64" in capsys.readouterr().err
    monkeypatch.setattr(runner, "available_memory", lambda: 100)
    monkeypatch.setattr(runner, "point_memory_bytes", lambda *_: 1)  # the result, not a point
    small = ["sweep", "--g", "0.2:0.9:3", "--dt", "1:5:4", "--equation", "br", "--no-progress"]
    assert main([*small, "--out", str(tmp_path / "a.nc")]) == 2
    err = capsys.readouterr().err
    assert "netCDF is written from memory" in err and ".zarr" in err and len(err.splitlines()) == 1
    assert main(small) == 2 and "out=...zarr" in capsys.readouterr().err
    monkeypatch.setattr(runner, "available_memory", lambda: 10**12)
    monkeypatch.setattr(runner.shutil, "disk_usage", lambda path: type("U", (), {"free": 10})())
    assert main([*small, "--out", str(tmp_path / "a.zarr")]) == 2
    assert "on disk" in capsys.readouterr().err
    assert not list(tmp_path.iterdir())


def test_dry_run_prints_the_estimate_and_writes_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "p.zarr"
    args = [
        "sweep",
        "--g",
        "0.2:0.9:3",
        "--dt",
        "1:50:5",
        "--equation",
        "br",
        "--chunk-size",
        "4",
        "--out",
        str(out),
        "--no-progress",
    ]
    assert main([*args, "--dry-run"]) == 0
    text = capsys.readouterr().out
    assert "15 points (g (3) x dt (5)) in 6 chunks of up to 4 points" in text
    assert "expected time:" in text and "us per point" in text
    # J (2 baths) and 9 diagnostics, float64: 15 * 11 * 8 B
    assert f"output {out}: {15 * 11 * 8 / 1000:.3g} kB" in text
    assert not out.exists()
    assert main(args) == 0 and "15 points" in capsys.readouterr().out
    assert len((out / DONE_LOG).read_text().split()) == 6


def test_option_conflicts_are_named(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(InvalidParameterError, match="resume or overwrite, not both"):
        sweep(g=G, out=tmp_path / "p.zarr", resume=True, overwrite=True)
    out = str(tmp_path / "p.zarr")
    assert main(["sweep", "--g", "0.2:0.9:3", "--shared-store", "--out", out]) == 2
    assert "--shared-store applies to --scheduler dask" in capsys.readouterr().err
    assert not list(tmp_path.iterdir())
