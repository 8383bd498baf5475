"""``sweep``: heat currents of any system over a named grid, chunk by chunk, as a Dataset.

A sweep calls a *builder* (:mod:`qheat.sweeps.builders`) on each chunk of grid points and
solves the batched system with :func:`qheat.solve` for every master equation: the one path
from a system to its currents.

Memory is bounded by the chunk, not by the grid: each worker holds one chunk's working set
(for the paper's model about 11 kB per point, so the default chunk of 4096 points takes about
45 MB), at most ``2 * workers`` chunks are in flight, and finished chunks go straight to their
sink (:mod:`qheat.sweeps.store`). A ``*.zarr`` output is written region by region and returned
opened lazily, so the calling process never holds an array of the grid's size; a ``*.nc``
output and a sweep without output hold the result in memory (8 bytes per variable per point)
and are refused when that exceeds the available memory.

Before any work, :func:`prepare_grid` checks what cannot work (an index beyond int64, a
result larger than memory, a disk without room, an existing output) and times one chunk
(kept, not recomputed) to estimate the run: :class:`SweepPlan`.
"""

from __future__ import annotations

import functools
import math
import shutil
import sys
import time
import warnings
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import xarray as xr
from numpy.typing import ArrayLike, NDArray
from tqdm import tqdm

from .._version import __version__
from ..api import check_equation
from ..errors import (
    DegenerateSteadyStateWarning,
    IllConditionedWarning,
    InvalidParameterError,
    PositivityWarning,
    SecularityWarning,
    WeakCouplingWarning,
)
from ..master import (
    BlochRedfield,
    GlobalLindblad,
    LocalLindblad,
    MasterEquation,
    UniversalLindblad,
)
from ..master.equations import SECULAR_RATIO_WARN
from ..steady.solve import DEGENERATE_MESSAGE, POSITIVITY_TOL, WARN_COND
from ..steady.validity import WEAK_COUPLING_WARN, weak_coupling_message
from .builders import BuilderInfo, builder_info
from .dataset import build_dataset, create_store, write_dataset
from .evaluate import VARIABLES, ChunkSpec, ChunkTask, evaluate_chunk, evaluate_system
from .grid import Grid, make_grid
from .schedulers import Scheduler, Serial
from .store import (
    INT64_MAX,
    ChunkLayout,
    MemorySink,
    PartsSink,
    Sink,
    ZarrSink,
    check_manifest,
    open_lazily,
    open_parts,
    read_manifest,
    remove_path,
)

__all__ = [
    "DEFAULT_CHUNK_SIZE",
    "EQUATION_NAMES",
    "Prepared",
    "SweepPlan",
    "equations_named",
    "execute",
    "prepare_grid",
    "run_grid",
    "sweep",
]

FloatArray = NDArray[np.float64]

DEFAULT_CHUNK_SIZE = 4096
"""Points per chunk (about 45 MB of working memory per worker for the paper's model)."""
STORE_FORMAT = 2
"""Version of the store layout recorded in the manifest (chunks as grid rectangles)."""

EQUATION_NAMES: dict[str, type] = {
    "br": BlochRedfield,
    "lindblad": GlobalLindblad,
    "local": LocalLindblad,
    "ule": UniversalLindblad,
}
"""Master equations a sweep (and the command line) accepts by name."""


def equations_named(
    equations: Sequence[str | MasterEquation] | str | MasterEquation, lamb_shift: bool = True
) -> tuple[MasterEquation, ...]:
    """Master-equation instances from names (:data:`EQUATION_NAMES`, ``"all"``) or instances.

    Raises:
        InvalidParameterError: an unknown name, a non-equation, none at all, or two equations
            with one name (the ``equation`` coordinate must be unique).
    """
    if isinstance(equations, str) or not isinstance(equations, Sequence):
        equations = [equations]  # type: ignore[list-item]
    if list(equations) == ["all"]:
        equations = list(EQUATION_NAMES)
    out: list[MasterEquation] = []
    for eq in equations:
        if isinstance(eq, str):
            if eq not in EQUATION_NAMES:
                raise InvalidParameterError(
                    f"equations: unknown name {eq!r}; allowed: {', '.join(EQUATION_NAMES)}, all, "
                    "or master-equation instances (e.g. qheat.PartialSecular(cutoff=0.1))"
                )
            out.append(EQUATION_NAMES[eq](lamb_shift=lamb_shift))
        else:
            out.append(check_equation(eq))
    names = [eq.name for eq in out]
    if not out or len(set(names)) < len(names):
        raise InvalidParameterError(
            f"equations must be one or more master equations with distinct names, got {names}"
        )
    return tuple(out)


