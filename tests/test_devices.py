"""Device files (issue 11, item 3): ``qheat.devices.parse_device`` / ``load_device``.

Independent evidence: the Pauli matrices and every Hamiltonian and coupling are built here by
explicit ``np.kron`` products; the currents of a device file equal ``qheat.solve`` on the same
``OpenSystem`` written by hand in this file (DrudeBath, kron sums); the currents sum to zero
(energy conservation, Eq. 21); a batch equals the same points solved one by one; the issue's
own example file has a conserved ``IIZ`` (checked here by commutators), hence no unique steady
state; every bad file gives one line naming the file and the field.
"""

from __future__ import annotations

import pickle
import re
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import qheat
from qheat.baths import registry
from qheat.baths.registry import BathKind
from qheat.devices import MAX_QUBITS, DeviceFileError, load_device, parse_device, pauli
from qheat.errors import InvalidParameterError

ROOT = Path(__file__).resolve().parents[1]

I2 = np.eye(2)
X = np.array([[0, 1], [1, 0]], dtype=complex)
Y = np.array([[0, -1j], [1j, 0]])
Z = np.diag([1.0, -1.0]).astype(complex)


def kron(*factors: np.ndarray) -> np.ndarray:
    out = np.array([[1.0 + 0j]])
    for f in factors:
        out = np.kron(out, f)
    return out


ISSUE_FILE = """
[parameters]            # optional: any number below may instead be a parameter's name
tM = 0.5

[device]
qubits = 3              # Pauli strings: one letter I, X, Y, Z per qubit; qubit 0 is the
                        # leftmost tensor factor; |0> has sz = +1
hamiltonian = [         # sum of coefficient * Pauli string
  [0.5, "ZII"],
  [0.3, "IZI"],
  [0.45, "IIZ"],
  [0.2, "XXI"],
  [0.35, "IZZ"],
]

[[baths]]
name = "L"
coupling = "XII"
spectral_density = "drude"    # J(w) = gamma w / (1 + (w/omega_d)^2), the paper's convention
gamma = 0.01
omega_d = 40.0
t = 1.0

[[baths]]
name = "M"
coupling = "IXI"
spectral_density = "drude"
gamma = 0.005
omega_d = 40.0
t = "tM"
"""

THIRD_BATH = """
[[baths]]
name = "R"
coupling = "IIX"
spectral_density = "drude"
gamma = 0.01
omega_d = 40.0
t = 0.2
"""
THREE_BATHS = ISSUE_FILE + THIRD_BATH


def issue_hamiltonian() -> np.ndarray:
    return (
        0.5 * kron(Z, I2, I2)
        + 0.3 * kron(I2, Z, I2)
        + 0.45 * kron(I2, I2, Z)
        + 0.2 * kron(X, X, I2)
        + 0.35 * kron(I2, Z, Z)
    )


def hand_built(tM: float = 0.5) -> qheat.OpenSystem:
    """The three-bath file's system, written out by hand."""
    return qheat.OpenSystem(
        issue_hamiltonian(),
        (kron(X, I2, I2), kron(I2, X, I2), kron(I2, I2, X)),
        (
            qheat.DrudeBath(0.01, 40.0, 1.0),
            qheat.DrudeBath(0.005, 40.0, tM),
            qheat.DrudeBath(0.01, 40.0, 0.2),
        ),
        bath_names=("L", "M", "R"),
        subsystem_dims=(2, 2, 2),
    )


EQUATIONS = [
    qheat.BlochRedfield(),
    qheat.GlobalLindblad(),
    qheat.LocalLindblad(),
    qheat.UniversalLindblad(),
    qheat.BlochRedfield(lamb_shift=False),
]


# -- Pauli strings -------------------------------------------------------------------------


def test_pauli_strings_are_kron_products_with_qubit_0_leftmost() -> None:
    assert np.array_equal(pauli("XYZ"), kron(X, Y, Z))
    assert np.array_equal(pauli("IZ"), kron(I2, Z))
    np.testing.assert_array_equal(pauli("+"), (X + 1j * Y) / 2)
    np.testing.assert_array_equal(pauli("-"), (X - 1j * Y) / 2)
    up = np.array([1.0, 0.0])  # |0>, sz = +1
    basis_00 = np.kron(up, up)
    np.testing.assert_array_equal(pauli("ZI") @ basis_00, basis_00)
    # sigma+ raises sz: |1> -> |0>
    np.testing.assert_array_equal(pauli("+") @ np.array([0.0, 1.0]), up)
    with pytest.raises(InvalidParameterError, match="'Q'"):
        pauli("XQ")


