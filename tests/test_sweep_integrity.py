"""Stores and outputs of sweeps: nothing lost, nothing silently incomplete (issue 21, part 3).

Each test damages or contends for an output the way a user or a machine does (a deleted or
truncated chunk file, a builder changed between runs, two writers, a full disk, a read-only
folder, a garbage file) and checks the outcome against an independent reference: a fresh
uninterrupted sweep in memory, the files on disk as listed by the test itself, or the exit
status and the number of lines the command prints.
"""

from __future__ import annotations

import errno
import importlib
import json
import os
import subprocess
import sys
import time
import warnings
from pathlib import Path

import numpy as np
import pytest
import xarray as xr

import qheat.sweeps.run as runner
from qheat.errors import InvalidParameterError
from qheat.sweeps import sweep
from qheat.sweeps.store import (
    DONE_LOG,
    OutputLockedError,
    StoreWarning,
    WriterLock,
    ZarrSink,
    lock_path,
    verify_output,
)

from cli_helpers import run_cli

G, DT = np.linspace(0.1, 0.9, 10), np.linspace(0.5, 40.0, 6)
ARGS = ["sweep", "--g", "0.1:0.9:10", "--dt", "0.5:40:6", "--equation", "br"]
ARGS += ["--chunk-size", "4", "--no-progress"]
ENV = dict(os.environ, OMP_NUM_THREADS="1", OPENBLAS_NUM_THREADS="1")


@pytest.fixture(scope="module")
def whole() -> xr.Dataset:
    """The reference: the same sweep, uninterrupted, in memory."""
    return sweep(g=G, dt=DT, equations=["br"], chunk_size=4)


def one_line_error(status: int, err: str, *needles: str) -> None:
    """Exit 2, one line on stderr (no traceback), naming each of ``needles``."""
    assert status == 2, err
    assert len(err.strip().splitlines()) == 1 and "Traceback" not in err, err
    for needle in needles:
        assert needle in err, err


def cli_with_warnings(argv: list[str]) -> tuple[int, str, str]:
    """``run_cli`` with qheat's warnings shown (as the command line shows them: one line on
    stderr) instead of raised (the test suite's filter)."""
    with warnings.catch_warnings():
        warnings.simplefilter("always", RuntimeWarning)
        return run_cli(argv)


def chunk_files(out: Path, name: str = "J") -> list[Path]:
    """The chunk files of one array of a zarr store (named as the test sees them)."""
    return sorted(p for p in (out / name).iterdir() if not p.name.startswith("."))


def open_store(out: Path) -> xr.Dataset:
    with xr.open_dataset(out, engine="zarr") as ds:
        return ds.load()


# --- a chunk lost on disk ------------------------------------------------------------------


@pytest.mark.parametrize("damage", ["deleted", "truncated"])
def test_resume_reads_back_and_recomputes_a_damaged_chunk(
    damage: str, tmp_path: Path, whole: xr.Dataset
) -> None:
    """A J chunk file deleted (zarr would read NaN) or truncated (blosc fails): --verify says
    so, --resume warns, computes that chunk again, and the store equals the reference."""
    out = tmp_path / "p.zarr"
    assert run_cli([*ARGS, "--out", str(out)])[0] == 0
    victim = chunk_files(out)[3]
    if damage == "deleted":
        victim.unlink()
    else:
        victim.write_bytes(victim.read_bytes()[:10])
    status, _, err = run_cli(["sweep", "--verify", "--out", str(out)])
    one_line_error(status, err, "incomplete", "19 of 20 chunks", "--resume")
    with pytest.warns(StoreWarning, match=r"1 of the chunks listed as written .* computed again"):
        resumed = sweep(g=G, dt=DT, equations=["br"], chunk_size=4, out=out, resume=True)
    xr.testing.assert_identical(resumed.load(), whole)
    xr.testing.assert_identical(open_store(out), whole)
    status, text, _ = run_cli(["sweep", "--verify", "--out", str(out)])
    assert status == 0 and "complete, 20 of 20 chunks" in text


