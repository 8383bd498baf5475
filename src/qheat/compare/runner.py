"""Heat current against bias from every master equation and from HEOM, as one xarray Dataset.

``J1(dT)`` at fixed ``T2`` (``T1 = T2 + dT``, the paper's Figs. 3-6). The master equations
are solved on a fine grid (``dT_fine``) and on the HEOM grid (``dT``); the relative error of
each equation is ``(J_eq - J_heom) / |J_heom|`` on the HEOM grid.
"""

from __future__ import annotations

import json
import os
import warnings
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field

import numpy as np
import xarray as xr

from ..api import paper_system, solve
from ..errors import InvalidParameterError, NonUniqueSteadyStateError
from ..exact import HeomLevel, HeomOptions, HeomResult, solve_heom
from ..master import BlochRedfield, GlobalLindblad, MasterEquation
from ..master.family import LocalLindblad, PartialSecular, UniversalLindblad
from ..model import OpenSystem

__all__ = [
    "PRESETS",
    "CompareSpec",
    "compare_currents",
    "compare_system",
    "default_equations",
    "equation_label",
]

_BLAS_THREADS = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")


@dataclass(frozen=True)
class CompareSpec:
    """Parameters of one comparison (paper's model, equal couplings ``gamma1 = gamma2``).

    Attributes:
        eps1, eps2, g: model of Eq. 1.
        gamma: coupling of both baths (Eq. 17, lambda^2 absorbed).
        omega_d: Drude cutoff.
        t2: cold-bath temperature.
        dT: bias grid of the HEOM points (strictly increasing, ``>= 3`` points).
        n_fine: points of the fine grid for the master equations.
        heom: convergence options of the HEOM solves.
    """

    eps1: float
    eps2: float
    g: float
    gamma: float
    omega_d: float
    t2: float
    dT: tuple[float, ...]
    n_fine: int = 301
    heom: HeomOptions = field(default_factory=HeomOptions)

    def __post_init__(self) -> None:
        grid = np.asarray(self.dT, dtype=float)
        if grid.ndim != 1 or grid.size < 3 or np.any(np.diff(grid) <= 0):
            raise InvalidParameterError(
                f"dT must be >= 3 strictly increasing values, got {self.dT}"
            )
        if self.t2 + grid[0] <= 0:
            raise InvalidParameterError(
                f"T1 = t2 + dT must be > 0, got t2={self.t2}, dT[0]={grid[0]}"
            )


PRESETS: dict[str, CompareSpec] = {
    "fig6": CompareSpec(
        eps1=4.0,
        eps2=3.0,
        g=0.5,
        gamma=0.03,
        omega_d=50.0,
        t2=5.0,
        dT=(0.0, 5.0, 10.0, 15.0, 20.0, 25.0, 30.0, 40.0, 60.0, 100.0, 150.0, 200.0, 300.0),
        heom=HeomOptions(rtol=2e-3, atol=1e-6, start=HeomLevel(1, 2), max_depth=6),
    ),
    "fig5": CompareSpec(
        eps1=4.0,
        eps2=4.0,
        g=0.05,
        gamma=0.01,
        omega_d=50.0,
        t2=5.0,
        dT=(0.0, 2.0, 4.0, 6.0, 8.0, 10.0, 12.0, 15.0, 20.0, 30.0, 50.0, 75.0, 100.0),
        heom=HeomOptions(rtol=2e-3, atol=1e-6, start=HeomLevel(1, 2), max_depth=5),
    ),
}
"""The paper's Fig. 6 and Fig. 5 (red dotted curve) cases.

``atol = 1e-6`` (currents here are >= 1e-3 away from dT = 0) stops the dT = 0 point, whose exact
current is zero, from climbing the hierarchy to chase round-off.
"""


def default_equations() -> tuple[MasterEquation, ...]:
    """Every equation of the family: BR, global and local Lindblad, partial secular, ULE."""
    return (
        BlochRedfield(),
        GlobalLindblad(),
        LocalLindblad(),
        PartialSecular(cutoff=1.0),
        UniversalLindblad(),
    )


def equation_label(eq: MasterEquation) -> str:
    """Dataset label of an equation (its name, with the cutoff for partial secular)."""
    return f"{eq.name}_{eq.cutoff:g}" if isinstance(eq, PartialSecular) else eq.name


