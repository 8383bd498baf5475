"""The same sweep on a Dask cluster (started here) and on local processes equals the serial run;
workers killed mid-sweep lose no written chunk."""

from __future__ import annotations

import multiprocessing
import os
import signal
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import dask
import distributed
import numpy as np
import pytest
import xarray as xr

import qheat
from qheat.sweeps import Dask, Processes, paper_point, sweep
from qheat.sweeps.schedulers import ChunkLostError
from qheat.sweeps.store import DONE_LOG

PLANE = {
    "g": np.array([0.1, 0.4, 0.8]),
    "dt": np.array([1.0, 10.0, 40.0]),
    "eps1": 4.0,
    "eps2": 3.0,
}


def test_local_cluster_gives_the_serial_dataset(tmp_path: Path) -> None:
    serial = sweep(chunk_size=2, **PLANE)
    with (
        distributed.LocalCluster(
            n_workers=2, threads_per_worker=1, processes=False, dashboard_address=None
        ) as cluster,
        distributed.Client(cluster) as client,
    ):
        on_dask = sweep(chunk_size=2, scheduler=Dask(client=client), **PLANE)
        by_address = sweep(chunk_size=2, scheduler=Dask(address=cluster.scheduler_address), **PLANE)
        shared = Dask(client=client, shared_files=True)  # the workers write the store
        stored = sweep(chunk_size=2, scheduler=shared, out=tmp_path / "p.zarr", **PLANE)
        xr.testing.assert_identical(serial, stored)
    xr.testing.assert_identical(serial, on_dask)
    xr.testing.assert_identical(serial, by_address)
    assert sorted(written(tmp_path / "p.zarr")) == list(range(6))


def test_processes_give_the_serial_dataset() -> None:
    serial = sweep(chunk_size=3, equations=("br",), **PLANE)
    pool = sweep(chunk_size=3, equations=("br",), scheduler=Processes(2), **PLANE)
    xr.testing.assert_identical(serial, pool)


# Faults: workers that die mid-sweep. The builders are module-level (pickled by reference) and
# run in worker processes; the parent's own calls (probe, timed chunk) never die.

KILL_AT = 0.5  # the g value whose chunk kills its worker in dying_build


def slow_build(**params: object) -> qheat.OpenSystem:
    """The paper's model, a little slowly (the sweep lasts long enough to kill a worker)."""
    time.sleep(0.1)
    return paper_point(**params)  # type: ignore[arg-type]


def dying_build(**params: object) -> qheat.OpenSystem:
    """The paper's model; in a worker process, the chunk holding g = KILL_AT kills its own
    process: every time if QHEAT_TEST_KILL is "always", else once (a flag file remembers)."""
    mode, _, flag = os.environ.get("QHEAT_TEST_KILL", "").partition(":")
    hit = np.any(np.asarray(params["g"]) == KILL_AT)
    if mode and hit and multiprocessing.parent_process() is not None:
        if mode == "always" or not Path(flag).exists():
            Path(flag).touch()
            os.kill(os.getpid(), signal.SIGKILL)
    return paper_point(**params)  # type: ignore[arg-type]


GRID = {"g": np.array([0.2, 0.3, 0.4, KILL_AT]), "dt": np.array([1.0, 10.0, 40.0])}


def written(out: Path) -> list[int]:
    log = out / DONE_LOG
    return [int(x) for x in log.read_text().split()] if log.exists() else []


