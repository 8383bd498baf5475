"""Independent references for the weak-coupling diagnostics (docs/trust.md), written with numpy."""

from __future__ import annotations

import numpy as np

import qheat


def paper_weak_coupling_ratio(
    eps1: float, eps2: float, g: float, gamma: float, wd: float, t1: float, t2: float
) -> float:
    """The weak-coupling ratio of the paper's model from its definition (docs/trust.md):
    ``max(max |A_ab|^2 J(w_ab)/w_ab, max 2 G(w_ab) |A_ab|^2 / wD)``."""
    system = qheat.paper_system(eps1, eps2, g, gamma, gamma, wd, t1, t2)
    energies, vectors = np.linalg.eigh(np.asarray(system.hamiltonian))
    w = energies[None, :] - energies[:, None]
    up = w > 1e-12
    spectral = memory = 0.0
    for coupling, t in zip(system.couplings, (t1, t2)):
        weight = np.abs(vectors.conj().T @ np.asarray(coupling) @ vectors) ** 2
        with np.errstate(divide="ignore", invalid="ignore"):
            j = gamma * w / (1.0 + (w / wd) ** 2)
            rate = np.where(w != 0, j * (1.0 / np.expm1(w / t) + 1.0), gamma * t)
        spectral = max(spectral, float(np.max(np.where(up, weight * j / np.where(up, w, 1), 0))))
        memory = max(memory, float(np.max(2.0 * rate * weight)) / wd)
    return max(spectral, memory)
