"""The data of Figs. 3-6: ``J_1(dT)`` for a family of curves, one batched solve per equation.

Each figure's whole family (every curve and every ``dT``) is a single batch of
:func:`qheat.paper_system`, solved once with the Bloch-Redfield equation (Eqs. 8-12) and once
with the global Lindblad equation (Eqs. A14-A15), both with the Lamb shift (Eq. 15).
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import xarray as xr
from numpy.typing import NDArray

from ..api import paper_system, solve
from ..master import BlochRedfield, GlobalLindblad, MasterEquation
from ..steady import Solution
from .specs import CurrentFigure

__all__ = ["EQUATIONS", "UNITS", "CONVENTIONS", "current_dataset", "family_current"]

EQUATIONS: dict[str, MasterEquation] = {
    "br": BlochRedfield(lamb_shift=True),
    "lindblad": GlobalLindblad(lamb_shift=True),
}
"""The two master equations of the paper, by their Dataset label."""

UNITS = {
    "eps1": "energy units (hbar = 1)",
    "eps2": "energy units (hbar = 1)",
    "g": "energy units (hbar = 1)",
    "gamma1": "1 (dimensionless, absorbs lambda^2)",
    "gamma2": "1 (dimensionless, absorbs lambda^2)",
    "omega_d": "energy units (hbar = 1)",
    "t2": "energy units (kB = 1)",
}
"""Units of the parameters of :data:`~qheat.paper.specs.PARAMETERS`."""

CONVENTIONS = (
    "hbar = kB = 1; J_j = Tr((H_S + H_LS) D_j(rho)) (Eqs. 21-23), positive = heat from bath j "
    "into the system; T1 = T2 + dT; Lamb shift (Eq. 15) included in both equations"
)


def _arguments(
    params: dict[str, NDArray[np.float64]], dT: NDArray[np.float64]
) -> dict[str, NDArray[np.float64]]:
    """Arguments of :func:`paper_system`: ``params`` plus ``t1 = t2 + dT`` (broadcast)."""
    return {**params, "t1": params["t2"] + dT}


def family_current(
    fig: CurrentFigure, equation: str
) -> Callable[[NDArray[np.float64]], NDArray[np.float64]]:
    """``current(dT) -> J_1`` for the whole family at one bias per curve (for peak refinement).

    ``dT`` has the family's shape; so has the result.
    """
    eq = EQUATIONS[equation]
    params = fig.parameters()

    def current(dT: NDArray[np.float64]) -> NDArray[np.float64]:
        system = paper_system(**_arguments(params, np.asarray(dT, dtype=np.float64)))
        return np.asarray(solve(system, eq).J1, dtype=np.float64)

    return current


def _secular_ratio(solution: Solution) -> NDArray[np.float64]:
    ratio = solution.secular_ratio
    return (
        np.full(solution.J1.shape, np.nan)
        if ratio is None
        else np.broadcast_to(ratio, solution.J1.shape)
    )


def current_dataset(fig: CurrentFigure) -> xr.Dataset:
    """``J_1``, ``J_2``, the smallest eigenvalue of the state and the secular ratio (global
    Lindblad) for every curve of ``fig``.

    Returns:
        A Dataset with dims ``(equation, <family axes>, dT)``; the family axes carry their
        parameters as coordinates, the fixed parameters, the caption, the ``dT`` range and
        why it was chosen are in ``attrs``.
    """
    dT = fig.dT
    params = {name: value[..., None] for name, value in fig.parameters().items()}
    system = paper_system(**_arguments(params, dT))
    solutions = {name: solve(system, eq) for name, eq in EQUATIONS.items()}

    dims = ("equation",) + tuple(ax.name for ax in fig.axes) + ("dT",)
    coords: dict[str, tuple[str, object, dict[str, str]] | object] = {
        "equation": ("equation", list(solutions), {"long_name": "master equation"}),
        "dT": ("dT", dT, {"long_name": "T1 - T2", "units": "energy units (kB = 1)"}),
    }
    for ax in fig.axes:
        first, values = ax.values[0]
        names = " ".join(name for name, _ in ax.values)
        coords[ax.name] = (
            ax.name,
            np.asarray(values),
            {"long_name": first, "units": UNITS[first], "parameters": names, "style": ax.style},
        )
        for name, vals in ax.values:
            if name != ax.name:
                coords[name] = (
                    ax.name,
                    np.asarray(vals),
                    {"long_name": name, "units": UNITS[name]},
                )
    data = {
        "J1": (
            dims,
            np.stack([s.J1 for s in solutions.values()]),
            {"long_name": "heat current from bath 1", "units": "energy / time (hbar = 1)"},
        ),
        "J2": (
            dims,
            np.stack([s.J2 for s in solutions.values()]),
            {"long_name": "heat current from bath 2", "units": "energy / time (hbar = 1)"},
        ),
        "min_eigenvalue": (
            dims,
            np.stack([s.min_eigenvalue for s in solutions.values()]),
            {"long_name": "smallest eigenvalue of the steady state"},
        ),
        "secular_ratio": (
            dims,
            np.stack([_secular_ratio(s) for s in solutions.values()]),
            {
                "long_name": "largest transition rate over the smallest Bohr-frequency gap the "
                "equation drops (> 1: secular approximation outside its validity); "
                "NaN for Bloch-Redfield, which drops none"
            },
        ),
    }
    attrs: dict[str, object] = {
        "figure": fig.number,
        "caption": fig.caption,
        "conventions": CONVENTIONS,
        "dT_range": [float(dT[0]), float(dT[-1])],
        "dT_points": int(dT.size),
        "dT_grid": f"{fig.points} even points on [0, {fig.dT_max:g}]"
        + (
            f", refined by {fig.fine_points} even points on [0, {min(fig.fine_max, fig.dT_max):g}]"
            if fig.fine_points
            else ""
        ),
        "dT_choice": fig.range_note,
        "drawn_equations": " ".join(fig.equations),
    }
    attrs.update({name: value for name, value in fig.fixed})
    return xr.Dataset(data_vars=data, coords=coords, attrs=attrs)
