"""The explorer at the edges of its zone: weak coupling shown, memory bounded, NaN refused.

Independent evidence:

* the weak-coupling ratio the page shows is recomputed here from its definition (docs/trust.md)
  with numpy alone: the eigenbasis of the paper's Hamiltonian, the Drude ``J(w)`` of Eq. 17 and
  ``G(w) = J(w)(n(w) + 1)``;
* the second law marks follow from the law itself: with two baths,
  ``sigma = J_1 (1/T_2 - 1/T_1)``, so heat flows from cold to hot exactly where the hot bath's
  current is negative (the local Lindblad equation near ``dT = 0``, docs/local-global.md);
* the memory one point needs is measured (``tracemalloc``) and compared with the estimate the
  batches are sized by; a device solved within a small budget stays within it, in batches,
  and equals one solve per point;
* a NaN arriving at a slider's number field (what a websocket message does) is refused with a
  message, where Panel's own slider recursed until ``RecursionError``.
"""

from __future__ import annotations

import math
import tracemalloc
import warnings
from pathlib import Path

import numpy as np
import pytest

import qheat
from qheat.errors import InvalidParameterError
from qheat.explorer.budget import batch_points, point_bytes
from qheat.explorer.curves import Axis, compute_curves, describe, strips
from qheat.explorer.export import figure_png, netcdf_bytes
from qheat.explorer.models import PaperModel, load_model
from qheat.explorer.ndtc_plane import compute_plane
from qheat.explorer.page import Explorer, default_points
from qheat.steady.validity import WEAK_COUPLING_NOTICE, WEAK_COUPLING_WARN
from trust_reference import paper_weak_coupling_ratio

FIG6 = {
    "eps1": 4.0,
    "eps2": 3.0,
    "g": 0.5,
    "gamma1": 0.03,
    "gamma2": 0.03,
    "omega_d": 50.0,
    "t2": 5.0,
    "dt": 50.0,
}
STRONG = {**FIG6, "gamma1": 0.3, "gamma2": 0.3}
"""Ten times the paper's coupling: the hot bath's memory ratio passes 0.5 along dT."""


def test_the_curves_carry_the_weak_coupling_ratio_of_its_definition() -> None:
    bias = Axis("dt", 0.0, 150.0, 31)
    curves = compute_curves(PaperModel(), STRONG, bias, ("br", "lindblad"))
    assert any(
        w.startswith("WeakCouplingWarning: br: outside weak coupling") for w in curves.warnings
    )
    for i in (0, 7, 30):
        want = paper_weak_coupling_ratio(4.0, 3.0, 0.5, 0.3, 50.0, 5.0 + curves.x[i], 5.0)
        np.testing.assert_allclose(curves.weak_coupling_ratio[:, i], want, rtol=1e-12)
    strong = curves.weak_coupling_ratio[0] > WEAK_COUPLING_WARN
    assert strong.any() and not strong.all()
    info = describe(curves, "br", "1")
    assert info["weak_from"] == curves.x[np.argmax(strong)]
    assert info["weak_coupling_max"] == pytest.approx(
        paper_weak_coupling_ratio(4, 3, 0.5, 0.3, 50, 155, 5)
    )
    # the shaded strips cover exactly the grid points above the warning level
    shaded = strips(curves.x, strong)
    inside = np.zeros(curves.x.size, dtype=bool)
    for x0, x1 in zip(shaded["x0"], shaded["x1"]):
        inside |= (curves.x >= x0) & (curves.x <= x1)
    np.testing.assert_array_equal(inside, strong)
    ds = curves.to_dataset()
    np.testing.assert_array_equal(ds["weak_coupling_ratio"].values, curves.weak_coupling_ratio)
    assert ds["weak_coupling_ratio"].attrs["warning_above"] == WEAK_COUPLING_WARN


