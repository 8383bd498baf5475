"""Trust at the edges of the input (issue #21): -0.0, user spectral densities, lost rates.

Independent values used here (each test names its own):

* ``T = 0`` closed forms: ``G(w) = J(w)`` for ``w > 0`` and ``0`` for ``w <= 0``; the global
  Lindblad steady state of two baths at ``T = 0`` is the ground state (detailed balance), with
  no current;
* ``-0.0`` must be the number ``0``: every result equals the ``+0.0`` one bit for bit;
* ``S(0) = -(1/pi) int_0^inf J(x)/x dx`` in closed form: ``-gamma wc Gamma(s)/pi`` (ohmic),
  ``-gamma w0^2 / (2 width)`` (underdamped, ``docs/baths.md``);
* ``J`` of an ohmic bath at large ``s`` from Python's ``decimal`` (50 digits), no floats;
* the global Lindblad currents are linear in a common ``gamma`` (the populations depend only on
  ratios of rates), so ``gamma = 1e-12`` must give ``1e-10`` times the ``gamma = 0.01`` currents.
"""

from __future__ import annotations

import json
import math
from decimal import Decimal, getcontext
from typing import Any

import numpy as np
import pytest

from qheat.api import paper_system, solve
from qheat.baths import (
    DrudeBath,
    ExponentialBath,
    OhmicBath,
    SpectralDensityBath,
    UnderdampedBath,
)
from qheat.baths.bose import bose, emission_factor
from qheat.errors import IllConditionedWarning, InvalidParameterError, NonUniqueSteadyStateError
from qheat.master.equations import BlochRedfield, GlobalLindblad
from qheat.model import OpenSystem

from cli_helpers import run_cli

W = np.array([-3.0, -0.5, -0.0, 0.0, 0.5, 3.0])
P = dict(eps1=5.0, eps2=4.0, g=0.5, gamma1=0.01, gamma2=0.01, omega_d=50.0, t1=15.0, t2=5.0)


def _drude_j(w: np.ndarray) -> np.ndarray:
    return 0.01 * w / (1 + (w / 50.0) ** 2)


BATHS = {
    "drude": lambda t: DrudeBath(0.01, 50.0, t),
    "ohmic": lambda t: OhmicBath(0.01, 50.0, 1.0, t),
    "sub-ohmic": lambda t: OhmicBath(0.01, 50.0, 0.5, t),
    "underdamped": lambda t: UnderdampedBath(0.01, 5.0, 1.0, t),
    "user": lambda t: SpectralDensityBath(_drude_j, t, scale=50.0),
}


def _same_bits(a: Any, b: Any) -> bool:
    a, b = np.asarray(a), np.asarray(b)
    return a.shape == b.shape and a.dtype == b.dtype and a.tobytes() == b.tobytes()


# ----------------------------------------------------------------- -0.0 is 0
@pytest.mark.parametrize("kind", BATHS)
def test_negative_zero_temperature_is_zero_bit_for_bit(kind: str) -> None:
    """Every bath at T = -0.0 equals the bath at T = +0.0 bit for bit (scalar and in an array),
    and both obey the T = 0 closed form G(w) = J(w) for w > 0, 0 for w <= 0."""
    w = W[W != 0] if kind == "sub-ohmic" else W  # G(0) diverges only at T > 0: fine here
    minus, plus = BATHS[kind](-0.0), BATHS[kind](0.0)
    assert not np.signbit(minus.temperature).any()
    for what in ("J", "G", "S", "Gamma"):
        assert _same_bits(getattr(minus, what)(w), getattr(plus, what)(w)), what
    g = minus.G(w)
    assert (g[w <= 0] == 0).all() and not np.signbit(g[w <= 0]).any()
    np.testing.assert_allclose(g[w > 0], plus.J(w[w > 0]), rtol=1e-15)
    batch = BATHS[kind](np.array([1.0, -0.0]))
    assert not np.signbit(batch.temperature).any()
    assert _same_bits(batch.expanded(1).G(w)[1], plus.G(w))


def test_negative_zero_elsewhere_is_zero() -> None:
    """The exponential bath's reference temperature, bose, emission_factor, and a -0.0 given
    as a checked float array (the constructors' fast path) all read -0.0 as 0."""
    assert not math.copysign(1.0, ExponentialBath([2.0], [1.0], temperature=-0.0).temperature) < 0
    np.testing.assert_array_equal(emission_factor(W, -0.0), np.maximum(W, 0.0))
    assert _same_bits(bose(np.array([0.5, 3.0]), -0.0), bose(np.array([0.5, 3.0]), 0.0))
    t = np.array([1.0, -0.0, 2.0])
    assert np.signbit(t[1])  # a float64 array holding -0.0 between other values
    bath = DrudeBath(0.01, 50.0, t)
    assert not np.signbit(bath.temperature).any()


