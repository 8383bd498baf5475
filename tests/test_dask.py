"""The same sweep on a Dask cluster (started here) and on local processes equals the serial run."""

import distributed
import numpy as np
import xarray as xr

from qheat.sweeps import Dask, Processes, sweep

PLANE = {"g": np.array([0.1, 0.4, 0.8]), "dt": np.array([1.0, 10.0, 40.0]), "eps1": 4.0, "eps2": 3.0}


def test_local_cluster_gives_the_serial_dataset() -> None:
    serial = sweep(chunk_size=2, **PLANE)
    with distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=False, dashboard_address=None
    ) as cluster, distributed.Client(cluster) as client:
        on_dask = sweep(chunk_size=2, scheduler=Dask(client=client), **PLANE)
        by_address = sweep(chunk_size=2, scheduler=Dask(address=cluster.scheduler_address), **PLANE)
    xr.testing.assert_identical(serial, on_dask)
    xr.testing.assert_identical(serial, by_address)


def test_processes_give_the_serial_dataset() -> None:
    serial = sweep(chunk_size=3, equations=("br",), **PLANE)
    xr.testing.assert_identical(serial, sweep(chunk_size=3, equations=("br",), scheduler=Processes(2), **PLANE))