def sweep(
    build: Any = None,
    grid: Mapping[str, ArrayLike] | None = None,
    *,
    equations: Sequence[str | MasterEquation] = ("br", "lindblad"),
    lamb_shift: bool = True,
    zipped: bool = False,
    chunk_size: int = DEFAULT_CHUNK_SIZE,
    scheduler: Scheduler | None = None,
    out: str | Path | None = None,
    resume: bool = False,
    overwrite: bool = False,
    progress: bool | None = None,
    **params: ArrayLike,
) -> xr.Dataset:
    """Heat currents of ``build(**params)`` over a grid of named parameters.

    Args:
        build: the system as a function of the parameters: ``None`` for the paper's model
            (:func:`qheat.sweeps.builders.paper_point`), a device
            (:func:`qheat.devices.load_device`), or any callable ``build(**params) ->
            OpenSystem`` that accepts flat arrays (a module-level function for the process
            and Dask schedulers, which pickle it).
        grid: parameter -> a scalar (fixed) or a 1-D array (an axis); keyword arguments
            ``**params`` add to it.
        equations: master equations, by name (``"br"``, ``"lindblad"``, ``"local"``,
            ``"ule"``, ``"all"``) or as instances (any object with ``name`` and
            ``generator(system)``, e.g. ``qheat.PartialSecular(cutoff=0.1)``).
        lamb_shift: for equations given by name: keep ``S(w)`` (False: ``S = 0``).
        zipped: read the axes side by side along one dimension ``point`` (equal lengths)
            instead of forming their cartesian product.
        chunk_size: at most this many points per chunk (the unit of work, of memory and of
            ``resume``; a chunk is a rectangle of the grid).
        scheduler: :class:`~qheat.sweeps.schedulers.Serial` (default),
            :class:`~qheat.sweeps.schedulers.Processes` or :class:`~qheat.sweeps.schedulers.Dask`.
        out: write the Dataset there. ``.zarr``: streamed chunk by chunk into a zarr store
            (any grid size; the Dataset returned is read lazily from it). ``.nc``: netCDF
            through h5netcdf (the grid must fit in memory; chunks wait in ``<out>.parts``).
        resume: continue an interrupted sweep of ``out``: only the chunks not yet written are
            computed; the stored sweep must be this one (grid, builder, equations, chunks,
            qheat version).
        overwrite: replace an existing ``out`` (otherwise an existing output is refused).
        progress: show a progress bar over chunks (default: only on a terminal).

    Returns:
        ``xarray.Dataset`` with ``J`` ``(equation, bath, *swept)`` and the diagnostics
        ``min_eigenvalue``, ``residual``, ``condition_number``, ``secular_ratio`` and
        ``conservation_residual`` ``(equation, *swept)`` (:mod:`qheat.sweeps.dataset`); each
        point equals :func:`qheat.solve` there.

    Raises:
        InvalidParameterError: a bad parameter, equation, chunk size or resume request; an
            existing output without ``overwrite``; a grid whose flat index exceeds int64; a
            result in memory (no ``out``, or ``.nc``) larger than the available memory; a
            disk without room for the output.
        NonUniqueSteadyStateError: no unique steady state at some point (fails fast).
        ChunkLostError: a chunk lost with its worker more often than the scheduler retries.

    Warns:
        IllConditionedWarning: once per sweep and equation, with the number of points.
        PositivityWarning: likewise.
        SecularityWarning: likewise.

    Example:
        >>> import numpy as np
        >>> ds = sweep(g=np.array([0.1, 0.5]), dt=np.array([1.0, 10.0]), equations=["br"])
        >>> ds["J"].dims, ds["J"].shape, [str(b) for b in ds.bath.values]
        (('equation', 'bath', 'g', 'dt'), (1, 2, 2, 2), ['1', '2'])
    """
    info = builder_info(build)
    values = {**(grid or {}), **params}
    return run_grid(
        make_grid(values, zipped=zipped, info=info),
        info=info,
        equations=equations_named(equations, lamb_shift),
        chunk_size=chunk_size,
        scheduler=scheduler,
        out=None if out is None else Path(out),
        resume=resume,
        overwrite=overwrite,
        progress=progress,
    )


