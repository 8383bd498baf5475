"""The explorer's curves: heat currents along one swept parameter, one batched solve per equation.

For each master equation the whole axis is one batched :class:`~qheat.model.OpenSystem` and one
call of :func:`qheat.solve` (the engine of ``qheat current``), giving ``J_j`` (Eqs. 21-23) of
every bath and the steady state at every point. The NDTC peak of each curve is the interior
maximum of :func:`qheat.analysis.ndtc.ndtc_on_grid`; the validity marker of a secular equation
is its first point with ``Solution.secular_ratio > 1`` (as the open circles of the paper's
figures). Units: hbar = kB = 1.
"""

from __future__ import annotations

import math
import time
import warnings
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import xarray as xr
from numpy.typing import NDArray

from .. import __version__
from ..analysis.ndtc import NDTCResult, ndtc_on_grid
from ..api import solve
from ..errors import InvalidParameterError
from ..master import (
    BlochRedfield,
    GlobalLindblad,
    LocalLindblad,
    MasterEquation,
    UniversalLindblad,
)
from .models import Model

__all__ = [
    "EQUATIONS",
    "EQUATION_LABELS",
    "MAX_POINTS",
    "Axis",
    "Curves",
    "compute_curves",
    "describe",
]

EQUATIONS: dict[str, type[MasterEquation]] = {
    "br": BlochRedfield,
    "lindblad": GlobalLindblad,
    "local": LocalLindblad,
    "ule": UniversalLindblad,
}
"""The master equations the explorer offers, by their ``name``."""

EQUATION_LABELS = {
    "br": "Bloch-Redfield",
    "lindblad": "global Lindblad",
    "local": "local Lindblad",
    "ule": "ULE",
}

MAX_POINTS = 2000
"""Most points along an axis (the page stays live up to a few hundred)."""

FloatArray = NDArray[np.float64]


@dataclass(frozen=True)
class Axis:
    """A swept parameter: ``num`` evenly spaced values from ``start`` to ``stop`` (inclusive)."""

    name: str
    start: float
    stop: float
    num: int

    def values(self) -> FloatArray:
        """The grid, after checking ``start < stop`` (finite) and ``3 <= num <= MAX_POINTS``."""
        if not (math.isfinite(self.start) and math.isfinite(self.stop)):
            raise InvalidParameterError(
                f"the range of {self.name} must be finite, got {self.start:g} to {self.stop:g}"
            )
        if not self.start < self.stop:
            raise InvalidParameterError(
                f"the range of {self.name} needs start < stop, got {self.start:g} to {self.stop:g}"
            )
        if not 3 <= self.num <= MAX_POINTS:
            raise InvalidParameterError(
                f"points along {self.name} must be in [3, {MAX_POINTS}], got {self.num}"
            )
        return np.linspace(self.start, self.stop, self.num)


@dataclass(frozen=True)
class Curves:
    """Currents along an axis for several equations, with their steady states and diagnostics.

    Attributes:
        axis: the swept parameter's name; ``x`` its values ``(n,)``.
        params: the fixed parameters (the swept one excluded).
        equations: equation names, the first axis of ``J`` and ``rho``.
        bath_names: the baths, the second axis of ``J``.
        J: heat currents into the system, ``(equation, bath, n)``; positive from the bath.
        rho: steady states in the eigenbasis of ``H_S``, ``(equation, n, d, d)``.
        energies: eigenenergies of ``H_S`` in the order of that basis, ``(n, d)``.
        secular_ratio: ``(equation, n)``, NaN for equations without the secular approximation.
        peaks: :func:`~qheat.analysis.ndtc.ndtc_on_grid` of ``J``, fields ``(equation, bath)``.
        warnings: each distinct warning of the solves, ``"Category: message"``.
        seconds: wall time of the solves and the analysis.
    """

    axis: str
    x: FloatArray
    params: dict[str, float]
    equations: tuple[str, ...]
    bath_names: tuple[str, ...]
    J: FloatArray
    rho: NDArray[np.complex128]
    energies: FloatArray
    secular_ratio: FloatArray
    peaks: NDTCResult
    warnings: tuple[str, ...] = ()
    seconds: float = 0.0
    source: str | None = field(default=None)

    def secular_index(self, equation: str) -> int | None:
        """First point where ``equation``'s secular ratio exceeds 1 (None: nowhere, not secular)."""
        outside = np.flatnonzero(self.secular_ratio[self.equations.index(equation)] > 1.0)
        return int(outside[0]) if outside.size else None

    def nearest(self, value: float) -> int:
        """Index of the grid point nearest to ``value``."""
        return int(np.argmin(np.abs(self.x - value)))

    def to_dataset(self) -> xr.Dataset:
        """``J(equation, bath, <axis>)``, the secular ratio, the steady states and the peaks."""
        d = self.rho.shape[-1]
        dims = ("equation", "bath", self.axis)
        ds = xr.Dataset(
            {
                "J": (dims, self.J, {"long_name": "heat current from the bath into the system"}),
                "secular_ratio": (("equation", self.axis), self.secular_ratio),
                "rho_re": (("equation", self.axis, "row", "col"), self.rho.real),
                "rho_im": (("equation", self.axis, "row", "col"), self.rho.imag),
                "energy": ((self.axis, "row"), self.energies),
                "peak": (("equation", "bath"), self.peaks.dT_peak),
                "J_peak": (("equation", "bath"), self.peaks.J_peak),
                "ndtc": (("equation", "bath"), self.peaks.ndtc),
            },
            coords={
                "equation": list(self.equations),
                "bath": list(self.bath_names),
                self.axis: self.x,
                "row": np.arange(d),
                "col": np.arange(d),
            },
            attrs={
                **{k: float(v) for k, v in self.params.items()},
                "swept": self.axis,
                "units": "hbar = kB = 1",
                "rho_basis": "eigenbasis of H_S, eigenenergies in the variable energy",
                "peak_definition": "interior maximum of J (qheat.analysis.ndtc.ndtc_on_grid)",
                "model": self.source or "paper (qheat.paper_system, T1 = T2 + dt)",
                "qheat_version": __version__,
            },
        )
        return ds


