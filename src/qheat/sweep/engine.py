"""Batched currents of the paper's model on the population block: the engine under every sweep.

For a chunk of parameter points (flat arrays) it builds, for each master equation, only the
block of the Liouvillian that holds the steady state (Appendix B's X-shaped block: populations,
``rho14``, ``rho23`` and conjugates, 8 x 8 instead of 16 x 16), solves it with one stacked LU,
and returns the heat currents (Eqs. 21-23) and diagnostics. The spectral functions
``Gamma(w) = G(w) + i S(w)`` are evaluated once and shared by both equations. The result equals
:func:`qheat.solve` point by point (tested to 1e-12).
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray

from ..api import paper_system
from ..errors import InvalidParameterError
from ..master.pair_kernel import (
    block_dissipator,
    block_jumps,
    bohr_frequencies,
    coupling_pattern,
    spectral_rates,
)
from ..master.superop import block_multiplication, population_block, refine_block
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
        J1, J2: heat currents from bath 1 and bath 2 into the system (Eqs. 21-23).
        min_eigenvalue: smallest eigenvalue of the steady state.
        condition_number: exact 1-norm condition number of the bordered population block
            (the complement block, coherences between the two parity sectors, is not inverted).
    """

    J1: FloatArray
    J2: FloatArray
    min_eigenvalue: FloatArray
    condition_number: FloatArray


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

    Warnings about conditioning and positivity are not raised here: the caller reads
    ``condition_number`` and ``min_eigenvalue`` (one summary warning per sweep).
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
    omega = bohr_frequencies(basis, system.degeneracy_tol)
    couplings = tuple(basis.to_eigen(a) for a in system.couplings)
    block = population_block(coupling_pattern(couplings, system.dim))
    jumps = []
    for a, bath in zip(couplings, system.baths):
        where = np.any(a != 0, axis=tuple(range(a.ndim - 2)))
        jumps.append(block_jumps(a, spectral_rates(bath, omega, lamb_shift, where), block))
    h_s = np.zeros(omega.shape, dtype=complex)
    idx = np.arange(system.dim)
    h_s[..., idx, idx] = basis.energies
    out = {}
    for name in equations:
        cutoff = None if name == "br" else system.degeneracy_tol
        parts = [block_dissipator(jump, k, omega, cutoff, block) for jump, k in jumps]
        dissipators = tuple(p[0] for p in parts)
        k = sum(p[1] for p in parts)
        energy = h_s + (k - np.conj(np.swapaxes(k, -1, -2))) / 2j
        free = block_multiplication(-1j * energy, 1j * energy, block)
        pattern = np.zeros((block.size, block.size), dtype=bool)
        for term in (free, *dissipators):
            pattern |= np.any(term != 0, axis=tuple(range(term.ndim - 2)))
        sub, pos = refine_block(block, pattern)
        ix = (..., pos[:, None], pos[None, :])
        liou = free[ix] + sum(dissipator[ix] for dissipator in dissipators)
        x, norm_b, norm_inv = bordered_block_solve(liou, sub)
        cond = norm_b * norm_inv
        min_eig = block_min_eigenvalue(x, sub)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            check_steady_state(cond, min_eig)
        currents = block_heat_currents(energy, tuple(dd[ix] for dd in dissipators), x, sub)
        out[name] = EquationResult(
            J1=currents[..., 0], J2=currents[..., 1], min_eigenvalue=min_eig, condition_number=cond
        )
    return out
