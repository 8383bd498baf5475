"""A sweep killed midway (SIGKILL) and resumed recomputes only the missing chunks and equals an
uninterrupted run."""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest
import xarray as xr

import qheat.sweeps.run as runner
from qheat.sweeps import sweep

ARGS = ["sweep", "--g", "0.1:0.9:40", "--dt", "0.5:40:10", "--equation", "br",
        "--chunk-size", "1", "--no-progress"]


def test_killed_sweep_resumes_without_recomputing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    out = tmp_path / "plane.nc"
    parts = tmp_path / "plane.nc.parts"
    code = f"from qheat.cli import main; main({ARGS + ['--out', str(out)]!r})"
    env = dict(os.environ, OMP_NUM_THREADS="1", OPENBLAS_NUM_THREADS="1")
    proc = subprocess.Popen([sys.executable, "-c", code], env=env)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and len(list(parts.glob("chunk-*.npz"))) < 10:
        assert proc.poll() is None, "the sweep finished before it could be killed"
        time.sleep(0.005)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    assert not out.exists()
    done = {p.name: p.stat().st_mtime_ns for p in parts.glob("chunk-*.npz")}
    assert 10 <= len(done) < 400
    (parts / "chunk-000399.npz.4242.tmp").write_bytes(b"half a chunk")  # as a crash leaves it

    computed: list[int] = []
    original = runner.evaluate_chunk

    def counting(task: runner.ChunkTask) -> dict[str, np.ndarray]:
        if not computed:  # the chunks written before the kill are still there, untouched
            assert {p.name: p.stat().st_mtime_ns for p in parts.glob("chunk-*.npz")} == done
        computed.append(task.number)
        return original(task)

    monkeypatch.setattr(runner, "evaluate_chunk", counting)
    g, dt = np.linspace(0.1, 0.9, 40), np.linspace(0.5, 40, 10)
    resumed = sweep(g=g, dt=dt, equations=("br",), chunk_size=1, out=out, resume=True)
    finished = {int(name[6:12]) for name in done}
    assert sorted(computed) == sorted(set(range(400)) - finished)

    monkeypatch.setattr(runner, "evaluate_chunk", original)
    whole = sweep(g=g, dt=dt, equations=("br",), chunk_size=1)
    xr.testing.assert_identical(resumed, whole)
    with xr.open_dataset(out, engine="h5netcdf") as back:
        xr.testing.assert_identical(back.load(), whole)
    assert not parts.exists()
