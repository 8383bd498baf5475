"""Input validation shared by the public constructors: each check names the parameter."""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray

from .errors import InvalidParameterError

__all__ = ["real_array", "hermitian"]


def real_array(
    name: str,
    value: ArrayLike,
    *,
    minimum: float | None = None,
    strictly_positive: bool = False,
) -> NDArray[np.float64]:
    """Return ``value`` as a float array after checking it is real, finite and in range.

    ``minimum`` is an inclusive lower bound; ``strictly_positive`` demands ``> 0``.
    """
    try:
        arr = np.asarray(value)
    except Exception as exc:  # pragma: no cover - numpy accepts almost anything
        raise InvalidParameterError(f"{name} must be a real number, got {value!r}") from exc
    if arr.dtype.kind not in "biuf":
        raise InvalidParameterError(f"{name} must be a real number, got {value!r}")
    arr = arr.astype(np.float64)
    if not np.all(np.isfinite(arr)):
        raise InvalidParameterError(f"{name} must be finite (not NaN or infinite), got {value!r}")
    if strictly_positive and np.any(arr <= 0):
        raise InvalidParameterError(f"{name} must be > 0, got {_show(arr)}")
    if minimum is not None and np.any(arr < minimum):
        raise InvalidParameterError(f"{name} must be >= {minimum:g}, got {_show(arr)}")
    return arr


def hermitian(name: str, value: ArrayLike, *, dim: int | None = None) -> NDArray[np.complex128]:
    """Return ``value`` as a complex array of shape ``(..., d, d)`` after checking hermiticity."""
    arr = np.asarray(value)
    if arr.dtype.kind not in "biufc":
        raise InvalidParameterError(f"{name} must be a numeric matrix")
    arr = arr.astype(np.complex128)
    if arr.ndim < 2 or arr.shape[-1] != arr.shape[-2]:
        raise InvalidParameterError(f"{name} must have shape (..., d, d), got {arr.shape}")
    if dim is not None and arr.shape[-1] != dim:
        raise InvalidParameterError(
            f"{name} must be {dim} x {dim} to act on the system, got {arr.shape[-2]} x {arr.shape[-1]}"
        )
    if not np.all(np.isfinite(arr)):
        raise InvalidParameterError(f"{name} must be finite")
    scale = max(1.0, float(np.max(np.abs(arr))))
    if not np.allclose(arr, np.conj(np.swapaxes(arr, -1, -2)), rtol=0, atol=1e-12 * scale):
        raise InvalidParameterError(f"{name} must be Hermitian")
    return arr


def _show(arr: NDArray[np.float64]) -> str:
    return repr(float(arr)) if arr.ndim == 0 else f"an array with min {arr.min():g}"
