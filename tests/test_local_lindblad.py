"""LocalLindblad on any device: local Hamiltonians from each coupling's support (issue 16).

Independent evidence: dissipators built by hand from each part's own eigenbasis, the closed form
of the paper's model, the product of bare-qubit Gibbs states for ZZ-coupled qubits, Levy and
Kosloff's cold-to-hot current, and currents that sum to zero.
"""

from __future__ import annotations

import numpy as np
import pytest

from qheat.api import paper_system, solve
from qheat.baths import DrudeBath
from qheat.errors import InvalidParameterError
from qheat.master import GlobalLindblad, LocalLindblad
from qheat.master.local import coupling_subsystems, local_part
from qheat.master.superop import sandwich
from qheat.master.ule import lindblad_dissipator
from qheat.model import OpenSystem

PAULI = {
    "I": np.eye(2, dtype=complex),
    "X": np.array([[0, 1], [1, 0]], dtype=complex),
    "Z": np.diag([1.0, -1.0]).astype(complex),
    "-": np.array([[0, 0], [1, 0]], dtype=complex),  # |1><0|: lowers the energy of +Z
}
PAPER_LOWER = np.array([[0, 1], [0, 0]], dtype=complex)  # the paper's model: |1> is excited


def string(letters: str) -> np.ndarray:
    out = np.ones((1, 1), dtype=complex)
    for letter in letters:
        out = np.kron(out, PAULI[letter])
    return out


def pauli_sum(terms: list[tuple[float, str]]) -> np.ndarray:
    return sum(c * string(s) for c, s in terms)


def to_eigen(generator, superop: np.ndarray) -> np.ndarray:  # type: ignore[no-untyped-def]
    """A lab-basis superoperator in the generator's eigenbasis."""
    u = generator.eigenbasis.vectors
    return sandwich(u.conj().T, u) @ superop @ sandwich(u, u.conj().T)


TRANSISTOR = [(0.5, "ZII"), (0.3, "IZI"), (0.45, "IIZ"), (0.35, "ZZI"), (0.25, "IZZ")]


def transistor(temperatures=(1.0, 0.5, 0.2)) -> OpenSystem:  # type: ignore[no-untyped-def]
    baths = tuple(DrudeBath(0.01, 40.0, t) for t in temperatures)
    couplings = (string("XII"), string("IXI"), string("IIX"))
    return OpenSystem(pauli_sum(TRANSISTOR), couplings, baths, subsystem_dims=(2, 2, 2))


def test_support_and_local_part_of_pauli_sums() -> None:
    h = pauli_sum([(0.7, "III"), *TRANSISTOR, (0.2, "XIX")])
    dims = (2, 2, 2)
    assert coupling_subsystems(string("XII"), dims) == (0,)
    assert coupling_subsystems(string("IZZ") + 0.1 * string("IXI"), dims) == (1, 2)
    assert coupling_subsystems(string("III"), dims) == ()
    # the strings whose support lies inside S, identity included
    np.testing.assert_allclose(local_part(h, dims, (0,)), pauli_sum([(0.7, "III"), (0.5, "ZII")]))
    inside_12 = [(0.7, "III"), (0.3, "IZI"), (0.45, "IIZ"), (0.25, "IZZ")]
    np.testing.assert_allclose(local_part(h, dims, (1, 2)), pauli_sum(inside_12), atol=1e-15)
    inside_02 = [(0.7, "III"), (0.5, "ZII"), (0.45, "IIZ"), (0.2, "XIX")]
    np.testing.assert_allclose(local_part(h, dims, (0, 2)), pauli_sum(inside_02), atol=1e-15)