@pytest.mark.filterwarnings("ignore::qheat.errors.PositivityWarning")  # Redfield at T = 0
def test_negative_zero_temperature_of_the_paper_model() -> None:
    """paper_system(t1=-0.0, t2=0): the global Lindblad state is the ground state (both baths
    at T = 0), no current, and every result equals that of t1 = +0.0 bit for bit. Before the
    fix, -0.0 acted as an inverted bath (smallest eigenvalue -0.31)."""
    for equation in (GlobalLindblad(), BlochRedfield()):
        minus = solve(paper_system(**{**P, "t1": -0.0, "t2": 0.0}), equation)
        plus = solve(paper_system(**{**P, "t1": 0.0, "t2": 0.0}), equation)
        assert _same_bits(minus.state.rho, plus.state.rho)
        assert _same_bits(minus.currents, plus.currents)
    system = paper_system(**{**P, "t1": -0.0, "t2": 0.0})
    ground = np.zeros(4)
    ground[np.argmin(system.eigensystem().energies)] = 1.0
    lindblad = solve(system, GlobalLindblad())
    np.testing.assert_allclose(lindblad.state.populations, ground, atol=1e-12)
    assert np.abs(lindblad.currents).max() < 1e-15


def _cli_json(argv: list[str]) -> dict[str, Any]:
    status, out, err = run_cli(argv)
    assert status == 0, err
    return dict(json.loads(out))


def test_negative_zero_on_the_command_line() -> None:
    """qheat bath --t -0.0 and qheat current --t1 -0.0 print what --t 0 and --t1 0 print.
    Before the fix: G(-3) = -0.0299 (an inverted bath) and a smallest eigenvalue of -0.32."""
    bath = ["bath", "--omega", "-3", "3", "--json"]
    minus = _cli_json([*bath, "--t", "-0.0"])
    assert minus == _cli_json([*bath, "--t", "0"])
    assert minus["G"][0] == 0.0 and minus["G"][1] == pytest.approx(minus["J"][1], rel=1e-15)
    current = ["current", "--t2", "0", "--json", "--equation", "br"]
    minus = _cli_json([*current, "--t1", "-0.0"])
    assert minus == _cli_json([*current, "--t1", "0"])
    status, out, _ = run_cli(["bath", "--omega", "-0", "3", "--t", "-0.0", "--gamma", "-0"])
    assert status == 0 and "-0 " not in out and not out.rstrip().endswith("-0")


# ----------------------------------------------------------------- the user's J
def dip(width: float, cutoff: float | None) -> Any:
    """``0.01 w (1 - 2 exp(-(|w| - 3)^2/width))``: negative near ``|w| = 3``."""

    def j(w: np.ndarray) -> np.ndarray:
        shape = 1 - 2 * np.exp(-((np.abs(w) - 3) ** 2) / width)
        tail = 1.0 if cutoff is None else 1 / (1 + (w / cutoff) ** 2)
        return 0.01 * w * shape * tail

    return j


@pytest.mark.parametrize("cutoff", [None, 50.0], ids=["issue", "with cutoff"])
def test_a_spectral_density_negative_near_3_is_refused(cutoff: float | None) -> None:
    """The issue's J (negative for |w - 3| < 0.083, accepted before: six probes only) is
    refused with the place it is negative, with or without a cutoff, and default scale."""
    with pytest.raises(InvalidParameterError, match=r"J must be >= 0.*J < 0 for w in about \[2\.9"):
        SpectralDensityBath(dip(0.01, cutoff), 1.0)


def test_a_dip_that_stays_positive_is_accepted() -> None:
    """The same dip at depth 0.9 (J > 0 everywhere) is a valid J: accepted, and G is the
    closed form J(w)(n(w) + 1)."""

    def j(w: np.ndarray) -> np.ndarray:
        return 0.01 * w * (1 - 0.9 * np.exp(-((np.abs(w) - 3) ** 2) / 0.01)) / (1 + (w / 50) ** 2)

    bath = SpectralDensityBath(j, 1.0, scale=50.0)
    w = np.array([2.95, 3.0, 3.05])
    np.testing.assert_allclose(bath.G(w), j(w) / (1 - np.exp(-w)), rtol=1e-14)


