"""Lab units (issue 23): h x GHz / MHz energies, mK / K temperatures, currents in W.

Independent evidence: the conversion factors from scipy.constants (CODATA, exact SI values);
the heat current of a resonator between two resistors computed here entirely in SI (rates in
1/s from J(omega) with omega in rad/s, hbar omega k_L k_R / (k_L + k_R) (n_L - n_R) in W) equals
the device file's current times ``output_scale("current")``; a file in MHz, or in K, equals
the same file in GHz, or in mK, with its numbers rescaled.
"""

from __future__ import annotations

import math
import warnings

import numpy as np
import pytest
import scipy.constants as sc

import qheat
from qheat import units
from qheat.devices import DeviceFileError, parse_device
from qheat.errors import InvalidParameterError, TruncationWarning


def test_the_internal_units_from_scipy_constants() -> None:
    u = sc.h * 1e9  # h x 1 GHz in J
    assert units.ENERGY_J == pytest.approx(u, rel=1e-15)
    assert units.CURRENT_W == pytest.approx(u**2 / sc.hbar, rel=1e-15)
    assert units.CURRENT_W == pytest.approx(2 * math.pi * sc.h * 1e18, rel=1e-15)
    assert f"{units.CURRENT_W:.4e}" == "4.1633e-15"
    assert units.RATE_PER_S == pytest.approx(2 * math.pi * 1e9, rel=1e-15)
    assert units.TEMPERATURE_K == pytest.approx(u / sc.k, rel=1e-15)
    assert units.ENTROPY_PRODUCTION_W_PER_K == pytest.approx(sc.k * u / sc.hbar, rel=1e-15)
    lab = units.Units("GHz", "mK")
    assert lab.to_internal(1.0, "temperature") == pytest.approx(1e-3 * sc.k / u, rel=1e-15)
    assert units.Units("MHz", "K").to_internal(250.0, "energy") == 0.25
    assert lab.to_internal(0.3, "1") == 0.3
    with pytest.raises(InvalidParameterError, match="units.energy must be one of 'GHz', 'MHz'"):
        units.Units("THz", "mK")
    with pytest.raises(InvalidParameterError, match="quantity must be one of"):
        lab.output_scale("noise")


def test_every_bath_parameter_has_a_dimension() -> None:
    """A spectral density added to the registry must say what its parameters measure."""
    from qheat.baths import registry

    for kind in registry.SPECTRAL_DENSITIES.values():
        assert all(p in units.BATH_PARAMETER_DIMENSIONS for p in kind.parameters)


RESONATOR = """
[units]
energy = "GHz"
temperature = "mK"
[parameters]
t_hot = 250.0
[device]
sites = [{name = "r", levels = 40}]
hamiltonian = [[5.0, "r:n"]]
[[baths]]
name = "hot"
coupling = "r:x"
spectral_density = "drude"
gamma = 0.002
omega_d = 30.0
t = "t_hot"
[[baths]]
name = "cold"
coupling = "r:x"
spectral_density = "drude"
gamma = 0.001
omega_d = 30.0
t = 60.0
"""


def si_current(f: float, gamma: tuple[float, float], fd: float, t: tuple[float, float]) -> float:
    """``hbar w kL kR / (kL + kR) (nL - nR)`` in W, every quantity in SI units."""
    w, wd = 2 * math.pi * f, 2 * math.pi * fd  # rad/s
    k = [2 * g * w / (1 + (w / wd) ** 2) for g in gamma]  # 1/s: 2 J(w)
    n = [1 / math.expm1(sc.h * f / (sc.k * temp)) for temp in t]
    return sc.hbar * w * k[0] * k[1] / (k[0] + k[1]) * (n[0] - n[1])


@pytest.mark.parametrize("t_hot", [250.0, 120.0])
def test_a_resonator_between_resistors_carries_the_si_current(t_hot: float) -> None:
    device = parse_device(RESONATOR)
    sol = qheat.solve(device.system(t_hot=t_hot), qheat.GlobalLindblad(lamb_shift=False))
    assert device.units is not None
    watts = float(sol.current("hot")) * device.units.output_scale("current")
    want = si_current(5e9, (0.002, 0.001), 30e9, (t_hot * 1e-3, 60e-3))
    assert watts == pytest.approx(want, rel=1e-9)
    assert 1e-18 < watts < 1e-15  # aW to fW
    assert device.parameter_unit("t_hot") == "mK" and device.units.output_unit("current") == "W"


