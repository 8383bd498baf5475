"""HEOM for any device: several baths, underdamped and ohmic baths, and QuTiP's own tutorial.

Small hierarchies only; the expensive cases are in benchmarks/bench_heom.py.
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest
import qutip
from qutip.core.environment import DrudeLorentzEnvironment, system_terminator
from qutip.solver.heom import HEOMSolver
from scipy.integrate import quad

from qheat.api import solve
from qheat.baths import DrudeBath, ExponentialBath, OhmicBath, UnderdampedBath
from qheat.compare import KatoTanimuraSpec
from qheat.compare.kato_tanimura import kato_tanimura_system
from qheat.exact import HeomLevel, HeomOptions, decompose, heom_point, solve_heom
from qheat.model import OpenSystem

SX = np.array([[0.0, 1.0], [1.0, 0.0]])
SZ = np.diag([1.0, -1.0])
I2 = np.eye(2)


def kron(*ops: np.ndarray) -> np.ndarray:
    out = np.eye(1)
    for op in ops:
        out = np.kron(out, op)
    return out


def chain(gamma: float, temps: tuple[float, float, float]) -> OpenSystem:
    """Three qubits L - M - R (XX couplings), one Drude bath each."""
    h = 0.5 * (kron(SZ, I2, I2) + 0.8 * kron(I2, SZ, I2) + 1.2 * kron(I2, I2, SZ))
    h = h + 0.2 * (kron(SX, SX, I2) + kron(I2, SX, SX))
    couplings = (kron(SX, I2, I2), kron(I2, SX, I2), kron(I2, I2, SX))
    baths = tuple(DrudeBath(gamma, 10.0, t) for t in temps)
    return OpenSystem(h, couplings, baths, bath_names=("L", "M", "R"))


def test_three_baths_conserve_energy_and_approach_bloch_redfield() -> None:
    system = chain(0.002, (6.0, 4.0, 3.0))
    result = solve_heom(system, HeomOptions(rtol=5e-3, max_unknowns=40_000))
    assert result.converged
    assert list(result.currents_by_name) == ["L", "M", "R"]
    j = result.currents
    assert abs(j.sum()) < 1e-10 * np.max(np.abs(j))
    assert j[0] > 0 > j[2]  # heat enters from the hottest bath and leaves into the coldest
    br = np.asarray(solve(system).currents)
    np.testing.assert_allclose(j, br, rtol=0.03, atol=0.03 * np.max(np.abs(br)))
    # the couplings commute, so the bath-side currents equal the system-side ones
    last = result.history[0]
    np.testing.assert_allclose(last.bath_currents, last.currents, rtol=1e-8)


def test_underdamped_exponents_reproduce_eq_a4() -> None:
    """QuTiP's Matsubara series with the mapped parameters is qheat's J's correlation."""
    bath = UnderdampedBath(gamma=0.02, omega_0=3.0, width=1.0, temperature=1.5)
    dec = decompose(bath, order=60)
    t_bath = 1.5

    def symmetric(w: float) -> float:
        return float(bath.J(w)) / np.tanh(w / (2 * t_bath)) if w > 0 else 2 * t_bath * 0.02

    for t in (0.1, 0.7, 2.0):
        re = quad(symmetric, 0, np.inf, weight="cos", wvar=t, limit=400)[0] / np.pi
        im = (
            -quad(lambda w: float(bath.J(w)), 0, np.inf, weight="sin", wvar=t, limit=400)[0] / np.pi
        )
        assert complex(dec.correlation(t)) == pytest.approx(complex(re, im), rel=1e-3, abs=1e-6)


def test_underdamped_and_exponential_baths_in_one_device() -> None:
    """An underdamped bath (Matsubara) and an exponential bath (its own exponents, no rest):
    weak coupling, so HEOM is Bloch-Redfield within O(gamma)."""
    under = UnderdampedBath(gamma=0.005, omega_0=2.0, width=0.5, temperature=1.0)
    expo = ExponentialBath([0.02 + 0.0j, -0.004j], [5.0 + 0.0j, 5.0 + 0.0j])
    system = OpenSystem(0.5 * SZ, (SX, SX), (under, expo), bath_names=("u", "e"))
    result = solve_heom(system, HeomOptions(rtol=5e-3))
    assert result.converged
    br = np.asarray(solve(system).currents)
    assert abs(result.currents.sum()) < 1e-10 * abs(result.currents[0])
    assert result.currents[0] == pytest.approx(br[0], rel=0.05)


def test_ohmic_bath_reports_its_fit_error() -> None:
    bath = OhmicBath(gamma=0.005, omega_c=10.0, s=1.0, temperature=2.0)
    system = OpenSystem(0.5 * SZ, (SX, SX), (bath, DrudeBath(0.005, 10.0, 0.5)))
    point = heom_point(system, HeomLevel(2, 2))
    assert point.fit_errors[1] is None
    assert 0 < point.fit_errors[0] < 0.1
    br = float(solve(system).J1)
    assert point.currents[0] == pytest.approx(br, rel=0.03)  # the terminator corrects the fit


def tutorial_current(j12: float, zeta: float, depth: int) -> float:
    """QuTiP's own recipe (the tutorial's): Pade Nk = 1 with QuTiP's terminator, QuTiP's
    steady_state, and the bath heat current of Kato and Tanimura (2016) from the ADOs."""
    sp, sz, sx = qutip.sigmap(), qutip.sigmaz(), qutip.sigmax()
    one = qutip.identity(2)
    h = 0.5 * (qutip.tensor(sz + one, one) + qutip.tensor(one, sz + one))
    h = h + j12 * (qutip.tensor(sp, sp.dag()) + qutip.tensor(sp.dag(), sp))
    qs = (qutip.tensor(sx, one), qutip.tensor(one, sx))
    baths, liou, deltas = [], qutip.liouvillian(h), []
    for tag, (q, temp) in enumerate(zip(qs, (2.02, 1.98))):
        env = DrudeLorentzEnvironment(T=temp, lam=zeta * j12 / 2, gamma=2.0, tag=tag)
        approx, delta = env.approximate("pade", Nk=1, compute_delta=True, tag=tag)
        baths.append((approx, q))
        liou = liou + system_terminator(q, delta)
        deltas.append(delta)
    _, ados = HEOMSolver(liou, baths, max_depth=depth, options={}).steady_state()
    q, delta = qs[0], deltas[0]
    into_bath = 0j
    c_imag_0 = 0.0
    for label in ados.filter(level=1, tags=[0]):
        (exp,) = ados.exps(label)
        into_bath += exp.vk * (q * ados.extract(label)).tr()
        c_imag_0 += exp.ck if exp.type.name == "I" else exp.ck2 if exp.type.name == "RI" else 0
    into_bath -= 2 * c_imag_0 * (q * q * ados.rho).tr()
    a = 1j * (h * q - q * h)
    into_bath -= 1j * delta * ((a * q - q * a) * ados.rho).tr()
    return -float(np.real(into_bath))


def test_kato_tanimura_point_matches_qutips_own_recipe() -> None:
    spec = KatoTanimuraSpec()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ours = solve_heom(kato_tanimura_system(0.1, 1.0, spec), spec.heom)
    assert ours.converged
    reference = tutorial_current(0.1, 1.0, depth=7)
    assert ours.J1 == pytest.approx(reference, rel=max(3e-3, 2 * ours.error_estimate / ours.J1))
