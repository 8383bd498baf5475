"""The paper's model: two coupled two-level atoms (Eq. 1) and its analytic eigensystem (Eqs. 2-6).

``H_S = e1/2 sz1 + e2/2 sz2 + g sx1 sx2``; bath ``j`` couples through ``sx_j``.
Eigenstates in the paper's order and signs (below Eq. 2)::

    |s1> =  sin(phi/2)   |0,0> + cos(phi/2)   |1,1>,   energy +beta
    |s2> =  cos(theta/2) |1,0> + sin(theta/2) |0,1>,   energy +alpha
    |s3> = -sin(theta/2) |1,0> + cos(theta/2) |0,1>,   energy -alpha
    |s4> =  cos(phi/2)   |0,0> - sin(phi/2)   |1,1>,   energy -beta

with ``tan phi = 2g/(e1 + e2)``, ``tan theta = 2g/(e1 - e2)`` (Eq. 3; taken with ``arctan2``
so that ``sin phi = g/beta`` and ``sin theta = g/alpha`` for every sign).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray

from .._checks import broadcast_shape, real_array
from .operators import SX, SZ, two_qubit_operator
from .system import Bath, Eigenbasis, OpenSystem

__all__ = ["TwoQubitModel"]

FloatArray = NDArray[np.float64]
ComplexArray = NDArray[np.complex128]

_SX1 = two_qubit_operator(SX, 1)
_SX2 = two_qubit_operator(SX, 2)
_SZ1 = two_qubit_operator(SZ, 1)
_SZ2 = two_qubit_operator(SZ, 2)
_SXSX = _SX1 @ _SX2
# lab indices of |0,0>, |0,1>, |1,0>, |1,1>
_00, _01, _10, _11 = 0, 1, 2, 3


@dataclass(frozen=True, init=False)
class TwoQubitModel:
    """``H_S = e1/2 sz1 + e2/2 sz2 + g sx1 sx2`` (Eq. 1). Parameters may be arrays.

    Args:
        eps1: level splitting e1 > 0 of atom 1.
        eps2: level splitting e2 > 0 of atom 2.
        g: inter-atom coupling (real).

    Example:
        >>> m = TwoQubitModel(eps1=5.0, eps2=4.0, g=0.5)
        >>> round(float(m.alpha), 6), round(float(m.beta), 6)
        (0.707107, 4.527693)
    """

    eps1: FloatArray
    eps2: FloatArray
    g: FloatArray

    def __init__(self, eps1: ArrayLike, eps2: ArrayLike, g: ArrayLike) -> None:
        object.__setattr__(self, "eps1", real_array("eps1", eps1, strictly_positive=True))
        object.__setattr__(self, "eps2", real_array("eps2", eps2, strictly_positive=True))
        object.__setattr__(self, "g", real_array("g", g))
        broadcast_shape({"eps1": self.eps1.shape, "eps2": self.eps2.shape, "g": self.g.shape})

    # Eqs. 2-3, 6
    @property
    def alpha(self) -> FloatArray:
        """``alpha = sqrt((e1 - e2)^2/4 + g^2)`` (Eq. 2)."""
        return np.hypot(0.5 * (self.eps1 - self.eps2), self.g)

    @property
    def beta(self) -> FloatArray:
        """``beta = sqrt((e1 + e2)^2/4 + g^2)`` (Eq. 2)."""
        return np.hypot(0.5 * (self.eps1 + self.eps2), self.g)

    @property
    def theta(self) -> FloatArray:
        """``tan theta = 2g / (e1 - e2)`` (Eq. 3)."""
        return np.arctan2(2 * self.g, self.eps1 - self.eps2)

    @property
    def phi(self) -> FloatArray:
        """``tan phi = 2g / (e1 + e2)`` (Eq. 3)."""
        return np.arctan2(2 * self.g, self.eps1 + self.eps2)

    @property
    def phi_plus(self) -> FloatArray:
        """``phi_+ = (theta + phi)/2`` (Eq. 6)."""
        return 0.5 * (self.theta + self.phi)

    @property
    def phi_minus(self) -> FloatArray:
        """``phi_- = (theta - phi)/2`` (Eq. 6)."""
        return 0.5 * (self.theta - self.phi)

    @property
    def omega1(self) -> FloatArray:
        """``w1 = beta - alpha`` (Eq. 6)."""
        return self.beta - self.alpha

    @property
    def omega2(self) -> FloatArray:
        """``w2 = beta + alpha`` (Eq. 6)."""
        return self.beta + self.alpha

    @property
    def shape(self) -> tuple[int, ...]:
        """Batch shape of the parameters."""
        return np.broadcast_shapes(self.eps1.shape, self.eps2.shape, self.g.shape)

    def hamiltonian(self) -> ComplexArray:
        """Lab-basis ``H_S`` of Eq. 1, shape ``(..., 4, 4)``."""
        e1, e2, g = (np.asarray(x)[..., None, None] for x in (self.eps1, self.eps2, self.g))
        return 0.5 * e1 * _SZ1 + 0.5 * e2 * _SZ2 + g * _SXSX

    @staticmethod
    def couplings() -> tuple[ComplexArray, ComplexArray]:
        """The coupling operators ``(sx1, sx2)`` of Eq. 5."""
        return _SX1.copy(), _SX2.copy()

    def eigenbasis(self) -> Eigenbasis:
        """Analytic eigensystem in the paper's order ``(s1, s2, s3, s4) = (b, a, -a, -b)``."""
        a, b = self.alpha, self.beta  # both of the broadcast shape of (e1, e2, g)
        energies = np.array([b, a, -a, -b])
        energies = np.moveaxis(energies, 0, -1) if energies.ndim > 1 else energies
        half_phi, half_theta = 0.5 * self.phi, 0.5 * self.theta
        sp, cp = np.sin(half_phi), np.cos(half_phi)
        st, ct = np.sin(half_theta), np.cos(half_theta)
        u = np.zeros(sp.shape + (4, 4), dtype=complex)
        u[..., _00, 0], u[..., _11, 0] = sp, cp
        u[..., _10, 1], u[..., _01, 1] = ct, st
        u[..., _10, 2], u[..., _01, 2] = -st, ct
        u[..., _00, 3], u[..., _11, 3] = cp, -sp
        return Eigenbasis(energies=energies, vectors=u)

    def eigenoperators(self) -> dict[tuple[int, int], ComplexArray]:
        """Analytic ``V_j(w_mu)`` of Eq. 6 in the eigenbasis, keyed by ``(j, mu)``, mu in {1, 2}.

        Eq. 6 as printed swaps two factors; the projection of ``sx_j`` onto the eigenbasis
        gives (docs/theory.md, "Corrections to the paper")::

            V1(w1) = sin phi+ (|s2><s1| - |s4><s3|)    V1(w2) = cos phi+ (|s4><s2| + |s3><s1|)
            V2(w1) = cos phi- (|s2><s1| + |s4><s3|)    V2(w2) = sin phi- (|s4><s2| - |s3><s1|)
        """
        sp, cp = np.sin(self.phi_plus), np.cos(self.phi_plus)
        sm, cm = np.sin(self.phi_minus), np.cos(self.phi_minus)

        def op(coef: FloatArray, *terms: tuple[int, int, int]) -> ComplexArray:
            out = np.zeros(np.shape(coef) + (4, 4), dtype=complex)
            for sign, row, col in terms:
                out[..., row, col] = sign * coef
            return out

        return {
            (1, 1): op(sp, (1, 1, 0), (-1, 3, 2)),
            (1, 2): op(cp, (1, 3, 1), (1, 2, 0)),
            (2, 1): op(cm, (1, 1, 0), (1, 3, 2)),
            (2, 2): op(sm, (1, 3, 1), (-1, 2, 0)),
        }

    def open_system(self, bath1: Bath, bath2: Bath) -> OpenSystem:
        """The model with bath 1 on ``sx1`` and bath 2 on ``sx2``, using the analytic eigenbasis.

        At ``g = 0`` and ``e1 = e2`` (``alpha = 0``) the analytic basis stays valid: ``theta =
        arctan2(0, 0) = 0`` gives ``|s2> = |1,0>`` and ``|s3> = |0,1>``, two degenerate
        eigenstates, which the master equations treat through ``degeneracy_tol``.
        """
        return OpenSystem._exact(
            self.hamiltonian(), self.couplings(), (bath1, bath2), self.eigenbasis(), (2, 2)
        )