def run_grid(
    grid: Grid,
    *,
    info: BuilderInfo,
    equations: tuple[MasterEquation, ...],
    chunk_size: int,
    scheduler: Scheduler | None,
    out: Path | None,
    resume: bool,
    progress: bool | None,
    overwrite: bool = False,
) -> xr.Dataset:
    """:func:`sweep` on a ready :class:`~qheat.sweeps.grid.Grid`."""
    scheduler = scheduler or Serial()
    prepared = prepare_grid(
        grid,
        info=info,
        equations=equations,
        chunk_size=chunk_size,
        scheduler=scheduler,
        out=out,
        resume=resume,
        overwrite=overwrite,
    )
    return execute(prepared, scheduler, progress)


@dataclass(frozen=True)
class SweepPlan:
    """What a sweep will take, known before it runs.

    Attributes:
        points: grid points.
        chunks: chunks in all; ``chunks_done`` of them already written (resume).
        chunk_points: points of a whole chunk.
        workers: tasks the scheduler runs at once.
        seconds_per_point: measured on one chunk in this process.
        seconds: expected wall time of the chunks still to compute.
        result_bytes: the whole result (8 bytes per variable per point).
        memory_bytes: what the calling process holds (the result, or one chunk for zarr).
        disk_bytes: disk space still needed (output, and ``<out>.parts`` for netCDF).
    """

    points: int
    chunks: int
    chunks_done: int
    chunk_points: int
    workers: int
    seconds_per_point: float
    seconds: float
    result_bytes: int
    memory_bytes: int
    disk_bytes: int

    def lines(self, grid: Grid, out: Path | None) -> list[str]:
        """The estimate as printed by ``qheat sweep``."""
        dims = " x ".join(f"{d} ({n})" for d, n in zip(grid.dims, grid.shape)) or "one point"
        written = f", {self.chunks_done} already written" if self.chunks_done else ""
        workers = f"{self.workers} worker{'s' if self.workers > 1 else ''}"
        todo = self.chunks - self.chunks_done
        time_line = (
            f"expected time: {_duration(self.seconds)} for {todo} chunks on {workers} "
            f"({self.seconds_per_point * 1e6:.3g} us per point, timed on one chunk)"
            if todo
            else "expected time: 0 s (every chunk is written already)"
        )
        held = (
            f"streamed, {_size(self.memory_bytes)} of results in memory at a time"
            if out is not None and out.suffix == ".zarr"
            else f"{_size(self.memory_bytes)} in memory"
        )
        where = f"output {out}" if out is not None else "result"
        lines = [
            (
                f"{self.points} points ({dims}) in {self.chunks} chunks of up to "
                f"{self.chunk_points} points{written}"
            ),
            time_line,
            f"{where}: {_size(self.result_bytes)} ({held})",
        ]
        return lines


@dataclass
class Prepared:
    """A sweep checked and timed, ready for :func:`execute` (the timed chunk is kept)."""

    grid: Grid
    info: BuilderInfo
    equations: tuple[MasterEquation, ...]
    layout: ChunkLayout
    baths: tuple[str, ...]
    manifest: dict[str, Any]
    out: Path | None
    resume: bool
    overwrite: bool
    done: NDArray[np.bool_]
    plan: SweepPlan
    timed: tuple[int, dict[str, FloatArray]] | None = None


