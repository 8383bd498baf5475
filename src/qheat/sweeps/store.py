"""Where a sweep's results go, chunk by chunk: memory, a zarr store, or chunk files for netCDF.

A sweep is cut into chunks that are rectangles of the grid (:class:`ChunkLayout`), each one a
contiguous range of flat points, so that a chunk is also exactly one chunk of every zarr array
and is written in one region write, without reading anything back.

Three *sinks* take the chunks as they finish:

* :class:`MemorySink` (no output file): flat arrays of the whole grid in memory;
* :class:`ZarrSink` (``*.zarr``): arrays of the grid's shape preallocated in the store (zarr
  format 2) and written region by region; the calling process holds one chunk at a time;
* :class:`PartsSink` (``*.nc``): one ``.npz`` file per chunk in ``<out>.parts``, assembled into
  the netCDF file at the end (netCDF is for grids that fit in memory).

Resume. A resumable store holds ``sweep.json`` (the manifest: grid, builder, equations, chunk
layout, qheat version) and knows which chunks are finished: a chunk file renamed into place
(``os.replace`` is atomic on POSIX) or, in a zarr store, a line ``<chunk>`` appended to
``qheat-done.txt`` *after* the chunk's region writes returned. A run killed at any moment
leaves every chunk either listed as done and complete, or not listed (and rewritten whole on
resume); a torn last line is ignored. The regions are written by the calling process, or by
the workers themselves when they see the store (local processes; a Dask cluster with the store
on a shared file system): the calling process alone appends to the done log, after the
worker's writes returned.
"""

from __future__ import annotations

import errno
import json
import math
import os
import shutil
import socket
import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol, cast

import numpy as np
import xarray as xr
from numpy.typing import NDArray

from ..errors import InvalidParameterError, QheatError

__all__ = [
    "DONE_LOG",
    "MANIFEST",
    "ChunkLayout",
    "MemorySink",
    "OutputLockedError",
    "PartsSink",
    "Sink",
    "StoreError",
    "StoreWarning",
    "UnreadableChunk",
    "VerifyReport",
    "WriterLock",
    "ZarrSink",
    "atomic_replace",
    "atomic_write_text",
    "check_manifest",
    "disk_bytes",
    "read_manifest",
    "remove_path",
    "verify_output",
]

FloatArray = NDArray[np.float64]
MANIFEST = "sweep.json"
"""The manifest's file name inside a store (or ``<out>.parts``)."""
DONE_LOG = "qheat-done.txt"
"""The list of finished chunks inside a zarr store, one number per line."""
INT64_MAX = int(np.iinfo(np.int64).max)
PROBE_RTOL = 1e-9
"""Relative tolerance of the currents at the first point (the manifest's ``probe``) between
the run that started a store and the one resuming it (the same code gives the same bits)."""


class StoreError(QheatError):
    """An output that cannot be written or read as a sweep (a full disk, a read-only or
    missing folder, a corrupt file); the message says what is kept and how to go on."""


class OutputLockedError(StoreError):
    """Another process is writing this output (its :class:`WriterLock` is held)."""


class StoreWarning(RuntimeWarning):
    """A store is not what its records say: chunks listed as written are missing or
    unreadable (they are computed again on resume), or it is incomplete (a figure of it
    has gaps)."""


class UnreadableChunk(Exception):
    """A chunk listed as written whose files are missing or do not decode (the reason)."""


