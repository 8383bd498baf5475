"""Heat-current cumulants and the TUR ratio (issue 24), against independent values.

* the two-state process of one qubit (closed forms of the issue, written out below), for every
  equation, both solvers, and the same qubit rotated (H = X/2, Z couplings);
* finite differences of the scaled cumulant generating function, the top eigenvalue of the
  whole tilted generator (a second construction: no recursion, no pseudo-inverse);
* the Gallavotti-Cohen symmetry of the global Lindblad equation;
* QuTiP's ``countstat_current_noise`` on the global Lindblad equation of the paper's model;
* the first cumulant equals ``Tr(H_S D_j(rho))`` (computed here from the dissipators);
* Bloch-Redfield's noise tends to the Lindblad one as the secular ratio goes to 0.
"""

from __future__ import annotations

import math
import warnings

import numpy as np
import pytest
import qutip

import qheat
from qheat import BlochRedfield, DrudeBath, GlobalLindblad, UniversalLindblad
from qheat.errors import InvalidParameterError
from qheat.model import OpenSystem
from qheat.steady.cumulants import scaled_cgf

X = np.array([[0, 1], [1, 0]], dtype=complex)
Z = np.diag([1.0, -1.0]).astype(complex)
# k_j = 2 J_j(w0) = 0.1 and 0.05 at w0 = 1 with Drude wD = 100: gamma = k/2 (1 + 1e-4)
BATHS = (DrudeBath(0.050005, 100.0, 2.0), DrudeBath(0.0250025, 100.0, 1.0))


def two_state(w0: float = 1.0, k: tuple[float, float] = (0.1, 0.05), t=(2.0, 1.0)) -> tuple:
    """The issue's closed forms: rates u_j = k_j n_j (up), d_j = k_j (1 + n_j) (down)."""
    n = [1 / math.expm1(w0 / tj) for tj in t]
    u = [kj * nj for kj, nj in zip(k, n)]
    d = [kj * (1 + nj) for kj, nj in zip(k, n)]
    big_k = sum(u) + sum(d)
    a, b = u[0] * d[1], u[1] * d[0]
    f1, f2, f3 = w0 * (a - b), w0**2 * (a + b), w0**3 * (a - b)
    current = w0 * (a - b) / big_k
    noise = w0**2 * ((a + b) / big_k - 2 * (a - b) ** 2 / big_k**3)
    third = f3 / big_k - 6 * f1 * f2 / big_k**3 + 12 * f1**3 / big_k**5
    sigma = current * (1 / t[1] - 1 / t[0])
    return current, noise, third, noise * sigma / current**2


def test_the_issue_numbers_come_from_the_closed_form() -> None:
    c1, c2, c3, q = two_state()
    assert (round(c1, 9), round(c2, 8), round(c3, 8), round(q, 5)) == (
        9.288712e-3,
        3.759160e-2,
        5.23241e-3,
        2.02351,
    )


@pytest.mark.parametrize(
    "equation",
    [
        GlobalLindblad(lamb_shift=False),
        BlochRedfield(lamb_shift=False),
        UniversalLindblad(lamb_shift=False),
        qheat.LocalLindblad(lamb_shift=False, local_hamiltonians=(0.5 * Z, 0.5 * Z)),
    ],
    ids=lambda e: e.name,
)
@pytest.mark.parametrize("solver", ["dense", "krylov"])
@pytest.mark.parametrize("rotated", [False, True])
def test_one_qubit_is_the_two_state_process(equation: object, solver: str, rotated: bool) -> None:
    """c1, c2, c3 and Q of the hot bath to 1e-10 relative; the cold bath's cumulants are the
    hot bath's with the odd ones negated (heat conservation of a two-state process)."""
    h, a = (0.5 * X, Z) if rotated else (0.5 * Z, X)
    if rotated and isinstance(equation, qheat.LocalLindblad):
        equation = qheat.LocalLindblad(lamb_shift=False, local_hamiltonians=(0.5 * X, 0.5 * X))
    system = OpenSystem(h, (a, a), BATHS, bath_names=("hot", "cold"))
    sol = qheat.cumulants(system, equation, 3, solver=solver)  # type: ignore[arg-type]
    want = two_state()
    np.testing.assert_allclose(sol.cumulants[0], want[:3], rtol=1e-10)
    np.testing.assert_allclose(sol.cumulants[1], [-want[0], want[1], -want[2]], rtol=1e-10)
    assert float(sol.tur_ratio[0]) == pytest.approx(want[3], rel=1e-10)
    assert float(sol.tur_ratio[0]) >= 2.0  # a classical Markov jump process obeys the TUR


