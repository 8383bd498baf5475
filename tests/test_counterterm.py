"""The counterterm ``lambda_j A_j^2`` (issue 23) against closed forms.

Independent evidence:

* the reorganization energy ``lambda = (1/pi) int_0^inf J(w)/w dw`` by ``scipy.integrate.quad``
  of each ``J`` here, and its closed forms (Drude ``gamma omega_d / 2``, ohmic
  ``gamma omega_c Gamma(s) / pi``, underdamped ``gamma omega_0^2 / (2 width)``);
* a device's ``counterterm = true`` adds exactly ``lambda A^2`` (matrices written here);
* an oscillator ``w0 n`` coupled through ``x``: ``w0 n + lambda x^2`` is the oscillator of
  frequency ``Omega = sqrt(w0^2 + 4 lambda w0)`` (``x = sqrt(2) X``); the Drude Lamb shift's even
  part is ``S(w) + S(-w) = -gamma omega_d^3 / (omega_d^2 + w^2)`` at every temperature
  (docs/baths.md derives both), so the first transition of ``H_S + H_LS`` of the global
  Lindblad equation is ``w0 + S(w0) + S(-w0)`` without the counterterm and
  ``Omega + (w0/Omega)(S(Omega) + S(-Omega))`` with it -- the large ``-gamma omega_d`` is gone.
"""

from __future__ import annotations

import math
import warnings

import numpy as np
import pytest
from scipy.integrate import quad

import qheat
from qheat.baths import DrudeBath, OhmicBath, UnderdampedBath
from qheat.devices import parse_device
from qheat.errors import InvalidParameterError, TruncationWarning
from qheat.model import OpenSystem, reorganization_energy, with_counterterm


@pytest.mark.parametrize(
    ("bath", "closed"),
    [
        (DrudeBath(0.02, 35.0, 1.5), 0.02 * 35.0 / 2),
        (OhmicBath(0.01, 20.0, 1.0, 0.7), 0.01 * 20.0 / math.pi),
        (OhmicBath(0.01, 20.0, 0.6, 0.0), 0.01 * 20.0 * math.gamma(0.6) / math.pi),
        (UnderdampedBath(0.03, 4.0, 1.5, 2.0), 0.03 * 16.0 / (2 * 1.5)),
    ],
    ids=["drude", "ohmic", "subohmic", "underdamped"],
)
def test_reorganization_energy_is_the_integral_of_j_over_w(bath: object, closed: float) -> None:
    integral = quad(lambda w: float(bath.J(w)) / w, 0, np.inf, limit=400)[0] / math.pi  # type: ignore[attr-defined]
    assert float(reorganization_energy(bath)) == pytest.approx(closed, rel=1e-9)  # type: ignore[arg-type]
    assert integral == pytest.approx(closed, rel=1e-7)


def test_a_device_counterterm_adds_lambda_a_squared() -> None:
    text = """
[parameters]
gd = 0.02
[device]
sites = [{name = "q", levels = 3}, {name = "r", levels = 4}]
hamiltonian = [[5.0, "q:n"], [-0.1, "q:n q:n"], [0.1, "q:n"], [5.5, "r:n"], [0.08, "q:x r:x"]]
[[baths]]
name = "hot"
coupling = [[1.0, "r:x"], [0.3, "r:n"]]
spectral_density = "drude"
gamma = "gd"
omega_d = 25.0
t = 1.0
counterterm = true
[[baths]]
name = "cold"
coupling = "q:x"
spectral_density = "ohmic"
gamma = 0.01
omega_c = 15.0
s = 1.0
t = 0.3
"""
    with_ct = parse_device(text)
    without = parse_device(text.replace("counterterm = true", ""))
    space = qheat.sites(q=3, r=4)
    a = space.operator("r:x") + 0.3 * space.operator("r:n")
    gd = np.array([0.01, 0.02, 0.04])
    got = with_ct.system(gd=gd).hamiltonian
    want = without.system(gd=gd).hamiltonian + (gd * 25.0 / 2)[:, None, None] * (a @ a)
    np.testing.assert_allclose(got, want, rtol=0, atol=1e-13)
    assert with_ct.baths[0].counterterm and not with_ct.baths[1].counterterm
    # the Python API does the same, for any bath by name
    by_hand = with_counterterm(without.system(gd=gd), ["hot"])
    np.testing.assert_allclose(by_hand.hamiltonian, got, rtol=0, atol=1e-13)
    assert by_hand.truncated_sites == ("q", "r")  # metadata kept
    with pytest.raises(InvalidParameterError, match="unknown bath 'warm'"):
        with_counterterm(without.system(), ["warm"])


def test_drude_even_lamb_shift_closed_form() -> None:
    """``S(w) + S(-w) = (2/pi) P int_0^inf J(x) x / (w^2 - x^2) dx = -gamma wD^3/(wD^2 + w^2)``,
    independent of temperature (docs/baths.md)."""
    for t in (0.0, 0.3, 4.0, 40.0):
        bath = DrudeBath(0.01, 20.0, t)
        for w in (0.5, 5.0, 19.0, 60.0):
            even = float(bath.S(w) + bath.S(-w))
            assert even == pytest.approx(-0.01 * 20.0**3 / (20.0**2 + w**2), rel=1e-10)


def _first_transition(system: OpenSystem) -> float:
    """``E_1 - E_0`` of ``H_S + H_LS`` of the global Lindblad equation (its eigenbasis)."""
    generator = qheat.GlobalLindblad().generator(system)
    energies = np.linalg.eigvalsh(generator.energy_operator)
    return float(energies[1] - energies[0])


@pytest.mark.parametrize("wd", [20.0, 200.0])
def test_counterterm_removes_the_cutoff_shift_of_an_oscillator(wd: float) -> None:
    w0, gamma, levels = 5.0, 1e-3, 40
    a = np.diag(np.sqrt(np.arange(1, levels)), 1).astype(complex)
    x = a + a.conj().T
    bath = DrudeBath(gamma, wd, 0.5)
    bare = OpenSystem(w0 * a.conj().T @ a, (x,), (bath,))
    lam = gamma * wd / 2

    def even(w: float) -> float:
        return -gamma * wd**3 / (wd**2 + w**2)

    countered = with_counterterm(bare)
    omega = math.sqrt(w0**2 + 4 * lam * w0)
    energies = np.linalg.eigvalsh(countered.hamiltonian)
    assert energies[1] - energies[0] == pytest.approx(omega, rel=1e-12)  # renormalized mode
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", TruncationWarning)
        shifted, kept = _first_transition(bare), _first_transition(countered)
    assert shifted == pytest.approx(w0 + even(w0), rel=1e-10)  # ~ w0 - gamma wd
    assert kept == pytest.approx(omega + w0 / omega * even(omega), rel=1e-10)
    # first order in gamma the counterterm leaves w0 + gamma w0^2 wd / (wd^2 + w0^2); the
    # rest is second order, (2 to 2.3) lambda^2 / w0 here (expanding the closed form)
    first_order = w0 + gamma * w0**2 * wd / (wd**2 + w0**2)
    assert abs(kept - first_order) <= 2.5 * lam**2 / w0
    assert abs(shifted - w0) > 0.9 * gamma * wd * wd**2 / (wd**2 + w0**2)
    assert abs(kept - w0) < 0.2 * abs(shifted - w0)
