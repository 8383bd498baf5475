"""Device analyses (qheat.analysis.device) against independent evidence.

* NDTC: curves ``J = x exp(-x/a)`` whose maximum (``x = a``) and negative-conductance interval
  (``(a, end]``) are known, placed along any axis or dimension.
* Rectification: a qubit between two baths has the closed-form Lindblad current
  ``J_1 = 2 w J_1(w) J_2(w) (n_1 - n_2) / (J_1(w)(2 n_1 + 1) + J_2(w)(2 n_2 + 1))`` (derived in
  ``_qubit_currents`` below), so ``R`` is known exactly; a device symmetric under exchanging its
  two ends has ``J_r = -J_f``, hence ``R = 0``, by symmetry.
* Amplification: the same closed form for three baths on one qubit, differentiated by the
  complex step ``dJ/dT = Im J(T + i h) / h`` (exact to round-off), checks the Richardson scheme
  and its error estimate; ``sum_j J_j = 0`` gives ``sum_j alpha_j = 0`` (``alpha_C + alpha_E =
  -1``) on a three-qubit transistor; the grid scheme converges at second order.
"""

from __future__ import annotations

import numpy as np
import pytest
import xarray as xr

import qheat
from qheat.analysis.device import (
    amplification,
    amplification_on_grid,
    ndtc_along,
    rectification,
    rectification_factor,
)
from qheat.analysis.ndtc import ndtc_on_grid
from qheat.errors import InvalidParameterError

OMEGA_D = 40.0
SX = np.array([[0.0, 1.0], [1.0, 0.0]], dtype=complex)
SZ = np.diag([1.0, -1.0]).astype(complex)
ID = np.eye(2, dtype=complex)


def hump(x: np.ndarray, a: np.ndarray) -> np.ndarray:
    return x * np.exp(-x / a)


# --- NDTC -----------------------------------------------------------------------------------


def test_ndtc_along_a_middle_axis_finds_the_known_maxima() -> None:
    x = np.linspace(0.0, 12.0, 121)
    a = np.array([1.0, 2.5, 30.0])  # 30: still rising at the end, no NDTC
    J = hump(x[None, :, None], a[:, None, None]) * np.array([1.0, 2.0])  # (3, 121, 2)
    result = ndtc_along(J, 1, x)
    assert result.ndtc.shape == (3, 2)
    assert result.ndtc.tolist() == [[True, True], [True, True], [False, False]]
    np.testing.assert_allclose(result.dT_peak[:2], np.repeat(a[:2, None], 2, 1), atol=0.05)
    np.testing.assert_allclose(result.negative_interval[:2, :, 0], result.dT_peak[:2], atol=0.1)
    assert np.all(result.negative_interval[:2, :, 1] == x[-1])
    same = ndtc_on_grid(x, np.moveaxis(J, 1, -1))  # the axis moved by hand
    np.testing.assert_array_equal(result.negative_interval, same.negative_interval)


def test_ndtc_along_a_labelled_dimension() -> None:
    tM = np.linspace(0.0, 10.0, 101)
    a = np.array([[2.0, 4.0], [3.0, 50.0]])  # (equation, bath)
    J = xr.DataArray(
        hump(tM, a[..., None]),
        dims=("equation", "bath", "tM"),
        coords={"equation": ["br", "lindblad"], "bath": ["L", "R"], "tM": tM},
    )
    ds = ndtc_along(J.transpose("tM", "bath", "equation"), "tM")
    assert set(ds.data_vars) == {"ndtc", "peak", "J_peak", "negative_start", "negative_end"}
    assert set(ds.ndtc.dims) == {"equation", "bath"}
    assert bool(ds.ndtc.sel(equation="br", bath="R")) and not ds.ndtc.sel(bath="R")[1]
    np.testing.assert_allclose(ds.peak.sel(equation="br").values, [2.0, 4.0], atol=0.05)
    np.testing.assert_allclose(ds.J_peak.sel(equation="lindblad", bath="L"), 3.0 / np.e, rtol=1e-3)
    assert np.isnan(float(ds.negative_start.sel(equation="lindblad", bath="R")))
    assert ds.attrs["along"] == "tM"


