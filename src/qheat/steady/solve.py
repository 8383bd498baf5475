"""Batched steady state of a generator, with diagnostics (paper Sec. III, Eq. 18)."""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from ..errors import IllConditionedWarning, NonUniqueSteadyStateError, PositivityWarning
from ..master import Generator, unvec
from ..model import Eigenbasis

__all__ = ["SteadyState", "steady_state", "POSITIVITY_TOL", "SINGULAR_COND", "WARN_COND"]

POSITIVITY_TOL = 1e-12
"""A smallest eigenvalue below ``-POSITIVITY_TOL`` raises a :class:`PositivityWarning`."""
WARN_COND = 1e10
"""Condition numbers above this raise an :class:`IllConditionedWarning`."""
SINGULAR_COND = 1e14
"""Condition numbers above this mean no unique steady state (:class:`NonUniqueSteadyStateError`)."""


@dataclass(frozen=True)
class SteadyState:
    """The trace-one null vector of a Liouvillian and how much to trust it.

    Attributes:
        rho: the state in the eigenbasis of ``H_S`` (the paper's ``s1..s4`` for its model),
            ``(..., d, d)``.
        eigenbasis: the basis of ``rho``.
        residual: ``||L vec(rho)||_inf / (||L||_inf ||vec(rho)||_inf)``, ``(...)``.
        condition_number: 2-norm condition number of the bordered system solved, ``(...)``;
            it grows as the steady state approaches non-uniqueness.
        min_eigenvalue: smallest eigenvalue of ``rho`` (negative: not a physical state).
    """

    rho: NDArray[np.complex128]
    eigenbasis: Eigenbasis
    residual: NDArray[np.float64]
    condition_number: NDArray[np.float64]
    min_eigenvalue: NDArray[np.float64]

    @property
    def rho_lab(self) -> NDArray[np.complex128]:
        """The state in the lab basis."""
        return self.eigenbasis.to_lab(self.rho)

    @property
    def populations(self) -> NDArray[np.float64]:
        """Diagonal of ``rho`` in the eigenbasis, ``(..., d)``."""
        return np.real(np.diagonal(self.rho, axis1=-2, axis2=-1))


def steady_state(generator: Generator) -> SteadyState:
    """Solve ``L vec(rho) = 0`` with ``Tr rho = 1`` for every batch point.

    The first row of ``L`` (the equation for ``rho_11``, linearly dependent on the other
    population equations because ``L`` preserves the trace) is replaced by the trace
    functional, and the bordered system is solved with one stacked LU solve.

    Raises:
        NonUniqueSteadyStateError: the bordered system is singular (condition > 1e14),
            e.g. when no bath couples (all gamma = 0).

    Warns:
        IllConditionedWarning: condition number above 1e10.
        PositivityWarning: smallest eigenvalue of rho below -1e-12 (Redfield states can
            lose positivity).
    """
    liou = generator.liouvillian()
    d = generator.dim
    bordered = liou.copy()
    bordered[..., 0, :] = 0.0
    bordered[..., 0, :: d + 1] = 1.0
    rhs = np.zeros(liou.shape[:-1], dtype=complex)
    rhs[..., 0] = 1.0
    try:
        x = np.asarray(np.linalg.solve(bordered, rhs[..., None])[..., 0], dtype=np.complex128)
    except np.linalg.LinAlgError as exc:
        raise NonUniqueSteadyStateError(
            "the Liouvillian has no unique steady state (singular system): couple at least "
            "one bath with gamma > 0 through an operator connecting all eigenstates"
        ) from exc
    cond = np.linalg.cond(bordered)
    n_singular = int(np.count_nonzero(~(cond < SINGULAR_COND)))
    if n_singular:
        raise NonUniqueSteadyStateError(
            f"no unique steady state at {n_singular} of {cond.size} points (condition number "
            f"{np.nanmax(cond):.2e} > {SINGULAR_COND:.0e}): couple at least one bath with "
            "gamma > 0 through an operator connecting all eigenstates"
        )
    n_ill = int(np.count_nonzero(cond > WARN_COND))
    if n_ill:
        warnings.warn(
            f"ill-conditioned steady-state solve at {n_ill} of {cond.size} points (condition "
            f"number up to {cond.max():.2e}); see SteadyState.condition_number",
            IllConditionedWarning,
            stacklevel=2,
        )
    norm_l = np.max(np.sum(np.abs(liou), axis=-1), axis=-1)
    residual = np.max(np.abs(np.einsum("...ij,...j->...i", liou, x)), axis=-1) / (
        norm_l * np.max(np.abs(x), axis=-1)
    )
    rho = unvec(x)
    min_eig = np.asarray(np.linalg.eigvalsh(0.5 * (rho + np.conj(np.swapaxes(rho, -1, -2))))[..., 0], dtype=np.float64)
    n_neg = int(np.count_nonzero(min_eig < -POSITIVITY_TOL))
    if n_neg:
        warnings.warn(
            f"steady state not positive at {n_neg} of {min_eig.size} points (smallest "
            f"eigenvalue {min_eig.min():.3e}): outside the Bloch-Redfield equation's validity",
            PositivityWarning,
            stacklevel=2,
        )
    return SteadyState(
        rho=rho,
        eigenbasis=generator.eigenbasis,
        residual=residual,
        condition_number=cond,
        min_eigenvalue=min_eig,
    )
