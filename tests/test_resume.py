"""A sweep killed midway (SIGKILL) and resumed recomputes only the missing chunks and equals an
uninterrupted run, for netCDF (chunk files in ``<out>.parts``) and zarr (the store itself)."""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest
import xarray as xr
import zarr

import qheat.sweeps.run as runner
from qheat.sweeps import sweep
from qheat.sweeps.store import DONE_LOG, ChunkLayout

ARGS = [
    "sweep",
    "--g",
    "0.1:0.9:20",
    "--dt",
    "0.5:40:10",
    "--equation",
    "br",
    "--chunk-size",
    "2",
    "--no-progress",
]


def finished(out: Path) -> set[int]:
    """Chunks a reader of the output takes as done (independently of the sink classes)."""
    if out.suffix == ".nc":
        return {int(p.name[6:12]) for p in (out.parent / (out.name + ".parts")).glob("chunk-*.npz")}
    log = out / DONE_LOG
    return {int(x) for x in log.read_text().split("\n")[:-1]} if log.exists() else set()


@pytest.mark.parametrize("name", ["plane.nc", "plane.zarr"])
def test_killed_sweep_resumes_without_recomputing(
    name: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / name
    parts = tmp_path / (name + ".parts")
    code = f"from qheat.cli import main; main({ARGS + ['--out', str(out)]!r})"
    env = dict(os.environ, OMP_NUM_THREADS="1", OPENBLAS_NUM_THREADS="1")
    proc = subprocess.Popen([sys.executable, "-c", code], env=env, stdout=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    while (
        time.monotonic() < deadline
        and len(finished(out) if out.suffix == ".zarr" or parts.exists() else ()) < 10
    ):
        assert proc.poll() is None, "the sweep finished before it could be killed"
        time.sleep(0.005)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    done = finished(out)
    assert 10 <= len(done) < 100
    missing = sorted(set(range(100)) - done)
    if out.suffix == ".nc":
        assert not out.exists()
        (parts / "chunk-000099.npz.4242.tmp").write_bytes(b"half a chunk")  # as a crash leaves it
        stamps = {p.name: p.stat().st_mtime_ns for p in parts.glob("chunk-*.npz")}
    else:
        # as a kill between region writes leaves it: values in a chunk not listed as done,
        # and a torn last line of the log (no newline) naming another chunk
        layout = ChunkLayout((20, 10), 2)
        store = zarr.open_group(str(out), mode="r+", zarr_format=2)
        store["J"][(slice(None), slice(None)) + layout.region(missing[-1])] = 123.0
        with open(out / DONE_LOG, "a") as log:
            log.write(str(missing[-2]))
        assert finished(out) == done
        stamps = {"log": (out / DONE_LOG).read_text()}

    computed: list[int] = []
    original = runner.evaluate_chunk

    def counting(spec: runner.ChunkSpec, task: runner.ChunkTask) -> dict[str, np.ndarray]:
        if not computed:  # the chunks written before the kill are still there, untouched
            if out.suffix == ".nc":
                assert {p.name: p.stat().st_mtime_ns for p in parts.glob("chunk-*.npz")} == stamps
            else:
                assert (out / DONE_LOG).read_text() == stamps["log"]
        computed.append(task.number)
        return original(spec, task)

    monkeypatch.setattr(runner, "evaluate_chunk", counting)
    g, dt = np.linspace(0.1, 0.9, 20), np.linspace(0.5, 40, 10)
    resumed = sweep(g=g, dt=dt, equations=("br",), chunk_size=2, out=out, resume=True)
    assert sorted(computed) == missing

    monkeypatch.setattr(runner, "evaluate_chunk", original)
    whole = sweep(g=g, dt=dt, equations=("br",), chunk_size=2)
    xr.testing.assert_identical(resumed, whole)
    engine = "h5netcdf" if out.suffix == ".nc" else "zarr"
    with xr.open_dataset(out, engine=engine) as back:
        xr.testing.assert_identical(back.load(), whole)
    assert not parts.exists()