def test_ndtc_along_rejects_bad_axes() -> None:
    J = xr.DataArray(np.zeros((2, 5)), dims=("bath", "tM"), coords={"tM": np.arange(5.0)})
    with pytest.raises(InvalidParameterError, match="along must be a dimension"):
        ndtc_along(J, "t1")
    with pytest.raises(InvalidParameterError, match="x must not be given"):
        ndtc_along(J, "tM", np.arange(5.0))  # type: ignore[call-overload]
    with pytest.raises(InvalidParameterError, match=r"x .* is required"):
        ndtc_along(np.zeros((2, 5)), 1, None)  # type: ignore[call-overload]
    with pytest.raises(InvalidParameterError, match="axis must be an integer in"):
        ndtc_along(np.zeros((2, 5)), 2, np.arange(5.0))


# --- rectification --------------------------------------------------------------------------


def test_rectification_factor_values() -> None:
    R = rectification_factor(np.array([1.0, 1.0, 1.0, 0.0, -2.0]), np.array([-1, 0, -0.25, 0, 1]))
    np.testing.assert_array_equal(R[[0, 1, 2, 4]], [0.0, 1.0, 0.75, 0.5])
    assert np.isnan(R[3])  # no bias, no current: undefined
    labelled = xr.DataArray([1.0, 2.0], dims="dT", coords={"dT": [1.0, 2.0]})
    out = rectification_factor(labelled, -0.5 * labelled)
    assert out.dims == ("dT",) and out.name == "R"
    np.testing.assert_allclose(out.values, [0.5, 0.5])
    # dimensions align by name, not by position
    Jf = xr.DataArray([[1.0, 2.0, 4.0], [1.0, 1.0, 1.0]], dims=("g", "dT"))
    Jr = -Jf.transpose("dT", "g") * xr.DataArray([0.5, 1.0], dims="g")
    np.testing.assert_allclose(
        rectification_factor(Jf, Jr).transpose("g", "dT"), [[0.5] * 3, [0] * 3]
    )


def _bose(w: np.ndarray, t: np.ndarray) -> np.ndarray:
    return 1.0 / np.expm1(w / t)


def _qubit_currents(w: float, gammas: list, temps: list) -> np.ndarray:
    """Closed-form Lindblad currents of a qubit ``w/2 sz`` coupled through ``sx`` to Drude baths
    (no Lamb shift). Rates down ``2 G_j(w)``, up ``2 G_j(-w)`` with ``G(w) = J(w)(n + 1)`` and
    ``G(-w) = J(w) n``; populations ``p_e = K_up / (K_up + K_down)``;
    ``J_j = w (2 G_j(-w) p_g - 2 G_j(w) p_e)``. Works for complex temperatures (complex step)."""
    spectral = [g * w / (1.0 + (w / OMEGA_D) ** 2) for g in gammas]
    n = [_bose(w, t) for t in temps]
    up = [s * m for s, m in zip(spectral, n, strict=True)]
    down = [s * (m + 1.0) for s, m in zip(spectral, n, strict=True)]
    k_up, k_down = sum(up), sum(down)
    return np.stack(
        [2.0 * w * (u * k_down - d * k_up) / (k_up + k_down) for u, d in zip(up, down, strict=True)]
    )


def _qubit(w: float, gammas: list, **temps: np.ndarray) -> qheat.OpenSystem:
    names = tuple(sorted(temps))
    baths = tuple(qheat.DrudeBath(g, OMEGA_D, temps[n]) for g, n in zip(gammas, names, strict=True))
    return qheat.OpenSystem(w / 2 * SZ, (SX,) * len(names), baths, bath_names=names)


