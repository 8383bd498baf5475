"""QuTiP's bosonic environments as qheat baths, and the new baths inside ``qheat.solve``.

Independent evidence: QuTiP's own ``power_spectrum`` (= 2 G) and ``spectral_density`` (= J for
w > 0) of each environment; QuTiP's exponential decompositions (Pade, Matsubara), whose
``sum_k c_k/(nu_k - i w)`` must converge to qheat's closed forms of ``G + i S``; QuTiP's
Bloch-Redfield tensor (``sec_cutoff=-1``, spectrum ``2 G``) and steady state for a qubit
between an ohmic and an underdamped bath; the laws that currents sum to zero and vanish at
equal temperatures.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pytest
import qutip
from qutip.core import environment as qe

from qheat.api import solve
from qheat.baths import (
    DrudeBath,
    ExponentialBath,
    OhmicBath,
    SpectralDensityBath,
    UnderdampedBath,
    from_qutip,
)
from qheat.errors import InvalidParameterError
from qheat.master import BlochRedfield, GlobalLindblad, unvec, vec
from qheat.model import OpenSystem

W = np.array([-6.0, -1.3, -0.2, 0.05, 0.7, 2.0, 9.0])

ENVIRONMENTS = [
    (qe.DrudeLorentzEnvironment(T=2.0, lam=0.3, gamma=1.5), DrudeBath),
    (qe.UnderDampedEnvironment(T=0.7, lam=0.5, gamma=0.4, w0=2.0), UnderdampedBath),
    (qe.OhmicEnvironment(T=1.2, alpha=0.05, wc=3.0, s=1.0), OhmicBath),
    (qe.OhmicEnvironment(T=1.2, alpha=0.05, wc=3.0, s=0.6), OhmicBath),
    (qe.OhmicEnvironment(T=0.4, alpha=0.05, wc=3.0, s=2.5), OhmicBath),
]


@pytest.mark.parametrize("env, kind", ENVIRONMENTS, ids=lambda x: getattr(x, "__name__", ""))
def test_power_spectrum_is_2g_and_j_agrees(env: Any, kind: type) -> None:
    """``2 G(w) = env.power_spectrum(w)`` for both signs, ``J(w) = env.spectral_density(w)``
    for w > 0: the parameter mapping of each environment."""
    bath = from_qutip(env)
    assert type(bath) is kind
    # 1e-9: QuTiP's (coth(w/2T) + 1) J loses digits where G is exponentially small (w < 0)
    np.testing.assert_allclose(2 * bath.G(W), env.power_spectrum(W), rtol=1e-9)
    pos = W[W > 0]
    np.testing.assert_allclose(bath.J(pos), env.spectral_density(pos), rtol=1e-12)
    np.testing.assert_allclose(bath.J(-pos), -bath.J(pos), rtol=0)


def test_drude_mapping_is_the_documented_one() -> None:
    """QuTiP's J = 2 lam g w/(g^2 + w^2) is qheat's gamma = 2 lam/g, omega_d = g."""
    bath = from_qutip(qe.DrudeLorentzEnvironment(T=2.0, lam=0.3, gamma=1.5))
    got = (float(bath.gamma), float(bath.omega_d), float(bath.temperature))
    assert got == pytest.approx((0.4, 1.5, 2.0), rel=1e-15)


def test_environment_from_spectral_density() -> None:
    """``BosonicEnvironment.from_spectral_density`` (J for w > 0 only) becomes an odd user
    bath; for a Drude J its G and S equal the Drude closed forms."""
    env = qe.BosonicEnvironment.from_spectral_density(
        lambda w: 0.02 * w / (1 + (w / 4.0) ** 2) * (w > 0), T=1.0, wMax=100.0
    )
    bath = from_qutip(env)
    assert isinstance(bath, SpectralDensityBath)
    drude = DrudeBath(0.02, 4.0, 1.0)
    np.testing.assert_allclose(bath.G(W), drude.G(W), rtol=1e-12)
    np.testing.assert_allclose(bath.S(W), drude.S(W), rtol=1e-9)
    np.testing.assert_allclose(2 * bath.G(W), env.power_spectrum(W), rtol=1e-6)
    with pytest.raises(InvalidParameterError, match="temperature"):
        from_qutip(qe.BosonicEnvironment.from_spectral_density(lambda w: w * (w > 0), wMax=9.0))


def test_pade_expansion_converges_to_drude_gamma() -> None:
    """Pade exponents of QuTiP's Drude environment: ``sum c_k/(nu_k - i w)`` converges to the
    closed-form ``G + i S`` (the sign convention of C(t) and of the Lamb shift)."""
    env = qe.DrudeLorentzEnvironment(T=2.0, lam=0.3, gamma=1.5)
    exact = from_qutip(env).Gamma(W)
    errors = []
    for nk in (4, 16, 100):
        approx = from_qutip(env.approximate("pade", Nk=nk))
        assert isinstance(approx, ExponentialBath)
        errors.append(np.max(np.abs(approx.Gamma(W) - exact) / np.abs(exact)))
    assert errors[0] > errors[1] > errors[2]
    assert errors[2] < 2e-9  # algebraic convergence, about Nk^-3.5
    approx = from_qutip(env.approximate("pade", Nk=100))
    np.testing.assert_allclose(approx.S(W), from_qutip(env).S(W), rtol=2e-9)
    np.testing.assert_allclose(
        2 * approx.G(W), env.approximate("pade", Nk=100).power_spectrum(W), rtol=1e-12
    )


def test_matsubara_expansion_converges_to_underdamped_closed_form() -> None:
    """Matsubara exponents of QuTiP's underdamped environment converge to the closed-form
    Gamma of Eq. B3 (the truncated tail falls as Nk^-3 in G, faster in S): an independent
    check of its digamma sum and of the sign of S."""
    env = qe.UnderDampedEnvironment(T=0.7, lam=0.5, gamma=0.4, w0=2.0)
    exact = from_qutip(env)
    size = np.max(np.abs(exact.Gamma(W)))
    errors = []
    for nk in (10, 40, 160):
        approx = from_qutip(env.approximate("matsubara", Nk=nk))
        errors.append(np.max(np.abs(approx.Gamma(W) - exact.Gamma(W))) / size)
    assert errors[0] > 30 * errors[1] > 900 * errors[2]
    assert errors[2] < 2e-10
    np.testing.assert_allclose(approx.S(W), exact.S(W), rtol=1e-10)


def test_exponential_bath_checks_its_input_and_refusals() -> None:
    with pytest.raises(InvalidParameterError, match="Re nu_k > 0"):
        ExponentialBath([1.0], [-1.0])
    with pytest.raises(InvalidParameterError, match="equal"):
        ExponentialBath([1.0, 2.0], [1.0])
    with pytest.raises(InvalidParameterError, match="bosonic"):
        from_qutip(qe.LorentzianEnvironment(T=1.0, mu=0.0, gamma=1.0, W=2.0))
    with pytest.raises(InvalidParameterError, match="bosonic"):
        from_qutip("drude")
    fitted = (qe.DrudeLorentzEnvironment(T=2.0, lam=0.3, gamma=1.5).approximate("pade", Nk=2), {})
    with pytest.raises(InvalidParameterError, match="first element"):
        from_qutip(fitted)


# ------------------------------------------------------------ the new baths inside qheat.solve

SX = np.array([[0, 1], [1, 0]], dtype=complex)
SZ = np.diag([1.0, -1.0]).astype(complex)
H = 0.5 * SZ + 0.15 * SX
COUPLINGS = (SX, 0.6 * SX + 0.8 * SZ)  # the second has diagonal elements: G(0) enters


def _qubit(t_ohmic: float, t_under: float) -> OpenSystem:
    return OpenSystem(
        hamiltonian=H,
        couplings=COUPLINGS,
        baths=(OhmicBath(0.02, 3.0, 1.0, t_ohmic), UnderdampedBath(0.03, 1.2, 0.5, t_under)),
        bath_names=("ohmic", "underdamped"),
    )


def _spectrum(bath: object) -> Callable[[float], float]:
    def spectrum(w: float) -> float:  # QuTiP's convention: one argument named w, 2 G(w)
        return 2.0 * float(bath.G(w))

    return spectrum


def test_qubit_between_ohmic_and_underdamped_baths() -> None:
    """Bloch-Redfield: currents sum to zero and flow from hot to cold. With S = 0 the lab
    Liouvillian equals QuTiP's Bloch-Redfield tensor (sec_cutoff=-1, spectrum 2 G: G(w) of
    both new baths at every Bohr frequency, G(0) included) element by element, the steady
    states agree, and Eqs. 21-23 on QuTiP's state give our currents."""
    system = _qubit(2.0, 0.5)
    full = solve(system, BlochRedfield())
    assert abs(float(full.J1 + full.J2)) <= 1e-12 * abs(float(full.J1))
    assert float(full.current("ohmic")) > 0  # from the hot ohmic bath into the system
    plain = solve(system, BlochRedfield(lamb_shift=False))
    h = qutip.Qobj(H)
    ops = [(qutip.Qobj(a), _spectrum(b)) for a, b in zip(COUPLINGS, system.baths)]
    tensor = qutip.bloch_redfield_tensor(h, ops, sec_cutoff=-1, fock_basis=True)
    ours = BlochRedfield(lamb_shift=False).generator(system).lab_liouvillian()
    np.testing.assert_allclose(ours, tensor.full(), rtol=0, atol=1e-13 * np.abs(ours).max())
    rho = qutip.steadystate(tensor).full()
    np.testing.assert_allclose(plain.state.rho_lab, rho, rtol=0, atol=1e-10)
    generator = plain.generator
    rho_eigen = system.eigensystem().to_eigen(rho)
    energy = generator.energy_operator
    for j, dissipator in enumerate(generator.dissipators):
        theirs = float(np.trace(energy @ unvec(dissipator @ vec(rho_eigen))).real)
        assert float(plain.currents[..., j]) == pytest.approx(theirs, rel=1e-8)
    assert float(plain.J1) != pytest.approx(float(full.J1), rel=1e-6)  # S matters here