# -- the issue's file ----------------------------------------------------------------------


def test_the_issue_file_parses_to_its_kron_sum() -> None:
    device = parse_device(ISSUE_FILE)
    assert device.source == "<string>"
    assert device.parameters == {"tM": 0.5}
    assert device.bath_names == ("L", "M")
    assert device.n_qubits == 3 and device.dim == 8
    system = device.system()
    np.testing.assert_allclose(system.hamiltonian, issue_hamiltonian(), rtol=0, atol=1e-15)
    np.testing.assert_array_equal(system.couplings[0], kron(X, I2, I2))
    np.testing.assert_array_equal(system.couplings[1], kron(I2, X, I2))
    assert system.bath_names == ("L", "M") and system.subsystem_dims == (2, 2, 2)
    assert float(system.baths[1].temperature) == 0.5 and float(system.baths[1].gamma) == 0.005
    assert float(device.system(tM=2.5).baths[1].temperature) == 2.5


def test_the_issue_file_has_a_conserved_sz_of_qubit_2() -> None:
    """IIZ commutes with H and both couplings (checked here), so the steady state is not
    unique: solve warns and returns the limit from the maximally mixed state, which weighs
    the two sectors sz2 = +1, -1 equally. Independent value: the mean of the two 2-qubit
    systems of those sectors (qubit 2 frozen: H = 0.5 ZI + (0.3 +- 0.35) IZ + 0.2 XX), each
    solved on its own."""
    conserved = kron(I2, I2, Z)
    for op in (issue_hamiltonian(), kron(X, I2, I2), kron(I2, X, I2)):
        assert np.abs(op @ conserved - conserved @ op).max() == 0
    baths = (qheat.DrudeBath(0.01, 40.0, 1.0), qheat.DrudeBath(0.005, 40.0, 0.5))
    for equation in (qheat.BlochRedfield(), qheat.GlobalLindblad()):
        with pytest.warns(qheat.DegenerateSteadyStateWarning, match="not unique"):
            sol = qheat.solve(parse_device(ISSUE_FILE).system(), equation)
        assert np.isinf(float(sol.state.condition_number))
        sectors = []
        for z in (1.0, -1.0):
            h = 0.5 * np.kron(Z, I2) + (0.3 + 0.35 * z) * np.kron(I2, Z) + 0.2 * np.kron(X, X)
            two = qheat.OpenSystem(h, (np.kron(X, I2), np.kron(I2, X)), baths)
            sectors.append(qheat.solve(two, equation).currents)
        np.testing.assert_allclose(sol.currents, np.mean(sectors, axis=0), rtol=1e-9)
        assert float(np.trace(sol.rho).real) == pytest.approx(1.0, abs=1e-13)
        assert float(sol.min_eigenvalue) > 0


@pytest.mark.parametrize("equation", EQUATIONS, ids=lambda e: f"{e.name}-{e.lamb_shift}")
def test_device_currents_equal_solve_of_the_hand_built_system(equation: Any) -> None:
    device = parse_device(THREE_BATHS)
    got = qheat.solve(device.system(tM=0.8), equation)
    want = qheat.solve(hand_built(0.8), equation)
    assert got.bath_names == ("L", "M", "R")
    np.testing.assert_allclose(got.currents, want.currents, rtol=1e-12, atol=1e-18)
    # energy conservation: the currents sum to zero
    assert abs(float(got.currents.sum())) <= 1e-12 * float(np.abs(got.currents).sum())
    if equation.name == "lindblad":  # second law of the global equation: hot L to cold R
        assert float(got.current("L")) > 0 > float(got.current("R"))


def test_arrays_broadcast_as_leading_batch_axes() -> None:
    """A Hamiltonian parameter (4, 1) and a temperature (3,) give a (4, 3) batch whose
    currents equal the points solved one by one on hand-built systems."""
    text = THREE_BATHS.replace('[0.2, "XXI"]', '["g", "XXI"]').replace(
        "tM = 0.5", "tM = 0.5\ng = 0.2"
    )
    device = parse_device(text)
    g = np.array([0.1, 0.2, 0.3, 0.4])[:, None]
    tM = np.array([0.3, 0.6, 1.2])
    system = device.system(g=g, tM=tM)
    assert system.hamiltonian.shape == (4, 1, 8, 8) and system.batch_shape == (4, 3)
    np.testing.assert_allclose(
        system.hamiltonian[2, 0],
        issue_hamiltonian() + (0.3 - 0.2) * kron(X, X, I2),
        rtol=0,
        atol=1e-15,
    )
    batch = qheat.solve(system)
    assert batch.currents.shape == (4, 3, 3)
    for i, j in [(0, 0), (3, 2), (1, 1)]:
        point = hand_built(float(tM[j]))
        point = qheat.OpenSystem(
            issue_hamiltonian() + (float(g[i, 0]) - 0.2) * kron(X, X, I2),
            point.couplings,
            point.baths,
        )
        np.testing.assert_allclose(
            batch.currents[i, j], qheat.solve(point).currents, rtol=1e-10, atol=1e-18
        )