def test_paper_model_closed_form_batched() -> None:
    """D_j = 2G_j(e_j) D[s-_j] + 2G_j(-e_j) D[s+_j] at every point of a batch (H batched too)."""
    eps1 = np.array([5.0, 3.0, 4.0])
    system = paper_system(eps1, 4.0, [0.5, 0.2, 0.05], 0.01, 0.02, 50.0, [15.0, 6.0, 4.0], 5.0)
    gen = LocalLindblad(lamb_shift=False).generator(system)
    for n in range(3):
        for j, (eps, bath) in enumerate(zip((eps1[n], 4.0), system.baths)):
            lower = np.kron(PAPER_LOWER, np.eye(2)) if j == 0 else np.kron(np.eye(2), PAPER_LOWER)
            point = DrudeBath(bath.gamma, bath.omega_d, np.broadcast_to(bath.temperature, (3,))[n])
            lab = 2 * float(point.G(eps)) * lindblad_dissipator(lower)
            lab = lab + 2 * float(point.G(-eps)) * lindblad_dissipator(lower.conj().T)
            u = gen.eigenbasis.vectors[n]
            expected = sandwich(u.conj().T, u) @ lab @ sandwich(u, u.conj().T)
            np.testing.assert_allclose(gen.dissipators[j][n], expected, atol=1e-13)


def test_transverse_field_jumps_from_the_qubits_own_eigenbasis() -> None:
    """H = e1/2 Z1 + h/2 X1 + e2/2 Z2 + g X1 X2: bath 1 sees Omega = sqrt(e1^2 + h^2)."""
    e1, h, e2, g = 3.0, 1.2, 2.0, 0.4
    ham = pauli_sum([(e1 / 2, "ZI"), (h / 2, "XI"), (e2 / 2, "IZ"), (g, "XX")])
    baths = (DrudeBath(0.02, 30.0, 2.0), DrudeBath(0.01, 30.0, 0.7))
    system = OpenSystem(ham, (string("XI"), string("IX")), baths, subsystem_dims=(2, 2))
    gen = LocalLindblad().generator(system)
    # qubit 1's eigenbasis: |up> = (cos t/2, sin t/2) at +Omega/2, |dn> = (-sin t/2, cos t/2)
    omega, theta = np.hypot(e1, h), np.arctan2(h, e1)
    up = np.array([np.cos(theta / 2), np.sin(theta / 2)])
    dn = np.array([-np.sin(theta / 2), np.cos(theta / 2)])
    x = PAULI["X"]
    lower = np.kron((dn @ x @ up) * np.outer(dn, up), np.eye(2))
    diagonal = (up @ x @ up) * np.outer(up, up) + (dn @ x @ dn) * np.outer(dn, dn)
    diagonal = np.kron(diagonal, np.eye(2))
    bath = baths[0]
    jumps = {omega: lower, -omega: lower.conj().T, 0.0: diagonal}
    lab = sum(2 * float(bath.G(w)) * lindblad_dissipator(op) for w, op in jumps.items())
    np.testing.assert_allclose(gen.dissipators[0], to_eigen(gen, lab), atol=1e-13)
    # qubit 2: e2/2 Z2 alone (X1 and X1 X2 are not inside its support)
    s2, b2 = string("I-"), baths[1]
    lab2 = 2 * float(b2.G(e2)) * lindblad_dissipator(s2)
    lab2 = lab2 + 2 * float(b2.G(-e2)) * lindblad_dissipator(s2.conj().T)
    np.testing.assert_allclose(gen.dissipators[1], to_eigen(gen, lab2), atol=1e-13)
    # Lamb shift: sum_w S(w) A(w)^dag A(w) of each bath
    lamb = sum(float(bath.S(w)) * op.conj().T @ op for w, op in jumps.items())
    lamb = lamb + float(b2.S(e2)) * s2.conj().T @ s2 + float(b2.S(-e2)) * s2 @ s2.conj().T
    u = gen.eigenbasis.vectors
    np.testing.assert_allclose(u @ gen.lamb_shift @ u.conj().T, lamb, atol=1e-14)
    sol = solve(system, LocalLindblad())
    assert abs(sol.J1 + sol.J2) < 1e-12 * abs(sol.J1)


