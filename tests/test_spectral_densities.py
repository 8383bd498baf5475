"""Ohmic, underdamped and user spectral densities: G, S, their limits, tables and the CLI.

Independent evidence used here:

* closed forms: the ohmic ``S`` at ``s = 1, T = 0`` through the exponential integral,
  ``S(w) = (gamma wc/pi)(-1 + u e^{-u} Ei(u))`` with ``u = w/wc``; ``S(0) = -gamma wc
  Gamma(s)/pi`` for any ``s`` and ``T``; the Drude closed form (theory Eq. T4) for a user ``J``
  equal to Drude's; for the underdamped bath ``S(0) = -gamma w0^2/(2 width)``;
* a second quadrature written in this file (:func:`_second_quadrature`): the pole removed by the
  substitution ``x = w +- y``, ``S = -(1/pi) int_0^inf [G(w + y) - G(w - y)]/y dy``, a regular
  integrand, with ``G`` written here from its definition;
* laws: KMS ``G(-w) = exp(-w/T) G(w)``, ``G(0) = T J'(0)``, oddness of ``J``.
"""

from __future__ import annotations

import itertools
import json
import math
import warnings
from collections.abc import Callable
from functools import partial
from typing import Any

import numpy as np
import pytest
from scipy.integrate import IntegrationWarning, quad
from scipy.special import expi
from scipy.special import gamma as gamma_function

from qheat.baths import (
    DrudeBath,
    OhmicBath,
    SpectralDensityBath,
    UnderdampedBath,
    lamb_shift_integral,
    numerical,
    tabulated,
)
from qheat.baths.registry import make_bath
from qheat.baths.stack import BathStack
from qheat.baths.tabulated import LambShiftTable
from qheat.cli import main
from qheat.errors import ConvergenceWarning, InvalidParameterError

RTOL = 1e-8
"""The issue's bound for S against independent methods (relative)."""


def _second_quadrature(g: Callable[[float], float], w: float, kinks: list[float]) -> float:
    """``S(w) = -(1/pi) int_0^inf [G(w + y) - G(w - y)] / y dy`` (no principal value left).

    ``kinks``: where ``G`` is not smooth (``x = 0``): the integrand has a kink or an integrable
    singularity at ``y = |w - kink|``, used as a breakpoint.
    """

    def f(y: float) -> float:
        return (g(w + y) - g(w - y)) / y

    edges = sorted({0.0, *[abs(w - k) for k in kinks if abs(w - k) > 0], 1.0, 10.0, 100.0})
    pieces = [(a, b) for a, b in itertools.pairwise(edges)] + [(edges[-1], np.inf)]
    with warnings.catch_warnings():  # QUADPACK's roundoff notes: the comparison is the check
        warnings.simplefilter("ignore", IntegrationWarning)
        total = sum(quad(f, a, b, epsabs=0.0, epsrel=1e-12, limit=500)[0] for a, b in pieces)
    return -total / math.pi


def _g(j: Callable[[float], float], t: float) -> Callable[[float], float]:
    """``G(x) = J(x)/(1 - exp(-x/T))`` for any real ``x`` (``J`` odd), from the definition."""

    def g(x: float) -> float:
        if x == 0.0:
            return 0.0 if t == 0 else t * j(1e-300) / 1e-300
        if t == 0.0:
            return j(x) if x > 0 else 0.0
        if -x / t > 700:
            return 0.0
        return j(x) / -math.expm1(-x / t)

    return g


def _ohmic_j(gamma: float, wc: float, s: float) -> Callable[[float], float]:
    return lambda x: math.copysign(gamma * abs(x) ** s * wc ** (1 - s) * math.exp(-abs(x) / wc), x)


def _quiet(f: Callable[[], float]) -> float:
    with warnings.catch_warnings():
        warnings.simplefilter("error", ConvergenceWarning)
        return f()


# ---------------------------------------------------------------- ohmic: S against two methods


