"""What the explorer exports: a PNG of the curves, their netCDF data, and the equivalent
``qheat sweep`` command and Python snippet (text that recomputes the same curves)."""

from __future__ import annotations

import io
import shlex

import numpy as np
from matplotlib.figure import Figure

from ..steady.validity import WEAK_COUPLING_NOTICE, WEAK_COUPLING_WARN
from .curves import EQUATION_LABELS, Curves, strips
from .models import Model, PaperModel

__all__ = ["COLORS", "DASHES", "figure_png", "netcdf_bytes", "python_snippet", "sweep_command"]

COLORS = {"br": "#d62728", "lindblad": "#1f77b4", "local": "#2ca02c", "ule": "#9467bd"}
"""One colour per equation (the paper's figures: Lindblad blue, Bloch-Redfield red)."""
DASHES = ("solid", "dashed", "dotted", "dashdot")
"""One line style per bath, in the order of the baths."""

_SWEEP_DEFAULT = ("br", "lindblad")
"""The equations ``qheat sweep`` computes without ``--equation``."""


def _number(value: float) -> str:
    """The shortest text that reads back as ``value`` (``4``, ``0.03``, ``1e-05``)."""
    return (
        np.format_float_positional(float(value), trim="-")
        if abs(value) >= 1e-4 or value == 0
        else repr(float(value))
    )


def figure_png(curves: Curves, dpi: int = 150) -> bytes:
    """The curves as on the page, drawn with matplotlib: ``J`` against the axis for every
    equation (colour) and bath (line style), open circles where a secular equation leaves its
    validity, filled diamonds at the interior maxima, the axis shaded where the weak-coupling
    ratio exceeds the notice (light) and warning (dark) levels, downward triangles where heat
    flows from cold to hot."""
    fig = Figure(figsize=(7.0, 4.4))
    ax = fig.add_subplot()
    ratio = curves.weak_coupling_ratio[0]
    for mask, color, alpha in (
        ((ratio > WEAK_COUPLING_NOTICE) & (ratio <= WEAK_COUPLING_WARN), "#f2c14e", 0.18),
        (ratio > WEAK_COUPLING_WARN, "#7f7f7f", 0.3),
    ):
        for x0, x1 in zip(*strips(curves.x, mask).values()):
            ax.axvspan(x0, x1, color=color, alpha=alpha, linewidth=0)
    for e, eq in enumerate(curves.equations):
        color = COLORS[eq]
        for b, bath in enumerate(curves.bath_names):
            ax.plot(
                curves.x,
                curves.J[e, b],
                color=color,
                linestyle=DASHES[b % len(DASHES)],
                linewidth=1.4,
                label=f"{EQUATION_LABELS[eq]}, J{bath}",
            )
            if np.isfinite(curves.peaks.dT_peak[e, b]):
                ax.plot(
                    curves.peaks.dT_peak[e, b],
                    curves.peaks.J_peak[e, b],
                    marker="D",
                    color=color,
                    linestyle="none",
                )
            broken = curves.broken(eq)
            if broken.any():
                ax.plot(
                    curves.x[broken],
                    curves.J[e, b, broken],
                    marker="v",
                    markersize=4,
                    color=color,
                    linestyle="none",
                )
            index = curves.secular_index(eq)
            if index is not None:
                ax.plot(
                    curves.x[index],
                    curves.J[e, b, index],
                    marker="o",
                    markersize=8,
                    markerfacecolor="none",
                    color=color,
                    linestyle="none",
                )
    ax.axhline(0.0, color="gray", linewidth=0.5)
    ax.set_xlabel(curves.axis)
    ax.set_ylabel("J (heat current into the system)")
    ax.set_xlim(curves.x[0], curves.x[-1])
    fixed = ", ".join(f"{k} = {_number(v)}" for k, v in curves.params.items())
    ax.set_title(fixed, fontsize=8, wrap=True)
    ax.legend(fontsize=7, loc="best")
    fig.text(
        0.01,
        0.01,
        "diamond: peak (interior maximum); open circle: secular ratio > 1 from here; shaded: "
        f"weak-coupling ratio > {WEAK_COUPLING_NOTICE:g} (light), > {WEAK_COUPLING_WARN:g} "
        "(dark, outside weak coupling); triangle: heat from cold to hot",
        fontsize=6,
        color="gray",
    )
    fig.tight_layout(rect=(0, 0.03, 1, 1))
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=dpi)
    return buffer.getvalue()


def netcdf_bytes(curves: Curves) -> bytes:
    """:meth:`Curves.to_dataset` as a netCDF file's bytes."""
    data = curves.to_dataset().to_netcdf()
    return bytes(data) if data is not None else b""


def sweep_command(model: Model, curves: Curves, out: str = "explorer.nc") -> str:
    """The ``qheat sweep`` command that computes these curves.

    ``qheat sweep`` computes Bloch-Redfield and global Lindblad by default, one equation with
    ``--equation NAME``, or all four with ``--equation all``; for another choice of two or three
    equations the command computes all four (a comment says so).
    """
    axis = f"{_number(curves.x[0])}:{_number(curves.x[-1])}:{curves.x.size}"
    if isinstance(model, PaperModel):
        options = [f"--{k.replace('_', '-')} {_number(v)}" for k, v in curves.params.items()]
        options.append(f"--{curves.axis.replace('_', '-')} {axis}")
    else:
        options = [f"--device {shlex.quote(str(model.source))}"]
        options += [f"--param {k}={_number(v)}" for k, v in curves.params.items()]
        options.append(f"--param {curves.axis}={axis}")
    shown = set(curves.equations)
    lines = []
    if len(shown) == 1:
        options.append(f"--equation {curves.equations[0]}")
    elif shown != set(_SWEEP_DEFAULT):
        options.append("--equation all")
        if len(shown) < len(EQUATION_LABELS):
            lines.append(
                f"# computes all four equations; the page shows {', '.join(curves.equations)}"
            )
    options.append(f"--out {out}")
    lines.append("qheat sweep " + " ".join(options))
    return "\n".join(lines)


def python_snippet(model: Model, curves: Curves) -> str:
    """Python that recomputes these curves with :func:`qheat.solve` (one batched solve each)."""
    classes = {
        "br": "BlochRedfield",
        "lindblad": "GlobalLindblad",
        "local": "LocalLindblad",
        "ule": "UniversalLindblad",
    }
    values = ", ".join(f"{k}={_number(v)}" for k, v in curves.params.items())
    lines = ["import numpy as np", "import qheat"]
    if not isinstance(model, PaperModel):
        lines += [
            "from qheat.devices import load_device",
            "",
            f"device = load_device({model.source!r})",
        ]
    lines += [
        "",
        f"p = dict({values})",
        (
            f"p[{curves.axis!r}] = np.linspace({_number(curves.x[0])}, "
            f"{_number(curves.x[-1])}, {curves.x.size})  # the swept axis"
        ),
    ]
    if isinstance(model, PaperModel):
        lines += ["dt = p.pop('dt')", "system = qheat.paper_system(t1=p['t2'] + dt, **p)"]
    else:
        lines += ["system = device.system(**p)"]
    equations = ", ".join(f"{eq!r}: qheat.{classes[eq]}()" for eq in curves.equations)
    lines += [
        f"equations = {{{equations}}}",
        "# J[name][:, j]: heat current from bath j into the system along the axis",
        "J = {name: qheat.solve(system, eq).currents for name, eq in equations.items()}",
    ]
    return "\n".join(lines)
