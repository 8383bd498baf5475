"""Bloch-Redfield without the Lamb shift against QuTiP 5 (a test-only dependency).

QuTiP's spectrum convention (read from ``qutip/core/_brtensor.pyx``, QuTiP 5.x; see
docs/theory.md Eq. T14): ``bloch_redfield_tensor(H, [(A, spectrum)])`` evaluates
``spectrum(w)`` at ``w = E_a - E_b`` for the transition ``|a> -> |b>``, i.e. ``w > 0`` when
the system *emits* ``w`` into the bath, the same sign as our ``G(w)``; its tensor element
``A_ac A_db (S(w_ca) + S(w_db)) / 2`` is our ``(G(w) + G(w')) A A*``, so

    S_QuTiP(w) = 2 G(w) = 2 J(w) (n(w) + 1)     for all real w,    S_QuTiP(0) = 2 gamma T,

the Lindblad rate gamma(w, w) of Eq. A16. QuTiP keeps only this real spectrum: no
principal-value Lamb shift, which is our ``lamb_shift=False``. Two traps: the default
``sec_cutoff=0.1`` applies a partial secular approximation (use ``sec_cutoff=-1`` for full
Bloch-Redfield), and a Python spectrum must take exactly one parameter named ``w``
(otherwise QuTiP treats it as a time-dependent coefficient).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pytest
import qutip

from qheat.api import paper_system, solve
from qheat.baths import DrudeBath
from qheat.master import BlochRedfield, Generator, commutator, sandwich, unvec, vec
from qheat.master.pair_kernel import bohr_frequencies, pair_terms
from qheat.model import OpenSystem

from golden import golden_points

DIMS = [[2, 2], [2, 2]]


def _qutip_spectrum(bath: DrudeBath) -> Callable[[float], float]:
    """``S_QuTiP(w) = 2 G(w)`` as a one-argument function of ``w`` (QuTiP's requirement)."""

    def spectrum(w: float) -> float:
        return 2.0 * float(bath.G(w))

    return spectrum


def _a_ops(system: OpenSystem) -> list[tuple[Any, Callable[[float], float]]]:
    return [
        (qutip.Qobj(a, dims=DIMS), _qutip_spectrum(b))  # type: ignore[arg-type]
        for a, b in zip(system.couplings, system.baths)
    ]


def _points() -> list[tuple[float, ...]]:
    """(e1, e2, g, gamma1, gamma2, wD, T1, T2): paper-like and random non-degenerate points."""
    rng = np.random.default_rng(77)
    pts = [
        (5.0, 4.0, 0.5, 0.01, 0.01, 50.0, 15.0, 5.0),
        (5.0, 5.0, 0.1, 0.01, 0.01, 50.0, 12.0, 5.0),
    ]
    for _ in range(3):
        e1, e2 = rng.uniform(1.0, 8.0, 2)
        pts.append(
            (
                e1,
                e2,
                rng.uniform(-1, 1),
                *rng.uniform(0.002, 0.03, 2),
                rng.uniform(5, 100),
                *rng.uniform(0.5, 40.0, 2),
            )
        )
    return [tuple(float(x) for x in p) for p in pts]


def _currents(generator: Generator, rho_eigen: np.ndarray) -> list[float]:
    """``J_j = Tr((H_S + H_LS) D_j(rho))`` (Eqs. 21-23) for a state given in the eigenbasis."""
    energy = generator.energy_operator
    return [float(np.trace(energy @ unvec(d @ vec(rho_eigen))).real) for d in generator.dissipators]


@pytest.mark.parametrize("point", _points())
def test_lab_liouvillian_equals_qutip_tensor(point: tuple[float, ...]) -> None:
    """The whole lab-basis BR Liouvillian (no Lamb shift) equals QuTiP's, element by element."""
    system = paper_system(*point)
    ours = BlochRedfield(lamb_shift=False).generator(system).lab_liouvillian()
    h = qutip.Qobj(system.hamiltonian, dims=DIMS)
    theirs = qutip.bloch_redfield_tensor(h, _a_ops(system), sec_cutoff=-1, fock_basis=True).full()
    np.testing.assert_allclose(ours, theirs, rtol=0, atol=1e-13 * np.abs(theirs).max())


@pytest.mark.parametrize("point", _points()[:3])
def test_each_bath_term_equals_qutip_brterm(point: tuple[float, ...]) -> None:
    """Per bath, ``D_j - i[H_LS_j, .]`` (our split of Eqs. 9-10) equals QuTiP's ``brterm``."""
    system = paper_system(*point)
    basis = system.eigensystem()
    u, u_dag = basis.vectors, np.conj(basis.vectors.T)
    omega = bohr_frequencies(basis, system.degeneracy_tol)
    h = qutip.Qobj(system.hamiltonian, dims=DIMS)
    for coupling, (a_op, spectrum), bath in zip(system.couplings, _a_ops(system), system.baths):
        dissipator, h_ls = pair_terms(basis.to_eigen(coupling), bath, omega, None, lamb_shift=False)
        ours = sandwich(u, u_dag) @ (dissipator + commutator(h_ls)) @ sandwich(u_dag, u)
        theirs = qutip.brterm(h, a_op, spectrum, sec_cutoff=-1, fock_basis=True).full()
        np.testing.assert_allclose(ours, theirs, rtol=0, atol=1e-13 * np.abs(theirs).max())


@pytest.mark.parametrize("point", _points())
def test_steady_state_and_currents_agree_with_qutip(point: tuple[float, ...]) -> None:
    """``qutip.steadystate`` of QuTiP's tensor equals our steady state to 1e-8; the currents
    evaluated on QuTiP's state (our Eqs. 21-23) equal ours to 1e-8 relative."""
    system = paper_system(*point)
    sol = solve(system, BlochRedfield(lamb_shift=False))
    h = qutip.Qobj(system.hamiltonian, dims=DIMS)
    tensor = qutip.bloch_redfield_tensor(h, _a_ops(system), sec_cutoff=-1, fock_basis=True)
    rho_lab = qutip.steadystate(tensor).full()
    np.testing.assert_allclose(sol.state.rho_lab, rho_lab, rtol=0, atol=1e-8)
    rho_eigen = system.eigensystem().to_eigen(rho_lab)
    for ours, theirs in zip(sol.currents, _currents(sol.generator, rho_eigen)):
        assert float(ours) == pytest.approx(theirs, rel=1e-8)


def test_golden_without_lamb_shift_through_qutip() -> None:
    """QuTiP's steady state + Eqs. 21-23 reproduce the golden ``br_without_lamb_shift`` J1."""
    for point in golden_points():
        system = paper_system(**point["params"])
        want = point["br_without_lamb_shift"]["J1"]
        h = qutip.Qobj(system.hamiltonian, dims=DIMS)
        tensor = qutip.bloch_redfield_tensor(h, _a_ops(system), sec_cutoff=-1, fock_basis=True)
        rho_eigen = system.eigensystem().to_eigen(qutip.steadystate(tensor).full())
        j1 = _currents(BlochRedfield(lamb_shift=False).generator(system), rho_eigen)[0]
        if abs(want) < 1e-14:  # gamma2 = 0: no current, both are round-off
            assert abs(j1) <= 1e-14
        else:
            assert j1 == pytest.approx(want, rel=1e-8)
