"""The Drude-cut Ohmic bath of the paper (Eq. 17) and its spectral functions G and S (Eqs. 13-15).

Conventions (hbar = kB = 1; the paper absorbs lambda_j^2 into gamma_j):

* ``J(w) = gamma w / (1 + (w/wD)^2)``, extended oddly to ``w < 0``;
* ``G(w) = J(w) (n(w) + 1)`` for all real ``w`` (Eq. 14), so ``G(-w) = J(w) n(w)``,
  ``G(0) = gamma T``, and KMS ``G(-w) = exp(-w/T) G(w)``;
* ``S(w)``: the principal-value integral of Eq. 15, computed from the exact closed form
  of ``docs/theory.md`` (Eq. T4)::

      S(w) = gamma wD / (w^2 + wD^2) * [ -wD^2/2 + w T
             + (w wD / pi) (Re psi(1 + i w / (2 pi T)) - psi(1 + wD / (2 pi T))) ]

  with ``psi`` the digamma function; at ``T = 0`` the bracket is
  ``-wD^2/2 + (w wD/pi) ln(|w|/wD)``.
* ``Gamma(w) = G(w) + i S(w)`` (Eq. 13), the one-sided Fourier transform of the bath
  correlation function.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy.special import digamma

from .._checks import broadcast_shape, finite_output, real_array
from .bose import thermal_emission
from .parametric import frequency
from .special import re_digamma_one_plus_iy_wide

__all__ = ["DrudeBath"]

FloatArray = NDArray[np.float64]

COLD_RATIO = 1e-12
"""``S(w)`` uses its ``T = 0`` form where ``2 pi T < COLD_RATIO * wD`` (see :meth:`DrudeBath.S`)."""


@dataclass(frozen=True, init=False)
class DrudeBath:
    """A bosonic bath with the Drude-cut Ohmic spectral density of Eq. 17.

    Args:
        gamma: coupling strength gamma_j >= 0 (lambda_j^2 C_j of the paper), dimensionless.
        omega_d: Drude cutoff frequency wD > 0.
        temperature: T >= 0 (kB = 1).

    Each parameter may be an array; they broadcast together (leading batch axes).

    Example:
        >>> bath = DrudeBath(gamma=0.01, omega_d=50.0, temperature=5.0)
        >>> float(bath.G(0.0)), float(bath.S(0.0))
        (0.05, -0.25)
    """

    gamma: FloatArray
    omega_d: FloatArray
    temperature: FloatArray

    def __init__(self, gamma: ArrayLike, omega_d: ArrayLike, temperature: ArrayLike) -> None:
        object.__setattr__(self, "gamma", real_array("gamma", gamma, minimum=0.0))
        object.__setattr__(self, "omega_d", real_array("omega_d", omega_d, strictly_positive=True))
        object.__setattr__(self, "temperature", real_array("temperature", temperature, minimum=0.0))
        broadcast_shape(
            {
                "gamma": self.gamma.shape,
                "omega_d": self.omega_d.shape,
                "temperature": self.temperature.shape,
            }
        )

    @classmethod
    def _checked(cls, gamma: FloatArray, omega_d: FloatArray, temperature: FloatArray) -> DrudeBath:
        """A bath from parameters taken from checked baths (no second validation)."""
        bath = object.__new__(cls)
        for name, value in (("gamma", gamma), ("omega_d", omega_d), ("temperature", temperature)):
            object.__setattr__(bath, name, value)
        return bath

    @classmethod
    def stacked(cls, baths: Sequence[DrudeBath], ndim: int = 0) -> DrudeBath:
        """One bath whose parameters carry a leading axis over ``baths``.

        The parameters are broadcast to the baths' common shape, left-padded with unit axes to
        ``ndim`` batch axes: shape ``(len(baths), ...)``. Spectra of several baths at the same
        frequencies then take one evaluation (:attr:`qheat.model.OpenSystem.correlation_spectra`).
        """
        shapes = {b.shape for b in baths}
        common = next(iter(shapes)) if len(shapes) == 1 else np.broadcast_shapes(*shapes)
        target = (len(baths),) + (1,) * (ndim - len(common)) + common

        def stack(values: list[FloatArray]) -> FloatArray:
            full = [v if v.shape == common else np.broadcast_to(v, common) for v in values]
            return np.array(full, dtype=np.float64).reshape(target)

        return cls._checked(
            stack([b.gamma for b in baths]),
            stack([b.omega_d for b in baths]),
            stack([b.temperature for b in baths]),
        )

    @cached_property
    def shape(self) -> tuple[int, ...]:
        """Broadcast shape of the bath parameters (the batch shape)."""
        shapes = (self.gamma.shape, self.omega_d.shape, self.temperature.shape)
        return np.broadcast_shapes(*shapes) if any(shapes) else ()

    def expanded(self, ndim: int) -> DrudeBath:
        """The same bath with ``ndim`` trailing unit axes, to broadcast against matrices."""
        pad = (...,) + (None,) * ndim
        return self._checked(self.gamma[pad], self.omega_d[pad], self.temperature[pad])

    @property
    def memory_rate(self) -> FloatArray:
        """``wD``: the correlation function's slowest non-thermal decay rate (its bath memory
        time is ``1/wD``; :mod:`qheat.model.coupling`)."""
        return self.omega_d

    def J(self, omega: ArrayLike) -> FloatArray:
        """Spectral density ``J(w) = gamma w / (1 + (w/wD)^2)`` (Eq. 17), odd in w.

        Evaluated as ``gamma wD r / (1 + r^2)`` with ``r = w/wD`` (``gamma wD / (r + 1/r)``
        for ``|r| > 1``), so that no intermediate overflows.
        """
        w = frequency(omega)
        with np.errstate(over="ignore", under="ignore", divide="ignore", invalid="ignore"):
            r = w / self.omega_d
            big = np.abs(r) > 1.0
            shape = np.where(big, 1.0 / (r + 1.0 / np.where(big, r, 1.0)), r / (1.0 + r * r))
            value = self.gamma * self.omega_d * shape
        return self._finite("J(w)", value, w)

    def G(self, omega: ArrayLike) -> FloatArray:
        """``G(w) = J(w) (n(w) + 1)`` (Eq. 14) for all real w; ``G(0) = gamma T``.

        At ``T = 0`` it is ``J(w)`` for ``w > 0`` and 0 for ``w <= 0``, exactly.
        """
        w = frequency(omega)
        with np.errstate(over="ignore", under="ignore", invalid="ignore"):
            value = self._scale(w) * thermal_emission(w, self.temperature)
        return self._finite("G(w)", value, w)

    def S(self, omega: ArrayLike) -> FloatArray:
        """Lamb-shift function ``S(w)`` of Eq. 15 from its exact closed form (theory Eq. T4).

        Below ``T = 1e-12 wD / (2 pi)`` the ``T = 0`` bracket is used: the two differ by
        ``O(T^2)`` (the ``O(T)`` terms cancel), far below double precision there, and the
        digamma arguments ``w/(2 pi T)`` would overflow as ``T -> 0``.
        """
        w = frequency(omega)
        with np.errstate(over="ignore", under="ignore", invalid="ignore", divide="ignore"):
            value = self._scale(w) / self.omega_d * self._bracket(w)
        return self._finite("S(w)", value, w)

    def Gamma(self, omega: ArrayLike) -> NDArray[np.complex128]:
        """``Gamma(w) = G(w) + i S(w)`` (Eq. 13); its parts equal :meth:`G` and :meth:`S`."""
        w = frequency(omega)
        with np.errstate(over="ignore", under="ignore", invalid="ignore", divide="ignore"):
            scale = self._scale(w)
            value = scale * thermal_emission(w, self.temperature) + 1j * (
                scale / self.omega_d * self._bracket(w)
            )
        return self._finite("Gamma(w)", value, w)

    def _scale(self, w: FloatArray) -> FloatArray:
        """``gamma / (1 + (w/wD)^2)``: ``G = scale * w (n + 1)``, ``S = scale / wD * bracket``."""
        r = w / self.omega_d
        return np.asarray(self.gamma / (1.0 + r * r), dtype=np.float64)

    def _bracket(self, w: FloatArray) -> FloatArray:
        """The bracket of theory Eq. T4 (``T = 0``: Eq. T5), broadcast over w and the bath."""
        wd, t = self.omega_d, self.temperature
        hot = t > COLD_RATIO / (2 * np.pi) * wd
        if hot.all():  # the common case: no T = 0 branch to evaluate
            return _hot_bracket(w, wd, t)
        cold = -0.5 * wd**2 + w * wd / np.pi * np.where(
            w != 0, np.log(np.where(w != 0, np.abs(w), 1.0) / wd), 0.0
        )
        if not hot.any():
            return np.broadcast_to(cold, np.broadcast_shapes(cold.shape, t.shape))
        return np.where(hot, _hot_bracket(w, wd, np.where(hot, t, 1.0)), cold)

    def _finite(self, what: str, value: NDArray[Any], omega: FloatArray) -> NDArray[Any]:
        """``value`` if finite; else an :class:`InvalidParameterError` quoting the parameters."""
        if np.isfinite(value).all():
            return value
        return finite_output(what, value, self._describe(omega))

    def _describe(self, omega: FloatArray) -> str:
        return (
            f"gamma up to {np.max(self.gamma):g}, omega_d in [{np.min(self.omega_d):g}, "
            f"{np.max(self.omega_d):g}], temperature up to {np.max(self.temperature):g} and "
            f"|omega| up to {np.max(np.abs(omega), initial=0.0):g}"
        )


def _hot_bracket(w: FloatArray, wd: FloatArray, t: FloatArray) -> FloatArray:
    """``-wD^2/2 + w T + (w wD/pi)(Re psi(1 + i w/(2 pi T)) - psi(1 + wD/(2 pi T)))`` (Eq. T4)."""
    two_pi_t = 2 * np.pi * t
    matsubara = re_digamma_one_plus_iy_wide(w / two_pi_t) - digamma(1.0 + wd / two_pi_t)
    return np.asarray(-0.5 * wd**2 + w * (t + wd / np.pi * matsubara), dtype=np.float64)
