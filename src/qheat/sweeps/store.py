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

import json
import math
import os
import shutil
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

import numpy as np
import xarray as xr
from numpy.typing import NDArray

from ..errors import InvalidParameterError

__all__ = [
    "DONE_LOG",
    "MANIFEST",
    "ChunkLayout",
    "MemorySink",
    "PartsSink",
    "Sink",
    "ZarrSink",
    "atomic_replace",
    "atomic_write_text",
    "check_manifest",
    "read_manifest",
    "remove_path",
]

FloatArray = NDArray[np.float64]
MANIFEST = "sweep.json"
"""The manifest's file name inside a store (or ``<out>.parts``)."""
DONE_LOG = "qheat-done.txt"
"""The list of finished chunks inside a zarr store, one number per line."""
INT64_MAX = int(np.iinfo(np.int64).max)


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
        self.arrays = {name: group[name] for name in self.names}

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
            region = self.layout.region(int(number))
            out = {}
            for name, array in self.arrays.items():
                lead = array.shape[: array.ndim - len(region)]
                values = np.asarray(array[(slice(None),) * len(lead) + region])
                out[name] = values.reshape(lead + (-1,))
            yield out


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

    Raises:
        InvalidParameterError: no manifest, or one that differs from ``now`` (each differing
            key with its stored and its current value).
    """
    if stored is None:
        raise InvalidParameterError(
            f"--resume: {where} was not written by qheat sweep (no {MANIFEST}); "
            "use another output or --overwrite"
        )
    differ = sorted(k for k in set(stored) | set(now) if stored.get(k) != now.get(k))
    if differ:
        details = "; ".join(
            f"{k}: stored {_short(stored.get(k))}, now {_short(now.get(k))}" for k in differ
        )
        raise InvalidParameterError(
            f"--resume: {where} holds a different sweep (differs in {', '.join(differ)}: "
            f"{details}); use another output, or --overwrite to start afresh"
        )


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
