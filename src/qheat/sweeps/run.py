"""``sweep``: currents of the paper's model over a named grid, chunk by chunk, as a Dataset.

Memory: the working set of one chunk is about 11 kB per point (the block Liouvillians of both
equations, their inverses and temporaries; measured with ``tracemalloc``), so the default chunk
of 4096 points uses about 45 MB per worker whatever the grid size; the assembled result holds
8 bytes per variable per point (5 per equation, plus the suppression ratio: 11 variables, 88
bytes a point for both equations, 88 MB for 10^6 points), gathered in the calling process.
"""

from __future__ import annotations

import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import xarray as xr
from numpy.typing import ArrayLike, NDArray
from tqdm import tqdm

from ..errors import InvalidParameterError
from ..master.equations import warn_if_not_secular
from ..steady.solve import check_steady_state
from .dataset import build_dataset, write_dataset
from .engine import EQUATIONS, evaluate_points
from .grid import Grid, make_grid
from .schedulers import Scheduler, Serial
from .store import ChunkStore

__all__ = ["sweep", "run_grid", "ChunkTask", "evaluate_chunk", "DEFAULT_CHUNK_SIZE"]

FloatArray = NDArray[np.float64]

DEFAULT_CHUNK_SIZE = 4096
"""Points per chunk (about 45 MB of working memory per worker, see the module docstring)."""


@dataclass(frozen=True)
class ChunkTask:
    """One chunk: the grid, the flat point range and what to compute."""

    grid: Grid
    number: int
    start: int
    stop: int
    equations: tuple[str, ...]
    lamb_shift: bool


def evaluate_chunk(task: ChunkTask) -> dict[str, FloatArray]:
    """The flat result arrays of one chunk, keyed by dataset variable name."""
    results = evaluate_points(task.grid.points(task.start, task.stop), task.equations, task.lamb_shift)
    out: dict[str, FloatArray] = {}
    for name, r in results.items():
        out[f"J1_{name}"] = r.J1
        out[f"J2_{name}"] = r.J2
        out[f"min_eigenvalue_{name}"] = r.min_eigenvalue
        out[f"condition_number_{name}"] = r.condition_number
        if r.secular_ratio is not None:
            out[f"secular_ratio_{name}"] = np.ascontiguousarray(r.secular_ratio)
    return out


def sweep(
    *,
    equations: Sequence[str] = EQUATIONS,
    lamb_shift: bool = True,
    zipped: bool = False,
    chunk_size: int = DEFAULT_CHUNK_SIZE,
    scheduler: Scheduler | None = None,
    out: str | Path | None = None,
    resume: bool = False,
    progress: bool | None = None,
    **params: ArrayLike,
) -> xr.Dataset:

    """Heat currents of the paper's model over a grid of named parameters.

    Args:
        equations: master equations to solve, among ``("br", "lindblad")``.
        lamb_shift: keep ``S(w)``; False sets ``S = 0`` everywhere (QuTiP's convention).
        zipped: read the array parameters side by side along one dimension ``point``
            (equal lengths) instead of forming their cartesian product.
        chunk_size: points per chunk (the unit of work, of memory and of ``resume``).
        scheduler: :class:`~qheat.sweeps.schedulers.Serial` (default),
            :class:`~qheat.sweeps.schedulers.Processes` or :class:`~qheat.sweeps.schedulers.Dask`.
        out: write the Dataset there (``.nc``: netCDF through h5netcdf; ``.zarr``: zarr).
            Chunks are kept in ``<out>.parts`` until the file is complete.
        resume: reuse the chunks already in ``<out>.parts`` (needs ``out``).
        progress: show a progress bar over chunks (default: only on a terminal).
        **params: ``eps1, eps2, g, gamma1, gamma2, omega_d, t2`` and ``t1`` or ``dt``; a scalar
            is fixed, a 1-D array is an axis (dimension named after it). Unnamed ones take the
            defaults of ``qheat current`` (``dt = 0``).

    Returns:
        ``xarray.Dataset`` with, for each equation ``E``, ``J1_E``, ``J2_E``,
        ``min_eigenvalue_E``, ``condition_number_E`` and ``conservation_residual_E``, and
        ``suppression_ratio`` (``J1_br / J1_lindblad``) when both equations are asked.

    Raises:
        InvalidParameterError: a bad parameter, equation, chunk size or resume request.
        NonUniqueSteadyStateError: no unique steady state at some point (fails fast).

    Warns:
        IllConditionedWarning, PositivityWarning: once per sweep, with the number of points.

    Example:
        >>> import numpy as np
        >>> ds = sweep(g=np.array([0.1, 0.5]), dt=np.array([1.0, 10.0]), equations=("br",))
        >>> ds["J1_br"].dims, ds["J1_br"].shape
        (('g', 'dt'), (2, 2))
    """
    grid = make_grid(params, zipped=zipped)
    return run_grid(
        grid,
        equations=tuple(equations),
        lamb_shift=lamb_shift,
        chunk_size=chunk_size,
        scheduler=scheduler,
        out=None if out is None else Path(out),
        resume=resume,
        progress=progress,
    )


