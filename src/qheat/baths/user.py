"""A bath from the user's own spectral density ``J(w)``: G and S of Eqs. 14-15 numerically.

``J`` must be a vectorized function (numpy array in, array of the same shape out), odd
(``J(-w) = -J(w)``), ``>= 0`` for ``w > 0``, about linear at ``w = 0`` (``J'(0)`` finite) and
decaying at infinity (``J(x)/x`` integrable, so that the principal-value integral of Eq. 15
converges). The constructor checks oddness and sign on a dense grid
(:mod:`qheat.baths.spectral_checks`) and refuses ``J`` otherwise; every value of ``J`` used
later (at the Bohr frequencies, at the quadrature's nodes) is checked for its sign again, and
``S`` refuses a ``J`` that does not decay.
``G(0) = T J'(0)`` is taken as ``T J(e)/e`` with ``e = 1e-10 scale`` (exact for ``J`` linear
near 0; relative error ``O(e/scale)`` otherwise). ``S`` comes from
:mod:`qheat.baths.numerical`: quadrature (relative accuracy about 1e-12), or a table per
temperature once that temperature has been asked for many values (interpolation error checked
to 1e-10 of its size).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from .._checks import real_array
from ..errors import InvalidParameterError
from .numerical import LambShiftCache
from .parametric import ParametricBath, frequency
from .quadrature import lamb_shift_integral
from .spectral_checks import Envelope, call, check_spectral_density, tail_divergence
from .stack import BathStack

__all__ = ["SpectralDensityBath"]

FloatArray = NDArray[np.float64]
SpectralDensity = Callable[[FloatArray], ArrayLike]


@dataclass(frozen=True, init=False)
class SpectralDensityBath(ParametricBath):
    """A bath with a user-given odd spectral density ``J(w)`` (vectorized).

    Args:
        J: ``J(w)`` for an array of frequencies, odd and ``>= 0`` for ``w > 0``; about
            ``gamma w`` at small ``w``, decaying at large ``w``.
        temperature: T >= 0, scalar or array (batch axes).
        scale: a frequency where ``J`` has its structure (its cutoff), > 0; quadrature
            breakpoints and the table's panel grid use it. Default: where ``|J|`` is largest
            on a logarithmic grid from ``1e-6`` to ``1e6``.

    Raises:
        InvalidParameterError: ``J`` is not callable, not vectorized, not finite, not odd or
            negative somewhere on the checked grid; ``S`` (and any value of ``J`` or ``G``
            found negative later) raises it too, ``S`` also when ``J`` does not decay.

    Example:
        >>> import numpy as np
        >>> bath = SpectralDensityBath(lambda w: 0.01 * w / (1 + (w / 50) ** 2), 5.0, scale=50)
        >>> float(bath.G(0.0)), round(float(bath.S(0.0)), 12)  # the Drude bath's values
        (0.05, -0.25)
    """

    temperature: FloatArray
    spectral_density: SpectralDensity
    scale: float
    _cache: LambShiftCache = field(repr=False, compare=False)
    _envelope: Envelope = field(repr=False, compare=False)
    _divergence: str | None = field(repr=False, compare=False)

    PARAMETERS = ("temperature",)

    def __init__(
        self, J: SpectralDensity, temperature: ArrayLike, scale: float | None = None
    ) -> None:
        if not callable(J):
            raise InvalidParameterError(
                f"J must be a function of an array of frequencies, got {type(J).__name__}"
            )
        if scale is None:
            grid = np.logspace(-6, 6, 121)
            with np.errstate(all="ignore"):
                scale = float(grid[np.nanargmax(np.abs(call(J, grid)))])
        checked = float(real_array("scale", scale, strictly_positive=True))
        envelope = check_spectral_density(J, checked)
        object.__setattr__(self, "spectral_density", J)
        object.__setattr__(self, "scale", checked)
        object.__setattr__(self, "_envelope", envelope)
        object.__setattr__(self, "_divergence", tail_divergence(J, checked))
        object.__setattr__(self, "_cache", _lamb_shift_cache(J, checked, envelope))
        self._store(temperature=real_array("temperature", temperature, minimum=0.0))

    def expanded(self, ndim: int) -> SpectralDensityBath:
        """The same bath with ``ndim`` trailing unit axes."""
        bath = object.__new__(SpectralDensityBath)
        for name in ("spectral_density", "scale", "_cache", "_envelope", "_divergence"):
            object.__setattr__(bath, name, getattr(self, name))
        object.__setattr__(bath, "temperature", self.temperature[(...,) + (None,) * ndim])
        return bath

    @classmethod
    def stacked(  # type: ignore[override]
        cls, baths: Sequence[SpectralDensityBath], ndim: int = 0
    ) -> Any:
        """The baths on a leading axis (each evaluated on its own): a :class:`BathStack`."""
        return BathStack(baths, ndim)

    def _j_over_w(self, w: FloatArray) -> FloatArray:
        tiny = 1e-10 * self.scale
        safe = np.where(w == 0, tiny, w)
        value = call(self.spectral_density, safe)
        self._envelope.check_sign(safe, value)
        return np.asarray(value / safe, dtype=np.float64)

    def S(self, omega: ArrayLike) -> FloatArray:
        """``S(w)`` of Eq. 15 by principal-value quadrature, or its table per temperature.

        Raises:
            InvalidParameterError: ``J`` does not decay at large ``w`` (the integral diverges).
        """
        if self._divergence is not None:
            raise InvalidParameterError(self._divergence)
        w = frequency(omega)
        w, t = np.broadcast_arrays(w, self.temperature)
        return self._finite("S(w)", self._cache(w.ravel(), [t.ravel()]).reshape(w.shape), w)


def _lamb_shift_cache(j: SpectralDensity, scale: float, envelope: Envelope) -> LambShiftCache:
    def exact(key: tuple[float, ...]) -> Callable[[float], float]:
        (t,) = key

        def ratio(x: float) -> float:  # at each node of the quadrature, J's sign checked
            node = np.array([x])
            value = call(j, node)
            envelope.check_sign(node, value)
            return float(value[0]) / x

        return lambda w: lamb_shift_integral(w, ratio, t, [scale, 10 * scale, 100 * scale])

    return LambShiftCache(exact, lambda key: scale)