def test_cli_resume_of_a_deleted_chunk_does_not_claim_it_written(tmp_path: Path) -> None:
    """The issue's reproducer: the plan must not count the lost chunk as written."""
    out = tmp_path / "p.zarr"
    assert run_cli([*ARGS, "--out", str(out)])[0] == 0
    chunk_files(out, "condition_number")[0].unlink()  # a diagnostic: its file is checked too
    status, text, err = cli_with_warnings([*ARGS, "--out", str(out), "--resume"])
    assert status == 0, err
    assert "19 already written" in text and "StoreWarning" in err and "missing" in err
    assert np.isfinite(open_store(out)["condition_number"]).all()


def test_truncated_netcdf_part_is_recomputed(tmp_path: Path, whole: xr.Dataset) -> None:
    """A netCDF sweep interrupted with a truncated chunk file in <out>.parts."""
    out = tmp_path / "p.nc"
    calls = []
    original = runner.evaluate_chunk

    def stop_after_five(spec: runner.ChunkSpec, task: runner.ChunkTask) -> dict:
        calls.append(task.number)
        if len(calls) > 5:
            raise KeyboardInterrupt
        return original(spec, task)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(runner, "evaluate_chunk", stop_after_five)
        with pytest.raises(KeyboardInterrupt):
            sweep(g=G, dt=DT, equations=["br"], chunk_size=4, out=out)
    parts = sorted((tmp_path / "p.nc.parts").glob("chunk-*.npz"))
    assert len(parts) == 5  # the timed chunk and four more
    parts[2].write_bytes(parts[2].read_bytes()[:50])
    with pytest.warns(StoreWarning, match="does not load"):
        resumed = sweep(g=G, dt=DT, equations=["br"], chunk_size=4, out=out, resume=True)
    xr.testing.assert_identical(resumed, whole)
    with xr.open_dataset(out, engine="h5netcdf") as back:
        xr.testing.assert_identical(back.load(), whole)


# --- figures of incomplete or garbage files ------------------------------------------------


def test_figure_of_an_incomplete_store_says_what_is_missing(tmp_path: Path) -> None:
    out = tmp_path / "p.zarr"
    assert run_cli([*ARGS, "--out", str(out)])[0] == 0
    chunk_files(out)[0].unlink()  # the first 4 points (one dt row: chunks of 4 of 6 dt)
    figure = tmp_path / "f.png"
    status, _, err = cli_with_warnings(["figure", "--sweep", str(out), "--figure", str(figure)])
    assert status == 0 and figure.exists()
    assert "StoreWarning" in err and "4 of 60 points have no current" in err
    for path in chunk_files(out):
        path.unlink()
    status, _, err = run_cli(["figure", "--sweep", str(out), "--figure", str(figure)])
    one_line_error(status, err, "no point", "has a current")


@pytest.mark.parametrize("name", ["garbage.nc", "garbage.zarr"])
def test_figure_of_a_garbage_file_is_one_line(name: str, tmp_path: Path) -> None:
    path = tmp_path / name
    if name.endswith(".zarr"):
        path.mkdir()
        (path / "junk").write_text("not a store")
    else:
        path.write_bytes(np.random.default_rng(1).bytes(3000))
    status, _, err = run_cli(["figure", "--sweep", str(path), "--figure", str(tmp_path / "f.png")])
    one_line_error(status, err, str(path), "not a readable")


# --- a Python builder changed between runs -------------------------------------------------

BUILDER = """
import qheat

GAMMA = {gamma}
LOCK = {lock}


def build(g, dt):
    LOCK
    return qheat.paper_system(5.0, 4.0, g, GAMMA, 0.01, 50.0, 5.0 + dt, 5.0)
"""


def builder_module(folder: Path, gamma: float, lock: str = "None") -> object:
    """A module ``userbuild`` with a builder reading the global GAMMA (imported afresh)."""
    (folder / "userbuild.py").write_text(BUILDER.format(gamma=gamma, lock=lock))
    sys.modules.pop("userbuild", None)
    sys.path.insert(0, str(folder))
    try:
        return importlib.import_module("userbuild")
    finally:
        sys.path.remove(str(folder))


