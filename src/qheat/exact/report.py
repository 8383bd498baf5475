"""The HEOM result as plain JSON-ready data (``qheat current --equation heom --json``)."""

from __future__ import annotations

import math
from typing import Any

from ..model import OpenSystem
from .converge import HeomOptions, HeomResult, solve_heom

__all__ = ["heom_report", "result_report"]


def _number(x: float) -> float | None:
    """A float for JSON: ``None`` for ``inf`` or NaN (no measured change)."""
    return float(x) if math.isfinite(x) else None


def result_report(result: HeomResult) -> dict[str, Any]:
    """``{"currents": {NAME: J}, "converged", "error_estimate", "errors": {NAME: ...},
    "order", "depth", "reason", "fit_errors": {NAME: ...}, "n_ados", "seconds"}``.

    ``error_estimate`` and ``errors`` are the estimated errors of ``currents``, in their units
    (``None`` where no bound follows: no refinement could be made, or the changes under
    refinement grow); ``fit_errors`` is ``None`` for an exact decomposition.
    """
    names = result.bath_names
    last = result.history[-1] if result.history else None
    return {
        "currents": result.currents_by_name,
        "converged": bool(result.converged),
        "error_estimate": _number(result.error_estimate),
        "errors": {n: _number(float(e)) for n, e in zip(names, result.errors)},
        "order": result.level.order,
        "depth": result.level.depth,
        "reason": result.reason,
        "fit_errors": dict(zip(names, result.fit_errors)),
        "n_ados": max((p.n_ados for p in result.history), default=0) if last else 0,
        "seconds": result.seconds,
    }


def heom_report(system: OpenSystem, options: HeomOptions | None = None) -> dict[str, Any]:
    """Solve ``system`` with :func:`~qheat.exact.solve_heom` and report it as
    :func:`result_report` does (the :class:`~qheat.errors.ConvergenceWarning` still warns)."""
    return result_report(solve_heom(system, options))
