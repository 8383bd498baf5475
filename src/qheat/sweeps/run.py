"""``sweep``: heat currents of any system over a named grid, chunk by chunk, as a Dataset.

A sweep calls a *builder* (:mod:`qheat.sweeps.builders`) on each chunk of grid points and
solves the batched system with :func:`qheat.solve` for every master equation: the one path
from a system to its currents.

Memory is bounded by the chunk, not by the grid: each worker holds one chunk's working set,
:func:`point_memory_bytes` per point (about ``16 d^4`` bytes for a system of dimension ``d``
under Bloch-Redfield: 10 kB for the paper's model, 21 MB for five qubits), and the chunk size is chosen so that a
chunk fits :func:`chunk_budget` (half the available memory shared by the workers, at most
:data:`CHUNK_MEMORY_CAP`), at most :data:`DEFAULT_CHUNK_SIZE` points. At most ``2 * workers``
chunks are in flight, and finished chunks go straight to their sink (:mod:`qheat.sweeps.store`). A ``*.zarr`` output is written region by region and returned
opened lazily, so the calling process never holds an array of the grid's size; a ``*.nc``
output and a sweep without output hold the result in memory (8 bytes per variable per point)
and are refused when that exceeds the available memory.

Before any work, :func:`prepare_grid` checks what cannot work (an index beyond int64, a
result larger than memory, a disk without room, an output that cannot be written or that
another sweep is writing, an existing output) and times one chunk (kept, not recomputed) to
estimate the run: :class:`SweepPlan`. A dry run (``check=False``) gets the plan of any grid,
with what would stop the run listed in :attr:`Prepared.problems`.

While it runs, :func:`execute` holds the output's :class:`~qheat.sweeps.store.WriterLock`; a
full disk or an output that cannot be written stops it with one
:class:`~qheat.sweeps.store.StoreError` that says which chunks are kept.
"""

from __future__ import annotations

import errno
import functools
import shutil
import sys
import time
import unicodedata
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
    QheatError,
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
from ..steady.cumulants import MAX_ORDER
from ..steady.memory import point_memory_bytes
from ..steady.solve import DEGENERATE_MESSAGE, POSITIVITY_TOL, WARN_COND
from ..steady.validity import WEAK_COUPLING_WARN, weak_coupling_message
from .builders import BuilderInfo, builder_info
from .dataset import build_dataset, create_store, cumulant_variables, per_bath, write_dataset
from .evaluate import VARIABLES, ChunkSpec, ChunkTask, evaluate_chunk, evaluate_system
from .grid import Grid, make_grid
from .schedulers import Scheduler, Serial
from .store import (
    INT64_MAX,
    ChunkLayout,
    MemorySink,
    OutputLockedError,
    PartsSink,
    Sink,
    StoreError,
    StoreWarning,
    UnreadableChunk,
    WriterLock,
    ZarrSink,
    cannot_write,
    check_manifest,
    check_writable,
    disk_bytes,
    fs_block,
    open_lazily,
    open_parts,
    read_manifest,
    remove_path,
)

__all__ = [
    "CHUNK_MEMORY_CAP",
    "DEFAULT_CHUNK_SIZE",
    "EQUATION_NAMES",
    "OmittedEquationWarning",
    "Prepared",
    "SweepPlan",
    "available_memory",
    "chunk_budget",
    "equations_named",
    "execute",
    "point_memory_bytes",
    "prepare_grid",
    "run_grid",
    "sweep",
]

FloatArray = NDArray[np.float64]

DEFAULT_CHUNK_SIZE = 4096
"""Most points per chunk (about 40 MB of working memory for the paper's model); fewer where
:func:`point_memory_bytes` times the chunk would exceed :func:`chunk_budget`."""
CHUNK_MEMORY_CAP = 2**30
"""Most working memory one chunk is sized to (1 GiB), whatever the memory available."""
MEMORY_FRACTION = 0.5
"""Share of the available memory the chunks in work may take together."""
PROBE_ALL_VALUES = 2**20
"""Axes up to this length have every value built before the sweep; longer ones (a lazy
``start:stop:num`` of 10^9 values) an evenly spaced sample of a chunk's size, ends included."""
STORE_FORMAT = 3
"""Version of the store layout recorded in the manifest (3: every chunk file written, so a
missing file is a lost chunk)."""


