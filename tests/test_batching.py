"""Batched engine: result shapes, batched == point by point, and the population-block solve
against an independent dense solve of the full 16 x 16 (or d^2 x d^2) system."""

import warnings

import numpy as np
import pytest
from scipy.special import digamma

import qheat
from qheat.baths.special import re_digamma_one_plus_iy
from qheat.master.superop import population_block

NAMES = ("eps1", "eps2", "g", "gamma1", "gamma2", "omega_d", "t1", "t2")


def random_params(rng: np.random.Generator, shape: tuple[int, ...]) -> dict[str, np.ndarray]:
    return {
        "eps1": rng.uniform(1, 6, shape),
        "eps2": rng.uniform(1, 6, shape),
        "g": rng.uniform(-1, 1, shape),
        "gamma1": rng.uniform(0.001, 0.05, shape),
        "gamma2": rng.uniform(0.001, 0.05, shape),
        "omega_d": rng.uniform(5, 100, shape),
        "t1": rng.uniform(0.1, 30, shape),
        "t2": rng.uniform(0.1, 30, shape),
    }


def quiet_solve(system: qheat.OpenSystem, equation: object) -> qheat.Solution:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # Redfield positivity at random points is not the subject
        return qheat.solve(system, equation)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "shapes, expected",
    [
        ({}, ()),
        ({"g": (5,)}, (5,)),
        ({"g": (3, 1), "t1": (1, 4)}, (3, 4)),
        ({"g": (2, 1, 1), "t1": (1, 3, 1), "eps2": (1, 1, 2)}, (2, 3, 2)),
    ],
)
def test_result_shapes(shapes: dict[str, tuple[int, ...]], expected: tuple[int, ...]) -> None:
    rng = np.random.default_rng(0)
    params = {k: float(v) for k, v in random_params(rng, ()).items()}
    for name, shape in shapes.items():
        params[name] = random_params(rng, shape)[name]
    for equation in (qheat.BlochRedfield(), qheat.GlobalLindblad()):
        sol = quiet_solve(qheat.paper_system(**params), equation)
        assert sol.J1.shape == sol.J2.shape == sol.min_eigenvalue.shape == expected
        assert sol.rho.shape == expected + (4, 4)
        assert sol.state.condition_number.shape == sol.state.residual.shape == expected


@pytest.mark.parametrize(
    "equation", [qheat.BlochRedfield(), qheat.GlobalLindblad(lamb_shift=False)]
)
def test_batched_equals_point_by_point(equation: object) -> None:
    rng = np.random.default_rng(1)
    params = random_params(rng, (2, 3))
    batch = quiet_solve(qheat.paper_system(**params), equation)
    for index in np.ndindex(2, 3):
        point = quiet_solve(
            qheat.paper_system(**{k: v[index] for k, v in params.items()}), equation
        )
        scale = np.max(np.abs(point.currents))
        assert np.max(np.abs(batch.currents[index] - point.currents)) <= 1e-12 * scale
        assert np.max(np.abs(batch.rho[index] - point.rho)) <= 1e-12


def dense_steady_state(liou: np.ndarray) -> tuple[np.ndarray, float]:
    """Independent reference: null vector of the full L by SVD; 1-norm cond of the bordered L,
    its trace row scaled by the largest row sum of the population block's rows (the solver's
    unit-free border)."""
    d = int(round(np.sqrt(liou.shape[-1])))
    _, _, vh = np.linalg.svd(liou)
    x = np.conj(vh[-1])
    x = x / x[:: d + 1].sum()
    rows = population_block(liou != 0).index
    bordered = liou.copy()
    bordered[0, :] = 0
    bordered[0, :: d + 1] = np.abs(liou[rows]).sum(axis=-1).max()
    return x, float(np.linalg.cond(bordered, 1))


@pytest.mark.parametrize("equation", [qheat.BlochRedfield(), qheat.GlobalLindblad()])
def test_block_solve_equals_full_dense_solve(equation: object) -> None:
    rng = np.random.default_rng(2)
    params = random_params(rng, (4,))
    sol = quiet_solve(qheat.paper_system(**params), equation)
    liou = sol.generator.liouvillian()
    for i in range(4):
        x, cond = dense_steady_state(liou[i])
        rho = np.swapaxes(x.reshape(4, 4), 0, 1)
        assert np.max(np.abs(sol.rho[i] - rho)) <= 1e-11
        assert sol.state.condition_number[i] == pytest.approx(cond, rel=1e-8)
        assert sol.min_eigenvalue[i] == pytest.approx(np.linalg.eigvalsh(rho)[0], abs=1e-13)


def test_block_is_appendix_b_x_shape() -> None:
    """Bloch-Redfield: populations, rho14, rho23 and conjugates (Appendix B); Lindblad: populations."""
    system = qheat.paper_system(5, 4, 0.5, 0.01, 0.01, 50, 15, 5)
    br = qheat.BlochRedfield().generator(system).liouvillian()
    block = population_block(br != 0)
    elements = {(int(i), int(j)) for i, j in zip(block.rows, block.cols)}
    assert elements == {(0, 0), (1, 1), (2, 2), (3, 3), (0, 3), (3, 0), (1, 2), (2, 1)}
    lindblad = qheat.GlobalLindblad().generator(system).liouvillian()
    assert population_block(lindblad != 0).size == 4


