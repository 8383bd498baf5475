"""QuTiP's bosonic environments as qheat baths, with the conventions mapped.

QuTiP (``qutip.core.environment``, QuTiP 5) and qheat share ``C(t) = (1/pi) int_0^inf J(w)
[coth(w/2T) cos(wt) - i sin(wt)] dw``; QuTiP's power spectrum is ``2 G(w)`` and its
``spectral_density`` is ``J(w)`` for ``w > 0`` (0 for ``w <= 0``; qheat extends ``J`` oddly).
The parameters map as (QuTiP left, qheat right):

* ``DrudeLorentzEnvironment(T, lam, gamma)``: ``J = 2 lam gamma w/(gamma^2 + w^2)``, so
  ``DrudeBath(gamma=2 lam/gamma, omega_d=gamma, temperature=T)``;
* ``UnderDampedEnvironment(T, lam, gamma, w0)``: ``J = lam^2 gamma w/((w^2 - w0^2)^2 +
  gamma^2 w^2)``, so ``UnderdampedBath(gamma=lam^2 gamma/w0^4, omega_0=w0, width=gamma, T)``;
* ``OhmicEnvironment(T, alpha, wc, s)``: ``J = alpha w^s wc^(1-s) exp(-w/wc)``, so
  ``OhmicBath(gamma=alpha, omega_c=wc, s=s, temperature=T)``;
* ``ExponentialBosonicEnvironment`` (also what ``env.approximate(...)`` returns): its exponents,
  ``C(t) = sum_k c_k exp(-nu_k t)``, give :class:`~qheat.baths.ExponentialBath`;
* any other bosonic environment with a temperature (e.g.
  ``BosonicEnvironment.from_spectral_density``): a :class:`~qheat.baths.SpectralDensityBath`
  of ``sign(w) env.spectral_density(|w|)``.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import NDArray

from ..errors import InvalidParameterError
from .drude import DrudeBath
from .exponential import ExponentialBath
from .ohmic import OhmicBath
from .underdamped import UnderdampedBath
from .user import SpectralDensityBath

__all__ = ["from_qutip"]


def from_qutip(env: Any) -> Any:
    """The qheat bath equivalent to the QuTiP bosonic environment ``env`` (mapping above).

    Raises:
        InvalidParameterError: ``env`` is not a QuTiP bosonic environment, is a pair
            ``(environment, fit information)`` as some ``approximate`` methods return, or lacks
            the temperature that a spectral density needs.
    """
    from qutip.core import environment as qe  # on first use: QuTiP is optional

    if isinstance(env, tuple) and env and isinstance(env[0], qe.BosonicEnvironment):
        raise InvalidParameterError(
            "env is a pair (environment, fit information) as returned by a fitting "
            "approximate(...); pass its first element"
        )
    if isinstance(env, qe.DrudeLorentzEnvironment):
        return DrudeBath(gamma=2 * env.lam / env.gamma, omega_d=env.gamma, temperature=env.T)
    if isinstance(env, qe.UnderDampedEnvironment):
        return UnderdampedBath(
            gamma=env.lam**2 * env.gamma / env.w0**4,
            omega_0=env.w0,
            width=env.gamma,
            temperature=env.T,
        )
    if isinstance(env, qe.OhmicEnvironment):
        return OhmicBath(gamma=env.alpha, omega_c=env.wc, s=env.s, temperature=env.T)
    if isinstance(env, qe.ExponentialBosonicEnvironment):
        return ExponentialBath(
            [e.coefficient for e in env.exponents],
            [e.exponent for e in env.exponents],
            temperature=env.T,
        )
    if isinstance(env, qe.BosonicEnvironment):
        if env.T is None:
            raise InvalidParameterError(
                "env has no temperature (T): a bath from a spectral density needs one"
            )

        def odd(w: NDArray[np.float64]) -> NDArray[np.float64]:
            return np.sign(w) * np.asarray(env.spectral_density(np.abs(w)), dtype=np.float64)

        return SpectralDensityBath(odd, env.T)
    raise InvalidParameterError(
        "env must be a QuTiP bosonic environment (qutip.core.environment.BosonicEnvironment), "
        f"got {type(env).__name__}"
    )
