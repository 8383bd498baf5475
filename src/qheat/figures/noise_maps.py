"""Noise and TUR maps: the current, its zero-frequency noise and its thermodynamic uncertainty
ratio side by side over two swept parameters, from a sweep with cumulants.

Takes the Dataset of ``qheat.sweep(..., cumulants=2)`` (``J``, ``noise``, ``tur_ratio`` with
dims ``(equation, bath, x, y)``); no physics here. The TUR panel is coloured on a diverging
scale centred on the classical bound ``Q = 2`` (Barato and Seifert 2015; red below it: the
bound is violated), its ``Q = 2`` contour drawn in black; cells outside weak coupling are
hatched as in :func:`qheat.figures.maps.ndtc_map_figure` (``//`` the weak-coupling ratio above
its warning level, ``xx`` heat from cold to hot: not physics, docs/trust.md).
"""

from __future__ import annotations

import numpy as np
import xarray as xr
from matplotlib.colors import TwoSlopeNorm
from matplotlib.figure import Figure

from .maps import _axis_label, _hatch_outside

__all__ = ["MAP_PANELS", "fluctuation_map_figure"]

MAP_PANELS = ("J", "noise", "tur_ratio")
"""The panels, left to right: the current, its noise, its TUR ratio."""

_NAMES = {"br": "Bloch-Redfield", "lindblad": "global Lindblad", "local": "local Lindblad"}


def fluctuation_map_figure(
    ds: xr.Dataset,
    x: str | None = None,
    *,
    equation: str | None = None,
    bath: str | None = None,
) -> Figure:
    """Colour maps of ``J``, ``noise`` and ``tur_ratio`` of one equation and bath over the two
    swept dimensions (``x`` on the horizontal axis; default the first).

    Raises:
        ValueError: ``ds`` has no ``noise`` or ``tur_ratio`` (a sweep without
            ``--cumulants 2``), not exactly two swept dimensions, or an unknown ``x``,
            equation or bath.
    """
    missing = [v for v in MAP_PANELS if v not in ds]
    if missing:
        raise ValueError(
            f"the sweep has no {', '.join(missing)}: run qheat sweep with --cumulants 2 "
            "(qheat.sweep(..., cumulants=2)) for noise and TUR maps"
        )
    swept = [str(d) for d in ds["J"].dims[2:]]
    if len(swept) != 2:
        raise ValueError(f"a map needs exactly two swept dimensions, the sweep has {swept}")
    x = swept[0] if x is None else x
    if x not in swept:
        raise ValueError(f"x must be one of the swept dimensions {swept}, got {x!r}")
    y = swept[1] if x == swept[0] else swept[0]
    equation = str(ds.equation.values[0]) if equation is None else equation
    bath = str(ds.bath.values[0]) if bath is None else bath
    for name, value, have in (("equation", equation, ds.equation), ("bath", bath, ds.bath)):
        if value not in [str(v) for v in have.values]:
            raise ValueError(
                f"unknown {name} {value!r}; the sweep has {list(map(str, have.values))}"
            )
    one = ds.sel(equation=equation).transpose(..., x, y)
    xs, ys = np.asarray(ds[x], dtype=float), np.asarray(ds[y], dtype=float)
    fig = Figure(figsize=(14.0, 4.4), layout="constrained")
    axes = fig.subplots(1, 3, sharey=True)
    labels = {
        "J": rf"heat current $J_{{{bath}}}$",
        "noise": rf"noise $c_2$ of bath {bath}",
        "tur_ratio": rf"TUR ratio $Q_{{{bath}}} = c_2\sigma/c_1^2$",
    }
    notes = []
    for ax, name in zip(axes, MAP_PANELS):
        values = np.asarray(one[name].sel(bath=bath)).T  # rows follow y
        masked = np.ma.masked_invalid(values)
        if name == "tur_ratio":
            finite = values[np.isfinite(values)]
            low = min(float(finite.min()), 1.999) if finite.size else 1.0
            high = max(float(finite.max()), 2.001) if finite.size else 3.0
            norm = TwoSlopeNorm(vcenter=2.0, vmin=low, vmax=high)
            mesh = ax.pcolormesh(xs, ys, masked, shading="nearest", cmap="RdBu", norm=norm)
            below = np.isfinite(values) & (values < 2.0)
            if xs.size > 1 and ys.size > 1 and 0 < below.sum() < below.size:
                ax.contour(
                    xs, ys, below.astype(float), levels=[0.5], colors="black", linewidths=1.2
                )
            share = 100.0 * float(np.mean(below))
            notes.append(f"TUR violated (Q < 2, red, inside the black line): {share:.0f}%")
        else:
            cmap = "RdBu_r" if name == "J" and float(np.nanmin(values)) < 0 else "viridis"
            mesh = ax.pcolormesh(xs, ys, masked, shading="nearest", cmap=cmap)
        fig.colorbar(mesh, ax=ax, label=labels[name])
        outside = _hatch_outside(ax, one, xs, ys)
        ax.set_xlabel(_axis_label(ds, x))
    axes[0].set_ylabel(_axis_label(ds, y))
    title = f"{_NAMES.get(equation, equation)}, bath {bath}: " + "; ".join(notes)
    if outside:
        title += "\n" + outside
    fig.suptitle(title, fontsize=10)
    return fig
