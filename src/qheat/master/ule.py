"""The universal Lindblad equation (ULE) of Nathan and Rudner, Phys. Rev. B 102, 115109 (2020)."""

from __future__ import annotations

from dataclasses import dataclass
from functools import reduce
from typing import ClassVar

import numpy as np
from numpy.typing import NDArray

from .._arrays import at_point
from .._checks import flag
from ..errors import InvalidParameterError
from ..model import Bath, OpenSystem
from ..model.system import coupling_support
from .generator import FormGenerator, Generator
from .jump_form import DenseJumps, JumpForm
from .superop import sandwich
from .ule_shift import sqrt_rate_remainder

__all__ = ["TRIPLE_BUDGET", "UniversalLindblad", "lindblad_dissipator", "ule_lamb_shift"]

TRIPLE_BUDGET = 200_000
"""Most triples of levels ``(i, m, k)`` whose Lamb-shift remainder the ULE computes by
quadrature (about 0.3 ms each: a minute); beyond, ``lamb_shift=True`` is refused with the
count."""

ComplexArray = NDArray[np.complex128]
FloatArray = NDArray[np.float64]


def _dag(x: ComplexArray) -> ComplexArray:
    return np.conj(np.swapaxes(x, -1, -2))


def lindblad_dissipator(jump: ComplexArray) -> ComplexArray:
    """Superoperator of ``L rho L^dag - 1/2 {L^dag L, rho}``, shape ``(..., d^2, d^2)``."""
    eye = np.broadcast_to(np.eye(jump.shape[-1], dtype=complex), jump.shape)
    ldl = _dag(jump) @ jump
    return sandwich(jump, _dag(jump)) - 0.5 * (sandwich(ldl, eye) + sandwich(eye, ldl))


@dataclass(frozen=True)
class UniversalLindblad:
    """Universal Lindblad equation (ULE), Nathan and Rudner, Phys. Rev. B 102, 115109 (2020).

    One jump operator per bath, ``L_j = sum_ab g_j(w_ab) A_ab |a><b|`` with the jump
    spectral function ``g(w) = sqrt(2 G(w))`` (``2G`` is the full Fourier transform of the
    bath correlation function, Eq. 14, i.e. ``2 pi`` times Nathan-Rudner's ``J(w)``), so the
    dissipator is Eq. 10 with the rates ``G(w) + G(w')`` of Eq. 12 replaced by
    ``2 sqrt(G(w) G(w'))``: identical secular rates, and Lindblad form, hence completely
    positive for every parameter.

    Lamb shift: Nathan and Rudner's Hermitian ``Lambda`` (their Eq. 15 with the erratum, PRB
    104, 119901 (2021)), per bath, in the eigenbasis (:func:`ule_lamb_shift`)::

        Lambda_ik = sum_m A_im A_mk f(w_im, w_mk),
        f(p, q)   = -(1/pi) P.V. int dx sqrt(G(x - p) G(x + q)) / x
                  = [S(-p) + S(q)] / 2 + r(p, q),

    ``S`` the closed form of Eq. 15 and ``r`` a remainder computed by quadrature
    (:mod:`qheat.master.ule_shift`, error about ``1e-12``). On the secular blocks (``E_i = E_k``)
    ``Lambda`` equals the Lamb shift of the global Lindblad equation; heat currents are
    ``J_j = Tr((H_S + Lambda) D_j(rho))``.

    Args:
        lamb_shift: add ``Lambda``; ``False`` sets it to zero.
    """

    lamb_shift: bool = True
    name: ClassVar[str] = "ule"

    def __post_init__(self) -> None:
        flag("lamb_shift", self.lamb_shift)

    def generator(self, system: OpenSystem) -> Generator:
        """Build the ULE generator of ``system`` (in the eigenbasis of ``H_S``): its jump
        operators ``L_j``, in operator form at each point (``D_j(x) = L_j x L_j^dag -
        {L_j^dag L_j, x}/2``, :mod:`qheat.master.jump_form`) and as superoperators on demand."""
        basis = system.eigensystem()
        omega = system.bohr_frequencies
        jumps = []
        lamb = np.zeros(omega.shape, dtype=complex)
        for coupling, spectrum, bath in zip(
            system.eigen_couplings, system.correlation_spectra, system.baths
        ):
            jumps.append(np.sqrt(2.0 * np.maximum(spectrum.real, 0.0)) * coupling)
            if self.lamb_shift:
                lamb = lamb + ule_lamb_shift(coupling, spectrum.imag, omega, bath)
        h_s = np.zeros(omega.shape, dtype=complex)
        idx = np.arange(system.dim)
        h_s[..., idx, idx] = basis.energies
        batch = system.batch_shape
        energy = h_s + lamb

        def form(point: int) -> JumpForm:
            ops = [at_point(jump, batch, point) / np.sqrt(2.0) for jump in jumps]
            w = np.asarray(at_point(omega, batch, point), dtype=np.float64)
            parts = tuple(DenseJumps(op[None], op[None]) for op in ops)
            return JumpForm(
                energy=np.asarray(at_point(energy, batch, point), dtype=np.complex128),
                anticommutators=np.array([2.0 * _dag(op) @ op for op in ops]),
                jumps=parts,
                tilt=lambda j, order: parts[j].tilted(w, order),
                omega=w,
            )

        return FormGenerator(
            name=self.name,
            eigenbasis=basis,
            hamiltonian=h_s,
            lamb_shift=lamb,
            baths=system.n_baths,
            batch=batch,
            scale=np.asarray(
                reduce(np.maximum, [np.abs(j).max(axis=(-2, -1)) ** 2 for j in jumps])
            ),
            forms=form,
            superoperators=lambda: tuple(
                np.broadcast_arrays(*(lindblad_dissipator(jump) for jump in jumps))
            ),
        )


