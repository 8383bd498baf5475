"""Closed forms of the paper: Lindblad populations and current (Appendix B, Eqs. 24-26),
the symmetric limit of Appendix C (Eq. C1 and the Bloch-Redfield state), and a measure of
how well Eq. 23 holds.

Notation (Appendix B): for the two channels ``w1 = beta - alpha``, ``w2 = beta + alpha``,
``G~_+(+-w_i) = G_1(+-w_i) a_i + G_2(+-w_i) b_i`` with the weights ``|<V_j>|^2`` of the
eigenoperators (Eq. 6 as corrected in ``qheat.model.two_qubit``)::

    a_1 = sin^2 phi+,  a_2 = cos^2 phi+   (bath 1, on sx1)
    b_1 = cos^2 phi-,  b_2 = sin^2 phi-   (bath 2, on sx2)

and likewise ``S~_+``. Units: hbar = kB = 1; ``J > 0`` is heat from bath 1 into the system.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray

from ..baths import DrudeBath
from ..baths.bose import bose
from ..errors import InvalidParameterError
from ..master import BlochRedfield, GlobalLindblad
from ..model import OpenSystem, TwoQubitModel
from ..steady import heat_currents, steady_state

__all__ = [
    "Eq23Gap",
    "eq23_gap",
    "lindblad_current",
    "lindblad_populations",
    "symmetric_br_state",
    "symmetric_lindblad_limit",
]

FloatArray = NDArray[np.float64]
ComplexArray = NDArray[np.complex128]


def _channel_weights(model: TwoQubitModel) -> tuple[tuple[FloatArray, FloatArray], ...]:
    """``((a_1, b_1), (a_2, b_2))``: the weights of bath 1 and bath 2 in channels w1, w2."""
    sp2, cp2 = np.sin(model.phi_plus) ** 2, np.cos(model.phi_plus) ** 2
    sm2, cm2 = np.sin(model.phi_minus) ** 2, np.cos(model.phi_minus) ** 2
    return (sp2, cm2), (cp2, sm2)


def _check_coupled(bath1: DrudeBath, bath2: DrudeBath) -> None:
    if np.any(np.add(bath1.gamma, bath2.gamma) <= 0):
        raise InvalidParameterError(
            "gamma1 + gamma2 must be > 0 (with no bath coupled the Lindblad steady state is "
            "not unique)"
        )


def lindblad_populations(model: TwoQubitModel, bath1: DrudeBath, bath2: DrudeBath) -> FloatArray:
    """``rho_pd^(0)`` of Appendix B (= the global Lindblad steady state), ``(..., 4)``.

    ``(G~(-w1) G~(-w2), G~(w1) G~(-w2), G~(-w1) G~(w2), G~(w1) G~(w2)) / N`` with
    ``G~ = G~_+`` and ``N = (G~(w1) + G~(-w1)) (G~(w2) + G~(-w2))``, for ``(s1, s2, s3, s4)``.
    """
    _check_coupled(bath1, bath2)
    (a1, b1), (a2, b2) = _channel_weights(model)
    w1, w2 = model.omega1, model.omega2
    down1 = bath1.G(w1) * a1 + bath2.G(w1) * b1
    up1 = bath1.G(-w1) * a1 + bath2.G(-w1) * b1
    down2 = bath1.G(w2) * a2 + bath2.G(w2) * b2
    up2 = bath1.G(-w2) * a2 + bath2.G(-w2) * b2
    pops = np.stack(np.broadcast_arrays(up1 * up2, down1 * up2, up1 * down2, down1 * down2), -1)
    return np.asarray(pops / ((down1 + up1) * (down2 + up2))[..., None], dtype=float)


def lindblad_current(
    model: TwoQubitModel, bath1: DrudeBath, bath2: DrudeBath, lamb_shift: bool = True
) -> FloatArray:
    """Global Lindblad heat current ``J_1^L`` in closed form, Eqs. 24-26, shape ``(...)``.

    ``J_1^L = sum_i A_i (n_1(w_i) - n_2(w_i)) (w_i + delta_i)`` with
    ``A_i = 2 a_i b_i J_1(w_i) J_2(w_i) / (G~_+(w_i) + G~_+(-w_i))`` and the Lamb-shift
    correction of the transition frequency ``delta_i = S~_+(w_i) - S~_+(-w_i)`` (the same for
    both transitions of channel i; ``0`` when ``lamb_shift`` is False).

    Example:
        >>> import qheat
        >>> model = qheat.TwoQubitModel(5.0, 4.0, 0.5)
        >>> hot, cold = qheat.DrudeBath(0.01, 50.0, 15.0), qheat.DrudeBath(0.01, 50.0, 5.0)
        >>> print(round(float(lindblad_current(model, hot, cold)), 10))
        0.0498172737
    """
    _check_coupled(bath1, bath2)
    total: FloatArray = np.zeros(())
    for w, (a, b) in zip((model.omega1, model.omega2), _channel_weights(model)):
        spread = (bath1.G(w) + bath1.G(-w)) * a + (bath2.G(w) + bath2.G(-w)) * b
        amplitude = 2 * a * b * bath1.J(w) * bath2.J(w) / spread
        delta = (bath1.S(w) - bath1.S(-w)) * a + (bath2.S(w) - bath2.S(-w)) * b
        gap = w + delta if lamb_shift else w
        total = total + amplitude * (bose(w, bath1.temperature) - bose(w, bath2.temperature)) * gap
    return np.asarray(total, dtype=float)


def symmetric_br_state(n1: ArrayLike, n2: ArrayLike) -> ComplexArray:
    """Appendix C: the exact Bloch-Redfield steady state for ``e1 = e2 = e`` as ``g -> 0``.

    In the eigenbasis ``(s1, s2, s3, s4) = (|11>, (|10>+|01>)/sqrt2, (-|10>+|01>)/sqrt2,
    |00>)``, with ``n_j = n_j(e)`` the Bose occupations of the baths at the qubit frequency::

        rho = [[n1 n2, 0, 0, 0],
               [0, n1 n2 + (n1+n2)/2, (n2-n1)/2, 0],
               [0, (n2-n1)/2, n1 n2 + (n1+n2)/2, 0],
               [0, 0, 0, (n1+1)(n2+1)]] / ((1 + 2 n1)(1 + 2 n2))

    i.e. the product of the two local thermal qubit states (so no heat flows).
    """
    a = np.asarray(n1, dtype=float)
    b = np.asarray(n2, dtype=float)
    if np.any(a < 0) or np.any(b < 0):
        raise InvalidParameterError("n1 and n2 must be Bose occupations >= 0")
    a, b = np.broadcast_arrays(a, b)
    middle = a * b + 0.5 * (a + b)
    out = np.zeros(a.shape + (4, 4), dtype=complex)
    out[..., 0, 0] = a * b
    out[..., 1, 1] = middle
    out[..., 2, 2] = middle
    out[..., 1, 2] = out[..., 2, 1] = 0.5 * (b - a)
    out[..., 3, 3] = (a + 1) * (b + 1)
    return out / ((1 + 2 * a) * (1 + 2 * b))[..., None, None]


def symmetric_lindblad_limit(
    eps: ArrayLike, bath1: DrudeBath, bath2: DrudeBath, lamb_shift: bool = True
) -> FloatArray:
    """Eq. C1: the limit ``g -> 0`` of Eq. 24 at ``e1 = e2 = e``, shape ``(...)``.

    Both channels merge at ``w1 = w2 = e`` with ``phi -> 0``, ``theta -> pi/2``, which gives
    ``J^L = 2 J_1 J_2 (n_1 - n_2) / (J_1 (1 + 2 n_1) + J_2 (1 + 2 n_2)) (e + delta)`` with
    ``delta = (S_1(e) + S_2(e) - S_1(-e) - S_2(-e)) / 2``; for ``gamma1 = gamma2`` this is the
    printed ``J(e) (n_1 - n_2) / (1 + n_1 + n_2) (e + delta)``. Non-zero at ``T1 != T2``:
    the unphysical limit that Appendix C discusses.
    """
    e = np.asarray(eps, dtype=float)
    if np.any(e <= 0):
        raise InvalidParameterError("eps must be > 0")
    _check_coupled(bath1, bath2)
    n1, n2 = bose(e, bath1.temperature), bose(e, bath2.temperature)
    j1, j2 = bath1.J(e), bath2.J(e)
    delta = 0.5 * (bath1.S(e) + bath2.S(e) - bath1.S(-e) - bath2.S(-e))
    gap = e + delta if lamb_shift else e
    return np.asarray(2 * j1 * j2 * (n1 - n2) / (j1 * (1 + 2 * n1) + j2 * (1 + 2 * n2)) * gap)


@dataclass(frozen=True)
class Eq23Gap:
    """The two sides of Eq. 23 on the Lindblad steady state ``rho^L``, ``(..., n_baths)``.

    Attributes:
        br: ``Tr((H_S + H_LS^BR) L_j^BR(rho^L))``.
        lindblad: ``Tr((H_S + H_LS^L) L_j^L(rho^L)) = J_j^L``.
    """

    br: FloatArray
    lindblad: FloatArray

    @property
    def relative(self) -> FloatArray:
        """``(br - lindblad) / |lindblad|``; NaN where ``J^L = 0`` (e.g. ``T1 = T2``)."""
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.asarray((self.br - self.lindblad) / np.abs(self.lindblad))


def eq23_gap(system: OpenSystem, lamb_shift: bool = True) -> Eq23Gap:
    """How far Eq. 23 is from equality: both sides evaluated on the global Lindblad state.

    The population part of ``L^BR(rho^L)`` equals that of ``L^L(rho^L)``, so the sides differ
    only through the non-secular (off-diagonal) ``H_LS^BR``, paired with the coherences that
    ``L^BR`` creates from ``rho^L``: a relative gap of order ``gamma`` (docs/perturbative.md).
    It vanishes identically when ``lamb_shift`` is False.

    Example:
        >>> import qheat
        >>> gap = eq23_gap(qheat.paper_system(5, 4, 0.5, 0.01, 0.01, 50, 55, 5))
        >>> print(np.round(gap.relative, 4))  # (J1, J2) at Fig. 3's g = 0.5, dT = 50
        [0.0177 0.0088]
    """
    lindblad = GlobalLindblad(lamb_shift=lamb_shift).generator(system)
    rho_l = steady_state(lindblad).rho
    br = BlochRedfield(lamb_shift=lamb_shift).generator(system)
    return Eq23Gap(br=heat_currents(br, rho_l), lindblad=heat_currents(lindblad, rho_l))
