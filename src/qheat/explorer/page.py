"""The explorer's page: Panel widgets around Bokeh figures, one :class:`Explorer` per session.

Every change of a parameter, of the swept axis or of the equations recomputes the curves
(:func:`~qheat.explorer.curves.compute_curves`, batched solves within the visitor's memory
budget, :mod:`~qheat.explorer.budget`) and updates the figures' data sources in one message.
Bad input is refused by the model's own checks (:class:`~qheat.errors.InvalidParameterError`),
a value that is not a number by the slider itself (:class:`~qheat.explorer.widgets.FiniteSlider`);
the message is shown in an alert and the page keeps the last valid curves until the next valid
input. Where a curve leaves weak coupling (docs/trust.md) the plot shades the axis (light: the
weak-coupling ratio above the notice level, dark: above the warning level) and marks the points
where heat flows from cold to hot; the read-out gives the ratio along each curve and at the
chosen point. The toggle "noise and TUR ratio" (off by default: it costs about 1.3 times the
solve) adds the zero-frequency noise of each current and its thermodynamic uncertainty ratio
in two plots of their own under the current's (docs/fluctuations.md); the NDTC map can be
coloured by the noise or the TUR ratio too (:data:`~qheat.explorer.ndtc_plane.COLOURS`).
"""

from __future__ import annotations

import asyncio
import io
import math
import time
from typing import Any

import numpy as np
import panel as pn
from bokeh.models import ColumnDataSource, HoverTool, LinearColorMapper
from bokeh.models.annotations import ColorBar, Legend, LegendItem, Span, Title
from bokeh.models.ranges import DataRange1d, FactorRange, Range1d
from bokeh.palettes import Viridis256
from bokeh.plotting import figure
from numpy.typing import NDArray

from ..errors import InvalidParameterError
from ..steady.validity import WEAK_COUPLING_NOTICE, WEAK_COUPLING_WARN, weak_coupling_notice
from .budget import DEFAULT_BUDGET, batch_points, format_bytes
from .curves import (
    EQUATION_LABELS,
    EQUATIONS,
    Axis,
    Curves,
    compute_curves,
    describe,
    strips,
)
from .export import (
    COLORS,
    DASHES,
    figure_png,
    netcdf_bytes,
    python_snippet,
    sweep_command,
)
from .models import Model, Parameter
from .ndtc_plane import COLOURS, NDTCPlane, compute_plane
from .widgets import FiniteSlider

__all__ = ["Explorer", "default_points"]

DEFAULT_POINTS = 300
"""Points along the swept axis, fewer for a device whose points do not fit one batch
(:func:`default_points`)."""
MAP_DEFAULTS = {"x": ("g", 0.05, 2.0), "y": ("gamma1", 0.005, 0.1)}
"""The NDTC map's default plane for the paper's model (each ``name, start, stop``)."""

_CSS = """
.qheat-readout table {border-collapse: collapse; font-size: 13px;}
.qheat-readout td, .qheat-readout th {padding: 2px 8px; border-bottom: 1px solid #ddd;}
"""


