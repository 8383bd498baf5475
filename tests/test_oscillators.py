"""Harmonic modes, transmons and resonators as sites (issue 23): validation against closed forms,
QuTiP, and convergence in the number of levels.

Independent evidence:

* a harmonic mode ``H = w0 n`` between two baths on ``x``: with the global Lindblad equation
  without Lamb shift the truncated rate equation is exact. Its populations are written here in
  closed form (a birth-death chain: ``p_{m+1}/p_m = q = sum_j k_j n_j / sum_j k_j (n_j + 1)``,
  ``k_j = 2 J_j(w0)``) and the current of the issue,
  ``J_j = w0 sum_m (m+1) k_j [n_j p_m - (n_j + 1) p_{m+1}]``, is summed here;
* the textbook current of the untruncated mode, ``kL kR / (kL + kR) w0 (nL - nR)``, reached
  as the levels grow, with the truncation error ``1 - J_L / J_inf = L p_top`` exactly (derived
  in docs/devices.md; both sides computed independently here);
* Bloch-Redfield without Lamb shift on a transmon plus a resonator against QuTiP's
  ``bloch_redfield_tensor`` + ``steadystate`` (spectra ``2 G(w)``, ``sec_cutoff=-1``; the
  conventions of tests/test_qutip_crosscheck.py), with operators built by ``np.kron`` here;
* the truncation warning: a 3-level mode at ``n_bar = 4.5`` (whose top level then holds the
  truncated-geometric ``q^2 / (1 + q + q^2) = 0.269``) warns, a converged one does not.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable

import numpy as np
import pytest
import qutip

import qheat
from qheat.baths import DrudeBath, OhmicBath
from qheat.devices import parse_device
from qheat.errors import TruncationWarning
from qheat.steady.truncation import TRUNCATION_WARN, top_level_populations


def lowering(levels: int) -> np.ndarray:
    return np.diag(np.sqrt(np.arange(1, levels)), 1).astype(complex)


def bose(w: float, t: float) -> float:
    return 1.0 / np.expm1(w / t)


W0 = 1.3
HOT = DrudeBath(gamma=0.004, omega_d=30.0, temperature=1.1)
COLD = DrudeBath(gamma=0.002, omega_d=30.0, temperature=0.4)


def oscillator(levels: int, hot: DrudeBath = HOT, cold: DrudeBath = COLD) -> qheat.OpenSystem:
    a = lowering(levels)
    x = a + a.conj().T
    return qheat.OpenSystem(
        W0 * a.conj().T @ a,
        (x, x),
        (hot, cold),
        bath_names=("hot", "cold"),
        subsystem_dims=(levels,),
        site_names=("r",),
        truncated_sites=("r",),
    )


def rate_equation_current(levels: int) -> tuple[np.ndarray, np.ndarray]:
    """The truncated rate equation in closed form: populations and the issue's currents."""
    k = [2.0 * float(b.J(W0)) for b in (HOT, COLD)]
    n = [bose(W0, float(b.temperature)) for b in (HOT, COLD)]
    q = (k[0] * n[0] + k[1] * n[1]) / (k[0] * (n[0] + 1) + k[1] * (n[1] + 1))
    p = q ** np.arange(levels)
    p /= p.sum()
    currents = [
        W0 * sum((m + 1) * kj * (nj * p[m] - (nj + 1) * p[m + 1]) for m in range(levels - 1))
        for kj, nj in zip(k, n)
    ]
    return p, np.array(currents)


def textbook_current() -> float:
    k = [2.0 * float(b.J(W0)) for b in (HOT, COLD)]
    n = [bose(W0, float(b.temperature)) for b in (HOT, COLD)]
    return k[0] * k[1] / (k[0] + k[1]) * W0 * (n[0] - n[1])