@pytest.mark.parametrize(
    "equation", [qheat.GlobalLindblad(lamb_shift=False), qheat.BlochRedfield(lamb_shift=False)]
)
def test_rectification_of_a_qubit_between_unequal_baths_matches_its_closed_form(
    equation: qheat.MasterEquation,
) -> None:
    gammas = [0.002, 0.03]  # unequal couplings: the qubit rectifies
    t_hot = np.array([[2.0], [6.0]])
    t_cold = np.array([0.3, 0.8, 1.5])

    def build(a: np.ndarray, b: np.ndarray) -> qheat.OpenSystem:
        return _qubit(1.0, gammas, a=a, b=b)

    result = rectification(
        build, {"a": t_hot, "b": t_cold}, swap=("a", "b"), bath="a", equation=equation
    )
    forward = _qubit_currents(1.0, gammas, [t_hot, t_cold])[0]
    reverse = _qubit_currents(1.0, gammas, [t_cold, t_hot])[0]
    assert result.factor.shape == (2, 3)
    np.testing.assert_allclose(result.forward, forward, rtol=1e-10)
    np.testing.assert_allclose(result.reverse, reverse, rtol=1e-10)
    exact = np.abs(forward + reverse) / np.maximum(np.abs(forward), np.abs(reverse))
    np.testing.assert_allclose(result.factor, exact, rtol=1e-8)
    assert np.all(result.factor > 0.1)


@pytest.mark.parametrize("equation", [qheat.BlochRedfield(), qheat.GlobalLindblad()])
def test_a_device_symmetric_under_exchanging_its_ends_does_not_rectify(
    equation: qheat.MasterEquation,
) -> None:
    t1 = np.array([[0.5], [3.0], [20.0]])
    t2 = np.array([1.0, 8.0])
    params = {"eps1": 3.0, "eps2": 3.0, "g": 0.7, "gamma1": 0.02, "gamma2": 0.02, "omega_d": 50.0}
    params |= {"t1": t1, "t2": t2}
    result = rectification(
        qheat.paper_system, params, swap=("t1", "t2"), bath="2", equation=equation
    )
    assert result.factor.shape == (3, 2)
    assert np.all(np.abs(result.forward) > 1e-4)
    assert np.all(result.factor < 1e-9)
    # one asymmetric qubit breaks the symmetry: now it rectifies
    asym = rectification(qheat.paper_system, {**params, "eps2": 1.5}, ("t1", "t2"), "2", equation)
    assert np.all(asym.factor > 1e-3)


def test_rectification_rejects_bad_names() -> None:
    params = {"eps1": 3, "eps2": 2, "g": 0.5, "gamma1": 0.01, "gamma2": 0.01, "omega_d": 50}
    params |= {"t1": 2, "t2": 1}
    with pytest.raises(InvalidParameterError, match="swap must name two different parameters"):
        rectification(qheat.paper_system, params, swap=("t1", "tR"), bath="1")
    with pytest.raises(InvalidParameterError, match=r"bath must be one of \['1', '2'\]"):
        rectification(qheat.paper_system, params, swap=("t1", "t2"), bath="L")


# --- amplification --------------------------------------------------------------------------

FIELDS = np.array([0.1, 0.14, 0.06])  # local fields w_P of L, M, R: no degenerate levels
ISING = 1.0  # ZZ coupling of L-M and M-R (none L-R), the geometry of Joulain et al.
GAMMAS = np.array([0.005, 0.005, 0.005])


def _ising_energies() -> tuple[np.ndarray, np.ndarray]:
    """Spins ``s (8, 3)`` of the basis states (qubit 0 leftmost, |0> has sz = +1), energies."""
    s = 1.0 - 2.0 * np.array([[(k >> (2 - q)) & 1 for q in range(3)] for k in range(8)])
    return s, s @ FIELDS / 2 + ISING * (s[:, 0] * s[:, 1] + s[:, 1] * s[:, 2])


def _pauli_currents(temps: list) -> np.ndarray:
    """Currents ``(3, ...)`` of the Ising transistor from a classical rate equation built here.

    ``H`` is diagonal and bath ``j`` flips spin ``j``: the global Lindblad equation (no Lamb
    shift) reduces to rates ``2 G_j(E_b - E_a)`` from ``b`` to ``a`` (``G(w) = J(w)(n(w) + 1)``
    for either sign of ``w``), populations ``p`` from ``W p = 0``, ``J_j = sum_ab (E_a - E_b)
    W^j_ab p_b``. Works with complex temperatures (complex step)."""
    s, energy = _ising_energies()
    shape = np.broadcast_shapes(*(np.shape(t) for t in temps))
    W = np.zeros((3, *shape, 8, 8), dtype=complex)
    for j in range(3):
        for b in range(8):
            flipped = s[b].copy()
            flipped[j] *= -1
            a = int(np.flatnonzero((s == flipped).all(axis=1))[0])
            w = energy[b] - energy[a]  # energy handed to the bath
            spectral = GAMMAS[j] * w / (1.0 + (w / OMEGA_D) ** 2)
            W[j, ..., a, b] = 2.0 * spectral * (_bose(w, np.asarray(temps[j])) + 1.0)
    total = W.sum(axis=0)
    generator = total - np.eye(8) * total.sum(axis=-2)[..., None, :]
    generator[..., 0, :] = 1.0  # replace one equation by the normalization
    rhs = np.zeros((*shape, 8))
    rhs[..., 0] = 1.0
    p = np.linalg.solve(generator, rhs[..., None])[..., 0]
    gain = energy[:, None] - energy[None, :]
    return np.einsum("ab,j...ab,...b->j...", gain, W, p)