def test_killed_pool_worker_loses_only_its_chunk(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A process-pool worker killed once: the pool restarts, the chunk runs again, the
    result equals the serial sweep and every chunk is written exactly once."""
    monkeypatch.setenv("QHEAT_TEST_KILL", f"once:{tmp_path / 'killed'}")
    out = tmp_path / "p.zarr"
    ds = sweep(
        dying_build,
        GRID,
        equations=["br"],
        chunk_size=3,
        out=out,
        scheduler=Processes(2, retries=1),
    )
    assert (tmp_path / "killed").exists()  # a worker did die
    assert sorted(written(out)) == [0, 1, 2, 3]
    monkeypatch.delenv("QHEAT_TEST_KILL")
    xr.testing.assert_identical(ds, sweep(dying_build, GRID, equations=["br"], chunk_size=3))


def test_a_chunk_that_always_kills_its_worker_stops_the_sweep_by_name(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("QHEAT_TEST_KILL", f"always:{tmp_path / 'killed'}")
    out = tmp_path / "p.zarr"
    with pytest.raises(ChunkLostError, match=r"chunk 3 \(points 9 to 11\).*BrokenProcessPool"):
        sweep(
            dying_build,
            GRID,
            equations=["br"],
            chunk_size=3,
            out=out,
            scheduler=Processes(2, retries=1),
        )
    kept = written(out)
    assert 0 in kept and 3 not in kept  # the chunks written before are kept, and correct
    monkeypatch.delenv("QHEAT_TEST_KILL")
    whole = sweep(dying_build, GRID, equations=["br"], chunk_size=3)
    with xr.open_zarr(out) as back:
        for k in kept:
            xr.testing.assert_identical(back.isel(g=k).load(), whole.isel(g=k))


@pytest.fixture(scope="module")
def cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[distributed.LocalCluster]:
    """Two worker processes on loopback; Dask gives up on a task at the first death of its
    worker (KilledWorker), so the sweep's own retries take over."""
    flag = tmp_path_factory.mktemp("kill") / "killed"
    os.environ["QHEAT_TEST_KILL"] = f"always:{flag}"  # read by dying_build in the workers
    try:
        with dask.config.set({"distributed.scheduler.allowed-failures": 0}):
            with distributed.LocalCluster(
                n_workers=2,
                threads_per_worker=1,
                processes=True,
                host="127.0.0.1",
                dashboard_address=None,
            ) as running:
                yield running
    finally:
        os.environ.pop("QHEAT_TEST_KILL", None)


def test_killed_dask_worker_keeps_the_written_chunks(
    tmp_path: Path, cluster: distributed.LocalCluster
) -> None:
    """kill -9 of a Dask worker process mid-sweep (the workers write the store): its chunks
    run again elsewhere; the chunks written before stay, each chunk is listed once, the
    currents equal the serial sweep's."""
    out = tmp_path / "p.zarr"
    grid = {"g": np.linspace(0.1, 0.9, 12), "dt": np.array([1.0, 20.0])}
    with distributed.Client(cluster) as client:
        victim = next(iter(client.run(os.getpid).values()))
        before: list[list[int]] = []

        def kill_when_some_are_written() -> None:
            deadline = time.monotonic() + 60
            while len(written(out)) < 3 and time.monotonic() < deadline:
                time.sleep(0.005)
            before.append(written(out))
            os.kill(victim, signal.SIGKILL)

        killer = threading.Thread(target=kill_when_some_are_written)
        killer.start()
        ds = sweep(
            slow_build,
            grid,
            equations=["br"],
            chunk_size=2,
            out=out,
            scheduler=Dask(client=client, shared_files=True),
        )
        killer.join()
    assert 3 <= len(before[0]) < 12
    done = written(out)
    assert done[: len(before[0])] == before[0] and sorted(done) == list(range(12))
    serial = sweep(paper_point, grid, equations=["br"], chunk_size=2)  # the same, not slowed
    for name in serial.data_vars:
        np.testing.assert_array_equal(ds[name].values, serial[name].values)


def test_dask_chunk_that_always_kills_its_worker_is_named(
    tmp_path: Path, cluster: distributed.LocalCluster
) -> None:
    """Chunk 3 (points 9 to 11, g = KILL_AT) kills its worker every time. With no retries the
    sweep stops naming a lost chunk: chunk 3, or a chunk that was running on the same worker
    when it died (Dask loses it too); neither is listed as written, chunk 0 is."""
    with (
        distributed.Client(cluster) as client,
        pytest.raises(
            ChunkLostError, match=r"chunk \d+ \(points \d+ to \d+\).*KilledWorker"
        ) as info,
    ):
        sweep(
            dying_build,
            GRID,
            equations=["br"],
            chunk_size=3,
            out=tmp_path / "p.zarr",
            scheduler=Dask(client=client, retries=0),
        )
    named = int(str(info.value).split("chunk ")[1].split(" ")[0])
    done = written(tmp_path / "p.zarr")
    assert named not in done and 3 not in done and 0 in done