def test_mhz_and_kelvin_files_equal_the_ghz_millikelvin_file() -> None:
    base = parse_device(RESONATOR)
    mhz = parse_device(
        RESONATOR.replace('"GHz"', '"MHz"')
        .replace("[5.0,", "[5000.0,")
        .replace("omega_d = 30.0", "omega_d = 30000.0")
    )
    kelvin = parse_device(
        RESONATOR.replace('"mK"', '"K"').replace("250.0", "0.25").replace("60.0", "0.06")
    )
    equation = qheat.GlobalLindblad(lamb_shift=False)
    want = qheat.solve(base.system(), equation).currents
    np.testing.assert_allclose(qheat.solve(mhz.system(), equation).currents, want, rtol=1e-12)
    np.testing.assert_allclose(
        qheat.solve(kelvin.system(t_hot=0.25), equation).currents, want, rtol=1e-12
    )


def test_lab_units_equal_the_natural_units_system_built_by_hand() -> None:
    """Every number converted once: H in h x GHz unchanged, T in mK times kB 1e-3/(h 1e9),
    degeneracy_tol in the energy unit, a swept temperature converted too."""
    device = parse_device(RESONATOR.replace("[device]", "[device]\ndegeneracy_tol = 1e-6"))
    per_mk = 1e-3 * sc.k / (sc.h * 1e9)
    system = device.system(t_hot=np.array([100.0, 300.0]))
    np.testing.assert_allclose(system.baths[0].temperature, [100 * per_mk, 300 * per_mk])
    assert float(system.baths[1].temperature) == pytest.approx(60 * per_mk, rel=1e-15)
    assert float(system.baths[0].omega_d) == 30.0 and float(system.baths[0].gamma) == 0.002
    assert np.allclose(np.diag(system.hamiltonian).real, 5.0 * np.arange(40))
    assert system.degeneracy_tol == 1e-6
    mhz = parse_device(
        RESONATOR.replace('"GHz"', '"MHz"').replace("[device]", "[device]\ndegeneracy_tol = 1e-3")
    )
    assert mhz.system().degeneracy_tol == pytest.approx(1e-6)


@pytest.mark.parametrize(
    ("change", "field", "says"),
    [
        (('energy = "GHz"', 'energy = "THz"'), "units.energy", "'GHz' or 'MHz'"),
        (('temperature = "mK"\n', ""), "units.temperature", "missing"),
        (('temperature = "mK"', 'temperature = "mK"\ntime = "ns"'), "units.time", "unknown key"),
        (("t = 60.0", 't = "t_hot"\ncounterterm = 1'), "baths[1].counterterm", "true"),
        (
            ("[[5.0, ", '[["t_hot", '),
            "parameters.t_hot",
            "an energy at device.hamiltonian[0] and for a temperature at baths[0].t",
        ),
        (
            ("gamma = 0.001", 'gamma = "t_hot"'),
            "parameters.t_hot",
            "dimensionless at baths[1].gamma",
        ),
    ],
)
def test_bad_units_are_one_line_naming_the_field(
    change: tuple[str, str], field: str, says: str
) -> None:
    text = RESONATOR.replace(*change)
    assert text != RESONATOR
    with pytest.raises(DeviceFileError) as info:
        parse_device(text, source="valve.toml")
    message = str(info.value)
    assert message.startswith(f"valve.toml: {field}: ") and "\n" not in message, message
    assert says in message, message


def test_without_units_a_parameter_may_stand_for_anything() -> None:
    """Natural units have one unit for everything: no dimension check, no conversion."""
    text = RESONATOR.split("[parameters]", 1)[1].replace("[[5.0, ", '[["t_hot", ')
    device = parse_device("[parameters]" + text)
    assert device.units is None and device.parameter_unit("t_hot") == "natural (hbar = kB = 1)"
    system = device.system(t_hot=5.0)
    assert float(system.baths[0].temperature) == 5.0
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", TruncationWarning)
        assert np.isfinite(qheat.solve(system, qheat.GlobalLindblad()).currents).all()
