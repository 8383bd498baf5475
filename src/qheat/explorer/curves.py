"""The explorer's curves: heat currents along one swept parameter, one batched solve per equation.

For each master equation the axis is solved as batched :class:`~qheat.model.OpenSystem` s by
:func:`qheat.solve` (the engine of ``qheat current``), in batches of at most
:func:`~qheat.explorer.budget.batch_points` points (the memory budget), giving ``J_j``
(Eqs. 21-23) of every bath and the steady state at every point. The NDTC peak of each curve is
the interior maximum of :func:`qheat.analysis.ndtc.ndtc_on_grid`; the validity marker of a
secular equation is its first point with ``Solution.secular_ratio > 1`` (as the open circles of
the paper's figures); the points outside weak coupling are those with
``Solution.weak_coupling_ratio`` above :data:`~qheat.steady.validity.WEAK_COUPLING_WARN` or
where the currents break the second law (``Solution.second_law_broken``, docs/trust.md).
With ``noise=True`` each solve also gives the heat's first two cumulants
(``qheat.solve(..., cumulants=2)``, docs/fluctuations.md): the zero-frequency noise ``c2`` and
the thermodynamic uncertainty ratio ``Q = c2 sigma / c1^2`` of every bath, at about 1.3 times
the cost; ``Q`` is NaN where the mean current ``c1`` is below the currents' round-off
(``Solution.current_floor``; at equilibrium ``Q = 0/0``, :func:`qheat.steady.cumulants.tur_ratio`).
Units: hbar = kB = 1; a model with lab units (a device file with ``[units]``) has its currents
and ``c1`` in W, its noise in J^2/s and its entropy production in W/K (:mod:`qheat.units`).
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
from ..steady import Solution
from ..steady.validity import WEAK_COUPLING_NOTICE, WEAK_COUPLING_WARN
from .budget import DEFAULT_BUDGET, batch_points
from .models import Model

__all__ = [
    "EQUATIONS",
    "EQUATION_LABELS",
    "MAX_POINTS",
    "Axis",
    "Curves",
    "compute_curves",
    "describe",
    "strips",
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
        weak_coupling_ratio: ``Solution.weak_coupling_ratio``, ``(equation, n)`` (a property
            of the system, the same for every equation; NaN where not computed).
        entropy_production: ``sigma = -sum_j J_j / T_j``, ``(equation, n)``.
        second_law_broken: heat flows from cold to hot, ``(equation, n)``.
        peaks: :func:`~qheat.analysis.ndtc.ndtc_on_grid` of ``J``, fields ``(equation, bath)``.
        warnings: each distinct warning of the solves, ``"Category: message"``.
        seconds: wall time of the solves and the analysis.
        batch: points per batched solve (:func:`~qheat.explorer.budget.batch_points`).
        noise, tur_ratio, c1: with ``noise=True``, the zero-frequency noise ``c2``, the TUR
            ratio and the counting statistics' mean current of every bath,
            ``(equation, bath, n)``; None otherwise.
        current_unit: the unit of ``J``: ``"W"`` for a model with lab units, ``""`` for
            natural units (``hbar = kB = 1``).
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
    weak_coupling_ratio: FloatArray
    entropy_production: FloatArray
    second_law_broken: NDArray[np.bool_]
    peaks: NDTCResult
    warnings: tuple[str, ...] = ()
    seconds: float = 0.0
    source: str | None = field(default=None)
    batch: int = 0
    noise: FloatArray | None = None
    tur_ratio: FloatArray | None = None
    c1: FloatArray | None = None
    current_unit: str = ""

    def secular_index(self, equation: str) -> int | None:
        """First point where ``equation``'s secular ratio exceeds 1 (None: nowhere, not secular)."""
        outside = np.flatnonzero(self.secular_ratio[self.equations.index(equation)] > 1.0)
        return int(outside[0]) if outside.size else None

    def strong(self, equation: str) -> NDArray[np.bool_]:
        """Where the weak-coupling ratio exceeds
        :data:`~qheat.steady.validity.WEAK_COUPLING_WARN` (a WeakCouplingWarning), ``(n,)``."""
        return np.asarray(
            self.weak_coupling_ratio[self.equations.index(equation)] > WEAK_COUPLING_WARN
        )

    def broken(self, equation: str) -> NDArray[np.bool_]:
        """Where ``equation``'s currents break the second law, ``(n,)``."""
        return np.asarray(self.second_law_broken[self.equations.index(equation)], dtype=bool)

    def nearest(self, value: float) -> int:
        """Index of the grid point nearest to ``value``."""
        return int(np.argmin(np.abs(self.x - value)))

    def to_dataset(self) -> xr.Dataset:
        """``J(equation, bath, <axis>)``, the validity diagnostics, the steady states, the peaks."""
        d = self.rho.shape[-1]
        dims = ("equation", "bath", self.axis)
        per_point = ("equation", self.axis)
        ds = xr.Dataset(
            {
                "J": (
                    dims,
                    self.J,
                    {
                        "long_name": "heat current from the bath into the system",
                        "units": self.current_unit or "energy per time (hbar = 1)",
                    },
                ),
                "secular_ratio": (per_point, self.secular_ratio),
                "weak_coupling_ratio": (
                    per_point,
                    self.weak_coupling_ratio,
                    {
                        "long_name": "distance from weak coupling (docs/trust.md)",
                        "warning_above": WEAK_COUPLING_WARN,
                        "notice_above": WEAK_COUPLING_NOTICE,
                    },
                ),
                "entropy_production": (
                    per_point,
                    self.entropy_production,
                    {"long_name": "sigma = -sum_j J_j / T_j (negative: the second law broken)"},
                ),
                "second_law_broken": (
                    per_point,
                    self.second_law_broken.astype(np.float64),
                    {"long_name": "1 where heat flows from cold to hot"},
                ),
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
                "units": "J in W, entropy_production in W/K, parameters in the device's units"
                if self.current_unit
                else "hbar = kB = 1",
                "rho_basis": "eigenbasis of H_S, eigenenergies in the variable energy",
                "peak_definition": "interior maximum of J (qheat.analysis.ndtc.ndtc_on_grid)",
                "model": self.source or "paper (qheat.paper_system, T1 = T2 + dt)",
                "qheat_version": __version__,
            },
        )
        fluctuations = {
            "noise": "zero-frequency noise c2 of the heat current from the bath "
            "(docs/fluctuations.md)",
            "tur_ratio": "TUR ratio Q = c2 sigma / c1^2 (Q >= 2 for classical Markov jumps)",
            "c1": "mean current of the counting statistics, Tr(H_S D_j(rho)) (docs/fluctuations.md)",
        }
        lab = {"noise": "J^2/s", "tur_ratio": "1", "c1": "W"}
        for name, long_name in fluctuations.items():
            values = getattr(self, name)
            if values is not None:
                unit = lab[name] if self.current_unit else "hbar = kB = 1"
                ds[name] = (dims, values, {"long_name": long_name, "units": unit})
        return ds

    def tur_minimum(self, equation: str, bath: str) -> tuple[float, float] | None:
        """The smallest TUR ratio along one curve and where (None without the noise, or
        where it is nowhere finite)."""
        if self.tur_ratio is None:
            return None
        q = self.tur_ratio[self.equations.index(equation), self.bath_names.index(bath)]
        if not np.isfinite(q).any():
            return None
        i = int(np.nanargmin(q))
        return float(q[i]), float(self.x[i])


