"""The explorer without a browser: its curves, map, exports and page against independent evidence.

* laws: J1 + J2 = 0 for every equation, J = 0 at dT = 0, the global Lindblad current never
  falls (paper Sec. IV: no NDTC), so its NDTC map is empty;
* second constructions: one unbatched qheat.solve per point; the sweep engine (the population
  block, a different code path) run through the `qheat sweep` command the page shows; a
  bounded scalar optimizer for the peak; the paper's model written as a device file (Pauli
  strings) instead of qheat.paper_system;
* the page (Panel, no server): it renders to a Bokeh model, a slider moves the curve and the
  peak read-out, a bad value shows the package's own error and a later valid value clears it.
"""

from __future__ import annotations

import io
from pathlib import Path

import matplotlib.image
import numpy as np
import panel as pn
import pytest
import xarray as xr
from bokeh.model import Model as BokehModel
from scipy.optimize import minimize_scalar

import qheat
from qheat.errors import InvalidParameterError
from qheat.explorer import app
from qheat.explorer.curves import Axis, compute_curves, describe
from qheat.explorer.export import (
    figure_png,
    netcdf_bytes,
    python_snippet,
    sweep_command,
)
from qheat.explorer.models import PaperModel, load_model
from qheat.explorer.ndtc_plane import compute_plane
from qheat.explorer.page import Explorer

from cli_helpers import run_cli

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
"""The paper's Fig. 6 panel gamma = 0.03 (its Bloch-Redfield current peaks near dT = 26)."""


@pytest.fixture(scope="module")
def curves():  # type: ignore[no-untyped-def]
    return compute_curves(
        PaperModel(), FIG6, Axis("dt", 0.0, 150.0, 61), ("br", "lindblad", "local", "ule")
    )


def test_currents_obey_the_conservation_law_and_vanish_without_bias(curves) -> None:  # type: ignore
    assert curves.J.shape == (4, 2, 61)
    scale = np.abs(curves.J).max()
    np.testing.assert_allclose(curves.J[:, 0] + curves.J[:, 1], 0.0, atol=1e-12 * scale)
    # dt = 0: the global Lindblad equation obeys detailed balance exactly; Bloch-Redfield and
    # the ULE leave a current of higher order in gamma; the local equation (e1 != e2) does not
    # vanish at all (its known second-law violation, docs/exact.md), so it is not checked here
    np.testing.assert_allclose(curves.J[1, :, 0], 0.0, atol=1e-12 * scale)
    np.testing.assert_allclose(curves.J[[0, 3], :, 0], 0.0, atol=1e-3 * scale)
    assert np.all(curves.J[[0, 1, 3], 0, 1:] > 0)  # heat flows out of the hot bath 1


def test_batched_curves_equal_one_solve_per_point(curves) -> None:  # type: ignore[no-untyped-def]
    for i in (5, 17, 60):
        system = qheat.paper_system(4.0, 3.0, 0.5, 0.03, 0.03, 50.0, 5.0 + float(curves.x[i]), 5.0)
        for e, equation in enumerate(
            (
                qheat.BlochRedfield(),
                qheat.GlobalLindblad(),
                qheat.LocalLindblad(),
                qheat.UniversalLindblad(),
            )
        ):
            point = qheat.solve(system, equation)
            np.testing.assert_allclose(curves.J[e, :, i], point.currents, rtol=1e-10, atol=1e-15)
            np.testing.assert_allclose(curves.rho[e, i], point.rho, atol=1e-12)
        # the basis of rho: the eigenvalues of H_S (Eq. 1) in that order
        hamiltonian = np.einsum("...ab->ab", system.hamiltonian)
        np.testing.assert_allclose(
            np.sort(curves.energies[i]), np.linalg.eigvalsh(hamiltonian), atol=1e-12
        )


