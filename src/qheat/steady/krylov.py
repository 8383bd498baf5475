"""The steady state of a large generator by a Krylov method, matrix-free (Eq. 18).

``L(rho) = 0`` with ``Tr rho = 1`` is solved as the non-singular system

    L(x) + Tr(x) u = u,        u = s 1/d,

(``L`` maps onto the traceless matrices, so its trace gives ``Tr x = 1`` and then ``L(x) = 0``;
``s`` is the largest rate, for balance), by GMRES (SciPy) on the real vector space of Hermitian
matrices, applying ``L`` in its operator form (:class:`~qheat.master.jump_form.JumpForm`, about
``1 + 2 n_baths`` products of ``d x d`` matrices per step). The preconditioner is the secular
(Pauli) part of ``L``: its population block bordered by the same trace term, solved exactly
(one LU of ``d x d``), and the diagonal of ``L`` on the coherences, whose Bohr frequency
``-i w_ac`` dominates where the secular picture holds. It makes GMRES converge in tens of
iterations (20-40 for 8-10 qubit spin chains, measured in ``benchmarks/bench_large.py``).

A solve that does not reach its tolerance raises :class:`~qheat.errors.ConvergenceError`; the
residual reported is that of the whole ``L``, ``max |L(rho)| / (||L||_inf max |rho|)`` with an
upper bound of ``||L||_inf`` (:meth:`~qheat.master.jump_form.JumpForm.norm_bound`). No
condition number is computed (it would need the inverse): it is reported as NaN.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np
import scipy.linalg
import scipy.sparse.linalg
from numpy.typing import NDArray

from ..errors import ConvergenceError
from ..master.jump_form import JumpForm

__all__ = ["KRYLOV_RTOL", "KrylovSolution", "krylov_steady_state"]

ComplexArray = NDArray[np.complex128]
FloatArray = NDArray[np.float64]

KRYLOV_RTOL = 1e-12
"""GMRES stops when the preconditioned residual falls below this relative to the right-hand
side (the state's error is then of the order of this times the condition number)."""
MAX_ITERATIONS = 500
"""GMRES iterations (applications of ``L``) before the solve is declared not converged."""
RESTART = 40
"""GMRES restart length (Krylov vectors kept: ``RESTART d^2`` doubles)."""
SINGULAR_RCOND = 1e-12
"""The bordered rate equation of the populations (the preconditioner) counts as singular below
this reciprocal 1-norm condition number (LAPACK's estimate): no unique steady state."""
_ROOT2 = np.sqrt(2.0)


@dataclass(frozen=True)
class KrylovSolution:
    """A steady state found by :func:`krylov_steady_state`.

    Attributes:
        rho: the state, Hermitian, trace one, ``(d, d)``.
        iterations: applications of ``L`` GMRES made.
        residual: ``max |L(rho)| / (||L||_inf max |rho|)`` (``||L||_inf`` bounded from above).
    """

    rho: ComplexArray
    iterations: int
    residual: float


def pack(x: ComplexArray) -> FloatArray:
    """A Hermitian ``(d, d)`` matrix as a real vector of ``d^2``: the diagonal, ``sqrt 2`` times
    the real parts above it and the imaginary parts below it (an isometry of the Frobenius
    norm, so GMRES's norms are those of the matrices)."""
    out = np.tril(x.imag, -1) * _ROOT2
    out += np.triu(x.real, 1) * _ROOT2
    out[np.diag_indices_from(out)] = np.diagonal(x).real
    return out.ravel()


def unpack(v: FloatArray, d: int) -> ComplexArray:
    """The inverse of :func:`pack`."""
    p = v.reshape(d, d)
    upper = np.triu(p, 1) / _ROOT2
    lower = np.tril(p, -1) / _ROOT2
    out = (upper + upper.T) + 1j * (lower - lower.T)
    out[np.diag_indices(d)] = np.diagonal(p)
    return out


def krylov_steady_state(form: JumpForm, guess: ComplexArray | None = None) -> KrylovSolution:
    """``L(rho) = 0``, ``Tr rho = 1`` by preconditioned GMRES (module docstring).

    Args:
        form: the generator of one point in operator form.
        guess: a starting state (e.g. the steady state of a neighbouring point of a sweep);
            default: the preconditioner's own (secular) state.

    Raises:
        ConvergenceError: GMRES did not reach :data:`KRYLOV_RTOL` in :data:`MAX_ITERATIONS`
            applications of ``L``, or the secular part is singular.
    """
    d = form.dim
    rates = form.population_rates()
    scale = max(float(rates.max(initial=0.0)), float(np.abs(form.left.real).max()), 1e-300)
    shift = scale / d  # u = s 1/d: the trace term on every population
    pauli = rates - np.diag(rates.sum(axis=0)) + shift  # + u 1^T on the populations
    if not np.all(np.isfinite(pauli)):
        raise ConvergenceError("Krylov steady state: the generator is not finite")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", scipy.linalg.LinAlgWarning)
        factors = scipy.linalg.lu_factor(pauli)
    rcond, _ = scipy.linalg.lapack.dgecon(factors[0], np.abs(pauli).sum(axis=0).max(), norm="1")
    if not rcond > SINGULAR_RCOND:
        raise ConvergenceError(
            "Krylov steady state: the populations' rate equation is singular -- no unique "
            "steady state (a quantity conserved by H and every coupling, e.g. a subsystem no "
            "bath touches); solver='dense' returns the limit from the maximally mixed state"
        )
    diagonal = form.diagonal()
    np.fill_diagonal(diagonal, 1.0)
    diagonal = np.where(diagonal == 0, 1.0, diagonal)
    count = [0]

    def action(v: FloatArray) -> FloatArray:
        count[0] += 1
        x = unpack(v, d)
        out = form.apply(x)
        out[np.diag_indices(d)] += shift * np.trace(x).real
        return pack(out)

    def precondition(v: FloatArray) -> FloatArray:
        r = unpack(v, d)
        z = r / diagonal
        z[np.diag_indices(d)] = scipy.linalg.lu_solve(factors, np.diagonal(r).real)
        return pack(z)

    n = d * d
    operator = scipy.sparse.linalg.LinearOperator((n, n), matvec=action, dtype=np.float64)
    inverse = scipy.sparse.linalg.LinearOperator((n, n), matvec=precondition, dtype=np.float64)
    rhs = pack(np.eye(d, dtype=np.complex128) * shift)
    start = precondition(rhs) if guess is None else pack(guess / np.trace(guess).real)
    solution, info = scipy.sparse.linalg.gmres(
        operator,
        rhs,
        x0=start,
        M=inverse,
        rtol=KRYLOV_RTOL,
        atol=0.0,
        restart=RESTART,
        maxiter=max(1, MAX_ITERATIONS // RESTART),
    )
    rho = unpack(solution, d)
    if info != 0 or not np.all(np.isfinite(rho)):
        raise ConvergenceError(
            f"Krylov steady state (GMRES) did not converge in {count[0]} applications of L "
            f"(d = {d}, tolerance {KRYLOV_RTOL:g}): the result is not a steady state; try "
            "solver='dense' (memory permitting) or weaker coupling"
        )
    rho = rho / np.trace(rho).real
    residual = float(np.abs(form.apply(rho)).max() / (form.norm_bound() * np.abs(rho).max()))
    return KrylovSolution(rho=rho, iterations=count[0], residual=residual)