def test_a_temperature_array_alone_batches_the_baths() -> None:
    """Only a bath parameter swept: the Hamiltonian stays (d, d), the batch is the bath's."""
    device = parse_device(THREE_BATHS)
    tM = np.array([0.3, 1.2])
    system = device.system(tM=tM)
    assert system.hamiltonian.shape == (8, 8) and system.batch_shape == (2,)
    batch = qheat.solve(system)
    for j in range(2):
        want = qheat.solve(hand_built(float(tM[j]))).currents
        np.testing.assert_allclose(batch.currents[j], want, rtol=1e-10, atol=1e-18)


def test_unknown_or_bad_parameter_values_of_system() -> None:
    device = parse_device(THREE_BATHS)
    with pytest.raises(InvalidParameterError, match=r"unknown parameter 'tX'.*tM"):
        device.system(tX=1.0)
    with pytest.raises(InvalidParameterError, match="tM must be finite"):
        device.system(tM=np.nan)
    with pytest.raises(InvalidParameterError, match=r"bath 'M' \(baths\[1\]; t = tM\).*>= 0"):
        device.system(tM=[1.0, -1.0])


# -- extensions ----------------------------------------------------------------------------

EXTENDED = """
[parameters]
g = 0.3
t_hot = 2.0

[device]
qubits = 2
degeneracy_tol = 1e-7
hamiltonian = [
  [1.0, "ZI"], [0.75, "IZ"],
  ["g", "+-"], ["g", "-+"],      # g (s+ s- + s- s+) = g/2 (XX + YY)
  [-2.0, "g", "ZZ"],             # number x parameter x Pauli string
]

[[baths]]
name = "hot"
coupling = [[1.0, "XI"], [0.25, "ZI"]]
spectral_density = "drude"
gamma = 0.01
omega_d = 20
t = "t_hot"

[[baths]]
name = "cold"
coupling = "IX"
spectral_density = "drude"
gamma = 0.02
omega_d = 20
t = 0.5
"""


def test_extensions_raising_lowering_scaled_terms_and_coupling_sums() -> None:
    device = parse_device(EXTENDED)
    g = 0.45
    system = device.system(g=g)
    want_h = (
        1.0 * kron(Z, I2)
        + 0.75 * kron(I2, Z)
        + g / 2 * (kron(X, X) + kron(Y, Y))
        - 2.0 * g * kron(Z, Z)
    )
    np.testing.assert_allclose(system.hamiltonian, want_h, rtol=0, atol=1e-15)
    np.testing.assert_allclose(system.couplings[0], kron(X, I2) + 0.25 * kron(Z, I2), atol=0)
    assert system.degeneracy_tol == 1e-7
    hand = qheat.OpenSystem(
        want_h,
        (kron(X, I2) + 0.25 * kron(Z, I2), kron(I2, X)),
        (qheat.DrudeBath(0.01, 20.0, 2.0), qheat.DrudeBath(0.02, 20.0, 0.5)),
        degeneracy_tol=1e-7,
    )
    np.testing.assert_allclose(
        qheat.solve(system).currents, qheat.solve(hand).currents, rtol=1e-12, atol=1e-18
    )