def compute_curves(
    model: Model,
    params: dict[str, float],
    axis: Axis,
    equations: tuple[str, ...],
    budget: int = DEFAULT_BUDGET // 2,
    noise: bool = False,
) -> Curves:
    """Solve ``model`` along ``axis`` for each equation, in batches within ``budget`` bytes.

    ``params`` holds every parameter of the model; the swept one is replaced by the axis.
    Each batch is one batched system and one :func:`qheat.solve` per equation (``noise``:
    with ``cumulants=2``, for :attr:`Curves.noise` and :attr:`Curves.tur_ratio`).

    Raises:
        InvalidParameterError: an unknown equation or parameter, a bad axis, a parameter the
            model refuses (the model's own message), or a system one point of which does not
            fit ``budget`` (:func:`~qheat.explorer.budget.batch_points`).
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
    n = x.size
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        probe = model.system(**fixed, **{axis.name: x[:1]})
        d, nb = probe.dim, len(probe.baths)
        order = 2 if noise else 0
        batch = batch_points(d, nb, equations, budget, cumulants=order)
        out = _outputs(len(equations), n, nb, d)
        bath_names: tuple[str, ...] = ()
        for start in range(0, n, batch):  # one batch's solutions alive at a time
            part = slice(start, min(start + batch, n))
            system = model.system(**fixed, **{axis.name: x[part]})
            for e, name in enumerate(equations):
                solution = solve(system, EQUATIONS[name](), cumulants=order)
                bath_names = _store(out, e, part, solution)
            del system
    units = getattr(model, "units", None)
    if units is not None:  # lab units: W and W/K (qheat.units)
        out["J"] *= units.output_scale("current")
        out["entropy_production"] *= units.output_scale("entropy_production")
        if noise:  # the TUR ratio is dimensionless
            out["c1"] *= units.cumulant_scale(1)
            out["noise"] *= units.cumulant_scale(2)
    J = out["J"]
    peaks = ndtc_on_grid(x, J)
    messages = dict.fromkeys(f"{w.category.__name__}: {w.message}" for w in caught)
    return Curves(
        axis=axis.name,
        x=x,
        params=fixed,
        equations=tuple(equations),
        bath_names=bath_names,
        J=J,
        rho=out["rho"],
        energies=out["energies"],
        secular_ratio=out["secular_ratio"],
        weak_coupling_ratio=out["weak_coupling_ratio"],
        entropy_production=out["entropy_production"],
        second_law_broken=out["second_law_broken"],
        peaks=peaks,
        warnings=tuple(messages),
        seconds=time.perf_counter() - started,
        source=model.source,
        batch=min(batch, n),
        noise=out["noise"] if noise else None,
        tur_ratio=out["tur_ratio"] if noise else None,
        c1=out["c1"] if noise else None,
        current_unit="" if units is None else units.output_unit("current"),
    )


_DIAGNOSTICS = ("secular_ratio", "weak_coupling_ratio", "entropy_production", "second_law_broken")
"""Per-point diagnostics of a :class:`~qheat.steady.Solution` kept by the curves."""


def _outputs(n_eq: int, n: int, nb: int, d: int) -> dict[str, Any]:
    """The curves' arrays, to be filled batch by batch (NaN, False: not computed)."""
    out: dict[str, Any] = {
        "J": np.full((n_eq, nb, n), np.nan),
        "rho": np.full((n_eq, n, d, d), np.nan, dtype=np.complex128),
        "energies": np.full((n, d), np.nan),
        **{key: np.full((n_eq, nb, n), np.nan) for key in ("noise", "tur_ratio", "c1")},
    }
    for key in _DIAGNOSTICS:
        out[key] = np.full((n_eq, n), np.nan)
    out["second_law_broken"] = np.zeros((n_eq, n), dtype=bool)
    return out


