"""Exact steady-state heat currents from the hierarchical equations of motion (QuTiP's HEOM).

Bath ``j`` couples as ``Q_j (x) X_j``; its correlation function is split
(:mod:`qheat.exact.exponents`) into exponents the hierarchy holds and a rest with
``Gamma_rest(w) = Gamma_j(w) - Gamma_kept(w)``, where ``Gamma_j`` is the bath's own exact
``G + iS`` (Eq. 13). The rest enters every tier as its second-order (Bloch-Redfield)
generator, the *terminator*::

    T_j(rho) = -[Q_j, L_j rho] - [rho L_j^dag, Q_j],   <a|L_j|b> = Gamma_rest(w_ab) <a|Q_j|b>

(``w_ab = E_b - E_a``; ``L_j = int_0^inf C_rest(t) Q_j(-t) dt``). Its Taylor expansion in
``w`` is Ishizaki and Tanimura's terminator (``Gamma_rest(0) (2 Q rho Q - Q^2 rho - rho Q^2)``
at lowest order, QuTiP's ``system_terminator``) with every higher moment of the rest included.

Heat current. QuTiP's hierarchy couples ``rho`` to the first-tier ADOs of bath ``j`` through
``d rho/dt = -i[H_S, rho] - i sum_k [Q_j, rho_{e_k}] + sum_j T_j(rho)``, so
``sigma_j = sum_k rho_{e_k} = Tr_B(X_j rho_total)`` restricted to the kept exponents. The energy
bath ``j`` pumps into the system (qheat's sign: ``J_j > 0`` into the system) is::

    J_j = -i Tr([H_S, Q_j] sigma_j) + Tr(H_S T_j(rho))

and ``sum_j J_j = Tr(H_S d rho/dt) = 0`` in the steady state. When the couplings commute this
equals ``-d<H_B,j>/dt`` (Kato and Tanimura, J. Chem. Phys. 145, 224105 (2016), Eqs. 9-13),
whose hierarchy form ``-sum_k nu_k Tr(Q_j rho_{e_k}) + 2 Im C_kept(0) Tr(Q_j^2 rho)`` (plus the
same terminator term) is returned as ``bath_currents``.

Linear solve: QuTiP's ``steady_state`` factorises with SuperLU's default column ordering, which
fills in badly for two baths (177 s against 3 s for 8 exponents per bath, depth 3);
:func:`heom_point` solves the same bordered system with the ``MMD_AT_PLUS_A`` ordering.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp
from numpy.typing import NDArray
from scipy.sparse.linalg import splu

from ..errors import InvalidParameterError
from ..model import OpenSystem
from .exponents import Decomposition, decompose, require_qutip

__all__ = ["HeomLevel", "HeomPoint", "heom_point", "hierarchy_size", "terminator"]

ComplexArray = NDArray[np.complex128]


@dataclass(frozen=True, order=True)
class HeomLevel:
    """Truncation of the hierarchy.

    Attributes:
        order: exponents per bath (Matsubara terms, or fitted oscillations for ohmic baths;
            see :func:`qheat.exact.exponents.decompose`).
        depth: hierarchy depth (``max_depth``), >= 1.
    """

    order: int
    depth: int

    def __post_init__(self) -> None:
        if self.order < 0:
            raise InvalidParameterError(f"order must be >= 0, got {self.order}")
        if self.depth < 1:
            raise InvalidParameterError(f"depth must be >= 1, got {self.depth}")


@dataclass(frozen=True)
class HeomPoint:
    """Steady state and heat currents of one HEOM solve at one truncation.

    Attributes:
        level: the truncation used.
        rho_lab: steady state in the lab basis ``(d, d)`` (Hermitian part).
        currents: ``J_j`` per bath in ``system.bath_names`` order (positive into the system).
        imag_currents: imaginary parts of the currents (should vanish; a diagnostic).
        bath_currents: the bath-side currents, equal to ``currents`` in the steady state when
            the couplings commute.
        noise: round-off scale of each current (``1e-10`` times the sum of the magnitudes of
            the terms it adds up).
        n_ados: number of auxiliary density operators.
        fit_errors: per bath, the relative rms error of a fitted decomposition (None if exact).
        seconds: wall time of building and solving the hierarchy.
    """

    level: HeomLevel
    rho_lab: ComplexArray
    currents: NDArray[np.float64]
    imag_currents: NDArray[np.float64]
    bath_currents: NDArray[np.float64]
    noise: NDArray[np.float64]
    n_ados: int
    fit_errors: tuple[float | None, ...]
    seconds: float


def hierarchy_size(n_exponents: int, depth: int) -> int:
    """Number of ADOs: multi-indices over ``n_exponents`` rates with total <= ``depth``."""
    return math.comb(n_exponents + depth, depth)


def terminator(system: OpenSystem, j: int, dec: Decomposition) -> ComplexArray:
    """Superoperator ``T_j`` (column-stacked, ``(d^2, d^2)``) of the rest of bath ``j``."""
    basis = system.eigensystem()
    a_eig = system.eigen_couplings[j]
    w = system.bohr_frequencies
    support = a_eig != 0
    rest = np.zeros(w.shape, dtype=complex)
    exact = np.asarray(system.baths[j].Gamma(w[support]), dtype=complex)
    rest[support] = exact - dec.gamma_kept(w[support])
    lam = basis.to_lab(rest * a_eig)
    q = system.couplings[j]
    d = system.dim
    eye = np.eye(d)

    def pre(x: ComplexArray) -> ComplexArray:  # x rho
        return np.asarray(np.kron(eye, x), dtype=np.complex128)

    def post(x: ComplexArray) -> ComplexArray:  # rho x
        return np.asarray(np.kron(x.T, eye), dtype=np.complex128)

    lam_dag = lam.conj().T
    # -[Q, L rho] - [rho L^dag, Q] = -Q L rho + L rho Q - rho L^dag Q + Q rho L^dag
    return np.asarray(
        -pre(q @ lam) + pre(lam) @ post(q) - post(lam_dag @ q) + pre(q) @ post(lam_dag),
        dtype=complex,
    )


def _apply(superop: ComplexArray, rho: ComplexArray) -> ComplexArray:
    d = rho.shape[0]
    return np.asarray((superop @ rho.reshape(-1, order="F")).reshape((d, d), order="F"))


def heom_point(
    system: OpenSystem, level: HeomLevel, decompositions: tuple[Decomposition, ...] | None = None
) -> HeomPoint:
    """Solve the HEOM steady state of ``system`` (one parameter point) at ``level``.

    Args:
        system: any open system whose baths :func:`~qheat.exact.exponents.decompose` holds.
        level: exponents per bath and depth.
        decompositions: the baths' decompositions at ``level.order`` if already made.

    Raises:
        InvalidParameterError: a batch of points, or a bath the hierarchy cannot hold.
    """
    qutip = require_qutip()
    from qutip.core.environment import ExponentialBosonicEnvironment
    from qutip.solver.heom import HEOMSolver, HierarchyADOsState

    if system.batch_shape != ():
        raise InvalidParameterError(
            f"HEOM takes one parameter point, got a system with batch shape {system.batch_shape}"
        )
    start = time.perf_counter()
    names = system.bath_names or ()
    decs = decompositions or tuple(
        decompose(bath, level.order, name) for bath, name in zip(system.baths, names)
    )
    h = np.asarray(system.hamiltonian)
    d = system.dim
    terms = [terminator(system, j, dec) for j, dec in enumerate(decs)]
    liouvillian = qutip.liouvillian(qutip.Qobj(h)).full() + sum(terms)
    dims = [[[d], [d]], [[d], [d]]]
    baths = []
    for j, (dec, q) in enumerate(zip(decs, system.couplings)):
        env = ExponentialBosonicEnvironment(
            list(dec.ck_real),
            list(dec.vk_real),
            list(dec.ck_imag),
            list(dec.vk_imag),
            combine=True,
            tag=j,
        )
        baths.append((env, qutip.Qobj(q)))
    solver = HEOMSolver(
        qutip.Qobj(liouvillian, dims=dims, superrep="super"),
        baths,
        max_depth=level.depth,
        options={},
    )
    matrix = sp.lil_matrix(solver.rhs(0).to("CSR").data.as_scipy())
    n = matrix.shape[0]
    matrix[0, :] = 0.0
    for i in range(d):
        matrix[0, i * (d + 1)] = 1.0
    rhs = np.zeros(n, dtype=complex)
    rhs[0] = 1.0
    solution = splu(sp.csc_matrix(matrix), permc_spec="MMD_AT_PLUS_A").solve(rhs)
    n_ados = n // (d * d)
    rho = solution[: d * d].reshape((d, d), order="F")
    rho = 0.5 * (rho + rho.conj().T)
    ados = HierarchyADOsState(qutip.Qobj(rho), solver.ados, solution.reshape((n_ados, d, d)))
    currents, bath_side, noise = [], [], []
    for j, q in enumerate(system.couplings):
        commutator = h @ q - q @ h
        from_terminator = np.trace(h @ _apply(terms[j], rho))
        current, decay, gross = from_terminator, 0j, abs(from_terminator)
        for label in ados.filter(level=1, tags=[j]):
            ado = ados.extract(label).full()
            (exponent,) = ados.exps(label)
            term = -1j * np.trace(commutator @ ado)
            current += term
            gross += abs(term)
            decay += exponent.vk * np.trace(q @ ado)
        imag_c0 = float(np.imag(decs[j].correlation(0.0)))
        currents.append(current)
        bath_side.append(-decay + 2 * imag_c0 * np.trace(q @ q @ rho) + from_terminator)
        noise.append(1e-10 * gross)
    j_all = np.asarray(currents)
    return HeomPoint(
        level=level,
        rho_lab=rho,
        currents=np.real(j_all),
        imag_currents=np.imag(j_all),
        bath_currents=np.real(np.asarray(bath_side)),
        noise=np.asarray(noise, dtype=float),
        n_ados=n_ados,
        fit_errors=tuple(dec.fit_error for dec in decs),
        seconds=time.perf_counter() - start,
    )
