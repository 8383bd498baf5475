"""Sites in device files and in Python (issue 23): operators, the format, its errors.

Independent evidence: every site operator is written here as an explicit matrix
(``a = diag(sqrt(1..L-1), +1)``) and every product as ``np.kron``; a ``qubits`` file and the
same device written with 2-level sites give identical matrices and currents; QuTiP ``Qobj``
tensors give the same system as arrays; the Hermiticity check names the term without its
conjugate; every bad file gives one line naming the file and the field.
"""

from __future__ import annotations

import numpy as np
import pytest
import qutip

import qheat
from qheat.devices import MAX_DIM, DeviceFileError, parse_device
from qheat.errors import InvalidParameterError
from qheat.model import Sites, site_operator


def lowering(levels: int) -> np.ndarray:
    return np.diag(np.sqrt(np.arange(1, levels)), 1).astype(complex)


def kron(*factors: np.ndarray) -> np.ndarray:
    out = np.array([[1.0 + 0j]])
    for f in factors:
        out = np.kron(out, f)
    return out


@pytest.mark.parametrize("levels", [2, 3, 6])
def test_site_operators_are_the_truncated_ladder(levels: int) -> None:
    a = lowering(levels)
    want = {
        "a": a,
        "adag": a.conj().T,
        "n": np.diag(np.arange(levels)).astype(complex),
        "x": a + a.conj().T,
        "p": 1j * (a.conj().T - a),
        "I": np.eye(levels),
    }
    for op, matrix in want.items():
        np.testing.assert_array_equal(site_operator(op, levels).toarray(), matrix)
    # a|k> = sqrt(k)|k-1>; [a, adag] = 1 except on the top level (1 - L)
    commutator = a @ a.conj().T - a.conj().T @ a
    np.testing.assert_allclose(np.diag(commutator)[:-1], 1.0, atol=1e-15)
    assert commutator[-1, -1] == pytest.approx(1 - levels)


def test_pauli_letters_only_on_two_levels_and_they_are_the_pauli_string_letters() -> None:
    for letter, matrix in qheat.devices.LETTERS.items():
        if letter != "I":
            np.testing.assert_array_equal(site_operator(letter, 2).toarray(), matrix)
    np.testing.assert_array_equal(site_operator("+", 2).toarray(), lowering(2))  # + is a
    with pytest.raises(InvalidParameterError, match="Pauli letter.*2-level sites only"):
        site_operator("Z", 3)
    with pytest.raises(InvalidParameterError, match="levels must be an integer >= 2"):
        site_operator("a", 1)


def test_labels_are_kron_products_in_site_order_and_factors_multiply_in_order() -> None:
    space = qheat.sites(q=4, r=3, s=2)
    aq, ar = lowering(4), lowering(3)
    iq, ir, i2 = np.eye(4), np.eye(3), np.eye(2)
    z = np.diag([1.0, -1.0])
    np.testing.assert_allclose(space.operator("r:n"), kron(iq, ar.conj().T @ ar, i2), atol=1e-15)
    np.testing.assert_array_equal(space.operator("s:Z q:x"), kron(aq + aq.conj().T, ir, z))
    np.testing.assert_allclose(space.operator("q:a q:adag"), kron(aq @ aq.conj().T, ir, i2))
    np.testing.assert_allclose(space.operator("q:adag q:a"), kron(aq.conj().T @ aq, ir, i2))
    assert space.sparse("q:x r:x").nnz < space.dim**2 / 4  # built sparse
    assert space.dims == (4, 3, 2) and space.names == ("q", "r", "s") and space.dim == 24
    index = space.top_level_index("r")
    assert index.sum() == 8 and np.array_equal(np.diag(space.operator("r:n"))[index], [2] * 8)