def test_equal_temperatures_carry_no_current() -> None:
    """Global Lindblad (detailed balance) at T_ohmic = T_under: zero current, to round-off."""
    sol = solve(_qubit(0.8, 0.8), GlobalLindblad())
    assert abs(float(sol.J1)) <= 1e-14 and abs(float(sol.J2)) <= 1e-14
    assert abs(float(solve(_qubit(1.5, 0.8), GlobalLindblad()).J1)) > 1e-5


def test_batched_baths_and_qutip_baths_in_solve() -> None:
    """A temperature axis of ohmic baths solves elementwise as the scalar systems do; an
    exponential bath from QuTiP (Pade) solves next to a user bath (no shared stack)."""
    temps = np.array([0.5, 1.0, 3.0])
    system = OpenSystem(
        hamiltonian=H,
        couplings=COUPLINGS,
        baths=(OhmicBath(0.02, 3.0, 1.0, temps), UnderdampedBath(0.03, 1.2, 0.5, 0.5)),
    )
    batch = solve(system, BlochRedfield())
    for k, t in enumerate(temps):
        np.testing.assert_allclose(
            batch.currents[k], solve(_qubit(t, 0.5)).currents, rtol=1e-10, atol=1e-16
        )
    env = qe.DrudeLorentzEnvironment(T=1.0, lam=0.01, gamma=4.0)
    mixed = OpenSystem(
        hamiltonian=H,
        couplings=COUPLINGS,
        baths=(
            from_qutip(env.approximate("pade", Nk=30)),
            SpectralDensityBath(lambda w: 0.005 * w / (1 + (w / 4.0) ** 2), 1.0, scale=4.0),
        ),
    )
    sol = solve(mixed, BlochRedfield())
    drude = OpenSystem(
        hamiltonian=H, couplings=COUPLINGS, baths=(from_qutip(env), DrudeBath(0.005, 4.0, 1.0))
    )
    np.testing.assert_allclose(
        sol.currents, solve(drude, BlochRedfield()).currents, rtol=1e-6, atol=1e-15
    )
    hot = qe.DrudeLorentzEnvironment(T=3.0, lam=0.01, gamma=4.0)
    both = OpenSystem(
        hamiltonian=H,
        couplings=COUPLINGS,  # one class: stacked (BathStack)
        baths=tuple(from_qutip(e.approximate("pade", Nk=30)) for e in (hot, env)),
    )
    exact = OpenSystem(hamiltonian=H, couplings=COUPLINGS, baths=(from_qutip(hot), from_qutip(env)))
    np.testing.assert_allclose(
        solve(both, BlochRedfield()).currents, solve(exact, BlochRedfield()).currents, rtol=1e-6
    )
