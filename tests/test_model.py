"""The paper's model (Eqs. 1-6; docs/theory.md Eqs. T1-T2) and the general open-system path.

Independent values: the Hamiltonian and eigenvectors written out here from the paper's
text, ``numpy.linalg.eigh``, the projection of ``sx_j`` onto Bohr frequencies (computed
here), and the general path (``OpenSystem`` without an analytic basis) as a second
construction of the same Liouvillian.
"""

from __future__ import annotations

import numpy as np
import pytest
from numpy.typing import NDArray

from qheat.baths import DrudeBath
from qheat.master import BlochRedfield, GlobalLindblad, MasterEquation
from qheat.model import Eigenbasis, OpenSystem, TwoQubitModel

CArray = NDArray[np.complex128]

# Lab basis |q1 q2>, index 2 q1 + q2, |1> excited: sz = diag(-1, +1) (theory Eq. T1).
SX = np.array([[0, 1], [1, 0]], dtype=complex)
SZ = np.diag([-1.0, 1.0]).astype(complex)
I2 = np.eye(2, dtype=complex)
SX1, SX2 = np.kron(SX, I2), np.kron(I2, SX)
SZ1, SZ2 = np.kron(SZ, I2), np.kron(I2, SZ)
KET = {"00": 0, "01": 1, "10": 2, "11": 3}


def _random_parameters(n: int, seed: int) -> list[tuple[float, float, float]]:
    rng = np.random.default_rng(seed)
    out = []
    while len(out) < n:
        e1, e2 = rng.uniform(1.0, 8.0, 2)
        g = rng.uniform(-1.5, 1.5)
        out.append((float(e1), float(e2), float(g)))
    return out


PARAMS = [(5.0, 4.0, 0.5), (4.0, 3.0, 0.5), (5.0, 5.0, 0.1), (3.0, 6.0, -0.8)] + _random_parameters(
    6, 7
)


def _paper_vectors(e1: float, e2: float, g: float) -> tuple[NDArray[np.float64], CArray]:
    """Eqs. 2-3 and the states below Eq. 2, written out here (columns s1..s4)."""
    alpha = np.sqrt((e1 - e2) ** 2 / 4 + g**2)
    beta = np.sqrt((e1 + e2) ** 2 / 4 + g**2)
    phi = np.arctan2(2 * g, e1 + e2)  # tan phi = 2g/(e1 + e2), sin phi = g/beta
    theta = np.arctan2(2 * g, e1 - e2)  # tan theta = 2g/(e1 - e2), sin theta = g/alpha
    u = np.zeros((4, 4), dtype=complex)
    u[KET["00"], 0], u[KET["11"], 0] = np.sin(phi / 2), np.cos(phi / 2)
    u[KET["10"], 1], u[KET["01"], 1] = np.cos(theta / 2), np.sin(theta / 2)
    u[KET["10"], 2], u[KET["01"], 2] = -np.sin(theta / 2), np.cos(theta / 2)
    u[KET["00"], 3], u[KET["11"], 3] = np.cos(phi / 2), -np.sin(phi / 2)
    return np.array([beta, alpha, -alpha, -beta]), u


@pytest.mark.parametrize("e1, e2, g", PARAMS)
def test_hamiltonian_is_eq1(e1: float, e2: float, g: float) -> None:
    """``H_S = e1/2 sz1 + e2/2 sz2 + g sx1 sx2`` with the lab conventions of Eq. T1."""
    want = e1 / 2 * SZ1 + e2 / 2 * SZ2 + g * SX1 @ SX2
    np.testing.assert_allclose(TwoQubitModel(e1, e2, g).hamiltonian(), want, rtol=0, atol=1e-15)


@pytest.mark.parametrize("e1, e2, g", PARAMS)
def test_analytic_eigensystem_diagonalizes_h(e1: float, e2: float, g: float) -> None:
    """Paper order (beta, alpha, -alpha, -beta) and signs; U^dag H U diagonal; eigh spectrum."""
    model = TwoQubitModel(e1, e2, g)
    basis = model.eigenbasis()
    energies, u = _paper_vectors(e1, e2, g)
    np.testing.assert_allclose(basis.energies, energies, rtol=0, atol=1e-14)
    np.testing.assert_allclose(basis.vectors, u, rtol=0, atol=1e-15)
    h = model.hamiltonian()
    np.testing.assert_allclose(basis.vectors.conj().T @ basis.vectors, np.eye(4), atol=1e-15)
    np.testing.assert_allclose(
        basis.to_eigen(h), np.diag(energies), atol=1e-14 * np.abs(energies).max()
    )
    np.testing.assert_allclose(np.sort(energies), np.linalg.eigvalsh(h), atol=1e-13)
    assert model.omega1 == pytest.approx(energies[0] - energies[1], rel=1e-14)  # beta - alpha
    assert model.omega2 == pytest.approx(energies[0] + energies[1], rel=1e-14)  # beta + alpha


