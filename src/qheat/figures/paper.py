"""The paper's Figs. 2-6 drawn from their Datasets (see :mod:`qheat.paper`); no physics here.

Styling follows the captions: Lindblad blue, Bloch-Redfield red; solid, dashed and dotted lines
for the third parameter; Fig. 5 tells ``e`` apart by colour (red, blue, black); Fig. 6 has one
panel per ``gamma``; Fig. 2 has the ``gamma_2 > 0`` case as an inset. Figures are built
without ``pyplot`` (no global state) and saved as PNG and PDF by :func:`save_figure`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import xarray as xr
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.typing import LineStyleType

__all__ = [
    "EQUATION_COLORS",
    "coherence_figure",
    "current_figure",
    "paper_figure",
    "save_figure",
    "with_extension",
]

EQUATION_COLORS = {"lindblad": "tab:blue", "br": "tab:red"}
EQUATION_LABELS = {"lindblad": "Lindblad", "br": "Bloch-Redfield"}
LINESTYLES: tuple[LineStyleType, ...] = ("-", "--", ":")
FAMILY_COLORS = ("tab:red", "tab:blue", "black")
_J_LABEL = r"$\mathcal{J}_1$"
_DT_LABEL = r"$\Delta T = T_1 - T_2$"


def paper_figure(ds: xr.Dataset) -> Figure:
    """The figure of any of the paper's Datasets (Fig. 2 or Figs. 3-6), by ``ds.attrs['figure']``."""
    return coherence_figure(ds) if int(ds.attrs["figure"]) == 2 else current_figure(ds)


def with_extension(stem: Path, extension: str) -> Path:
    """``stem`` with ``extension`` appended: ``fig6_gamma0.03`` gives ``fig6_gamma0.03.png``.

    Not ``Path.with_suffix``, which would take ``.03`` for a suffix and replace it.
    """
    return stem.with_name(stem.name + extension)


def save_figure(fig: Figure, stem: Path) -> list[Path]:
    """Write ``stem.png`` (150 dpi) and ``stem.pdf`` (the extension appended to the whole
    name, dots included); return both paths."""
    paths = [with_extension(stem, ".png"), with_extension(stem, ".pdf")]
    for path in paths:
        fig.savefig(path, dpi=150, bbox_inches="tight")
    return paths


def coherence_figure(ds: xr.Dataset) -> Figure:
    """Fig. 2: Re rho_14 (blue) and Re rho_23 (red) of the Bloch-Redfield state against T, with
    the mean-force Gibbs values as 'o' (rho_14) and 'x' (rho_23); inset: the second ``gamma2``.

    The real parts are drawn: the mean-force Gibbs coherences are real, and the imaginary parts
    of the Bloch-Redfield coherences stay below 1e-3 of the real parts (they are in the data).
    """
    fig = Figure(figsize=(6.4, 4.8))
    ax = fig.add_subplot()
    _coherence_panel(ax, ds.isel(gamma2=0), int(ds.attrs["marker_every"]), legend=True)
    ax.set_xlabel(r"$T = T_1 = T_2$")
    ax.set_ylabel(r"Re $\rho_{ij}$")
    g2 = float(ds.gamma2[0])
    ax.set_title(
        rf"Fig. 2: $\varepsilon = ({ds.attrs['eps1']:g}, {ds.attrs['eps2']:g})$, $g = {ds.attrs['g']:g}$, "
        rf"$\gamma_1 = {ds.attrs['gamma1']:g}$, $\gamma_2 = {g2:g}$",
        fontsize=10,
    )
    inset = ax.inset_axes((0.46, 0.08, 0.51, 0.38))
    _coherence_panel(inset, ds.isel(gamma2=1), int(ds.attrs["marker_every"]), legend=False)
    inset.set_title(rf"$\gamma_2 = {float(ds.gamma2[1]):g}$", fontsize=8)
    inset.tick_params(labelsize=7)
    inset.yaxis.get_offset_text().set_fontsize(7)
    return fig