def test_qobj_tensors_match_arrays_and_give_the_subsystem_dims() -> None:
    space = qheat.sites(q=3, r=4)
    h = 5.0 * space.qobj("q:n") + 5.5 * space.qobj("r:n") + 0.1 * space.qobj("q:x r:x")
    assert h.dims == [[3, 4], [3, 4]]
    bath = qheat.DrudeBath(0.01, 30.0, 2.0)
    from_qobj = qheat.OpenSystem(h, (space.qobj("r:x"),), (bath,))
    from_arrays = qheat.OpenSystem(h.full(), (space.operator("r:x"),), (bath,))
    assert from_qobj.subsystem_dims == (3, 4) and from_arrays.subsystem_dims is None
    np.testing.assert_array_equal(from_qobj.hamiltonian, from_arrays.hamiltonian)
    with pytest.raises(InvalidParameterError, match=r"subsystem_dims \(4, 3\) does not match"):
        qheat.OpenSystem(h, (space.qobj("r:x"),), (bath,), subsystem_dims=(4, 3))
    other = qutip.Qobj(space.operator("r:x"), dims=[[12], [12]])  # no tensor structure: fine
    assert qheat.OpenSystem(h, (other,), (bath,)).subsystem_dims == (3, 4)
    wrong = qutip.Qobj(space.operator("r:x"), dims=[[4, 3], [4, 3]])
    with pytest.raises(InvalidParameterError, match="same tensor product"):
        qheat.OpenSystem(h, (wrong,), (bath,))


def test_sites_python_api_refuses_bad_names_and_levels() -> None:
    with pytest.raises(InvalidParameterError, match="levels must be an integer >= 2"):
        qheat.sites(q=1)
    with pytest.raises(InvalidParameterError, match="one or more names"):
        qheat.sites()
    with pytest.raises(InvalidParameterError, match="distinct"):
        Sites(("q", "q"), (2, 3))
    with pytest.raises(InvalidParameterError, match="unknown site 'z'"):
        qheat.sites(q=3).operator("z:n")
    with pytest.raises(InvalidParameterError, match="without 'site:'"):
        qheat.sites(q=3).operator("n")


# -- device files ------------------------------------------------------------------------

QUBIT_FILE = """
[parameters]
g = 0.2
[device]
qubits = 3
hamiltonian = [[0.5, "ZII"], [0.3, "IZI"], [0.45, "IIZ"], ["g", "+-I"], ["g", "-+I"],
               [0.35, "IZZ"], [0.1, "YIY"]]
[[baths]]
name = "L"
coupling = "XII"
spectral_density = "drude"
gamma = 0.01
omega_d = 40.0
t = 1.0
[[baths]]
name = "R"
coupling = [[1.0, "IIX"], [0.25, "IIZ"]]
spectral_density = "drude"
gamma = 0.01
omega_d = 40.0
t = 0.2
"""

SITE_FILE = """
[parameters]
g = 0.2
[device]
sites = [{name = "a", levels = 2}, {name = "b", levels = 2}, {name = "c", levels = 2}]
hamiltonian = [[0.5, "a:Z"], [0.3, "b:Z"], [0.45, "c:Z"], ["g", "a:+ b:-"], ["g", "a:- b:+"],
               [0.35, "b:Z c:Z"], [0.1, "a:Y c:Y"]]
[[baths]]
name = "L"
coupling = "a:X"
spectral_density = "drude"
gamma = 0.01
omega_d = 40.0
t = 1.0
[[baths]]
name = "R"
coupling = [[1.0, "c:X"], [0.25, "c:Z"]]
spectral_density = "drude"
gamma = 0.01
omega_d = 40.0
t = 0.2
"""