class OmittedEquationWarning(RuntimeWarning):
    """An equation requested implicitly (the default, or ``all``) does not apply to the
    system (e.g. the local Lindblad equation of a single qubit) and is left out of the sweep;
    the Dataset's ``omitted_equations`` attribute says which and why."""


def chunk_budget(workers: int, available: int | None = None) -> int:
    """Working memory one chunk may take: :data:`MEMORY_FRACTION` of the available memory
    shared by ``workers`` chunks at once, at most :data:`CHUNK_MEMORY_CAP`, in bytes."""
    available = available_memory() if available is None else available
    return int(min(CHUNK_MEMORY_CAP, MEMORY_FRACTION * available / max(1, workers)))


EQUATION_NAMES: dict[str, type] = {
    "br": BlochRedfield,
    "lindblad": GlobalLindblad,
    "local": LocalLindblad,
    "ule": UniversalLindblad,
}
"""Master equations a sweep (and the command line) accepts by name."""


def implicit_equations(equations: object) -> bool:
    """Whether ``equations`` asks for every equation that applies (``"all"``)."""
    return equations == "all" or (isinstance(equations, Sequence) and list(equations) == ["all"])


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
    equations: Sequence[str | MasterEquation] | str | None = None,
    lamb_shift: bool = True,
    zipped: bool = False,
    chunk_size: int | None = None,
    scheduler: Scheduler | None = None,
    out: str | Path | None = None,
    resume: bool = False,
    overwrite: bool = False,
    progress: bool | None = None,
    cumulants: int = 0,
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
            ``generator(system)``, e.g. ``qheat.PartialSecular(cutoff=0.1)``); None:
            ``("br", "lindblad")``. An equation of the default or of ``"all"`` that does not
            apply to the system is left out with an :class:`OmittedEquationWarning`; one
            named explicitly is refused.
        lamb_shift: for equations given by name: keep ``S(w)`` (False: ``S = 0``).
        zipped: read the axes side by side along one dimension ``point`` (equal lengths)
            instead of forming their cartesian product.
        chunk_size: at most this many points per chunk (the unit of work, of memory and of
            ``resume``; a chunk is a rectangle of the grid). None: as many as fit the
            memory (:func:`point_memory_bytes`, :func:`chunk_budget`), at most
            :data:`DEFAULT_CHUNK_SIZE`, or the stored chunk size when resuming.
        scheduler: :class:`~qheat.sweeps.schedulers.Serial` (default),
            :class:`~qheat.sweeps.schedulers.Processes` or :class:`~qheat.sweeps.schedulers.Dask`.
        out: write the Dataset there. ``.zarr``: streamed chunk by chunk into a zarr store
            (any grid size; the Dataset returned is read lazily from it). ``.nc``: netCDF
            through h5netcdf (the grid must fit in memory; chunks wait in ``<out>.parts``).
        resume: continue an interrupted sweep of ``out``: only the chunks not yet written are
            computed; the stored sweep must be this one (grid, builder and what it computes
            at the first point, equations, chunks, qheat version). Chunks listed as written
            are read back first; missing or unreadable ones are computed again
            (:class:`~qheat.sweeps.store.StoreWarning`).
        overwrite: replace an existing ``out`` (otherwise an existing output is refused).
        progress: show a progress bar over chunks (default: only on a terminal).
        cumulants: also the first ``N`` cumulants of the heat from every bath
            (:func:`qheat.solve` with ``cumulants=N``, docs/fluctuations.md), 0 (none) to
            :data:`~qheat.steady.cumulants.MAX_ORDER`: the variables ``c1``, ``noise``,
            ``tur_ratio``, ``c3`` ... (:func:`~qheat.sweeps.dataset.cumulant_variables`).
            Part of what ``resume`` checks.

    Returns:
        ``xarray.Dataset`` with ``J`` ``(equation, bath, *swept)`` and the diagnostics
        ``min_eigenvalue``, ``residual``, ``condition_number``, ``secular_ratio`` and
        ``conservation_residual`` ``(equation, *swept)`` (:mod:`qheat.sweeps.dataset`), and
        the cumulant variables ``(equation, bath, *swept)``; each point equals
        :func:`qheat.solve` there.

    Raises:
        InvalidParameterError: a bad parameter, equation, chunk size or resume request; an
            existing output without ``overwrite``; a grid whose flat index exceeds int64; a
            result in memory (no ``out``, or ``.nc``) larger than the available memory; a
            disk without room for the output.
        StoreError: an output that cannot be written (read-only, under a regular file, a
            full disk: the chunks written so far are kept); ``OutputLockedError`` if
            another process is writing it.
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
        equations=equations_named(
            ("br", "lindblad") if equations is None else equations, lamb_shift
        ),
        optional_equations=equations is None or implicit_equations(equations),
        chunk_size=chunk_size,
        scheduler=scheduler,
        out=None if out is None else Path(out),
        resume=resume,
        overwrite=overwrite,
        progress=progress,
        cumulants=cumulants,
    )


