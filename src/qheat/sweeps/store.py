"""Chunk files of a sweep in a side directory, written atomically, for ``--resume``.

Layout, next to the output ``plane.nc``: ``plane.nc.parts/sweep.json`` (what is being swept:
grid fingerprint, equations, Lamb shift, chunk size) and one ``chunk-000042.npz`` per finished
chunk. A chunk is written to a temporary name in the same directory and renamed into place
(``os.replace`` is atomic on POSIX), so a crash or a kill leaves either a complete chunk or a
``*.tmp`` file that is ignored and deleted on resume, never a half-written chunk that reads as
valid. The final dataset is written the same way.
"""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from numpy.typing import NDArray

from ..errors import InvalidParameterError

__all__ = ["ChunkStore", "atomic_replace"]

FloatArray = NDArray[np.float64]
_MANIFEST = "sweep.json"


@dataclass(frozen=True)
class ChunkStore:
    """The side directory of one sweep.

    Attributes:
        root: the directory (``<output>.parts``).
        manifest: what is swept; a resumed sweep must match it exactly.
    """

    root: Path
    manifest: Mapping[str, object]

    @classmethod
    def for_output(cls, out: Path, manifest: Mapping[str, object], resume: bool) -> ChunkStore:
        """Open (``resume``) or start afresh the side directory of ``out``.

        Raises:
            InvalidParameterError: resuming a sweep whose parameters differ from the stored
                ones (the message names the differing keys).
        """
        root = out.with_name(out.name + ".parts")
        store = cls(root=root, manifest=dict(manifest))
        path = root / _MANIFEST
        if resume and path.exists():
            stored = json.loads(path.read_text())
            differ = sorted(k for k in set(stored) | set(manifest) if stored.get(k) != manifest.get(k))
            if differ:
                raise InvalidParameterError(
                    f"--resume: {root} holds a different sweep (differs in {', '.join(differ)}); "
                    "rerun without --resume to start afresh"
                )
            for stale in root.glob("*.tmp"):
                stale.unlink()
            return store
        if root.exists():
            shutil.rmtree(root)
        root.mkdir(parents=True)
        atomic_write_text(path, json.dumps(manifest, indent=1))
        return store

    def path(self, chunk: int) -> Path:
        """File of chunk number ``chunk``."""
        return self.root / f"chunk-{chunk:06d}.npz"

    def done(self) -> set[int]:
        """Numbers of the chunks already written."""
        return {int(p.stem.split("-")[1]) for p in self.root.glob("chunk-*.npz")}

    def write(self, chunk: int, arrays: Mapping[str, FloatArray]) -> None:
        """Write one chunk atomically (temporary file, then rename)."""
        final = self.path(chunk)
        tmp = final.with_name(final.name + f".{os.getpid()}.tmp")
        with open(tmp, "wb") as handle:
            np.savez(handle, **dict(arrays))  # type: ignore[arg-type]
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, final)

    def read(self, chunk: int) -> dict[str, FloatArray]:
        """The arrays of one written chunk."""
        with np.load(self.path(chunk)) as data:
            return {name: data[name] for name in data.files}

    def remove(self) -> None:
        """Delete the side directory (after the final dataset is written)."""
        shutil.rmtree(self.root, ignore_errors=True)


def atomic_write_text(path: Path, text: str) -> None:
    """Write a text file through a temporary name and an atomic rename."""
    tmp = path.with_name(path.name + f".{os.getpid()}.tmp")
    tmp.write_text(text)
    os.replace(tmp, path)


def atomic_replace(tmp: Path, final: Path) -> None:
    """Move a finished file or directory ``tmp`` onto ``final`` (replacing it)."""
    if final.is_dir():
        shutil.rmtree(final)
    os.replace(tmp, final)