@dataclass(frozen=True)
class ChunkLayout:
    """Chunks of at most ``chunk_size`` points that are rectangles of a grid of ``shape``.

    The chunk shape is ``(1, ..., 1, c, n_{a+1}, ..., n_d)``: the trailing dimensions whole
    (as many as fit in ``chunk_size``), ``c`` points along axis ``a``, one index along the
    leading ones. Such a rectangle is a contiguous range of flat (C-order) points. Chunks are
    numbered in C order over the grid of chunks.
    """

    shape: tuple[int, ...]
    chunk_size: int
    chunks: tuple[int, ...] = field(init=False)

    def __post_init__(self) -> None:
        axis, inner = len(self.shape), 1
        while axis > 0 and inner * self.shape[axis - 1] <= self.chunk_size:
            axis -= 1
            inner *= self.shape[axis]
        chunks = [1] * len(self.shape)
        for i in range(axis, len(self.shape)):
            chunks[i] = self.shape[i]
        if axis > 0:
            chunks[axis - 1] = max(1, min(self.shape[axis - 1], self.chunk_size // inner))
        object.__setattr__(self, "chunks", tuple(chunks))

    @property
    def counts(self) -> tuple[int, ...]:
        """Number of chunks along each dimension."""
        return tuple(-(-n // c) for n, c in zip(self.shape, self.chunks))

    @property
    def n_chunks(self) -> int:
        """Number of chunks."""
        return math.prod(self.counts)

    @property
    def points_per_chunk(self) -> int:
        """Points of a whole chunk (the last one along an axis may hold fewer)."""
        return math.prod(self.chunks)

    def region(self, number: int) -> tuple[slice, ...]:
        """The rectangle of chunk ``number`` as slices of the grid's dimensions."""
        index = np.unravel_index(number, self.counts) if self.shape else ()
        return tuple(
            slice(int(i) * c, min((int(i) + 1) * c, n))
            for i, c, n in zip(index, self.chunks, self.shape)
        )

    def bounds(self, number: int) -> tuple[int, int]:
        """Flat points ``start <= i < stop`` of chunk ``number``."""
        region = self.region(number)
        start, size = 0, 1
        for s, n in zip(region, self.shape):
            start = start * n + s.start
            size *= s.stop - s.start
        return start, start + size


class Sink(Protocol):
    """Takes finished chunks; knows which chunks are done; gives the Dataset at the end."""

    def done(self) -> NDArray[np.bool_]: ...

    def write(self, number: int, arrays: Mapping[str, FloatArray]) -> None: ...

    def chunks(self) -> Iterator[dict[str, FloatArray]]:
        """The flat arrays ``(..., n)`` of the chunks written (a whole grid for memory)."""
        ...


def _chunk_view(layout: ChunkLayout, number: int, values: FloatArray) -> FloatArray:
    """A chunk's flat ``(..., n)`` values as the rectangle ``(..., *chunk shape)``."""
    region = layout.region(number)
    return values.reshape(values.shape[:-1] + tuple(s.stop - s.start for s in region))


@dataclass
class MemorySink:
    """Flat arrays of the whole grid in memory (a sweep without an output file)."""

    layout: ChunkLayout
    columns: dict[str, FloatArray] = field(default_factory=dict)
    finished: NDArray[np.bool_] = field(init=False)

    def __post_init__(self) -> None:
        self.finished = np.zeros(self.layout.n_chunks, dtype=bool)

    def done(self) -> NDArray[np.bool_]:
        return self.finished

    def write(self, number: int, arrays: Mapping[str, FloatArray]) -> None:
        size = math.prod(self.layout.shape)
        start, stop = self.layout.bounds(number)
        for name, values in arrays.items():
            if name not in self.columns:
                self.columns[name] = np.full(values.shape[:-1] + (size,), np.nan)
            self.columns[name][..., start:stop] = values
        self.finished[number] = True

    def chunks(self) -> Iterator[dict[str, FloatArray]]:
        yield self.columns


@dataclass
class ZarrSink:
    """A zarr store (format 2) with arrays of the grid's shape, written region by region.

    Create it with :func:`qheat.sweeps.dataset.create_store`; this class writes and reads
    chunks and the done log.
    """

    path: Path
    layout: ChunkLayout
    names: tuple[str, ...]
    arrays: dict[str, Any] = field(init=False)

    def __post_init__(self) -> None:
        import zarr

        group = zarr.open_group(str(self.path), mode="r+", zarr_format=2)
        # every chunk written as a file, even all NaN: a missing file means a lost chunk
        config = {"write_empty_chunks": True}
        self.arrays = {name: cast(Any, group[name]).with_config(config) for name in self.names}

    def done(self) -> NDArray[np.bool_]:
        finished = np.zeros(self.layout.n_chunks, dtype=bool)
        log = self.path / DONE_LOG
        if log.exists():
            for line in log.read_text().split("\n")[:-1]:  # a torn last line has no newline
                if line.isdigit() and int(line) < finished.size:
                    finished[int(line)] = True
        return finished

    def write(self, number: int, arrays: Mapping[str, FloatArray]) -> None:
        self.write_region(number, arrays)
        self.mark(number)

    def write_region(self, number: int, arrays: Mapping[str, FloatArray]) -> None:
        """Write chunk ``number`` into its region of every array (not yet listed as done)."""
        region = self.layout.region(number)
        for name, values in arrays.items():
            lead = (slice(None),) * (values.ndim - 1)
            self.arrays[name][lead + region] = _chunk_view(self.layout, number, values)

    def mark(self, number: int) -> None:
        """List chunk ``number`` as done: only after every region write of it returned."""
        with open(self.path / DONE_LOG, "a") as log:
            log.write(f"{number}\n")

    def chunks(self) -> Iterator[dict[str, FloatArray]]:
        for number in np.flatnonzero(self.done()):
            yield self.read(int(number))

    def read(self, number: int) -> dict[str, FloatArray]:
        """The flat arrays ``(..., n)`` of chunk ``number`` as stored."""
        region = self.layout.region(number)
        out = {}
        for name, array in self.arrays.items():
            lead = array.shape[: array.ndim - len(region)]
            values = np.asarray(array[(slice(None),) * len(lead) + region])
            out[name] = values.reshape(lead + (-1,))
        return out

    def read_verified(self, number: int) -> dict[str, FloatArray]:
        """Chunk ``number`` read back, after checking that every array has its file.

        Raises:
            UnreadableChunk: a chunk file is missing (zarr would return NaN), does not
                decode, or the currents hold NaN.
        """
        index = tuple(int(i) for i in np.unravel_index(number, self.layout.counts))
        for name, array in self.arrays.items():
            key = array.metadata.encode_chunk_key((0,) * (array.ndim - len(index)) + index)
            if not (self.path / name / key).is_file():
                raise UnreadableChunk(f"{name}/{key} missing")
        try:
            arrays = self.read(number)
        except Exception as exc:  # noqa: BLE001 - any codec error means a corrupt file
            raise UnreadableChunk(f"does not decode ({type(exc).__name__}: {exc})") from None
        if "J" in arrays and np.isnan(arrays["J"]).any():
            raise UnreadableChunk("J holds NaN")
        return arrays


@dataclass
class PartsSink:
    """One ``chunk-000042.npz`` per finished chunk in a side directory (netCDF outputs)."""

    root: Path
    layout: ChunkLayout

    def path(self, number: int) -> Path:
        """File of chunk ``number``."""
        return self.root / f"chunk-{number:06d}.npz"

    def done(self) -> NDArray[np.bool_]:
        finished = np.zeros(self.layout.n_chunks, dtype=bool)
        for p in self.root.glob("chunk-*.npz"):
            number = int(p.stem.split("-")[1])
            if number < finished.size:
                finished[number] = True
        return finished

    def write(self, number: int, arrays: Mapping[str, FloatArray]) -> None:
        """Write one chunk atomically (temporary file, fsync, rename)."""
        final = self.path(number)
        tmp = final.with_name(final.name + f".{os.getpid()}.tmp")
        with open(tmp, "wb") as handle:
            np.savez(handle, **dict(arrays))  # type: ignore[arg-type]
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, final)

    def read(self, number: int) -> dict[str, FloatArray]:
        """The flat arrays of one written chunk."""
        with np.load(self.path(number)) as data:
            return {name: data[name] for name in data.files}

    def read_verified(self, number: int) -> dict[str, FloatArray]:
        """Chunk ``number`` read back and checked (shapes, no NaN current).

        Raises:
            UnreadableChunk: the file does not load, or holds arrays of the wrong length.
        """
        try:
            arrays = self.read(number)
        except Exception as exc:  # noqa: BLE001 - a truncated or garbled file
            raise UnreadableChunk(f"{self.path(number).name} does not load ({exc})") from None
        start, stop = self.layout.bounds(number)
        if any(v.shape[-1:] != (stop - start,) for v in arrays.values()) or "J" not in arrays:
            raise UnreadableChunk(f"{self.path(number).name} holds arrays of the wrong shape")
        if np.isnan(arrays["J"]).any():
            raise UnreadableChunk(f"{self.path(number).name}: J holds NaN")
        return arrays

    def forget(self, number: int) -> None:
        """Remove chunk ``number``'s file (an unreadable one, to be computed again)."""
        self.path(number).unlink(missing_ok=True)

    def chunks(self) -> Iterator[dict[str, FloatArray]]:
        for number in np.flatnonzero(self.done()):
            yield self.read(int(number))

    def assemble(self, sink: MemorySink) -> MemorySink:
        """Every written chunk copied into ``sink`` (the whole grid, for the netCDF file)."""
        for number in np.flatnonzero(self.done()):
            sink.write(int(number), self.read(int(number)))
        return sink


def read_manifest(root: Path) -> dict[str, Any] | None:
    """The manifest stored in ``root`` (None: there is none)."""
    path = root / MANIFEST
    return json.loads(path.read_text()) if path.exists() else None


def check_manifest(where: Path, stored: Mapping[str, Any] | None, now: Mapping[str, Any]) -> None:
    """Refuse to resume ``where`` unless it holds the same sweep; the message says what differs.

    Every key must be equal, except ``probe`` (the currents at the grid's first point, a
    fingerprint of what the builder computes), equal within :data:`PROBE_RTOL`.

    Raises:
        InvalidParameterError: no manifest, or one that differs from ``now`` (each differing
            key with its stored and its current value).
    """
    if stored is None:
        raise InvalidParameterError(
            f"--resume: {where} was not written by qheat sweep (no {MANIFEST}); "
            "use another output or --overwrite"
        )
    differ = sorted(
        k
        for k in set(stored) | set(now)
        if (k != "probe" and stored.get(k) != now.get(k))
        or (k == "probe" and not _same_probe(stored.get(k), now.get(k)))
    )
    if differ != ["probe"] and "probe" in differ:
        differ.remove("probe")  # a consequence of the other differences
    if differ == ["probe"]:
        raise InvalidParameterError(
            f"--resume: {where} was computed by a builder that gave other currents at the "
            f"grid's first point (stored {_short(stored.get('probe'))}, now "
            f"{_short(now.get('probe'))}): the builder or what it reads changed since; use "
            "another output, or --overwrite to start afresh"
        )
    if differ:
        details = "; ".join(
            f"{k}: stored {_short(stored.get(k))}, now {_short(now.get(k))}" for k in differ
        )
        raise InvalidParameterError(
            f"--resume: {where} holds a different sweep (differs in {', '.join(differ)}: "
            f"{details}); use another output, or --overwrite to start afresh"
        )


def _same_probe(stored: Any, now: Any) -> bool:
    try:
        a, b = np.asarray(stored, dtype=float), np.asarray(now, dtype=float)
    except (TypeError, ValueError):
        return False
    if a.shape != b.shape:
        return False
    scale = float(np.max(np.abs(a), initial=0.0))
    return bool(np.allclose(a, b, rtol=PROBE_RTOL, atol=PROBE_RTOL * scale))


def _short(value: Any) -> str:
    text = json.dumps(value)
    return text if len(text) <= 60 else text[:57] + "..."


def write_manifest(root: Path, manifest: Mapping[str, Any]) -> None:
    """Store the manifest in ``root`` atomically."""
    atomic_write_text(root / MANIFEST, json.dumps(dict(manifest), indent=1))


def open_parts(
    root: Path, layout: ChunkLayout, manifest: Mapping[str, Any], resume: bool
) -> PartsSink:
    """The side directory of a netCDF output: resumed (same manifest) or made afresh."""
    if resume and root.exists():
        check_manifest(root, read_manifest(root), manifest)
        for stale in root.glob("*.tmp"):
            stale.unlink()
        return PartsSink(root, layout)
    remove_path(root)
    root.mkdir(parents=True)
    write_manifest(root, manifest)
    return PartsSink(root, layout)


def atomic_write_text(path: Path, text: str) -> None:
    """Write a text file through a temporary name and an atomic rename."""
    tmp = path.with_name(path.name + f".{os.getpid()}.tmp")
    tmp.write_text(text)
    os.replace(tmp, path)


def atomic_replace(tmp: Path, final: Path) -> None:
    """Move a finished file or directory ``tmp`` onto ``final`` (replacing it)."""
    remove_path(final)
    os.replace(tmp, final)


def remove_path(path: Path) -> None:
    """Delete a file or a directory tree if it exists."""
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path)
    elif path.exists() or path.is_symlink():
        path.unlink()


def open_lazily(path: Path) -> xr.Dataset:
    """The Dataset of a zarr store, read lazily chunk by chunk (dask arrays)."""
    return xr.open_zarr(path, consolidated=True)


def lock_path(out: Path) -> Path:
    """The writer lock of an output: ``<out>.lock`` beside it."""
    return out.with_name(out.name + ".lock")


STALE_EMPTY_SECONDS = 10.0
"""An empty or unreadable lock file older than this is stale (its writer died while
creating it)."""


@dataclass
class WriterLock:
    """The one writer of an output: ``<out>.lock`` made with ``O_CREAT | O_EXCL``.

    The file holds ``{"pid", "host", "since"}``. Taking a lock held by a live process raises
    :class:`OutputLockedError`; one whose process is gone (same host, pid not alive) or an
    empty one older than :data:`STALE_EMPTY_SECONDS` is stale and taken over. Use as a
    context manager; :meth:`release` removes the file only if it is still this process's.
    """

    out: Path
    held: bool = False

    @property
    def path(self) -> Path:
        return lock_path(self.out)

    def acquire(self) -> WriterLock:
        """Take the lock (creating the output's folder if needed).

        Raises:
            OutputLockedError: another live process holds it.
            StoreError: the folder cannot be written (read-only, under a regular file).
        """
        for _ in range(3):
            try:
                self.out.parent.mkdir(parents=True, exist_ok=True)
                fd = os.open(self.path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644)
            except FileExistsError:
                holder = self.holder()
                if holder is not None and not _stale(holder, self.path):
                    raise OutputLockedError(_locked_message(self.out, holder)) from None
                self.path.unlink(missing_ok=True)  # stale: its writer is gone
                continue
            except OSError as exc:
                raise StoreError(cannot_write(self.out, exc)) from None
            record = {"pid": os.getpid(), "host": socket.gethostname(), "since": time.time()}
            with os.fdopen(fd, "w") as handle:
                handle.write(json.dumps(record))
            self.held = True
            return self
        raise OutputLockedError(f"{self.out}: cannot take the writer lock {self.path}")

    def holder(self) -> dict[str, Any] | None:
        """The record of the process holding the lock ({} if unreadable; None: no lock)."""
        try:
            text = self.path.read_text()
        except FileNotFoundError:
            return None
        except OSError:
            return {}
        try:
            record = json.loads(text)
        except ValueError:
            return {}
        return record if isinstance(record, dict) else {}

    def check(self) -> None:
        """Raise :class:`OutputLockedError` if a live process holds the lock (nothing taken)."""
        holder = self.holder()
        if holder is not None and not _stale(holder, self.path):
            raise OutputLockedError(_locked_message(self.out, holder))

    def release(self) -> None:
        """Remove the lock if this process holds it."""
        if self.held:
            holder = self.holder()
            if holder is not None and holder.get("pid") == os.getpid():
                self.path.unlink(missing_ok=True)
            self.held = False

    def __enter__(self) -> WriterLock:
        return self.acquire()

    def __exit__(self, *_: object) -> None:
        self.release()


def _stale(holder: Mapping[str, Any], path: Path) -> bool:
    """Whether the process of a lock record is gone (only knowable on this host)."""
    pid = holder.get("pid")
    if not isinstance(pid, int):
        try:
            age = time.time() - path.stat().st_mtime
        except OSError:
            return True
        return age > STALE_EMPTY_SECONDS
    if holder.get("host") != socket.gethostname():
        return False
    if pid == os.getpid():
        return False  # this process: a writer still open here
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False
    return False


def _locked_message(out: Path, holder: Mapping[str, Any]) -> str:
    since = holder.get("since")
    when = (
        time.strftime(" since %Y-%m-%d %H:%M:%S", time.localtime(since))
        if isinstance(since, int | float)
        else ""
    )
    who = f"pid {holder.get('pid', '?')} on {holder.get('host', '?')}"
    return (
        f"{out} is being written by another qheat sweep ({who}{when}, lock "
        f"{lock_path(out)}): wait for it to finish, or delete the lock if that process is gone"
    )


def cannot_write(out: Path, exc: OSError) -> str:
    """One line for an output that cannot be written: the system's reason and the file."""
    reason = exc.strerror or type(exc).__name__
    where = f" ({exc.filename})" if exc.filename else ""
    hint = {
        errno.ENOSPC: "free space on the disk",
        errno.EDQUOT: "free space within the quota",
        errno.EROFS: "choose an output on a writable file system",
        errno.EACCES: "choose an output in a folder you may write",
        errno.EPERM: "choose an output in a folder you may write",
        errno.ENOTDIR: "a parent of the output is a regular file: choose another path",
    }.get(exc.errno or 0, "check the output path")
    return f"cannot write {out}: {reason}{where}; {hint}"


def check_writable(out: Path) -> str | None:
    """Why ``out`` cannot be created (None: its nearest existing folder takes a new file)."""
    folder = out.parent
    while not folder.exists() and folder != folder.parent:
        folder = folder.parent
    if not folder.is_dir():
        return f"cannot write {out}: {folder} is a regular file, not a folder; choose another path"
    probe = folder / f".qheat-write-test.{os.getpid()}"
    try:
        probe.touch()
        probe.unlink()
    except OSError as exc:
        return cannot_write(out, exc)
    return None


def file_bytes(payload: int, block: int) -> int:
    """Disk space a file of ``payload`` bytes takes: whole blocks, at least one."""
    return block * max(1, -(-payload // block))


def disk_bytes(
    layout: ChunkLayout,
    values_per_point: Mapping[str, int],
    chunks: int,
    suffix: str,
    block: int,
    coordinates: int = 0,
    n_coordinates: int = 0,
) -> int:
    """Disk space of ``chunks`` chunks of a sweep (and, for netCDF, its final file), in bytes.

    Counts what the file system allocates, in whole ``block``s per file and per folder:

    * zarr: a file per chunk and array (the raw float64 values of the full chunk shape plus
      blosc's 16-byte header; values taken as incompressible), a line of the done log per
      chunk, and per array and coordinate (``n_coordinates`` of them, ``coordinates`` values
      in all) a folder, its metadata and its values;
    * netCDF: one ``.npz`` per chunk in ``<out>.parts`` (about 300 bytes of zip and npy
      headers per array) next to the final file (the whole result, the coordinates and about
      4 kB of HDF5 structure per variable).
    """
    points = layout.points_per_chunk
    n_files = len(values_per_point) + n_coordinates
    if suffix == ".zarr":
        per_chunk = sum(file_bytes(8 * n * points + 16, block) for n in values_per_point.values())
        metadata = block * (4 * n_files + 8) + 8 * coordinates + 8 * layout.n_chunks
        return chunks * per_chunk + metadata
    raw = sum(8 * n * points + 300 for n in values_per_point.values())
    whole = sum(8 * n * math.prod(layout.shape) for n in values_per_point.values())
    final = file_bytes(whole + 8 * coordinates + 4096 * (n_files + 2), block)
    return chunks * file_bytes(raw + 100, block) + 3 * block + final


def fs_block(path: Path) -> int:
    """Allocation block of the file system holding ``path`` (4096 if unknown)."""
    folder = path
    while not folder.exists() and folder != folder.parent:
        folder = folder.parent
    try:
        return int(os.statvfs(folder).f_frsize) or 4096
    except (OSError, AttributeError):
        return 4096


@dataclass(frozen=True)
class VerifyReport:
    """What :func:`verify_output` found: chunks in all, listed as written, and the chunks
    missing or unreadable with the reason for each."""

    path: Path
    chunks: int
    written: int
    bad: dict[int, str]
    missing: int

    @property
    def complete(self) -> bool:
        return not self.bad and not self.missing

    def line(self) -> str:
        """One line: complete, or what is missing and how to finish."""
        if self.complete:
            return f"{self.path}: complete, {self.chunks} of {self.chunks} chunks read back"
        ok = self.written - len(self.bad)
        shown = "; ".join(f"chunk {k}: {why}" for k, why in list(self.bad.items())[:3])
        more = f" (and {len(self.bad) - 3} more)" if len(self.bad) > 3 else ""
        unreadable = f", {len(self.bad)} listed but unreadable ({shown}{more})" if self.bad else ""
        return (
            f"{self.path}: incomplete, {ok} of {self.chunks} chunks written and read back, "
            f"{self.missing} never written{unreadable}; run the same qheat sweep with --resume "
            "to compute what is missing"
        )


def verify_output(path: Path) -> VerifyReport:
    """Read back every chunk of a sweep's output (a ``.zarr`` store, or the ``<out>.parts``
    of an unfinished netCDF sweep; a finished ``.nc`` file is checked for missing currents).

    Raises:
        StoreError: ``path`` is not a sweep's output.
    """
    if path.suffix == ".nc" and path.is_file():
        return _verify_netcdf(path)
    root = path if path.suffix == ".zarr" else path.with_name(path.name + ".parts")
    manifest = read_manifest(root) if root.is_dir() else None
    if manifest is None:
        raise StoreError(f"--verify: {path} is not the output of a qheat sweep (no {MANIFEST})")
    if path.suffix == ".zarr":
        import zarr

        try:
            current: Any = zarr.open_group(str(root), mode="r", zarr_format=2)["J"]
            shape = tuple(current.shape[2:])
        except Exception as exc:  # noqa: BLE001 - a store whose metadata do not open
            raise StoreError(f"--verify: {path}: the store does not open ({exc})") from None
        layout = ChunkLayout(shape, int(manifest["chunk_size"]))
        sink: ZarrSink | PartsSink = ZarrSink(root, layout, stored_variables(root))
    else:
        shape = tuple(int(n) for n in manifest.get("shape", ()))
        layout = ChunkLayout(shape, int(manifest["chunk_size"]))
        sink = PartsSink(root, layout)
    listed = sink.done()
    bad = {}
    for number in np.flatnonzero(listed):
        try:
            sink.read_verified(int(number))
        except UnreadableChunk as exc:
            bad[int(number)] = str(exc)
    return VerifyReport(path, layout.n_chunks, int(listed.sum()), bad, int((~listed).sum()))


def stored_variables(root: Path) -> tuple[str, ...]:
    """The result arrays of a zarr store: those whose first dimension is ``equation``."""
    import zarr

    group = zarr.open_group(str(root), mode="r", zarr_format=2)
    return tuple(
        name
        for name, array in group.arrays()
        if list(cast(list[str], array.attrs.get("_ARRAY_DIMENSIONS", [])))[:1] == ["equation"]
        and name != "equation"
    )


def _verify_netcdf(path: Path) -> VerifyReport:
    try:
        with xr.open_dataset(path, engine="h5netcdf") as ds:
            current = np.asarray(ds["J"])
    except Exception as exc:  # noqa: BLE001 - not a netCDF file, or no J in it
        raise StoreError(f"--verify: {path} is not a sweep's netCDF file ({exc})") from None
    lost = int(np.isnan(current).any(axis=(0, 1)).sum()) if current.ndim >= 2 else 0
    bad = {0: f"{lost} points without a current"} if lost else {}
    return VerifyReport(path, 1, 1, bad, 0)