def run_grid(
    grid: Grid,
    *,
    info: BuilderInfo,
    equations: tuple[MasterEquation, ...],
    chunk_size: int | None,
    scheduler: Scheduler | None,
    out: Path | None,
    resume: bool,
    progress: bool | None,
    overwrite: bool = False,
    optional_equations: bool = False,
    cumulants: int = 0,
) -> xr.Dataset:
    """:func:`sweep` on a ready :class:`~qheat.sweeps.grid.Grid`."""
    scheduler = scheduler or Serial()
    prepared = prepare_grid(
        grid,
        info=info,
        equations=equations,
        optional_equations=optional_equations,
        chunk_size=chunk_size,
        scheduler=scheduler,
        out=out,
        resume=resume,
        overwrite=overwrite,
        cumulants=cumulants,
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
        point_bytes: working memory of one point (:func:`point_memory_bytes`).
        dim: the system's Hilbert-space dimension ``d``.
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
    point_bytes: int = 0
    dim: int = 0

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
            f"streamed, {_size(self.memory_bytes)} in memory at a time"
            if out is not None and out.suffix == ".zarr"
            else f"{_size(self.memory_bytes)} in memory"
        )
        disk = f", {_size(self.disk_bytes)} still to write on disk" if out is not None else ""
        where = f"output {out}" if out is not None else "result"
        lines = [
            (
                f"{self.points} points ({dims}) in {self.chunks} chunks of up to "
                f"{self.chunk_points} points{written}"
            ),
            time_line,
            f"{where}: {_size(self.result_bytes)} ({held}){disk}",
        ]
        if self.point_bytes:
            lines.append(
                f"working memory: {_size(self.point_bytes)} per point (d = {self.dim}), "
                f"{_size(self.point_bytes * self.chunk_points)} per chunk on each worker"
            )
        return lines


@dataclass
class Prepared:
    """A sweep checked and timed, ready for :func:`execute` (the timed chunk is kept).

    ``problems`` lists what stops the run (only with ``check=False``: a dry run shows the
    plan and then these); :func:`execute` refuses a sweep that has any.
    """

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
    problems: list[str] = field(default_factory=list)
    tally: _Tally | None = None
    omitted: dict[str, str] = field(default_factory=dict)
    cumulants: int = 0

    @property
    def names(self) -> tuple[str, ...]:
        """The result's variables: ``J``, the diagnostics, the cumulants."""
        return ("J", *VARIABLES, *cumulant_variables(self.cumulants))

    @property
    def spec(self) -> ChunkSpec:
        """What every chunk shares."""
        return ChunkSpec(self.grid, self.info.build, self.equations, self.cumulants)