@pytest.mark.parametrize("w", [-3.0, -0.5, 0.1, 0.7, 2.0, 10.0])
def test_ohmic_s1_zero_temperature_equals_exponential_integral(w: float) -> None:
    """``s = 1, T = 0``: ``S = (gamma wc/pi)(-1 + u e^{-u} Ei(u))``, u = w/wc, to 1e-8."""
    gamma, wc = 0.3, 2.0
    u = w / wc
    exact = gamma * wc / math.pi * (-1.0 + u * math.exp(-u) * expi(u))
    got = _quiet(lambda: float(OhmicBath(gamma, wc, 1.0, 0.0).S(w)))
    assert got == pytest.approx(exact, rel=RTOL)


@pytest.mark.parametrize("s", [0.5, 1.0, 2.5])
@pytest.mark.parametrize("t", [0.0, 0.3, 5.0])
def test_ohmic_lamb_shift_equals_second_quadrature(s: float, t: float) -> None:
    """Sub-, plain and super-ohmic, cold to hot: the bath's S equals the substitution
    quadrature of this file to 1e-8 relative (the scale |S(0)| where S crosses zero)."""
    gamma, wc = 0.05, 1.5
    bath = OhmicBath(gamma, wc, s, t)
    g = _g(_ohmic_j(gamma, wc, s), t)
    floor = abs(float(bath.S(0.0)))
    for w in (-4.0, -0.6, 0.05, 0.9, 3.0):
        ours = _quiet(partial(lambda x: float(bath.S(x)), w))
        theirs = _second_quadrature(g, w, [0.0])
        assert abs(ours - theirs) <= RTOL * max(abs(theirs), 1e-2 * floor), (w, ours, theirs)


@pytest.mark.parametrize("s", [0.3, 1.0, 3.0])
def test_ohmic_zero_frequency_is_gamma_function(s: float) -> None:
    """``S(0) = -(1/pi) int_0^inf J(x)/x dx = -gamma wc Gamma(s)/pi`` at any temperature."""
    for t in (0.0, 2.0):
        got = float(OhmicBath(0.2, 3.0, s, t).S(0.0))
        assert got == pytest.approx(-0.2 * 3.0 * gamma_function(s) / math.pi, rel=1e-10)


def test_user_drude_equals_drude_closed_form() -> None:
    """The generic quadrature (a user's J equal to Drude's) equals theory Eq. T4 to 1e-9."""
    gamma, wd = 0.02, 7.0
    for t in (0.0, 0.4, 12.0):
        user = SpectralDensityBath(lambda w: gamma * w / (1 + (w / wd) ** 2), t, scale=wd)
        drude = DrudeBath(gamma, wd, t)
        w = np.array([-20.0, -2.0, -0.01, 0.0, 0.3, 6.0, 60.0])
        with warnings.catch_warnings():
            warnings.simplefilter("error", ConvergenceWarning)
            np.testing.assert_allclose(user.S(w), drude.S(w), rtol=1e-9)
        np.testing.assert_allclose(user.G(w), drude.G(w), rtol=1e-9)
        np.testing.assert_allclose(user.J(w), drude.J(w), rtol=1e-14)


# ------------------------------------------------------------- underdamped: the closed form

REGIMES = [  # gamma, w0, width, T
    (0.01, 5.0, 1.0, 2.0),  # underdamped
    (1.0, 1.0, 0.1, 0.05),  # sharp resonance, cold
    (1.0, 1.0, 3.0, 0.5),  # overdamped: poles on the imaginary axis
    (1.0, 1.0, 3.0, 0.0),  # overdamped, T = 0 (Eq. B4)
    (1.0, 1.0, 0.5, 0.0),  # underdamped, T = 0
    (0.3, 2.0, 0.7, 1e-7),  # nearly cold: the digamma form at huge arguments
    (1.0, 1.0, 1.99, 0.3),  # just below critical damping: closed form
    (1.0, 1.0, 2.0005, 0.3),  # within CRITICAL of it: quadrature
    (1.0, 1.0, 0.2, 30.0),  # hot
]


