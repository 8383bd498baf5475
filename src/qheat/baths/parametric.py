"""What every parametric bath shares: broadcast parameters, ``G(w)`` and ``Gamma(w)``.

A subclass names its parameters (temperature last), gives ``J(w)/w`` (an even function whose
value at ``w = 0`` is ``J'(0)``) and ``S(w)``. From them (hbar = kB = 1):

* ``J(w) = w * (J(w)/w)``, odd;
* ``G(w) = J(w) (n(w) + 1) = (J(w)/w) * w (n(w) + 1)`` (Eq. 14) for every real ``w``, with
  ``G(0) = T J'(0)`` and, at ``T = 0``, ``G(w) = J(w)`` for ``w > 0`` and ``0`` for ``w <= 0``;
* ``Gamma(w) = G(w) + i S(w)`` (Eq. 13).

When ``J'(0)`` is infinite (an ohmic bath with ``s < 1``), ``G(0)`` diverges at ``T > 0``:
asking for it raises :class:`~qheat.errors.InvalidParameterError` (``G(0) = 0`` at ``T = 0``).
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import cached_property
from typing import Any, ClassVar, Self, TypeVar

import numpy as np
from numpy.typing import ArrayLike, NDArray

from .._checks import broadcast_shape, finite_output, real_array
from ..errors import InvalidParameterError
from .bose import thermal_emission

__all__ = ["ParametricBath", "frequency"]

FloatArray = NDArray[np.float64]
B = TypeVar("B", bound="ParametricBath")


class ParametricBath:
    """Base of the baths defined by a few real parameters that broadcast as batch axes.

    Subclasses set :attr:`PARAMETERS` (attribute names, ``"temperature"`` last), store each as
    a float array and implement :meth:`_j_over_w` and :meth:`S`.
    """

    PARAMETERS: ClassVar[tuple[str, ...]]

    def _store(self, **values: FloatArray) -> None:
        """Set the checked parameters and verify that they broadcast together."""
        for name in self.PARAMETERS:
            object.__setattr__(self, name, values[name])
        broadcast_shape({name: values[name].shape for name in self.PARAMETERS})

    def _values(self) -> tuple[FloatArray, ...]:
        return tuple(getattr(self, name) for name in self.PARAMETERS)

    @classmethod
    def _checked(cls, *values: FloatArray) -> Self:
        """A bath from parameters taken from checked baths (no second validation)."""
        bath = object.__new__(cls)
        for name, value in zip(cls.PARAMETERS, values):
            object.__setattr__(bath, name, value)
        return bath

    @classmethod
    def stacked(cls, baths: Sequence[Self], ndim: int = 0) -> Self:
        """One bath whose parameters carry a leading axis over ``baths``.

        Parameters are broadcast to the baths' common shape, left-padded with unit axes to
        ``ndim`` batch axes: shape ``(len(baths), ...)`` (see
        :attr:`qheat.model.OpenSystem.correlation_spectra`).
        """
        common = np.broadcast_shapes(*(b.shape for b in baths))
        target = (len(baths),) + (1,) * (ndim - len(common)) + common
        columns = zip(*(b._values() for b in baths))
        return cls._checked(
            *(
                np.array([np.broadcast_to(v, common) for v in column], dtype=np.float64).reshape(
                    target
                )
                for column in columns
            )
        )

    @cached_property
    def shape(self) -> tuple[int, ...]:
        """Broadcast shape of the bath parameters (the batch shape)."""
        shapes = [v.shape for v in self._values()]
        return np.broadcast_shapes(*shapes) if any(shapes) else ()

    def expanded(self, ndim: int) -> Self:
        """The same bath with ``ndim`` trailing unit axes, to broadcast against matrices."""
        pad = (...,) + (None,) * ndim
        return self._checked(*(v[pad] for v in self._values()))

    @property
    def _temperature(self) -> FloatArray:
        return self._values()[-1]

    def _j_over_w(self, w: FloatArray) -> FloatArray:
        """``J(w)/w`` (even in ``w``; ``J'(0)`` at ``w = 0``), broadcast with the parameters."""
        raise NotImplementedError

    def S(self, omega: ArrayLike) -> FloatArray:
        """Lamb-shift function ``S(w)`` of Eq. 15."""
        raise NotImplementedError

    def J(self, omega: ArrayLike) -> FloatArray:
        """Spectral density ``J(w)``, odd in ``w``."""
        w = frequency(omega)
        with np.errstate(over="ignore", under="ignore", invalid="ignore"):
            value = w * self._j_over_w(w)
        value = np.where(w == 0, 0.0, value)
        return self._finite("J(w)", value, w)

    def G(self, omega: ArrayLike) -> FloatArray:
        """``G(w) = J(w) (n(w) + 1)`` (Eq. 14) for all real w; ``G(0) = T J'(0)``.

        Raises:
            InvalidParameterError: ``w = 0`` at ``T > 0`` where ``J'(0)`` is infinite
                (ohmic ``s < 1``: ``G(0)`` diverges), or an overflow.
        """
        w = frequency(omega)
        with np.errstate(over="ignore", under="ignore", invalid="ignore"):
            emission = thermal_emission(w, self._temperature)
            ratio = self._j_over_w(w)
            value = np.where(emission == 0, 0.0, ratio * emission)
        if np.isinf(value).any():
            raise InvalidParameterError(
                "G(0) = T J'(0) diverges for this bath (J'(0) is infinite, e.g. an ohmic bath "
                "with s < 1) at temperature > 0, and G(0) is asked for (a coupling element at "
                "Bohr frequency 0: diagonal in the energy basis, or between degenerate levels): "
                "use s >= 1, temperature 0, or couplings without such elements"
            )
        return self._finite("G(w)", value, w)

    def Gamma(self, omega: ArrayLike) -> NDArray[np.complex128]:
        """``Gamma(w) = G(w) + i S(w)`` (Eq. 13)."""
        return self.G(omega) + 1j * self.S(omega)

    def _finite(self, what: str, value: NDArray[Any], omega: FloatArray) -> NDArray[Any]:
        """``value`` if finite; else an :class:`InvalidParameterError` quoting the parameters."""
        if np.isfinite(value).all():
            return value
        ranges = ", ".join(
            f"{name} in [{np.min(v):g}, {np.max(v):g}]"
            for name, v in zip(self.PARAMETERS, self._values())
        )
        return finite_output(
            what, value, f"{ranges} and |omega| up to {np.max(np.abs(omega), initial=0.0):g}"
        )


def frequency(omega: ArrayLike) -> FloatArray:
    """Frequencies at which a spectral function is evaluated: real and finite.

    Raises:
        InvalidParameterError: ``omega`` is not real and finite; an infinite one is named as
            what it usually is, the Bohr frequencies of a Hamiltonian whose energies overflow.
    """
    try:
        return real_array("omega", omega)
    except InvalidParameterError as exc:
        values = np.asarray(omega)
        if values.dtype.kind == "f" and np.isinf(values).any():
            raise InvalidParameterError(
                f"{exc} (if these are a system's Bohr frequencies E_b - E_a, its energies "
                "overflow double precision: scale the Hamiltonian down)"
            ) from None
        raise
