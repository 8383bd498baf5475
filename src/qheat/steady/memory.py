"""The memory one parameter point needs while it is solved, in bytes: what sweeps and the
explorer size their batches by (one estimate for both).

* Dense path (``d < KRYLOV_FROM``): ``16 (a d^4 + (b + 8 n_baths) d^2)`` with the equation's
  ``a`` (the ``d^2 x d^2`` superoperators of the population block, their factorization, and for
  a Hamiltonian that varies over the batch its eigenbases: ``a = 3.5`` Bloch-Redfield, ``1.2``
  global Lindblad, ``10`` local (its local generators' superoperators, moved), ``18`` ULE) and ``b`` (``64``; ``1280`` for the ULE's
  quadrature of jump operators). Measured (``tracemalloc`` peaks, docs/explorer.md and
  ``benchmarks/bench_memory.py --per-point``): above every measurement for d = 4..32, at most
  2.2 times it.
* Matrix-free (``d >= KRYLOV_FROM``, :mod:`qheat.steady.krylov`): ``1.25 * 16 * ((8 n_baths +
  26) d^2 + RESTART d^2 / 2)``: the operators of each point and, counted with each point for
  safety, GMRES's vectors (measured: 0.94 GB peak for a 10-qubit chain with two baths).

An equation of another name counts as the largest.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from .krylov import RESTART
from .solve import KRYLOV_FROM

__all__ = ["DENSE_FACTOR", "point_memory_bytes"]

DENSE_FACTOR = {"br": 3.5, "lindblad": 1.2, "local": 10.0, "ule": 18.0}
"""Bytes per point over ``16 d^4`` on the dense path (measured factors, rounded up)."""
_SQUARE = {"br": 64.0, "lindblad": 64.0, "local": 64.0, "ule": 1280.0}
_PER_BATH = 8.0


def point_memory_bytes(d: int, n_baths: int, equations: Sequence[str] = ("br",)) -> int:
    """Working memory of one point solved under each of ``equations`` in turn (the largest),
    in bytes (module docstring)."""
    if d >= KRYLOV_FROM:
        return int(1.25 * 16 * ((8 * n_baths + 26) * d**2 + RESTART * d**2 / 2))
    largest = max(DENSE_FACTOR, key=lambda name: DENSE_FACTOR[name])
    names = [e if e in DENSE_FACTOR else largest for e in equations]
    return max(
        math.ceil(16.0 * (DENSE_FACTOR[e] * d**4 + (_SQUARE[e] + _PER_BATH * n_baths) * d**2))
        for e in names or ["br"]
    )
