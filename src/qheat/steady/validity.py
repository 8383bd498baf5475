"""Is a perturbative result physics? The weak-coupling ratio and the second law, per point.

Every master equation of qheat is second order in the system-bath coupling (docs/trust.md).
Two checks say where a result leaves that premise:

* the **weak-coupling ratio** of the system (:mod:`qheat.model.coupling`), compared with
  :data:`WEAK_COUPLING_NOTICE` and :data:`WEAK_COUPLING_WARN`, calibrated against HEOM;
* the **second law**: the entropy production of the baths, ``sigma = -sum_j J_j / T_j``
  (``J_j > 0`` is heat from bath ``j`` into the system), is ``>= 0`` for any valid result;
  heat flowing from cold to hot (``sigma < 0``) is never physics.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence

import numpy as np
from numpy.typing import ArrayLike, NDArray

from ..errors import WeakCouplingWarning

__all__ = [
    "SECOND_LAW_RTOL",
    "WEAK_COUPLING_NOTICE",
    "WEAK_COUPLING_WARN",
    "entropy_production",
    "second_law_broken",
    "warn_if_not_weak",
    "weak_coupling_message",
    "weak_coupling_notice",
]

FloatArray = NDArray[np.float64]

WEAK_COUPLING_WARN = 0.45
"""A :class:`~qheat.errors.WeakCouplingWarning` is raised where the weak-coupling ratio exceeds
this. Calibrated against HEOM (``benchmarks/weak_coupling_calibration.py``, docs/trust.md):
near it (ratios 0.39-0.49) Bloch-Redfield is off by 34-143% on one qubit (+114% at 0.44 where
HEOM converged) and by 135% on Kato and Tanimura's two qubits (J12 = 0.5), by 27% on the
paper's Fig. 6 model (gamma = 0.05, dT = 300) but by only 4-7% on that model with a slow hot
bath (wD = 10: its current hardly depends on the hot bath's rates); it sends heat from cold
to hot at ratios 1.8 (the paper's model at gamma = 2) and 12.5 (a qubit between narrow
underdamped baths). Errors of tens of percent occur from about 0.1 already (qubits), but the
paper's figures must stay silent: their largest ratio, 0.293 (the memory ratio of Fig. 6,
gamma = 0.03, dT = 300, where Bloch-Redfield is 14% off), is 0.65 of this value. The band
between :data:`WEAK_COUPLING_NOTICE` and this gets the notice."""

WEAK_COUPLING_NOTICE = 0.02
"""Above this weak-coupling ratio printed summaries say the current may be off by 10% or more.
Calibrated against HEOM (``benchmarks/weak_coupling_calibration.py``, docs/trust.md): over 72
graded points Bloch-Redfield's relative error is at most 4.9 times the ratio (Fig. 5 at
gamma = 0.05, a qubit: 4.6), which reaches 10% at 0.02; the first measured error of 10% or more
is at 0.025 and every point below 0.02 is within 7%."""

SECOND_LAW_RTOL = 1e-6
"""``sigma`` counts as negative below ``-SECOND_LAW_RTOL * sum_j |J_j| / T_j``: far above the
round-off of the currents (their sum is zero to about ``1e-14`` of their size), below any
violation that matters (two baths: ``sigma / sum_j |J_j|/T_j = -|T_1 - T_2| / (T_1 + T_2)``
when heat flows the wrong way, so violations at relative temperature differences above
``2e-6`` are caught)."""


def entropy_production(
    currents: NDArray[np.float64], temperatures: Sequence[ArrayLike | None]
) -> FloatArray:
    """``sigma = -sum_j J_j / T_j`` of the baths, ``(...)`` from ``currents`` ``(..., n)``.

    A bath at ``T = 0`` counts ``-inf`` if it gives heat (``J_j > 0``), ``+inf`` if it takes
    some, nothing if ``J_j = 0``; where both happen the result is ``-inf`` (a zero-temperature
    bath cannot give heat). NaN where some bath has no temperature (None).
    """
    if any(t is None for t in temperatures):
        return np.full(currents.shape[:-1], np.nan)
    batch = currents.shape[:-1]
    finite = np.zeros(batch)
    gives_cold = np.zeros(batch, dtype=bool)
    takes_cold = np.zeros(batch, dtype=bool)
    for j, t in enumerate(temperatures):
        temperature = np.broadcast_to(np.asarray(t, dtype=np.float64), batch)
        current = currents[..., j]
        hot = temperature > 0
        with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
            finite = finite - np.where(hot, current / np.where(hot, temperature, 1.0), 0.0)
        gives_cold |= ~hot & (current > 0)
        takes_cold |= ~hot & (current < 0)
    out = np.where(takes_cold, np.inf, finite)
    return np.asarray(np.where(gives_cold, -np.inf, out), dtype=np.float64)


def second_law_broken(
    currents: NDArray[np.float64],
    temperatures: Sequence[ArrayLike | None],
    floor: ArrayLike = 0.0,
) -> NDArray[np.bool_]:
    """Where heat flows against the temperature gradient beyond round-off, ``(...)``:
    ``sigma < -SECOND_LAW_RTOL sum_j |J_j| / T_j`` (a zero-temperature bath that gives more
    than ``SECOND_LAW_RTOL`` of the largest current counts), currents up to ``floor`` (their
    round-off, ``(...)``) counted as zero and ``floor sum_j 1/T_j`` of slack (the round-off
    of the sum: at equal temperatures ``sigma`` is ``-(sum_j J_j)/T``). False where a
    temperature is unknown."""
    noise = np.abs(currents) <= np.asarray(floor, dtype=np.float64)[..., None]
    currents = np.where(noise, 0.0, currents)
    sigma = entropy_production(currents, temperatures)
    if np.all(np.isnan(sigma)):
        return np.zeros(sigma.shape, dtype=bool)
    scale = np.zeros(sigma.shape)
    largest = np.abs(currents).max(axis=-1, initial=0.0)
    gives_cold = np.zeros(sigma.shape, dtype=bool)
    slack = np.zeros(sigma.shape)  # the round-off of sum_j J_j / T_j itself
    for j, t in enumerate(temperatures):
        temperature = np.broadcast_to(np.asarray(t, dtype=np.float64), sigma.shape)
        current = currents[..., j]
        hot = temperature > 0
        safe = np.where(hot, temperature, 1.0)  # T -> 0+ (even subnormal): J / T, never 0 * inf
        with np.errstate(over="ignore"):
            scale = scale + np.where(hot, np.abs(current) / safe, 0.0)
            slack = slack + np.where(hot, np.asarray(floor, dtype=np.float64) / safe, 0.0)
        gives_cold |= ~hot & (current > SECOND_LAW_RTOL * largest)
    finite_broken = np.isfinite(sigma) & (sigma < -(SECOND_LAW_RTOL * scale + slack))
    return np.asarray(finite_broken | gives_cold, dtype=bool)


def warn_if_not_weak(
    name: str,
    ratio: FloatArray,
    broken: NDArray[np.bool_],
    sigma: FloatArray,
    stacklevel: int = 3,
) -> None:
    """One :class:`~qheat.errors.WeakCouplingWarning` for a batch, if the weak-coupling
    ``ratio`` exceeds :data:`WEAK_COUPLING_WARN` anywhere or the second law is ``broken``
    somewhere (``name`` prefixes the message; ``sigma``: the entropy production)."""
    strong = ratio > WEAK_COUPLING_WARN  # NaN is not counted
    n_strong, n_broken = int(np.count_nonzero(strong)), int(np.count_nonzero(broken))
    if not (n_strong or n_broken):
        return
    message = weak_coupling_message(
        name,
        max(ratio.size, broken.size),
        n_strong,
        float(np.nanmax(ratio)) if n_strong else 0.0,
        n_broken,
        float(np.nanmin(np.where(broken, sigma, np.nan))) if n_broken else 0.0,
    )
    warnings.warn(message, WeakCouplingWarning, stacklevel=stacklevel)


def weak_coupling_message(
    name: str, total: int, n_strong: int, largest: float, n_broken: int, lowest: float
) -> str:
    """The text of a :class:`~qheat.errors.WeakCouplingWarning` (of a solve or a sweep):
    ``n_strong`` of ``total`` points above :data:`WEAK_COUPLING_WARN` (ratio up to
    ``largest``), ``n_broken`` breaking the second law (entropy production down to
    ``lowest``)."""
    parts = []
    if n_strong:
        parts.append(
            f"weak-coupling ratio up to {largest:.3g} > {WEAK_COUPLING_WARN:g} at {n_strong} of "
            f"{total} points (a transition's rate over its frequency, or over its bath's "
            "memory rate)"
        )
    if n_broken:
        parts.append(
            f"heat flows from cold to hot at {n_broken} of {total} points (entropy production "
            f"down to {lowest:.3g} < 0: the second law is broken)"
        )
    if name == "local" and not n_strong:
        what = "outside the local approximation's validity"
        cure = (
            "the local equation breaks the second law for detuned or strongly coupled "
            "subsystems (docs/local-global.md); use GlobalLindblad() or BlochRedfield()"
        )
    else:
        what = "outside weak coupling"
        cure = "weaker coupling, or the exact HEOM (qheat.exact.solve_heom, --equation heom)"
    return (
        f"{name}: {what}: {'; '.join(parts)}; the currents are not physics there (see "
        f"weak_coupling_ratio, entropy_production, second_law_broken; docs/trust.md): {cure}"
    )


def weak_coupling_notice(ratio: ArrayLike, broken: ArrayLike = False) -> str:
    """One line for a printed summary about the largest ``ratio`` (NaN ignored): empty up to
    :data:`WEAK_COUPLING_NOTICE`, a notice above it, the warning's reason above
    :data:`WEAK_COUPLING_WARN` or where the second law is ``broken``."""
    values = np.asarray(ratio, dtype=np.float64)
    top = float(np.nanmax(values)) if np.any(np.isfinite(values)) else 0.0
    if np.any(broken):
        return (
            f"outside weak coupling: heat flows from cold to hot (the second law is broken); "
            f"weak-coupling ratio {top:.3g}"
        )
    if top > WEAK_COUPLING_WARN:
        return f"weak-coupling ratio {top:.3g} > {WEAK_COUPLING_WARN:g}: outside weak coupling"
    if top > WEAK_COUPLING_NOTICE:
        return (
            f"weak-coupling ratio {top:.3g} > {WEAK_COUPLING_NOTICE:g}: the current may be off "
            "by 10% or more (second order in the coupling)"
        )
    return ""