def interrupted(build: object, out: Path) -> None:
    """A zarr sweep of ``build`` whose log lists half of its chunks."""
    sweep(build, {"g": G, "dt": DT}, equations=["br"], chunk_size=4, out=out)
    lines = (out / DONE_LOG).read_text().split()
    (out / DONE_LOG).write_text("".join(f"{n}\n" for n in lines[:7]))


def test_resume_refuses_a_builder_whose_global_changed(tmp_path: Path) -> None:
    out = tmp_path / "p.zarr"
    interrupted(builder_module(tmp_path, 0.01).build, out)  # type: ignore[attr-defined]
    changed = builder_module(tmp_path, 0.02).build  # type: ignore[attr-defined]
    with pytest.raises(InvalidParameterError, match="differs in builder"):
        sweep(changed, {"g": G, "dt": DT}, equations=["br"], chunk_size=4, out=out, resume=True)
    same = builder_module(tmp_path, 0.01).build  # type: ignore[attr-defined]
    ds = sweep(same, {"g": G, "dt": DT}, equations=["br"], chunk_size=4, out=out, resume=True)
    expected = sweep(same, {"g": G, "dt": DT}, equations=["br"], chunk_size=4)
    np.testing.assert_array_equal(ds["J"].values, expected["J"].values)


def test_resume_refuses_a_builder_that_computes_otherwise_at_the_first_point(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """What the identity cannot see (here: the identity forced equal) the probe of the
    currents at the first point still catches."""
    out = tmp_path / "p.zarr"
    interrupted(builder_module(tmp_path, 0.01).build, out)  # type: ignore[attr-defined]
    stored = json.loads((out / "sweep.json").read_text())["builder"]
    changed = builder_module(tmp_path, 0.02).build  # type: ignore[attr-defined]
    monkeypatch.setattr(runner, "builder_info", runner.builder_info)
    info = runner.builder_info(changed)
    object.__setattr__(info, "identity", stored)
    grid = runner.make_grid({"g": G, "dt": DT}, info=info)
    with pytest.raises(InvalidParameterError, match="other currents at the grid's first point"):
        runner.prepare_grid(
            grid,
            info=info,
            equations=runner.equations_named(["br"]),
            chunk_size=4,
            scheduler=runner.Serial(),
            out=out,
            resume=True,
        )


def test_resume_says_what_it_cannot_fingerprint(tmp_path: Path) -> None:
    out = tmp_path / "p.zarr"
    lock = "__import__('threading').Lock()"
    build = builder_module(tmp_path, 0.01, lock).build  # type: ignore[attr-defined]
    interrupted(build, out)
    with pytest.warns(StoreWarning, match=r"global LOCK \(lock\).*cannot be fingerprinted"):
        sweep(build, {"g": G, "dt": DT}, equations=["br"], chunk_size=4, out=out, resume=True)


# --- one writer per output -----------------------------------------------------------------

SLOW = ["sweep", "--g", "0.1:0.9:40", "--dt", "0.5:40:30", "--equation", "br"]
SLOW += ["--chunk-size", "1", "--no-progress"]


def start_writer(out: Path, *extra: str) -> subprocess.Popen[bytes]:
    code = f"import sys; from qheat.cli import main; sys.exit(main({[*SLOW, '--out', str(out), *extra]!r}))"
    proc = subprocess.Popen([sys.executable, "-c", code], env=ENV, stdout=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    while not (out / DONE_LOG).exists() and time.monotonic() < deadline:
        assert proc.poll() is None, "the first writer ended before the second started"
        time.sleep(0.01)
    assert lock_path(out).exists()
    return proc


def test_overwrite_during_another_run_is_refused(tmp_path: Path) -> None:
    """The issue: --overwrite 10 s into another run left orphan chunks and a traceback."""
    out = tmp_path / "p.zarr"
    first = start_writer(out)
    status, _, err = run_cli([*SLOW, "--out", str(out), "--overwrite"])
    one_line_error(status, err, "being written by another qheat sweep", f"pid {first.pid}")
    assert first.wait(timeout=300) == 0
    assert verify_output(out).complete
    assert sorted(p.name for p in tmp_path.iterdir()) == ["p.zarr"]  # no lock, no *.tmp


def test_two_new_sweeps_of_one_output_leave_one_complete_store(tmp_path: Path) -> None:
    """Both prepared before either wrote (the race of two identical new sweeps): the second
    to execute is refused in one line, and no temporary store is left behind."""
    out = tmp_path / "p.zarr"
    info = runner.builder_info(None)
    grid = runner.make_grid({"g": np.linspace(0.1, 0.9, 40), "dt": np.linspace(0.5, 40, 30)})
    second = runner.prepare_grid(
        grid,
        info=info,
        equations=runner.equations_named(["br"]),
        chunk_size=1,
        scheduler=runner.Serial(),
        out=out,
    )
    first = start_writer(out)
    with pytest.raises(OutputLockedError, match="being written by another qheat sweep"):
        runner.execute(second, runner.Serial(), progress=False)
    assert first.wait(timeout=300) == 0
    assert verify_output(out).complete
    assert sorted(p.name for p in tmp_path.iterdir()) == ["p.zarr"]
    with pytest.raises(InvalidParameterError, match="created by another sweep"):
        runner.execute(second, runner.Serial(), progress=False)  # the lock is free now


def test_a_stale_lock_is_taken_over(tmp_path: Path, whole: xr.Dataset) -> None:
    """A writer killed with its lock: a pid that is not alive on this host."""
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    out = tmp_path / "p.zarr"
    record = {"pid": dead.pid, "host": os.uname().nodename, "since": time.time()}
    lock_path(out).write_text(json.dumps(record))
    (tmp_path / "p.zarr.999999.tmp").mkdir()  # a half-made store of that writer
    ds = sweep(g=G, dt=DT, equations=["br"], chunk_size=4, out=out)
    xr.testing.assert_identical(ds.load(), whole)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["p.zarr"]


def test_lock_of_a_live_process_blocks_even_a_dry_run_in_one_line(tmp_path: Path) -> None:
    out = tmp_path / "p.zarr"
    with WriterLock(out):  # this process plays the other writer: a subprocess asks
        code = f"import sys; from qheat.cli import main; sys.exit(main({[*ARGS, '--out', str(out), '--dry-run']!r}))"
        proc = subprocess.run(
            [sys.executable, "-c", code], env=ENV, capture_output=True, text=True, timeout=120
        )
    one_line_error(proc.returncode, proc.stderr, "being written by another qheat sweep")
    assert "60 points" in proc.stdout  # the plan is printed all the same
    assert not lock_path(out).exists()


# --- storage errors: one line, data kept ---------------------------------------------------


def test_disk_full_mid_run_keeps_the_chunks_written(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, whole: xr.Dataset
) -> None:
    out = tmp_path / "p.zarr"
    original = ZarrSink.write_region
    writes: list[int] = []

    def full_after_four(self: ZarrSink, number: int, arrays: dict) -> None:
        writes.append(number)
        if len(writes) > 4:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(self.path / "J" / "x"))
        original(self, number, arrays)

    monkeypatch.setattr(ZarrSink, "write_region", full_after_four)
    status, _, err = run_cli([*ARGS, "--out", str(out)])
    one_line_error(status, err, "No space left on device", "4 chunks written so far are kept")
    monkeypatch.setattr(ZarrSink, "write_region", original)
    report = verify_output(out)
    assert (report.written, report.bad, report.missing) == (4, {}, 16)
    assert not lock_path(out).exists()
    stored = open_store(out)["J"].values
    done = np.isfinite(stored).all(axis=(0, 1))
    np.testing.assert_array_equal(stored[..., done], whole["J"].values[..., done])
    assert run_cli([*ARGS, "--out", str(out), "--resume"])[0] == 0
    xr.testing.assert_identical(open_store(out), whole)


def test_disk_full_writing_the_netcdf_file_keeps_the_parts(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, whole: xr.Dataset
) -> None:
    out = tmp_path / "p.nc"

    def full(self: xr.Dataset, path: Path, **_: object) -> None:
        Path(path).write_bytes(b"half a file")
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(path))

    monkeypatch.setattr(xr.Dataset, "to_netcdf", full)
    status, _, err = run_cli([*ARGS, "--out", str(out)])
    one_line_error(status, err, "No space left on device", "20 chunks", "p.nc.parts")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["p.nc.parts"]  # no half file
    monkeypatch.undo()
    assert run_cli([*ARGS, "--out", str(out), "--resume"])[0] == 0
    with xr.open_dataset(out, engine="h5netcdf") as back:
        xr.testing.assert_identical(back.load(), whole)