def _projection(a_eigen: CArray, energies: NDArray[np.float64], omega: float) -> CArray:
    """``V(w) = sum_{E_b - E_a = w} <a|A|b> |a><b|`` (theory Eq. T2), computed here."""
    w_ab = energies[None, :] - energies[:, None]
    return np.where(np.abs(w_ab - omega) < 1e-9, a_eigen, 0.0)


@pytest.mark.parametrize("e1, e2, g", PARAMS)
def test_eigenoperators_are_projections_of_sx(e1: float, e2: float, g: float) -> None:
    """Eq. 6 as corrected (theory "Corrections"): each V_j(w_mu) is the projection of sx_j."""
    model = TwoQubitModel(e1, e2, g)
    basis = model.eigenbasis()
    ops = model.eigenoperators()
    freqs = {1: float(model.omega1), 2: float(model.omega2)}
    for j, sx in ((1, SX1), (2, SX2)):
        a_eigen = basis.to_eigen(sx)
        total = np.zeros((4, 4), dtype=complex)
        for mu, w in freqs.items():
            want = _projection(a_eigen, basis.energies, w)
            np.testing.assert_allclose(ops[(j, mu)], want, rtol=0, atol=1e-14)
            total += ops[(j, mu)] + ops[(j, mu)].conj().T  # V(w) + V(-w), V(-w) = V(w)^dag
        np.testing.assert_allclose(total, a_eigen, rtol=0, atol=1e-14)  # sx_j = sum_mu V_j(w_mu)


@pytest.mark.parametrize("e1, e2, g", PARAMS)
def test_eigenoperators_lower_energy_by_omega(e1: float, e2: float, g: float) -> None:
    """``[H_S, V(w)] = -w V(w)`` (below Eq. 5) and ``[H_S, V(w)^dag] = +w V(w)^dag``."""
    model = TwoQubitModel(e1, e2, g)
    h = np.diag(model.eigenbasis().energies).astype(complex)
    for (_j, mu), v in model.eigenoperators().items():
        w = float(model.omega1 if mu == 1 else model.omega2)
        np.testing.assert_allclose(h @ v - v @ h, -w * v, rtol=0, atol=1e-13)
        vd = v.conj().T
        np.testing.assert_allclose(h @ vd - vd @ h, w * vd, rtol=0, atol=1e-13)


def test_printed_eq6_differs_from_the_projection() -> None:
    """Eq. 6 as printed (V1(w2) ~ cos phi-, V2(w2) ~ sin phi+) is not the projection of sx_j.

    The printed prefactors are right only where cos phi- = cos phi+ (g = 0); the code keeps
    the projection (cos phi+, sin phi-), which the tilde definitions of Appendix B use.
    """
    model = TwoQubitModel(5.0, 4.0, 0.5)
    basis = model.eigenbasis()
    w2 = float(model.omega2)
    v1 = _projection(basis.to_eigen(SX1), basis.energies, w2)
    v2 = _projection(basis.to_eigen(SX2), basis.energies, w2)
    # nonzero elements: V1(w2): (s4<-s2) and (s3<-s1); V2(w2): the same places
    pp, pm = float(model.phi_plus), float(model.phi_minus)
    assert abs(v1[3, 1]) == pytest.approx(abs(np.cos(pp)), rel=1e-14)
    assert abs(v2[3, 1]) == pytest.approx(abs(np.sin(pm)), rel=1e-14)
    assert abs(abs(v1[3, 1]) - abs(np.cos(pm))) > 1e-2  # printed cos(phi-) is wrong
    assert abs(abs(v2[3, 1]) - abs(np.sin(pp))) > 1e-2  # printed sin(phi+) is wrong


def _baths(seed: int) -> tuple[DrudeBath, DrudeBath]:
    rng = np.random.default_rng(seed)
    g1, g2 = rng.uniform(0.002, 0.05, 2)
    t1, t2 = rng.uniform(0.5, 30.0, 2)
    wd = rng.uniform(5.0, 100.0)
    return DrudeBath(g1, wd, t1), DrudeBath(g2, wd, t2)


EQUATIONS: list[MasterEquation] = [
    BlochRedfield(),
    BlochRedfield(lamb_shift=False),
    GlobalLindblad(),
    GlobalLindblad(lamb_shift=False),
]


@pytest.mark.parametrize("equation", EQUATIONS, ids=lambda e: f"{e.name}-{e.lamb_shift}")
@pytest.mark.parametrize("seed", range(5))
def test_general_path_gives_the_same_lab_liouvillian(equation: MasterEquation, seed: int) -> None:
    """OpenSystem with eigh (no analytic basis) and the two-qubit analytic path agree."""
    e1, e2, g = _random_parameters(1, 100 + seed)[0]
    model = TwoQubitModel(e1, e2, g)
    b1, b2 = _baths(seed)
    analytic = equation.generator(model.open_system(b1, b2)).lab_liouvillian()
    general = OpenSystem(hamiltonian=model.hamiltonian(), couplings=(SX1, SX2), baths=(b1, b2))
    assert general.eigenbasis is None
    numeric = equation.generator(general).lab_liouvillian()
    scale = np.abs(analytic).max()
    np.testing.assert_allclose(numeric, analytic, rtol=0, atol=1e-12 * scale)


