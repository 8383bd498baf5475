"""``S(w)`` without a closed form: per-value quadrature, or a table once a parameter set is busy.

A family of baths whose Lamb shift has no closed form is evaluated in reduced units: each
distinct parameter set (a *key*, e.g. ``(s, T/omega_c)`` of an ohmic bath) has one function
``S1(u)`` of a reduced frequency ``u``. The first :data:`TABULATE_AFTER` values asked of a key
are computed by quadrature (:func:`~qheat.baths.quadrature.lamb_shift_integral`, about a
millisecond each); after that the key gets a :class:`~qheat.baths.tabulated.LambShiftTable`
and every later value is interpolated (well under a microsecond each). A bath array with many
distinct keys, each asked for few values, therefore costs one quadrature per value, and a
sweep over frequencies at few keys costs the tables' panels only. At most :data:`MAX_TABLES`
tables are kept (the oldest is dropped).
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from numpy.typing import NDArray

from .tabulated import LambShiftTable

__all__ = ["MAX_TABLES", "TABULATE_AFTER", "LambShiftCache"]

FloatArray = NDArray[np.float64]
Key = tuple[float, ...]

TABULATE_AFTER = 64
"""Values asked of one parameter set before its table is built."""
MAX_TABLES = 256
"""Tables kept per bath family."""
MAX_COUNTED = 100_000
"""Parameter sets whose asked values are counted (the counts restart beyond)."""


class LambShiftCache:
    """Reduced ``S1(u; key)`` for many keys, by quadrature or by table.

    Args:
        exact: ``exact(key)`` returns ``S1(., key)`` at one reduced frequency (quadrature).
        scale: ``scale(key)`` returns the panel scale of the key's table (reduced units).
    """

    def __init__(
        self,
        exact: Callable[[Key], Callable[[float], float]],
        scale: Callable[[Key], float],
    ) -> None:
        self._exact = exact
        self._scale = scale
        self._tables: dict[Key, LambShiftTable] = {}
        self._asked: dict[Key, int] = {}

    def tables(self) -> dict[Key, LambShiftTable]:
        """The tables built so far, by key."""
        return dict(self._tables)

    def __call__(self, u: FloatArray, keys: list[FloatArray]) -> FloatArray:
        """``S1(u_i; key_i)`` for flat arrays ``u`` and ``keys`` (one array per key entry)."""
        if all(np.all(k == k.flat[0]) for k in keys if k.size):
            return self._one(u, tuple(float(k.flat[0]) for k in keys)) if u.size else u.copy()
        rows, inverse = np.unique(np.stack(keys, axis=1), axis=0, return_inverse=True)
        inverse = inverse.ravel()
        out = np.empty(u.shape)
        for i, row in enumerate(rows):
            pick = inverse == i
            out[pick] = self._one(u[pick], tuple(float(x) for x in row))
        return out

    def _one(self, u: FloatArray, key: Key) -> FloatArray:
        table = self._tables.get(key)
        if table is None:
            if len(self._asked) > MAX_COUNTED:
                self._asked.clear()  # counts only decide when to tabulate: bounded memory
            asked = self._asked.get(key, 0) + u.size
            self._asked[key] = asked
            if asked < TABULATE_AFTER:
                exact = self._exact(key)
                return np.array([exact(float(x)) for x in u])
            if len(self._tables) >= MAX_TABLES:
                del self._tables[next(iter(self._tables))]
            table = self._tables[key] = LambShiftTable(self._exact(key), self._scale(key))
        return table(u)
