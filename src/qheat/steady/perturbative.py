"""Perturbative steady state of the Bloch-Redfield equation in the coupling (Appendix B).

The Bloch-Redfield generator splits by order in the bath couplings ``gamma_j`` (which absorb
``lambda_j^2``): ``L = L0 + L2`` with ``L0 = -i [H_S, .]`` and ``L2 = -i [H_LS, .] + sum_j D_j``
exactly linear in the gammas (Eqs. 8-12). In the eigenbasis ``L0`` is diagonal, with
eigenvalue ``-i (E_a - E_b)`` on ``rho_ab``; for a non-degenerate spectrum its kernel is the
populations (projector ``P``) and it is invertible on the coherences (``Q = 1 - P``).
Expanding ``rho = rho^(0) + rho^(2) + rho^(4) + ...`` (``rho^(2k)`` of order ``gamma^k``,
the paper's ``lambda^2 rho^(2)``) in ``L rho = 0``:

* order ``gamma^0``:  ``L0 rho^(0) = 0``, so ``rho^(0)`` is diagonal (``rho_sd^(0) = 0``);
* order ``gamma^1``, P part:  ``P L2 P rho^(0) = 0`` with ``Tr rho^(0) = 1`` -- the Pauli
  rate equation whose solution is ``rho_pd^(0)`` of Appendix B (= the global Lindblad state);
* order ``gamma^1``, Q part:  ``Q rho^(2) = -L0^{-1} Q L2 rho^(0)``: the secondary-diagonal
  coherences ``rho_14^(2)``, ``rho_23^(2)`` of Eqs. B4-B5 (the other coherences vanish);
* order ``gamma^2``, P part:  ``P L2 P (P rho^(2)) = -P L2 Q rho^(2)`` with
  ``Tr P rho^(2) = 0``: the second-order population correction (Appendix B, "the coefficient
  of lambda^4 in the primary diagonal").

The error of ``rho^(0) + rho^(2)`` against the exact steady state is ``O(gamma^2)``.
Derivation and checks: ``docs/perturbative.md``.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from ..baths import DrudeBath
from ..errors import InvalidParameterError, NonUniqueSteadyStateError, SecularityWarning
from ..master import BlochRedfield, Generator, commutator, unvec
from ..model import TwoQubitModel

__all__ = ["PerturbativeState", "perturbative_state", "coupling_expansion"]

ComplexArray = NDArray[np.complex128]

_SINGULAR_COND = 1e14
"""Condition number above which the population rate equations have no unique solution."""


@dataclass(frozen=True)
class PerturbativeState:
    """The Bloch-Redfield steady state to first order in the couplings (Eq. B3).

    Attributes:
        rho0: ``rho_pd^(0)``, the diagonal zeroth-order state in the eigenbasis (Appendix B;
            equal to the global Lindblad steady state), ``(..., 4, 4)``.
        rho2: the order-``gamma`` part ``lambda^2 (rho_pd^(2) + rho_sd^(2))``: the
            secondary-diagonal coherences of Eqs. B4-B5 and the traceless population
            correction from the fourth-order equations, ``(..., 4, 4)``.
        expansion_parameter: ``max_ab sum_c |L2[ab, cc]| / |E_a - E_b|`` over the coherences
            ``rho_ab`` the populations feed, ``(...)``: the size of ``rho2``'s coherences
            relative to the populations. The expansion needs it small; above 1 the
            first-order state is no better than ``rho0`` (a
            :class:`~qheat.errors.SecularityWarning` from :func:`perturbative_state`).
    """

    rho0: ComplexArray
    rho2: ComplexArray
    expansion_parameter: NDArray[np.float64]

    @property
    def rho(self) -> ComplexArray:
        """``rho^(0) + rho^(2)`` (Eq. B3 without the ``O(lambda^4)`` remainder)."""
        return self.rho0 + self.rho2


def perturbative_state(
    model: TwoQubitModel, bath1: DrudeBath, bath2: DrudeBath, lamb_shift: bool = True
) -> PerturbativeState:
    """Appendix B's perturbative Bloch-Redfield steady state of the paper's model.

    Args:
        model: the two-qubit model (Eq. 1); needs ``alpha > 0`` (not ``e1 = e2`` with
            ``g = 0``), where Eqs. B4-B5 divide by ``alpha``.
        bath1: the Drude bath on ``sx1`` (Eq. 17).
        bath2: the Drude bath on ``sx2``.
        lamb_shift: keep ``S(w)`` (Eq. 15) as :class:`qheat.BlochRedfield` does.

    Raises:
        InvalidParameterError: ``alpha = 0`` (degenerate ``s2``, ``s3``: use the exact
            solver :func:`qheat.solve` there, or Appendix C's closed form).
        NonUniqueSteadyStateError: no bath couples (``gamma1 = gamma2 = 0``).

    Warns:
        SecularityWarning: ``expansion_parameter > 1`` somewhere (rates not small compared
            with ``2 alpha``, e.g. ``alpha -> 0`` or hot baths): the expansion fails there.

    Example:
        >>> import qheat
        >>> model = qheat.TwoQubitModel(5.0, 4.0, 0.5)
        >>> hot, cold = qheat.DrudeBath(0.01, 50.0, 15.0), qheat.DrudeBath(0.01, 50.0, 5.0)
        >>> state = perturbative_state(model, hot, cold)
        >>> print(np.round(state.rho[1, 2], 5))  # rho_23, Eq. B5 (exact: -0.00293+0.01046j)
        (-0.00015+0.01124j)
    """
    system = model.open_system(bath1, bath2)
    alpha = np.broadcast_to(model.alpha, system.batch_shape)
    if np.any(2 * alpha <= system.degeneracy_tol):
        raise InvalidParameterError(
            "perturbative_state needs alpha = sqrt((eps1 - eps2)^2/4 + g^2) > 0 (Eqs. B4-B5 "
            "divide by alpha); got alpha = 0 (eps1 = eps2 and g = 0). The exact solver "
            "qheat.solve still works there."
        )
    generator = BlochRedfield(lamb_shift=lamb_shift).generator(system)
    state = coupling_expansion(generator)
    n_bad = int(np.count_nonzero(state.expansion_parameter > 1))
    if n_bad:
        warnings.warn(
            f"perturbative_state: the expansion in the couplings (Appendix B) is outside its "
            f"validity at {n_bad} of {state.expansion_parameter.size} points: rates up to "
            f"{float(state.expansion_parameter.max()):.3g} times the Bohr frequencies of the "
            "coherences they feed (expansion_parameter > 1); use qheat.solve",
            SecularityWarning,
            stacklevel=2,
        )
    return state


def coupling_expansion(generator: Generator) -> PerturbativeState:
    """Expand the steady state of any generator with a non-degenerate spectrum (see module).

    The generator's unperturbed part is ``-i [H_S, .]`` with ``H_S = generator.hamiltonian``
    (diagonal); everything else (Lamb shift and dissipators) is treated as first order.

    Raises:
        InvalidParameterError: a coherence fed by the populations has Bohr frequency 0.
    """
    liou = generator.liouvillian()
    l0 = commutator(generator.hamiltonian)
    l2 = liou - l0
    d = generator.dim
    pop = np.arange(d) * (d + 1)
    coh = np.setdiff1d(np.arange(d * d), pop)
    l0_coh = np.diagonal(l0, axis1=-2, axis2=-1)[..., coh]
    rates = l2[..., pop[:, None], pop[None, :]]
    feed = l2[..., coh[:, None], pop[None, :]]  # coherences <- populations
    strength = np.abs(feed).sum(axis=-1)
    if np.any((strength > 0) & (np.abs(l0_coh) == 0)):
        raise InvalidParameterError(
            "coupling_expansion needs the coherences the populations feed to have nonzero "
            "Bohr frequencies (a non-degenerate spectrum); use qheat.solve here"
        )
    with np.errstate(divide="ignore", invalid="ignore"):
        parameter = np.where(strength > 0, strength / np.abs(l0_coh), 0.0).max(axis=-1)
    p0 = _populations(rates, np.eye(d)[0])
    c2 = -np.einsum("...ij,...j->...i", feed, p0) / np.where(strength > 0, l0_coh, 1.0)
    source = -np.einsum("...ij,...j->...i", l2[..., pop[:, None], coh[None, :]], c2)
    p2 = _populations(rates, source, trace=0.0)
    x0 = np.zeros(liou.shape[:-1], dtype=complex)
    x2 = np.zeros(liou.shape[:-1], dtype=complex)
    x0[..., pop] = p0
    x2[..., pop] = p2
    x2[..., coh] = c2
    return PerturbativeState(
        rho0=unvec(x0), rho2=unvec(x2), expansion_parameter=np.asarray(parameter, dtype=np.float64)
    )


def _populations(
    rates: ComplexArray, source: NDArray[np.generic], trace: float = 1.0
) -> ComplexArray:
    """Solve ``rates p = source`` with ``sum p = trace``, replacing the first (dependent) row.

    The columns of the population block sum to zero (trace preservation), so the first
    equation follows from the others as long as ``sum(source) = 0``.
    """
    bordered = rates.copy()
    bordered[..., 0, :] = 1.0
    rhs = np.array(np.broadcast_to(source, rates.shape[:-1]), dtype=complex)
    rhs[..., 0] = trace
    cond = np.linalg.cond(bordered)
    if np.any(~(cond < _SINGULAR_COND)):
        raise NonUniqueSteadyStateError(
            "the population rate equations of Appendix B have no unique solution (condition "
            f"number {np.nanmax(cond):.2e}): couple at least one bath with gamma > 0"
        )
    return np.asarray(np.linalg.solve(bordered, rhs[..., None])[..., 0], dtype=np.complex128)