@pytest.mark.parametrize("equation", EQUATIONS[:3:2], ids=lambda e: e.name)
def test_general_path_is_covariant_under_a_change_of_lab_basis(equation: MasterEquation) -> None:
    """Rotating H and A_j by a unitary W rotates the lab Liouvillian by W* (x) W."""
    model = TwoQubitModel(4.5, 3.5, 0.7)
    b1, b2 = _baths(11)
    rng = np.random.default_rng(5)
    w, _ = np.linalg.qr(rng.normal(size=(4, 4)) + 1j * rng.normal(size=(4, 4)))
    plain = OpenSystem(model.hamiltonian(), (SX1, SX2), (b1, b2))
    rotated = OpenSystem(
        w @ model.hamiltonian() @ w.conj().T, (w @ SX1 @ w.conj().T, w @ SX2 @ w.conj().T), (b1, b2)
    )
    big = np.kron(w.conj(), w)  # vec(W rho W^dag) = (W* kron W) vec(rho), column stacking
    want = big @ equation.generator(plain).lab_liouvillian() @ big.conj().T
    got = equation.generator(rotated).lab_liouvillian()
    np.testing.assert_allclose(got, want, rtol=0, atol=1e-12 * np.abs(want).max())


@pytest.mark.parametrize("equation", [BlochRedfield(), GlobalLindblad()], ids=lambda e: e.name)
def test_degenerate_levels_are_grouped(equation: MasterEquation) -> None:
    """e1 = e2, g = 0: |01>, |10> degenerate. Within the degenerate pair any basis is valid,
    so the lab Liouvillian of the analytic basis and of eigh's (another basis) must agree;
    this needs the Bohr frequencies of the pair grouped (exactly 0, and +-w shared)."""
    model = TwoQubitModel(4.0, 4.0, 0.0)
    b1, b2 = _baths(3)
    analytic = equation.generator(model.open_system(b1, b2)).lab_liouvillian()
    c, s = np.cos(0.3), np.sin(0.3)
    mix = np.eye(4, dtype=complex)
    mix[1:3, 1:3] = [[c, -s], [s, c]]
    general = OpenSystem(model.hamiltonian(), (SX1, SX2), (b1, b2))
    numeric = equation.generator(general).lab_liouvillian()
    np.testing.assert_allclose(numeric, analytic, rtol=0, atol=1e-12 * np.abs(analytic).max())
    # and a basis rotated inside the degenerate pair (still an eigenbasis) gives the same
    basis = model.eigenbasis()
    turned = OpenSystem(
        model.hamiltonian(),
        (SX1, SX2),
        (b1, b2),
        eigenbasis=Eigenbasis(basis.energies, basis.vectors @ mix),
    )
    np.testing.assert_allclose(
        equation.generator(turned).lab_liouvillian(),
        analytic,
        rtol=0,
        atol=1e-12 * np.abs(analytic).max(),
    )


def test_batched_parameters_broadcast() -> None:
    """Model parameters of shapes (3, 1) and (4,) give eigensystems of shape (3, 4, ...)."""
    e1 = np.array([[5.0], [4.0], [6.0]])
    g = np.array([0.1, 0.3, 0.5, 0.7])
    model = TwoQubitModel(e1, 3.0, g)
    basis = model.eigenbasis()
    assert model.hamiltonian().shape == (3, 4, 4, 4)
    assert basis.energies.shape == (3, 4, 4) and basis.vectors.shape == (3, 4, 4, 4)
    for i, k in np.ndindex(3, 4):
        single = TwoQubitModel(float(e1[i, 0]), 3.0, float(g[k])).eigenbasis()
        np.testing.assert_allclose(basis.vectors[i, k], single.vectors, atol=1e-15)
        np.testing.assert_allclose(basis.energies[i, k], single.energies, atol=1e-15)


@pytest.mark.parametrize(
    "kwargs, name",
    [
        ({"eps1": 0.0, "eps2": 4.0, "g": 0.5}, "eps1"),
        ({"eps1": 5.0, "eps2": -1.0, "g": 0.5}, "eps2"),
        ({"eps1": 5.0, "eps2": 4.0, "g": float("nan")}, "g"),
    ],
)
def test_bad_model_parameters_are_named(kwargs: dict[str, float], name: str) -> None:
    """Invalid model parameters raise a ValueError naming the parameter."""
    with pytest.raises(ValueError, match=name):
        TwoQubitModel(**kwargs)


def test_open_system_rejects_non_hermitian_coupling() -> None:
    """A non-Hermitian coupling operator is refused, naming it."""
    bath = DrudeBath(0.01, 50.0, 5.0)
    with pytest.raises(ValueError, match=r"couplings\[0\]"):
        OpenSystem(TwoQubitModel(5.0, 4.0, 0.5).hamiltonian(), (SX1 + 1j * SX2,), (bath,))
