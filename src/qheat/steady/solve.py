"""Batched steady state of a generator, with diagnostics (paper Sec. III, Eq. 18).

The solve works on the population block of ``L`` (:func:`qheat.master.superop.population_block`):
the matrix elements that ``L`` connects to the populations. For the paper's model that is the
X-shaped block of Appendix B (populations, ``rho14``, ``rho23`` and conjugates: 8 of 16
elements); the steady state is zero on the complement. Everything is batched over leading axes.
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass, field

import numpy as np
from numpy.typing import NDArray

from ..errors import (
    DegenerateSteadyStateWarning,
    IllConditionedWarning,
    InvalidParameterError,
    NonUniqueSteadyStateError,
    PositivityWarning,
)
from ..master import Generator, unvec, vec
from ..master.superop import (
    PopulationBlock,
    complement_block,
    complement_offsets,
    population_block,
)
from ..model import Eigenbasis
from .block_solve import solve_blocks
from .krylov import krylov_steady_state
from .residual import action_and_state_maxima

__all__ = [
    "SteadyState",
    "steady_state",
    "check_steady_state",
    "choose_solver",
    "krylov_state",
    "KRYLOV_FROM",
    "SOLVERS",
    "POSITIVITY_TOL",
    "SINGULAR_COND",
    "WARN_COND",
]

POSITIVITY_TOL = 1e-12
"""A smallest eigenvalue below ``-POSITIVITY_TOL`` raises a :class:`PositivityWarning`."""
KERNEL_RTOL = 1e-10
"""Singular values of ``L`` below this times its largest span its kernel (degenerate states)."""
DEGENERATE_MESSAGE = (
    "steady state not unique at {n} of {total} points: a quantity conserved by H and every "
    "coupling (e.g. a subsystem no bath touches) leaves one steady state per sector; the "
    "limit from the maximally mixed state 1/d is returned (condition number inf), other "
    "initial states give other currents"
)
"""The :class:`~qheat.errors.DegenerateSteadyStateWarning` (``{n}``, ``{total}``: counts)."""
WARN_COND = 1e10
"""Condition numbers above this raise an :class:`IllConditionedWarning`."""
SINGULAR_COND = 1e14
"""Condition numbers above this mean no unique steady state (:class:`NonUniqueSteadyStateError`)."""

ComplexArray = NDArray[np.complex128]
FloatArray = NDArray[np.float64]
IndexArray = NDArray[np.intp]

_NO_BATH = (
    "couple at least one bath with gamma > 0 through an operator connecting all eigenstates "
    "(a symmetry conserved by H and every coupling leaves one steady state per sector)"
)


@dataclass(frozen=True)
class SteadyState:
    """The trace-one null vector of a Liouvillian and how much to trust it.

    Attributes:
        rho: the state in the eigenbasis of ``H_S`` (the paper's ``s1..s4`` for its model),
            ``(..., d, d)``: the Hermitian part of the solution (``L`` preserves Hermiticity;
            the anti-Hermitian part is round-off of the solve).
        eigenbasis: the basis of ``rho``.
        residual: ``max |L(rho)| / (||L_P||_inf max |rho|)`` with ``L`` the whole Liouvillian
            acting on the state and ``L_P`` its block that was solved, ``(...)``.
        condition_number: the exact 1-norm condition number ``||B||_1 ||B^-1||_1`` of the
            bordered ``L`` (its first row replaced by the trace), ``(...)``. ``B`` is
            block-diagonal over the population block and its complement
            (:func:`~qheat.master.superop.complement_block`), so this is ``max_k ||B_k||_1 *
            max_k ||B_k^-1||_1``. It grows as the steady state approaches non-uniqueness, also
            when a second steady state hides in the complement (a conserved symmetry).
        min_eigenvalue: smallest eigenvalue of ``rho`` (negative: not a physical state).
        dissipated: ``D_j(rho)`` of each bath, ``(n_baths, ..., d, d)`` (for the currents).
        solver: ``"dense"`` (the block solve, exact condition number) or ``"krylov"`` (the
            matrix-free solve of :mod:`qheat.steady.krylov`; ``condition_number`` is NaN
            there: not computed).
        iterations: applications of ``L`` per point of the Krylov solve (None for dense).
        block, block_inverse: with ``keep_inverse``, the population block solved and the
            inverse of its bordered ``L`` at every point, ``(n, m, m)`` (the cumulants'
            pseudo-inverse, :mod:`qheat.steady.cumulants`).
    """

    rho: NDArray[np.complex128]
    eigenbasis: Eigenbasis
    residual: NDArray[np.float64]
    condition_number: NDArray[np.float64]
    min_eigenvalue: NDArray[np.float64]
    dissipated: NDArray[np.complex128] | None = field(default=None, repr=False, compare=False)
    solver: str = "dense"
    iterations: NDArray[np.int64] | None = field(default=None, repr=False, compare=False)
    block: PopulationBlock | None = field(default=None, repr=False, compare=False)
    block_inverse: NDArray[np.complex128] | None = field(default=None, repr=False, compare=False)

    @property
    def rho_lab(self) -> NDArray[np.complex128]:
        """The state in the lab basis."""
        return self.eigenbasis.to_lab(self.rho)

    @property
    def populations(self) -> NDArray[np.float64]:
        """Diagonal of ``rho`` in the eigenbasis, ``(..., d)``."""
        return np.real(np.diagonal(self.rho, axis1=-2, axis2=-1))


def _kernel_limit(generator: Generator, degenerate: NDArray[np.bool_]) -> ComplexArray:
    """Steady states where the kernel of ``L`` has more than one dimension, ``(k, d^2)``.

    The long-time limit of the maximally mixed state ``1/d``: ``P vec(1/d)`` with the
    projector onto the kernel ``P = R (C^dag R)^-1 C^dag``, ``R`` the right kernel of ``L``
    (the steady states) and ``C`` its left kernel (the conserved quantities, the trace among
    them, so ``Tr rho = 1``); both from the SVD of the dense ``L`` at each such point.

    Raises:
        NonUniqueSteadyStateError: no bath dissipates at such a point (``L = -i[H, .]``), or
            the kernel is defective or not resolved.
    """
    d = generator.dim
    batch = degenerate.shape
    liou = np.broadcast_to(generator.liouvillian(), batch + (d * d, d * d))[degenerate]
    dissipative = np.broadcast_to(sum(generator.dissipators), batch + (d * d, d * d))[degenerate]
    rho0 = vec(np.eye(d, dtype=np.complex128) / d)
    out = []
    for point, damping in zip(liou, dissipative):
        u, sigma, vh = np.linalg.svd(point)
        k = int(np.count_nonzero(sigma <= KERNEL_RTOL * sigma[0]))
        if np.abs(damping).max() <= KERNEL_RTOL * sigma[0] or k == 0:
            raise NonUniqueSteadyStateError(f"no unique steady state: {_NO_BATH}")
        right, left = np.conj(vh[-k:]).T, u[:, -k:]
        overlap = np.conj(left).T @ right
        if np.linalg.cond(overlap) > 1e8:
            raise NonUniqueSteadyStateError(
                "no unique steady state and no limit from the maximally mixed state (the "
                f"kernel of L is defective): {_NO_BATH}"
            )
        out.append(right @ np.linalg.solve(overlap, np.conj(left).T @ rho0))
    return np.array(out)


def _smallest_eigenvalue(rho: ComplexArray, groups: tuple[IndexArray, ...]) -> FloatArray:
    """Smallest eigenvalue of Hermitian ``rho`` ``(..., d, d)``, block-diagonal over ``groups``
    of levels: the diagonal for single levels, the closed form of a ``2 x 2`` Hermitian
    matrix, LAPACK's ``eigvalsh`` for larger groups."""
    smallest = np.full(rho.shape[:-2], np.inf)
    for group in groups:
        value: FloatArray
        if group.size == 1:
            value = rho[..., group[0], group[0]].real
        elif group.size == 2:
            a, b = rho[..., group[0], group[0]].real, rho[..., group[1], group[1]].real
            c = rho[..., group[0], group[1]]
            value = 0.5 * (a + b) - np.sqrt((0.5 * (a - b)) ** 2 + (c.real**2 + c.imag**2))
        else:
            value = np.asarray(
                np.linalg.eigvalsh(rho[..., group[:, None], group[None, :]])[..., 0],
                dtype=np.float64,
            )
        smallest = np.minimum(smallest, value)
    return np.asarray(smallest, dtype=np.float64)


def check_steady_state(
    cond: FloatArray, min_eig: FloatArray, label: str = "", stacklevel: int = 3
) -> None:
    """Raise or warn on the diagnostics of a batch of steady states.

    ``label`` prefixes the messages (e.g. the equation's name in a sweep).

    Raises:
        NonUniqueSteadyStateError: a finite condition number above :data:`SINGULAR_COND`
            (or NaN).

    Warns:
        DegenerateSteadyStateWarning: an infinite condition number (:func:`steady_state`
            returned the limit from the maximally mixed state there).
        IllConditionedWarning: a condition number above :data:`WARN_COND`.
        PositivityWarning: a smallest eigenvalue below ``-POSITIVITY_TOL``.
    """
    if not cond.size or (cond.max() <= WARN_COND and min_eig.min() >= -POSITIVITY_TOL):
        return  # the common case, without counting (NaN compares False: counted below)
    prefix = f"{label}: " if label else ""
    degenerate = np.isposinf(cond)
    n_singular = int(np.count_nonzero(~(cond < SINGULAR_COND) & ~degenerate))
    if n_singular:
        raise NonUniqueSteadyStateError(
            f"{prefix}no unique steady state at {n_singular} of {cond.size} points (condition "
            f"number {np.nanmax(cond):.2e} > {SINGULAR_COND:.0e}): {_NO_BATH}"
        )
    n_degenerate = int(np.count_nonzero(degenerate))
    if n_degenerate:
        warnings.warn(
            f"{prefix}{DEGENERATE_MESSAGE.format(n=n_degenerate, total=cond.size)}",
            DegenerateSteadyStateWarning,
            stacklevel=stacklevel,
        )
    n_ill = int(np.count_nonzero((cond > WARN_COND) & ~degenerate))
    if n_ill:
        warnings.warn(
            f"{prefix}ill-conditioned steady-state solve at {n_ill} of {cond.size} points "
            f"(condition number up to {cond.max():.2e}); see the condition number",
            IllConditionedWarning,
            stacklevel=stacklevel,
        )
    n_neg = int(np.count_nonzero(min_eig < -POSITIVITY_TOL))
    if n_neg:
        warnings.warn(
            f"{prefix}steady state not positive at {n_neg} of {min_eig.size} points (smallest "
            f"eigenvalue {min_eig.min():.3e}): not a density matrix, outside the equation's validity "
            "(Bloch-Redfield is not completely positive)",
            PositivityWarning,
            stacklevel=stacklevel,
        )


SOLVERS = ("auto", "dense", "krylov")
"""The steady-state solvers :func:`steady_state` offers."""
KRYLOV_FROM = 32
"""``solver="auto"`` takes the matrix-free Krylov solve from this dimension ``d`` on (for
generators with an operator form), the dense block solve below (the crossover measured in
``benchmarks/bench_large.py``)."""


def choose_solver(generator: Generator, solver: str = "auto") -> str:
    """``"dense"`` or ``"krylov"``: ``solver`` itself, or for ``"auto"`` by the dimension
    (:data:`KRYLOV_FROM`) where the generator has an operator form.

    Raises:
        InvalidParameterError: an unknown ``solver``, or ``"krylov"`` for a generator given
            only by its superoperators (a user's equation).
    """
    if solver not in SOLVERS:
        raise InvalidParameterError(f"solver must be one of {', '.join(SOLVERS)}, got {solver!r}")
    matrix_free = hasattr(generator, "operator_form")
    if solver == "krylov" and not matrix_free:
        raise InvalidParameterError(
            f"solver='krylov' needs a generator in operator form (the equations of qheat); "
            f"{generator.name!r} gives only its superoperators: use solver='dense'"
        )
    if solver == "auto":
        return "krylov" if matrix_free and generator.dim >= KRYLOV_FROM else "dense"
    return solver


def krylov_state(
    generator: Generator, *, warn: bool = True, guess: ComplexArray | None = None
) -> SteadyState:
    """The steady state of every batch point by the matrix-free Krylov solve
    (:func:`qheat.steady.krylov.krylov_steady_state`), point by point; ``guess`` (``(d, d)``)
    starts the first point, each later one starts from its predecessor's state."""
    form_at = generator.operator_form  # type: ignore[attr-defined]
    batch = generator.batch_shape
    n, d = math.prod(batch), generator.dim
    rho = np.empty((n, d, d), dtype=np.complex128)
    dissipated = np.empty((generator.n_baths, n, d, d), dtype=np.complex128)
    residual, iterations = np.empty(n), np.empty(n, dtype=np.int64)
    for point in range(n):
        form = form_at(point)
        found = krylov_steady_state(form, guess)
        rho[point] = 0.5 * (found.rho + np.conj(found.rho.T))
        dissipated[:, point] = form.dissipate(rho[point])
        residual[point], iterations[point] = found.residual, found.iterations
        guess = rho[point]
    min_eig = np.asarray(np.linalg.eigvalsh(rho)[..., 0], dtype=np.float64).reshape(batch)
    if warn:
        check_steady_state(np.ones(batch), min_eig)
    return SteadyState(
        rho=rho.reshape(batch + (d, d)),
        eigenbasis=generator.eigenbasis,
        residual=residual.reshape(batch),
        condition_number=np.full(batch, np.nan),
        min_eigenvalue=min_eig,
        dissipated=dissipated.reshape((generator.n_baths,) + batch + (d, d)),
        solver="krylov",
        iterations=iterations.reshape(batch),
    )


def steady_state(
    generator: Generator, *, warn: bool = True, solver: str = "auto", keep_inverse: bool = False
) -> SteadyState:
    """Solve ``L vec(rho) = 0`` with ``Tr rho = 1`` for every batch point.

    ``solver``: ``"dense"``, ``"krylov"`` or ``"auto"`` (:func:`choose_solver`: Krylov from
    ``d = KRYLOV_FROM`` on); ``keep_inverse`` keeps the dense solve's inverse of the bordered
    block (for the cumulants). The Krylov solve (:func:`krylov_state`) applies ``L`` in operator
    form, never building it; what follows describes the dense one.

    The structure comes from the Liouvillian: its sparsity graph (:meth:`Generator.pattern`,
    the union over the batch) splits the matrix elements into the block connected to the
    populations and the rest, on which the steady state is zero (for the paper's model the
    parity-conserving X block of Appendix B, 8 of 16 elements). Only ``L`` on that block is
    built (:meth:`Generator.block_liouvillian`, and on the complement's components to find its
    condition) and the bordered system is solved there by one compiled loop of small LU
    factorizations over the batch (:func:`~qheat.steady.block_solve.solve_blocks`). The residual is that of the whole ``L`` (:func:`~qheat.steady.residual.action_and_state_maxima`), so a
    block that is not invariant shows up in it.

    Args:
        generator: the master equation's generator (batched).
        warn: raise the warnings below (a sweep collects the diagnostics and warns once).

    Raises:
        InvalidParameterError: the Liouvillian is not finite (a floating-point overflow in
            ``H_LS`` or a dissipator).
        NonUniqueSteadyStateError: the bordered system is singular (condition > 1e14),
            e.g. when no bath couples (all gamma = 0).

    Warns:
        IllConditionedWarning: condition number above 1e10.
        PositivityWarning: smallest eigenvalue of rho below -1e-12 (Redfield states can
            lose positivity).
    """
    if choose_solver(generator, solver) == "krylov":
        return krylov_state(generator, warn=warn)
    pattern = generator.pattern()
    block = population_block(pattern)
    liou = generator.block_liouvillian(block)
    batch = liou.shape[:-2]
    parts = [(liou, np.array([0, block.size]), generator.dim)]
    complement = complement_block(pattern)
    if complement is not None:  # block-diagonal over its components
        parts.append((generator.block_liouvillian(complement), complement_offsets(pattern), 0))
    solved = [
        solve_blocks(
            matrix.reshape((-1,) + matrix.shape[-2:]), offsets, n_pop, keep_inverse and n_pop > 0
        )
        for matrix, offsets, n_pop in parts
    ]
    if not all(np.isfinite(s.norm_rows).all() for s in solved):
        raise InvalidParameterError(
            "the generator (H_LS and the dissipators) is not finite (floating-point overflow) "
            "for these system and bath parameters; rescale the energies"
        )
    # B is block-diagonal (population block, complement's components): its 1-norm condition
    norm = np.max([s.norm for s in solved], axis=0)
    with np.errstate(invalid="ignore"):  # 0 * inf: a zero block that is singular
        cond = (norm * np.max([s.norm_inverse for s in solved], axis=0)).reshape(batch)
    cond[np.isnan(cond)] = np.inf
    d = generator.dim
    x = np.zeros(batch + (d * d,), dtype=complex)
    x[..., block.index] = solved[0].first.reshape(batch + (block.size,))
    degenerate = ~(cond < SINGULAR_COND)
    if degenerate.any():  # a second steady state: the limit from 1/d, or an error
        x[degenerate] = _kernel_limit(generator, degenerate)
        cond = np.where(degenerate, np.inf, cond)
    # L preserves Hermiticity, so the steady state is Hermitian: keep the Hermitian part of the
    # solution (its anti-Hermitian part is round-off of the solve)
    rho = unvec(x)
    rho = 0.5 * (rho + np.conj(np.swapaxes(rho, -1, -2)))
    groups = (np.arange(d),) if degenerate.any() else block.level_groups
    min_eig = _smallest_eigenvalue(rho, groups)
    if warn:
        check_steady_state(cond, min_eig)
    else:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            check_steady_state(cond, min_eig)
    norm_l = solved[0].norm_rows.reshape(batch)
    dissipated = generator.dissipate(rho)
    action, size = action_and_state_maxima(generator.energy_operator, rho, dissipated)
    residual = action / (norm_l * size)
    return SteadyState(
        rho=rho,
        eigenbasis=generator.eigenbasis,
        residual=np.asarray(residual, dtype=np.float64),
        condition_number=np.asarray(cond, dtype=np.float64),
        min_eigenvalue=min_eig,
        dissipated=dissipated,
        block=block if keep_inverse else None,
        block_inverse=solved[0].inverse,
    )
