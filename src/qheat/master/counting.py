"""Counting fields: the generator tilted by the heat drawn from one bath (full counting statistics).

The heat ``Q_j`` that bath ``j`` gives the system (positive into the system, the sign of
``J_j``) has the scaled cumulant generating function ``lambda_j(chi)``, the eigenvalue of the
tilted generator ``L(chi_j)`` that is 0 at ``chi = 0`` (docs/theory.md, "Heat-current
fluctuations"). Every jump term of bath ``j`` moves the system from the coherence ``rho_be`` to
``rho_ac`` with the amplitude ``(Gamma_ab + Gamma*_ce) A_ab A*_ce`` (Eq. 10; ``W rho A^dag +
A rho W^dag`` for Bloch-Redfield). Its ket branch gives the bath ``w_ab = E_b - E_a``, its bra
branch ``w_ce``; qheat attaches to the term the mean energy of its two branches,

    jumps_j(rho) -> sum (Gamma_ab + Gamma*_ce) A_ab A*_ce exp(-chi (w_ab + w_ce)/2) |a><b| rho |e><c|,

i.e. every operator of a jump tilted by ``exp(-chi w/2)`` elementwise: for the secular
equations (``w_ab = w_ce``) this is the standard counting field ``exp(-chi w)`` of each Lindblad
jump ``A(w) rho A(w)^dag``; for Bloch-Redfield the symmetric split of the two-point measurement
(Esposito, Harbola and Mukamel, Rev. Mod. Phys. 81, 1665 (2009)) applied to Redfield's
non-secular terms, in the spirit of the counting-field Redfield equation of Friedman, Agarwalla
and Segal (New J. Phys., 2018); its statistics breaks the fluctuation symmetry (Gerry and Segal,
2022), which qheat checks holds for the global Lindblad equation.
Only the jumps carry ``chi``; ``H_S + H_LS`` and the anticommutator do not.

With this choice the first cumulant is exactly ``Tr(H_S D_j(rho))``, the energy the bath gives at
the bare Bohr frequencies: expanding ``D_j`` elementwise, ``Tr(H_S D_j(rho)) = sum (Gamma_ab +
Gamma*_ad) A_ab A*_ad rho_bd (E_a - (E_b + E_d)/2) = sum ... (-(w_ab + w_ad)/2)``. qheat's current
``J_j = Tr((H_S + H_LS) D_j(rho))`` (Eqs. 21-23) adds ``Tr(H_LS D_j(rho))``, fourth order in the
coupling (``tests/test_cumulants.py`` measures it); only the global Lindblad equation without
the Lamb shift has ``J_j = c1_j`` exactly. Where ``H_LS`` does not commute with ``H_S``
(Bloch-Redfield) ``sum_j c1_j = i Tr(H_S [H_LS, rho]) != 0``: the energy it moves is counted by
no bath (``Solution.counting_imbalance``, :class:`~qheat.errors.CountingWarning`).

The ``n``-th derivative at ``chi = 0`` (what the cumulants need) multiplies each term by
``(-(w_ab + w_ce)/2)^n``: :func:`counting_block` on a block of ``vec(rho)``, and
:meth:`qheat.master.jump_form.JumpForm.counting_action` matrix-free.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from .generator import Generator, PairGenerator
from .jump_form import DenseJumps, PairJumps
from .pair_loops import NO_CUTOFF, assemble_counting
from .superop import PopulationBlock

__all__ = ["counting_block", "tilted_liouvillian"]

ComplexArray = NDArray[np.complex128]


def counting_block(
    generator: Generator, block: PopulationBlock, bath: int, order: int
) -> ComplexArray:
    """``d^n L(chi_bath)/d chi^n`` at ``chi = 0`` on the matrix elements of ``block``,
    ``(..., m, m)`` (block order), for ``n = order >= 1``.

    The Bloch-Redfield family in one compiled loop over the batch; the equations known in
    operator form (ULE, local) point by point from their tilted jump terms
    (``conj(V) kron W`` for ``x -> W x V^dag``).

    Raises:
        ValueError: the generator has neither form (a user's equation given only by its
            superoperators: its jumps, hence its counting field, are unknown).
    """
    if isinstance(generator, PairGenerator):
        f = generator._flat
        cutoff = NO_CUTOFF if generator.cutoff is None else float(generator.cutoff)
        out = assemble_counting(
            block.index,
            generator.pattern(),
            generator._supports,
            f.couplings,
            f.spectra,
            f.omega,
            cutoff,
            bath,
            order,
        )
        return out.reshape(f.batch + out.shape[-2:])
    if not hasattr(generator, "operator_form"):
        raise ValueError(
            f"the equation {generator.name!r} is given only by its superoperators: its jump "
            "operators, hence the energy each jump exchanges, are unknown (no counting field)"
        )
    batch, d = generator.batch_shape, generator.dim
    index = block.index
    out = np.empty((int(np.prod(batch)), index.size, index.size), dtype=np.complex128)
    for point in range(out.shape[0]):
        terms = generator.operator_form(point).tilt(bath, order)  # type: ignore[attr-defined]
        w, v = terms.weighted, terms.operators
        superop = np.zeros((d * d, d * d), dtype=np.complex128)
        for wt, vt in zip(w, v):  # x -> W x V^dag + V x W^dag
            superop += np.kron(np.conj(vt), wt) + np.kron(np.conj(wt), vt)
        out[point] = superop[np.ix_(index, index)]
    return out.reshape(batch + out.shape[-2:])


def tilted_liouvillian(generator: Generator, bath: int, chi: float, point: int = 0) -> ComplexArray:
    """The whole tilted generator ``L(chi)`` of the heat from bath ``bath`` at the flat batch
    index ``point``, ``(d^2, d^2)`` on column-stacked ``vec(rho)`` (module docstring: every jump
    term of the bath times ``exp(-chi (w_ab + w_ce)/2)``). For the scaled cumulant generating
    function of small devices (:func:`qheat.steady.cumulants.scaled_cgf`).

    Raises:
        ValueError: the generator has no operator form (no counting field).
    """
    if not hasattr(generator, "operator_form"):
        raise ValueError(f"the equation {generator.name!r} has no counting field")
    form = generator.operator_form(point)  # type: ignore[attr-defined]
    d = generator.dim
    liouvillian = np.asarray(
        np.broadcast_to(generator.liouvillian(), generator.batch_shape + (d * d, d * d)).reshape(
            -1, d * d, d * d
        )[point],
        dtype=np.complex128,
    )
    if form.omega is None:
        raise ValueError(
            f"the jumps of {generator.name!r} are not written in the eigenbasis of H_S (the "
            "local equation's live in each bath's local basis): no finite counting field here; "
            "its cumulants are available (qheat.cumulants)"
        )
    part = form.jumps[bath]
    return liouvillian + _jumps(part, chi, form.omega) - _jumps(part, 0.0, form.omega)


def _jumps(part: DenseJumps | PairJumps, chi: float, omega: NDArray[np.float64]) -> ComplexArray:
    """The superoperator of one bath's jumps tilted by ``exp(-chi (w + w')/2)``."""
    d = omega.shape[-1]
    tilt = np.exp(-0.5 * chi * omega)
    out = np.zeros((d * d, d * d), dtype=np.complex128)
    if isinstance(part, DenseJumps):
        for w, v in zip(part.weighted * tilt, part.operators * tilt):
            out += np.kron(np.conj(v), w) + np.kron(np.conj(w), v)
        return out
    a, b, c, e = part.pairs
    full = (part.spectra[a, b] + np.conj(part.spectra[c, e])) * part.couplings[a, b]
    full = full * np.conj(part.couplings[c, e]) * tilt[a, b] * tilt[c, e]
    np.add.at(out, (c * d + a, e * d + b), full)  # (a, c) <- (b, e)
    return out