def test_zz_transistor_local_carries_no_heat_unlike_global() -> None:
    """ZZ couplings commute with the bare qubits: the local steady state is the product of each
    qubit's Gibbs state at its bath's temperature, so no heat flows; the global equation (jumps
    at the dressed frequencies 2(h_j +- J)) carries heat."""
    temperatures = (1.0, 0.5, 0.2)
    system = transistor(temperatures)
    gen = LocalLindblad(lamb_shift=False).generator(system)
    lab = 2 * float(system.baths[0].G(1.0)) * lindblad_dissipator(string("-II"))
    lab = lab + 2 * float(system.baths[0].G(-1.0)) * lindblad_dissipator(string("-II").conj().T)
    np.testing.assert_allclose(gen.dissipators[0], to_eigen(gen, lab), atol=1e-13)
    local = solve(system, LocalLindblad())
    levels = np.array([1.0, -1.0])
    gibbs = [np.diag(np.exp(-h * levels / t)) for h, t in zip((0.5, 0.3, 0.45), temperatures)]
    product = np.kron(np.kron(gibbs[0], gibbs[1]), gibbs[2])
    np.testing.assert_allclose(local.state.rho_lab, product / np.trace(product), atol=1e-12)
    np.testing.assert_allclose(local.currents, 0.0, atol=1e-15)
    glob = solve(system, GlobalLindblad())
    assert glob.currents[0] > 5e-4 and glob.currents[1] < -5e-4
    assert abs(glob.currents.sum()) < 1e-12 * np.abs(glob.currents).max()


def test_levy_kosloff_cold_to_hot_on_a_device_built_by_hand() -> None:
    """Detuned XX-coupled qubits (e = (5, 4)), T1 = 5.5 > T2 = 5: local heat flows cold -> hot
    (negative entropy production); the generic construction equals the paper's model."""
    ham = pauli_sum([(2.5, "ZI"), (2.0, "IZ"), (0.5, "XX")])
    baths = (DrudeBath(0.01, 50.0, 5.5), DrudeBath(0.01, 50.0, 5.0))
    system = OpenSystem(ham, (string("XI"), string("IX")), baths, subsystem_dims=(2, 2))
    local = solve(system, LocalLindblad(lamb_shift=False))
    assert local.J1 < 0 and abs(local.J1 + local.J2) < 1e-12 * abs(local.J1)
    assert -local.J1 / 5.5 - local.J2 / 5.0 < 0
    paper_model = paper_system(5.0, 4.0, 0.5, 0.01, 0.01, 50.0, 5.5, 5.0)
    paper = solve(paper_model, LocalLindblad(lamb_shift=False))
    assert local.J1 == pytest.approx(paper.J1, rel=1e-10)
    assert solve(system, GlobalLindblad()).J1 > 0


def test_explicit_local_hamiltonians_replace_the_structure() -> None:
    ham = pauli_sum([(2.5, "ZI"), (2.0, "IZ"), (0.5, "XX")])
    baths = (DrudeBath(0.01, 50.0, 9.0), DrudeBath(0.01, 50.0, 5.0))
    couplings = (string("XI"), string("IX"))
    bare = OpenSystem(ham, couplings, baths)
    with pytest.raises(InvalidParameterError, match="subsystem_dims"):
        LocalLindblad().generator(bare)
    given = LocalLindblad(local_hamiltonians=(2.5 * string("ZI"), 2.0 * string("IZ")))
    found = solve(OpenSystem(ham, couplings, baths, subsystem_dims=(2, 2)), LocalLindblad())
    np.testing.assert_allclose(solve(bare, given).currents, found.currents, rtol=1e-12)
    with pytest.raises(InvalidParameterError, match="one matrix per bath"):
        LocalLindblad(local_hamiltonians=(string("ZI"),)).generator(bare)
    with pytest.raises(InvalidParameterError, match="Hermitian"):
        LocalLindblad(local_hamiltonians=(string("-I"), string("IZ")))


def test_coupling_on_every_subsystem_is_refused() -> None:
    ham = pauli_sum([(2.5, "ZI"), (2.0, "IZ"), (0.5, "XX")])
    baths = (DrudeBath(0.01, 50.0, 9.0), DrudeBath(0.01, 50.0, 5.0))
    system = OpenSystem(ham, (string("XX"), string("IX")), baths, subsystem_dims=(2, 2))
    with pytest.raises(InvalidParameterError, match="acts on every subsystem"):
        LocalLindblad().generator(system)