def test_general_d_level_system_batches_and_matches_dense() -> None:
    """A random 3-level system (no parity structure): batched == point by point == dense SVD."""
    rng = np.random.default_rng(3)
    h = rng.normal(size=(3, 3)) + 1j * rng.normal(size=(3, 3))
    h = h + h.conj().T
    a = rng.normal(size=(3, 3))
    a = a + a.T
    temps = np.array([0.5, 2.0, 7.0])
    bath = qheat.DrudeBath(gamma=0.02, omega_d=20.0, temperature=temps)
    batch = quiet_solve(qheat.OpenSystem(h, (a,), (bath,)), qheat.BlochRedfield())
    assert batch.rho.shape == (3, 3, 3)
    for i, t in enumerate(temps):
        one = qheat.OpenSystem(h, (a,), (qheat.DrudeBath(gamma=0.02, omega_d=20.0, temperature=t),))
        point = quiet_solve(one, qheat.BlochRedfield())
        assert np.max(np.abs(batch.rho[i] - point.rho)) <= 1e-12
        x, _ = dense_steady_state(point.generator.liouvillian())
        assert np.max(np.abs(point.rho - np.swapaxes(x.reshape(3, 3), 0, 1))) <= 1e-11


@pytest.mark.parametrize("lamb_shift", [True, False])
def test_structured_solve_equals_the_dense_liouvillian(lamb_shift: bool) -> None:
    """The Bloch-Redfield family's generator builds L only on the population block it finds
    from the couplings; the same generator with its explicit full superoperators (the generic
    path, which finds the block from the nonzeros of the dense L) gives the same state,
    currents and diagnostics, and the residual of the whole L is at round-off."""
    rng = np.random.default_rng(4)
    params = random_params(rng, (50,))
    system = qheat.paper_system(**params)
    for equation in (qheat.BlochRedfield(lamb_shift), qheat.GlobalLindblad(lamb_shift)):
        fast = quiet_solve(system, equation)
        g = fast.generator
        dense = qheat.Generator(g.name, g.eigenbasis, g.hamiltonian, g.lamb_shift, g.dissipators)
        state = qheat.steady_state(dense, warn=False)
        currents = qheat.heat_currents(dense, state.rho)
        scale = np.max(np.abs(currents))
        assert np.max(np.abs(fast.currents - currents)) <= 1e-12 * scale
        assert np.max(np.abs(fast.rho - state.rho)) <= 1e-13
        assert np.max(np.abs(fast.min_eigenvalue - state.min_eigenvalue)) <= 1e-13
        np.testing.assert_allclose(fast.state.condition_number, state.condition_number, rtol=1e-8)
        assert np.max(fast.state.residual) <= 1e-13


def test_no_bath_still_raises() -> None:
    with pytest.raises(qheat.NonUniqueSteadyStateError):
        qheat.solve(qheat.paper_system(5, 4, 0.5, 0.0, 0.0, 50, 10, 5))
    with pytest.raises(qheat.NonUniqueSteadyStateError):
        qheat.sweep(gamma1=0.0, gamma2=np.array([0.0, 0.01]), dt=5.0, zipped=True)


def test_fast_digamma_matches_scipy() -> None:
    y = np.concatenate([np.linspace(-40, 40, 801), np.logspace(-9, 4, 200), [0.0]])
    ref = digamma(1 + 1j * y).real
    assert np.max(np.abs(re_digamma_one_plus_iy(y) - ref) / np.maximum(1, np.abs(ref))) <= 1e-14


@pytest.mark.parametrize("equation", [qheat.BlochRedfield(), qheat.GlobalLindblad()])
def test_smallest_eigenvalue_by_level_groups_equals_lapack(equation: object) -> None:
    """The steady state is zero outside its block, so its smallest eigenvalue is taken group
    of levels by group (diagonal, 2 x 2 closed form, eigvalsh); here against eigvalsh of the
    whole state, on the paper's model (groups of 2 for BR, 1 for Lindblad) and on a random
    three-level system with one group of 3."""
    rng = np.random.default_rng(12)
    h = rng.normal(size=(3, 3)) + 1j * rng.normal(size=(3, 3))
    a = rng.normal(size=(3, 3))
    bath = qheat.DrudeBath(gamma=0.05, omega_d=20.0, temperature=np.array([0.3, 1.0, 4.0]))
    systems = [
        qheat.paper_system(**random_params(rng, (40,))),
        qheat.OpenSystem(h + h.conj().T, (a + a.T,), (bath,)),
    ]
    for system in systems:
        sol = quiet_solve(system, equation)
        whole = np.linalg.eigvalsh(sol.rho)[..., 0]
        np.testing.assert_allclose(sol.min_eigenvalue, whole, rtol=0, atol=1e-14)