def _heom_task(args: tuple[CompareSpec, float]) -> HeomResult:
    spec, dT = args
    system = paper_system(
        spec.eps1, spec.eps2, spec.g, spec.gamma, spec.gamma, spec.omega_d, spec.t2 + dT, spec.t2
    )
    with warnings.catch_warnings(record=True):
        warnings.simplefilter("always")
        return solve_heom(system, spec.heom)


def _heom_points(
    spec: CompareSpec, workers: int, progress: Callable[[int, int], None] | None
) -> list[HeomResult]:
    tasks = [(spec, float(x)) for x in spec.dT]
    if workers <= 1:
        out = []
        for i, task in enumerate(tasks):
            out.append(_heom_task(task))
            if progress:
                progress(i + 1, len(tasks))
        return out
    saved = {k: os.environ.get(k) for k in _BLAS_THREADS}
    os.environ.update({k: "1" for k in _BLAS_THREADS})  # one BLAS thread per worker
    try:
        with ProcessPoolExecutor(max_workers=workers) as pool:
            out = []
            for i, result in enumerate(pool.map(_heom_task, tasks)):
                out.append(result)
                if progress:
                    progress(i + 1, len(tasks))
            return out
    finally:
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


def compare_currents(
    spec: CompareSpec,
    equations: Sequence[MasterEquation] | None = None,
    workers: int = 1,
    progress: Callable[[int, int], None] | None = None,
) -> xr.Dataset:
    """``J1(dT)`` from each equation and from HEOM, with relative errors against HEOM.

    Args:
        spec: the parameters and grids.
        equations: master equations to grade (default :func:`default_equations`).
        workers: processes for the HEOM points (each pinned to one BLAS thread).
        progress: called with ``(done, total)`` after each HEOM point.

    Returns:
        Dataset with ``J1 (equation, dT)`` (``"heom"`` included), ``J1_fine (equation, dT_fine)``
        (master equations only), ``rel_error (equation, dT)``, ``min_eigenvalue``,
        ``secular_ratio`` (secular equations; NaN for the others) and the
        HEOM diagnostics ``heom_converged, heom_error, heom_seconds, heom_order,
        heom_depth`` over ``dT``.
    """
    eqs = tuple(default_equations() if equations is None else equations)
    dT = np.asarray(spec.dT, dtype=float)
    fine = np.linspace(dT[0], dT[-1], spec.n_fine)
    heom = _heom_points(spec, workers, progress)
    labels = [equation_label(eq) for eq in eqs]
    j_grid: list[np.ndarray] = []
    j_fine: list[np.ndarray] = []
    min_eig: list[np.ndarray] = []
    secular: list[np.ndarray] = []
    for eq in eqs:
        for grid, store in ((dT, j_grid), (fine, j_fine)):
            system = paper_system(
                spec.eps1,
                spec.eps2,
                spec.g,
                spec.gamma,
                spec.gamma,
                spec.omega_d,
                spec.t2 + grid,
                spec.t2,
            )
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")  # reported in min_eigenvalue and secular_ratio
                sol = solve(system, eq)
            store.append(sol.J1)
            if grid is fine:
                min_eig.append(sol.min_eigenvalue)
                ratio = sol.secular_ratio
                secular.append(np.full(fine.shape, np.nan) if ratio is None else ratio)
    j_heom = np.array([r.J1 for r in heom])
    j_all = np.vstack([j_heom[None, :], np.asarray(j_grid)])
    scale = np.abs(j_heom)
    significant = scale > 1e-3 * np.max(scale)
    rel = np.where(significant, (j_all - j_heom) / np.where(significant, scale, 1.0), np.nan)
    return xr.Dataset(
        data_vars={
            "J1": (
                ("equation", "dT"),
                j_all,
                {"long_name": "heat current from bath 1", "units": "hbar = kB = 1"},
            ),
            "rel_error": (("equation", "dT"), rel, {"long_name": "(J1 - J1_heom) / |J1_heom|"}),
            "J1_fine": (("master_equation", "dT_fine"), np.asarray(j_fine)),
            "min_eigenvalue": (("master_equation", "dT_fine"), np.asarray(min_eig)),
            "secular_ratio": (
                ("master_equation", "dT_fine"),
                np.asarray(secular),
                {
                    "long_name": "largest transition rate over the smallest Bohr-frequency gap the "
                    "equation drops (> 1: secular approximation outside its validity); "
                    "NaN for equations that drop none"
                },
            ),
            "heom_converged": ("dT", np.array([r.converged for r in heom])),
            "heom_error": ("dT", np.array([r.error_estimate for r in heom])),
            "heom_seconds": ("dT", np.array([r.seconds for r in heom])),
            "heom_order": ("dT", np.array([r.level.order for r in heom])),
            "heom_depth": ("dT", np.array([r.level.depth for r in heom])),
            "heom_J2": ("dT", np.array([r.J2 for r in heom])),
        },
        coords={
            "equation": ["heom", *labels],
            "master_equation": labels,
            "dT": dT,
            "dT_fine": fine,
        },
        attrs={
            "eps1": spec.eps1,
            "eps2": spec.eps2,
            "g": spec.g,
            "gamma1": spec.gamma,
            "gamma2": spec.gamma,
            "omega_d": spec.omega_d,
            "T2": spec.t2,
            "heom_rtol": spec.heom.rtol,
            "conventions": "hbar = kB = 1; T1 = T2 + dT; J1 > 0: heat from bath 1 into the system",
        },
    )