@pytest.mark.parametrize("gamma, w0, width, t", REGIMES)
def test_underdamped_closed_form_equals_two_quadratures(
    gamma: float, w0: float, width: float, t: float
) -> None:
    """Eqs. B3/B4 equal the P.V. quadrature and the substitution quadrature to 1e-8."""
    bath = UnderdampedBath(gamma, w0, width, t)

    def j(x: float) -> float:
        return gamma * x * w0**4 / ((w0**2 - x * x) ** 2 + (width * x) ** 2)

    g = _g(j, t)
    scales = [w0, width, 0.5 * w0, 2 * w0, 10 * w0, 100 * w0]
    for w in (-7.0, -1.0, -0.3, 0.0, 0.2, 0.9, 1.0, 1.3, 4.0, 30.0):
        ours = float(bath.S(w))
        first = _quiet(partial(lamb_shift_integral, w, lambda x: j(x) / x, t, scales))
        assert ours == pytest.approx(first, rel=RTOL, abs=1e-12 * abs(first) + 1e-300)
        if w not in (-7.0, 30.0):  # the substitution quadrature: a subset (speed)
            second = _second_quadrature(g, w, [0.0, w0, -w0])
            assert ours == pytest.approx(second, rel=RTOL)


@pytest.mark.parametrize("gamma, w0, width, t", [(0.3, 2.0, 0.7, 1.0), (1.0, 1.0, 3.0, 0.5)])
def test_underdamped_complex_form_has_g_as_real_part(
    gamma: float, w0: float, width: float, t: float
) -> None:
    """The whole Gamma of docs/baths.md, (i/pi) J psi(1 - i w/2 pi T) + sum_p A_p/(w - x_p),
    written here from the page with scipy's complex digamma: its real part is G (a check of
    the derivation, independent of S) and its imaginary part the bath's S."""
    from scipy.special import digamma

    from qheat.baths.underdamped import poles_and_residues

    bath = UnderdampedBath(gamma, w0, width, t)
    x, r = poles_and_residues(np.asarray(gamma), np.asarray(w0), np.asarray(width))
    lower = x.imag < 0
    psi = digamma(1 + np.where(lower, 1j, -1j) * x / (2 * math.pi * t))
    a = np.where(lower, r * (1 + 2 * t / x), 0) - 1j / math.pi * r * psi
    w = np.array([-3.0, -0.4, 0.0, 0.5, 2.1, 9.0])
    full = 1j / math.pi * bath.J(w) * digamma(1 - 1j * w / (2 * math.pi * t))
    full = full + (a / (w[:, None] - x)).sum(-1)
    np.testing.assert_allclose(full.real, bath.G(w), rtol=1e-12)
    np.testing.assert_allclose(full.imag, bath.S(w), rtol=1e-12)


def test_underdamped_zero_frequency_and_cold_limit() -> None:
    """``S(0) = -gamma w0^2/(2 width)``; the T > 0 form tends to the T = 0 form."""
    assert float(UnderdampedBath(0.3, 2.0, 0.7, 1.0).S(0.0)) == pytest.approx(
        -0.3 * 4.0 / 1.4, rel=1e-12
    )
    w = np.array([-3.0, -0.4, 0.5, 2.1, 9.0])
    cold = UnderdampedBath(0.3, 2.0, 0.7, 0.0).S(w)
    np.testing.assert_allclose(UnderdampedBath(0.3, 2.0, 0.7, 1e-9).S(w), cold, rtol=1e-7)


# --------------------------------------------------------------------- G and its exact limits

BATHS = [
    OhmicBath(0.1, 2.0, 1.0, 0.7),
    OhmicBath(0.1, 2.0, 2.0, 0.7),
    OhmicBath(0.1, 2.0, 0.5, 0.7),
    UnderdampedBath(0.1, 2.0, 0.5, 0.7),
    SpectralDensityBath(lambda w: 0.1 * w * np.exp(-(w**2)), 0.7, scale=1.0),
]