def prepare_grid(
    grid: Grid,
    *,
    info: BuilderInfo,
    equations: tuple[MasterEquation, ...],
    chunk_size: int,
    scheduler: Scheduler,
    out: Path | None,
    resume: bool = False,
    overwrite: bool = False,
) -> Prepared:
    """Check a sweep against what cannot work, then time one chunk: nothing is written.

    Raises:
        InvalidParameterError: see :func:`sweep` (one line naming what cannot work).
    """
    if not (isinstance(chunk_size, int) and chunk_size >= 1):
        raise InvalidParameterError(f"chunk_size must be an integer >= 1, got {chunk_size!r}")
    if resume and out is None:
        raise InvalidParameterError("resume needs an output file (out=...)")
    if resume and overwrite:
        raise InvalidParameterError("give resume or overwrite, not both")
    if out is not None and out.suffix not in (".nc", ".zarr"):
        raise InvalidParameterError(f"out must end in .nc or .zarr, got {out.name!r}")
    if grid.size > INT64_MAX:
        raise InvalidParameterError(
            f"the grid has {grid.size:.3e} points: its flat index exceeds int64 "
            f"({INT64_MAX:.3e}); sweep it in parts"
        )
    layout = ChunkLayout(grid.shape, chunk_size)
    baths = _probe(grid, info, equations, chunk_size)
    manifest = {
        "grid": grid.fingerprint(),
        "builder": info.identity,
        "equations": [repr(eq) for eq in equations],
        "baths": list(baths),
        "chunk_size": chunk_size,
        "chunks": list(layout.chunks),
        "format": STORE_FORMAT,
        "qheat": __version__,
    }
    n_vars = len(equations) * (len(baths) + len(VARIABLES))
    result_bytes = 8 * n_vars * grid.size
    memory = 8 * n_vars * layout.points_per_chunk if _streamed(out) else result_bytes
    extra = result_bytes if out is not None and out.suffix == ".nc" else 0
    if not resume:  # before anything of the grid's chunk count is allocated
        _check_resources(out, memory, 0 if out is None else result_bytes + extra)
    done = _existing(out, layout, manifest, resume, overwrite)
    n_done = int(done.sum())
    n_pending = layout.n_chunks - n_done
    disk = 0 if out is None else math.ceil(result_bytes * n_pending / layout.n_chunks) + extra
    if resume:
        _check_resources(out, memory, disk)
    timed, per_point = None, 0.0
    if n_pending:
        task = _task(layout, int(np.argmin(done)))
        started = time.perf_counter()
        timed = (task.number, evaluate_chunk(ChunkSpec(grid, info.build, equations), task))
        per_point = (time.perf_counter() - started) / (task.stop - task.start)
    workers = scheduler.parallelism()
    points_left = min(grid.size, n_pending * layout.points_per_chunk)
    plan = SweepPlan(
        points=grid.size,
        chunks=layout.n_chunks,
        chunks_done=n_done,
        chunk_points=layout.points_per_chunk,
        workers=workers,
        seconds_per_point=per_point,
        seconds=per_point * points_left / min(workers, max(1, n_pending)),
        result_bytes=result_bytes,
        memory_bytes=memory,
        disk_bytes=disk,
    )
    return Prepared(
        grid, info, equations, layout, baths, manifest, out, resume, overwrite, done, plan, timed
    )


def execute(prepared: Prepared, scheduler: Scheduler, progress: bool | None = None) -> xr.Dataset:
    """Run a :func:`prepare_grid` sweep: every chunk not yet written, into its sink."""
    p = prepared
    sink, parts = _open_sink(p)
    tally = _Tally(tuple(eq.name for eq in p.equations))
    if p.done.any():
        for arrays in sink.chunks():
            tally.add(arrays)
    if p.timed is not None:
        sink.write(*p.timed)
        tally.add(p.timed[1])
    skip = -1 if p.timed is None else p.timed[0]
    tasks = (_task(p.layout, k) for k in range(p.layout.n_chunks) if not p.done[k] and k != skip)
    spec = ChunkSpec(p.grid, p.info.build, p.equations)
    bar = tqdm(
        total=p.layout.n_chunks,
        initial=int(p.done.sum()) + (p.timed is not None),
        unit="chunk",
        desc="sweep",
        disable=(not _isatty()) if progress is None else not progress,
    )
    with bar:
        if isinstance(sink, ZarrSink) and scheduler.shared_files:
            store = StoreChunk(str(sink.path), p.layout, sink.names, tally.names)
            for task, part in scheduler.imap(store, spec, tasks):
                sink.mark(task.number)
                tally.merge(part)
                bar.update(1)
        else:
            for task, arrays in scheduler.imap(evaluate_chunk, spec, tasks):
                sink.write(task.number, arrays)
                tally.add(arrays)
                bar.update(1)
    tally.warn()
    names = tuple(eq.name for eq in p.equations)
    note = _lamb_shift_note(p.equations)
    if isinstance(sink, ZarrSink):
        return open_lazily(sink.path)
    if isinstance(sink, PartsSink):
        sink = sink.assemble(MemorySink(p.layout))
    assert isinstance(sink, MemorySink)
    memory = sink
    ds = build_dataset(p.grid, memory.columns, names, p.baths, p.info, note)
    if p.out is not None and parts is not None:
        write_dataset(ds, p.out)
        remove_path(parts)
    return ds


