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

__all__ = ["KRYLOV_RTOL", "KrylovSolution", "krylov_steady_state", "pseudo_inverse"]

ComplexArray = NDArray[np.complex128]
FloatArray = NDArray[np.float64]

KRYLOV_RTOL = 1e-12
"""GMRES stops when the preconditioned residual falls below this relative to the right-hand
side (the state's error is then of the order of this times the condition number)."""
MAX_ITERATIONS = 500
"""GMRES iterations (applications of ``L``) before the solve is declared not converged."""
RESTART = 40
"""GMRES restart length (Krylov vectors kept: ``RESTART d^2`` doubles), at most; fewer where
they would exceed :data:`KRYLOV_MEMORY`."""
KRYLOV_MEMORY = 2**30
"""Bytes the Krylov vectors may take: 12 qubits (``d^2 = 1.7e7`` doubles, 134 MB each) keep 8."""
MIN_RESTART = 8
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
    system = _Augmented(form)
    rhs = np.eye(d, dtype=np.complex128) * system.shift
    start = None if guess is None else guess / np.trace(guess).real
    rho, count = system.solve(rhs, start, "steady state")
    rho = rho / np.trace(rho).real
    residual = float(np.abs(form.apply(rho)).max() / (form.norm_bound() * np.abs(rho).max()))
    return KrylovSolution(rho=rho, iterations=count, residual=residual)


def pseudo_inverse(form: JumpForm, v: ComplexArray) -> ComplexArray:
    """``R v``: the solution ``y`` of ``L(y) = v``, ``Tr y = 0``, for a traceless Hermitian
    ``v`` (the cumulants' pseudo-inverse, :mod:`qheat.steady.cumulants`), by the same
    preconditioned GMRES (``L(y) + Tr(y) u = v`` forces ``Tr y = Tr v / Tr u = 0``).

    Raises:
        ConvergenceError: as :func:`krylov_steady_state`.
    """
    y, _ = _Augmented(form).solve(v, None, "pseudo-inverse")
    return y


class _Augmented:
    """``L(x) + Tr(x) u`` (``u = s 1/d``) of one operator form, with its preconditioner."""

    def __init__(self, form: JumpForm) -> None:
        d = form.dim
        rates = form.population_rates()
        scale = max(float(rates.max(initial=0.0)), float(np.abs(form.left.real).max()), 1e-300)
        self.form, self.dim = form, d
        self.shift = scale / d  # u = s 1/d: the trace term on every population
        pauli = rates - np.diag(rates.sum(axis=0)) + self.shift  # + u 1^T on the populations
        if not np.all(np.isfinite(pauli)):
            raise ConvergenceError("Krylov steady state: the generator is not finite")
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", scipy.linalg.LinAlgWarning)
            self.factors = scipy.linalg.lu_factor(pauli)
        norm = np.abs(pauli).sum(axis=0).max()
        rcond, _ = scipy.linalg.lapack.dgecon(self.factors[0], norm, norm="1")
        if not rcond > SINGULAR_RCOND:
            raise ConvergenceError(
                "Krylov steady state: the populations' rate equation is singular -- no unique "
                "steady state (a quantity conserved by H and every coupling, e.g. a subsystem "
                "no bath touches); solver='dense' returns the limit from the maximally mixed "
                "state"
            )
        diagonal = form.diagonal()
        np.fill_diagonal(diagonal, 1.0)
        self.diagonal = np.where(diagonal == 0, 1.0, diagonal)

    def action(self, v: FloatArray) -> FloatArray:
        x = unpack(v, self.dim)
        out = self.form.apply(x)
        out[np.diag_indices(self.dim)] += self.shift * np.trace(x).real
        return pack(out)

    def precondition(self, v: FloatArray) -> FloatArray:
        r = unpack(v, self.dim)
        z = r / self.diagonal
        z[np.diag_indices(self.dim)] = scipy.linalg.lu_solve(self.factors, np.diagonal(r).real)
        return pack(z)

    def solve(
        self, rhs: ComplexArray, start: ComplexArray | None, what: str
    ) -> tuple[ComplexArray, int]:
        """GMRES on ``L(x) + Tr(x) u = rhs`` (Hermitian), from ``start`` or the preconditioned
        right-hand side; the solution and the applications of ``L``."""
        count = [0]

        def counted(v: FloatArray) -> FloatArray:
            count[0] += 1
            return self.action(v)

        n = self.dim**2
        operator = scipy.sparse.linalg.LinearOperator((n, n), matvec=counted, dtype=np.float64)
        inverse = scipy.sparse.linalg.LinearOperator(
            (n, n), matvec=self.precondition, dtype=np.float64
        )
        b = pack(rhs)
        x0 = self.precondition(b) if start is None else pack(start)
        restart = int(min(RESTART, max(MIN_RESTART, KRYLOV_MEMORY // (8 * n))))
        solution, info = scipy.sparse.linalg.gmres(
            operator,
            b,
            x0=x0,
            M=inverse,
            rtol=KRYLOV_RTOL,
            atol=0.0,
            restart=restart,
            maxiter=max(1, MAX_ITERATIONS // restart),
        )
        out = unpack(solution, self.dim)
        if info != 0 or not np.all(np.isfinite(out)):
            raise ConvergenceError(
                f"Krylov {what} (GMRES) did not converge in {count[0]} applications of L "
                f"(d = {self.dim}, tolerance {KRYLOV_RTOL:g}): no result is returned; try "
                "solver='dense' (memory permitting) or weaker coupling"
            )
        return out, count[0]