@pytest.mark.parametrize("bath", BATHS, ids=lambda b: type(b).__name__)
def test_kms_and_odd_j(bath: Any) -> None:
    """``G(-w) = exp(-w/T) G(w)`` and ``J(-w) = -J(w)``, ``G(w) - G(-w) = J(w)``."""
    w = np.array([0.01, 0.3, 1.0, 4.0])
    g_plus, g_minus = bath.G(w), bath.G(-w)
    np.testing.assert_allclose(g_minus, np.exp(-w / 0.7) * g_plus, rtol=1e-13)
    np.testing.assert_allclose(bath.J(-w), -bath.J(w), rtol=0)
    np.testing.assert_allclose(g_plus - g_minus, bath.J(w), rtol=1e-12)


def test_zero_frequency_limits() -> None:
    """``G(0) = T J'(0)``: gamma T (s = 1, underdamped, user), 0 (s > 1); s < 1 refuses
    at T > 0 (G(0) diverges) and gives 0 at T = 0; the T = 0 G is J for w > 0, 0 below."""
    assert float(OhmicBath(0.1, 2.0, 1.0, 0.7).G(0.0)) == pytest.approx(0.07, rel=1e-15)
    assert float(OhmicBath(0.1, 2.0, 2.0, 0.7).G(0.0)) == 0.0
    assert float(UnderdampedBath(0.1, 2.0, 0.5, 0.7).G(0.0)) == pytest.approx(0.07, rel=1e-15)
    assert float(BATHS[-1].G(0.0)) == pytest.approx(0.07, rel=1e-12)
    with pytest.raises(InvalidParameterError, match="s < 1"):
        OhmicBath(0.1, 2.0, 0.5, 0.7).G([1.0, 0.0])
    cold = OhmicBath(0.1, 2.0, 0.5, 0.0)
    w = np.array([-1.0, 0.0, 1e-3, 1.0])
    np.testing.assert_array_equal(cold.G(w), np.where(w > 0, cold.J(w), 0.0))
    assert float(OhmicBath(0.1, 2.0, 0.5, 0.7).G(1e-3)) > 0  # the neighbours are finite


def test_parameters_validated_and_broadcast() -> None:
    """Bad parameters name themselves; arrays broadcast as batch axes, elementwise equal to
    scalar baths (the per-value quadrature path for many distinct parameter sets)."""
    for kwargs, name in [
        ({"gamma": 0.1, "omega_c": 2.0, "s": 0.0, "temperature": 1.0}, "s"),
        ({"gamma": 0.1, "omega_c": -2.0, "s": 1.0, "temperature": 1.0}, "omega_c"),
        ({"gamma": -0.1, "omega_c": 2.0, "s": 1.0, "temperature": 1.0}, "gamma"),
    ]:
        with pytest.raises(InvalidParameterError, match=name):
            OhmicBath(**kwargs)  # type: ignore[arg-type]
    with pytest.raises(InvalidParameterError, match="width"):
        UnderdampedBath(0.1, 1.0, 0.0, 1.0)
    temps = np.array([0.0, 0.5, 3.0])[:, None]
    s_values = np.array([0.5, 1.0, 2.0])
    bath = OhmicBath(0.1, 2.0, s_values, temps)
    assert bath.shape == (3, 3)
    w = np.array([-1.0, 0.7])
    got = bath.expanded(1).S(w)  # (3, 3, 2)
    for i, t in enumerate(temps[:, 0]):
        for k, s in enumerate(s_values):
            np.testing.assert_array_equal(got[i, k], OhmicBath(0.1, 2.0, s, t).S(w))
    widths = np.array([0.5, 2.0, 3.0])  # critical damping (quadrature) between closed forms
    mixed = UnderdampedBath(0.1, 1.0, widths, 0.4).expanded(1).S(w)
    for k, width in enumerate(widths):
        np.testing.assert_array_equal(mixed[k], UnderdampedBath(0.1, 1.0, width, 0.4).S(w))
    stacked = OhmicBath.stacked([OhmicBath(0.1, 2.0, 1.0, 1.0), bath], ndim=2)
    assert stacked.shape == (2, 3, 3)
    np.testing.assert_array_equal(stacked.expanded(1).G(w)[1], got * 0 + bath.expanded(1).G(w))