def prepare_grid(
    grid: Grid,
    *,
    info: BuilderInfo,
    equations: tuple[MasterEquation, ...],
    chunk_size: int | None,
    scheduler: Scheduler,
    out: Path | None,
    resume: bool = False,
    overwrite: bool = False,
    optional_equations: bool = False,
    check: bool = True,
    cumulants: int = 0,
) -> Prepared:
    """Check a sweep against what cannot work, then time one chunk: nothing is written.

    Args:
        chunk_size: points per chunk; None chooses it from the memory (see :func:`sweep`).
        optional_equations: leave out, with a warning, an equation that does not apply.
        check: raise on a resource problem (memory, disk, an output that cannot be written
            or is being written); False (a dry run) lists them in ``problems`` instead.
        cumulants: see :func:`sweep`.

    Raises:
        InvalidParameterError: see :func:`sweep` (one line naming what cannot work).
        StoreError: with ``check``, an output that cannot be written or is locked.
    """
    if not (chunk_size is None or (isinstance(chunk_size, int) and chunk_size >= 1)):
        raise InvalidParameterError(f"chunk_size must be an integer >= 1, got {chunk_size!r}")
    if (
        isinstance(cumulants, bool)
        or not isinstance(cumulants, int)
        or not 0 <= cumulants <= MAX_ORDER
    ):
        raise InvalidParameterError(
            f"cumulants must be an integer from 0 (none) to {MAX_ORDER}, got {cumulants!r}"
        )
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
    problems: list[str] = []

    def problem(message: str | None, error: type[QheatError] = InvalidParameterError) -> None:
        if message is not None:
            if check:
                raise error(message)
            problems.append(message)

    if out is not None:
        problem(check_writable(out), StoreError)
        try:
            WriterLock(out).check()
        except OutputLockedError as exc:
            problem(str(exc), OutputLockedError)
    single, equations, omitted, probe = _probe_point(
        grid, info, equations, optional_equations, cumulants
    )
    baths = tuple(single.bath_names or ())
    if out is not None:
        _check_names(baths)
    workers = scheduler.parallelism()
    per_point = point_memory_bytes(
        single.dim, single.n_baths, [eq.name for eq in equations], cumulants
    )
    stored = (
        read_manifest(_root(out)) if resume and out is not None and _root(out).is_dir() else None
    )
    chunk_size, message = _chunk_size(chunk_size, stored, per_point, workers, single.dim)
    problem(message)
    layout = ChunkLayout(grid.shape, chunk_size)
    _probe_axes(grid, info, chunk_size)
    manifest = {
        "grid": grid.fingerprint(),
        "builder": info.identity,
        "equations": [repr(eq) for eq in equations],
        "baths": list(baths),
        "chunk_size": chunk_size,
        "chunks": list(layout.chunks),
        "shape": list(grid.shape),
        "format": STORE_FORMAT,
        "qheat": __version__,
        "probe": probe,
        "cumulants": cumulants,
    }
    counted = cumulant_variables(cumulants)
    bath_vars = sum(per_bath(v) for v in counted)
    n_vars = len(equations) * (
        (1 + bath_vars) * len(baths) + len(VARIABLES) + len(counted) - bath_vars
    )
    result_bytes = 8 * n_vars * grid.size
    coordinate_bytes = 8 * sum(values.size for _, values in grid.axes)
    memory = coordinate_bytes + (
        8 * n_vars * layout.points_per_chunk if _streamed(out) else result_bytes
    )
    columns = {"J": len(equations) * len(baths), **{v: len(equations) for v in VARIABLES}}
    columns.update({v: len(equations) * (len(baths) if per_bath(v) else 1) for v in counted})
    block = fs_block(out) if out is not None else 4096

    def disk_of(chunks: int) -> int:
        assert out is not None
        n_coords = 2 + len(grid.fixed) + len(grid.axes)
        values = coordinate_bytes // 8
        return disk_bytes(layout, columns, chunks, out.suffix, block, values, n_coords)

    if not resume:  # before anything of the grid's chunk count is allocated
        disk = 0 if out is None else disk_of(layout.n_chunks)
        for message in _resources(out, memory, disk):
            problem(message)
    names = ("J", *VARIABLES, *cumulant_variables(cumulants))
    done, tally = _existing(out, layout, manifest, resume, overwrite, equations, names)
    if resume and info.unverified:
        warnings.warn(
            f"--resume: the builder reads {', '.join(info.unverified)}, which cannot be "
            "fingerprinted: a change there since the first run is detected only where it "
            "changes the currents at the grid's first point",
            StoreWarning,
            stacklevel=3,
        )
    n_done = int(done.sum())
    n_pending = layout.n_chunks - n_done
    disk = 0 if out is None else disk_of(n_pending)
    if resume:
        for message in _resources(out, memory, disk):
            problem(message)
    timed, seconds_per_point = None, 0.0
    if n_pending:
        task = _task(layout, int(np.argmin(done)))
        started = time.perf_counter()
        spec = ChunkSpec(grid, info.build, equations, cumulants)
        timed = (task.number, evaluate_chunk(spec, task))
        seconds_per_point = (time.perf_counter() - started) / (task.stop - task.start)
    points_left = min(grid.size, n_pending * layout.points_per_chunk)
    plan = SweepPlan(
        points=grid.size,
        chunks=layout.n_chunks,
        chunks_done=n_done,
        chunk_points=layout.points_per_chunk,
        workers=workers,
        seconds_per_point=seconds_per_point,
        seconds=seconds_per_point * points_left / min(workers, max(1, n_pending)),
        result_bytes=result_bytes,
        memory_bytes=memory,
        disk_bytes=disk,
        point_bytes=per_point,
        dim=single.dim,
    )
    return Prepared(
        grid,
        info,
        equations,
        layout,
        baths,
        manifest,
        out,
        resume,
        overwrite,
        done,
        plan,
        timed,
        problems,
        tally,
        omitted,
        cumulants,
    )


