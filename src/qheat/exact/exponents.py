"""Exponent decompositions of the bath correlation function for the HEOM hierarchy.

``C(t) = (1/pi) int_0^inf J(w) [coth(w/2T) cos(wt) - i sin(wt)] dw`` (Eq. A4) is split into
the part the hierarchy holds, ``C_kept(t) = sum_R c_k e^{-nu_k t} + i sum_I c_k e^{-nu_k t}``,
and a rest that :mod:`qheat.exact.heom` treats to second order (its terminator). This module
gives the kept exponents at an ``order``; the rest follows from ``Gamma(w)`` of the bath minus
``Gamma_kept(w) = sum_R c_k/(nu_k - i w) + i sum_I c_k/(nu_k - i w)``.

* Drude (Eq. 17, ``lam = gamma wD/2``), ``order = K`` Matsubara frequencies
  ``nu_k = 2 pi k T``, *paired*: coth's Mittag-Leffler series gives
  ``C(t) = (2 lam T - i lam wD) e^{-wD t}
  + sum_k 4 T lam wD [wD e^{-wD t} - nu_k e^{-nu_k t}] / (wD^2 - nu_k^2)``.
  Each term of the sum is kept or dropped whole, so the coefficient of ``e^{-wD t}`` is
  ``2 lam T + sum_{k<=K} 4 T lam wD^2/(wD^2 - nu_k^2)``, never the full
  ``lam wD cot(wD/2T)`` that Pade and plain Matsubara series carry: at ``T << wD`` that
  coefficient is large, of either sign, and cancelled only by the many terms with
  ``nu_k < wD`` (the sign flips of issue 12). Terms with ``nu_k`` within ``BAND/order`` of
  ``wD`` wait for a higher order (their pair coefficients diverge). A dropped term integrates
  to zero
  (``int_0^inf [wD e^{-wD t} - nu e^{-nu t}] dt = 0``), so the rest is a Lamb-shift-like
  correction, small when ``nu_{K+1}`` exceeds the Bohr frequencies.
* Underdamped (``J = gamma w w0^4/((w0^2 - w^2)^2 + width^2 w^2)``): QuTiP's
  ``UnderDampedEnvironment(T, lam = w0^2 sqrt(gamma/width), gamma = width, w0)`` and its
  Matsubara series with ``order`` terms (``width < 2 w0``).
* Ohmic (``J = gamma w (|w|/wc)^(s-1) e^{-|w|/wc}``): QuTiP's ``OhmicEnvironment(T,
  alpha = gamma, wc, s)`` fitted by its correlation-function fit (``approximate("cf")``) with
  ``order`` real and ``order`` imaginary damped oscillations; the fit's root-mean-square error
  relative to ``|C(0)|`` is reported (the rest is corrected by the terminator anyway).
* :class:`~qheat.baths.ExponentialBath`: its own exponents, all kept (no rest; ``order``
  is ignored).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from ..baths import DrudeBath, ExponentialBath, OhmicBath, UnderdampedBath
from ..errors import InvalidParameterError, QheatError

__all__ = ["REPRESENTABLE", "Decomposition", "decompose", "minimum_order"]

ComplexArray = NDArray[np.complex128]

REPRESENTABLE = (
    "DrudeBath (T > 0), UnderdampedBath (T > 0, width < 2 omega_0), OhmicBath (T > 0, "
    "through QuTiP's correlation-function fit) and ExponentialBath"
)
"""The baths the hierarchy can hold, as error messages name them."""


class FitError(QheatError):
    """QuTiP's fit of a correlation function failed at the requested order."""


OHMIC_FIT_POINTS = 400
"""Time points of the ohmic correlation-function fit, on ``[0, t_max]``."""