def ule_lamb_shift(
    coupling: ComplexArray, shift: FloatArray, omega: FloatArray, bath: Bath
) -> ComplexArray:
    """Nathan-Rudner's ``Lambda`` of one bath in the eigenbasis, ``(..., d, d)`` (see above).

    Args:
        coupling: ``A_ab`` in the eigenbasis, ``(..., d, d)``.
        shift: ``S(w_ab)`` where ``A`` is structurally nonzero, ``(..., d, d)``.
        omega: Bohr frequencies ``w_ab = E_b - E_a``, ``(..., d, d)``.
        bath: the bath (its ``G`` enters the remainder ``r``).

    ``[S(-p) + S(q)] / 2`` summed with ``A_im A_mk`` is
    ``((S^T o A) A + A (S o A)) / 2``; ``r`` is summed over the triples ``i < k`` with
    ``A_im A_mk`` nonzero somewhere and ``E_i != E_k`` somewhere (``r = 0`` when
    ``E_i = E_k``), and the ``i > k`` half follows from ``r(p, q) = r(-q, -p)``.
    """
    a = coupling
    closed = 0.5 * ((np.swapaxes(shift, -1, -2) * a) @ a + a @ (shift * a))
    support = coupling_support(a)
    d = a.shape[-1]
    moving = np.any(omega != 0, axis=tuple(range(omega.ndim - 2))) if omega.ndim > 2 else omega != 0
    upper = np.triu(moving, 1)
    count = int(((support.astype(np.int64) @ support.astype(np.int64)) * upper).sum())
    if count > TRIPLE_BUDGET:
        raise InvalidParameterError(
            f"UniversalLindblad(lamb_shift=True) needs the Nathan-Rudner remainder at {count:.3g} "
            f"triples of levels (d = {d}; about 0.3 ms each, more than the budget of "
            f"{TRIPLE_BUDGET:g}): use UniversalLindblad(lamb_shift=False) or BlochRedfield() "
            "for a device this large"
        )
    if not count:
        return np.asarray(closed, dtype=np.complex128)
    i, k = np.nonzero(upper)
    pick = support[i][:, :, None] & support[:, k].T[:, :, None]  # (pairs, m, 1)
    pair, m = np.nonzero(pick[:, :, 0])
    i, k = i[pair], k[pair]
    scale = np.max(np.abs(shift), axis=(-1, -2))
    r = sqrt_rate_remainder(bath, omega[..., i, m], omega[..., m, k], scale)
    weights = np.zeros(r.shape[:-1] + (d, d, d), dtype=float)
    weights[..., i, m, k] = r
    upper = np.einsum("...im,...mk,...imk->...ik", a, a, weights)
    return np.asarray(closed + upper + _dag(upper), dtype=np.complex128)