def test_a_negative_value_below_the_grid_is_caught_where_it_is_used() -> None:
    """A dip of width 1e-3 at w = 3 slips between the check grid's points (spacing 0.03);
    G at w = 3 evaluates J there, and refuses it instead of returning a negative rate."""
    bath = SpectralDensityBath(dip(1e-6, 50.0), 1.0, scale=50.0)
    assert float(bath.G(1.0)) > 0
    with pytest.raises(InvalidParameterError, match=r"J < 0 at w = 3: "):
        bath.G(np.array([3.0]))


@pytest.mark.parametrize(
    "j",
    [lambda w: 0.01 * w**3, lambda w: 0.01 * w, lambda w: 0.01 * np.tanh(w)],
    ids=["w^3", "w (no cutoff)", "constant at infinity"],
)
def test_a_lamb_shift_that_diverges_is_refused(j: Any) -> None:
    """S(0) = -(1/pi) int J(x)/x dx diverges unless J decays: 0.01 w^3 gave S(1) = -1045 with a
    mild warning before. S is refused with the reason; J and G (finite) still work."""
    bath = SpectralDensityBath(j, 1.0, scale=1.0)
    with pytest.raises(
        InvalidParameterError, match=r"Lamb shift S\(w\) of Eq. 15 diverges.*cutoff"
    ):
        bath.S(1.0)
    w = np.array([0.5, 2.0])
    np.testing.assert_allclose(bath.G(w), j(w) / -np.expm1(-w), rtol=1e-14)
    system = OpenSystem(np.diag([0.0, 1.0]), (np.array([[0, 1], [1, 0]]),), (bath,))
    with pytest.raises(InvalidParameterError, match="diverges"):
        solve(system)


def test_the_usual_spectral_densities_pass_the_checks() -> None:
    """Decaying J of every usual shape pass, and the user's Drude J reproduces DrudeBath."""
    for j in (
        lambda w: 0.1 * w * np.exp(-(w**2)),
        lambda w: 0.01 * w * np.exp(-np.abs(w) / 30.0),
        lambda w: 0.01 * w * np.abs(w) ** 2 * np.exp(-np.abs(w)),
        lambda w: 0.01 * w / ((1 - w**2) ** 2 + 0.01 * w**2),
    ):
        SpectralDensityBath(j, 0.5).S(np.array([0.0, 1.0]))
    user = SpectralDensityBath(_drude_j, 2.0)
    w = np.array([-2.0, 0.0, 3.0])
    np.testing.assert_allclose(user.S(w), DrudeBath(0.01, 50.0, 2.0).S(w), rtol=1e-9)


# ----------------------------------------------------------------- ohmic and underdamped edges
def test_ohmic_large_s_has_no_overflow() -> None:
    """s = 100 overflowed x^(s-1) (an OverflowError traceback in S, NaN in J). Now: J from
    logarithms where the power overflows, checked against 50-digit decimal arithmetic, and
    S(0) = -gamma wc Gamma(s)/pi."""
    getcontext().prec = 50
    bath = OhmicBath(1.0, 1.0, 104.0, 1.0)
    for r in (50.0, 1000.0, 3000.0):  # 1000^103 and 3000^103 overflow a double
        exact = Decimal(r) ** 104 * (-Decimal(r)).exp()
        assert float(bath.J(r)) == pytest.approx(float(exact), rel=1e-12, abs=1e-300)
    big = OhmicBath(0.01, 1.0, 100.0, 2.0)
    assert float(big.S(0.0)) == pytest.approx(-0.01 * math.gamma(100.0) / math.pi, rel=1e-9)


@pytest.mark.parametrize(
    "bath, match",
    [
        (OhmicBath(0.01, 1.0, 200.0, 5.0), "S\\(w\\) is not finite"),  # Gamma(200) > 1e308
        (OhmicBath(0.01, 50.0, 5e-324, 5.0), "S\\(w\\) is not finite"),  # Gamma(5e-324) too
        (OhmicBath(0.01, 5e-324, 1.0, 5.0), "S\\(w\\) is not finite"),  # w/wc = inf
        (UnderdampedBath(0.01, 1e300, 1.0, 5.0), "S\\(w\\) is not finite"),  # w0^4 = inf
    ],
    ids=["s=200", "s=5e-324", "omega_c=5e-324", "omega_0=1e300"],
)
def test_an_overflowing_lamb_shift_is_one_error(bath: Any, match: str) -> None:
    """Each raised OverflowError, ZeroDivisionError, a ValueError from fsum, or printed
    RuntimeWarnings before; now one InvalidParameterError naming the parameters."""
    with pytest.raises(InvalidParameterError, match=match):
        bath.S(np.array([0.0, 1.0]))