def test_user_j_is_checked() -> None:
    """A J that is not odd, negative, or not vectorized is refused with the reason."""
    with pytest.raises(InvalidParameterError, match="odd"):
        SpectralDensityBath(lambda w: np.abs(w) * np.exp(-np.abs(w)), 1.0, scale=1.0)
    with pytest.raises(InvalidParameterError, match=">= 0"):
        SpectralDensityBath(lambda w: -w * np.exp(-np.abs(w)), 1.0, scale=1.0)
    with pytest.raises(InvalidParameterError, match="vectorized"):
        SpectralDensityBath(lambda w: 1.0, 1.0, scale=1.0)
    guessed = SpectralDensityBath(lambda w: w * np.exp(-np.abs(w) / 30.0), 1.0)
    assert 10.0 <= guessed.scale <= 60.0  # |J| peaks at 30


def test_user_baths_stack_each_on_its_own() -> None:
    """Two user baths with different J on one bath axis: each evaluated on its own."""
    a = SpectralDensityBath(lambda w: 0.1 * w * np.exp(-(w**2)), 0.5, scale=1.0)
    b = SpectralDensityBath(lambda w: 0.2 * w / (1 + w**2), np.array([0.1, 1.0]), scale=1.0)
    stack = SpectralDensityBath.stacked([a, b], ndim=1)
    assert isinstance(stack, BathStack) and stack.shape == (2, 2)
    w = np.array([[0.3, -0.2], [1.0, 2.0]])
    got = stack.expanded(1).G(w)
    np.testing.assert_array_equal(got[0], a.G(w))
    np.testing.assert_array_equal(got[1], b.expanded(1).G(w))


# ---------------------------------------------------------------------- tables of S(w)


def test_table_error_is_checked_against_an_exact_function() -> None:
    """A table of the Drude closed form (exact, fast): 10^5 frequencies over four decades
    cost a few dozen panels' evaluations, not 10^5, and agree with it to 1e-10 of |S|."""
    drude = DrudeBath(1.0, 1.0, 0.05)
    calls = []

    def exact(w: float) -> float:
        calls.append(w)
        return float(drude.S(w))

    table = LambShiftTable(exact, scale=1.0)
    w = np.concatenate([np.geomspace(1e-3, 30.0, 50_000), -np.geomspace(1e-3, 30.0, 50_000)])
    got = table(w)
    assert len(calls) <= 40 * (2 * tabulated.DEGREE + 1)
    want = drude.S(w)
    assert np.max(np.abs(got - want)) <= 1e-10 * np.max(np.abs(want))
    assert table(np.array([0.0]))[0] == float(drude.S(0.0))


def test_table_halves_panels_around_a_sharp_resonance() -> None:
    """A resonance of width 0.02 at w0 = 1 (the exact function: the underdamped closed form)
    forces the panels next to it to be halved; the table still agrees to 1e-10 of |S|."""
    sharp = UnderdampedBath(1.0, 1.0, 0.02, 0.1)
    table = LambShiftTable(lambda w: float(sharp.S(w)), scale=1.0)
    w = np.linspace(0.5, 1.999, 20_001)
    got = table(w)
    assert table.panels > 4  # [0.5, 1] and [1, 2] were split
    want = sharp.S(w)
    assert np.max(np.abs(got - want)) <= 1e-10 * np.max(np.abs(want))