def compare_system(
    system: OpenSystem,
    equations: Sequence[MasterEquation] | None = None,
    heom: HeomOptions | None = None,
) -> xr.Dataset:
    """Every bath's current from each equation and from HEOM at one point of any system.

    An equation that does not apply to the system (it raises
    :class:`~qheat.errors.InvalidParameterError` when built or solved, e.g. the local Lindblad
    equation when a coupling acts on every subsystem, as on one qubit, or has no unique steady
    state, :class:`~qheat.errors.NonUniqueSteadyStateError`) is left out of the ``equation``
    axis with its reason; the others are kept.

    Returns:
        Dataset with ``J (equation, bath)`` (``"heom"`` first, then the equations that apply),
        ``rel_error (equation, bath)``
        ``= (J - J_heom)/|J_heom|`` (NaN where ``|J_heom|`` is below 1e-3 of the largest), and
        the HEOM diagnostics ``heom_error (bath)`` and attributes ``heom_converged``,
        ``heom_order``, ``heom_depth``, ``heom_seconds``, ``heom_reason``; ``skipped``: the
        equations left out with their reasons, ``"LABEL: reason"`` joined by ``"; "`` (empty if
        none), and ``skipped_reasons``: the same as a JSON object ``{label: reason}``.
    """
    eqs = tuple(default_equations() if equations is None else equations)
    labels = [equation_label(eq) for eq in eqs]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # reported as heom_converged and heom_reason
        exact = solve_heom(system, heom)
    rows, kept = [exact.currents], []
    skipped: dict[str, str] = {}
    for eq, label in zip(eqs, labels):
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                rows.append(np.asarray(solve(system, eq).currents, dtype=float))
            kept.append(label)
        except (InvalidParameterError, NonUniqueSteadyStateError) as err:
            skipped[label] = " ".join(str(err).split())
    j = np.vstack(rows)
    scale = np.abs(exact.currents)
    significant = scale > 1e-3 * np.max(scale)
    rel = np.where(significant, (j - exact.currents) / np.where(significant, scale, 1.0), np.nan)
    return xr.Dataset(
        {
            "J": (("equation", "bath"), j, {"long_name": "heat current from each bath"}),
            "rel_error": (("equation", "bath"), rel, {"long_name": "(J - J_heom) / |J_heom|"}),
            "heom_error": ("bath", exact.errors),
        },
        coords={"equation": ["heom", *kept], "bath": list(exact.bath_names)},
        attrs={
            "heom_converged": int(exact.converged),
            "heom_order": exact.level.order,
            "heom_depth": exact.level.depth,
            "heom_seconds": exact.seconds,
            "heom_reason": exact.reason,
            "skipped": "; ".join(f"{label}: {why}" for label, why in skipped.items()),
            "skipped_reasons": json.dumps(skipped),
            "conventions": "hbar = kB = 1; J > 0: heat from the bath into the system",
        },
    )
