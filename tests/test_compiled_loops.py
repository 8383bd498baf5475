"""The compiled loops of the engine against second constructions written here.

* :func:`qheat.steady.block_solve.solve_blocks` against numpy's LAPACK inverse of the bordered
  matrix, block by block;
* :class:`~qheat.master.PairGenerator`'s ``L`` on a block and ``D_j(rho)`` (compiled element
  loops) against the full superoperators of :mod:`qheat.master.pair_kernel` (Kronecker
  products) and against Eqs. 9-10 summed term by term in the test.
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest

import qheat
from qheat.master.superop import PopulationBlock, unvec, vec
from qheat.steady.block_solve import solve_blocks


def _bordered(matrix: np.ndarray, n_pop: int) -> tuple[np.ndarray, np.ndarray]:
    """Row 0 replaced by the trace over the populations times ||L||_inf (block_solve's scale-free
    border); returns the bordered matrices and the scale."""
    scale = np.abs(matrix).sum(axis=-1).max(axis=-1)
    out = matrix.copy()
    out[..., 0, :] = 0.0
    out[..., 0, :n_pop] = scale[..., None]
    return out, scale


@pytest.mark.parametrize("m", [1, 3, 8, 17, 30])  # 30: LAPACK (LAPACK_FROM = 24)
def test_bordered_solve_equals_lapack(m: int) -> None:
    rng = np.random.default_rng(m)
    a = rng.normal(size=(20, m, m)) + 1j * rng.normal(size=(20, m, m))
    n_pop = max(1, m // 2)
    solved = solve_blocks(a, np.array([0, m]), n_pop)
    b, scale = _bordered(a, n_pop)
    inverse = np.linalg.inv(b)
    first = inverse[:, :, 0] * scale[:, None]  # B x = s e_0
    np.testing.assert_allclose(solved.first, first, rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(solved.first[:, :n_pop].sum(axis=-1), 1.0, rtol=1e-10)
    np.testing.assert_allclose(solved.norm, np.abs(b).sum(axis=-2).max(axis=-1), rtol=1e-13)
    np.testing.assert_allclose(
        solved.norm_inverse, np.abs(inverse).sum(axis=-2).max(axis=-1), rtol=1e-10
    )
    np.testing.assert_allclose(solved.norm_rows, np.abs(a).sum(axis=-1).max(axis=-1), rtol=1e-13)
    # the condition number is numpy's exact 1-norm condition number
    np.testing.assert_allclose(solved.norm * solved.norm_inverse, np.linalg.cond(b, 1), rtol=1e-9)


@pytest.mark.parametrize("sizes", [[3, 2, 1], [26, 3], [3, 26]])  # 26: by LAPACK
def test_block_diagonal_parts_and_a_singular_block(sizes: list[int]) -> None:
    rng = np.random.default_rng(7)
    offsets = np.cumsum([0, *sizes])
    m = sum(sizes)
    a = np.zeros((6, m, m), dtype=complex)
    for start, size in zip(offsets[:-1], sizes):
        a[:, start : start + size, start : start + size] = rng.normal(size=(6, size, size))
    a[2, :, sizes[0]] = 0.0  # point 2: the second block has a zero column (exactly singular)
    solved = solve_blocks(a, offsets, 0)
    for p in range(6):
        blocks = [a[p, s : s + n, s : s + n] for s, n in zip(offsets[:-1], sizes)]
        assert solved.norm[p] == pytest.approx(max(np.abs(b).sum(axis=0).max() for b in blocks))
        if p == 2:
            assert np.isinf(solved.norm_inverse[p])
            continue
        expected = max(np.abs(np.linalg.inv(b)).sum(axis=0).max() for b in blocks)
        assert solved.norm_inverse[p] == pytest.approx(expected, rel=1e-10)


def _random_device(rng: np.random.Generator, d: int, n_points: int) -> qheat.OpenSystem:
    h = rng.normal(size=(d, d)) + 1j * rng.normal(size=(d, d))
    couplings = []
    for _ in range(3):
        a = rng.normal(size=(d, d)) + 1j * rng.normal(size=(d, d))
        couplings.append(a + a.conj().T)
    temperatures = rng.uniform(0.5, 5.0, size=(3, n_points))
    baths = tuple(
        qheat.DrudeBath(gamma=0.01 * (k + 1), omega_d=20.0, temperature=temperatures[k])
        for k in range(3)
    )
    return qheat.OpenSystem(h + h.conj().T, tuple(couplings), baths)


EQUATIONS = [
    qheat.BlochRedfield(),
    qheat.BlochRedfield(lamb_shift=False),
    qheat.GlobalLindblad(),
    qheat.PartialSecular(1.0),
]


@pytest.mark.parametrize("d", [3, 4])
@pytest.mark.parametrize("equation", EQUATIONS, ids=lambda e: f"{e.name}-{e.lamb_shift}")
def test_pair_loops_equal_the_full_superoperators(d: int, equation: object) -> None:
    """L on the block of every element and D_j(rho) of a random (non-Hermitian) matrix equal
    the Kronecker-product superoperators; D_j also equals Eqs. 9-10 summed in the test."""
    rng = np.random.default_rng(d)
    system = _random_device(rng, d, 5)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", qheat.SecularityWarning)
        generator = equation.generator(system)  # type: ignore[attr-defined]
    index = np.arange(d * d)
    every = PopulationBlock(d, index % d, index // d, index, np.zeros(0, dtype=np.intp))
    dense = generator.liouvillian()
    np.testing.assert_allclose(
        generator.block_liouvillian(every), dense, atol=1e-14 * np.abs(dense).max()
    )

    x = rng.normal(size=(5, d, d)) + 1j * rng.normal(size=(5, d, d))
    x[3] = x[3] + x[3].conj().T  # one exactly Hermitian point (a steady state is one)
    assert np.array_equal(x[3], x[3].conj().T)
    compiled = generator.dissipate(x)
    kron = unvec((np.array(generator.dissipators) @ vec(x)[..., None])[..., 0])
    np.testing.assert_allclose(compiled, kron, atol=1e-14 * np.abs(kron).max())

    # Eqs. 9-10 term by term: D(x) = sum M gamma A_ab A*_cd (|a><b| x |d><c| - {|d><c|a><b|, x}/2)
    w = np.broadcast_to(generator.omega, (5, d, d))
    cutoff = np.inf if generator.cutoff is None else generator.cutoff
    couplings = np.broadcast_to(generator.couplings, (3, 5, d, d))
    spectra = np.broadcast_to(generator.spectra, (3, 5, d, d))
    for j, (a_j, g_j) in enumerate(zip(couplings, spectra)):
        for p in (0, 3):
            expected = np.zeros((d, d), dtype=complex)
            for a, b, c, e in np.ndindex(d, d, d, d):
                if abs(w[p, a, b] - w[p, c, e]) > cutoff:
                    continue
                rate = (g_j[p, a, b] + np.conj(g_j[p, c, e])) * a_j[p, a, b] * np.conj(a_j[p, c, e])
                ab, ec = np.zeros((d, d)), np.zeros((d, d))
                ab[a, b], ec[e, c] = 1.0, 1.0
                expected += rate * (ab @ x[p] @ ec - 0.5 * (ec @ ab @ x[p] + x[p] @ ec @ ab))
            np.testing.assert_allclose(
                compiled[j, p], expected, atol=1e-13 * np.abs(expected).max()
            )


def test_dissipate_broadcasts_states_over_one_point() -> None:
    rng = np.random.default_rng(11)
    generator = qheat.BlochRedfield().generator(_random_device(rng, 3, 1))
    x = rng.normal(size=(4, 3, 3)) + 1j * rng.normal(size=(4, 3, 3))
    many = generator.dissipate(x)
    assert many.shape == (3, 4, 3, 3)
    for k in range(4):
        np.testing.assert_allclose(many[:, k], generator.dissipate(x[k])[:, 0], atol=1e-15)