def test_spectral_densities_are_read_from_the_registry_at_run_time(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A kind added to SPECTRAL_DENSITIES is accepted with exactly its parameter names."""
    kind = BathKind(
        formula="a Drude bath at omega_d = 30",
        parameters=("strength", "t"),
        build=lambda strength, t: qheat.DrudeBath(strength, 30.0, t),
    )
    monkeypatch.setitem(registry.SPECTRAL_DENSITIES, "test_kind", kind)
    text = THREE_BATHS.replace(
        'spectral_density = "drude"\ngamma = 0.01\nomega_d = 40.0\nt = 0.2',
        'spectral_density = "test_kind"\nstrength = 0.01\nt = 0.2',
    )
    device = parse_device(text)
    got = qheat.solve(device.system()).currents
    bath = hand_built().baths[2]
    assert float(bath.omega_d) == 40.0
    hand = hand_built().with_baths(hand_built().baths[:2] + (qheat.DrudeBath(0.01, 30.0, 0.2),))
    np.testing.assert_allclose(got, qheat.solve(hand).currents, rtol=1e-12)
    with pytest.raises(DeviceFileError, match=r"baths\[2\]\.gamma: unknown key.*strength, t"):
        parse_device(text.replace("strength = 0.01", "strength = 0.01\ngamma = 0.01"))


def test_fingerprint_hashes_the_content_not_the_layout() -> None:
    base = parse_device(THREE_BATHS)
    relaid = parse_device(re.sub(r"#.*", "", THREE_BATHS).replace("0.45", "4.5e-1"), "other")
    assert base.fingerprint() == relaid.fingerprint() and len(base.fingerprint()) == 64
    assert parse_device(THREE_BATHS.replace("0.45", "0.46")).fingerprint() != base.fingerprint()
    assert parse_device(THREE_BATHS.replace("tM = 0.5", "tM = 0.6")).fingerprint() != (
        base.fingerprint()
    )


def test_a_device_pickles_for_process_schedulers() -> None:
    device = parse_device(THREE_BATHS)
    copy = pickle.loads(pickle.dumps(device))
    np.testing.assert_array_equal(copy.system(tM=0.7).hamiltonian, device.hamiltonian(tM=0.7))
    assert copy.fingerprint() == device.fingerprint()


@pytest.mark.parametrize("name", ["three_qubits.toml", "diode.toml"])
def test_the_example_files_load_and_conserve_energy(name: str) -> None:
    device = load_device(ROOT / "examples" / name)
    assert device.source.endswith(name)
    for equation in (qheat.BlochRedfield(), qheat.GlobalLindblad()):
        sol = qheat.solve(device.system(), equation)
        assert sol.bath_names == device.bath_names
        assert float(sol.conservation_residual) < 1e-12
        assert float(np.abs(sol.currents).max()) > 1e-6


def test_the_example_three_qubit_file_is_the_three_bath_device() -> None:
    a = load_device(ROOT / "examples" / "three_qubits.toml")
    assert a.fingerprint() == parse_device(THREE_BATHS).fingerprint()


def test_the_diode_file_rectifies() -> None:
    """Swapping the temperatures does not just reverse the current (|J| changes)."""
    device = load_device(ROOT / "examples" / "diode.toml")
    forward = qheat.solve(device.system()).current("hot")
    reverse = qheat.solve(device.system(tH=0.5, tC=2.0)).current("hot")
    assert float(forward) > 0 > float(reverse)
    assert abs(float(forward) / float(reverse)) > 1.05


# -- bad files -----------------------------------------------------------------------------


def _sub(old: str, new: str, text: str = THREE_BATHS) -> str:
    assert old in text, old
    return text.replace(old, new, 1)


BAD = [
    ("unknown letter", _sub('"ZII"', '"ZQI"'), "device.hamiltonian[0]", "I, X, Y, Z"),
    ("wrong length", _sub('"IZI"', '"IZ"'), "device.hamiltonian[1]", "3 letters"),
    ("coupling length", _sub('"XII"', '"XI"'), "baths[0].coupling", "3 letters"),
    (
        "non-Hermitian total",
        _sub('[0.2, "XXI"]', '[0.2, "+-I"]'),
        "device.hamiltonian[3]",
        "Hermitian",
    ),
    (
        "unequal conjugate pair",
        _sub('[0.2, "XXI"]', '[0.2, "+-I"], [0.3, "-+I"]'),
        "device.hamiltonian[",
        "Hermitian",
    ),
    ("unknown parameter", _sub('t = "tM"', 't = "tX"'), "baths[1].t", "tM"),
    ("missing qubits", _sub("qubits = 3", ""), "device.qubits", "missing"),
    (
        "missing hamiltonian",
        re.sub(r"hamiltonian = \[.*?\n\]", "", THREE_BATHS, flags=re.DOTALL),
        "device.hamiltonian",
        "missing",
    ),
    ("missing coupling", _sub('coupling = "IXI"', ""), "baths[1].coupling", "missing"),
    ("missing t", _sub("t = 0.2", ""), "baths[2].t", "missing"),
    ("missing name", _sub('name = "L"', ""), "baths[0].name", "missing"),
    (
        "missing device",
        re.sub(r"\[device\].*?\n\]", "", THREE_BATHS, flags=re.DOTALL),
        "device",
        "missing",
    ),
    ("missing baths", THREE_BATHS.split("[[baths]]")[0], "baths", "missing"),
    ("duplicate bath name", _sub('name = "R"', 'name = "L"'), "baths[2].name", "distinct"),
    ("negative temperature", _sub("t = 1.0", "t = -1.0"), "baths[0].t", ">= 0"),
    ("negative temperature parameter", _sub("tM = 0.5", "tM = -0.5"), "baths[1].t", ">= 0"),
    ("negative gamma", _sub("gamma = 0.005", "gamma = -0.005"), "baths[1].gamma", ">= 0"),
    ("zero cutoff", _sub("omega_d = 40.0", "omega_d = 0"), "baths[0].omega_d", "> 0"),
    (
        "unknown device key",
        _sub("qubits = 3", "qubits = 3\nqbits = 3"),
        "device.qbits",
        "qubits, hamiltonian",
    ),
    (
        "unknown bath key",
        _sub("t = 1.0", "t = 1.0\ntemperature = 1.0"),
        "baths[0].temperature",
        "gamma, omega_d, t",
    ),
    ("unknown table", THREE_BATHS + "\n[sweep]\nx = 1\n", "sweep", "[parameters], [device] and"),
    ("qubits a string", _sub("qubits = 3", 'qubits = "3"'), "device.qubits", "integer"),
    (
        "too many qubits",
        _sub("qubits = 3", f"qubits = {MAX_QUBITS + 1}"),
        "device.qubits",
        f"1 to {MAX_QUBITS}",
    ),
    (
        "boolean gamma",
        _sub("gamma = 0.005", "gamma = true"),
        "baths[1].gamma",
        "a finite number or a parameter name",
    ),
    (
        "hamiltonian a string",
        re.sub(r"hamiltonian = \[.*?\n\]", 'hamiltonian = "ZII"', THREE_BATHS, flags=re.DOTALL),
        "device.hamiltonian",
        "a list of terms",
    ),
    ("short term", _sub('[0.5, "ZII"]', "[0.5]"), "device.hamiltonian[0]", "[coefficient,"),
    (
        "unknown spectral density",
        _sub('spectral_density = "drude"', 'spectral_density = "lorentz"'),
        "baths[0].spectral_density",
        "'drude'",
    ),
    ("unused parameter", _sub("tM = 0.5", "tM = 0.5\ntX = 1"), "parameters.tX", "used nowhere"),
    ("parameter not a number", _sub("tM = 0.5", 'tM = "0.5"'), "parameters.tM", "finite number"),
    ("bad parameter name", _sub("tM = 0.5", 'tM = 0.5\n"2x" = 1'), "parameters.2x", "letters"),
    (
        "negative degeneracy_tol",
        _sub("qubits = 3", "qubits = 3\ndegeneracy_tol = -1"),
        "device.degeneracy_tol",
        ">= 0",
    ),
    ("invalid TOML", _sub("tM = 0.5", "tM = = 0.5"), "not valid TOML", "line"),
]


@pytest.mark.parametrize("text, field, allowed", [b[1:] for b in BAD], ids=[b[0] for b in BAD])
def test_a_bad_file_is_one_line_naming_file_field_and_what_is_allowed(
    text: str, field: str, allowed: str
) -> None:
    with pytest.raises(DeviceFileError) as info:
        parse_device(text, source="bad.toml")
    message = str(info.value)
    assert len(message.splitlines()) == 1, message
    assert message.startswith("bad.toml: "), message
    assert field in message and allowed in message, message
    assert isinstance(info.value, InvalidParameterError)


def test_a_missing_file_names_the_path(tmp_path: Path) -> None:
    path = tmp_path / "absent.toml"
    with pytest.raises(DeviceFileError, match=r"absent\.toml: cannot read the device file"):
        load_device(path)


def test_the_python_blocks_of_the_devices_page_run() -> None:
    """docs/devices.md: each ```python block runs (they assert their own values)."""
    text = (ROOT / "docs" / "devices.md").read_text()
    blocks = re.findall(r"```python\n(.*?)```", text, re.DOTALL)
    assert len(blocks) >= 2
    for number, block in enumerate(blocks):
        exec(compile(block, f"devices.md block {number}", "exec"), {})  # noqa: S102