def test_peak_is_the_maximum_an_optimizer_finds(curves) -> None:  # type: ignore[no-untyped-def]
    def minus_j1(dt: float) -> float:
        system = qheat.paper_system(4.0, 3.0, 0.5, 0.03, 0.03, 50.0, 5.0 + dt, 5.0)
        return -float(qheat.solve(system).J1)

    best = minimize_scalar(minus_j1, bounds=(1.0, 100.0), method="bounded", options={"xatol": 1e-6})
    info = describe(curves, "br", "1")
    h = curves.x[1] - curves.x[0]
    assert info["ndtc"] and abs(info["peak"] - best.x) <= h
    assert -best.fun - 1e-4 * h < info["J_peak"] <= -best.fun + 1e-12  # the grid max is below
    # the Lindblad current rises throughout (no interior maximum) and leaves its validity
    lindblad = describe(curves, "lindblad", "1")
    assert not lindblad["ndtc"] and np.isnan(lindblad["peak"])
    assert lindblad["secular_from"] is not None


def _sweep_currents(ds: xr.Dataset, equation: str) -> np.ndarray:
    """J of the first bath from a ``qheat sweep`` Dataset."""
    return np.asarray(ds["J"].sel(equation=equation).isel(bath=0).values)


def test_secular_marker_and_shown_sweep_command_agree_with_the_sweep_engine(
    curves,
    tmp_path: Path,  # type: ignore[no-untyped-def]
) -> None:
    out = tmp_path / "sweep.nc"
    command = sweep_command(PaperModel(), curves, out=str(out))
    words = command.split()
    assert words[:2] == ["qheat", "sweep"] and "--dt" in words and "all" in words
    status, _, err = run_cli(words[1:] + ["--no-progress"])
    assert status == 0, err
    with xr.open_dataset(out) as ds:
        np.testing.assert_allclose(ds["dt"].values, curves.x, rtol=1e-14)
        for e, name in enumerate(curves.equations):
            np.testing.assert_allclose(
                _sweep_currents(ds, name), curves.J[e, 0], rtol=1e-9, atol=1e-14
            )
        ratio = ds["secular_ratio"].sel(equation="lindblad").values
    np.testing.assert_allclose(curves.secular_ratio[1], ratio, rtol=1e-9)
    first = curves.secular_index("lindblad")
    assert first is not None and ratio[first] > 1 >= ratio[first - 1]
    assert curves.secular_index("br") is None  # Bloch-Redfield has no secular approximation
    two = compute_curves(PaperModel(), FIG6, Axis("dt", 0.0, 10.0, 3), ("br", "lindblad"))
    assert "--equation" not in sweep_command(PaperModel(), two)  # the sweep's default pair
    one = compute_curves(PaperModel(), FIG6, Axis("dt", 0.0, 10.0, 3), ("ule",))
    assert "--equation ule" in sweep_command(PaperModel(), one)


def test_python_snippet_recomputes_the_curves(curves) -> None:  # type: ignore[no-untyped-def]
    scope: dict[str, object] = {}
    exec(python_snippet(PaperModel(), curves), scope)  # noqa: S102 (our own generated text)
    J = scope["J"]
    assert isinstance(J, dict) and list(J) == ["br", "lindblad", "local", "ule"]
    for e, name in enumerate(J):
        np.testing.assert_allclose(np.asarray(J[name]).T, curves.J[e], rtol=1e-12, atol=1e-16)


def test_netcdf_and_png_exports(curves) -> None:  # type: ignore[no-untyped-def]
    with xr.open_dataset(io.BytesIO(netcdf_bytes(curves))) as ds:
        assert ds["J"].dims == ("equation", "bath", "dt")
        np.testing.assert_array_equal(ds["J"].values, curves.J)
        assert list(ds["equation"].values) == ["br", "lindblad", "local", "ule"]
        assert float(ds["peak"].sel(equation="br", bath="1")) == describe(curves, "br", "1")["peak"]
        rho = ds["rho_re"].values + 1j * ds["rho_im"].values
        np.testing.assert_allclose(np.trace(rho, axis1=-2, axis2=-1), 1.0, atol=1e-12)
        assert ds.attrs["gamma1"] == 0.03
    png = figure_png(curves, dpi=60)
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    image = matplotlib.image.imread(io.BytesIO(png))
    assert image.shape[0] > 200 and image.shape[1] > 300 and float(image.std()) > 0.05


