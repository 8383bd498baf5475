"""Sweeps of any system over named parameter grids, returned as ``xarray.Dataset``.

``sweep(g=np.linspace(0.05, 1, 1000), dt=np.linspace(0.1, 100, 1000))`` computes, chunk by
chunk on a serial, process or Dask scheduler, the heat currents of the paper's model over the
plane; ``sweep(device, {"tM": np.linspace(0.2, 2, 100)})`` does the same for a device file
or any builder. :func:`ndtc_map` finds where the Bloch-Redfield current has negative
differential thermal conductance.
"""

from .builders import BuilderInfo, builder_info, paper_point
from .grid import Grid, make_grid
from .run import (
    DEFAULT_CHUNK_SIZE,
    EQUATION_NAMES,
    SweepPlan,
    equations_named,
    execute,
    prepare_grid,
    run_grid,
    sweep,
)
from .schedulers import ChunkLostError, Dask, Processes, Scheduler, Serial, scheduler_named

__all__ = [
    "DEFAULT_CHUNK_SIZE",
    "EQUATION_NAMES",
    "BuilderInfo",
    "ChunkLostError",
    "Dask",
    "Grid",
    "Processes",
    "Scheduler",
    "Serial",
    "SweepPlan",
    "builder_info",
    "equations_named",
    "execute",
    "make_grid",
    "paper_point",
    "prepare_grid",
    "run_grid",
    "scheduler_named",
    "sweep",
]