@pytest.mark.parametrize("levels", [2, 3, 5, 8])
def test_truncated_mode_lindblad_is_the_closed_form_rate_equation(levels: int) -> None:
    """Global Lindblad without Lamb shift on ``w0 n`` with baths on ``x``: the steady state is
    the closed-form truncated geometric distribution, the currents the issue's sum."""
    system = oscillator(levels)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", TruncationWarning)  # the point is the truncated model
        sol = qheat.solve(system, qheat.GlobalLindblad(lamb_shift=False))
    p, currents = rate_equation_current(levels)
    np.testing.assert_allclose(np.real(np.diag(sol.state.rho_lab)), p, rtol=0, atol=1e-13)
    np.testing.assert_allclose(sol.currents, currents, rtol=1e-10, atol=0)
    assert abs(currents.sum()) < 1e-15 * abs(currents).max()  # energy conservation


def test_levels_converge_to_the_textbook_current_with_error_levels_times_top() -> None:
    """The current converges in ``levels`` to ``kL kR/(kL+kR) w0 (nL - nR)``; at every
    truncation its relative error is exactly ``L p_top`` (docs/devices.md), which is also what
    the truncation diagnostic reports."""
    exact = textbook_current()
    errors, tops = [], []
    for levels in (3, 5, 8, 12, 18, 26, 36):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", TruncationWarning)
            sol = qheat.solve(oscillator(levels), qheat.GlobalLindblad(lamb_shift=False))
        top = float(top_level_populations(oscillator(levels), sol.state)["r"])
        error = 1.0 - float(sol.current("hot")) / exact
        assert error == pytest.approx(levels * top, rel=1e-8, abs=1e-12)  # round-off 2e-14
        errors.append(error)
        tops.append(top)
    resolved = [e for e in errors if e > 1e-12]
    assert all(b < a for a, b in zip(resolved, resolved[1:])) and len(resolved) >= 5
    assert errors[0] > 0.1 and abs(errors[-1]) < 1e-12  # from 3 levels (12%) to converged
    assert tops[-1] < 1e-13


def _qutip_spectrum(bath: DrudeBath) -> Callable[[float], float]:
    def spectrum(w: float) -> float:  # QuTiP: one argument named w; S_QuTiP = 2 G
        return 2.0 * float(bath.G(w))

    return spectrum


@pytest.mark.parametrize(("levels_q", "levels_r"), [(3, 5), (4, 9)])
def test_transmon_and_resonator_bloch_redfield_equals_qutip(levels_q: int, levels_r: int) -> None:
    """A transmon (Duffing, ``wq n - alpha/2 n(n-1)``) coupled through ``x x`` to a resonator,
    the resonator damped by a hot bath and the transmon by a cold one: qheat's Bloch-Redfield
    without Lamb shift equals QuTiP's (d = 12 dense, d = 36 matrix-free)."""
    wq, alpha, wr, g = 5.0, 0.3, 5.6, 0.08
    device = parse_device(f"""
[device]
sites = [{{name = "q", levels = {levels_q}}}, {{name = "r", levels = {levels_r}}}]
hamiltonian = [[{wq}, "q:n"], [{-alpha / 2}, "q:n q:n"], [{alpha / 2}, "q:n"],
               [{wr}, "r:n"], [{g}, "q:x r:x"]]
[[baths]]
name = "hot"
coupling = "r:x"
spectral_density = "drude"
gamma = 0.01
omega_d = 40.0
t = 3.0
[[baths]]
name = "cold"
coupling = "q:x"
spectral_density = "drude"
gamma = 0.005
omega_d = 40.0
t = 1.0
""")
    aq, ar = lowering(levels_q), lowering(levels_r)
    iq, ir = np.eye(levels_q), np.eye(levels_r)
    nq = aq.conj().T @ aq
    h = (
        np.kron(wq * nq - alpha / 2 * nq @ (nq - iq), ir)
        + np.kron(iq, wr * ar.conj().T @ ar)
        + g * np.kron(aq + aq.conj().T, ar + ar.conj().T)
    )
    couplings = (np.kron(iq, ar + ar.conj().T), np.kron(aq + aq.conj().T, ir))
    system = device.system()
    np.testing.assert_allclose(system.hamiltonian, h, rtol=0, atol=1e-14)
    for ours, theirs in zip(system.couplings, couplings):
        np.testing.assert_allclose(ours, theirs, rtol=0, atol=1e-14)
    sol = qheat.solve(system, qheat.BlochRedfield(lamb_shift=False))
    dims = [[levels_q, levels_r], [levels_q, levels_r]]
    a_ops = [
        (qutip.Qobj(a, dims=dims), _qutip_spectrum(b)) for a, b in zip(couplings, system.baths)
    ]
    tensor = qutip.bloch_redfield_tensor(
        qutip.Qobj(h, dims=dims), a_ops, sec_cutoff=-1, fock_basis=True
    )
    rho_lab = qutip.steadystate(tensor).full()
    np.testing.assert_allclose(sol.state.rho_lab, rho_lab, rtol=0, atol=1e-8)
    energy = sol.generator.energy_operator
    rho_eigen = system.eigensystem().to_eigen(rho_lab)
    d = system.dim
    for j, ours in enumerate(sol.currents):
        d_rho = sol.generator.dissipate(rho_eigen)[j]
        theirs = float(np.trace(energy @ d_rho).real)
        assert float(ours) == pytest.approx(theirs, rel=1e-6)
    assert d == levels_q * levels_r and float(sol.current("hot")) > 0


