"""The family of master equations: local Lindblad, partial secular, universal Lindblad (ULE)."""

from __future__ import annotations

import math
import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from qheat.api import paper_system, solve
from qheat.errors import InvalidParameterError, PositivityWarning
from qheat.master import BlochRedfield, GlobalLindblad
from qheat.master.family import (
    LocalLindblad,
    PartialSecular,
    UniversalLindblad,
    lindblad_dissipator,
)
from qheat.master.superop import sandwich
from qheat.model.operators import two_qubit_operator

LOWER = np.array([[0, 1], [0, 0]], dtype=complex)  # |0><1|: |1> is excited


def _system(t1: float = 15.0, t2: float = 5.0, eps=(5.0, 4.0), g: float = 0.5, gamma: float = 0.01):
    return paper_system(eps[0], eps[1], g, gamma, gamma, 50.0, t1, t2)


@pytest.mark.parametrize("lamb_shift", [True, False])
def test_partial_secular_ends_are_global_lindblad_and_bloch_redfield(lamb_shift: bool) -> None:
    system = paper_system([5.0, 4.0], [4.0, 4.0], [0.5, 0.05], 0.01, 0.02, 50.0, [15.0, 30.0], 5.0)
    zero = PartialSecular(0.0, lamb_shift).generator(system).liouvillian()
    full = PartialSecular(math.inf, lamb_shift).generator(system).liouvillian()
    np.testing.assert_allclose(
        zero, GlobalLindblad(lamb_shift).generator(system).liouvillian(), atol=1e-14
    )
    np.testing.assert_allclose(
        full, BlochRedfield(lamb_shift).generator(system).liouvillian(), atol=1e-14
    )


def test_partial_secular_keeps_only_near_pairs() -> None:
    """e = (4, 4), g = 0.05: w2 - w1 = 2 alpha = 0.1; a cutoff of 0.2 keeps that pair, 1 keeps all."""
    system = _system(eps=(4.0, 4.0), g=0.05)
    near = solve(system, PartialSecular(0.2)).J1
    lindblad = solve(system, GlobalLindblad()).J1
    br = solve(system, BlochRedfield()).J1
    assert abs(near - br) < 0.05 * abs(lindblad - br)


def test_partial_secular_rejects_negative_cutoff() -> None:
    with pytest.raises(InvalidParameterError, match="cutoff"):
        PartialSecular(-1.0)


def test_local_dissipator_is_the_thermal_qubit_closed_form() -> None:
    system = _system()
    gen = LocalLindblad(lamb_shift=False).generator(system)
    basis = gen.eigenbasis
    bath = system.baths[0]
    lower = two_qubit_operator(LOWER, 1)
    expected_lab = 2 * float(bath.G(5.0)) * lindblad_dissipator(lower) + 2 * float(
        bath.G(-5.0)
    ) * lindblad_dissipator(lower.conj().T)
    u = basis.vectors
    expected = sandwich(u.conj().T, u) @ expected_lab @ sandwich(u, u.conj().T)
    np.testing.assert_allclose(gen.dissipators[0], expected, atol=1e-13)


def test_local_lindblad_uncoupled_qubits_thermalize_separately() -> None:
    system = _system(t1=9.0, t2=3.0, g=0.0)
    sol = solve(system, LocalLindblad())
    p1 = 1 / (1 + np.exp(5.0 / 9.0))
    p2 = 1 / (1 + np.exp(4.0 / 3.0))
    expected = np.diag([(1 - p1) * (1 - p2), (1 - p1) * p2, p1 * (1 - p2), p1 * p2])
    np.testing.assert_allclose(sol.state.rho_lab, expected, atol=1e-12)
    np.testing.assert_allclose(sol.currents, 0.0, atol=1e-15)


def test_local_lindblad_violates_second_law_for_detuned_qubits() -> None:
    """Levy-Kosloff: e1 != e2, T1 slightly above T2: the local current flows cold -> hot."""
    system = _system(t1=5.5, t2=5.0)
    local = solve(system, LocalLindblad(lamb_shift=False))
    assert local.J1 + local.J2 == pytest.approx(0.0, abs=1e-14)
    assert local.J1 < 0  # heat flows INTO the hot bath 1
    entropy_production = -local.J1 / 5.5 - local.J2 / 5.0
    assert entropy_production < 0
    assert solve(system, GlobalLindblad()).J1 > 0  # the global equation obeys the second law


def test_ule_has_the_secular_rates() -> None:
    """Population-to-population block of the ULE dissipator equals the Lindblad one (Pauli rates)."""
    system = _system()
    ule = UniversalLindblad().generator(system)
    lindblad = GlobalLindblad().generator(system)
    pops = np.arange(4) * 5
    for a, b in zip(ule.dissipators, lindblad.dissipators):
        np.testing.assert_allclose(a[np.ix_(pops, pops)], b[np.ix_(pops, pops)], atol=1e-14)


def test_redfield_loses_positivity_where_ule_does_not() -> None:
    system = _system(t1=0.3, t2=0.3, gamma=0.03)
    with pytest.warns(PositivityWarning):
        br = solve(system, BlochRedfield())
    assert br.min_eigenvalue < -1e-6
    assert solve(system, UniversalLindblad()).min_eigenvalue > -1e-12


@settings(max_examples=25, deadline=None)
@given(
    eps1=st.floats(1.0, 8.0),
    eps2=st.floats(1.0, 8.0),
    g=st.floats(0.01, 1.5),
    gamma=st.floats(0.001, 0.1),
    t1=st.floats(0.05, 20.0),
    t2=st.floats(0.05, 20.0),
)
def test_ule_steady_state_is_positive(eps1, eps2, g, gamma, t1, t2) -> None:  # type: ignore[no-untyped-def]
    """Complete positivity (Nathan-Rudner): the ULE state is a density matrix everywhere."""
    system = paper_system(eps1, eps2, g, gamma, gamma, 50.0, t1, t2)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # ill-conditioning at very low T is not the property
        sol = solve(system, UniversalLindblad())
    assert sol.min_eigenvalue > -1e-10
