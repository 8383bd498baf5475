"""The matrix-free engine of large devices (issue 22): operator form and Krylov steady state.

Independent evidence: the assembled Liouvillian of each equation (the dense path, itself
checked against Eqs. 9-12 and QuTiP), applied to random Hermitian matrices; the dense block
solve on random devices (several baths, Y terms, exact degeneracies); QuTiP's Bloch-Redfield
tensor at d = 32; at d = 256 the laws: currents that sum to zero, and the Gibbs state with no
current for the global Lindblad equation when every bath has one temperature.
"""

from __future__ import annotations

import warnings
from functools import reduce

import numpy as np
import pytest
import qutip
import scipy.linalg

import qheat
from qheat import (
    BlochRedfield,
    DrudeBath,
    GlobalLindblad,
    LocalLindblad,
    PartialSecular,
    UniversalLindblad,
)
from qheat.errors import ConvergenceError, InvalidParameterError
from qheat.master import Generator, unvec, vec
from qheat.master.equations import secular_ratio
from qheat.master.jump_form import PairJumps, cluster_jumps, secular_clusters, secular_pairs
from qheat.model import OpenSystem
from qheat.steady import krylov as krylov_module
from qheat.steady.krylov import pack, unpack

PAULI = {
    "I": np.eye(2),
    "X": np.array([[0, 1], [1, 0]]),
    "Y": np.array([[0, -1j], [1j, 0]]),
    "Z": np.diag([1.0, -1.0]),
}
EQUATIONS = [
    BlochRedfield(),
    BlochRedfield(lamb_shift=False),
    GlobalLindblad(),
    PartialSecular(cutoff=0.3),
    UniversalLindblad(),
    LocalLindblad(),
]


def string(label: str) -> np.ndarray:
    return reduce(np.kron, (PAULI[c] for c in label)).astype(complex)


def chain(n: int, delta: float, field: float, temperatures: tuple[float, float]) -> OpenSystem:
    """XXZ chain, field gradient, Drude baths on the end qubits' X (the issue's benchmark)."""
    ident = "I" * n

    def at(sites: dict[int, str]) -> str:
        return "".join(sites.get(k, "I") for k in range(n))

    h = sum(0.5 * (1 + field * k) * string(at({k: "Z"})) for k in range(n))
    for k in range(n - 1):
        for letter, scale in (("X", 0.25), ("Y", 0.25), ("Z", 0.25 * delta)):
            h = h + scale * string(at({k: letter, k + 1: letter}))
    assert len(ident) == n
    baths = tuple(DrudeBath(0.01, 10.0, t) for t in temperatures)
    return OpenSystem(
        h,
        (string(at({0: "X"})), string(at({n - 1: "X"}))),
        baths,
        bath_names=("left", "right"),
        subsystem_dims=(2,) * n,
    )


def random_device(seed: int, n_qubits: int = 3) -> OpenSystem:
    """Random Pauli-string Hamiltonian (X, Y, Z terms) with an exact degeneracy by symmetry
    (the ZZ term sets two levels equal when its partner vanishes), three baths."""
    rng = np.random.default_rng(seed)
    labels = ["".join(rng.choice(list("IXYZ"), n_qubits)) for _ in range(6)]
    h = sum(rng.normal() * string(label) for label in labels if label != "I" * n_qubits)
    h = h + string("Z" * n_qubits)  # a common term
    couplings = tuple(string("I" * k + "X" + "I" * (n_qubits - k - 1)) for k in range(n_qubits))
    couplings = couplings[:2] + (string("Y" + "I" * (n_qubits - 1)),)
    baths = tuple(DrudeBath(0.005 * (j + 1), 20.0, t) for j, t in enumerate((2.0, 1.0, 0.5)))
    return OpenSystem(h, couplings, baths, subsystem_dims=(2,) * n_qubits)


def hermitian(d: int, rng: np.random.Generator) -> np.ndarray:
    m = rng.normal(size=(d, d)) + 1j * rng.normal(size=(d, d))
    return (m + m.conj().T) / 2


def quiet(system: OpenSystem, equation: object, solver: str) -> qheat.Solution:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return qheat.solve(system, equation, solver=solver)  # type: ignore[arg-type]


