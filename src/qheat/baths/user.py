"""A bath from the user's own spectral density ``J(w)``: G and S of Eqs. 14-15 numerically.

``J`` must be a vectorized function (numpy array in, array of the same shape out), odd
(``J(-w) = -J(w)``), ``>= 0`` for ``w > 0``, about linear at ``w = 0`` (``J'(0)`` finite) and
``o(w)`` at infinity (so that the principal-value integral of Eq. 15 converges). The
constructor checks oddness and sign at a few frequencies and refuses ``J`` otherwise.
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
from .stack import BathStack

__all__ = ["SpectralDensityBath"]

FloatArray = NDArray[np.float64]
SpectralDensity = Callable[[FloatArray], ArrayLike]

_PROBES = np.array([1e-3, 0.1, 0.5, 1.0, 2.0, 10.0])
"""Where oddness and sign are checked, in units of ``scale``."""


@dataclass(frozen=True, init=False)
class SpectralDensityBath(ParametricBath):
    """A bath with a user-given odd spectral density ``J(w)`` (vectorized).

    Args:
        J: ``J(w)`` for an array of frequencies, odd and ``>= 0`` for ``w > 0``; about
            ``gamma w`` at small ``w``.
        temperature: T >= 0, scalar or array (batch axes).
        scale: a frequency where ``J`` has its structure (its cutoff), > 0; quadrature
            breakpoints and the table's panel grid use it. Default: where ``|J|`` is largest
            on a logarithmic grid from ``1e-6`` to ``1e6``.

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
            scale = float(grid[np.argmax(np.abs(_call(J, grid)))])
        checked = float(real_array("scale", scale, strictly_positive=True))
        _check_odd(J, checked)
        object.__setattr__(self, "spectral_density", J)
        object.__setattr__(self, "scale", checked)
        object.__setattr__(self, "_cache", _lamb_shift_cache(J, checked))
        self._store(temperature=real_array("temperature", temperature, minimum=0.0))

    def expanded(self, ndim: int) -> SpectralDensityBath:
        """The same bath with ``ndim`` trailing unit axes."""
        bath = object.__new__(SpectralDensityBath)
        for name in ("spectral_density", "scale", "_cache"):
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
        return np.asarray(_call(self.spectral_density, safe) / safe, dtype=np.float64)

    def S(self, omega: ArrayLike) -> FloatArray:
        """``S(w)`` of Eq. 15 by principal-value quadrature, or its table per temperature."""
        w = frequency(omega)
        w, t = np.broadcast_arrays(w, self.temperature)
        return self._finite("S(w)", self._cache(w.ravel(), [t.ravel()]).reshape(w.shape), w)


def _call(j: SpectralDensity, w: FloatArray) -> FloatArray:
    value = np.asarray(j(w), dtype=np.float64)
    if value.shape != w.shape:
        raise InvalidParameterError(
            f"J must return an array of the shape of its argument (vectorized), got shape "
            f"{value.shape} for {w.shape}"
        )
    return value


def _check_odd(j: SpectralDensity, scale: float) -> None:
    x = _PROBES * scale
    plus, minus = _call(j, x), _call(j, -x)
    if not (np.isfinite(plus).all() and np.isfinite(minus).all()):
        raise InvalidParameterError("J must be finite at real frequencies")
    if (plus < 0).any():
        raise InvalidParameterError(
            f"J must be >= 0 for w > 0, got J({x[plus < 0][0]:g}) = {plus[plus < 0][0]:g}"
        )
    if not np.allclose(minus, -plus, rtol=1e-12, atol=1e-300):
        raise InvalidParameterError(
            "J must be odd, J(-w) = -J(w) (qheat's convention; a J given for w > 0 only "
            "extends as lambda w: np.sign(w) * J(np.abs(w))), got "
            f"J({-x[0]:g}) = {minus[0]:g} and J({x[0]:g}) = {plus[0]:g}"
        )


def _lamb_shift_cache(j: SpectralDensity, scale: float) -> LambShiftCache:
    def exact(key: tuple[float, ...]) -> Callable[[float], float]:
        (t,) = key

        def ratio(x: float) -> float:
            return float(_call(j, np.array([x]))[0]) / x

        return lambda w: lamb_shift_integral(w, ratio, t, [scale, 10 * scale, 100 * scale])

    return LambShiftCache(exact, lambda key: scale)