def quiet(system: OpenSystem, equation: object, order: int, solver: str = "auto") -> qheat.Solution:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", qheat.SecularityWarning)
        return qheat.cumulants(system, equation, order, solver=solver)  # type: ignore[arg-type]


@pytest.mark.parametrize("equation", [BlochRedfield(), GlobalLindblad(), UniversalLindblad()])
def test_cumulants_are_the_derivatives_of_the_scaled_cgf(equation: object) -> None:
    """The paper's model at T1 = 15, T2 = 5: c1, c2, c3 against central differences of
    lambda(chi), the top eigenvalue of the whole tilted generator (step 1e-3: truncation
    error ~ h^2 c_{n+2}, relative 1e-5)."""
    system = qheat.paper_system(5, 4, 0.5, 0.01, 0.01, 50, 15, 5)
    sol = quiet(system, equation, 3)
    generator = sol.generator
    h = 1e-3
    for bath in (0, 1):
        lam = scaled_cgf(generator, bath, np.array([2 * h, h, -h, -2 * h]))
        c1 = (lam[1] - lam[2]) / (2 * h)
        c2 = (lam[1] + lam[2]) / h**2  # lambda(0) = 0
        c3 = (lam[0] - 2 * lam[1] + 2 * lam[2] - lam[3]) / (2 * h**3)
        np.testing.assert_allclose(sol.cumulants[bath], [c1, c2, c3], rtol=1e-4)


def test_gallavotti_cohen_symmetry_of_the_global_lindblad_equation() -> None:
    """lambda(chi) = lambda(-chi - (1/T_cold - 1/T_hot)) to round-off for two baths; Bloch-
    Redfield breaks it (measured 4e-4 of lambda here), which is its known failure."""
    system = qheat.paper_system(5, 4, 0.5, 0.01, 0.01, 50, 15, 5)
    affinity = 1 / 5 - 1 / 15
    chi = np.array([0.02, 0.05, 0.1, 0.2])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", qheat.SecularityWarning)
        lindblad = GlobalLindblad().generator(system)
    left, right = scaled_cgf(lindblad, 0, chi), scaled_cgf(lindblad, 0, -chi - affinity)
    np.testing.assert_allclose(left, right, rtol=1e-10, atol=1e-15)
    br = BlochRedfield().generator(system)
    gap = np.abs(scaled_cgf(br, 0, chi) - scaled_cgf(br, 0, -chi - affinity))
    assert gap.max() > 1e-2 * np.abs(scaled_cgf(br, 0, chi)).max()


def test_noise_against_qutip_countstat() -> None:
    """QuTiP's ``countstat_current_noise`` of the global Lindblad equation (no Lamb shift) of
    the paper's model: jump operators sqrt(2 G(w)) A(w) per Bohr frequency of bath 1, each
    current operator weighted by the heat it brings, -w."""
    p = dict(eps1=5.0, eps2=4.0, g=0.5, gamma1=0.01, gamma2=0.02, omega_d=50.0, t1=15.0, t2=5.0)
    system = qheat.paper_system(**p)
    sol = quiet(system, GlobalLindblad(lamb_shift=False), 2)
    basis = system.eigensystem()
    energies, u = basis.energies, basis.vectors
    jumps, weights = [], []
    for j, (a, bath) in enumerate(zip(system.couplings, system.baths)):
        eigen = u.conj().T @ a @ u
        for w in sorted(
            {round(float(x), 12) for x in (energies[None, :] - energies[:, None]).ravel()}
        ):
            mask = np.isclose(energies[None, :] - energies[:, None], w, atol=1e-9)
            op = np.where(mask, eigen, 0.0)
            if not np.any(op):
                continue
            rate = 2.0 * float(bath.G(w))
            jumps.append(qutip.Qobj(u @ (math.sqrt(rate) * op) @ u.conj().T))
            weights.append(-w if j == 0 else 0.0)
    h = qutip.Qobj(system.hamiltonian)
    liouvillian = qutip.liouvillian(h, jumps)
    counted = [(w, c) for w, c in zip(weights, jumps) if w != 0.0]
    # QuTiP's noise of channels i, j: delta_ij <<J_i>> - <<I_i R I_j>> - <<I_j R I_i>>: the
    # weighted total current needs J_i = w_i^2 S_i and I_i = w_i S_i (S_i = c rho c^dag)
    total_ops = [w**2 * qutip.sprepost(c, c.dag()) for w, c in counted]
    net_ops = [w * qutip.sprepost(c, c.dag()) for w, c in counted]
    # QuTiP's own steady state, given explicitly: without it countstat_current_noise (QuTiP
    # 5.x) used another estimate here, whose currents were 30% off those of steadystate(L)
    rhoss = qutip.steadystate(liouvillian)
    current, noise, _ = qutip.countstat_current_noise(
        liouvillian,
        [c for _, c in counted],
        wlist=[0.0],
        rhoss=rhoss,
        J_ops=total_ops,
        I_ops=net_ops,
        sparse=False,
    )
    total = np.sum(noise[..., 0])
    assert float(sol.cumulants[0, 0]) == pytest.approx(float(np.sum(current)), rel=1e-9)
    assert float(sol.cumulants[0, 1]) == pytest.approx(float(np.real(total)), rel=1e-8)