class Explorer:
    """One session of the explorer: its widgets, figures and the last valid curves.

    Args:
        model: the paper's model or a device's (:func:`~qheat.explorer.models.load_model`).
        axis: the swept parameter (default ``dt`` if the model has it, else the first whose
            name starts with ``t``, a temperature by the device files' habit, else the first).
        equations: the equations shown first.
        memory_budget: bytes this page may hold in solves; the curves and an NDTC map get
            half each (:mod:`~qheat.explorer.budget`).
        values: parameter values overriding the model's defaults (a value that is not a
            finite number is refused on the page, the default kept).
    """

    def __init__(
        self,
        model: Model,
        axis: str | None = None,
        equations: tuple[str, ...] = ("br", "lindblad"),
        memory_budget: int = DEFAULT_BUDGET,
        **values: float,
    ) -> None:
        self.model = model
        self.parameters: dict[str, Parameter] = {p.name: p for p in model.parameters}
        names = list(self.parameters)
        self.curves: Curves | None = None
        probe = model.system()
        self.dim, self.n_baths = probe.dim, len(probe.baths)
        self.budget = int(memory_budget)
        self.plane: NDTCPlane | None = None
        refused = [
            f"{k} = {v!r} is not a finite number; the default {self.parameters[k].default:g} "
            "is used"
            for k, v in values.items()
            if k in self.parameters and not _finite(v)
        ]
        self.sliders = {
            p.name: FiniteSlider(
                label=p.label or p.name,
                start=p.low,
                end=p.high,
                step=p.step,
                value=float(values[p.name]) if _finite(values.get(p.name)) else p.default,
                width=290,
                css_classes=[f"qheat-param-{p.name}"],
                on_refused=self._refuse,
            )
            for p in model.parameters
        }
        temperatures = [n for n in names if n == "dt"] + [n for n in names if n.startswith("t")]
        first = axis or (temperatures + names)[0]
        self.axis = pn.widgets.Select(
            label="swept parameter", options=names, value=first, width=140
        )
        self.axis_start = pn.widgets.FloatInput(
            label="from", width=90, css_classes=["qheat-axis-start"]
        )
        self.axis_stop = pn.widgets.FloatInput(
            label="to", width=90, css_classes=["qheat-axis-stop"]
        )
        self.axis_num = pn.widgets.IntInput(
            label="points",
            value=default_points(self.dim, self.n_baths, equations, self.budget // 2),
            width=90,
        )
        self.equations = pn.widgets.CheckButtonGroup(
            label="equations",
            options={EQUATION_LABELS[e]: e for e in EQUATIONS},
            value=list(equations),
            color="default",
            width=300,
        )
        baths = list(model.bath_names)
        self.bath = pn.widgets.Select(
            label="read out the current of bath", options=baths, value=baths[0], width=140
        )
        self.noise_toggle = pn.widgets.Checkbox(
            label="noise and TUR ratio (about 1.3x the solve time)",
            value=False,
            css_classes=["qheat-noise-toggle"],
            width=300,
        )
        self.point = pn.widgets.FloatSlider(
            label="steady state at",
            start=0.0,
            end=1.0,
            value=0.5,
            width=300,
            css_classes=["qheat-point"],
        )
        self.state_equation = pn.widgets.Select(
            label="|rho_ab| of",
            options=list(equations),
            value=equations[0] if equations else "br",
            width=120,
        )
        self.error = pn.pane.Alert(
            "",
            alert_type="danger",
            visible=False,
            css_classes=["qheat-error"],
            sizing_mode="stretch_width",
        )
        self.notice = pn.pane.Alert(
            "",
            alert_type="warning",
            visible=False,
            css_classes=["qheat-warning"],
            sizing_mode="stretch_width",
        )
        # fixed sizes: new text does not make the browser lay the page out again
        self.readout = pn.pane.HTML(
            "", css_classes=["qheat-readout"], stylesheets=[_CSS], width=760, height=130
        )
        self.timing = pn.pane.HTML("", css_classes=["qheat-timing"], width=560, height=40)
        self.validity = pn.pane.HTML("", css_classes=["qheat-validity"], width=420, height=60)
        self._set_axis_range(first)
        self._build_current_figure()
        self._build_fluctuation_figures()
        self._build_state_figures()
        self._build_map()
        self._build_export()
        for slider in self.sliders.values():
            slider.param.watch(self._on_change, "value")
        for widget in (
            self.axis_start,
            self.axis_stop,
            self.axis_num,
            self.equations,
            self.bath,
            self.noise_toggle,
        ):
            widget.param.watch(self._on_change, "value")
        self.axis.param.watch(self._on_axis, "value")
        self.point.param.watch(self._on_point, "value")
        self.state_equation.param.watch(self._on_point, "value")
        self._point_refused = False
        self.layout = self._layout()
        self.update()
        if refused:
            self._refuse("; ".join(refused))

    # --- widgets and figures -------------------------------------------------------------

    def _set_axis_range(self, name: str) -> None:
        p = self.parameters[name]
        self.axis_start.value, self.axis_stop.value = p.low, p.high
        for key, slider in self.sliders.items():
            slider.disabled = key == name
        self.point.label = f"steady state at {name}"
        here = float(self.sliders[name].value or p.default)
        self.point.param.update(start=p.low, end=p.high, value=min(max(here, p.low), p.high))

    def _build_current_figure(self) -> None:
        fig = figure(
            width=700,
            height=400,
            title="Heat current along the swept axis",
            tools="pan,box_zoom,wheel_zoom,reset,save,crosshair",
            x_axis_label=self.axis.value,
            y_axis_label="J (into the system)",
        )
        self.sources: dict[tuple[str, str], ColumnDataSource] = {}
        items = []
        for eq in EQUATIONS:
            for b, bath in enumerate(self.model.bath_names):
                source = ColumnDataSource({"x": [], "y": []}, name=f"J-{eq}-{bath}")
                line = fig.line(
                    "x",
                    "y",
                    source=source,
                    color=COLORS[eq],
                    line_width=2,
                    line_dash=DASHES[b % len(DASHES)],
                )
                self.sources[eq, bath] = source
                items.append(
                    _legend_item(f"{EQUATION_LABELS[eq]}, J{bath}", line, f"legend-{eq}-{bath}")
                )
        self.legend_items = {item.name: item for item in items}
        self.secular_source = ColumnDataSource(
            _markers({"x": [], "y": [], "color": [], "label": []}), name="secular-markers"
        )
        self.peak_source = ColumnDataSource(
            _markers({"x": [], "y": [], "color": [], "label": []}), name="peak-markers"
        )
        secular = fig.scatter(
            "x",
            "y",
            source=self.secular_source,
            marker="circle",
            size=13,
            line_color="color",
            fill_alpha=0.0,
            line_width=2,
        )
        peak = fig.scatter(
            "x",
            "y",
            source=self.peak_source,
            marker="diamond",
            size=15,
            fill_color="color",
            line_color="black",
        )
        self.notice_source = ColumnDataSource({"x0": [], "x1": []}, name="weak-notice")
        self.strong_source = ColumnDataSource({"x0": [], "x1": []}, name="weak-strong")
        self.broken_source = ColumnDataSource(
            _markers({"x": [], "y": [], "color": [], "label": []}), name="second-law-markers"
        )
        notice = fig.vstrip(
            x0="x0",
            x1="x1",
            source=self.notice_source,
            fill_color="#f2c14e",
            fill_alpha=0.18,
            line_color=None,
            level="underlay",
        )
        strong = fig.vstrip(
            x0="x0",
            x1="x1",
            source=self.strong_source,
            fill_color="#7f7f7f",
            fill_alpha=0.3,
            line_color=None,
            level="underlay",
        )
        broken = fig.scatter(
            "x",
            "y",
            source=self.broken_source,
            marker="inverted_triangle",
            size=7,
            fill_color="color",
            line_color="black",
            line_width=0.5,
        )
        fig.add_tools(HoverTool(renderers=[secular, peak, broken], tooltips=[("", "@label")]))
        items.append(_legend_item("secular ratio > 1 from here", secular))
        items.append(_legend_item("peak (interior maximum)", peak))
        items.append(_legend_item(f"weak-coupling ratio > {WEAK_COUPLING_NOTICE:g}", notice))
        items.append(_legend_item(f"ratio > {WEAK_COUPLING_WARN:g}: outside weak coupling", strong))
        items.append(_legend_item("heat from cold to hot (2nd law broken)", broken))
        legend = Legend(
            items=items, location="top_right", label_text_font_size="9pt", click_policy="hide"
        )
        fig.add_layout(legend, "right")
        self.point_span = Span(
            location=0.0, dimension="height", line_color="gray", line_dash="dotted"
        )
        fig.add_layout(self.point_span)
        self.current_figure = fig

    def _build_fluctuation_figures(self) -> None:
        """The noise ``c2`` and the TUR ratio of every current, on the current's x range (shown
        with the toggle)."""
        self.fluctuation_sources: dict[tuple[str, str, str], ColumnDataSource] = {}
        figures = []
        for kind, title, label in (
            ("noise", "Zero-frequency noise of the heat current\n ", "noise c2 (energy^2/time)"),
            ("tur", "TUR ratio Q = c2 sigma / c1^2 (dashed: Q = 2)\nsmallest Q: not computed", "Q"),
        ):
            fig = figure(
                width=430,
                height=300,
                title=title,
                tools="pan,box_zoom,wheel_zoom,reset,save,hover",
                tooltips=[(self.axis.value, "$x"), (label, "$y")],
                x_range=self.current_figure.x_range,
                x_axis_label=self.axis.value,
                y_axis_label=label,
            )
            for eq in EQUATIONS:
                for b, bath in enumerate(self.model.bath_names):
                    source = ColumnDataSource({"x": [], "y": []}, name=f"{kind}-{eq}-{bath}")
                    fig.line(
                        "x",
                        "y",
                        source=source,
                        color=COLORS[eq],
                        line_width=2,
                        line_dash=DASHES[b % len(DASHES)],
                    )
                    self.fluctuation_sources[kind, eq, bath] = source
            figures.append(fig)
        self.noise_figure, self.tur_figure = figures
        self.tur_figure.add_layout(
            Span(location=2.0, dimension="width", line_color="black", line_dash="dashed")
        )
        self.tur_range = Range1d(start=1.5, end=2.5)
        self.tur_figure.y_range = self.tur_range
        self.fluctuation_row = pn.Row(
            self.noise_figure, self.tur_figure, visible=False, css_classes=["qheat-noise"]
        )

    def _build_state_figures(self) -> None:
        states = [f"|{k + 1}>" for k in range(self.dim)]
        self.population_range = FactorRange(factors=[(s, "br") for s in states])
        pops = figure(
            width=420,
            height=240,
            title="Populations rho_kk",
            toolbar_location="above",
            x_range=self.population_range,
            y_range=DataRange1d(start=0.0),
            tools="hover,save",
            tooltips=[("state, equation", "@x"), ("rho_kk", "@top")],
            y_axis_label="rho_kk",
        )
        self.population_source = ColumnDataSource(
            {"x": [], "top": [], "color": []}, name="populations"
        )
        pops.vbar(
            x="x",
            top="top",
            width=0.9,
            source=self.population_source,
            fill_color="color",
            line_color=None,
        )
        pops.xaxis.major_label_orientation = 1.0
        self.population_figure = pops

        self.rho_columns = FactorRange(factors=states)
        self.rho_rows = FactorRange(factors=states[::-1])
        self.rho_mapper = LinearColorMapper(palette=Viridis256, low=-8.0, high=0.0)
        rho = figure(
            width=420,
            height=330,
            title="|rho_ab| in the eigenbasis (log10 colour)",
            toolbar_location="above",
            x_range=self.rho_columns,
            y_range=self.rho_rows,
            tools="hover,save",
            tooltips=[("row, col", "@row, @col"), ("|rho|", "@value")],
        )
        self.rho_source = ColumnDataSource(
            {"row": [], "col": [], "value": [], "log": [], "label": []}, name="rho"
        )
        rho.rect(
            "col",
            "row",
            width=1.0,
            height=1.0,
            source=self.rho_source,
            fill_color={"field": "log", "transform": self.rho_mapper},
            line_color="white",
        )
        rho.text(
            "col",
            "row",
            text="label",
            source=self.rho_source,
            text_align="center",
            text_baseline="middle",
            text_color="white",
            text_font_size="9pt",
        )
        rho.add_layout(
            ColorBar(color_mapper=self.rho_mapper, title="log10 |rho_ab|", width=10), "right"
        )
        self.rho_figure = rho

    def _build_map(self) -> None:
        names = list(self.parameters)
        x_default, y_default = (MAP_DEFAULTS[k] for k in ("x", "y"))
        if not {x_default[0], y_default[0]} <= set(names):
            x_default = (names[0], self.parameters[names[0]].low, self.parameters[names[0]].high)
            second = names[1] if len(names) > 1 else names[0]
            y_default = (second, self.parameters[second].low, self.parameters[second].high)
        self.map_x = pn.widgets.Select(label="map x", options=names, value=x_default[0], width=110)
        self.map_x_start = pn.widgets.FloatInput(label="from", value=x_default[1], width=80)
        self.map_x_stop = pn.widgets.FloatInput(label="to", value=x_default[2], width=80)
        self.map_y = pn.widgets.Select(label="map y", options=names, value=y_default[0], width=110)
        self.map_y_start = pn.widgets.FloatInput(label="from", value=y_default[1], width=80)
        self.map_y_stop = pn.widgets.FloatInput(label="to", value=y_default[2], width=80)
        self.map_n = pn.widgets.IntInput(
            label="grid n x n", value=40, start=3, width=80, css_classes=["qheat-map-n"]
        )
        self.map_points = pn.widgets.IntInput(
            label="points per curve", value=60, start=3, width=110, css_classes=["qheat-map-points"]
        )
        self.map_equation = pn.widgets.Select(
            label="equation", options=list(EQUATIONS), value="br", width=100
        )
        self.map_colour = pn.widgets.Select(
            label="colour",
            options={
                "peak position": "peak",
                "noise at the peak": "noise_peak",
                "TUR ratio at the peak": "tur_peak",
                "smallest TUR ratio": "tur_min",
            },
            value="peak",
            width=170,
            css_classes=["qheat-map-colour"],
        )
        self.map_colour.param.watch(self._on_map_colour, "value")
        self.map_button = pn.widgets.Button(
            label="Compute NDTC map", color="primary", width=170, css_classes=["qheat-map-button"]
        )
        self.map_button.on_click(self._on_map)
        self.map_status = pn.pane.HTML(
            "Press the button: each point of the plane is a curve along the swept axis.",
            css_classes=["qheat-map-status"],
            width=420,
        )
        self.map_mapper = LinearColorMapper(palette=Viridis256, nan_color="#d9d9d9")
        self.map_x_range = Range1d(start=x_default[1], end=x_default[2])
        self.map_y_range = Range1d(start=y_default[1], end=y_default[2])
        fig = figure(
            width=600,
            height=460,
            title="NDTC map: where the current peaks",
            toolbar_location="right",
            x_range=self.map_x_range,
            y_range=self.map_y_range,
            x_axis_label=x_default[0],
            y_axis_label=y_default[0],
            tools="hover,pan,wheel_zoom,reset,save",
            tooltips=[("x, y", "$x, $y"), ("colour", "@image")],
        )
        self.map_source = ColumnDataSource(
            {"image": [], "x": [], "y": [], "dw": [], "dh": []}, name="ndtc-map"
        )
        cells = fig.image(image="image", x="x", y="y", dw="dw", dh="dh", source=self.map_source)
        cells.glyph.color_mapper = self.map_mapper
        self.map_outside = ColumnDataSource(
            {"x": [], "y": [], "w": [], "h": [], "hatch": []}, name="map-outside"
        )
        fig.rect(
            "x",
            "y",
            width="w",
            height="h",
            source=self.map_outside,
            fill_alpha=0.0,
            line_color=None,
            hatch_pattern="hatch",
            hatch_color="white",
            hatch_alpha=0.9,
            hatch_scale=8.0,
        )
        self.map_here = ColumnDataSource({"x": [], "y": []}, name="map-here")
        fig.scatter(
            "x", "y", source=self.map_here, marker="cross", size=16, color="red", line_width=3
        )
        self.map_colorbar = ColorBar(
            color_mapper=self.map_mapper,
            title=COLOURS["peak"],
            orientation="horizontal",
            height=10,
            padding=16,  # room for the tick labels inside the bar's frame
        )
        fig.add_layout(self.map_colorbar, "below")
        self.map_figure = fig

    def _build_export(self) -> None:
        self.png_download = pn.widgets.FileDownload(
            callback=lambda: io.BytesIO(figure_png(self._require_curves())),
            filename="explorer.png",
            label="PNG of the curves",
            color="default",
            width=200,
        )
        self.nc_download = pn.widgets.FileDownload(
            callback=lambda: io.BytesIO(netcdf_bytes(self._require_curves())),
            filename="explorer.nc",
            label="netCDF of the data",
            color="default",
            width=200,
        )
        self.command = pn.widgets.TextAreaInput(
            label="qheat sweep command",
            height=90,
            sizing_mode="stretch_width",
            css_classes=["qheat-command"],
        )
        self.snippet = pn.widgets.TextAreaInput(
            label="Python", height=230, sizing_mode="stretch_width", css_classes=["qheat-snippet"]
        )

    def _require_curves(self) -> Curves:
        if self.curves is None:
            raise RuntimeError("no valid curves to export yet")
        return self.curves

    def _layout(self) -> pn.viewable.Viewable:
        sidebar = pn.Column(
            pn.pane.Markdown(
                "### Parameters"
                + ("" if self.model.source is None else f" of `{self.model.source}`")
            ),
            *self.sliders.values(),
            pn.pane.Markdown("### Swept axis"),
            pn.Row(self.axis, self.axis_num),
            pn.Row(self.axis_start, self.axis_stop),
            pn.pane.Markdown("### Equations"),
            self.equations,
            self.bath,
            self.noise_toggle,
            width=345,
        )
        title = (
            "paper's model (Eq. 1, Drude baths)" if self.model.source is None else self.model.source
        )
        main = pn.Column(
            pn.pane.Markdown(f"## qheat explorer: {title}. Units: hbar = kB = 1"),
            self.error,
            self.notice,
            pn.Row(
                self.current_figure,
                pn.Column(
                    pn.Row(self.point, self.state_equation),
                    self.validity,
                    self.population_figure,
                    self.rho_figure,
                ),
            ),
            self.fluctuation_row,
            self.readout,
            self.timing,
            pn.pane.Markdown("### NDTC map over two parameters"),
            pn.Row(
                self.map_x,
                self.map_x_start,
                self.map_x_stop,
                self.map_y,
                self.map_y_start,
                self.map_y_stop,
            ),
            pn.Row(
                self.map_n, self.map_points, self.map_equation, self.map_colour, self.map_button
            ),
            pn.Row(self.map_figure, self.map_status),
            pn.pane.Markdown("### Export what is on screen"),
            pn.Row(self.png_download, self.nc_download),
            self.command,
            self.snippet,
        )
        return pn.Row(sidebar, main)

    # --- callbacks -------------------------------------------------------------------------

    def _on_axis(self, event: Any) -> None:
        self._set_axis_range(event.new)
        self.update()

    def _on_change(self, _: Any) -> None:
        self.update()

    def _on_point(self, _: Any) -> None:
        """Redraw the steady state; a point that is not a number is refused on the page (and
        its message cleared by the next valid point)."""
        try:
            self._draw_state()
        except ValueError as exc:
            self._refuse(str(exc))
            self._point_refused = True
            return
        if self._point_refused:
            self.error.visible = self._point_refused = False

    def _refuse(self, message: str) -> None:
        """Show why a value was refused (the page keeps its last valid curves)."""
        self.error.object = f"**Not updated:** {message}"
        self.error.visible = True

    def values(self) -> dict[str, float]:
        """The parameters as the sliders hold them."""
        return {name: _number(slider, name) for name, slider in self.sliders.items()}

    def update(self) -> None:
        """Recompute the curves and redraw; on bad input show the message and keep the last."""
        started = time.perf_counter()
        try:
            axis = Axis(
                self.axis.value,
                _number(self.axis_start, "from"),
                _number(self.axis_stop, "to"),
                int(_number(self.axis_num, "points")),
            )
            curves = compute_curves(
                self.model,
                self.values(),
                axis,
                tuple(self.equations.value),
                self.budget // 2,
                noise=bool(self.noise_toggle.value),
            )
        except ValueError as exc:  # qheat's errors are ValueErrors
            self.error.object = f"**Not updated:** {exc}"
            self.error.visible = True
            return
        with pn.io.hold():
            self.error.visible = False
            self.curves = curves
            self._draw_curves(curves)
            self._draw_state()
            self.command.value = sweep_command(self.model, curves)
            self.snippet.value = python_snippet(self.model, curves)
            elapsed = time.perf_counter() - started
            self.timing.object = (
                f"<b>update {1e3 * elapsed:.0f} ms</b> (solve and analysis "
                f"{1e3 * curves.seconds:.0f} ms) for {curves.x.size} points x "
                f"{len(curves.equations)} equation(s)"
                f"{' with noise and TUR ratio' if curves.noise is not None else ''}, in batches "
                f"of {curves.batch} "
                f"(memory budget {format_bytes(self.budget // 2)})"
            )
        self.last_update_seconds = elapsed

    def _draw_curves(self, curves: Curves) -> None:
        self.current_figure.xaxis.axis_label = self.parameters[curves.axis].label or curves.axis
        unit = f" [{curves.current_unit}]" if curves.current_unit else ""
        self.current_figure.yaxis.axis_label = f"J{unit} (into the system)"
        shown = set(curves.equations)
        for (eq, bath), source in self.sources.items():
            if eq in shown:
                e, b = curves.equations.index(eq), curves.bath_names.index(bath)
                source.data = {"x": curves.x, "y": curves.J[e, b]}
            else:
                source.data = {"x": [], "y": []}
            self.legend_items[f"legend-{eq}-{bath}"].visible = eq in shown
        secular: dict[str, list[Any]] = {"x": [], "y": [], "color": [], "label": []}
        peaks: dict[str, list[Any]] = {"x": [], "y": [], "color": [], "label": []}
        rows = []
        bath = self.bath.value
        for e, eq in enumerate(curves.equations):
            index = curves.secular_index(eq)
            for b in range(len(curves.bath_names)):
                if index is not None:
                    secular["x"].append(curves.x[index])
                    secular["y"].append(curves.J[e, b, index])
                    secular["color"].append(COLORS[eq])
                    secular["label"].append(
                        f"{EQUATION_LABELS[eq]}: secular ratio > 1 from "
                        f"{curves.axis} = {curves.x[index]:.4g}"
                    )
            info = describe(curves, eq, bath)
            if np.isfinite(info["peak"]):
                peaks["x"].append(info["peak"])
                peaks["y"].append(info["J_peak"])
                peaks["color"].append(COLORS[eq])
                peaks["label"].append(
                    f"{EQUATION_LABELS[eq]}: peak J{bath} = "
                    f"{info['J_peak']:.5g} at {curves.axis} = {info['peak']:.4g}"
                )
            rows.append(self._readout_row(curves, eq, bath, info))
        self.secular_source.data = _markers(secular)
        self.peak_source.data = _markers(peaks)
        self._draw_fluctuations(curves)
        self._draw_validity(curves)
        self.readout.object = (
            f"<table><tr><th>equation</th><th>peak of J{bath} (before it falls)</th>"
            "<th>NDTC</th><th>secular validity</th><th>weak coupling</th></tr>"
            + "".join(rows)
            + "</table>"
        )
        others = [w for w in curves.warnings if not w.startswith("SecularityWarning")]
        self.notice.object = "<br>".join(others)
        self.notice.visible = bool(others)
        if list(self.state_equation.options) != list(curves.equations):
            self.state_equation.options = list(curves.equations)
        if self.state_equation.value not in curves.equations:
            self.state_equation.value = curves.equations[0]
        low, high = float(curves.x[0]), float(curves.x[-1])
        value = min(max(_number(self.point, "steady state at"), low), high)
        step = (high - low) / (curves.x.size - 1)
        if (self.point.start, self.point.end, self.point.step) != (low, high, step):
            self.point.param.update(start=low, end=high, value=value, step=step)

    def _draw_fluctuations(self, curves: Curves) -> None:
        """The noise and TUR curves (empty without the toggle), the TUR plot's title the
        smallest ratio of the read-out bath's curves."""
        shown = set(curves.equations)
        for (kind, eq, bath), source in self.fluctuation_sources.items():
            values = curves.noise if kind == "noise" else curves.tur_ratio
            if values is None or eq not in shown:
                source.data = {"x": [], "y": []}
                continue
            e, b = curves.equations.index(eq), curves.bath_names.index(bath)
            source.data = {"x": curves.x, "y": values[e, b]}
        self.fluctuation_row.visible = curves.noise is not None
        for fig in (self.noise_figure, self.tur_figure):
            fig.xaxis.axis_label = self.parameters[curves.axis].label or curves.axis
        noise_unit = "J^2/s" if curves.current_unit else "energy^2/time"
        self.noise_figure.yaxis.axis_label = f"noise c2 ({noise_unit})"
        if curves.noise is None:
            return
        bath = self.bath.value
        parts = []
        for eq in curves.equations:
            found = curves.tur_minimum(eq, bath)
            if found is not None:
                q, where = found
                parts.append(f"{eq} {q:.4g} at {where:.4g}")
        _retitle(
            self.tur_figure,
            f"TUR ratio (dashed: Q = 2); smallest Q{bath}:\n" + ("; ".join(parts) or "none"),
        )
        assert curves.tur_ratio is not None
        self.tur_range.update(**_tur_window(curves.tur_ratio))

    def _draw_validity(self, curves: Curves) -> None:
        """Shade where the weak-coupling ratio exceeds the notice and the warning levels (a
        property of the system: the first equation's), mark the points breaking the second law."""
        ratio = curves.weak_coupling_ratio[0]
        notice = (ratio > WEAK_COUPLING_NOTICE) & (ratio <= WEAK_COUPLING_WARN)
        self.notice_source.data = strips(curves.x, notice)
        self.strong_source.data = strips(curves.x, ratio > WEAK_COUPLING_WARN)
        broken: dict[str, list[Any]] = {"x": [], "y": [], "color": [], "label": []}
        for e, eq in enumerate(curves.equations):
            for i in np.flatnonzero(curves.broken(eq)):
                for b, name in enumerate(curves.bath_names):
                    broken["x"].append(float(curves.x[i]))
                    broken["y"].append(float(curves.J[e, b, i]))
                    broken["color"].append(COLORS[eq])
                    broken["label"].append(
                        f"{EQUATION_LABELS[eq]}: heat flows from cold to hot at {curves.axis} = "
                        f"{curves.x[i]:.4g} (entropy production "
                        f"{curves.entropy_production[e, i]:.3g} < 0), J{name} not physics"
                    )
        self.broken_source.data = _markers(broken)

    @staticmethod
    def _readout_row(curves: Curves, eq: str, bath: str, info: dict[str, Any]) -> str:
        axis = curves.axis
        unit = f" {curves.current_unit}" if curves.current_unit else ""
        if np.isfinite(info["peak"]):
            peak = f"J{bath} = {info['J_peak']:.5g}{unit} at {axis} = {info['peak']:.4g}"
        else:
            peak = "none (no interior maximum)"
        if curves.secular_ratio[curves.equations.index(eq)].size and np.all(
            np.isnan(curves.secular_ratio[curves.equations.index(eq)])
        ):
            secular = "not a secular equation"
        elif info["secular_from"] is None:
            secular = "secular ratio <= 1 throughout"
        else:
            secular = f"secular ratio > 1 from {axis} = {info['secular_from']:.4g}"
        color = COLORS[eq]
        return (
            f"<tr><td style='color:{color}'><b>{EQUATION_LABELS[eq]}</b></td><td>{peak}</td>"
            f"<td>{'yes' if info['ndtc'] else 'no'}</td><td>{secular}</td>"
            f"<td>{_weak_readout(axis, info)}</td></tr>"
        )

    def _draw_state(self) -> None:
        curves = self.curves
        if curves is None:
            return
        index = curves.nearest(_number(self.point, "steady state at"))
        self.point_span.location = float(curves.x[index])
        self.validity.object = _point_validity(curves, index)
        d = curves.rho.shape[-1]
        states = [f"|{k + 1}>" for k in range(d)]
        factors = [(s, eq) for s in states for eq in curves.equations]
        self.population_range.factors = factors
        levels = ", ".join(f"{e:.3g}" for e in curves.energies[index])
        _retitle(self.population_figure, f"Populations rho_kk at E_k = {levels}")
        self.population_source.data = {
            "x": factors,
            "top": [
                curves.rho[curves.equations.index(eq), index, k, k].real
                for k in range(d)
                for eq in curves.equations
            ],
            "color": [COLORS[eq] for _ in range(d) for eq in curves.equations],
        }
        eq = (
            self.state_equation.value
            if self.state_equation.value in curves.equations
            else curves.equations[0]
        )
        rho = np.abs(curves.rho[curves.equations.index(eq), index])
        rows = [states[a] for a in range(d) for b in range(d)]
        cols = [states[b] for a in range(d) for b in range(d)]
        values = [float(rho[a, b]) for a in range(d) for b in range(d)]
        self.rho_columns.factors = states
        self.rho_rows.factors = states[::-1]
        _retitle(
            self.rho_figure,
            f"|rho_ab| ({EQUATION_LABELS[eq]}) at {curves.axis} = "
            f"{curves.x[index]:.4g}, eigenbasis",
        )
        self.rho_source.data = {
            "row": rows,
            "col": cols,
            "value": values,
            "log": [float(np.log10(max(v, 1e-300))) for v in values],
            "label": [f"{v:.2g}" if v >= 1e-12 else "0" for v in values],
        }

    async def _on_map(self, _: Any) -> None:
        names = (self.map_x.value, self.map_y.value)
        self.map_button.disabled = True
        self.map_status.object = f"computing the NDTC map over {names[0]} x {names[1]}..."
        try:
            n = int(_number(self.map_n, "grid n x n"))
            axis = Axis(
                self.axis.value,
                _number(self.axis_start, "from"),
                _number(self.axis_stop, "to"),
                int(_number(self.map_points, "points")),
            )
            x = Axis(
                names[0],
                _number(self.map_x_start, "map x from"),
                _number(self.map_x_stop, "map x to"),
                n,
            )
            y = Axis(
                names[1],
                _number(self.map_y_start, "map y from"),
                _number(self.map_y_stop, "map y to"),
                n,
            )
            loop = asyncio.get_running_loop()
            plane = await loop.run_in_executor(
                None,
                lambda: compute_plane(
                    self.model,
                    self.values(),
                    axis,
                    x,
                    y,
                    self.map_equation.value,
                    self.bath.value,
                    budget=self.budget // 2,
                    noise=self.map_colour.value != "peak",
                ),
            )
        except ValueError as exc:
            self.map_status.object = ""
            self.error.object = f"**NDTC map not computed:** {exc}"
            self.error.visible = True
            return
        finally:
            self.map_button.disabled = False
        self.error.visible = False
        self.draw_plane(plane)

    def _on_map_colour(self, _: Any) -> None:
        """Recolour the map if it has the chosen quantity, else say how to get it."""
        if self.plane is not None and self.plane.colour(self.map_colour.value) is not None:
            self.draw_plane(self.plane)
        elif self.plane is not None:
            self.map_status.object = (
                "This colour needs the noise: press <b>Compute NDTC map</b> (about 1.3x the "
                "time of the map)."
            )

    def draw_plane(self, plane: NDTCPlane) -> None:
        """Show an NDTC map: colour = where the current peaks along the swept axis, or the
        noise or TUR ratio chosen (:data:`~qheat.explorer.ndtc_plane.COLOURS`)."""
        self.plane = plane
        dx = float(plane.x[1] - plane.x[0]) if plane.x.size > 1 else 1.0
        dy = float(plane.y[1] - plane.y[0]) if plane.y.size > 1 else 1.0
        key = self.map_colour.value if plane.colour(self.map_colour.value) is not None else "peak"
        image = plane.colour(key)
        assert image is not None
        finite = image[np.isfinite(image)]
        with pn.io.hold():
            if finite.size:
                self.map_mapper.low, self.map_mapper.high = float(finite.min()), float(finite.max())
            self.map_colorbar.title = COLOURS[key]
            self.map_source.data = {  # cells centred on the grid points
                "image": [image],
                "x": [float(plane.x[0] - dx / 2)],
                "y": [float(plane.y[0] - dy / 2)],
                "dw": [float(plane.x[-1] - plane.x[0] + dx)],
                "dh": [float(plane.y[-1] - plane.y[0] + dy)],
            }
            self.map_outside.data = _outside_cells(plane, dx, dy)
            here = self.values()
            self.map_here.data = {"x": [here[plane.x_name]], "y": [here[plane.y_name]]}
            self.map_x_range.update(
                start=float(plane.x[0] - dx / 2), end=float(plane.x[-1] + dx / 2)
            )
            self.map_y_range.update(
                start=float(plane.y[0] - dy / 2), end=float(plane.y[-1] + dy / 2)
            )
            self.map_figure.xaxis.axis_label = plane.x_name
            self.map_figure.yaxis.axis_label = plane.y_name
            what = {
                "peak": f"{plane.axis} at the peak",
                "noise_peak": f"noise of J{plane.bath} at the peak",
                "tur_peak": f"TUR ratio Q{plane.bath} at the peak",
                "tur_min": f"smallest Q{plane.bath} along {plane.axis}",
            }[key]
            _retitle(
                self.map_figure,
                f"NDTC map of J{plane.bath} ({EQUATION_LABELS[plane.equation]}): colour = {what}",
            )
            share = 100.0 * float(np.mean(plane.ndtc))
            outside = 100.0 * float(np.mean(plane.outside))
            self.map_status.object = (
                f"{plane.x.size} x {plane.y.size} points, {share:.0f}% with NDTC along "
                f"{plane.axis}; computed in {plane.seconds:.1f} s. Gray: no interior maximum. "
                "Red cross: the sliders' point.<br><b>Outside weak coupling: "
                f"{outside:.0f}% of the map</b> (hatched /: weak-coupling ratio > "
                f"{WEAK_COUPLING_WARN:g} along the curve; x: heat flows from cold to hot "
                "somewhere along it; docs/trust.md)."
            )
            if plane.tur_min is not None:
                below = 100.0 * float(np.mean(plane.tur_min < 2.0))
                self.map_status.object += (
                    f"<br><b>TUR violated</b> (Q{plane.bath} < 2 somewhere along the curve): "
                    f"{below:.0f}% of the map."
                )


def default_points(dim: int, n_baths: int, equations: tuple[str, ...], budget: int) -> int:
    """:data:`DEFAULT_POINTS`, or as many points as one batch of ``budget`` bytes holds for a
    large device (at least 3; a point beyond the budget is refused by the first update)."""
    try:
        batch = batch_points(dim, n_baths, equations or ("br",), budget)
    except InvalidParameterError:
        return DEFAULT_POINTS
    return max(3, min(DEFAULT_POINTS, batch))


def _tur_window(q: NDArray[np.float64]) -> dict[str, float]:
    """The TUR plot's y range: the bound 2, the smallest ratio and up to the 98th percentile,
    padded (a ratio that is large near equilibrium, where the mean current vanishes, stays out
    of the window; zoom out to see it)."""
    finite = q[np.isfinite(q)]
    low = min(float(finite.min()), 2.0) if finite.size else 2.0
    high = max(float(np.quantile(finite, 0.98)), 2.0) if finite.size else 2.0
    pad = max(0.05 * (high - low), 0.01)
    return {"start": low - pad, "end": high + pad}


def _finite(value: object) -> bool:
    """A real number that is neither NaN nor infinite."""
    return isinstance(value, (int, float)) and math.isfinite(value)


def _number(widget: Any, what: str) -> float:
    """A number input's value; an emptied field, NaN or an infinity is an
    :class:`InvalidParameterError`."""
    if widget.value is None:
        raise InvalidParameterError(f"the field '{what}' is empty; type a number")
    if not _finite(widget.value):
        raise InvalidParameterError(
            f"the field '{what}' must be a finite number, got {widget.value}"
        )
    return float(widget.value)


def _outside_cells(plane: NDTCPlane, dx: float, dy: float) -> dict[str, list[Any]]:
    """The map's cells outside weak coupling: hatch ``x`` where the second law is broken
    along the curve, ``/`` where only the weak-coupling ratio exceeds the warning level."""
    rows, cols = np.nonzero(plane.outside)
    return {
        "x": plane.x[cols].tolist(),
        "y": plane.y[rows].tolist(),
        "w": [dx] * cols.size,
        "h": [dy] * rows.size,
        "hatch": ["x" if plane.second_law_broken[r, c] else "/" for r, c in zip(rows, cols)],
    }


def _weak_readout(axis: str, info: dict[str, Any]) -> str:
    """The weak-coupling cell of the read-out table."""
    ratio = info["weak_coupling_max"]
    if ratio is None:
        text = "ratio not computed"
    elif info["weak_from"] is not None:
        text = f"ratio > {WEAK_COUPLING_WARN:g} from {axis} = {info['weak_from']:.4g}"
    elif ratio > WEAK_COUPLING_NOTICE:
        text = f"ratio up to {ratio:.3g} > {WEAK_COUPLING_NOTICE:g}"
    else:
        text = f"ratio <= {ratio:.3g}"
    if info["broken"]:
        text += f"; 2nd law broken at {info['broken']} points"
    return text


def _point_validity(curves: Curves, index: int) -> str:
    """The weak-coupling ratio and each equation's entropy production at one point."""
    ratio = float(curves.weak_coupling_ratio[0, index])
    broken = curves.second_law_broken[:, index]
    where = f"{curves.axis} = {curves.x[index]:.4g}"
    notice = weak_coupling_notice(ratio, bool(broken.any())) or (
        f"weak-coupling ratio {ratio:.3g}: weak coupling"
    )
    sigma = ", ".join(
        f"{eq} {curves.entropy_production[e, index]:.3g}" + (" (cold to hot)" if broken[e] else "")
        for e, eq in enumerate(curves.equations)
    )
    return f"<b>at {where}</b>: {notice}<br>entropy production sigma: {sigma}"


def _retitle(fig: Any, text: str) -> None:
    """Set a Bokeh figure's title text."""
    if isinstance(fig.title, Title):
        fig.title.text = text


def _markers(data: dict[str, list[Any]]) -> dict[str, list[Any]]:
    """Marker data coloured by its ``color`` column, a gray NaN point when it has none: Bokeh
    draws a legend key from the first row of such a column and fails on an empty one (a
    RangeError in the browser that stops every later update of the page)."""
    if data["x"]:
        return data
    return {"x": [math.nan], "y": [math.nan], "color": ["gray"], "label": [""]}


def _legend_item(label: str, renderer: Any, name: str | None = None) -> LegendItem:
    """A legend entry for one renderer."""
    return LegendItem(label=label, renderers=[renderer], name=name)