def _kron(*factors: np.ndarray) -> np.ndarray:
    out = np.eye(1, dtype=complex)
    for f in factors:
        out = np.kron(out, f)
    return out


def _ising_transistor(tL: float, tM: np.ndarray, tR: float) -> qheat.OpenSystem:
    """The same device from Pauli matrices (qubit 0 = L the leftmost factor)."""
    fields = [_kron(SZ, ID, ID), _kron(ID, SZ, ID), _kron(ID, ID, SZ)]
    H = sum(w / 2 * z for w, z in zip(FIELDS, fields, strict=True))
    H = H + ISING * (_kron(SZ, SZ, ID) + _kron(ID, SZ, SZ))
    flips = (_kron(SX, ID, ID), _kron(ID, SX, ID), _kron(ID, ID, SX))
    baths = tuple(qheat.DrudeBath(g, OMEGA_D, t) for g, t in zip(GAMMAS, (tL, tM, tR), strict=True))
    return qheat.OpenSystem(H, flips, baths, bath_names=("L", "M", "R"))


def _exact_alpha(tM: np.ndarray) -> np.ndarray:
    """``alpha_j (..., 3)`` from complex-step derivatives of the rate-equation currents."""
    h = 1e-20 * tM
    slope = _pauli_currents([1.0, tM + 1j * h, 0.1]).imag / h
    return np.moveaxis(slope / slope[1], 0, -1)


@pytest.mark.parametrize(
    "equation", [qheat.GlobalLindblad(lamb_shift=False), qheat.BlochRedfield(lamb_shift=False)]
)
def test_amplification_matches_complex_step_derivatives_of_a_rate_equation(
    equation: qheat.MasterEquation,
) -> None:
    tM = np.array([0.1, 0.2, 0.35, 0.6])
    params = {"tL": 1.0, "tM": tM, "tR": 0.1}
    result = amplification(_ising_transistor, params, "tM", "M", equation)
    exact = _exact_alpha(tM)
    assert result.alpha.shape == (4, 3) and result.bath_names == ("L", "M", "R")
    np.testing.assert_allclose(result.of("M"), 1.0)
    assert np.max(np.abs(exact[:, 2])) > 2.0  # a transistor: |alpha_R| > 1 somewhere
    assert np.all(np.abs(result.alpha - exact) <= result.alpha_error + 1e-12)  # honest estimate
    assert np.all(result.alpha_error <= 1e-6 * np.abs(result.alpha))  # and a small one
    currents = np.moveaxis(_pauli_currents([1.0, tM, 0.1]).real, 0, -1)
    np.testing.assert_allclose(result.currents, currents, rtol=1e-9, atol=1e-14)


def _transistor(tL: float, tM: np.ndarray, tR: float) -> qheat.OpenSystem:
    """The Ising transistor with a weak XX coupling added (BR and Lindblad now differ)."""
    xx = 0.05 * (_kron(SX, SX, ID) + _kron(ID, SX, SX))
    system = _ising_transistor(tL, tM, tR)
    return qheat.OpenSystem(
        system.hamiltonian + xx, system.couplings, system.baths, bath_names=system.bath_names
    )


