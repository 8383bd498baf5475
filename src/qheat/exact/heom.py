"""Exact steady-state heat currents from the hierarchical equations of motion (QuTiP's HEOM).

Bath mapping (paper Eq. 17 and Appendix A, Eq. A4). QuTiP's Drude-Lorentz bath has
``J_Q(w) = 2 lam gam w / (gam^2 + w^2)`` and the correlation function
``C(t) = (1/pi) int_0^inf J_Q(w) [coth(w/2T) cos(wt) - i sin(wt)] dw`` -- the same ``1/pi``
convention as Eq. A4 -- and couples as ``H_SB = Q (x) X``. The paper's
``J(w) = gamma w / (1 + (w/wD)^2) = gamma wD^2 w / (wD^2 + w^2)`` (lambda^2 absorbed) on
``Q = sx_j`` is therefore ``gam = wD`` and ``lam = gamma wD / 2``
(``tests/test_heom.py`` checks the correlation functions against Eq. A4).

Heat current (first tier of the hierarchy). QuTiP's hierarchy couples the system density
matrix to the first-tier auxiliary density operators (ADOs) of bath ``j`` through
``d rho/dt = -i[H_S, rho] - i sum_k [Q_j, rho_{e_k}] + ...`` so that
``sigma_j = sum_k rho_{e_k} = Tr_B(X_j rho_total)`` exactly for a Gaussian bath. The energy
bath ``j`` pumps into the system is then::

    J_j = Tr(H_S (-i [Q_j, sigma_j])) = -i Tr([H_S, Q_j] sigma_j)

In the steady state ``d<H_I,j>/dt = 0`` and ``[Q_1, Q_2] = 0``, so this equals ``-d<H_B,j>/dt``,
the bath-energy current (Kato and Tanimura, J. Chem. Phys. 145, 224105 (2016), Eqs. 9-13).
Sign as in the rest of qheat: ``J_j > 0`` is heat from bath ``j`` into the system.

The same current from the bath side, ``-d<H_B,j>/dt = <Q_j dX_j/dt>``, reads in the ADOs
(Kato and Tanimura's bath heat current; ``C(t) = sum_k c_k exp(-nu_k t)``)::

    J_j^B = -sum_k nu_k Tr(Q_j rho_{e_k}) + 2 Im C_j(0) Tr(Q_j^2 rho)

:class:`HeomPoint` carries both; they agree in the steady state (``tests/test_heom.py``).

Linear solve: QuTiP's ``steady_state`` factorises the bordered hierarchy with SuperLU's default
column ordering, which fills in badly for two baths (177 s against 3 s for Nk = 8, depth 3);
:func:`heom_point` solves the same bordered system with the ``MMD_AT_PLUS_A`` ordering.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import scipy.sparse as sp
from numpy.typing import NDArray
from scipy.sparse.linalg import splu

from ..baths import DrudeBath
from ..errors import InvalidParameterError, QheatError
from ..model import OpenSystem

if TYPE_CHECKING:
    from qutip.solver.heom import DrudeLorentzPadeBath

__all__ = ["HeomLevel", "HeomPoint", "qutip_drude_bath", "heom_point"]

ComplexArray = NDArray[np.complex128]


@dataclass(frozen=True, order=True)
class HeomLevel:
    """Truncation of the hierarchy.

    Attributes:
        pade_terms: Pade terms ``Nk`` per bath (QuTiP's ``DrudeLorentzPadeBath``; no terminator).
        depth: hierarchy depth (``max_depth``).
    """

    pade_terms: int
    depth: int

    def __post_init__(self) -> None:
        if self.pade_terms < 1:
            raise InvalidParameterError(f"pade_terms must be >= 1, got {self.pade_terms}")
        if self.depth < 1:
            raise InvalidParameterError(f"depth must be >= 1, got {self.depth}")


@dataclass(frozen=True)
class HeomPoint:
    """Steady state and heat currents of one HEOM solve at one truncation.

    Attributes:
        level: the truncation used.
        rho_lab: steady state in the lab basis ``(d, d)`` (Hermitian part).
        currents: ``J_j`` per bath (real part; positive into the system), ``(n_baths,)``.
        imag_currents: imaginary parts of ``-i Tr([H_S, Q_j] sigma_j)`` (should vanish).
        bath_currents: the bath-side currents ``J_j^B`` (real part), equal to ``currents``
            in the steady state.
        n_ados: number of auxiliary density operators.
        seconds: wall time of the linear solve.
    """

    level: HeomLevel
    rho_lab: ComplexArray
    currents: NDArray[np.float64]
    imag_currents: NDArray[np.float64]
    bath_currents: NDArray[np.float64]
    n_ados: int
    seconds: float


def _qutip() -> Any:
    """QuTiP, imported on first use: it is the optional extra ``qheat[exact]`` (and takes about
    a second to import, which every other command would pay)."""
    try:
        import qutip
        import qutip.solver.heom
    except ImportError:  # pragma: no cover - exercised only without the extra
        raise QheatError("the HEOM benchmark needs QuTiP >= 5.1: pip install 'qheat[exact]'") from None
    return qutip


def qutip_drude_bath(
    bath: DrudeBath, coupling: ComplexArray, pade_terms: int, tag: int
) -> DrudeLorentzPadeBath:
    """QuTiP bath for the paper's Drude bath (Eq. 17): ``gam = wD``, ``lam = gamma wD / 2``."""
    qutip = _qutip()
    if bath.shape != ():
        raise InvalidParameterError(f"HEOM solves one parameter point at a time, got bath shape {bath.shape}")
    wd = float(bath.omega_d)
    temperature = float(bath.temperature)
    if temperature <= 0:
        raise InvalidParameterError(f"HEOM with Pade terms needs temperature > 0, got {temperature}")
    return qutip.solver.heom.DrudeLorentzPadeBath(
        qutip.Qobj(coupling), float(bath.gamma) * wd / 2.0, wd, temperature, Nk=pade_terms, tag=tag
    )


def heom_point(system: OpenSystem, level: HeomLevel) -> HeomPoint:
    """Solve the HEOM steady state of ``system`` (one point, Drude baths) at ``level``."""
    qutip = _qutip()
    if system.batch_shape != ():
        raise InvalidParameterError(f"heom_point takes one parameter point, got batch shape {system.batch_shape}")
    h = np.asarray(system.hamiltonian)
    baths = [
        qutip_drude_bath(bath, coupling, level.pade_terms, tag)  # type: ignore[arg-type]
        for tag, (bath, coupling) in enumerate(zip(system.baths, system.couplings))
    ]
    solver = qutip.solver.heom.HEOMSolver(qutip.Qobj(h), baths, max_depth=level.depth, options={})
    d = system.dim
    liou = sp.lil_matrix(solver.rhs(0).to("CSR").data.as_scipy())
    n = liou.shape[0]
    liou[0, :] = 0.0
    for i in range(d):
        liou[0, i * (d + 1)] = 1.0
    rhs = np.zeros(n, dtype=complex)
    rhs[0] = 1.0
    start = time.perf_counter()
    solution = splu(sp.csc_matrix(liou), permc_spec="MMD_AT_PLUS_A").solve(rhs)
    seconds = time.perf_counter() - start
    n_ados = n // (d * d)
    rho = solution[: d * d].reshape((d, d), order="F")
    rho = 0.5 * (rho + rho.conj().T)
    ados = qutip.solver.heom.HierarchyADOsState(qutip.Qobj(rho), solver.ados, solution.reshape((n_ados, d, d)))
    currents, bath_side = [], []
    for tag, coupling in enumerate(system.couplings):
        a = np.asarray(coupling)
        sigma = np.zeros((d, d), dtype=complex)
        decay, imag_c0 = 0j, 0.0
        for label in ados.filter(level=1, tags=[tag]):
            ado = ados.extract(label).full()
            (exponent,) = ados.exps(label)
            sigma += ado
            decay += exponent.vk * np.trace(a @ ado)
            kind = exponent.type.name
            imag_c0 += exponent.ck if kind == "I" else exponent.ck2 if kind == "RI" else 0.0
        currents.append(-1j * np.trace((h @ a - a @ h) @ sigma))
        bath_side.append(-decay + 2 * imag_c0 * np.trace(a @ a @ rho))
    j = np.asarray(currents)
    return HeomPoint(
        level=level,
        rho_lab=rho,
        currents=np.real(j),
        imag_currents=np.imag(j),
        bath_currents=np.real(np.asarray(bath_side)),
        n_ados=n_ados,
        seconds=seconds,
    )
