"""The heat current of every bath against a swept parameter, from a sweep's Dataset.

Takes the Dataset of :func:`qheat.sweep` (``J`` with dims ``(equation, bath, *swept)``); no
physics here. One panel per bath, one colour per equation; a second swept dimension gives one
line per value (shades). Where a secular equation leaves its validity (``secular_ratio > 1``)
its curve gets an open circle at the first such point, as in the paper's figures. A sweep with
the cumulants (``qheat sweep --cumulants N``) gets a row of noise panels (``c2``) and one of
thermodynamic uncertainty ratios (``Q = c2 sigma / c1^2``, the classical bound ``Q = 2``
dashed) under the currents.

An incomplete sweep (a store whose run was interrupted: points without a current) is drawn
with gaps and a :class:`~qheat.sweeps.store.StoreWarning` that says how many points are
missing; one without any current is refused.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence

import numpy as np
import xarray as xr
from matplotlib.figure import Figure

from ..sweeps.store import StoreWarning

__all__ = ["sweep_figure", "FLUCTUATION_ROWS", "MAX_LINES"]

MAX_LINES = 8
"""At most this many values of a second swept dimension are drawn (evenly picked)."""

FLUCTUATION_ROWS = ("noise", "tur_ratio")
"""Variables of a sweep drawn in rows of their own under the currents, when present."""

_COLOURS = {"br": "tab:red", "lindblad": "tab:blue", "local": "tab:green", "ule": "tab:purple"}
_NAMES = {
    "br": "Bloch-Redfield",
    "lindblad": "global Lindblad",
    "local": "local Lindblad",
    "ule": "ULE",
}


def sweep_figure(
    ds: xr.Dataset,
    x: str | None = None,
    *,
    equations: Sequence[str] | None = None,
    baths: Sequence[str] | None = None,
    source: str = "the sweep",
) -> Figure:
    """``J`` of each bath against the swept dimension ``x`` (default: the first one).

    Raises:
        ValueError: ``ds`` is not a sweep Dataset, ``x`` is not one of its swept dimensions,
            it has more than two swept dimensions, an equation or bath is unknown, or no
            point has a current (a store nothing was written to).

    Warns:
        StoreWarning: some points have no current (an interrupted sweep); ``source`` names
            it in the message.
    """
    if "J" not in ds or ds["J"].dims[:2] != ("equation", "bath"):
        raise ValueError("not a sweep Dataset: it needs J with dims (equation, bath, ...)")
    swept = [str(d) for d in ds["J"].dims[2:]]
    if not swept:
        raise ValueError("the sweep has no swept dimension: nothing to plot against")
    x = swept[0] if x is None else x
    if x not in swept:
        raise ValueError(f"x must be one of the swept dimensions {swept}, got {x!r}")
    others = [d for d in swept if d != x]
    if len(others) > 1:
        raise ValueError(f"plot at most two swept dimensions; select values of {others[1:]} first")
    equations = [str(e) for e in ds.equation.values] if equations is None else list(equations)
    baths = [str(b) for b in ds.bath.values] if baths is None else list(baths)
    for name, wanted, have in (
        ("equation", equations, ds.equation.values),
        ("bath", baths, ds.bath.values),
    ):
        unknown = sorted(set(wanted) - {str(v) for v in have})
        if unknown:
            raise ValueError(f"unknown {name}(s) {unknown}; the sweep has {list(map(str, have))}")
    _warn_if_incomplete(ds, source)
    rows = [v for v in FLUCTUATION_ROWS if v in ds]
    fig = Figure(figsize=(4.2 * len(baths), 3.6 + 2.8 * len(rows)), layout="constrained")
    grid = fig.subplots(1 + len(rows), len(baths), squeeze=False, sharex=True)
    axes = grid[0]
    xs = np.asarray(ds[x])
    picks = _picks(ds, others[0]) if others else [None]
    for ax, bath in zip(axes, baths):
        for eq in equations:
            colour = _COLOURS.get(eq, None)
            for k, pick in enumerate(picks):
                sel = {"equation": eq, "bath": bath} | ({others[0]: pick} if others else {})
                j = np.asarray(ds["J"].sel(sel))
                shade = 1.0 - 0.6 * k / max(1, len(picks) - 1)
                label = _NAMES.get(eq, eq) if k == 0 else None
                line = ax.plot(xs, j, color=colour, alpha=shade, lw=1.6, label=label)[0]
                ratio = np.asarray(
                    ds["secular_ratio"].sel({k2: v for k2, v in sel.items() if k2 != "bath"})
                )
                outside = np.flatnonzero(ratio > 1)
                if outside.size:
                    ax.plot(
                        xs[outside[0]], j[outside[0]], "o", mfc="none", color=line.get_color(), ms=7
                    )
        ax.axhline(0.0, color="0.6", lw=0.6)
        ax.set_xlabel(_label(ds, x))
        ax.set_ylabel(f"$J_{{{bath}}}${_unit(ds['J'])} (heat from bath {bath} into the system)")
        ax.set_title(f"bath {bath}", fontsize=10)
    axes[0].legend(frameon=False, fontsize=8)
    for row, name in zip(grid[1:], rows):
        _fluctuation_row(row, ds, name, x, equations, baths, others[0] if others else None, picks)
    for ax in grid[:-1].ravel():
        ax.set_xlabel("")
    if others:
        values = ", ".join(f"{v:g}" for v in picks)
        fig.suptitle(f"{others[0]} = {values} (dark to light)", fontsize=9)
    return fig


def _fluctuation_row(
    axes: np.ndarray,
    ds: xr.Dataset,
    name: str,
    x: str,
    equations: list[str],
    baths: list[str],
    other: str | None,
    picks: Sequence[float | None],
) -> None:
    """One row of ``noise`` or ``tur_ratio`` panels, one per bath, drawn as the currents."""
    xs = np.asarray(ds[x])
    for ax, bath in zip(axes, baths):
        for eq in equations:
            for k, pick in enumerate(picks):
                sel = {"equation": eq, "bath": bath} | ({other: pick} if other else {})
                values = np.asarray(ds[name].sel(sel))
                shade = 1.0 - 0.6 * k / max(1, len(picks) - 1)
                ax.plot(xs, values, color=_COLOURS.get(eq), alpha=shade, lw=1.6)
        if name == "tur_ratio":
            ax.axhline(2.0, color="black", lw=0.9, ls="--")
            ax.annotate(
                "Q = 2 (classical bound)",
                (0.02, 2.0),
                xycoords=("axes fraction", "data"),
                textcoords="offset points",
                xytext=(0, 3),
                fontsize=7,
            )
            ax.set_ylabel(rf"TUR ratio $Q_{{{bath}}} = c_2\sigma/c_1^2$")
        else:
            ax.set_ylabel(rf"noise $c_{{2}}$ of bath {bath} (energy$^2$/time)")
        ax.set_xlabel(_label(ds, x))


def _warn_if_incomplete(ds: xr.Dataset, source: str) -> None:
    """Say how many points have no current (all: refuse)."""
    missing = np.isnan(np.asarray(ds["J"])).any(axis=(0, 1))
    lost, total = int(np.count_nonzero(missing)), int(missing.size)
    if lost == total:
        raise ValueError(
            f"no point of {source} has a current (nothing was written: an interrupted sweep?); "
            "finish it with the same qheat sweep and --resume"
        )
    if lost:
        warnings.warn(
            f"{source} is incomplete: {lost} of {total} points have no current (an interrupted "
            "sweep, or chunks lost); they are drawn as gaps. Check it with qheat sweep --verify "
            "--out FILE and finish it with the same qheat sweep and --resume",
            StoreWarning,
            stacklevel=3,
        )


def _picks(ds: xr.Dataset, dim: str) -> list[float]:
    values = np.asarray(ds[dim])
    index = np.unique(
        np.linspace(0, values.size - 1, min(values.size, MAX_LINES)).round().astype(int)
    )
    return [float(values[i]) for i in index]


def _label(ds: xr.Dataset, dim: str) -> str:
    long_name = str(ds[dim].attrs.get("long_name", ""))
    label = f"{dim}: {long_name}" if long_name and len(long_name) < 45 else dim
    return label + _unit(ds[dim])


def _unit(variable: xr.DataArray) -> str:
    """`` [W]``: the unit of a variable in lab units (its ``units`` attribute), if it has one
    that is not a natural-units description."""
    unit = str(variable.attrs.get("units", ""))
    plain = unit and unit != "1" and "hbar" not in unit and "natural" not in unit
    return f" [{unit}]" if plain else ""
