"""How many points the explorer solves at once: the memory one point needs, the visitor's budget.

A batched :func:`qheat.solve` holds, per point, the dense Liouvillian of the population block
(``d^2 x d^2`` complex numbers, ``16 d^4`` bytes for a device without symmetry) and its
factorization, plus the state, the rates and the couplings (``O(n_baths d^2)``). The explorer
splits every curve and map into batches of at most :func:`batch_points` points, so one visitor
never holds more than its budget (:data:`DEFAULT_BUDGET`, ``qheat explore --memory-budget``)
whatever the number of points; a device whose single point does not fit is refused with one
message instead of failing inside numpy.

Measured (``tracemalloc`` peak of ``compute_curves``, slope over two batch sizes, two Drude baths,
a chain of qubits without symmetry; ``docs/explorer.md``), in units of ``16 d^4`` bytes, along a
temperature (the Hamiltonian the same at every point) / along a coupling of the Hamiltonian
(its eigenbasis differs from point to point, which Bloch-Redfield pays for with two more
``d^4`` arrays):

====  ===========  ===========  ===========  ===========
d     br           lindblad     local        ule
====  ===========  ===========  ===========  ===========
4     1.65 / 2.00  1.74 / 2.09  5.80 / 8.61  39.7 / 85.4
8     1.20 / 1.29  1.06 / 1.14  6.08 / 7.13  15.5 / 33.2
16    1.05 / 3.08  0.94 / 0.96  6.02 / 7.03  5.54 / 16.7
32    1.01 / 3.03  0.95 / 1.04  6.01 / (a)   5.51 / (a)
64    1.00 / -     0.97 / -     -            -
====  ===========  ===========  ===========  ===========

(a) at ``d = 32`` the local equation and the ULE peak at 450 and 620 MiB for 4 and for 8
points alike (their largest arrays do not grow with the batch), below the estimate.
The estimate covers the worse of the two columns.
"""

from __future__ import annotations

from collections.abc import Iterable

from ..errors import InvalidParameterError
from ..steady.memory import DENSE_FACTOR, point_memory_bytes
from ..sweeps.run import available_memory

__all__ = [
    "DEFAULT_BUDGET",
    "MAX_BATCH",
    "batch_points",
    "format_bytes",
    "point_bytes",
]

DEFAULT_BUDGET = 1 << 30
"""Bytes one visitor may hold in solves (1 GiB): half for the curves, half for an NDTC map
computed at the same time."""

MAX_BATCH = 4096
"""Most points in one batched solve, however small they are (larger batches are no faster)."""


def point_bytes(dim: int, n_baths: int, equation: str) -> int:
    """Memory one point of a batched solve needs, in bytes (an upper estimate): the engine's
    :func:`qheat.steady.memory.point_memory_bytes` (dense below ``d = 32``, matrix-free above).

    Raises:
        InvalidParameterError: an unknown equation.
    """
    if equation not in DENSE_FACTOR:
        raise InvalidParameterError(
            f"unknown equation {equation!r}; valid: {', '.join(DENSE_FACTOR)}"
        )
    return point_memory_bytes(dim, n_baths, (equation,))


def batch_points(
    dim: int,
    n_baths: int,
    equations: Iterable[str],
    budget: int,
    option: str = "the explorer's curves get half of qheat explore --memory-budget",
) -> int:
    """Points per batched solve: as many as fit ``budget`` bytes and the available memory,
    for the most demanding of ``equations`` (they are solved one after another), at most
    :data:`MAX_BATCH`. ``option`` names the setting of the budget in the refusal.

    Raises:
        InvalidParameterError: a single point needs more than the budget or the memory
            available (the message says how much, and what to change).
    """
    names = list(equations)
    need = max(point_bytes(dim, n_baths, e) for e in names)
    worst = max(names, key=lambda e: point_bytes(dim, n_baths, e))
    free = available_memory()
    limit = min(budget, free)
    if need > limit:
        what = (
            f"the budget of {format_bytes(budget)} for it ({option})"
            if budget <= free
            else f"the {format_bytes(free)} of memory available"
        )
        raise InvalidParameterError(
            f"one point of this system (dimension {dim}, {worst}) needs about "
            f"{format_bytes(need)}, more than {what}: choose fewer qubits, another equation or "
            "a larger budget"
        )
    return max(1, min(MAX_BATCH, limit // need))


def format_bytes(size: float) -> str:
    """``size`` bytes in binary units: ``512 MiB``, ``1.5 GiB``."""
    for unit, scale in (("GiB", 1 << 30), ("MiB", 1 << 20), ("KiB", 1 << 10)):
        if size >= scale:
            return f"{size / scale:.3g} {unit}"
    return f"{size:.0f} B"
