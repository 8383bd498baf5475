"""NDTC and suppression of every curve of Figs. 3-6: the content of ``summary.json``.

For each curve (one family member, one master equation) the summary records whether the
differential conductance ``dJ_1/d(dT)`` turns negative (NDTC), the maximum of the current with
its bias refined to a relative ``1e-4`` beyond the plotting grid (:func:`refine_peak`), and, on
Bloch-Redfield curves, the range of the suppression ratio ``J_BR / J_L`` over ``dT > 0`` (at
``dT = 0`` both currents vanish and the ratio is undefined).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import xarray as xr

from ..analysis.ndtc import NDTCResult, refine_peak, suppression_ratio
from .claims import Finding
from .currents import family_current
from .specs import PARAMETERS, CurrentFigure

__all__ = ["PEAK_RTOL", "Analysis", "curve_summaries", "curve_ndtc"]

PEAK_RTOL = 1e-4
"""Relative accuracy in ``dT`` of the refined maxima."""


def curve_ndtc(fig: CurrentFigure, ds: xr.Dataset) -> dict[str, NDTCResult]:
    """:func:`refine_peak` of every curve of ``fig`` for each equation in ``ds``, family-shaped."""
    dT = ds["dT"].values
    return {
        str(eq): refine_peak(
            family_current(fig, str(eq)), dT, ds.J1.sel(equation=eq).values, rtol=PEAK_RTOL
        )
        for eq in ds["equation"].values
    }


def curve_summaries(
    fig: CurrentFigure, ds: xr.Dataset, results: Mapping[str, NDTCResult] | None = None
) -> list[dict[str, Any]]:
    """The ``summary.json`` entries of one figure: one dict per curve, Bloch-Redfield first.

    Each entry is ``{"equation", "params": {eps1, eps2, g, gamma1, gamma2, omega_d, t2},
    "dT_range", "ndtc", "dT_peak", "J_peak", "ratio_min", "ratio_max"}``; absent values
    (no interior maximum, ratios on Lindblad curves) are ``None``. ``results`` are the
    :func:`curve_ndtc` of ``ds`` if already computed.
    """
    dT = ds["dT"].values
    results = curve_ndtc(fig, ds) if results is None else results
    biased = dT > 0
    ratio = suppression_ratio(
        ds.J1.sel(equation="br").values, ds.J1.sel(equation="lindblad").values
    )[..., biased]
    params = fig.parameters()
    curves: list[dict[str, Any]] = []
    for index in np.ndindex(*fig.family_shape):
        for eq, result in results.items():
            curves.append(
                {
                    "equation": eq,
                    "params": {name: float(params[name][index]) for name in PARAMETERS},
                    "dT_range": [float(dT[0]), float(dT[-1])],
                    "ndtc": bool(result.ndtc[index]),
                    "dT_peak": _number(result.dT_peak[index]),
                    "J_peak": _number(result.J_peak[index]),
                    "ratio_min": _number(np.min(ratio[index])) if eq == "br" else None,
                    "ratio_max": _number(np.max(ratio[index])) if eq == "br" else None,
                }
            )
    return curves


@dataclass(frozen=True)
class Analysis:
    """Everything ``summary.json`` and ``summary.md`` report.

    Attributes:
        curves: ``{"fig3": [curve, ...], ...}`` in the ``summary.json`` schema.
        findings: the paper's claims checked against the data.
        equilibrium_current: ``max |J_BR(dT = 0)|`` per current figure (zero in exact
            equilibrium; nonzero from the Lamb shift in the Bloch-Redfield equation).
    """

    curves: dict[str, list[dict[str, Any]]]
    findings: list[Finding]
    equilibrium_current: dict[int, float]


def _number(value: Any) -> float | None:
    """A finite float, or ``None`` for NaN (JSON has no NaN)."""
    x = float(value)
    return x if math.isfinite(x) else None