def _coherence_panel(ax: Axes, ds: xr.Dataset, every: int, legend: bool) -> None:
    """One panel of Fig. 2: lines for Bloch-Redfield, markers for the mean-force Gibbs state."""
    T = ds["T"].values
    marks = slice(every // 2, None, every)
    for element, color, marker, tex in (
        ("rho14", "tab:blue", "o", r"\rho_{14}"),
        ("rho23", "tab:red", "x", r"\rho_{23}"),
    ):
        ax.plot(T, ds[f"br_{element}_re"].values, color=color, label=rf"${tex}$ Bloch-Redfield")
        ax.plot(
            T[marks],
            ds[f"mfg_{element}_re"].values[marks],
            linestyle="none",
            marker=marker,
            color=color,
            markerfacecolor="none",
            label=rf"${tex}$ mean-force Gibbs",
        )
    ax.ticklabel_format(axis="y", style="sci", scilimits=(-2, 2))
    if legend:
        ax.legend(fontsize=8, loc="upper right", bbox_to_anchor=(1.0, 0.8))


def current_figure(ds: xr.Dataset) -> Figure:
    """Figs. 3-6: ``J_1`` against ``dT`` for every curve of the family and equation drawn."""
    axes_dims = [d for d in ds.J1.dims if d not in ("equation", "dT")]
    styles = {d: str(ds[d].attrs["style"]) for d in axes_dims}
    equations = str(ds.attrs["drawn_equations"]).split()
    panel_dim = next((d for d in axes_dims if styles[d] == "panel"), None)
    n_panels = ds.sizes[panel_dim] if panel_dim else 1
    fig = Figure(figsize=(6.4 if n_panels == 1 else 4.0 * n_panels, 4.6))
    panels = [fig.add_subplot(1, n_panels, k + 1) for k in range(n_panels)]
    dT = ds["dT"].values
    for k, ax in enumerate(panels):
        sub = ds.isel({panel_dim: k}) if panel_dim else ds
        for index in np.ndindex(*[sub.sizes[d] for d in axes_dims if d != panel_dim]):
            selection = dict(zip([d for d in axes_dims if d != panel_dim], index))
            curve = sub.isel(selection)
            for eq in equations:
                style = _line_style(styles, selection, eq)
                ax.plot(dT, curve.J1.sel(equation=eq).values, **style)
                _mark_secular_breakdown(ax, curve, eq, style["color"])
        ax.set_xlabel(_DT_LABEL)
        ax.set_xlim(dT[0], dT[-1])
        if panel_dim:
            ax.set_title(_legend_text(ds, panel_dim, k), fontsize=10)
        if k == 0:
            ax.set_ylabel(_J_LABEL)
    handles = _legend_handles(ds, axes_dims, styles, equations)
    if "secular_ratio" in ds and any(
        bool((ds["secular_ratio"].sel(equation=eq) > 1).any()) for eq in equations
    ):
        handles.append(
            Line2D(
                [],
                [],
                color="gray",
                marker="o",
                markerfacecolor="none",
                linestyle="none",
                label="secular ratio > 1 from here\n(Lindblad outside its validity)",
            )
        )
    panels[-1].legend(
        handles=handles,
        fontsize=8,
        loc="upper left",
        bbox_to_anchor=(1.02, 1.0),
        borderaxespad=0.0,
    )
    fig.suptitle(f"Fig. {int(ds.attrs['figure'])}: {ds.attrs['caption']}", fontsize=8, wrap=True)
    fig.tight_layout()
    return fig


def _mark_secular_breakdown(ax: Axes, curve: xr.Dataset, equation: str, color: str) -> None:
    """An open circle where a secular equation's ``secular_ratio`` first exceeds 1."""
    if "secular_ratio" not in curve:
        return
    outside = np.flatnonzero(curve["secular_ratio"].sel(equation=equation).values > 1)
    if outside.size:
        i = int(outside[0])
        ax.plot(
            curve["dT"].values[i],
            curve.J1.sel(equation=equation).values[i],
            marker="o",
            markerfacecolor="none",
            markersize=6,
            color=color,
            linestyle="none",
        )


def _line_style(styles: dict[str, str], selection: dict[str, int], equation: str) -> dict[str, Any]:
    """Colour by equation (or by the family's colour axis), line style by the linestyle axis."""
    style: dict[str, Any] = {"color": EQUATION_COLORS[equation], "linestyle": "-", "linewidth": 1.4}
    for dim, index in selection.items():
        if styles[dim] == "linestyle":
            style["linestyle"] = LINESTYLES[index % len(LINESTYLES)]
        elif styles[dim] == "color":
            style["color"] = FAMILY_COLORS[index % len(FAMILY_COLORS)]
    return style


def _legend_text(ds: xr.Dataset, dim: str, index: int) -> str:
    """``"g = 0.5"``, ``"g1 = g2 = 0.01"`` or ``"(e1, e2) = (6, 4)"`` from the coordinates along ``dim``."""
    names = str(ds[dim].attrs["parameters"]).split()
    values = [f"{float(ds[name].values[index]):g}" for name in names]
    if len(set(values)) == 1:
        return " = ".join(_tex(name) for name in names) + f" = {values[0]}"
    return f"({', '.join(_tex(n) for n in names)}) = ({', '.join(values)})"


def _tex(name: str) -> str:
    """Mathtext of a parameter name."""
    table = {
        "eps": r"\varepsilon",
        "gamma": r"\gamma",
        "omega_d": r"\omega_D",
        "g": "g",
        "t2": "T_2",
    }
    base = name.rstrip("12")
    sub = name[len(base) :]
    return f"${table.get(base, base)}{'_' + sub if sub else ''}$"


def _legend_handles(
    ds: xr.Dataset, dims: list[str], styles: dict[str, str], equations: list[str]
) -> list[Line2D]:
    """Legend entries: one per equation (unless the colour encodes a family axis), one per curve style."""
    handles: list[Line2D] = []
    color_axis = any(styles[d] == "color" for d in dims)
    if not color_axis:
        handles += [
            Line2D([], [], color=EQUATION_COLORS[eq], label=EQUATION_LABELS[eq]) for eq in equations
        ]
    else:
        handles += [
            Line2D([], [], color="none", label=" / ".join(EQUATION_LABELS[eq] for eq in equations))
        ]
    for dim in dims:
        for i in range(ds.sizes[dim]):
            if styles[dim] == "linestyle":
                handles.append(
                    Line2D(
                        [],
                        [],
                        color="gray",
                        linestyle=LINESTYLES[i % 3],
                        label=_legend_text(ds, dim, i),
                    )
                )
            elif styles[dim] == "color":
                handles.append(
                    Line2D([], [], color=FAMILY_COLORS[i % 3], label=_legend_text(ds, dim, i))
                )
    return handles