@pytest.mark.parametrize("where", ["under a file", "read-only"])
def test_an_output_that_cannot_be_written_is_one_line(where: str, tmp_path: Path) -> None:
    if where == "under a file":
        (tmp_path / "f.txt").write_text("a regular file")
        out, needle = tmp_path / "f.txt" / "p.zarr", "is a regular file"
    else:  # a folder the kernel refuses files in, even to root
        out, needle = Path("/sys/qheat-test.zarr"), "cannot write"
    status, _, err = run_cli([*ARGS, "--out", str(out)])
    one_line_error(status, err, needle, str(out))


def test_bath_names_with_control_characters_are_refused_at_write_time(tmp_path: Path) -> None:
    """NUL would be dropped silently by netCDF and zarr ("L\\0" read back as "L")."""
    device = tmp_path / "d.toml"
    for name, shown in (("L\\u0000", "'L\\x00'"), ("L\\nx", "'L\\nx'")):
        device.write_text(
            "[parameters]\ntM = 0.5\n[device]\nqubits = 2\n"
            'hamiltonian = [[0.5, "ZI"], [0.4, "IZ"], [0.1, "XX"]]\n'
            f'[[baths]]\nname = "{name}"\ncoupling = "XI"\nspectral_density = "drude"\n'
            "gamma = 0.01\nomega_d = 40.0\nt = 1.0\n"
            '[[baths]]\nname = "R"\ncoupling = "IX"\nspectral_density = "drude"\n'
            'gamma = 0.01\nomega_d = 40.0\nt = "tM"\n'
        )
        for out in ("d.nc", "d.zarr"):
            argv = ["sweep", "--device", str(device), "--param", "tM=0.2:1:3"]
            status, _, err = run_cli([*argv, "--out", str(tmp_path / out), "--no-progress"])
            one_line_error(status, err, shown, "control character")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["d.toml"]