def test_ohmic_at_a_subnormal_temperature_is_its_zero_temperature_limit() -> None:
    """T = 1e-320 divided 0 by 0 in the quadrature (ZeroDivisionError); S is continuous at
    T = 0 (the correction is O(T^2)), so it must equal S at T = 0."""
    w = np.array([-1.0, 0.5, 2.0])
    np.testing.assert_allclose(
        OhmicBath(0.01, 50.0, 1.0, 1e-320).S(w), OhmicBath(0.01, 50.0, 1.0, 0.0).S(w), rtol=1e-10
    )


@pytest.mark.parametrize("w0", [1e-9, 1e-6])
def test_strongly_overdamped_lamb_shift_is_finite(w0: float) -> None:
    """omega_0 = 1e-9 << width = 1: the small poles (width - sqrt(width^2 - 4 w0^2))/2 were
    rounded to 0 (S non-finite, refused). Computed without cancellation, S(0) is the closed
    form -gamma w0^2 / (2 width), at T > 0 and T = 0."""
    for t in (5.0, 0.0):
        value = float(UnderdampedBath(0.01, w0, 1.0, t).S(0.0))
        assert value == pytest.approx(-0.01 * w0**2 / 2, rel=1e-12)


# ----------------------------------------------------------------- rates lost to rounding
def test_a_cutoff_far_below_the_bohr_frequencies_is_named() -> None:
    """omega_d = 1e-9: J(w) ~ gamma omega_d^2 / w ~ 1e-21 at the Bohr frequencies, below
    rounding next to H. The message says so and names omega_d, not "couple a bath with
    gamma > 0" (both baths have gamma = 0.01)."""
    system = paper_system(**{**P, "omega_d": 1e-9})
    for equation in (BlochRedfield(), GlobalLindblad()):
        with pytest.raises(NonUniqueSteadyStateError) as info:
            solve(system, equation)
        message = str(info.value)
        assert "below 1e-15 of the Bohr frequencies" in message, message
        assert "omega_d = 1e-09 is far below the Bohr frequencies" in message, message
        assert "couple at least one bath" not in message, message


def test_a_super_ohmic_exponent_is_named() -> None:
    """Ohmic s = 50 with omega_c = 50: (w/wc)^49 ~ 1e-35 at w ~ 3; the message names s."""
    h = np.diag([0.0, 3.0])
    sx = np.array([[0.0, 1.0], [1.0, 0.0]])
    system = OpenSystem(h, (sx,), (OhmicBath(0.01, 50.0, 50.0, 1.0),))
    with pytest.raises(NonUniqueSteadyStateError, match=r"s = 50 .*below omega_c = 50"):
        solve(system, GlobalLindblad(lamb_shift=False))
    with pytest.raises(NonUniqueSteadyStateError, match=r"Lamb shifts.*with s = 50\) dwarfs"):
        solve(system)  # with the Lamb shift, S(0) ~ gamma wc Gamma(50) is the larger scale


def test_weak_but_resolved_rates_are_solved() -> None:
    """gamma = 1e-12 (rates 1e-12 of H) is not refused: the global Lindblad currents without
    Lamb shift are linear in a common gamma (the populations depend only on ratios of rates), so
    they are 1e-10 times those at gamma = 0.01."""
    lindblad = GlobalLindblad(lamb_shift=False)
    strong = solve(paper_system(**P), lindblad)
    with pytest.warns(IllConditionedWarning):  # condition number ~ 1/gamma, said so
        weak = solve(paper_system(**{**P, "gamma1": 1e-12, "gamma2": 1e-12}), lindblad)
    np.testing.assert_allclose(weak.currents * 1e10, strong.currents, rtol=1e-6)


def test_gamma_zero_keeps_its_own_message() -> None:
    """Every gamma = 0: the message still says to couple a bath (checked first)."""
    with pytest.raises(NonUniqueSteadyStateError, match="every bath has gamma = 0"):
        solve(paper_system(**{**P, "gamma1": 0.0, "gamma2": 0.0}))