def execute(prepared: Prepared, scheduler: Scheduler, progress: bool | None = None) -> xr.Dataset:
    """Run a :func:`prepare_grid` sweep: every chunk not yet written, into its sink.

    The output's writer lock is held throughout; a write that fails for want of space or
    permission raises :class:`~qheat.sweeps.store.StoreError` (the chunks written are kept).
    """
    p = prepared
    if p.problems:
        raise InvalidParameterError(p.problems[0])
    if p.out is None:
        return _run(p, scheduler, progress)
    with WriterLock(p.out):
        _recheck(p)
        counter = _Counter()
        try:
            return _run(p, scheduler, progress, counter)
        except OSError as exc:
            if exc.errno not in _STORAGE_ERRORS:
                raise
            raise StoreError(_kept(p, cannot_write(p.out, exc), counter.written)) from None
        except MemoryError:
            raise InvalidParameterError(
                f"out of memory with chunks of {p.layout.points_per_chunk} points (about "
                f"{_size(p.plan.point_bytes)} each); give a smaller --chunk-size (chunk_size=)"
                + ("" if counter.written == 0 else "; the chunks written are kept: --resume")
            ) from None


_STORAGE_ERRORS = {
    errno.ENOSPC,
    errno.EDQUOT,
    errno.EROFS,
    errno.EACCES,
    errno.EPERM,
    errno.ENOTDIR,
    errno.EIO,
    errno.EFBIG,
    errno.EISDIR,
}
"""``OSError`` numbers that mean the output cannot be written (others propagate)."""


@dataclass
class _Counter:
    """Chunks written by this run (for the message of a failed write)."""

    written: int = 0


def _kept(p: Prepared, reason: str, written: int) -> str:
    assert p.out is not None
    before = int(p.done.sum())
    total = before + written
    if total == 0:
        return f"{reason}; nothing was written"
    where = p.out if p.out.suffix == ".zarr" else _parts(p.out)
    return (
        f"{reason}; the {total} chunks written so far are kept in {where}: fix that and run "
        "the same sweep with --resume (resume=True)"
    )


def _run(
    p: Prepared, scheduler: Scheduler, progress: bool | None, counter: _Counter | None = None
) -> xr.Dataset:
    counter = counter or _Counter()
    sink, parts = _open_sink(p)
    names = tuple(eq.name for eq in p.equations)
    tally = _Tally(names)
    if p.tally is not None:
        tally.merge(p.tally)
    if p.timed is not None:
        sink.write(*p.timed)
        counter.written += 1
        tally.add(p.timed[1])
    skip = -1 if p.timed is None else p.timed[0]
    tasks = (_task(p.layout, k) for k in range(p.layout.n_chunks) if not p.done[k] and k != skip)
    spec = p.spec
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
                counter.written += 1
                tally.merge(part)
                bar.update(1)
        else:
            for task, arrays in scheduler.imap(evaluate_chunk, spec, tasks):
                sink.write(task.number, arrays)
                counter.written += 1
                tally.add(arrays)
                bar.update(1)
    tally.warn()
    note = _lamb_shift_note(p.equations)
    if isinstance(sink, ZarrSink):
        return open_lazily(sink.path)
    if isinstance(sink, PartsSink):
        sink = sink.assemble(MemorySink(p.layout))
    assert isinstance(sink, MemorySink)
    ds = build_dataset(p.grid, sink.columns, names, p.baths, p.info, note, p.omitted)
    if p.out is not None and parts is not None:
        write_dataset(ds, p.out)
        remove_path(parts)
    return ds