@pytest.mark.parametrize("equation", [BlochRedfield(), GlobalLindblad(), UniversalLindblad()])
def test_the_first_cumulant_is_the_bare_energy_flow(equation: object) -> None:
    """c1_j = Tr(H_S D_j(rho)) exactly (qheat.master.counting); qheat's J_j adds
    Tr(H_LS D_j(rho)): 0.2-0.3% here (fourth order in the coupling)."""
    system = qheat.paper_system(5, 4, 0.5, 0.01, 0.01, 50, 15, 5)
    sol = quiet(system, equation, 1)
    generator, rho = sol.generator, sol.rho
    bare = np.array([np.trace(generator.hamiltonian @ d).real for d in generator.dissipate(rho)])
    np.testing.assert_allclose(sol.cumulants[..., 0], bare, rtol=1e-10)
    difference = abs(float(sol.cumulants[0, 0] / sol.J1) - 1)
    assert 1e-4 < difference < 5e-3


def test_bloch_redfield_noise_tends_to_lindblad_as_the_secular_ratio_vanishes() -> None:
    """e = (5, 4), g = 0.5, T = (15, 5): the relative difference of the noises falls with
    gamma (the secular ratio is proportional to gamma), without the Lamb shift."""
    gaps = []
    for gamma in (1e-2, 1e-3, 1e-4):
        system = qheat.paper_system(5, 4, 0.5, gamma, gamma, 50, 15, 5)
        br = quiet(system, BlochRedfield(lamb_shift=False), 2)
        lind = quiet(system, GlobalLindblad(lamb_shift=False), 2)
        gaps.append(abs(float(br.cumulants[0, 1] / lind.cumulants[0, 1]) - 1))
    assert gaps[0] > 5 * gaps[1] > 25 * gaps[2]


@pytest.mark.parametrize(
    "equation", [BlochRedfield(), GlobalLindblad(), UniversalLindblad(), qheat.LocalLindblad()]
)
def test_krylov_cumulants_equal_the_dense_ones(equation: object) -> None:
    """A three-qubit chain with three baths: c1..c3 of every bath, both solvers, 1e-8."""
    from test_matrix_free import random_device

    system = random_device(2)
    dense = quiet(system, equation, 3, "dense")
    krylov = quiet(system, equation, 3, "krylov")
    scale = np.abs(dense.cumulants).max(axis=0)
    assert np.all(np.abs(krylov.cumulants - dense.cumulants) <= 1e-8 * scale)


@pytest.mark.filterwarnings(
    "ignore::qheat.errors.CountingWarning"
)  # BR at the NDTC: test_counting_balance
def test_batches_and_bad_orders() -> None:
    """A batch equals its points; orders outside 0..6 are refused naming the parameter."""
    t1 = np.array([6.0, 15.0, 40.0])
    batch = quiet(qheat.paper_system(5, 4, 0.5, 0.01, 0.01, 50, t1, 5), BlochRedfield(), 2)
    assert batch.cumulants.shape == (3, 2, 2) and batch.tur_ratio.shape == (3, 2)
    for i, t in enumerate(t1):
        one = quiet(qheat.paper_system(5, 4, 0.5, 0.01, 0.01, 50, t, 5), BlochRedfield(), 2)
        np.testing.assert_allclose(batch.cumulants[i], one.cumulants, rtol=1e-12)
    system = qheat.paper_system(5, 4, 0.5, 0.01, 0.01, 50, 15, 5)
    for bad in (7, -1, 2.0, True):
        with pytest.raises(InvalidParameterError, match="cumulants must be an integer"):
            qheat.solve(system, cumulants=bad)  # type: ignore[arg-type]