def _task(layout: ChunkLayout, number: int) -> ChunkTask:
    start, stop = layout.bounds(number)
    return ChunkTask(number, start, stop)


def _streamed(out: Path | None) -> bool:
    return out is not None and out.suffix == ".zarr"


def _parts(out: Path) -> Path:
    return out.with_name(out.name + ".parts")


def _existing(
    out: Path | None,
    layout: ChunkLayout,
    manifest: Mapping[str, Any],
    resume: bool,
    overwrite: bool,
) -> NDArray[np.bool_]:
    """Apply the rules on existing outputs; the chunks already written (resume).

    An existing output (or ``<out>.parts`` of an interrupted netCDF sweep) is refused unless
    ``overwrite`` (it will be replaced) or ``resume`` of the same sweep (it is continued).
    """
    none = np.zeros(layout.n_chunks, dtype=bool)
    if out is None or overwrite:
        return none
    if out.suffix == ".zarr":
        if not out.exists():
            return none
        if not resume:
            raise InvalidParameterError(
                f"{out} exists: give --overwrite (overwrite=True) to replace it, or --resume "
                "(resume=True) to continue the sweep written there"
            )
        check_manifest(out, read_manifest(out), manifest)
        return ZarrSink(out, layout, ()).done()
    parts = _parts(out)
    if out.exists():
        raise InvalidParameterError(
            f"{out} exists{' (a finished sweep: nothing to resume)' if resume else ''}: give "
            "--overwrite (overwrite=True) to replace it, or choose another output"
        )
    if not parts.exists():
        return none
    if not resume:
        raise InvalidParameterError(
            f"{parts} holds the chunks of an interrupted sweep: give --resume (resume=True) to "
            "continue it, or --overwrite (overwrite=True) to discard them"
        )
    check_manifest(parts, read_manifest(parts), manifest)
    return PartsSink(parts, layout).done()


def _open_sink(p: Prepared) -> tuple[Sink, Path | None]:
    """The sink of a prepared sweep (and the parts directory of a netCDF output)."""
    if p.out is None:
        return MemorySink(p.layout), None
    names = ("J", *VARIABLES)
    if p.out.suffix == ".nc":  # an overwritten file is replaced once the new one is written
        parts = _parts(p.out)
        return open_parts(parts, p.layout, p.manifest, p.resume and not p.overwrite), parts
    if p.overwrite or not (p.resume and p.out.exists()):
        remove_path(p.out)
        create_store(
            p.out,
            p.grid,
            p.layout,
            tuple(eq.name for eq in p.equations),
            p.baths,
            p.info,
            _lamb_shift_note(p.equations),
            p.manifest,
        )
    return ZarrSink(p.out, p.layout, names), None


def _check_resources(out: Path | None, memory: int, disk: int) -> None:
    """Refuse a result larger than the available memory or a disk without room."""
    available = available_memory()
    if memory > available:
        hint = "" if out is None else " (netCDF is written from memory)"
        raise InvalidParameterError(
            f"the result takes {_size(memory)} in memory{hint}, more than the "
            f"{_size(available)} available: write it to a zarr store, out=...zarr "
            "(--out FILE.zarr), which is streamed chunk by chunk"
        )
    if out is not None and disk:
        folder = out.resolve().parent
        while not folder.exists():
            folder = folder.parent
        free = shutil.disk_usage(folder).free
        if disk > free:
            raise InvalidParameterError(
                f"the output needs {_size(disk)} on disk, {folder} has {_size(free)} free"
            )


def available_memory() -> int:
    """Memory the system can give without swapping, in bytes (``MemAvailable`` on Linux)."""
    try:
        with open("/proc/meminfo") as handle:
            for line in handle:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    import os

    return int(os.sysconf("SC_AVPHYS_PAGES") * os.sysconf("SC_PAGE_SIZE"))