def test_points_where_heat_flows_from_cold_to_hot_are_marked() -> None:
    bias = Axis("dt", 0.0, 4.0, 41)
    curves = compute_curves(PaperModel(), FIG6, bias, ("br", "local"))
    assert any("local approximation's validity" in w for w in curves.warnings)
    t1, t2 = 5.0 + curves.x, 5.0
    for e in range(2):  # the law with two baths: sigma = J1 (1/T2 - 1/T1)
        np.testing.assert_allclose(
            curves.entropy_production[e], curves.J[e, 0] * (1 / t2 - 1 / t1), atol=1e-15
        )
    against = (curves.J[1, 0] < 0) & (t1 > t2)  # the hot bath takes heat: cold to hot
    assert against.sum() >= 10
    np.testing.assert_array_equal(curves.broken("local"), against)
    assert not curves.broken("br").any()
    page = Explorer(PaperModel(), equations=("br", "local"), **FIG6)
    page.axis_stop.value, page.axis_num.value = 4.0, 41
    marked = page.broken_source.data
    assert sorted(set(marked["x"])) == pytest.approx(list(curves.x[against]))
    assert all("cold to hot" in label for label in marked["label"])
    assert f"2nd law broken at {int(against.sum())} points" in page.readout.object
    page.point.value = float(curves.x[np.argmax(against)])
    assert "heat flows from cold to hot" in page.validity.object
    png = figure_png(page.curves, dpi=50)  # type: ignore[arg-type]
    assert png[:4] == b"\x89PNG"


def test_the_page_shades_reads_out_and_hatches_outside_weak_coupling() -> None:
    page = Explorer(PaperModel(), **STRONG)
    curves = page.curves
    assert curves is not None
    ratio = curves.weak_coupling_ratio[0]
    assert page.strong_source.data == strips(curves.x, ratio > WEAK_COUPLING_WARN)
    notice = (ratio > WEAK_COUPLING_NOTICE) & (ratio <= WEAK_COUPLING_WARN)
    assert page.notice_source.data == strips(curves.x, notice)
    info = describe(curves, "br", "1")
    assert f"ratio > 0.5 from dt = {info['weak_from']:.4g}" in page.readout.object
    assert page.notice.visible and "WeakCouplingWarning" in page.notice.object
    here = curves.nearest(page.point.value)
    assert f"weak-coupling ratio {ratio[here]:.3g}" in page.validity.object
    plane = compute_plane(
        PaperModel(),
        FIG6,
        Axis("dt", 0.0, 150.0, 16),
        Axis("g", 0.3, 0.9, 3),
        Axis("gamma1", 0.02, 0.5, 4),
    )
    for j, gamma1 in enumerate(plane.y):  # the largest ratio along each curve of the map
        along = compute_curves(
            PaperModel(), {**FIG6, "g": 0.6, "gamma1": gamma1}, Axis("dt", 0, 150, 16), ("br",)
        )
        assert plane.weak_coupling_ratio[j, 1] == pytest.approx(
            np.max(along.weak_coupling_ratio), rel=1e-12
        )
    assert plane.outside.any() and not plane.outside.all()
    page.draw_plane(plane)
    cells = page.map_outside.data
    assert len(cells["x"]) == int(plane.outside.sum()) and set(cells["hatch"]) <= {"/", "x"}
    assert "Outside weak coupling" in page.map_status.object


def _chain(path: Path, qubits: int) -> Path:
    """A chain of qubits without symmetry (every element of rho coupled), Drude baths at ends;
    ``g`` couples neighbours (a parameter of the Hamiltonian), ``tL`` is the left bath's T."""

    def pauli(letters: dict[int, str]) -> str:
        return "".join(letters.get(k, "I") for k in range(qubits))

    terms = [f'[{0.5 + 0.1 * k:.2f}, "{pauli({k: "Z"})}"]' for k in range(qubits)]
    terms += [f'["g", "{pauli({k: "X", k + 1: "X"})}"]' for k in range(qubits - 1)]
    path.write_text(
        f"[parameters]\ntL = 2.0\ng = 0.2\n\n[device]\nqubits = {qubits}\n"
        f"hamiltonian = [{', '.join(terms)}]\n\n"
        f'[[baths]]\nname = "L"\ncoupling = "{pauli({0: "X"})}"\nspectral_density = "drude"\n'
        'gamma = 0.01\nomega_d = 20.0\nt = "tL"\n\n'
        f'[[baths]]\nname = "R"\ncoupling = "{pauli({qubits - 1: "X"})}"\n'
        'spectral_density = "drude"\ngamma = 0.01\nomega_d = 20.0\nt = 0.5\n'
    )
    return path


def _peak_bytes(model, equation: str, axis: str, n: int) -> int:  # type: ignore[no-untyped-def]
    """Peak traced memory of the curves of ``n`` points along ``axis``, in one batch."""
    low, high = (0.5, 4.0) if axis == "tL" else (0.1, 0.4)
    tracemalloc.start()
    try:
        compute_curves(
            model, {"tL": 2.0, "g": 0.2}, Axis(axis, low, high, n), (equation,), budget=1 << 40
        )
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