def _recheck(p: Prepared) -> None:
    """Under the lock: the output is still as :func:`prepare_grid` found it (another sweep
    may have made it since), and temporary files of dead writers are cleared."""
    assert p.out is not None
    for stale in p.out.parent.glob(p.out.name + ".*.tmp"):
        remove_path(stale)
    if not (p.resume or p.overwrite) and (p.out.exists() or _parts(p.out).exists()):
        raise InvalidParameterError(
            f"{p.out} was created by another sweep while this one was being prepared: give "
            "--overwrite (overwrite=True) to replace it, or --resume (resume=True)"
        )


def _task(layout: ChunkLayout, number: int) -> ChunkTask:
    start, stop = layout.bounds(number)
    return ChunkTask(number, start, stop)


def _streamed(out: Path | None) -> bool:
    return out is not None and out.suffix == ".zarr"


def _parts(out: Path) -> Path:
    return out.with_name(out.name + ".parts")


def _root(out: Path | None) -> Path:
    """Where the manifest of an output lives: the store, or ``<out>.parts`` for netCDF."""
    assert out is not None
    return out if out.suffix == ".zarr" else _parts(out)


def _existing(
    out: Path | None,
    layout: ChunkLayout,
    manifest: Mapping[str, Any],
    resume: bool,
    overwrite: bool,
    equations: tuple[MasterEquation, ...],
    names: tuple[str, ...],
) -> tuple[NDArray[np.bool_], _Tally | None]:
    """Apply the rules on existing outputs; the chunks already written (resume), read back,
    and their warning counts.

    An existing output (or ``<out>.parts`` of an interrupted netCDF sweep) is refused unless
    ``overwrite`` (it will be replaced) or ``resume`` of the same sweep (it is continued).
    """
    none = np.zeros(layout.n_chunks, dtype=bool)
    if out is None or overwrite:
        return none, None
    if out.suffix == ".zarr":
        if not out.exists():
            return none, None
        if not resume:
            raise InvalidParameterError(
                f"{out} exists: give --overwrite (overwrite=True) to replace it, or --resume "
                "(resume=True) to continue the sweep written there"
            )
        check_manifest(out, read_manifest(out), manifest)
        return _verified(out, ZarrSink(out, layout, names), equations)
    parts = _parts(out)
    if out.exists():
        raise InvalidParameterError(
            f"{out} exists{' (a finished sweep: nothing to resume)' if resume else ''}: give "
            "--overwrite (overwrite=True) to replace it, or choose another output"
        )
    if not parts.exists():
        return none, None
    if not resume:
        raise InvalidParameterError(
            f"{parts} holds the chunks of an interrupted sweep: give --resume (resume=True) to "
            "continue it, or --overwrite (overwrite=True) to discard them"
        )
    check_manifest(parts, read_manifest(parts), manifest)
    return _verified(parts, PartsSink(parts, layout), equations)


def _verified(
    where: Path, sink: ZarrSink | PartsSink, equations: tuple[MasterEquation, ...]
) -> tuple[NDArray[np.bool_], _Tally]:
    """The chunks listed as written that read back whole; the others are to be computed
    again (one :class:`StoreWarning` names them)."""
    done = sink.done()
    tally = _Tally(tuple(eq.name for eq in equations))
    bad: dict[int, str] = {}
    for number in np.flatnonzero(done):
        try:
            tally.add(sink.read_verified(int(number)))
        except UnreadableChunk as exc:
            bad[int(number)] = str(exc)
            done[number] = False
    if bad:
        shown = "; ".join(f"chunk {k}: {why}" for k, why in list(bad.items())[:3])
        more = f"; and {len(bad) - 3} more" if len(bad) > 3 else ""
        warnings.warn(
            f"--resume: {len(bad)} of the chunks listed as written in {where} are missing or "
            f"unreadable on disk ({shown}{more}): they are computed again",
            StoreWarning,
            stacklevel=4,
        )
    return done, tally