# ----------------------------------------------------------------- the operator form
@pytest.mark.parametrize("equation", EQUATIONS, ids=lambda e: repr(e))
@pytest.mark.parametrize("seed", [1, 2])
def test_operator_form_applies_the_assembled_liouvillian(seed: int, equation: object) -> None:
    """L(x) = M + M^dag, D_j(x), the diagonal of L and the Pauli rates against the assembled
    superoperators, to 1e-13 of their size, on random Hermitian x."""
    system = random_device(seed)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        generator = equation.generator(system)  # type: ignore[attr-defined]
    form = generator.operator_form(0)
    liouvillian = generator.liouvillian()
    scale = np.abs(liouvillian).max()
    d = system.dim
    x = hermitian(d, np.random.default_rng(seed))
    assert np.abs(form.apply(x) - unvec(liouvillian @ vec(x))).max() <= 1e-13 * scale
    assert np.abs(form.dissipate(x) - generator.dissipate(x)).max() <= 1e-13 * scale
    diagonal = unvec(np.diagonal(liouvillian).copy())
    assert np.abs(form.diagonal() - diagonal).max() <= 1e-13 * scale
    populations = np.arange(d) * (d + 1)
    rates = liouvillian[np.ix_(populations, populations)].real
    np.fill_diagonal(rates, 0.0)
    assert np.abs(form.population_rates() - rates).max() <= 1e-13 * scale
    assert form.norm_bound() >= np.abs(liouvillian).sum(axis=1).max() * (1 - 1e-12)


def test_secular_clusters_equal_the_pairs_they_replace() -> None:
    """A secular selection's jumps as dense cluster terms equal its list of pairs, and the
    pairs are exactly those |w_ab - w_ce| <= cutoff with both coupled (brute force here)."""
    system = random_device(3)
    a, gamma = system.eigen_couplings[0], system.correlation_spectra[0]
    omega = system.bohr_frequencies
    pairs = secular_pairs(a, omega, 1e-9, 10**6)
    coupled = np.flatnonzero(a.ravel() != 0)
    w = omega.ravel()
    want = {(p, q) for p in coupled for q in coupled if abs(w[p] - w[q]) <= 1e-9}
    d = system.dim
    got = {(a_ * d + b, c * d + e) for a_, b, c, e in pairs.T}
    assert got == want
    clusters = secular_clusters(a, omega, 1e-9)
    x = hermitian(d, np.random.default_rng(0))
    by_pairs = PairJumps(a, gamma, pairs).half(x)
    assert np.abs(cluster_jumps(a, gamma, clusters).half(x) - by_pairs).max() < 1e-15
    with pytest.raises(ValueError, match="wider than the secular cutoff"):
        secular_clusters(a, np.where(a != 0, np.arange(d * d).reshape(d, d) * 0.1, 0.0), 0.15)


def test_secular_ratio_from_sorted_frequencies_equals_the_brute_force() -> None:
    """The smallest gap a secular selection drops, over the pairs of one bath, by brute force
    over every pair of coupled elements."""
    for seed in (4, 5):
        system = random_device(seed)
        couplings, spectra = system.bath_stack
        omega = system.bohr_frequencies
        for cutoff in (1e-9, 0.2):
            ratio = secular_ratio(couplings, spectra, omega, cutoff)
            smallest = np.inf
            w = omega.ravel()
            for a in couplings:
                coupled = np.flatnonzero(a.ravel() != 0)
                gaps = np.abs(w[coupled][:, None] - w[coupled][None, :])
                smallest = min(smallest, gaps[gaps > cutoff].min(initial=np.inf))
            rate = (2 * spectra.real * np.abs(couplings) ** 2).sum(axis=0).max()
            assert float(ratio) == pytest.approx(rate / smallest, rel=1e-14)


def test_pack_is_an_isometry_of_hermitian_matrices() -> None:
    x = hermitian(7, np.random.default_rng(1))
    assert np.abs(unpack(pack(x), 7) - x).max() < 1e-15
    assert np.linalg.norm(pack(x)) == pytest.approx(np.linalg.norm(x), rel=1e-14)


# ----------------------------------------------------------------- the Krylov steady state
@pytest.mark.parametrize("equation", EQUATIONS, ids=lambda e: repr(e))
@pytest.mark.parametrize("seed", [1, 2, 3])
def test_krylov_equals_the_dense_solve_on_random_devices(seed: int, equation: object) -> None:
    """Three baths, X and Y couplings, Y terms in H: state to 1e-10, currents to 1e-10 of the
    largest, the same diagnostics (smallest eigenvalue; the residual of the whole L)."""
    system = random_device(seed)
    dense = quiet(system, equation, "dense")
    krylov = quiet(system, equation, "krylov")
    assert krylov.state.solver == "krylov" and dense.state.solver == "dense"
    assert np.abs(krylov.rho - dense.rho).max() <= 1e-10
    scale = max(1e-10 * np.abs(dense.currents).max(), float(dense.current_floor))
    assert np.abs(krylov.currents - dense.currents).max() <= scale  # or both round-off
    assert float(krylov.min_eigenvalue) == pytest.approx(float(dense.min_eigenvalue), abs=1e-10)
    assert float(krylov.state.residual) < 1e-12
    assert np.isnan(krylov.state.condition_number) and 0 < int(krylov.state.iterations) < 200


