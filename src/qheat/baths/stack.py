"""Several baths of a class without shared parameters, as one bath with a leading bath axis.

:attr:`qheat.model.OpenSystem.correlation_spectra` asks a bath class for ``stacked(baths,
ndim)`` when every bath of a system is of that class. Baths defined by a function or by a list
of exponents (not by broadcastable parameters) answer with a :class:`BathStack`: it evaluates
each bath on its own and stacks the results.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

__all__ = ["BathStack"]


class BathStack:
    """The spectra of ``baths`` on a leading axis: shape ``(len(baths),) + batch``.

    Args:
        baths: baths of the :class:`~qheat.model.Bath` protocol.
        ndim: batch axes to pad every bath's shape to (left-padded with unit axes).
        extra: trailing unit axes (see :meth:`expanded`).
    """

    def __init__(self, baths: Sequence[Any], ndim: int = 0, extra: int = 0) -> None:
        self._baths = tuple(baths)
        self._ndim = ndim
        self._extra = extra
        common = np.broadcast_shapes(*(b.shape for b in self._baths))
        self.shape: tuple[int, ...] = (
            (len(self._baths),) + (1,) * (ndim - len(common)) + common + (1,) * extra
        )

    def expanded(self, ndim: int) -> BathStack:
        """The same stack with ``ndim`` trailing unit axes."""
        return BathStack(self._baths, self._ndim, self._extra + ndim)

    def G(self, omega: ArrayLike) -> NDArray[np.float64]:
        """Each bath's ``G(w)``, stacked."""
        return self._each("G", omega)

    def S(self, omega: ArrayLike) -> NDArray[np.float64]:
        """Each bath's ``S(w)``, stacked."""
        return self._each("S", omega)

    def Gamma(self, omega: ArrayLike) -> NDArray[np.complex128]:
        """Each bath's ``Gamma(w)``, stacked."""
        return self._each("Gamma", omega)

    def _each(self, what: str, omega: ArrayLike) -> NDArray[Any]:
        values = []
        for bath in self._baths:
            local = bath.expanded(self._extra) if bath.shape and self._extra else bath
            values.append(np.asarray(getattr(local, what)(omega)))
        full = np.broadcast_shapes(self.shape[1:], *(v.shape for v in values))
        return np.stack([np.broadcast_to(v, full) for v in values])