def _store(out: dict[str, Any], e: int, part: slice, sol: Solution) -> tuple[str, ...]:
    """Copy equation ``e``'s solution of the batch ``part`` into ``out`` (the solution, with
    its generator, is then free to go); its baths' names."""
    m = part.stop - part.start
    out["J"][e, :, part] = np.broadcast_to(sol.currents, (m, len(sol.bath_names))).T
    out["rho"][e, part] = sol.rho
    out["energies"][part] = sol.generator.eigenbasis.energies
    for key in _DIAGNOSTICS:
        value = getattr(sol, key)
        if value is not None:
            out[key][e, part] = value
    if sol.cumulants is not None and sol.tur_ratio is not None:
        nb = len(sol.bath_names)
        cumulants = np.broadcast_to(sol.cumulants, (m, nb, sol.cumulants.shape[-1]))
        out["c1"][e, :, part] = cumulants[..., 0].T
        out["noise"][e, :, part] = cumulants[..., 1].T
        out["tur_ratio"][e, :, part] = np.broadcast_to(sol.tur_ratio, (m, nb)).T
    return tuple(sol.bath_names)


def describe(curves: Curves, equation: str, bath: str) -> dict[str, Any]:
    """The read-out of one curve: its peak, NDTC, where it leaves the secular validity, and
    where it leaves weak coupling (``weak_from``: the first point with a ratio above
    :data:`~qheat.steady.validity.WEAK_COUPLING_WARN`; ``broken``: points breaking the second
    law; ``weak_coupling_max``: the largest ratio along the curve)."""
    e, b = curves.equations.index(equation), curves.bath_names.index(bath)
    index = curves.secular_index(equation)
    strong = np.flatnonzero(curves.strong(equation))
    ratio = curves.weak_coupling_ratio[e]
    return {
        "peak": float(curves.peaks.dT_peak[e, b]),
        "J_peak": float(curves.peaks.J_peak[e, b]),
        "ndtc": bool(curves.peaks.ndtc[e, b]),
        "secular_from": None if index is None else float(curves.x[index]),
        "weak_coupling_max": float(np.nanmax(ratio)) if np.any(np.isfinite(ratio)) else None,
        "weak_from": float(curves.x[strong[0]]) if strong.size else None,
        "broken": int(np.count_nonzero(curves.broken(equation))),
    }


def strips(x: FloatArray, mask: NDArray[np.bool_]) -> dict[str, list[float]]:
    """``x0, x1`` of the runs of ``mask`` along the grid ``x``, each grid point owning the
    interval to halfway to its neighbours."""
    edges = np.concatenate([[x[0]], (x[1:] + x[:-1]) / 2.0, [x[-1]]])
    flags = np.concatenate([[False], np.asarray(mask, dtype=bool), [False]])
    starts = np.flatnonzero(flags[1:] & ~flags[:-1])
    stops = np.flatnonzero(~flags[1:] & flags[:-1])
    return {"x0": edges[starts].tolist(), "x1": edges[stops].tolist()}