def test_ohmic_table_after_many_values_matches_quadrature() -> None:
    """After TABULATE_AFTER values, one parameter set is served by its table; the table
    matches the direct quadrature at points it was not built on, to 1e-9 relative."""
    bath = OhmicBath(1.0, 1.0, 0.75, 0.37)
    w = np.linspace(1.05, 1.95, numerical.TABULATE_AFTER + 7)  # one dyadic panel
    tabled = bath.S(w)
    from qheat.baths.ohmic import _REDUCED

    assert (0.75, 0.37) in _REDUCED.tables()
    probe = w[::9] + 0.003
    direct = [
        lamb_shift_integral(x, lambda y: y**-0.25 * math.exp(-y), 0.37, [1.0, 10.0]) for x in probe
    ]
    np.testing.assert_allclose(bath.S(probe), direct, rtol=1e-9)
    np.testing.assert_allclose(tabled[::9], [float(bath.S(x)) for x in w[::9]], rtol=0)


# ----------------------------------------------------------------- registry and command line


def test_registry_builds_the_new_kinds() -> None:
    ohmic = make_bath("ohmic", {"gamma": 0.1, "omega_c": 3.0, "s": 0.5, "t": 1.0})
    assert isinstance(ohmic, OhmicBath) and float(ohmic.s) == 0.5
    under = make_bath("underdamped", {"gamma": 0.1, "omega_0": 3.0, "width": 0.5, "t": 1.0})
    assert isinstance(under, UnderdampedBath) and float(under.width) == 0.5
    with pytest.raises(InvalidParameterError, match="takes exactly gamma, omega_c, s, t"):
        make_bath("ohmic", {"gamma": 0.1, "omega_d": 3.0, "s": 0.5, "t": 1.0})


def _cli(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    """``qheat argv`` in-process; argparse's own errors exit through SystemExit."""
    try:
        code = main(argv)
    except SystemExit as exc:
        code = int(exc.code or 0)
    out, err = capsys.readouterr()
    return code, out, err


@pytest.mark.parametrize(
    "argv, bath",
    [
        (
            ["--spectral-density", "ohmic", "--gamma", "0.2", "--omega-c", "3", "--s", "1.5"],
            OhmicBath(0.2, 3.0, 1.5, 0.8),
        ),
        (
            [
                "--spectral-density",
                "underdamped",
                "--gamma",
                "0.2",
                "--omega-0",
                "3",
                "--width",
                "0.4",
            ],
            UnderdampedBath(0.2, 3.0, 0.4, 0.8),
        ),
        (["--gamma", "0.2", "--omega-d", "3"], DrudeBath(0.2, 3.0, 0.8)),
    ],
)
def test_cli_json_equals_the_bath(
    argv: list[str], bath: object, capsys: pytest.CaptureFixture[str]
) -> None:
    omega = [-2.0, 0.5, 4.0]
    code, out, _ = _cli(
        ["bath", *argv, "--t", "0.8", "--omega", *map(str, omega), "--json"], capsys
    )
    assert code == 0
    data = json.loads(out)
    assert data["omega"] == omega
    for key in ("J", "G", "S"):
        assert data[key] == [float(x) for x in getattr(bath, key)(omega)]


@pytest.mark.parametrize(
    "argv, name",
    [
        (["--spectral-density", "ohmic", "--omega-d", "3"], "--omega-d"),
        (["--omega-c", "3"], "--omega-c"),
        (["--spectral-density", "drude", "--width", "1"], "--width"),
        (["--spectral-density", "underdamped", "--omega-0", "3"], "--width"),
        (["--spectral-density", "ohmic", "--s", "0"], "--s"),
        (["--spectral-density", "lorentz"], "--spectral-density"),
    ],
)
def test_cli_wrong_combinations_exit_2(
    argv: list[str], name: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = _cli(["bath", *argv, "--omega", "1"], capsys)
    assert code == 2 and out == ""
    lines = err.strip().splitlines()
    assert len(lines) == 1 and name in lines[0], err


def test_docs_page_examples_run() -> None:
    """Every ``>>>`` example of docs/baths.md runs and prints what the page says."""
    import doctest
    from pathlib import Path

    page = Path(__file__).resolve().parents[1] / "docs" / "baths.md"
    result = doctest.testfile(
        str(page),
        module_relative=False,
        optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE,
    )
    assert result.attempted > 10 and result.failed == 0