def _size(n: float) -> str:
    for unit in ("B", "kB", "MB", "GB", "TB", "PB"):
        if n < 1000 or unit == "PB":
            return f"{n:.0f} {unit}" if unit == "B" else f"{n:.3g} {unit}"
        n /= 1000
    raise AssertionError


def _duration(seconds: float) -> str:
    if seconds < 120:
        return f"{seconds:.3g} s"
    if seconds < 7200:
        return f"{seconds / 60:.3g} min"
    return f"{seconds / 3600:.3g} h"


@dataclass
class _Tally:
    """The sweep's warnings, counted chunk by chunk (no array of the grid's size).

    The same conditions as :func:`qheat.steady.solve.check_steady_state` and
    :func:`qheat.master.equations.warn_if_not_secular`, summed over the whole grid.
    """

    names: tuple[str, ...]
    points: int = 0
    ill: NDArray[np.int64] = field(init=False)
    degenerate: NDArray[np.int64] = field(init=False)
    negative: NDArray[np.int64] = field(init=False)
    secular: NDArray[np.int64] = field(init=False)
    strong: NDArray[np.int64] = field(init=False)
    broken: NDArray[np.int64] = field(init=False)
    max_cond: FloatArray = field(init=False)
    min_eig: FloatArray = field(init=False)
    max_ratio: FloatArray = field(init=False)
    max_coupling: FloatArray = field(init=False)
    min_sigma: FloatArray = field(init=False)

    def __post_init__(self) -> None:
        n = len(self.names)
        self.ill, self.negative, self.secular, self.degenerate, self.strong, self.broken = (
            np.zeros(n, dtype=np.int64) for _ in range(6)
        )
        self.max_cond = np.full(n, -np.inf)
        self.min_eig = np.full(n, np.inf)
        self.max_ratio = np.full(n, -np.inf)
        self.max_coupling = np.full(n, -np.inf)
        self.min_sigma = np.full(n, np.inf)

    def add(self, arrays: Mapping[str, FloatArray]) -> None:
        cond, eig = arrays["condition_number"], arrays["min_eigenvalue"]
        ratio = arrays["secular_ratio"]
        self.points += cond.shape[-1]
        infinite = np.isposinf(cond)  # a degenerate steady state (DegenerateSteadyStateWarning)
        self.degenerate += np.count_nonzero(infinite, axis=-1)
        self.ill += np.count_nonzero((cond > WARN_COND) & ~infinite, axis=-1)
        self.negative += np.count_nonzero(eig < -POSITIVITY_TOL, axis=-1)
        self.secular += np.count_nonzero(ratio > SECULAR_RATIO_WARN, axis=-1)
        coupling, broken = arrays["weak_coupling_ratio"], arrays["second_law_broken"] == 1.0
        self.strong += np.count_nonzero(coupling > WEAK_COUPLING_WARN, axis=-1)
        self.broken += np.count_nonzero(broken, axis=-1)
        sigma = np.where(broken, arrays["entropy_production"], np.inf)
        self.min_sigma = np.fmin(self.min_sigma, sigma.min(axis=-1, initial=np.inf))
        finite = np.where(infinite, -np.inf, cond)
        self.max_cond = np.fmax(self.max_cond, finite.max(axis=-1, initial=-np.inf))
        self.min_eig = np.fmin(self.min_eig, eig.min(axis=-1, initial=np.inf))
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)  # all-NaN: no pair dropped
            self.max_ratio = np.fmax(self.max_ratio, np.nanmax(ratio, axis=-1, initial=-np.inf))
            self.max_coupling = np.fmax(
                self.max_coupling, np.nanmax(coupling, axis=-1, initial=-np.inf)
            )

    def merge(self, other: _Tally) -> None:
        """Add the counts of another part of the grid."""
        self.points += other.points
        self.ill += other.ill
        self.degenerate += other.degenerate
        self.negative += other.negative
        self.secular += other.secular
        self.strong += other.strong
        self.broken += other.broken
        self.max_coupling = np.fmax(self.max_coupling, other.max_coupling)
        self.min_sigma = np.fmin(self.min_sigma, other.min_sigma)
        self.max_cond = np.fmax(self.max_cond, other.max_cond)
        self.min_eig = np.fmin(self.min_eig, other.min_eig)
        self.max_ratio = np.fmax(self.max_ratio, other.max_ratio)

    def warn(self) -> None:
        """One warning per equation and kind, with the number of points."""
        for i, name in enumerate(self.names):
            for message, category in self._messages(i, name):
                warnings.warn(message, category, stacklevel=4)

    def _messages(self, i: int, name: str) -> Iterator[tuple[str, type[Warning]]]:
        n = self.points
        if self.degenerate[i]:
            message = DEGENERATE_MESSAGE.format(n=self.degenerate[i], total=n)
            yield f"{name}: {message}", DegenerateSteadyStateWarning
        if self.ill[i]:
            message = (
                f"{name}: ill-conditioned steady-state solve at {self.ill[i]} of {n} points "
                f"(condition number up to {self.max_cond[i]:.2e}); see the condition number"
            )
            yield message, IllConditionedWarning
        if self.negative[i]:
            message = (
                f"{name}: steady state not positive at {self.negative[i]} of {n} points "
                f"(smallest eigenvalue {self.min_eig[i]:.3e}): outside the Bloch-Redfield "
                "equation's validity"
            )
            yield message, PositivityWarning
        if self.secular[i]:
            message = (
                f"{name}: secular approximation outside its validity at {self.secular[i]} of "
                f"{n} points: transition rates up to {self.max_ratio[i]:.3g} times the smallest "
                "Bohr-frequency gap it neglects (see the generator's secular_ratio); "
                "BlochRedfield() keeps those terms"
            )
            yield message, SecularityWarning
        if self.strong[i] or self.broken[i]:
            message = weak_coupling_message(
                name,
                n,
                int(self.strong[i]),
                float(self.max_coupling[i]),
                int(self.broken[i]),
                float(self.min_sigma[i]),
            )
            yield message, WeakCouplingWarning