def test_a_qubit_is_a_two_level_site_bit_for_bit() -> None:
    """The Pauli-string file and the 2-level-site file: equal matrices (exactly), equal
    currents for every equation; 2-level sites are not truncated oscillators by default."""
    qubits, sites = parse_device(QUBIT_FILE), parse_device(SITE_FILE)
    a, b = qubits.system(g=[0.1, 0.3]), sites.system(g=[0.1, 0.3])
    assert np.array_equal(a.hamiltonian, b.hamiltonian)
    assert all(np.array_equal(x, y) for x, y in zip(a.couplings, b.couplings))
    assert a.subsystem_dims == b.subsystem_dims == (2, 2, 2)
    assert b.site_names == ("a", "b", "c") and b.truncated_sites == ()
    assert a.site_names is None and qubits.sites is None and sites.sites is not None
    for equation in (qheat.BlochRedfield(), qheat.GlobalLindblad(), qheat.LocalLindblad()):
        assert np.array_equal(qheat.solve(a, equation).currents, qheat.solve(b, equation).currents)
    assert qubits.n_qubits == sites.n_qubits == 3
    assert qubits.summary == "3 qubits" and sites.summary.startswith("sites a (2 levels)")


def test_a_site_file_is_its_kron_sum() -> None:
    device = parse_device("""
[parameters]
wq = 5.0
[device]
sites = [{name = "q", levels = 4}, {name = "r", levels = 6}]
hamiltonian = [["wq", "q:n"], [-0.15, "q:n q:n"], [0.15, "q:n"], [5.6, "r:n"],
               [0.08, "q:x r:x"], [0.01, "q:p r:p"], [0.02, "q:adag r:a"], [0.02, "q:a r:adag"]]
[[baths]]
name = "resistor"
coupling = "r:x"
spectral_density = "ohmic"
gamma = 0.01
omega_c = 30.0
s = 1.0
t = 1.0
""")
    aq, ar = lowering(4), lowering(6)
    iq, ir = np.eye(4), np.eye(6)
    nq, nr = aq.conj().T @ aq, ar.conj().T @ ar
    xq, xr = aq + aq.conj().T, ar + ar.conj().T
    pq, pr = 1j * (aq.conj().T - aq), 1j * (ar.conj().T - ar)
    for wq in (5.0, 4.2):
        h = (
            kron(wq * nq - 0.15 * nq @ nq + 0.15 * nq, ir)
            + kron(iq, 5.6 * nr)
            + 0.08 * kron(xq, xr)
            + 0.01 * kron(pq, pr)
            + 0.02 * (kron(aq.conj().T, ar) + kron(aq, ar.conj().T))
        )
        np.testing.assert_allclose(device.system(wq=wq).hamiltonian, h, rtol=0, atol=1e-14)
    system = device.system()
    np.testing.assert_array_equal(system.couplings[0], kron(iq, xr))
    assert system.subsystem_dims == (4, 6) and system.truncated_sites == ("q", "r")
    assert device.dim == 24 and device.n_qubits == 0
    np.testing.assert_allclose(device.sites.operator("r:n"), kron(iq, nr), atol=1e-15)  # type: ignore[union-attr]


BASE = """
[device]
sites = [{name = "q", levels = 3}, {name = "r", levels = 4}]
hamiltonian = [[5.0, "q:n"], [5.5, "r:n"], TERMS]
[[baths]]
name = "hot"
coupling = "r:x"
spectral_density = "drude"
gamma = 0.01
omega_d = 30.0
t = 1.0
"""


def bad(terms: str = '[0.1, "q:x r:x"]', device: str | None = None) -> str:
    text = BASE.replace("TERMS", terms)
    if device is not None:
        start = text.index("sites =")
        text = text[:start] + device + text[text.index("\n", start) :]
    return text


