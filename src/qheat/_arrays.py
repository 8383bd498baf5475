"""Arrays for the compiled loops: broadcast, C-contiguous, writable, of one dtype."""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import NDArray

__all__ = ["dense"]


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
