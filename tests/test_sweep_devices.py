"""One engine for any device: sweeps of a three-qubit, three-bath system built in Python.

Independent evidence: the Pauli matrices are built here with ``np.kron``; each sweep point is
compared with :func:`qheat.solve` on a system built point by point; the laws checked are
energy conservation (Eq. 21), no current at equal temperatures (global Lindblad: the Gibbs
state is its steady state) and the second law ``sum_j J_j / T_j <= 0``.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from typing import ClassVar

import numpy as np
import pytest
import xarray as xr

import qheat
from qheat.master import Generator

I2 = np.eye(2)
X = np.array([[0.0, 1.0], [1.0, 0.0]])
Z = np.diag([1.0, -1.0])


def kron3(a: np.ndarray, b: np.ndarray, c: np.ndarray) -> np.ndarray:
    return np.kron(np.kron(a, b), c)


def chain(
    t_left: float | np.ndarray = 1.0,
    t_mid: float | np.ndarray = 0.6,
    t_right: float | np.ndarray = 0.3,
    g: float | np.ndarray = 0.2,
    gamma: float | np.ndarray = 0.01,
) -> qheat.OpenSystem:
    """Three qubits in a chain (XX couplings), a Drude bath on each: arrays broadcast."""
    g = np.asarray(g, dtype=float)[..., None, None]
    h = 0.5 * kron3(Z, I2, I2) + 0.4 * kron3(I2, Z, I2) + 0.3 * kron3(I2, I2, Z)
    h = h + g * (kron3(X, X, I2) + kron3(I2, X, X))
    couplings = (kron3(X, I2, I2), kron3(I2, X, I2), kron3(I2, I2, X))
    baths = tuple(qheat.DrudeBath(gamma, 40.0, t) for t in (t_left, t_mid, t_right))
    return qheat.OpenSystem(
        h, couplings, baths, bath_names=("L", "M", "R"), subsystem_dims=(2, 2, 2)
    )


@dataclass(frozen=True)
class ExplicitBlochRedfield:
    """A user's own equation: Bloch-Redfield handed over as explicit superoperators, which
    the engine treats generically (sparsity found from the dense Liouvillian)."""

    name: ClassVar[str] = "explicit_br"

    def generator(self, system: qheat.OpenSystem) -> Generator:
        g = qheat.BlochRedfield().generator(system)
        return Generator(self.name, g.eigenbasis, g.hamiltonian, g.lamb_shift, g.dissipators)


EQUATIONS = (
    qheat.BlochRedfield(),
    qheat.GlobalLindblad(),
    qheat.UniversalLindblad(),
    qheat.PartialSecular(cutoff=0.05),
    ExplicitBlochRedfield(),
)


def quiet(system: qheat.OpenSystem, equation: object) -> qheat.Solution:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return qheat.solve(system, equation)  # type: ignore[arg-type]


@pytest.fixture(scope="module")
def plane() -> xr.Dataset:
    grid = {"t_mid": np.array([0.3, 0.6, 1.0]), "g": np.array([0.1, 0.3])}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return qheat.sweep(chain, grid, equations=EQUATIONS, chunk_size=4)


def test_sweep_labels_every_bath_and_equation(plane: xr.Dataset) -> None:
    assert plane["J"].dims == ("equation", "bath", "t_mid", "g")
    assert list(plane.bath.values) == ["L", "M", "R"]
    assert list(plane.equation.values) == [eq.name for eq in EQUATIONS]


def test_sweep_equals_solve_point_by_point_for_every_equation(plane: xr.Dataset) -> None:
    for i, t_mid in enumerate(plane.t_mid.values):
        for j, g in enumerate(plane.g.values):
            system = chain(t_mid=float(t_mid), g=float(g))
            for eq in EQUATIONS:
                sol = quiet(system, eq)
                point = plane.sel(equation=eq.name).isel(t_mid=i, g=j)
                np.testing.assert_allclose(point["J"].values, sol.currents, rtol=1e-10, atol=1e-16)
                assert float(point["min_eigenvalue"]) == pytest.approx(
                    float(sol.min_eigenvalue), abs=1e-13
                )


def test_generic_and_structured_paths_agree(plane: xr.Dataset) -> None:
    """The Bloch-Redfield generator builds L only on its population block; the same physics
    as explicit dense superoperators goes through the generic path: same currents."""
    br = plane["J"].sel(equation="br")
    explicit = plane["J"].sel(equation="explicit_br")
    np.testing.assert_allclose(br, explicit, rtol=1e-10, atol=1e-16)
    assert float(plane["residual"].max()) < 1e-12


def test_currents_sum_to_zero(plane: xr.Dataset) -> None:
    j = plane["J"]
    assert float((np.abs(j.sum("bath")) / np.abs(j).sum("bath")).max()) < 1e-10
    assert float(plane["conservation_residual"].max()) < 1e-10


@pytest.mark.parametrize("seed", range(3))
def test_random_device_laws(seed: int) -> None:
    """A random three-qubit Hamiltonian with three baths on random single-qubit couplings:
    global Lindblad has no current at equal temperatures and obeys the second law; every
    equation conserves energy."""
    rng = np.random.default_rng(seed)
    paulis = [I2, X, np.array([[0, -1j], [1j, 0]]), Z]
    h = sum(rng.normal() * kron3(*(paulis[k] for k in rng.integers(0, 4, 3))) for _ in range(8))
    h = 0.5 * (h + np.conj(h).T)
    couplings = tuple(
        kron3(*(paulis[rng.integers(1, 4)] if q == site else I2 for q in range(3)))
        for site in range(3)
    )
    temps = rng.uniform(0.3, 3.0, 3)

    def system(t: np.ndarray) -> qheat.OpenSystem:
        baths = tuple(qheat.DrudeBath(0.005, 30.0, tj) for tj in t)
        return qheat.OpenSystem(h, couplings, baths, subsystem_dims=(2, 2, 2))

    lindblad = quiet(system(temps), qheat.GlobalLindblad())
    assert float(np.sum(lindblad.currents / temps)) <= 1e-12 * np.abs(lindblad.currents).max()
    equal = quiet(system(np.full(3, 1.3)), qheat.GlobalLindblad())
    assert np.abs(equal.currents).max() <= 1e-12 * np.abs(lindblad.currents).max()
    for eq in (qheat.BlochRedfield(), qheat.UniversalLindblad()):
        sol = quiet(system(temps), eq)
        assert abs(sol.currents.sum()) <= 1e-10 * np.abs(sol.currents).sum()


def test_processes_scheduler_runs_a_user_builder(plane: xr.Dataset) -> None:
    """The builder and equations travel to worker processes (pickled by reference)."""
    from qheat.sweeps import Processes

    grid = {"t_mid": plane.t_mid.values, "g": plane.g.values}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ds = qheat.sweep(chain, grid, equations=("br",), chunk_size=3, scheduler=Processes(2))
    np.testing.assert_allclose(
        ds["J"].sel(equation="br"), plane["J"].sel(equation="br"), rtol=1e-13
    )


def test_builder_errors_name_the_parameter() -> None:
    with pytest.raises(qheat.InvalidParameterError, match="unknown sweep parameter"):
        qheat.sweep(chain, {"t_hot": np.array([1.0, 2.0])})
    with pytest.raises(qheat.InvalidParameterError, match="temperature"):
        qheat.sweep(chain, {"t_mid": np.array([1.0, -2.0])})
    with pytest.raises(qheat.InvalidParameterError, match="distinct names"):
        qheat.sweep(chain, {"t_mid": 1.0}, equations=(qheat.BlochRedfield(), "br"))
    with pytest.raises(qheat.InvalidParameterError, match="instance"):
        qheat.sweep(chain, {"t_mid": 1.0}, equations=(qheat.LocalLindblad,))


def test_a_second_steady_state_in_the_complement_is_the_limit_from_1_over_d() -> None:
    """H = ZZI + IZZ with X couplings conserves the parity XXX: the dense Liouvillian has two
    zero eigenvalues (computed here), the second steady state a coherence outside the
    population block. The solve warns and returns the long-time limit of the maximally mixed
    state; independent value: exp(L t) vec(1/d) by a matrix exponential at a time long
    compared with the slowest decay (regression: it was silently one of the two)."""
    from scipy.linalg import expm

    h = kron3(Z, Z, I2) + kron3(I2, Z, Z)
    couplings = (kron3(X, I2, I2), kron3(I2, X, I2), kron3(I2, I2, X))
    baths = tuple(qheat.DrudeBath(0.01, 40.0, t) for t in (1.0, 0.6, 0.3))
    system = qheat.OpenSystem(h, couplings, baths)
    for equation in (qheat.BlochRedfield(), qheat.GlobalLindblad()):
        liou = equation.generator(system).liouvillian()
        rates = np.sort(np.abs(np.linalg.eigvals(liou).real))
        assert rates[1] < 1e-12 < 1e-6 < rates[2]
        with pytest.warns(qheat.DegenerateSteadyStateWarning, match="not unique"):
            sol = qheat.solve(system, equation)
        rho0 = np.eye(8, dtype=complex).reshape(-1) / 8
        late = expm(liou * (60.0 / rates[2])) @ rho0
        np.testing.assert_allclose(sol.rho.T.reshape(-1), late, atol=1e-10)
        assert abs(float(sol.currents.sum())) <= 1e-10 * float(np.abs(sol.currents).sum())