@pytest.mark.parametrize(
    ("text", "field", "says"),
    [
        (bad('[0.1, "q:a"]'), "device.hamiltonian[2]", "'q:a' has no Hermitian conjugate"),
        (bad('[0.1, "q:n q:x"]'), "device.hamiltonian[2]", "must be Hermitian"),
        (
            bad('[0.1, "q:a r:adag"], [0.1, "q:adag r:a"], [0.2, "r:a"]'),
            "device.hamiltonian[4]",
            "'r:a' has no Hermitian conjugate",
        ),
        (bad('[0.1, "q:X"]'), "device.hamiltonian[2]", "2-level sites only"),
        (bad('[0.1, "z:n"]'), "device.hamiltonian[2]", "unknown site 'z'; the sites are q, r"),
        (bad('[0.1, "qn"]'), "device.hamiltonian[2]", "without 'site:'"),
        (bad('[0.1, "ZI"]'), "device.hamiltonian[2]", "without 'site:'"),
        (bad('[0.1, "q:m"]'), "device.hamiltonian[2]", "a, adag, n, x, p, I"),
        (bad(device='qubits = 2\nsites = [{name = "q", levels = 3}]'), "device.sites", "not both"),
        (bad(device="sites = []"), "device.sites", "non-empty list"),
        (bad(device='sites = [{name = "q", levels = 1}]'), "device.sites[0].levels", "2 to 4096"),
        (bad(device='sites = [{name = "q", levels = 2.5}]'), "device.sites[0].levels", "integer"),
        (bad(device='sites = [{name = "1q", levels = 3}]'), "device.sites[0].name", "letters"),
        (
            bad(device='sites = [{name = "q", levels = 3}, {name = "q", levels = 4}]'),
            "device.sites[1].name",
            "already the name of device.sites[0]",
        ),
        (
            bad(device='sites = [{name = "q", levels = 3, kind = "transmon"}]'),
            "device.sites[0].kind",
            "unknown key",
        ),
        (
            bad(device='sites = [{name = "q", levels = 3, truncated = "yes"}]'),
            "device.sites[0].truncated",
            "true or false",
        ),
        (
            bad(device='sites = [{name = "q", levels = 64}, {name = "r", levels = 65}]'),
            "device.sites",
            "d = 64 x 65 = 4160, above the largest dimension 4096",
        ),
    ],
)
def test_a_bad_site_file_is_one_line_naming_the_field(text: str, field: str, says: str) -> None:
    with pytest.raises(DeviceFileError) as info:
        parse_device(text, source="valve.toml")
    message = str(info.value)
    assert "\n" not in message and message.startswith(f"valve.toml: {field}: "), message
    assert says in message, message
    assert info.value.field == field


def test_the_dimension_cap_states_the_memory_and_the_largest_dimension_is_accepted() -> None:
    gib = 70 * 16 * 4160**2 / 2**30  # about 70 d x d complex matrices, matrix-free
    with pytest.raises(DeviceFileError, match=rf"about {gib:.3g} GiB"):
        parse_device(bad(device='sites = [{name = "q", levels = 64}, {name = "r", levels = 65}]'))
    text = BASE.replace("TERMS", '[0.1, "q:x r:x"]').replace(
        '{name = "q", levels = 3}, {name = "r", levels = 4}',
        '{name = "q", levels = 64}, {name = "r", levels = 64}',
    )
    device = parse_device(text)
    assert device.dim == MAX_DIM == 4096
    assert device.hamiltonian_operator.constant.nnz < 5 * 4096  # sparse: no d^2 matrix built


def test_fingerprint_of_a_qubit_file_is_unchanged_and_sites_units_counterterm_count() -> None:
    """A ``qubits`` file hashes to the content it always had (resumed sweeps still match);
    sites, units and counterterms are part of a site file's content."""
    import hashlib
    import json

    device = parse_device(QUBIT_FILE)
    content = json.loads(device.content)
    assert set(content) == {
        "format",
        "parameters",
        "qubits",
        "hamiltonian",
        "degeneracy_tol",
        "baths",
    }
    assert all(
        set(b) == {"name", "coupling", "spectral_density", "parameters"} for b in content["baths"]
    )
    assert device.fingerprint() == hashlib.sha256(device.content.encode()).hexdigest()
    text = bad()
    plain = parse_device(text).fingerprint()
    assert (
        parse_device(text.replace("t = 1.0", "t = 1.0\ncounterterm = true")).fingerprint() != plain
    )
    assert parse_device(text.replace("levels = 4", "levels = 5")).fingerprint() != plain
    with_units = '[units]\nenergy = "GHz"\ntemperature = "K"\n' + text
    assert parse_device(with_units).fingerprint() != plain