def test_unreachable_dask_address_fails_quickly_in_one_line() -> None:
    import socket

    with socket.socket() as s:  # a port nothing listens on (bound, never listening)
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
        started = time.monotonic()
        status, _, err = run_cli(
            [*ARGS, "--scheduler", "dask", "--address", f"tcp://127.0.0.1:{port}"]
        )
    one_line_error(status, err, f"--address tcp://127.0.0.1:{port}", "no Dask scheduler")
    assert time.monotonic() - started < 15


# --- the disk estimate ---------------------------------------------------------------------


@pytest.mark.parametrize("chunk_size", [1, 4, 60])
def test_disk_estimate_bounds_the_space_taken(chunk_size: int, tmp_path: Path) -> None:
    """The plan's disk figure against the blocks the file system allocated (os.stat), for
    chunks down to one point, where per-file overhead dominates (the old estimate counted
    8 bytes per value: 40x too little at one point per chunk)."""
    out = tmp_path / "p.zarr"
    argv = [*ARGS[:-3], "--chunk-size", str(chunk_size), "--no-progress", "--out", str(out)]
    status, text, _ = run_cli(argv)
    assert status == 0
    # the plan line "output ...: ... (...), 1.23 MB still to write on disk"
    words = next(line for line in text.splitlines() if "on disk" in line).split(", ")[-1].split()
    factor = {"B": 1, "kB": 1e3, "MB": 1e6, "GB": 1e9}[words[1]]
    estimate = float(words[0]) * factor
    used = sum(
        p.stat().st_blocks * 512 for p in [out, *out.rglob("*")]
    )  # allocated blocks of every file and folder
    assert used <= estimate * 1.005 and estimate <= 1.5 * used, (used, estimate)