def run_grid(
    grid: Grid,
    *,
    equations: tuple[str, ...],
    lamb_shift: bool,
    chunk_size: int,
    scheduler: Scheduler | None,
    out: Path | None,
    resume: bool,
    progress: bool | None,
) -> xr.Dataset:

    """:func:`sweep` on a ready :class:`~qheat.sweeps.grid.Grid` (the CLI's entry point)."""
    if not equations or set(equations) - set(EQUATIONS) or len(set(equations)) < len(equations):
        raise InvalidParameterError(
            f"equations must be distinct names among {EQUATIONS}, got {list(equations)}"
        )
    if not (isinstance(chunk_size, int) and chunk_size >= 1):
        raise InvalidParameterError(f"chunk_size must be an integer >= 1, got {chunk_size!r}")
    if resume and out is None:
        raise InvalidParameterError("resume needs an output file (out=...)")
    if out is not None and out.suffix not in (".nc", ".zarr"):
        raise InvalidParameterError(f"out must end in .nc or .zarr, got {out.name!r}")
    scheduler = scheduler or Serial()
    n_chunks = grid.n_chunks(chunk_size)
    store = None
    done: set[int] = set()
    if out is not None:
        manifest = {
            "grid": grid.fingerprint(),
            "equations": list(equations),
            "lamb_shift": lamb_shift,
            "chunk_size": chunk_size,
        }
        store = ChunkStore.for_output(out, manifest, resume)
        done = store.done()
    columns: dict[str, FloatArray] = {}

    def keep(number: int, arrays: Mapping[str, FloatArray]) -> None:
        start = number * chunk_size
        for name, values in arrays.items():
            if name not in columns:
                columns[name] = np.full(grid.size, np.nan)
            columns[name][start : start + values.size] = values

    for number in sorted(done):
        assert store is not None
        keep(number, store.read(number))
    tasks = [
        ChunkTask(grid, k, k * chunk_size, min((k + 1) * chunk_size, grid.size), equations, lamb_shift)
        for k in range(n_chunks)
        if k not in done
    ]
    bar = tqdm(
        total=n_chunks,
        initial=len(done),
        unit="chunk",
        desc="sweep",
        disable=(not _isatty()) if progress is None else not progress,
    )
    with bar:
        for task, arrays in scheduler.imap(evaluate_chunk, tasks):
            if store is not None:
                store.write(task.number, arrays)
            keep(task.number, arrays)
            bar.update(1)
    ds = build_dataset(grid, columns, equations, lamb_shift)
    _warn(ds, equations)
    if out is not None and store is not None:
        write_dataset(ds, out)
        store.remove()
    return ds


def _isatty() -> bool:
    return sys.stderr.isatty()


def _warn(ds: xr.Dataset, equations: tuple[str, ...]) -> None:
    """One warning per equation and kind for the whole sweep (ill-conditioned, non-positive,
    or secular equation outside its validity)."""
    for name in equations:
        check_steady_state(
            np.asarray(ds[f"condition_number_{name}"]),
            np.asarray(ds[f"min_eigenvalue_{name}"]),
            label=name,
            stacklevel=5,
        )
        if f"secular_ratio_{name}" in ds:
            warn_if_not_secular(name, np.asarray(ds[f"secular_ratio_{name}"]), stacklevel=5)
