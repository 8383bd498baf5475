"""Batched currents of the paper's model on the population block: the engine under every sweep.

For a chunk of parameter points (flat arrays) it builds, for each master equation, only the
block of the Liouvillian that holds the steady state (Appendix B's X-shaped block: populations,
``rho14``, ``rho23`` and conjugates, 8 x 8 instead of 16 x 16), solves it with one stacked LU,
and returns the heat currents (Eqs. 21-23) and diagnostics. The spectral functions
``Gamma(w) = G(w) + i S(w)`` are the system's (:attr:`~qheat.model.OpenSystem.bath_stack`),
evaluated once and shared by both equations. The result equals :func:`qheat.solve` point by
point (tested to 1e-12).
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray

from ..api import paper_system
from ..errors import InvalidParameterError
from ..master.equations import bohr_gaps, secular_ratio
from ..master.pair_kernel import (
    block_dissipator,
    block_jumps,
    closure_operator,
    coupling_pattern,
    without_lamb_shift,
)
from ..master.superop import block_multiplication, element_major, population_block
from ..steady.currents import block_heat_currents
from ..steady.solve import block_min_eigenvalue, bordered_block_solve, check_steady_state

__all__ = ["EQUATIONS", "PARAMETERS", "EquationResult", "temperatures", "evaluate_points"]

FloatArray = NDArray[np.float64]

PARAMETERS = ("eps1", "eps2", "g", "gamma1", "gamma2", "omega_d", "t1", "dt", "t2")
"""Names a sweep may vary (``t1`` or ``dt = T1 - T2``, not both)."""
EQUATIONS = ("br", "lindblad")
"""Bloch-Redfield (Eqs. 8-12, every pair of frequencies) and global Lindblad (Eqs. A14-A15)."""


@dataclass(frozen=True)
class EquationResult:
    """Currents and diagnostics of one master equation over a chunk of points, each ``(n,)``.

    Attributes:
        J1: heat current from bath 1 into the system (Eqs. 21-23).
        J2: heat current from bath 2 into the system.
        min_eigenvalue: smallest eigenvalue of the steady state.
        condition_number: exact 1-norm condition number of the bordered population block
            (the complement block, coherences between the two parity sectors, is not inverted).
        secular_ratio: for the global Lindblad equation, the largest transition rate over the
            smallest Bohr-frequency gap it drops (:func:`qheat.master.equations.secular_ratio`);
            None for Bloch-Redfield.
    """

    J1: FloatArray
    J2: FloatArray
    min_eigenvalue: FloatArray
    condition_number: FloatArray
    secular_ratio: FloatArray | None = None


def temperatures(values: Mapping[str, ArrayLike]) -> tuple[FloatArray, FloatArray]:
    """``(T1, T2)`` from ``t1`` or ``dt`` (``T1 = T2 + dt``; ``dt`` defaults to 0)."""
    if "t1" in values and "dt" in values:
        raise InvalidParameterError("give t1 or dt (= T1 - T2), not both")
    t2 = np.asarray(values["t2"], dtype=float)
    if "t1" in values:
        return np.asarray(values["t1"], dtype=float), t2
    t1 = t2 + np.asarray(values.get("dt", 0.0), dtype=float)
    if np.any(t1 < 0):
        raise InvalidParameterError(f"dt gives T1 = T2 + dt = {np.min(t1):g}; T1 must be >= 0")
    return t1, t2


def evaluate_points(
    values: Mapping[str, ArrayLike], equations: tuple[str, ...], lamb_shift: bool
) -> dict[str, EquationResult]:
    """Currents of each master equation at every point; the values broadcast together.

    Args:
        values: ``eps1, eps2, g, gamma1, gamma2, omega_d, t2`` and ``t1`` or ``dt``.
        equations: names from :data:`EQUATIONS`.
        lamb_shift: keep ``S(w)``; False sets ``S = 0`` (QuTiP's convention).

    Raises:
        NonUniqueSteadyStateError: at some point no unique steady state exists.

    Warnings about conditioning, positivity and secularity are not raised here: the caller
    reads ``condition_number``, ``min_eigenvalue`` and ``secular_ratio`` (one summary warning
    per sweep).
    """
    unknown = set(equations) - set(EQUATIONS)
    if unknown:
        raise InvalidParameterError(f"equations must be among {EQUATIONS}, got {sorted(unknown)}")
    t1, t2 = temperatures(values)
    system = paper_system(
        values["eps1"], values["eps2"], values["g"], values["gamma1"], values["gamma2"],
        values["omega_d"], t1, t2,
    )
    basis = system.eigensystem()
    shape = system.batch_shape
    omega = system.bohr_frequencies
    couplings = system.eigen_couplings
    stacked_couplings, spectra = system.bath_stack  # Gamma_j(w_ab), every bath in one call
    omega_em = element_major(np.broadcast_to(omega, shape + omega.shape[-2:]))
    coupling_em: list[NDArray[np.complex128] | NDArray[np.float64]] = []
    weighted_em, k_em = [], []  # shared by both equations
    for a, gam in zip(couplings, spectra):
        weighted = without_lamb_shift(gam, lamb_shift) * a
        weighted = np.broadcast_to(weighted, shape + weighted.shape[-2:])
        full_a = element_major(np.broadcast_to(a, shape + a.shape[-2:]))
        coupling_em.append(full_a.real.copy() if not np.any(full_a.imag) else full_a)
        weighted_em.append(element_major(weighted))
        k_em.append(element_major(closure_operator(a, weighted, None)))
    n = weighted_em[0].shape[1]
    d = system.dim
    h_s = np.zeros((d * d, n), dtype=complex)
    h_s[np.arange(d) * (d + 1)] = np.broadcast_to(basis.energies, shape + (d,)).reshape(n, d).T
    transpose = np.arange(d * d).reshape(d, d).T.ravel()
    ratio = None
    if "lindblad" in equations:  # how far the secular approximation is from its premise
        gap = bohr_gaps(omega)
        ratio = secular_ratio(stacked_couplings, spectra, gap, gap <= system.degeneracy_tol)
        ratio = np.broadcast_to(ratio, shape)
    out = {}
    for name in equations:
        cutoff = None if name == "br" else system.degeneracy_tol
        # Bloch-Redfield: the X block (8 of 16 elements); Lindblad: the populations only
        block = population_block(coupling_pattern(couplings, d, omega, cutoff))
        parts = [
            block_dissipator(block_jumps(a, w, block), k, omega_em, cutoff, block)
            for a, w, k in zip(coupling_em, weighted_em, k_em)
        ]
        dissipators = tuple(p[0] for p in parts)
        k = np.sum([p[1] for p in parts], axis=0)
        energy = h_s + (k - np.conj(k[transpose])) / 2j
        liou_em = block_multiplication(-1j * energy, 1j * energy, block) + sum(dissipators)
        m = block.size
        liou = np.ascontiguousarray(liou_em.T).reshape(n, m, m)
        x, norm_b, norm_inv = bordered_block_solve(liou, block)
        cond = norm_b * norm_inv
        min_eig = block_min_eigenvalue(x, block)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            check_steady_state(cond, min_eig)
        currents = block_heat_currents(energy, dissipators, np.ascontiguousarray(x.T), block)
        out[name] = EquationResult(
            J1=currents[:, 0].reshape(shape),
            J2=currents[:, 1].reshape(shape),
            min_eigenvalue=min_eig.reshape(shape),
            condition_number=cond.reshape(shape),
            secular_ratio=None if cutoff is None else ratio,
        )
    return out