def _open_sink(p: Prepared) -> tuple[Sink, Path | None]:
    """The sink of a prepared sweep (and the parts directory of a netCDF output)."""
    if p.out is None:
        return MemorySink(p.layout), None
    names = p.names
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
            p.omitted,
            cumulant_variables(p.cumulants),
        )
    return ZarrSink(p.out, p.layout, names), None


def _resources(out: Path | None, memory: int, disk: int) -> Iterator[str]:
    """What the machine cannot hold: a result larger than the available memory, a disk
    without room (one line each)."""
    available = available_memory()
    if memory > available:
        hint = "" if out is None else " (netCDF is written from memory)"
        yield (
            f"the result takes {_size(memory)} in memory{hint}, more than the "
            f"{_size(available)} available: write it to a zarr store, out=...zarr "
            "(--out FILE.zarr), which is streamed chunk by chunk"
            if not _streamed(out)
            else f"the coordinates of the grid take {_size(memory)} in memory, more than the "
            f"{_size(available)} available: sweep it in parts"
        )
    if out is not None and disk:
        folder = out.resolve().parent
        while not folder.exists():
            folder = folder.parent
        free = shutil.disk_usage(folder).free
        if disk > free:
            yield f"the output needs {_size(disk)} on disk, {folder} has {_size(free)} free"