def test_a_three_level_mode_at_nbar_4_5_warns_and_a_converged_one_does_not() -> None:
    """Both baths at ``n_bar = 4.5``: the steady state is the truncated thermal state, its top
    level ``q^2 / (1 + q + q^2)`` with ``q = n/(n+1)`` (0.269 for 3 levels): a
    ``TruncationWarning`` naming the site and the advice; 60 levels: no warning."""
    nbar = 4.5
    t = W0 / np.log1p(1.0 / nbar)
    baths = (DrudeBath(0.004, 30.0, t), DrudeBath(0.002, 30.0, t))
    q = nbar / (nbar + 1)
    with pytest.warns(TruncationWarning, match=r"site 'r' \(levels = 3\).*raise levels") as caught:
        sol = qheat.solve(oscillator(3, *baths), qheat.GlobalLindblad(lamb_shift=False))
    assert len(caught) == 1
    top = float(top_level_populations(oscillator(3, *baths), sol.state)["r"])
    assert top == pytest.approx(q**2 / (1 + q + q**2), rel=1e-12)
    assert top > TRUNCATION_WARN
    with warnings.catch_warnings():
        warnings.simplefilter("error", TruncationWarning)
        sol = qheat.solve(oscillator(60, *baths), qheat.GlobalLindblad(lamb_shift=False))
    assert float(top_level_populations(oscillator(60, *baths), sol.state)["r"]) < TRUNCATION_WARN


def test_truncation_is_checked_only_for_the_sites_listed_as_truncated() -> None:
    """The same hot 3-level mode without ``truncated_sites`` (a spin-1, say) does not warn;
    a device's 2-level sites are not truncated unless they say so."""
    hot = (OhmicBath(0.004, 30.0, 1.0, 20.0), OhmicBath(0.004, 30.0, 1.0, 20.0))
    a = lowering(3)
    x = a + a.conj().T
    plain = qheat.OpenSystem(W0 * a.conj().T @ a, (x, x), hot, subsystem_dims=(3,))
    with warnings.catch_warnings():
        warnings.simplefilter("error", TruncationWarning)
        qheat.solve(plain, qheat.GlobalLindblad(lamb_shift=False))
    text = """
[device]
sites = [{name = "s", levels = 2}, {name = "m", levels = 2, truncated = true}]
hamiltonian = [[1.0, "s:Z"], [1.3, "m:n"], [0.1, "s:X m:x"]]
[[baths]]
name = "hot"
coupling = "m:x"
spectral_density = "drude"
gamma = 0.01
omega_d = 30.0
t = 20.0
"""
    system = parse_device(text).system()
    assert system.truncated_sites == ("m",) and system.site_names == ("s", "m")
    with pytest.warns(TruncationWarning, match="site 'm'") as caught:
        qheat.solve(system, qheat.BlochRedfield())
    assert "site 's'" not in str(caught[0].message)