@dataclass(frozen=True)
class StoreChunk:
    """Where the workers see the store: compute a chunk and write it into its region there.

    Returns the chunk's warning counts only; the calling process lists the chunk as done.
    """

    path: str
    layout: ChunkLayout
    names: tuple[str, ...]
    equations: tuple[str, ...]

    def __call__(self, spec: ChunkSpec, task: ChunkTask) -> _Tally:
        arrays = evaluate_chunk(spec, task)
        _worker_sink(self.path, self.layout, self.names).write_region(task.number, arrays)
        tally = _Tally(self.equations)
        tally.add(arrays)
        return tally


@functools.lru_cache(maxsize=4)
def _worker_sink(path: str, layout: ChunkLayout, names: tuple[str, ...]) -> ZarrSink:
    """The store opened once per worker process."""
    return ZarrSink(Path(path), layout, names)


def _probe(
    grid: Grid, info: BuilderInfo, equations: tuple[MasterEquation, ...], chunk_size: int
) -> tuple[str, ...]:
    """Build the system at every value of every axis (the others at their first value, at
    most ``chunk_size`` values at a time) before any work, so that a value the builder
    refuses fails now; returns the bath names.

    One point is also solved with every equation (a wrong equation fails here, not in a
    worker)."""
    first = {name: values[:1] for name, values in grid.axes}
    fixed = dict(grid.fixed)
    for name, values in grid.axes:
        for start in range(0, values.size, chunk_size):
            _build(info, {**fixed, **first, name: values[start : start + chunk_size]})
    single = _build(info, {**fixed, **first})
    evaluate_system(single, equations)
    return tuple(single.bath_names or ())


def _build(info: BuilderInfo, params: Mapping[str, Any]) -> Any:
    try:
        return info.build(**params)
    except TypeError as exc:
        raise InvalidParameterError(
            f"the builder does not accept these parameters: {exc}"
        ) from None


def _lamb_shift_note(equations: tuple[MasterEquation, ...]) -> str:
    flags = [
        f"{eq.name}: {'on' if getattr(eq, 'lamb_shift', True) else 'off (S = 0)'}"
        for eq in equations
    ]
    return "Lamb shift S(w) of Eq. 15 " + ", ".join(flags)


def _isatty() -> bool:
    return sys.stderr.isatty()
