"""A bath given by an exponential decomposition of its correlation function.

``C(t) = sum_k c_k exp(-nu_k t)`` for ``t > 0`` (QuTiP's convention; ``Re nu_k > 0``) gives,
exactly, ``Gamma(w) = int_0^inf e^{iwt} C(t) dt = sum_k c_k / (nu_k - i w)`` (Eq. 13), so
``G = Re Gamma``, ``S = Im Gamma`` and ``J(w) = G(w) - G(-w)``. This is the bath that the
hierarchical equations of motion see when they use these exponents.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from .._checks import finite_output, real_array
from ..errors import InvalidParameterError
from .parametric import frequency
from .stack import BathStack

__all__ = ["ExponentialBath"]


class ExponentialBath:
    """``Gamma(w) = sum_k c_k / (nu_k - i w)`` from coefficients ``c_k`` and rates ``nu_k``.

    Args:
        coefficients: complex ``c_k``, one-dimensional.
        exponents: complex ``nu_k`` with ``Re nu_k > 0``, as many as ``coefficients``.
        temperature: the temperature the decomposition was made for (kept for reference;
            ``G`` and ``S`` follow from the exponents alone), or None.

    Example:
        >>> bath = ExponentialBath([2.0], [1.0])  # C(t) = 2 exp(-t)
        >>> complex(bath.Gamma(1.0))
        (1+1j)
    """

    shape: tuple[int, ...] = ()

    def __init__(
        self,
        coefficients: ArrayLike,
        exponents: ArrayLike,
        temperature: float | None = None,
    ) -> None:
        c = np.asarray(coefficients, dtype=np.complex128)
        nu = np.asarray(exponents, dtype=np.complex128)
        if c.ndim != 1 or c.shape != nu.shape or not c.size:
            raise InvalidParameterError(
                "coefficients and exponents must be one-dimensional, of equal non-zero length, "
                f"got shapes {c.shape} and {nu.shape}"
            )
        if not (np.isfinite(c).all() and np.isfinite(nu).all()):
            raise InvalidParameterError("coefficients and exponents must be finite")
        if (nu.real <= 0).any():
            raise InvalidParameterError(
                f"exponents must have Re nu_k > 0 (decaying), got {nu[nu.real <= 0][0]!r}"
            )
        self.coefficients = c
        self.exponents = nu
        self.temperature = (
            None if temperature is None else float(real_array("temperature", temperature))
        )

    def expanded(self, ndim: int) -> ExponentialBath:
        """The bath itself: it has no batch axes."""
        return self

    @classmethod
    def stacked(cls, baths: Sequence[ExponentialBath], ndim: int = 0) -> Any:
        """The baths on a leading axis (each evaluated on its own): a :class:`BathStack`."""
        return BathStack(baths, ndim)

    @property
    def memory_rate(self) -> float:
        """``min_k Re nu_k``: the slowest decay rate of ``C(t)`` (:mod:`qheat.model.coupling`)."""
        return float(self.exponents.real.min())

    def Gamma(self, omega: ArrayLike) -> NDArray[np.complex128]:
        """``Gamma(w) = sum_k c_k / (nu_k - i w)`` (Eq. 13), exact for these exponents."""
        w = frequency(omega)
        value = np.zeros(w.shape, dtype=np.complex128)
        for c, nu in zip(self.coefficients, self.exponents):
            value += c / (nu - 1j * w)
        if not np.isfinite(value).all():
            finite_output("Gamma(w)", value.real + value.imag, "these exponents")
        return value

    def G(self, omega: ArrayLike) -> NDArray[np.float64]:
        """``G(w) = Re Gamma(w)``."""
        return self.Gamma(omega).real

    def S(self, omega: ArrayLike) -> NDArray[np.float64]:
        """``S(w) = Im Gamma(w)``."""
        return self.Gamma(omega).imag

    def J(self, omega: ArrayLike) -> NDArray[np.float64]:
        """``J(w) = G(w) - G(-w)``."""
        w = frequency(omega)
        return self.G(w) - self.G(-w)
