"""Truncation diagnostics: how full the top level of each truncated oscillator is.

A resonator or a transmon is an oscillator truncated to ``L`` levels (a site of a device,
:mod:`qheat.model.sites`). The truncation is harmless while the steady state leaves the top
level ``|L-1>`` empty; its population

    p_top(k) = Tr[rho (1 (x) ... (x) |L_k - 1><L_k - 1| (x) ... (x) 1)]

(the lab, i.e. product Fock, basis) measures what was cut off. For a harmonic mode whose
state is that of its rate equation (a truncated geometric distribution ``p_m ~ q^m``,
``m < L``), the heat current through it is exactly ``1 - L p_top`` times the untruncated one
(docs/devices.md derives it): the relative error is ``L p_top``. :func:`qheat.solve` raises a
:class:`~qheat.errors.TruncationWarning` above :data:`TRUNCATION_WARN` for the sites that the
system lists in ``OpenSystem.truncated_sites``.
"""

from __future__ import annotations

import math
import warnings

import numpy as np
from numpy.typing import NDArray

from ..errors import TruncationWarning
from ..model import OpenSystem
from .solve import SteadyState

__all__ = ["TRUNCATION_WARN", "lab_populations", "top_level_populations", "warn_if_truncated"]

FloatArray = NDArray[np.float64]

TRUNCATION_WARN = 1e-3
"""A truncated site whose top level holds more than this warns. For a harmonic mode of ``L``
levels the current is then off by ``L p_top``: 1% at ``L = 10`` (a 3-level mode at
``n_bar = 4.5`` has ``p_top = 0.27``, its current is off by 81%)."""


def lab_populations(state: SteadyState) -> FloatArray:
    """``<i|rho|i>`` in the lab basis, ``(..., d)``: ``sum_ab U_ia rho_ab conj(U_ib)`` (one
    matrix product; the lab-basis state is never formed)."""
    u = state.eigenbasis.vectors
    return np.asarray(np.real(((u @ state.rho) * np.conj(u)).sum(axis=-1)), dtype=np.float64)


def top_level_populations(system: OpenSystem, state: SteadyState) -> dict[str, FloatArray]:
    """``{site: p_top}`` of each of ``system.truncated_sites``, each of the batch shape.

    ``p_top`` is the population of the site's top level, summed over the other sites (the
    module docstring). Empty when the system lists no truncated site.
    """
    if not system.truncated_sites or system.site_names is None or system.subsystem_dims is None:
        return {}
    dims = system.subsystem_dims
    populations = lab_populations(state)
    grid = populations.reshape(populations.shape[:-1] + dims)
    batch = populations.ndim - 1
    out: dict[str, FloatArray] = {}
    for name in system.truncated_sites:
        k = system.site_names.index(name)
        top = np.take(grid, dims[k] - 1, axis=batch + k)
        out[name] = np.asarray(top.reshape(top.shape[:batch] + (-1,)).sum(axis=-1))
    return out


def warn_if_truncated(system: OpenSystem, state: SteadyState, stacklevel: int = 3) -> None:
    """One :class:`~qheat.errors.TruncationWarning` naming each truncated site whose top
    level holds more than :data:`TRUNCATION_WARN` at some point of the batch."""
    full = []
    for name, top in top_level_populations(system, state).items():
        count = int(np.count_nonzero(top > TRUNCATION_WARN))
        if count:
            assert system.site_names is not None and system.subsystem_dims is not None
            levels = system.subsystem_dims[system.site_names.index(name)]
            worst = float(np.max(top))
            full.append(
                f"site {name!r} (levels = {levels}) has its top level populated up to "
                f"{worst:.3g} at {count} of {max(1, math.prod(top.shape))} points (for a "
                f"harmonic mode the current's relative error is levels x population = "
                f"{levels * worst:.2g})"
            )
    if full:
        warnings.warn(
            f"truncation: {'; '.join(full)}; above {TRUNCATION_WARN:g} the truncation changes "
            "the result: raise levels of these sites until the currents stop changing",
            TruncationWarning,
            stacklevel=stacklevel,
        )
