"""Sweeps of the paper's model over named parameter grids, returned as ``xarray.Dataset``.

``sweep(g=np.linspace(0.05, 1, 1000), dt=np.linspace(0.1, 100, 1000))`` computes, chunk by
chunk on a serial, process or Dask scheduler, the heat currents of both master equations over
the plane; :func:`ndtc_map` finds where the Bloch-Redfield current has negative differential
thermal conductance.
"""

from .grid import Grid, make_grid
from .run import DEFAULT_CHUNK_SIZE, run_grid, sweep
from .schedulers import Dask, Processes, Scheduler, Serial, scheduler_named

__all__ = [
    "DEFAULT_CHUNK_SIZE",
    "Dask",
    "Grid",
    "Processes",
    "Scheduler",
    "Serial",
    "make_grid",
    "run_grid",
    "scheduler_named",
    "sweep",
]