@pytest.mark.parametrize("equation", [qheat.BlochRedfield(), qheat.GlobalLindblad()])
def test_amplification_obeys_the_conservation_law(equation: qheat.MasterEquation) -> None:
    tM = np.array([0.08, 0.15, 0.4])
    result = amplification(_transistor, {"tL": 1.0, "tM": tM, "tR": 0.1}, "tM", "M", equation)
    total = result.of("L") + result.of("R")
    assert np.all(np.abs(total + 1.0) <= result.error_of("L") + result.error_of("R") + 1e-9)
    assert np.all(np.isfinite(result.alpha))


def test_amplification_broadcasts_the_base_temperature_against_other_parameters() -> None:
    tL = np.array([0.6, 1.0, 1.5, 2.0, 3.0, 4.0, 5.0])  # as many as the 7 offsets: no mix-up
    result = amplification(_ising_transistor, {"tL": tL, "tM": 0.2, "tR": 0.1}, "tM", "M")
    assert result.alpha.shape == (7, 3)
    for i, t in enumerate(tL[[0, 4]]):
        single = amplification(_ising_transistor, {"tL": t, "tM": 0.2, "tR": 0.1}, "tM", "M")
        np.testing.assert_allclose(result.alpha[[0, 4][i]], single.alpha, rtol=1e-9)


def test_amplification_on_grid_is_second_order_and_labelled() -> None:
    errors = []
    for n in (41, 81):
        tM = np.linspace(0.15, 0.45, n)
        J = np.moveaxis(_pauli_currents([1.0, tM, 0.1]).real, 0, -1)  # (n, 3)
        alpha = amplification_on_grid(J, 0, 1, tM)
        errors.append(np.max(np.abs(alpha - _exact_alpha(tM))))
    assert errors[0] / errors[1] == pytest.approx(4.0, rel=0.2)
    labelled = xr.DataArray(J.T, dims=("bath", "tM"), coords={"bath": ["L", "M", "R"], "tM": tM})
    out = amplification_on_grid(labelled, "tM", "M")
    assert out.dims == ("bath", "tM")
    np.testing.assert_allclose(out.sel(bath="M"), 1.0)
    np.testing.assert_allclose(out.sum("bath"), 0.0, atol=1e-9)  # sum_j J_j = 0 on every point
    np.testing.assert_allclose(out.values.T, alpha)


def test_amplification_rejects_bad_input() -> None:
    params = {"tL": 1.0, "tM": np.array([0.2]), "tR": 0.1}
    with pytest.raises(InvalidParameterError, match="base_temperature must name a parameter"):
        amplification(_transistor, params, "tB", "M")
    with pytest.raises(InvalidParameterError, match="rel_step must be in"):
        amplification(_transistor, params, "tM", "M", rel_step=0.5)
    with pytest.raises(InvalidParameterError, match=r"bath must be one of \['L', 'M', 'R'\]"):
        amplification(_transistor, params, "tM", "B")
    with pytest.raises(InvalidParameterError, match="tM must be finite and > 0"):
        amplification(_transistor, {**params, "tM": 0.0}, "tM", "M")
    with pytest.raises(InvalidParameterError, match="base must be the index"):
        amplification_on_grid(np.zeros((5, 3)), 0, 3, np.arange(5.0))


# --- the transistor tutorial's two exact statements ------------------------------------------


def test_ising_transistor_bloch_redfield_equals_lindblad_and_local_carries_no_heat() -> None:
    """Diagonal H, each coupling flips one qubit: no coherence is ever fed, so BR and the global
    Lindblad equation reduce to one rate equation (with the Lamb shift too); the local equation
    leaves the product of local Gibbs states stationary, so it carries no heat at all."""
    tM = np.array([0.1, 0.4, 0.9])
    system = _ising_transistor(1.0, tM, 0.1)
    dims = qheat.OpenSystem(
        system.hamiltonian,
        system.couplings,
        system.baths,
        bath_names=system.bath_names,
        subsystem_dims=(2, 2, 2),
    )
    br = qheat.solve(dims, qheat.BlochRedfield()).currents
    lindblad = qheat.solve(dims, qheat.GlobalLindblad()).currents
    local = qheat.solve(dims, qheat.LocalLindblad()).currents
    scale = np.max(np.abs(br))
    assert scale > 1e-5
    np.testing.assert_allclose(br, lindblad, rtol=0, atol=1e-12 * scale)
    np.testing.assert_allclose(local, 0.0, atol=1e-12 * scale)