@pytest.mark.parametrize(
    ("qubits", "equations"), [(3, ("br", "lindblad", "local", "ule")), (4, ("br", "local", "ule"))]
)
def test_the_memory_estimate_bounds_the_measured_memory_per_point(
    tmp_path: Path, qubits: int, equations: tuple[str, ...]
) -> None:
    """Along a temperature and along a coupling of H (each point its own eigenbasis)."""
    model = load_model(_chain(tmp_path / "chain.toml", qubits))
    d = 2**qubits
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for equation in equations:
            estimate = point_bytes(d, 2, equation)
            for axis in ("tL", "g"):
                _peak_bytes(model, equation, axis, 3)  # compiled, caches filled
                many, few = (_peak_bytes(model, equation, axis, k) for k in (16, 4))
                per_point = (many - few) / 12
                assert per_point <= estimate, (equation, axis, per_point, estimate)
            if d == 16:  # the estimate is the larger of the two, not far above it
                assert estimate <= 1.6 * per_point, (equation, per_point, estimate)


def test_a_five_qubit_device_is_solved_in_batches_within_its_budget(tmp_path: Path) -> None:
    model = load_model(_chain(tmp_path / "five.toml", 5))
    budget = 3 * point_bytes(32, 2, "br")  # three points of d = 32, matrix-free: 3.6 MiB
    assert batch_points(32, 2, ("br",), budget) == 3
    tracemalloc.start()
    try:
        curves = compute_curves(model, {"tL": 2.0}, Axis("g", 0.1, 0.4, 7), ("br",), budget)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert curves.batch == 3 and peak <= budget, peak
    device = qheat.devices.load_device(tmp_path / "five.toml")
    for i in (0, 3, 6):  # one solve per point, across the batches' borders
        point = qheat.solve(device.system(g=float(curves.x[i])), qheat.BlochRedfield())
        np.testing.assert_allclose(curves.J[0, :, i], point.currents, rtol=1e-10, atol=1e-16)
    with pytest.raises(InvalidParameterError, match=r"dimension 32, br\) needs about 1.2\d MiB"):
        compute_curves(model, {"tL": 2.0}, Axis("tL", 0.5, 4.0, 3), ("br",), 1 << 20)
    # the page's default axis is one batch of the curves' half of the visitor's budget
    assert default_points(32, 2, ("br", "lindblad"), budget) == 3
    assert default_points(4, 2, ("br", "lindblad"), 1 << 29) == 300


def test_a_nan_reaching_a_slider_is_refused_on_the_page() -> None:
    page = Explorer(PaperModel())
    before = np.array(page.sources["br", "1"].data["y"])
    slider = page.sliders["g"]
    # the parts of the editable slider a websocket message updates (the browser's slider sends
    # NaN as it is): Panel's EditableFloatSlider copied NaN between them until RecursionError
    for part, kept, valid in ((slider._slider, 0.5, 0.8), (slider._value_edit, 0.8, 0.9)):
        part.value = math.nan
        assert page.error.visible and "g, qubit-qubit coupling: nan is not a finite number" in (
            page.error.object
        )
        assert slider.value == kept and part.value == kept
        np.testing.assert_array_equal(page.sources["br", "1"].data["y"], before)
        part.value = valid
        assert not page.error.visible and slider.value == valid
        before = np.array(page.sources["br", "1"].data["y"])
    page.point.value = math.inf
    assert page.error.visible and "'steady state at' must be a finite number" in page.error.object
    page.point.value = 20.0
    assert not page.error.visible and page.point_span.location == pytest.approx(20.0, abs=0.3)
    opened = Explorer(PaperModel(), g=math.nan)
    assert opened.sliders["g"].value == 0.5
    assert opened.error.visible and "g = nan is not a finite number" in opened.error.object


def test_netcdf_export_carries_the_validity() -> None:
    import io

    import xarray as xr

    curves = compute_curves(PaperModel(), FIG6, Axis("dt", 0.0, 4.0, 9), ("br", "local"))
    with xr.open_dataset(io.BytesIO(netcdf_bytes(curves))) as ds:
        for name in ("weak_coupling_ratio", "entropy_production", "second_law_broken"):
            assert ds[name].dims == ("equation", "dt")
        np.testing.assert_array_equal(ds["second_law_broken"].values, curves.second_law_broken)
