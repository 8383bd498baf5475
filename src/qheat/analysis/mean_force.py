"""The mean-force Gibbs state to second order in the system-bath coupling (paper Eq. 20).

For one bath at inverse temperature ``b = 1/T`` coupled through ``sx_j = sum_mu V_j(w_mu)``
(``mu`` runs over ``+-w1, +-w2``, ``V_j(-w) = V_j(w)^dag``, ``[H_S, V_j(w)] = -w V_j(w)``),
Eq. 20 reads, with ``tau = exp(-b H_S)/Z`` (Eq. 19) and ``S_j`` the Lamb-shift function of
Eq. 15::

    rho_MF = tau - b sum_mu S(w_mu) tau (V^dag(w_mu) V(w_mu) - Tr(tau V^dag(w_mu) V(w_mu)) 1)
                 - sum_{mu != nu} S(w_nu) / (w_mu - w_nu)
                       ([V^dag(w_mu), V(w_nu) tau] + [tau V^dag(w_nu), V(w_mu)])
                 - sum_mu S'(w_mu) [V(w_mu), tau V^dag(w_mu)]

The correction is linear in each bath's ``gamma``; for several baths at one temperature the
corrections add (each bath's own ``S_j`` and ``V_j``). Everything is in the paper's
eigenbasis ``(s1, s2, s3, s4)``. See ``docs/perturbative.md`` for what this state does and
does not share with the Bloch-Redfield steady state.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from numpy.typing import NDArray

from ..baths import DrudeBath
from ..errors import InvalidParameterError
from ..model import TwoQubitModel

__all__ = ["mean_force_gibbs", "gibbs_state", "lamb_shift_slope"]

ComplexArray = NDArray[np.complex128]
FloatArray = NDArray[np.float64]

_SLOPE_STEP = 1e-3
"""Finite-difference step of :func:`lamb_shift_slope`, relative to the local scale of S."""


def gibbs_state(model: TwoQubitModel, temperature: FloatArray) -> ComplexArray:
    """``tau = exp(-H_S/T) / Z`` (Eq. 19) in the eigenbasis, ``(..., 4, 4)``; needs ``T > 0``."""
    energies = model.eigenbasis().energies
    t = np.asarray(temperature, dtype=float)[..., None]
    weights = np.exp(-(energies - energies[..., :1]) / t)  # shift by +beta: no overflow
    weights = weights / weights.sum(axis=-1, keepdims=True)
    out = np.zeros(weights.shape + (4,), dtype=complex)
    idx = np.arange(4)
    out[..., idx, idx] = weights
    return out


def lamb_shift_slope(bath: DrudeBath, omega: FloatArray) -> FloatArray:
    """``dS/dw`` of Eq. 15 by a five-point central difference of the closed form of ``S``.

    The step is ``1e-3`` times the scale on which ``S`` varies (``|w| + 2 pi T``, capped at
    ``wD``), so truncation (``~1e-12``) and round-off (``~1e-13``) errors are both negligible.
    """
    w = np.asarray(omega, dtype=float)
    scale = np.minimum(np.abs(w) + 2 * np.pi * bath.temperature, bath.omega_d)
    if np.any(scale == 0):
        raise InvalidParameterError(
            "omega must be non-zero at temperature 0: S(w) has a logarithmic singularity at w = 0"
        )
    h = _SLOPE_STEP * scale
    return (8.0 * (bath.S(w + h) - bath.S(w - h)) - (bath.S(w + 2 * h) - bath.S(w - 2 * h))) / (
        12.0 * h
    )


def mean_force_gibbs(model: TwoQubitModel, baths: Sequence[DrudeBath]) -> ComplexArray:
    """Second-order mean-force Gibbs state of Eq. 20, in the paper's eigenbasis ``(..., 4, 4)``.

    Args:
        model: the two-qubit model (Eq. 1); bath ``j`` (1-based) couples through ``sx_j``.
        baths: one or two Drude baths (Eq. 17). Baths with ``gamma = 0`` contribute nothing;
            all baths with ``gamma > 0`` must share one temperature ``T > 0`` (an equilibrium
            state exists only then). Parameters broadcast with the model's.

    Returns:
        ``tau + sum_j (Eq. 20 correction of bath j)``, Hermitian with unit trace.

    Raises:
        InvalidParameterError: more than two baths, ``T <= 0``, or coupled baths at
            different temperatures (the message names them).

    Example:
        >>> import qheat
        >>> model = qheat.TwoQubitModel(5.0, 4.0, 1.0)
        >>> rho = mean_force_gibbs(model, [qheat.DrudeBath(0.01, 50.0, 3.0)])
        >>> print(np.round(rho[1, 2].real, 6), np.round(rho[0, 3].real, 6))  # Fig. 2 at T = 3
        -0.002717 -0.000659
    """
    if not 1 <= len(baths) <= 2:
        raise InvalidParameterError(
            f"baths must hold one or two DrudeBath (one per qubit), got {len(baths)}"
        )
    temperature = _common_temperature(baths)
    tau = gibbs_state(model, temperature)
    eigenoperators = model.eigenoperators()
    rho = tau.copy()
    for j, bath in enumerate(baths, start=1):
        pairs = _frequency_operator_pairs(model, eigenoperators[(j, 1)], eigenoperators[(j, 2)])
        rho = rho + _bath_correction(bath, temperature, tau, pairs)
    return rho


def _common_temperature(baths: Sequence[DrudeBath]) -> FloatArray:
    """The temperature shared by the coupled baths (the first bath's where none couples)."""
    temps = np.broadcast_arrays(*(b.temperature for b in baths))
    coupled = np.broadcast_arrays(*(b.gamma > 0 for b in baths))
    reference = temps[0]
    for t, c in zip(temps[::-1], coupled[::-1]):
        reference = np.where(c, t, reference)
    for j, (t, c) in enumerate(zip(temps, coupled), start=1):
        mismatch = c & (t != reference)
        if np.any(mismatch):
            raise InvalidParameterError(
                "the mean-force Gibbs state needs all coupled baths at one temperature, got "
                f"T{j} = {t[mismatch].ravel()[0]:g} against T = {reference[mismatch].ravel()[0]:g}"
                " (set gamma = 0 for an absent bath)"
            )
    if np.any(reference <= 0):
        raise InvalidParameterError(
            f"temperature must be > 0 for the mean-force Gibbs state, got {reference.min():g}"
        )
    return np.asarray(reference, dtype=float)


def _frequency_operator_pairs(
    model: TwoQubitModel, v1: ComplexArray, v2: ComplexArray
) -> list[tuple[FloatArray, ComplexArray]]:
    """``(w_mu, V(w_mu))`` for ``mu = +1, -1, +2, -2`` with ``V(-w) = V(w)^dag`` (below Eq. 6)."""
    w1, w2 = model.omega1, model.omega2
    return [(w1, v1), (-w1, _dag(v1)), (w2, v2), (-w2, _dag(v2))]


def _bath_correction(
    bath: DrudeBath,
    temperature: FloatArray,
    tau: ComplexArray,
    pairs: list[tuple[FloatArray, ComplexArray]],
) -> ComplexArray:
    """The three correction terms of Eq. 20 for one bath, ``(..., 4, 4)``."""
    eye = np.eye(4)
    b = (1.0 / temperature)[..., None, None]
    shifts = [bath.S(w)[..., None, None] for w, _ in pairs]
    slopes = [lamb_shift_slope(bath, w)[..., None, None] for w, _ in pairs]
    out = np.zeros(np.broadcast_shapes(tau.shape, shifts[0].shape), dtype=complex)
    for mu, ((w_mu, v_mu), s_mu, ds_mu) in enumerate(zip(pairs, shifts, slopes)):
        number = _dag(v_mu) @ v_mu
        mean = np.trace(tau @ number, axis1=-2, axis2=-1)[..., None, None]
        out = out - b * s_mu * (tau @ (number - mean * eye))
        out = out - ds_mu * _commutator(v_mu, tau @ _dag(v_mu))
        for nu, ((w_nu, v_nu), s_nu) in enumerate(zip(pairs, shifts)):
            if nu == mu:
                continue
            weight = s_nu / (w_mu - w_nu)[..., None, None]
            out = out - weight * (
                _commutator(_dag(v_mu), v_nu @ tau) + _commutator(tau @ _dag(v_nu), v_mu)
            )
    return out


def _dag(op: ComplexArray) -> ComplexArray:
    return np.conj(np.swapaxes(op, -1, -2))


def _commutator(a: ComplexArray, b: ComplexArray) -> ComplexArray:
    return a @ b - b @ a
