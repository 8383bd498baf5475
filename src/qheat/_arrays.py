"""Arrays for the compiled loops: broadcast, C-contiguous, writable, of one dtype."""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import NDArray

__all__ = ["at_point", "dense"]


def dense(x: Any, shape: tuple[int, ...], dtype: type | np.dtype[Any]) -> NDArray[Any]:
    """``x`` broadcast to ``shape`` as a C-contiguous, writable array of ``dtype``: ``x`` itself
    if it is one already, else a copy (one compiled signature per loop, whatever the caller's
    views; cheaper than ``broadcast_to`` + ``require`` on small arrays)."""
    if (
        isinstance(x, np.ndarray)
        and x.shape == shape
        and x.dtype == dtype
        and x.flags.c_contiguous
        and x.flags.writeable
    ):
        return x
    out = np.empty(shape, dtype=dtype)
    out[...] = x
    return out


def at_point(x: Any, batch: tuple[int, ...], point: int, core: int = 2) -> NDArray[Any]:
    """The element of ``x`` (shape ``(..., *core dims)``, its leading axes broadcasting to
    ``batch``) at the flat batch index ``point``, without broadcasting ``x`` to the batch."""
    x = np.asarray(x)
    index = np.unravel_index(point, batch) if batch else ()
    lead = x.ndim - core
    own = index[len(index) - lead :] if lead else ()
    return x[tuple(i if n > 1 else 0 for i, n in zip(own, x.shape[:lead]))]