def test_a_batch_is_solved_point_by_point_each_from_its_neighbour() -> None:
    """A batch of temperatures: every point equals its own solve; later points start from
    the previous state and need fewer iterations than the first."""
    t = np.linspace(1.0, 1.2, 4)
    system = chain(5, 1.0, 0.1, (2.0, 0.5))
    batched = system.with_baths((DrudeBath(0.01, 10.0, t), DrudeBath(0.01, 10.0, 0.5)))
    sol = quiet(batched, BlochRedfield(), "krylov")
    for i, ti in enumerate(t):
        single = system.with_baths((DrudeBath(0.01, 10.0, ti), DrudeBath(0.01, 10.0, 0.5)))
        one = quiet(single, BlochRedfield(), "dense")
        assert np.abs(sol.rho[i] - one.rho).max() < 1e-10
    assert sol.state.iterations[-1] < sol.state.iterations[0]


def test_krylov_against_qutip_bloch_redfield_at_d_32() -> None:
    """QuTiP 5's Bloch-Redfield tensor (non-secular, spectrum 2 G(w), no Lamb shift) and its
    steady state, for a five-qubit chain: qheat's matrix-free state to 1e-9."""
    system = chain(5, 0.5, 0.1, (2.0, 0.5))
    sol = quiet(system, BlochRedfield(lamb_shift=False), "krylov")
    h = qutip.Qobj(system.hamiltonian)

    def spectrum(bath: DrudeBath):  # type: ignore[no-untyped-def]
        def of(w: float) -> float:  # QuTiP wants exactly one argument named w: S = 2 G(w)
            return 2.0 * float(bath.G(w))

        return of

    ops = [[qutip.Qobj(a), spectrum(b)] for a, b in zip(system.couplings, system.baths)]
    tensor = qutip.bloch_redfield_tensor(h, ops, sec_cutoff=-1, fock_basis=True)
    rho = qutip.steadystate(tensor).full()
    assert np.abs(sol.state.rho_lab - rho).max() < 1e-9


def test_the_laws_at_d_256() -> None:
    """Eight qubits: Bloch-Redfield currents sum to zero; with both baths at T = 1 the global
    Lindblad state is the Gibbs state exp(-H/T)/Z (written out here) and carries no current."""
    system = chain(8, 1.0, 0.1, (2.0, 0.5))
    br = quiet(system, BlochRedfield(), "auto")
    assert br.state.solver == "krylov" and br.state.rho.shape == (256, 256)
    assert abs(float(br.currents.sum())) <= 1e-10 * np.abs(br.currents).max()
    assert float(br.current("left")) > 0 and not br.second_law_broken
    hot = chain(8, 1.0, 0.1, (1.0, 1.0))
    lindblad = quiet(hot, GlobalLindblad(lamb_shift=False), "auto")
    gibbs = scipy.linalg.expm(-hot.hamiltonian)
    gibbs /= np.trace(gibbs)
    assert np.abs(lindblad.state.rho_lab - gibbs).max() < 1e-10
    assert np.abs(lindblad.currents).max() < 1e-12


# ----------------------------------------------------------------- choices and failures
def test_solver_choices_and_refusals() -> None:
    system = random_device(1)
    with pytest.raises(InvalidParameterError, match="solver must be one of auto, dense, krylov"):
        qheat.solve(system, BlochRedfield(), solver="gmres")

    class Own:
        name = "own"

        def generator(self, s: OpenSystem) -> Generator:
            g = BlochRedfield().generator(s)
            return Generator("own", g.eigenbasis, g.hamiltonian, g.lamb_shift, tuple(g.dissipators))

    with pytest.raises(InvalidParameterError, match="operator form"):
        qheat.solve(system, Own(), solver="krylov")
    assert quiet(chain(5, 1.0, 0.1, (2.0, 0.5)), BlochRedfield(), "auto").state.solver == "krylov"
    assert quiet(chain(4, 1.0, 0.1, (2.0, 0.5)), BlochRedfield(), "auto").state.solver == "dense"


def test_a_solve_that_does_not_converge_is_an_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(krylov_module, "MAX_ITERATIONS", 2)
    monkeypatch.setattr(krylov_module, "RESTART", 2)
    with pytest.raises(ConvergenceError, match="did not converge in"):
        quiet(chain(5, 1.0, 0.1, (2.0, 0.5)), BlochRedfield(), "krylov")


def test_no_unique_steady_state_is_an_error_that_says_so() -> None:
    """A qubit no bath touches, coupled by ZZ only: its sz is conserved."""
    n = 5
    h = sum(0.5 * string("I" * k + "Z" + "I" * (n - k - 1)) for k in range(n))
    h = h + 0.3 * string("ZZIII") + 0.2 * (string("IXXII") + string("IIXXI") + string("IIIXX"))
    system = OpenSystem(
        h, (string("IXIII"), string("IIIIX")), (DrudeBath(0.01, 10, 1.0), DrudeBath(0.01, 10, 0.5))
    )
    with pytest.raises(ConvergenceError, match="no unique steady state"):
        quiet(system, BlochRedfield(), "krylov")
