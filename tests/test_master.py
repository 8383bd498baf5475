"""Master equations and steady states (paper Eqs. 8-12, 18-19, A14-A16, Appendix B).

Independent values: the generators built here term by term from Eqs. 9-12 / A14-A15 with
the paper's eigenoperators (not the elementwise kernel of ``pair_kernel``), the analytic
thermal qubit (docs/theory.md Eq. T13), the zeroth-order populations and the second-order
coherences of Appendix B written out here, the Gibbs state, and the golden values.
Derivations and tolerances: ``tests/README.md``.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable

import numpy as np
import pytest
from numpy.typing import NDArray

from qheat.api import paper_system, solve
from qheat.baths import DrudeBath
from qheat.errors import NonUniqueSteadyStateError, PositivityWarning
from qheat.master import BlochRedfield, GlobalLindblad, MasterEquation
from qheat.master.equations import bohr_gaps
from qheat.master.pair_kernel import spectral_pair_terms
from qheat.model import OpenSystem, TwoQubitModel

from golden import golden_points

CArray = NDArray[np.complex128]
Spectrum = Callable[[float], complex]


def _superop(x: CArray, y: CArray) -> CArray:
    """``rho -> X rho Y`` on column-stacked vectors: ``Y^T kron X``."""
    return np.kron(y.T, x)


def _paper_generator(
    model: TwoQubitModel, baths: tuple[DrudeBath, DrudeBath], secular: bool, lamb_shift: bool
) -> tuple[CArray, list[CArray]]:
    """``H_LS`` and ``L_j`` in the eigenbasis from Eqs. 9-12 (or A14-A15 if ``secular``).

    Sums over the four frequencies ``w in {w1, -w1, w2, -w2}`` of each bath with
    ``V_j(-w) = V_j(w)^dag``, ``gamma_j(w, w') = Gamma(w) + Gamma*(w')`` and
    ``xi_j(w, w') = (Gamma(w) - Gamma*(w'))/2i``; ``lamb_shift=False`` means ``Gamma = G``.
    """
    ops = model.eigenoperators()
    eye = np.eye(4, dtype=complex)
    h_ls = np.zeros((4, 4), dtype=complex)
    dissipators = []
    for j, bath in ((1, baths[0]), (2, baths[1])):
        freq = []
        for mu, w in ((1, float(model.omega1)), (2, float(model.omega2))):
            freq += [(w, ops[(j, mu)]), (-w, ops[(j, mu)].conj().T)]

        def gamma_of(w: float, b: DrudeBath = bath) -> complex:
            return complex(b.G(w) + (1j * b.S(w) if lamb_shift else 0.0))

        lj = np.zeros((16, 16), dtype=complex)
        for w, v in freq:
            for wp, vp in freq:
                if secular and w != wp:
                    continue
                gw, gwp = gamma_of(w), np.conj(gamma_of(wp))
                vpd = vp.conj().T
                h_ls += (gw - gwp) / 2j * (vpd @ v)
                anti = vpd @ v
                lj += (gw + gwp) * (
                    _superop(v, vpd) - 0.5 * (_superop(anti, eye) + _superop(eye, anti))
                )
        dissipators.append(lj)
    return h_ls, dissipators


def _random_point(seed: int) -> tuple[TwoQubitModel, tuple[DrudeBath, DrudeBath]]:
    rng = np.random.default_rng(seed)
    e1, e2 = rng.uniform(1.0, 8.0, 2)
    g = rng.uniform(-1.0, 1.0)
    wd = rng.uniform(5.0, 100.0)
    g1, g2 = rng.uniform(0.001, 0.03, 2)
    t1, t2 = rng.uniform(0.3, 40.0, 2)
    return TwoQubitModel(e1, e2, g), (DrudeBath(g1, wd, t1), DrudeBath(g2, wd, t2))


@pytest.mark.parametrize("lamb_shift", [True, False])
@pytest.mark.parametrize("equation_type", [BlochRedfield, GlobalLindblad])
@pytest.mark.parametrize("seed", range(4))
def test_generator_equals_eqs_9_to_12(equation_type: type, lamb_shift: bool, seed: int) -> None:
    """The generator equals Eqs. 8-12 (BR) or A14-A15 (Lindblad) built from V_j(w) here."""
    model, baths = _random_point(seed)
    equation: MasterEquation = equation_type(lamb_shift=lamb_shift)
    gen = equation.generator(model.open_system(*baths))
    h_ls, dissipators = _paper_generator(
        model, baths, secular=equation.name == "lindblad", lamb_shift=lamb_shift
    )
    rate = max(float(np.abs(d).max()) for d in dissipators)
    np.testing.assert_allclose(
        gen.lamb_shift, h_ls, rtol=0, atol=1e-13 * max(rate, np.abs(h_ls).max())
    )
    for got, want in zip(gen.dissipators, dissipators):
        np.testing.assert_allclose(got, want, rtol=0, atol=1e-13 * rate)
    h = np.diag(model.eigenbasis().energies).astype(complex) + h_ls
    eye = np.eye(4, dtype=complex)
    full = -1j * (_superop(h, eye) - _superop(eye, h)) + sum(dissipators)
    np.testing.assert_allclose(gen.liouvillian(), full, rtol=0, atol=1e-13 * np.abs(full).max())


@pytest.mark.parametrize("equation", [BlochRedfield(), GlobalLindblad()], ids=lambda e: e.name)
@pytest.mark.parametrize("seed", range(4))
def test_generator_preserves_trace_and_hermiticity(equation: MasterEquation, seed: int) -> None:
    """``Tr L(rho) = 0`` (Eq. 21 relies on it) and ``L(rho^dag) = L(rho)^dag`` for any rho."""
    model, baths = _random_point(seed)
    liou = equation.generator(model.open_system(*baths)).liouvillian()
    trace_row = np.eye(4).reshape(16)  # vec(1)^T: picks the diagonal of a column-stacked rho
    np.testing.assert_allclose(trace_row @ liou, 0.0, atol=1e-14 * np.abs(liou).max())
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(4, 4)) + 1j * rng.normal(size=(4, 4))
    lx = (liou @ x.T.reshape(16)).reshape(4, 4).T
    lxd = (
        (liou @ x.conj().reshape(16)).reshape(4, 4).T
    )  # x^dag column-stacked = conj(x) row-stacked
    np.testing.assert_allclose(lxd, lx.conj().T, atol=1e-13 * np.abs(liou).max())


@pytest.mark.parametrize(
    "equation",
    [BlochRedfield(), GlobalLindblad(), BlochRedfield(lamb_shift=False)],
    ids=["br", "lindblad", "br-no-ls"],
)
@pytest.mark.parametrize("seed", range(6))
def test_steady_state_is_a_trace_one_hermitian_null_vector(
    equation: MasterEquation, seed: int
) -> None:
    """Trace 1, Hermitian, ``L rho = 0``, positive at weak coupling, lab = U rho U^dag."""
    model, baths = _random_point(seed)
    sol = solve(model.open_system(*baths), equation)
    rho = sol.rho
    assert np.trace(rho) == pytest.approx(1.0, abs=1e-14)
    np.testing.assert_allclose(rho, rho.conj().T, rtol=0, atol=1e-14)
    liou = sol.generator.liouvillian()
    assert np.abs(liou @ rho.T.reshape(16)).max() <= 1e-14 * np.abs(liou).max()
    assert sol.state.residual <= 1e-14
    assert np.linalg.eigvalsh(rho).min() > -1e-12
    assert float(sol.min_eigenvalue) == pytest.approx(np.linalg.eigvalsh(rho).min(), abs=1e-15)
    u = model.eigenbasis().vectors
    np.testing.assert_allclose(sol.state.rho_lab, u @ rho @ u.conj().T, atol=1e-15)
    # Eq. 18: only the primary and secondary diagonals are populated
    outside = np.ones((4, 4), dtype=bool)
    outside[np.arange(4), np.arange(4)] = outside[np.arange(4), 3 - np.arange(4)] = False
    assert np.abs(rho[outside]).max() <= 1e-15


def _tilde(model: TwoQubitModel, f1: Spectrum, f2: Spectrum) -> Spectrum:
    """Appendix B: ``F~_+(w) = F~_1(w) + F~_2(w)`` with the sin^2/cos^2 weights, w = +-w1, +-w2."""
    pp, pm, w1 = float(model.phi_plus), float(model.phi_minus), float(model.omega1)

    def f(w: float) -> complex:
        at_w1 = abs(abs(w) - w1) < 1e-12
        c1 = np.sin(pp) ** 2 if at_w1 else np.cos(pp) ** 2
        c2 = np.cos(pm) ** 2 if at_w1 else np.sin(pm) ** 2
        return complex(c1 * f1(w) + c2 * f2(w))

    return f


def _bar(model: TwoQubitModel, f1: Spectrum, f2: Spectrum, sign: int) -> Spectrum:
    """Appendix B: ``F-bar_+- = F_1 sin phi+ cos phi+ +- F_2 sin phi- cos phi-``."""
    pp, pm = float(model.phi_plus), float(model.phi_minus)
    return lambda w: complex(
        f1(w) * np.sin(pp) * np.cos(pp) + sign * f2(w) * np.sin(pm) * np.cos(pm)
    )


def _rho_pd0(model: TwoQubitModel, baths: tuple[DrudeBath, DrudeBath]) -> NDArray[np.float64]:
    """Appendix B, rho_pd^(0) = diag(G~(-w1)G~(-w2), G~(w1)G~(-w2), G~(-w1)G~(w2), G~(w1)G~(w2))/N."""
    g = _tilde(model, lambda w: complex(baths[0].G(w)), lambda w: complex(baths[1].G(w)))
    w1, w2 = float(model.omega1), float(model.omega2)
    n = (g(w1) + g(-w1)) * (g(w2) + g(-w2))
    return np.real(np.array([g(-w1) * g(-w2), g(w1) * g(-w2), g(-w1) * g(w2), g(w1) * g(w2)]) / n)


@pytest.mark.parametrize("lamb_shift", [True, False])
@pytest.mark.parametrize("seed", range(6))
def test_lindblad_state_is_appendix_b_zeroth_order(seed: int, lamb_shift: bool) -> None:
    """Global Lindblad steady state = rho_pd^(0) of Appendix B (no coherences), exactly."""
    model, baths = _random_point(seed)
    sol = solve(model.open_system(*baths), GlobalLindblad(lamb_shift=lamb_shift))
    np.testing.assert_allclose(sol.state.populations, _rho_pd0(model, baths), rtol=1e-12, atol=0)
    assert np.abs(sol.rho - np.diag(np.diag(sol.rho))).max() <= 1e-15


def _b4_b5(model: TwoQubitModel, baths: tuple[DrudeBath, DrudeBath]) -> tuple[complex, complex]:
    """Eqs. B4-B5: ``rho14 = sum_i M_ii(1,4) rho_ii^(0) / 2i beta``, ``rho23`` likewise with alpha."""
    w1, w2 = float(model.omega1), float(model.omega2)
    gp = _bar(model, lambda w: complex(baths[0].G(w)), lambda w: complex(baths[1].G(w)), +1)
    sp = _bar(model, lambda w: complex(baths[0].S(w)), lambda w: complex(baths[1].S(w)), +1)
    gm = _bar(model, lambda w: complex(baths[0].G(w)), lambda w: complex(baths[1].G(w)), -1)
    sm = _bar(model, lambda w: complex(baths[0].S(w)), lambda w: complex(baths[1].S(w)), -1)
    i = 1j
    m14 = [
        gp(w2) - gp(w1) + i * sp(w1) - i * sp(w2),
        gp(-w1) + gp(w2) + i * sp(-w1) - i * sp(w2),
        -gp(w1) - gp(-w2) + i * sp(w1) - i * sp(-w2),
        gp(-w1) - gp(-w2) + i * sp(-w1) - i * sp(-w2),
    ]
    m23 = [
        gm(w1) + gm(w2) + i * sm(w1) - i * sm(w2),
        gm(w2) - gm(-w1) + i * sm(-w1) - i * sm(w2),
        gm(w1) - gm(-w2) + i * sm(w1) - i * sm(-w2),
        -gm(-w1) - gm(-w2) + i * sm(-w1) - i * sm(-w2),
    ]
    p0 = _rho_pd0(model, baths)
    return complex(np.dot(m14, p0) / (2j * model.beta)), complex(
        np.dot(m23, p0) / (2j * model.alpha)
    )


def test_br_coherences_are_appendix_b_second_order() -> None:
    """BR rho14, rho23 = Eqs. B4-B5 up to O(gamma^2): the error falls 100x per decade of gamma."""
    errors = []
    for gamma in (1e-4, 1e-3):
        model = TwoQubitModel(5.0, 4.0, 0.5)
        baths = (DrudeBath(gamma, 50.0, 15.0), DrudeBath(0.7 * gamma, 50.0, 5.0))
        rho = solve(model.open_system(*baths)).rho
        r14, r23 = _b4_b5(model, baths)
        assert abs(rho[0, 3] - r14) <= 0.03 * abs(r14)  # first order: agree to O(gamma)
        assert abs(rho[1, 2] - r23) <= 0.03 * abs(r23)
        errors.append(max(abs(rho[0, 3] - r14), abs(rho[1, 2] - r23)))
    slope = np.log10(errors[1] / errors[0])
    assert slope == pytest.approx(2.0, abs=0.1)


def test_br_populations_tend_to_appendix_b_zeroth_order() -> None:
    """BR populations = rho_pd^(0) + O(gamma) (Eq. B3): error/gamma constant as gamma -> 0."""
    model = TwoQubitModel(5.0, 4.0, 0.5)
    ratios = []
    for gamma in (1e-5, 1e-4):
        baths = (DrudeBath(gamma, 50.0, 15.0), DrudeBath(gamma, 50.0, 5.0))
        pops = solve(model.open_system(*baths)).state.populations
        ratios.append(np.abs(pops - _rho_pd0(model, baths)).max() / gamma)
    # constant (0.071 here) plus O(gamma): the two ratios differ by ~0.5%
    assert ratios[0] == pytest.approx(ratios[1], rel=0.02)


def test_single_bath_br_populations_tend_to_gibbs() -> None:
    """gamma2 = 0 (Eq. 19): BR populations -> exp(-H/T1)/Z as gamma1 -> 0, error ~ gamma1."""
    model = TwoQubitModel(5.0, 4.0, 1.0)
    t = 4.0
    energies = model.eigenbasis().energies
    gibbs = np.exp(-(energies - energies.min()) / t)
    gibbs /= gibbs.sum()
    errors = []
    gammas = (1e-5, 1e-4, 1e-3)
    for gamma in gammas:
        baths = (DrudeBath(gamma, 50.0, t), DrudeBath(0.0, 50.0, t))
        errors.append(np.abs(solve(model.open_system(*baths)).state.populations - gibbs).max())
    slope = np.polyfit(np.log10(gammas), np.log10(errors), 1)[0]
    assert slope == pytest.approx(1.0, abs=0.05)
    assert errors[0] < 1e-4
    # the global Lindblad equation gives the Gibbs state exactly
    lind = solve(
        model.open_system(DrudeBath(1e-2, 50.0, t), DrudeBath(0.0, 50.0, t)), GlobalLindblad()
    )
    np.testing.assert_allclose(np.diag(lind.rho).real, gibbs, rtol=1e-12)


def test_thermal_qubit_lindblad_spectrum() -> None:
    """General path, d = 2, H = w0/2 sz, A = sx (theory Eq. T13): the Lindblad Liouvillian has
    eigenvalues 0, -Gamma1 and -Gamma1/2 +- i (w0 + S(w0) - S(-w0)), Gamma1 = 2 (G(w0) + G(-w0))."""
    w0 = 3.0
    bath = DrudeBath(0.02, 20.0, 1.7)
    sz = np.diag([-1.0, 1.0]).astype(complex)
    sx = np.array([[0, 1], [1, 0]], dtype=complex)
    system = OpenSystem(w0 / 2 * sz, (sx,), (bath,))
    eig = np.linalg.eigvals(GlobalLindblad().generator(system).liouvillian())
    g1 = 2 * float(bath.G(w0) + bath.G(-w0))
    shifted = w0 + float(bath.S(w0) - bath.S(-w0))
    want = np.array([0.0, -g1, -g1 / 2 + 1j * shifted, -g1 / 2 - 1j * shifted])
    key = lambda z: (round(z.real, 9), z.imag)  # noqa: E731
    np.testing.assert_allclose(sorted(eig, key=key), sorted(want, key=key), atol=1e-13)
    # its steady state is the Gibbs state of H_S
    sol = solve(system, GlobalLindblad())
    p_up = 1.0 / (1.0 + np.exp(w0 / 1.7))
    np.testing.assert_allclose(np.diag(sol.state.rho_lab).real, [1 - p_up, p_up], rtol=1e-12)


def test_no_coupled_bath_has_no_unique_steady_state() -> None:
    """gamma1 = gamma2 = 0: L = -i[H, .] has a 4-dimensional kernel; the solver refuses."""
    with pytest.raises(NonUniqueSteadyStateError):
        solve(paper_system(5.0, 4.0, 0.5, 0.0, 0.0, 50.0, 10.0, 5.0))


def test_positivity_warning_when_redfield_state_is_not_positive() -> None:
    """Outside weak coupling (gamma = 0.1 at T = 0.01) the Redfield state has a negative
    eigenvalue; the solver warns and reports it (the value is eigvalsh of its rho)."""
    with pytest.warns(PositivityWarning):
        sol = solve(paper_system(5.0, 4.0, 0.5, 0.1, 0.1, 50.0, 0.01, 0.01))
    smallest = np.linalg.eigvalsh(sol.rho).min()
    assert smallest < -1e-12
    assert float(sol.min_eigenvalue) == pytest.approx(smallest, abs=1e-15)
    with warnings.catch_warnings():
        warnings.simplefilter("error", PositivityWarning)
        solve(paper_system(5.0, 4.0, 0.5, 0.1, 0.1, 50.0, 0.01, 0.01), GlobalLindblad())


def test_batched_solve_equals_pointwise() -> None:
    """Leading batch axes: a (2, 3) grid of (g, T1) solves like six single points."""
    g = np.array([[0.25], [0.75]])
    t1 = np.array([5.0, 10.0, 20.0])
    sol = solve(paper_system(5.0, 4.0, g, 0.01, 0.01, 50.0, t1, 5.0))
    assert sol.rho.shape == (2, 3, 4, 4) and sol.currents.shape == (2, 3, 2)
    assert sol.state.residual.shape == (2, 3) and sol.min_eigenvalue.shape == (2, 3)
    for i, k in np.ndindex(2, 3):
        one = solve(paper_system(5.0, 4.0, float(g[i, 0]), 0.01, 0.01, 50.0, float(t1[k]), 5.0))
        np.testing.assert_allclose(sol.rho[i, k], one.rho, atol=1e-15)
        np.testing.assert_allclose(sol.currents[i, k], one.currents, rtol=1e-13, atol=1e-18)


@pytest.mark.parametrize("equation", [BlochRedfield(), GlobalLindblad()], ids=lambda e: e.name)
def test_golden_states(equation: MasterEquation) -> None:
    """rho14, rho23 and the populations of every golden point to 1e-10 absolute."""
    for point in golden_points():
        sol = solve(paper_system(**point["params"]), equation)
        want = point[equation.name]
        r14, r23 = want["rho14"], want["rho23"]
        assert abs(sol.rho[0, 3] - complex(r14[0], r14[1])) <= 1e-10
        assert abs(sol.rho[1, 2] - complex(r23[0], r23[1])) <= 1e-10
        np.testing.assert_allclose(sol.state.populations, want["populations"], rtol=0, atol=1e-10)


@pytest.mark.parametrize("cutoff", [1e-9, 0.3, 2.0])
def test_secular_closure_shortcut_equals_the_general_contraction(cutoff: float) -> None:
    """K with a secular mask: ``K_all * (|w_db| <= cutoff)`` equals the general masked sum
    ``sum_a M_{ab,ad} (Gamma o A)_ab A*_ad`` (a random 5-level system with a degenerate pair)."""
    rng = np.random.default_rng(7)
    energies = np.array([0.0, 0.4, 0.4, 1.1, 2.9])
    u = np.linalg.qr(rng.normal(size=(5, 5)) + 1j * rng.normal(size=(5, 5)))[0]
    a = rng.normal(size=(5, 5)) + 1j * rng.normal(size=(5, 5))
    system = OpenSystem(
        hamiltonian=u @ np.diag(energies) @ u.conj().T,
        couplings=(a + a.conj().T,),
        baths=(DrudeBath(0.02, 10.0, 1.5),),
    )
    coupling, spectra = system.bath_stack
    omega = system.bohr_frequencies
    mask = bohr_gaps(omega) <= cutoff
    general = spectral_pair_terms(coupling, spectra, mask)
    shortcut = spectral_pair_terms(coupling, spectra, mask, np.abs(omega) <= cutoff)
    for got, want in zip(shortcut, general):
        np.testing.assert_allclose(got, want, rtol=0, atol=1e-15)
