"""``degeneracy_tol`` may merge round-off and splittings the rates blur, never more (issue 21).

Independent values: the levels of ``0.5 ZI + 0.5 IZ + 0.1 XX`` written out (E = +-sqrt(1.01),
+-0.1, so splittings 0.2, 0.905, 1.105, 2.01), and the limit 0.2 x the largest transition rate
``sum_j 2 G_j(w_ab) |A_j,ab|^2`` computed here from the Drude formula at the largest Bohr
frequency. A tolerance under the limit gives the currents of the default tolerance.
"""

from __future__ import annotations

import math
import warnings

import numpy as np
import pytest

import qheat
from qheat.devices import parse_device
from qheat.errors import InvalidParameterError

from cli_helpers import run_cli

DEVICE = """
[device]
qubits = 2
hamiltonian = [[0.5, "ZI"], [0.5, "IZ"], [0.1, "XX"]]
degeneracy_tol = {tol}
[[baths]]
name = "L"
coupling = "XI"
spectral_density = "drude"
gamma = 0.01
omega_d = 50.0
t = 2.0
[[baths]]
name = "R"
coupling = "IX"
spectral_density = "drude"
gamma = 0.01
omega_d = 50.0
t = 1.0
"""


def currents(tol: float, equation: object) -> np.ndarray:
    system = parse_device(DEVICE.format(tol=tol)).system()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", qheat.SecularityWarning)
        return qheat.solve(system, equation).currents  # type: ignore[arg-type]


@pytest.mark.parametrize("tol", [2.0, 10.0, 1e300])
@pytest.mark.parametrize("equation", [qheat.BlochRedfield(), qheat.GlobalLindblad()])
def test_a_tolerance_that_merges_every_level_is_refused(tol: float, equation: object) -> None:
    """It returned J ~ 1e-18 for every equation (all Bohr frequencies set to 0)."""
    with pytest.raises(InvalidParameterError, match=r"degeneracy_tol = .* merges energy levels"):
        currents(tol, equation)


def test_the_limit_is_a_fifth_of_the_largest_rate() -> None:
    """Largest rate: 2 G(w) |A|^2 at the largest Bohr frequency sqrt(1.01) + 0.1, upward
    (G(w) = J(w)(n(w) + 1), J = gamma w / (1 + (w/wD)^2)) with T = 2; |A|^2 from the
    eigenvectors. Here: the splitting 0.2 of the one-excitation doublet is merged by any
    tolerance above 0.2 and refused, since the rates are ~1e-2."""
    system = parse_device(DEVICE.format(tol=1e-9)).system()
    rates = sum(
        2 * g.real * np.abs(a) ** 2
        for a, g in zip(system.eigen_couplings, system.correlation_spectra)
    )
    largest = float(np.max(rates))
    w = math.sqrt(1.01) + 0.1
    bound = 2 * 0.01 * w / (1 + (w / 50) ** 2) * (1 / math.expm1(w / 2) + 1) * 2  # both baths
    assert 0.1 * bound < largest < bound
    limit = 0.2 * largest
    assert limit < 0.2  # the doublet's splitting is beyond what may be merged
    below = currents(0.9 * limit, qheat.BlochRedfield())  # merges nothing but round-off here
    np.testing.assert_allclose(below, currents(1e-9, qheat.BlochRedfield()), rtol=1e-12)
    with pytest.raises(InvalidParameterError, match="degeneracy_tol = 0.25"):
        currents(0.25, qheat.BlochRedfield())


def test_exact_degeneracies_stay_allowed() -> None:
    """H = 0.5 ZI + 0.5 IZ (|01>, |10> exactly degenerate): any tolerance above the round-off
    merges only splittings of zero, and is accepted."""
    text = DEVICE.replace('[0.1, "XX"]', '[0.0, "XX"]')
    for tol in (1e-6, 0.05):
        system = parse_device(text.format(tol=tol)).system()
        sol = qheat.solve(system, qheat.BlochRedfield())
        assert abs(float(sol.currents.sum())) < 1e-15


def test_the_command_line_says_it_in_one_line(tmp_path) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "d.toml"
    path.write_text(DEVICE.format(tol=2))
    status, out, err = run_cli(["current", "--device", str(path), "--equation", "br"])
    assert status == 2 and out == "" and len(err.strip().splitlines()) == 1
    assert "degeneracy_tol = 2 merges energy levels" in err