def compute_curves(
    model: Model, params: dict[str, float], axis: Axis, equations: tuple[str, ...]
) -> Curves:
    """Solve ``model`` along ``axis`` for each equation: one batched system, one solve each.

    ``params`` holds every parameter of the model; the swept one is replaced by the axis.

    Raises:
        InvalidParameterError: an unknown equation or parameter, a bad axis, or a parameter the
            model refuses (the model's own message).
    """
    started = time.perf_counter()
    if not equations:
        raise InvalidParameterError(f"choose at least one equation of {', '.join(EQUATIONS)}")
    unknown = [e for e in equations if e not in EQUATIONS]
    if unknown:
        raise InvalidParameterError(
            f"unknown equation {unknown[0]!r}; valid: {', '.join(EQUATIONS)}"
        )
    names = {p.name for p in model.parameters}
    if axis.name not in names:
        raise InvalidParameterError(
            f"cannot sweep {axis.name!r}; the model's parameters are {', '.join(sorted(names))}"
        )
    x = axis.values()
    fixed = {k: float(v) for k, v in params.items() if k != axis.name}
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        system = model.system(**fixed, **{axis.name: x})
        solutions = [solve(system, EQUATIONS[name]()) for name in equations]
    J = np.stack([np.moveaxis(np.atleast_2d(s.currents), -1, 0) for s in solutions])
    n = x.size
    ratio = np.stack(
        [
            np.full(n, np.nan)
            if s.secular_ratio is None
            else np.broadcast_to(s.secular_ratio, (n,))
            for s in solutions
        ]
    )
    rho = np.stack([np.broadcast_to(s.rho, (n, *s.rho.shape[-2:])) for s in solutions])
    energies = solutions[0].generator.eigenbasis.energies
    peaks = ndtc_on_grid(x, J)
    messages = dict.fromkeys(f"{w.category.__name__}: {w.message}" for w in caught)
    return Curves(
        axis=axis.name,
        x=x,
        params=fixed,
        equations=tuple(equations),
        bath_names=tuple(solutions[0].bath_names),
        J=J,
        rho=rho,
        energies=np.broadcast_to(energies, (n, energies.shape[-1])),
        secular_ratio=ratio,
        peaks=peaks,
        warnings=tuple(messages),
        seconds=time.perf_counter() - started,
        source=model.source,
    )


def describe(curves: Curves, equation: str, bath: str) -> dict[str, Any]:
    """The read-out of one curve: its peak, NDTC and where it leaves the secular validity."""
    e, b = curves.equations.index(equation), curves.bath_names.index(bath)
    index = curves.secular_index(equation)
    return {
        "peak": float(curves.peaks.dT_peak[e, b]),
        "J_peak": float(curves.peaks.J_peak[e, b]),
        "ndtc": bool(curves.peaks.ndtc[e, b]),
        "secular_from": None if index is None else float(curves.x[index]),
    }
