"""Named baths, QuTiP operators and the equation errors of issue 11 item 2."""

import numpy as np
import pytest
import qutip

import qheat

X = np.array([[0.0, 1.0], [1.0, 0.0]])


def three_baths(names: tuple[str, ...] | None = ("hot", "mid", "cold")) -> qheat.OpenSystem:
    h = np.diag([0.5, -0.5])
    baths = tuple(qheat.DrudeBath(0.01, 20.0, t) for t in (2.0, 1.0, 0.5))
    return qheat.OpenSystem(h, (X, X, X), baths, bath_names=names)


def test_currents_by_name_and_by_number() -> None:
    sol = qheat.solve(three_baths(), qheat.GlobalLindblad())
    assert sol.bath_names == ("hot", "mid", "cold")
    assert sol.J3 == sol.current("cold") == sol.currents[..., 2]
    assert list(sol.currents_by_bath) == ["hot", "mid", "cold"]
    # one qubit: the hot bath feeds it, the cold one drains it, and nothing is lost
    assert sol.current("hot") > 0 > sol.current("cold")
    assert abs(float(sol.currents.sum())) < 1e-15
    with pytest.raises(AttributeError, match="3 baths"):
        sol.J4  # noqa: B018
    with pytest.raises(KeyError, match="hot, mid|'hot', 'mid'"):
        sol.current("warm")


def test_default_names_are_numbers() -> None:
    assert qheat.solve(three_baths(None)).bath_names == ("1", "2", "3")
    assert qheat.paper_system(5, 4, 0.5, 0.01, 0.01, 50, 15, 5).bath_names == ("1", "2")


@pytest.mark.parametrize(
    "names, message",
    [
        (("a", "a", "b"), "distinct"),
        (("a", "b"), "3 non-empty strings"),
        ("abc", "tuple"),
        (("a", "", "b"), "non-empty"),
    ],
)
def test_bad_names_are_refused(names: object, message: str) -> None:
    with pytest.raises(qheat.InvalidParameterError, match=message):
        three_baths(names)  # type: ignore[arg-type]


def test_qutip_operators_give_the_same_system() -> None:
    """H and couplings as QuTiP Qobj (tensor products of Pauli matrices) equal the numpy
    kron construction, and the solve is the same."""
    h_q = 0.5 * qutip.tensor(qutip.sigmaz(), qutip.qeye(2)) + 0.3 * qutip.tensor(
        qutip.qeye(2), qutip.sigmaz()
    )
    h_q = h_q + 0.2 * qutip.tensor(qutip.sigmax(), qutip.sigmax())
    a_q = (qutip.tensor(qutip.sigmax(), qutip.qeye(2)), qutip.tensor(qutip.qeye(2), qutip.sigmax()))
    z = np.diag([1.0, -1.0])
    h = 0.5 * np.kron(z, np.eye(2)) + 0.3 * np.kron(np.eye(2), z) + 0.2 * np.kron(X, X)
    a = (np.kron(X, np.eye(2)), np.kron(np.eye(2), X))
    baths = (qheat.DrudeBath(0.01, 20.0, 2.0), qheat.DrudeBath(0.01, 20.0, 0.5))
    from_qutip = qheat.OpenSystem(h_q, a_q, baths)
    from_numpy = qheat.OpenSystem(h, a, baths)
    np.testing.assert_array_equal(from_qutip.hamiltonian, from_numpy.hamiltonian)
    np.testing.assert_allclose(
        qheat.solve(from_qutip).currents, qheat.solve(from_numpy).currents, rtol=1e-13
    )


def test_equation_errors_list_every_equation() -> None:
    system = three_baths()
    for bad in (qheat.LocalLindblad, "br", 3):
        with pytest.raises(qheat.InvalidParameterError) as info:
            qheat.solve(system, bad)  # type: ignore[arg-type]
        for name in (
            "BlochRedfield()",
            "GlobalLindblad()",
            "LocalLindblad()",
            "PartialSecular(",
            "UniversalLindblad()",
            "your own",
        ):
            assert name in str(info.value)
