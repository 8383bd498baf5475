"""Input validation shared by the public constructors: each check names the parameter.

Every failure raises :class:`~qheat.errors.InvalidParameterError` (a ``ValueError``) whose
message names the parameter, what is allowed and what was given. ``docs/errors.md`` lists
every case the test-suite tries, with the message it gets.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from .errors import InvalidParameterError

__all__ = ["real_array", "hermitian", "broadcast_shape", "flag", "tolerance", "finite_output"]

HERMITIAN_RTOL = 1e-12
"""``max |H - H^dag|`` allowed, relative to ``max(1, max |H|)``."""


def real_array(
    name: str,
    value: ArrayLike,
    *,
    minimum: float | None = None,
    strictly_positive: bool = False,
) -> NDArray[np.float64]:
    """Return ``value`` as a float array after checking it is real, finite and in range.

    ``minimum`` is an inclusive lower bound; ``strictly_positive`` demands ``> 0``. A negative
    zero comes back as ``+0.0``: ``-0.0`` passes ``>= 0`` but flips the sign of every
    ``w / T`` (an inverted bath at "``T = 0``"), so it must be the same number as ``0``.
    """
    if type(value) in (float, int, np.float64):  # the common scalar case, without array reductions
        number = float(value)  # type: ignore[arg-type]
        if (
            math.isfinite(number)
            and not (strictly_positive and number <= 0)
            and not (minimum is not None and number < minimum)
        ):
            return np.asarray(number + 0.0)  # -0.0 + 0.0 is +0.0
    elif type(value) is np.ndarray and value.dtype == np.float64 and value.size:
        # already a float array (the constructors' own output): one pass over min and max
        if value.ndim == 0:
            low = high = float(value)
        else:
            low, high = float(value.min()), float(value.max())
        if (
            math.isfinite(low)
            and math.isfinite(high)
            and not (strictly_positive and low <= 0)
            and not (minimum is not None and low < minimum)
        ):
            # a -0.0 needs 0 in [low, high]; + 0.0 turns it into +0.0
            return np.asarray(value + 0.0) if low <= 0.0 <= high else value
    arr = _numeric(name, value, "a real number or array of real numbers")
    if arr.dtype.kind not in "iuf":  # booleans are refused: True is not a temperature
        raise InvalidParameterError(
            f"{name} must be a real number or array of real numbers, got {_brief(value)}"
        )
    arr = np.asarray(arr, dtype=np.float64)
    if not np.all(np.isfinite(arr)):
        raise InvalidParameterError(
            f"{name} must be finite (not NaN or infinite), got {_show(arr[~np.isfinite(arr)])}"
        )
    if strictly_positive and np.any(arr <= 0):
        raise InvalidParameterError(f"{name} must be > 0, got {_show(arr[arr <= 0])}")
    if minimum is not None and np.any(arr < minimum):
        below = _show(arr[arr < minimum])
        raise InvalidParameterError(f"{name} must be >= {minimum:g}, got {below}")
    return np.asarray(arr + 0.0)


def hermitian(name: str, value: ArrayLike, *, dim: int | None = None) -> NDArray[np.complex128]:
    """Return ``value`` as a complex array of shape ``(..., d, d)`` after checking hermiticity.

    ``dim`` demands ``d == dim`` (a coupling operator must act on the system's space).
    """
    arr = _numeric(name, value, "a square numeric matrix")
    if arr.dtype.kind not in "biufc":
        raise InvalidParameterError(f"{name} must be a square numeric matrix, got {_brief(value)}")
    arr = np.asarray(arr, dtype=np.complex128)
    if arr.ndim < 2 or arr.shape[-1] != arr.shape[-2] or arr.shape[-1] == 0:
        raise InvalidParameterError(
            f"{name} must have shape (..., d, d) with d >= 1, got shape {arr.shape}"
        )
    if dim is not None and arr.shape[-1] != dim:
        raise InvalidParameterError(
            f"{name} must be {dim} x {dim} to act on the system, "
            f"got {arr.shape[-2]} x {arr.shape[-1]}"
        )
    if not np.isfinite(arr).all():
        raise InvalidParameterError(f"{name} must be finite (no NaN or infinite entries)")
    scale = max(1.0, float(np.abs(arr).max()))
    deviation = float(np.abs(arr - np.conj(np.swapaxes(arr, -1, -2))).max())
    if deviation > HERMITIAN_RTOL * scale:
        raise InvalidParameterError(
            f"{name} must be Hermitian: max |A - A^dag| = {deviation:.3g} exceeds "
            f"{HERMITIAN_RTOL:g} x max(1, max |A|)"
        )
    return arr


def broadcast_shape(shapes: Mapping[str, tuple[int, ...]]) -> tuple[int, ...]:
    """The common batch shape of named parameters; the error names every parameter and shape."""
    if not any(shapes.values()):  # all scalars (one point): nothing to broadcast
        return ()
    try:
        return np.broadcast_shapes(*shapes.values())
    except ValueError:
        listed = ", ".join(f"{name} {shape}" for name, shape in shapes.items())
        raise InvalidParameterError(
            "parameter shapes do not broadcast together (numpy rules, leading batch axes): "
            + listed
        ) from None


def flag(name: str, value: object) -> bool:
    """A ``bool`` option (``True``/``False``, numpy bools included); anything else is refused."""
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    raise InvalidParameterError(f"{name} must be True or False, got {_brief(value)}")


def tolerance(name: str, value: object) -> float:
    """A finite scalar ``>= 0`` (a frequency tolerance), as a float."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(
        value, (int, float, np.integer, np.floating)
    ):
        raise InvalidParameterError(
            f"{name} must be a finite real number >= 0, got {_brief(value)}"
        )
    number = float(value)
    if not (np.isfinite(number) and number >= 0):
        raise InvalidParameterError(f"{name} must be a finite real number >= 0, got {number!r}")
    return number


def finite_output(what: str, value: NDArray[np.float64], cause: str) -> NDArray[np.float64]:
    """Refuse a non-finite computed value (an overflow) instead of returning it silently."""
    if not np.all(np.isfinite(value)):
        raise InvalidParameterError(
            f"{what} is not finite (floating-point overflow) for {cause}; rescale the energies "
            "so that they stay well inside the double-precision range"
        )
    return value


def _numeric(name: str, value: ArrayLike, expected: str) -> NDArray[Any]:
    try:
        return np.asarray(value)
    except (ValueError, TypeError):  # ragged nested sequences
        raise InvalidParameterError(f"{name} must be {expected}, got {_brief(value)}") from None


def _brief(value: object) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _show(arr: NDArray[np.float64]) -> str:
    flat = np.ravel(arr)
    first = float(flat[0])
    return repr(first) if flat.size == 1 else f"{flat.size} values, e.g. {first!r}"