def test_bad_inputs_raise_the_packages_errors_naming_the_parameter() -> None:
    model = PaperModel()
    with pytest.raises(InvalidParameterError, match="eps1 must be > 0"):
        compute_curves(model, {**FIG6, "eps1": -1.0}, Axis("dt", 0.0, 10.0, 5), ("br",))
    with pytest.raises(InvalidParameterError, match=r"dt must be >= -T2 = -5"):
        compute_curves(model, FIG6, Axis("dt", -8.0, 10.0, 5), ("br",))
    with pytest.raises(InvalidParameterError, match=r"points along dt must be in \[3, 2000\]"):
        compute_curves(model, FIG6, Axis("dt", 0.0, 10.0, 2), ("br",))
    with pytest.raises(InvalidParameterError, match="start < stop"):
        compute_curves(model, FIG6, Axis("dt", 10.0, 0.0, 5), ("br",))
    with pytest.raises(InvalidParameterError, match="unknown equation 'redfield'"):
        compute_curves(model, FIG6, Axis("dt", 0.0, 10.0, 5), ("redfield",))
    with pytest.raises(InvalidParameterError, match="two parameters other than the swept"):
        compute_plane(
            model, FIG6, Axis("dt", 0.0, 10.0, 5), Axis("g", 0.1, 1, 3), Axis("dt", 0.1, 1, 3)
        )


def test_ndtc_map_orientation_and_the_monotone_lindblad_current() -> None:
    model, bias = PaperModel(), Axis("dt", 0.0, 150.0, 61)
    x, y = Axis("g", 0.3, 0.9, 3), Axis("gamma1", 0.02, 0.04, 3)
    plane = compute_plane(model, FIG6, bias, x, y, "br")
    assert plane.peak.shape == (3, 3) and plane.ndtc.all()
    for j, gamma1 in enumerate(y.values()):
        for i, g in enumerate(x.values()):
            one = compute_curves(model, {**FIG6, "g": g, "gamma1": gamma1}, bias, ("br",))
            assert plane.peak[j, i] == one.peaks.dT_peak[0, 0]
    assert len(set(plane.peak.ravel().tolist())) > 1  # the peak moves over the plane
    lindblad = compute_plane(model, FIG6, bias, x, y, "lindblad")
    assert not lindblad.ndtc.any() and np.isnan(lindblad.peak).all()


def _device_file(tmp_path: Path) -> Path:
    """The paper's model written as a device: Pauli strings and two named Drude baths."""
    path = tmp_path / "paper.toml"
    path.write_text(
        """
[parameters]
eps1 = 4.0
eps2 = 3.0
g = 0.5
t1 = 55.0
t2 = 5.0

[device]
qubits = 2
hamiltonian = [[0.5, "eps1", "ZI"], [0.5, "eps2", "IZ"], [1.0, "g", "XX"]]

[[baths]]
name = "hot"
coupling = "XI"
spectral_density = "drude"
gamma = 0.03
omega_d = 50.0
t = "t1"

[[baths]]
name = "cold"
coupling = "IX"
spectral_density = "drude"
gamma = 0.03
omega_d = 50.0
t = "t2"
""",
        encoding="utf-8",
    )
    return path


def test_a_device_file_gives_the_paper_models_curves(tmp_path: Path) -> None:
    path = _device_file(tmp_path)
    device = load_model(path)
    assert [p.name for p in device.parameters] == ["eps1", "eps2", "g", "t1", "t2"]
    assert device.bath_names == ("hot", "cold")
    values = {p.name: p.default for p in device.parameters}
    on_device = compute_curves(device, values, Axis("t1", 5.0, 105.0, 21), ("br", "lindblad"))
    paper = compute_curves(PaperModel(), FIG6, Axis("dt", 0.0, 100.0, 21), ("br", "lindblad"))
    np.testing.assert_allclose(on_device.J, paper.J, rtol=1e-9, atol=1e-15)
    assert on_device.to_dataset()["J"].dims == ("equation", "bath", "t1")
    out = tmp_path / "device.nc"
    command = sweep_command(device, on_device, out=str(out)).split()
    assert command[:4] == ["qheat", "sweep", "--device", str(path)]
    status, _, err = run_cli(command[1:] + ["--no-progress"])
    assert status == 0, err
    with xr.open_dataset(out) as ds:
        assert list(ds["bath"].values) == ["hot", "cold"]
        np.testing.assert_allclose(
            ds["J"].sel(equation="br").transpose("bath", "t1").values,
            on_device.J[0],
            rtol=1e-9,
            atol=1e-14,
        )
    scope: dict[str, object] = {}
    exec(python_snippet(device, on_device), scope)  # noqa: S102
    J = scope["J"]
    assert isinstance(J, dict)
    np.testing.assert_allclose(np.asarray(J["br"]).T, on_device.J[0], rtol=1e-12)
    page = Explorer(device)
    assert page.curves is not None and page.curves.bath_names == ("hot", "cold")


