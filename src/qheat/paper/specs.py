"""The paper's figures as data: parameters from the captions, and the chosen axis ranges.

Figs. 3-6 plot the heat current ``J_1`` from the hot bath against ``dT = T1 - T2`` at
``T2 = 5``, for a family of curves that differ in one or two parameters (the captions). The
paper does not print the ``dT`` ranges; the ranges here are chosen to show each figure's
behaviour, in particular the maximum of every Bloch-Redfield current that has one inside a
physically sensible range and the fall after it. Fig. 2 plots the secondary-diagonal elements
of the equilibrium state (``T1 = T2 = T``) against ``T``.

Units: hbar = kB = 1; every energy and temperature in the units of the captions.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from ..errors import InvalidParameterError

__all__ = [
    "PARAMETERS",
    "FamilyAxis",
    "CurrentFigure",
    "CoherenceFigure",
    "FIG2",
    "FIG3",
    "FIG4",
    "FIG5",
    "FIG6",
    "CURRENT_FIGURES",
    "FIGURE_NUMBERS",
]

PARAMETERS = ("eps1", "eps2", "g", "gamma1", "gamma2", "omega_d", "t2")
"""The model and bath parameters of a curve, besides ``T1 = T2 + dT`` (Eqs. 1, 17)."""


@dataclass(frozen=True)
class FamilyAxis:
    """One axis of a figure's family of curves, e.g. the three ``g`` of Fig. 3.

    Attributes:
        name: dimension name in the Dataset.
        values: ``(parameter, values)`` pairs varied together along the axis; every tuple of
            values has the axis' length (Fig. 4 varies ``eps1`` and ``eps2`` together).
        style: how the figure tells the curves apart: ``"linestyle"``, ``"color"`` or
            ``"panel"``.
    """

    name: str
    values: tuple[tuple[str, tuple[float, ...]], ...]
    style: str

    def __post_init__(self) -> None:
        lengths = {len(v) for _, v in self.values}
        if len(lengths) != 1:
            raise InvalidParameterError(f"axis {self.name!r}: all value tuples need one length")
        unknown = [p for p, _ in self.values if p not in PARAMETERS]
        if unknown:
            raise InvalidParameterError(
                f"axis {self.name!r}: unknown parameters {unknown}, allowed {PARAMETERS}"
            )
        if self.style not in ("linestyle", "color", "panel"):
            raise InvalidParameterError(
                f"axis {self.name!r}: style must be 'linestyle', 'color' or 'panel', got {self.style!r}"
            )

    @property
    def size(self) -> int:
        """Number of curves along the axis."""
        return len(self.values[0][1])

    def label(self, index: int) -> str:
        """Legend text of curve ``index``, e.g. ``"g = 0.5"`` or ``"(eps1, eps2) = (6, 4)"``."""
        names = [p for p, _ in self.values]
        vals = [f"{v[index]:g}" for _, v in self.values]
        if len(names) == 1:
            return f"{names[0]} = {vals[0]}"
        return f"({', '.join(names)}) = ({', '.join(vals)})"


@dataclass(frozen=True)
class CurrentFigure:
    """A figure of ``J_1`` against ``dT = T1 - T2`` (Figs. 3-6).

    Attributes:
        number: the paper's figure number.
        caption: what the paper's caption fixes, in words.
        fixed: ``(parameter, value)`` for the parameters that are the same for every curve.
        axes: the family axes (one or two), outermost first.
        dT_max: upper end of the bias range; the range is ``[0, dT_max]``.
        points: number of evenly spaced grid points in ``[0, dT_max]`` (including both ends).
        fine_max, fine_points: a finer even grid on ``[0, fine_max]`` merged into the first
            (``fine_points = 0``: none), to resolve the small-bias region where ``J_BR`` and
            ``J_L`` cross.
        equations: the master equations drawn (``"br"``, ``"lindblad"``); both are computed.
        range_note: why the range was chosen (recorded in the Dataset's attributes).
    """

    number: int
    caption: str
    fixed: tuple[tuple[str, float], ...]
    axes: tuple[FamilyAxis, ...]
    dT_max: float
    points: int
    equations: tuple[str, ...]
    range_note: str
    fine_max: float = 10.0
    fine_points: int = 101

    def __post_init__(self) -> None:
        given = [p for p, _ in self.fixed] + [p for ax in self.axes for p, _ in ax.values]
        if sorted(given) != sorted(PARAMETERS):
            raise InvalidParameterError(
                f"Fig. {self.number}: fixed and axis parameters must be exactly {PARAMETERS}, got {given}"
            )
        if self.points < 3:
            raise InvalidParameterError(f"points must be >= 3, got {self.points}")
        if self.fine_points < 0 or self.fine_points == 1:
            raise InvalidParameterError(f"fine_points must be 0 or >= 2, got {self.fine_points}")
        if not self.dT_max > 0:
            raise InvalidParameterError(f"dT_max must be > 0, got {self.dT_max}")

    @property
    def dT(self) -> NDArray[np.float64]:
        """The bias grid: ``points`` points on ``[0, dT_max]`` and ``fine_points`` on
        ``[0, fine_max]``, merged and sorted."""
        coarse = np.linspace(0.0, self.dT_max, self.points)
        fine = np.linspace(0.0, min(self.fine_max, self.dT_max), self.fine_points)
        return np.unique(np.round(np.concatenate([coarse, fine]), 12))

    @property
    def family_shape(self) -> tuple[int, ...]:
        """Shape of the family of curves (one entry per axis)."""
        return tuple(ax.size for ax in self.axes)

    def with_points(self, points: int) -> CurrentFigure:
        """The same figure on an even grid of ``points`` points, without the fine part."""
        return dataclasses.replace(self, points=points, fine_points=0)

    def parameters(self) -> dict[str, NDArray[np.float64]]:
        """Every parameter of :data:`PARAMETERS` as an array of :attr:`family_shape` (broadcast)."""
        shape = self.family_shape
        out: dict[str, NDArray[np.float64]] = {
            name: np.full(shape, value, dtype=np.float64) for name, value in self.fixed
        }
        for k, ax in enumerate(self.axes):
            index = [1] * len(shape)
            index[k] = ax.size
            for name, values in ax.values:
                out[name] = np.broadcast_to(
                    np.reshape(np.asarray(values, dtype=np.float64), index), shape
                ).copy()
        return out


@dataclass(frozen=True)
class CoherenceFigure:
    """Fig. 2: ``rho_14`` and ``rho_23`` of the equilibrium state against ``T = T1 = T2``.

    Attributes:
        eps1, eps2, g, gamma1, omega_d: the caption's values.
        gamma2_main: ``gamma_2`` of the main panel (0: only bath 1 couples).
        gamma2_inset: ``gamma_2`` of the inset (both baths couple).
        T_min, T_max, points: the temperature grid.
        marker_every: the mean-force Gibbs markers are drawn at every ``marker_every``-th point.
        range_note: why the range was chosen.
    """

    number: int
    eps1: float
    eps2: float
    g: float
    gamma1: float
    omega_d: float
    gamma2_main: float
    gamma2_inset: float
    T_min: float
    T_max: float
    points: int
    marker_every: int
    range_note: str

    @property
    def T(self) -> NDArray[np.float64]:
        """The temperature grid."""
        return np.linspace(self.T_min, self.T_max, self.points)

    def with_points(self, points: int) -> CoherenceFigure:
        """The same figure on a grid of ``points`` points."""
        return dataclasses.replace(self, points=points, marker_every=max(1, points // 12))


_BATH = (("omega_d", 50.0), ("t2", 5.0))

FIG2 = CoherenceFigure(
    number=2,
    eps1=5.0,
    eps2=4.0,
    g=1.0,
    gamma1=0.01,
    omega_d=50.0,
    gamma2_main=0.0,
    gamma2_inset=0.01,
    T_min=1.0,
    T_max=20.0,
    points=77,
    marker_every=4,
    range_note=(
        "T from 1 to 20: the coherences reach their largest magnitude at low T and decay beyond; "
        "below T = 1 the Bloch-Redfield steady state with one bath is not positive (smallest "
        "eigenvalue < 0), so the range starts there"
    ),
)

FIG3 = CurrentFigure(
    number=3,
    caption="T2 = 5, T1 = 5 + dT, e = (5, 4), gamma1 = gamma2 = 0.01, wD = 50; g = 0.75, 0.5, 0.25",
    fixed=(("eps1", 5.0), ("eps2", 4.0), ("gamma1", 0.01), ("gamma2", 0.01)) + _BATH,
    axes=(FamilyAxis("g", (("g", (0.75, 0.5, 0.25)),), "linestyle"),),
    dT_max=200.0,
    points=401,
    equations=("br", "lindblad"),
    range_note=(
        "dT in [0, 200]: every Bloch-Redfield current reaches its maximum inside the range and "
        "falls after it; the Lindblad currents rise over the whole range"
    ),
)

FIG4 = CurrentFigure(
    number=4,
    caption="T2 = 5, T1 = 5 + dT, e1 + e2 = 10, g = 0.5, gamma1 = gamma2 = 0.01, wD = 50; "
    "(e1, e2) = (5.5, 4.5), (6, 4), (6.5, 3.5)",
    fixed=(("g", 0.5), ("gamma1", 0.01), ("gamma2", 0.01)) + _BATH,
    axes=(FamilyAxis("eps1", (("eps1", (5.5, 6.0, 6.5)), ("eps2", (4.5, 4.0, 3.5))), "linestyle"),),
    dT_max=500.0,
    points=1001,
    equations=("br", "lindblad"),
    range_note=(
        "dT in [0, 500]: the Bloch-Redfield maximum moves to larger dT as e1 - e2 grows; the "
        "range holds all three maxima and the fall after them"
    ),
)

FIG5 = CurrentFigure(
    number=5,
    caption="T2 = 5, T1 = 5 + dT, gamma1 = gamma2 = 0.01, wD = 50; e1 = e2 = 4, 5, 6 "
    "(red, blue, black); g = 0.2, 0.1, 0.05 (solid, dashed, dotted)",
    fixed=(("gamma1", 0.01), ("gamma2", 0.01)) + _BATH,
    axes=(
        FamilyAxis("eps", (("eps1", (4.0, 5.0, 6.0)), ("eps2", (4.0, 5.0, 6.0))), "color"),
        FamilyAxis("g", (("g", (0.2, 0.1, 0.05)),), "linestyle"),
    ),
    dT_max=60.0,
    points=241,
    equations=("br",),
    range_note=(
        "dT in [0, 60]: the symmetric Bloch-Redfield currents peak early and fall after; the "
        "Lindblad current (computed, not drawn) is unphysical here (Sec. IV, App. C)"
    ),
)

FIG6 = CurrentFigure(
    number=6,
    caption="T2 = 5, T1 = 5 + dT, e = (4, 3), g = 0.5, wD = 50; gamma1 = gamma2 = 0.01, 0.02, "
    "0.03 (three panels)",
    fixed=(("eps1", 4.0), ("eps2", 3.0), ("g", 0.5)) + _BATH,
    axes=(
        FamilyAxis(
            "gamma", (("gamma1", (0.01, 0.02, 0.03)), ("gamma2", (0.01, 0.02, 0.03))), "panel"
        ),
    ),
    dT_max=300.0,
    points=601,
    equations=("br", "lindblad"),
    range_note=(
        "dT in [0, 300] (the NDTC needs a large bias at gamma = 0.01): every Bloch-Redfield "
        "maximum and the fall after it are inside; the Lindblad current rises throughout"
    ),
)

CURRENT_FIGURES: dict[int, CurrentFigure] = {f.number: f for f in (FIG3, FIG4, FIG5, FIG6)}
"""Figs. 3-6 by number."""

FIGURE_NUMBERS = (2, 3, 4, 5, 6)
"""Every figure ``qheat reproduce`` makes."""