@dataclass(frozen=True)
class Decomposition:
    """Exponents the hierarchy holds for one bath: ``C_kept(t) = sum_R c e^{-nu t} + i sum_I``.

    Attributes:
        ck_real, vk_real: coefficients and rates of the real part (``Re nu > 0``).
        ck_imag, vk_imag: those of the imaginary part.
        method: how they were made (``"matsubara-paired"``, ``"matsubara"``, ``"fit-cf"``,
            ``"exponential"``).
        fit_error: root-mean-square error of a fit relative to ``|C(0)|`` (None if not fitted).
    """

    ck_real: ComplexArray
    vk_real: ComplexArray
    ck_imag: ComplexArray
    vk_imag: ComplexArray
    method: str
    fit_error: float | None = None

    def gamma_kept(self, omega: ArrayLike) -> ComplexArray:
        """``Gamma_kept(w) = int_0^inf e^{iwt} C_kept(t) dt`` (Eq. 13 of the kept part)."""
        w = np.asarray(omega, dtype=float)[..., None]
        real = np.sum(self.ck_real / (self.vk_real - 1j * w), axis=-1)
        imag = np.sum(self.ck_imag / (self.vk_imag - 1j * w), axis=-1)
        return np.asarray(real + 1j * imag, dtype=np.complex128)

    def correlation(self, t: ArrayLike) -> ComplexArray:
        """``C_kept(t)`` for ``t >= 0``."""
        tt = np.asarray(t, dtype=float)[..., None]
        real = np.sum(self.ck_real * np.exp(-self.vk_real * tt), axis=-1)
        imag = np.sum(self.ck_imag * np.exp(-self.vk_imag * tt), axis=-1)
        return np.asarray(real + 1j * imag, dtype=np.complex128)

    @property
    def n_exponents(self) -> int:
        """Number of distinct rates (what one bath adds to the hierarchy's width)."""
        rates = np.concatenate([self.vk_real, self.vk_imag])
        return len({complex(np.round(r, 12)) for r in rates})


def _scalar(bath: Any, name: str, names: tuple[str, ...]) -> tuple[float, ...]:
    """The bath's parameters as floats; a batch of points is refused."""
    if bath.shape != ():
        raise InvalidParameterError(
            f"bath {name!r}: HEOM solves one parameter point at a time, got bath shape {bath.shape}"
        )
    return tuple(float(getattr(bath, p)) for p in names)


def _positive_temperature(t: float, name: str, kind: str) -> None:
    if not t > 0:
        raise InvalidParameterError(
            f"bath {name!r}: HEOM needs temperature > 0 for a {kind} bath (its Matsubara "
            f"frequencies 2 pi k T merge at T = 0), got {t}"
        )


BAND = 0.2
"""A Matsubara term with ``|nu_k - wD| < (BAND / order) wD`` is not kept at that order: near
``nu_k = wD`` the pair's two coefficients ``~ 1/(wD^2 - nu_k^2)`` diverge with opposite signs.
The band narrows as the order grows, so every term enters the hierarchy at a high enough order
and the order refinement measures its effect (coefficients at most ``order/(2 BAND)`` times
their natural size)."""


def _drude(gamma: float, wd: float, t: float, order: int) -> Decomposition:
    lam = gamma * wd / 2.0
    nu = 2.0 * np.pi * t * np.arange(1, order + 1)
    nu = nu[np.abs(nu - wd) >= BAND / max(order, 1) * wd]
    pair = 4.0 * t * lam * wd / (wd**2 - nu**2)
    c_wd = 2.0 * lam * t + float(np.sum(pair * wd))
    return Decomposition(
        ck_real=np.array([c_wd, *(-pair * nu)], dtype=complex),
        vk_real=np.array([wd, *nu], dtype=complex),
        ck_imag=np.array([-lam * wd], dtype=complex),
        vk_imag=np.array([wd], dtype=complex),
        method="matsubara-paired",
    )


def _from_qutip(env: Any, method: str, fit_error: float | None = None) -> Decomposition:
    """Kept exponents of a QuTiP exponential environment (types R, I and RI)."""
    parts: dict[str, list[complex]] = {"cr": [], "vr": [], "ci": [], "vi": []}
    for exp in env.exponents:
        kind = exp.type.name
        if kind in ("R", "RI"):
            parts["cr"].append(complex(exp.ck))
            parts["vr"].append(complex(exp.vk))
        if kind == "I":
            parts["ci"].append(complex(exp.ck))
            parts["vi"].append(complex(exp.vk))
        if kind == "RI":
            parts["ci"].append(complex(exp.ck2))
            parts["vi"].append(complex(exp.vk))
    arrays = {k: np.array(v, dtype=complex) for k, v in parts.items()}
    return Decomposition(arrays["cr"], arrays["vr"], arrays["ci"], arrays["vi"], method, fit_error)


def _underdamped(gamma: float, w0: float, width: float, t: float, order: int) -> Decomposition:
    from qutip.core.environment import UnderDampedEnvironment

    lam = w0**2 * np.sqrt(gamma / width)
    env = UnderDampedEnvironment(T=t, lam=lam, gamma=width, w0=w0)
    return _from_qutip(env.approximate("matsubara", Nk=order, combine=True), "matsubara")