def test_a_device_file_is_parsed_never_evaluated(tmp_path: Path) -> None:
    witness = tmp_path / "evaluated"
    bad = tmp_path / "bad.toml"
    bad.write_text(
        _device_file(tmp_path)
        .read_text()
        .replace(
            '[0.5, "eps1", "ZI"]', f"[\"__import__('pathlib').Path('{witness}').touch()\", \"ZI\"]"
        )
    )
    with pytest.raises(InvalidParameterError, match="bad.toml"):
        app(device=bad)
    assert not witness.exists()
    status, _, err = run_cli(["explore", "--device", str(bad), "--no-show"])
    assert status == 2 and "bad.toml" in err and not witness.exists()


def test_app_renders_to_bokeh_without_a_server() -> None:
    layout = app(gamma1=0.02, gamma2=0.02)
    root = pn.panel(layout).get_root()
    assert isinstance(root, BokehModel)
    source = root.select_one({"name": "J-br-1"})
    assert source is not None and len(source.data["y"]) == 300
    assert root.select_one({"name": "J-local-1"}).data["y"] == []  # not shown by default


def test_page_updates_and_survives_bad_input() -> None:
    page = Explorer(PaperModel())
    first = np.array(page.sources["br", "1"].data["y"])
    readout = page.readout.object
    assert (
        "J1 = 0.071196 at dt = 26.09" in readout and "secular ratio > 1 from dt = 21.57" in readout
    )
    page.sliders["g"].value = 0.8
    moved = np.array(page.sources["br", "1"].data["y"])
    assert not np.allclose(moved, first) and page.readout.object != readout
    assert "update" in page.timing.object and " ms" in page.timing.object
    page.sliders["eps1"].value = -1.0
    assert page.error.visible and "eps1 must be > 0, got -1" in page.error.object
    np.testing.assert_array_equal(page.sources["br", "1"].data["y"], moved)  # last valid kept
    page.sliders["eps1"].value = 5.0
    assert not page.error.visible
    assert not np.allclose(page.sources["br", "1"].data["y"], moved)
    page.equations.value = ["br", "ule"]
    assert page.sources["lindblad", "1"].data["y"] == []
    assert len(page.sources["ule", "2"].data["y"]) == 300
    assert "--equation all" in page.command.value and "shows br, ule" in page.command.value
    assert "UniversalLindblad()" in page.snippet.value
    plane = compute_plane(
        PaperModel(), FIG6, Axis("dt", 0, 150, 20), Axis("g", 0.3, 0.9, 3), Axis("t2", 2.0, 8.0, 4)
    )
    page.draw_plane(plane)
    image = page.map_source.data["image"][0]
    assert image.shape == (4, 3) and np.array_equal(image, plane.peak, equal_nan=True)
    page.axis.value = "g"
    assert page.sliders["g"].disabled and not page.sliders["dt"].disabled
    assert page.curves is not None and page.curves.axis == "g"


def test_cli_explore_options() -> None:
    from qheat.cli import build_parser

    args = build_parser("explore").parse_args(["explore", "--no-show"])
    assert (args.address, args.port, args.show, args.device) == ("127.0.0.1", 5006, False, None)
    status, _, err = run_cli(["explore", "--port", "0"])
    assert status == 2 and "--port must be in [1, 65535]" in err