def _chunk_size(
    requested: int | None,
    stored: Mapping[str, Any] | None,
    per_point: int,
    workers: int,
    dim: int,
) -> tuple[int, str | None]:
    """The chunk size to use, and why it cannot work (None: it can).

    Given: used as is, unless ``workers`` chunks of it exceed the available memory.
    Not given: the stored one when resuming, else as many points as fit :func:`chunk_budget`
    (at least 1, at most :data:`DEFAULT_CHUNK_SIZE`).
    """
    available = available_memory()
    if requested is None and stored is not None and isinstance(stored.get("chunk_size"), int):
        requested = int(stored["chunk_size"])
    elif requested is None:
        fit = max(1, chunk_budget(workers, available) // per_point)
        size = min(DEFAULT_CHUNK_SIZE, fit)
        if per_point * workers > available:
            return size, (
                f"one point of this system (d = {dim}) needs about {_size(per_point)} of working "
                f"memory, more than the {_size(available)} available to {workers} worker(s)"
            )
        return size, None
    if requested * per_point * workers > available:
        fit = max(1, int(MEMORY_FRACTION * available / workers) // per_point)
        return requested, (
            f"--chunk-size {requested} (chunk_size) needs about {_size(requested * per_point)} "
            f"of working memory per chunk ({_size(per_point)} per point, d = {dim}), and "
            f"{workers} worker(s) exceed the {_size(available)} available: give --chunk-size "
            f"<= {fit}, or leave it out to size chunks to the memory"
        )
    return requested, None


_CONTROL = {"Cc", "Cf", "Zl", "Zp"}
"""Unicode categories a bath name written to a file must not contain (NUL, newline...)."""


def _check_names(baths: tuple[str, ...]) -> None:
    """Refuse bath names a netCDF or zarr output cannot hold faithfully (control
    characters: NUL, newline, tab...)."""
    for name in baths:
        if any(unicodedata.category(c) in _CONTROL for c in name):
            raise InvalidParameterError(
                f"bath name {name!r} contains a control character (NUL, newline, tab...), which "
                "an output file cannot hold as written: rename the bath"
            )


def available_memory() -> int:
    """Memory this process can still take without swapping or being refused, in bytes.

    The smallest of: ``MemAvailable`` (``/proc/meminfo``; else ``sysconf``), the room left
    under a cgroup (v2) limit (``memory.max - memory.current``, a container's limit), and
    the room left under the process's ``RLIMIT_AS`` (address space, ``ulimit -v``) and
    ``RLIMIT_DATA`` limits.
    """
    import os

    candidates = [_meminfo("/proc/meminfo", "MemAvailable")]
    if candidates[0] is None:
        try:
            candidates[0] = int(os.sysconf("SC_AVPHYS_PAGES") * os.sysconf("SC_PAGE_SIZE"))
        except (OSError, ValueError):
            candidates[0] = None
    limit, used = _read_int("/sys/fs/cgroup/memory.max"), _read_int("/sys/fs/cgroup/memory.current")
    if limit is not None and used is not None:
        candidates.append(max(0, limit - used))
    try:
        import resource
    except ImportError:  # not on POSIX
        resource = None  # type: ignore[assignment]
    if resource is not None:
        for which, field_name in ((resource.RLIMIT_AS, "VmSize"), (resource.RLIMIT_DATA, "VmData")):
            soft = resource.getrlimit(which)[0]
            if soft != resource.RLIM_INFINITY:
                size = _meminfo("/proc/self/status", field_name) or 0
                candidates.append(max(0, soft - size))
    known = [c for c in candidates if c is not None]
    return min(known) if known else 2**34


def _meminfo(path: str, key: str) -> int | None:
    """A ``Key: N kB`` line of a /proc file, in bytes."""
    try:
        with open(path) as handle:
            for line in handle:
                if line.startswith(key + ":"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    return None


def _read_int(path: str) -> int | None:
    try:
        with open(path) as handle:
            return int(handle.read().strip())
    except (OSError, ValueError):  # absent, or "max" (no limit)
        return None


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
                f"(smallest eigenvalue {self.min_eig[i]:.3e}): not a density matrix, outside the "
                "equation's validity (Bloch-Redfield is not completely positive)"
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


def _probe_point(
    grid: Grid,
    info: BuilderInfo,
    equations: tuple[MasterEquation, ...],
    optional: bool,
    cumulants: int = 0,
) -> tuple[Any, tuple[MasterEquation, ...], dict[str, str], list[list[float]]]:
    """Build and solve the grid's first point with every equation before any work (a wrong
    equation fails here, not in a worker).

    Returns the system there, the equations kept, those left out (``optional``: an equation
    whose generator refuses the system is omitted with an :class:`OmittedEquationWarning`;
    otherwise the refusal propagates) with the reason, and the currents there per equation
    (the manifest's ``probe``, a fingerprint of what the builder computes).
    """
    single = _build(info, grid.points(0, 1) if grid.axes else dict(grid.fixed))
    kept: list[MasterEquation] = []
    omitted: dict[str, str] = {}
    probe: list[list[float]] = []
    for equation in equations:
        try:
            result = evaluate_system(single, (equation,), cumulants=cumulants)
        except InvalidParameterError as exc:
            if not optional:
                raise
            omitted[equation.name] = str(exc)
            continue
        kept.append(equation)
        probe.append([float(j) for j in result["J"][0, :, 0]])
    if not kept:
        raise InvalidParameterError(
            "no master equation applies to this system: "
            + "; ".join(f"{name}: {why}" for name, why in omitted.items())
        )
    for name, why in omitted.items():
        warnings.warn(
            f"equation {name} does not apply to this system and is left out of the sweep "
            f"(name it with --equation to see the error): {why}",
            OmittedEquationWarning,
            stacklevel=4,
        )
    return single, tuple(kept), omitted, probe


def _probe_axes(grid: Grid, info: BuilderInfo, chunk_size: int) -> None:
    """Build the system at every value of every axis (the others at their first value, at
    most ``chunk_size`` values at a time) before any work, so that a value the builder
    refuses fails now. An axis longer than :data:`PROBE_ALL_VALUES` is built at an evenly
    spaced sample of ``chunk_size`` values, both ends included."""
    first = {name: values[:1] for name, values in grid.axes}
    fixed = dict(grid.fixed)
    for name, values in grid.axes:
        if values.size > PROBE_ALL_VALUES:
            sample = np.unique(np.linspace(0, values.size - 1, chunk_size).round().astype(np.int64))
            _build(info, {**fixed, **first, name: values[sample]})
            continue
        for start in range(0, values.size, chunk_size):
            _build(info, {**fixed, **first, name: values[start : start + chunk_size]})


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