def _ohmic(gamma: float, wc: float, s: float, t: float, order: int) -> Decomposition:
    import warnings

    from qutip.core.environment import OhmicEnvironment

    env = OhmicEnvironment(T=t, alpha=gamma, wc=wc, s=s)
    t_max = max(20.0 / wc, 4.0 / t)
    tlist = np.linspace(0.0, t_max, OHMIC_FIT_POINTS)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # scipy's curve_fit covariance warnings
        try:
            fitted, info = env.approximate(
                "cf", tlist, target_rmse=None, Nr_max=order, Ni_max=order, combine=True
            )
        except RuntimeError as err:  # scipy's curve_fit gave up
            raise FitError(
                f"the correlation-function fit with {order} terms failed: {err}"
            ) from err
    scale = abs(complex(env.correlation_function(0.0)))
    rmse = float(np.hypot(info["rmse_real"], info["rmse_imag"])) / scale
    return _from_qutip(fitted, "fit-cf", rmse)


def _exponential(bath: ExponentialBath) -> Decomposition:
    c, nu = bath.coefficients, bath.exponents
    return Decomposition(
        ck_real=np.concatenate([c / 2, np.conj(c) / 2]),
        vk_real=np.concatenate([nu, np.conj(nu)]),
        ck_imag=np.concatenate([-1j * c / 2, 1j * np.conj(c) / 2]),
        vk_imag=np.concatenate([nu, np.conj(nu)]),
        method="exponential",
    )


def minimum_order(bath: Any) -> int:
    """The order from which refining it is a meaningful test: Matsubara frequencies
    ``2 pi k T`` must pass the bath's own scale (``wD``; ``omega_0 + width``), else the terms
    not yet kept still carry the bath's structure and a small change of the currents under
    doubling can be an accident (issue 12's cold qubit: orders 2 and 4 agree to 0.2%, order 8
    moves the current by 4%). 1 for fitted baths, 0 for exponential ones."""
    if isinstance(bath, DrudeBath | UnderdampedBath):
        scale = (
            float(bath.omega_d) if isinstance(bath, DrudeBath) else float(bath.omega_0 + bath.width)
        )
        t = float(bath.temperature)
        return max(1, math.ceil(scale / (2.0 * np.pi * t))) if t > 0 else 1
    return 0 if isinstance(bath, ExponentialBath) else 1


def decompose(bath: Any, order: int, name: str = "1") -> Decomposition:
    """The exponents of ``bath`` the hierarchy holds at ``order`` (see the module docstring).

    Args:
        bath: a qheat bath at one parameter point.
        order: Matsubara terms (Drude, underdamped) or fitted oscillations (ohmic), >= 0
            (>= 1 for ohmic).
        name: the bath's name, for error messages.

    Raises:
        InvalidParameterError: a bath the hierarchy cannot hold (the message names the bath
            and lists :data:`REPRESENTABLE`), a batch of points, or ``T = 0``.
    """
    if isinstance(bath, DrudeBath):
        gamma, wd, t = _scalar(bath, name, ("gamma", "omega_d", "temperature"))
        _positive_temperature(t, name, "Drude")
        return _drude(gamma, wd, t, order)
    if isinstance(bath, UnderdampedBath):
        gamma, w0, width, t = _scalar(bath, name, ("gamma", "omega_0", "width", "temperature"))
        _positive_temperature(t, name, "underdamped")
        if not width < 2.0 * w0:
            raise InvalidParameterError(
                f"bath {name!r}: HEOM holds an underdamped bath with width < 2 omega_0 "
                f"(QuTiP's Matsubara series), got width={width}, omega_0={w0}"
            )
        return _underdamped(gamma, w0, width, t, order)
    if isinstance(bath, OhmicBath):
        gamma, wc, s, t = _scalar(bath, name, ("gamma", "omega_c", "s", "temperature"))
        _positive_temperature(t, name, "ohmic")
        return _ohmic(gamma, wc, s, t, max(order, 1))
    if isinstance(bath, ExponentialBath):
        return _exponential(bath)
    raise InvalidParameterError(
        f"bath {name!r} ({type(bath).__name__}) cannot be held by the HEOM hierarchy: it "
        f"represents {REPRESENTABLE}"
    )


def require_qutip() -> Any:
    """QuTiP, imported on first use: it is the optional extra ``qheat[exact]``."""
    try:
        import qutip
        import qutip.solver.heom
    except ImportError:  # pragma: no cover - exercised only without the extra
        raise QheatError("HEOM needs QuTiP >= 5.1: pip install 'qheat[exact]'") from None
    return qutip
