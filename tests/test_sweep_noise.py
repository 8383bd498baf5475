"""Sweeps of the heat-current cumulants (issue 24): ``qheat.sweep(..., cumulants=N)``.

* every point of a sweep's ``c1``, ``noise``, ``c3`` and ``tur_ratio`` equals
  :func:`qheat.cumulants` of that point (the one engine, point by point);
* one qubit between two baths swept over the hot temperature: the two-state process's closed
  forms of the current, noise, third cumulant and TUR ratio (written out here, from the rates
  ``2 G(+-w0)``), through the sweep;
* the compiled recursion up to order 6 against the Taylor coefficients of the two-state
  process's scaled cumulant generating function ``lambda(chi)`` (its closed form, the larger
  eigenvalue of a 2 x 2 tilted rate matrix), found by a Cauchy integral on a circle;
* a resumed sweep with another number of cumulants is refused naming it; the same N resumes;
* the command line (``--cumulants``, the TOML key ``cumulants``) and its bad values;
* the memory estimate with cumulants lies above the traced peak per point.
"""

from __future__ import annotations

import functools
import math
import tracemalloc
import warnings
from pathlib import Path

import numpy as np
import pytest
import xarray as xr

import qheat
from qheat import DrudeBath, OpenSystem
from qheat.cli import main
from qheat.errors import InvalidParameterError
from qheat.steady.memory import point_memory_bytes
from qheat.sweeps import sweep
from qheat.sweeps.config import ConfigError, read_config

G = np.array([0.2, 0.9])
DT = np.array([0.5, 10.0, 40.0])
X = np.array([[0, 1], [1, 0]], dtype=complex)
Z = np.diag([1.0, -1.0]).astype(complex)
COLD = 1.0
W0 = 1.0


def qubit(t_hot: np.ndarray) -> OpenSystem:
    """One qubit H = Z/2 (w0 = 1) coupled through X to a hot and a cold Drude bath."""
    baths = (DrudeBath(0.05, 100.0, t_hot), DrudeBath(0.025, 100.0, COLD))
    return OpenSystem(Z / 2, (X, X), baths, bath_names=("hot", "cold"))


def rates(t_hot: float) -> tuple[list[float], list[float]]:
    """Up and down rates of each bath: ``2 G(-w0)`` and ``2 G(w0)`` with ``G = J (n + 1)``."""
    up, down = [], []
    for bath in qubit(np.array(t_hot)).baths:
        up.append(2.0 * float(bath.G(-W0)))
        down.append(2.0 * float(bath.G(W0)))
    return up, down


def two_state(t_hot: float) -> tuple[float, float, float, float]:
    """c1, c2, c3 of the heat from the hot bath and its TUR ratio, closed forms: with
    ``a = u_h d_c``, ``b = u_c d_h``, ``K`` the sum of all rates, ``c1 = w0 (a - b) / K``,
    ``c2 = w0^2 ((a + b) / K - 2 (a - b)^2 / K^3)``,
    ``c3 = w0^3 ((a - b) / K - 6 (a - b)(a + b) / K^3 + 12 (a - b)^3 / K^5)``."""
    (uh, uc), (dh, dc) = rates(t_hot)
    a, b, k = uh * dc, uc * dh, uh + uc + dh + dc
    c1 = W0 * (a - b) / k
    c2 = W0**2 * ((a + b) / k - 2 * (a - b) ** 2 / k**3)
    c3 = W0**3 * ((a - b) / k - 6 * (a - b) * (a + b) / k**3 + 12 * (a - b) ** 3 / k**5)
    sigma = c1 * (1 / COLD - 1 / t_hot)
    return c1, c2, c3, c2 * sigma / c1**2


def taylor_cumulants(t_hot: float, order: int) -> np.ndarray:
    """``d^n lambda / d chi^n`` at 0, ``n = 1..order``, of the heat from the hot bath:
    ``lambda(chi)`` the larger eigenvalue of ``[[-U, D(chi)], [U(chi), -D]]`` (populations
    ground, excited; a jump up by the hot bath brings it ``w0``: ``U(chi) = u_h e^(chi w0) +
    u_c``, ``D(chi) = d_h e^(-chi w0) + d_c``), its derivatives by the Cauchy integral over a
    circle of radius 0.3 (128 nodes: the trapezoidal rule converges geometrically)."""
    (uh, uc), (dh, dc) = rates(t_hot)
    u, d = uh + uc, dh + dc
    nodes = 128
    z = 0.3 * np.exp(2j * np.pi * np.arange(nodes) / nodes)
    up, down = uh * np.exp(z * W0) + uc, dh * np.exp(-z * W0) + dc
    lam = 0.5 * (-(u + d) + np.sqrt((u - d) ** 2 + 4 * up * down))
    return np.array([math.factorial(n) * np.mean(lam / z**n).real for n in range(1, order + 1)])


@pytest.fixture(scope="module")
def plane() -> xr.Dataset:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", qheat.SecularityWarning)
        return sweep(g=G, dt=DT, t2=5.0, cumulants=3, chunk_size=4)


def test_variables_have_the_dims_of_the_current(plane: xr.Dataset) -> None:
    for name in ("c1", "noise", "tur_ratio", "c3"):
        assert plane[name].dims == plane["J"].dims == ("equation", "bath", "g", "dt")
        assert plane[name].attrs["units"] and plane[name].attrs["long_name"]
    assert "c4" not in plane
    assert "Lamb-shift" in plane["c1"].attrs["long_name"]


@pytest.mark.filterwarnings(
    "ignore::qheat.errors.CountingWarning"
)  # BR at the NDTC: test_counting_balance
def test_a_sweep_equals_qheat_cumulants_point_by_point(plane: xr.Dataset) -> None:
    for i, g in enumerate(G):
        for j, dt in enumerate(DT):
            system = qheat.paper_system(5, 4, g, 0.01, 0.01, 50, 5 + dt, 5)
            for eq in (qheat.BlochRedfield(), qheat.GlobalLindblad()):
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore", qheat.SecularityWarning)
                    sol = qheat.cumulants(system, eq, 3)
                point = plane.sel(equation=eq.name).isel(g=i, dt=j)
                np.testing.assert_allclose(point["J"], sol.currents, rtol=1e-12)
                for k, name in enumerate(("c1", "noise", "c3")):
                    np.testing.assert_allclose(point[name], sol.cumulants[:, k], rtol=1e-12)
                np.testing.assert_allclose(point["tur_ratio"], sol.tur_ratio, rtol=1e-12)


def test_the_two_state_closed_forms_through_a_sweep() -> None:
    t_hot = np.array([1.5, 2.0, 4.0, 9.0])
    ds = sweep(qubit, t_hot=t_hot, equations=["br", "lindblad"], lamb_shift=False, cumulants=3)
    for eq in ("br", "lindblad"):
        hot = ds.sel(equation=eq, bath="hot")
        for k, t in enumerate(t_hot):
            c1, c2, c3, q = two_state(float(t))
            got = [float(hot[v][k]) for v in ("c1", "noise", "c3", "tur_ratio")]
            np.testing.assert_allclose(got, [c1, c2, c3, q], rtol=1e-9)
            assert float(hot["J"][k]) == pytest.approx(c1, rel=1e-9)  # no Lamb shift: J = c1
        # the cold bath's heat is the hot bath's with the sign of odd cumulants reversed
        cold = ds.sel(equation=eq, bath="cold")
        np.testing.assert_allclose(cold["c1"], -hot["c1"], rtol=1e-9)
        np.testing.assert_allclose(cold["noise"], hot["noise"], rtol=1e-9)


@pytest.mark.parametrize("solver", ["dense", "krylov"])
def test_orders_up_to_six_against_the_taylor_coefficients(solver: str) -> None:
    for t in (1.5, 6.0):
        sol = qheat.cumulants(qubit(np.array(t)), qheat.GlobalLindblad(False), 6, solver=solver)
        np.testing.assert_allclose(sol.cumulants[0], taylor_cumulants(t, 6), rtol=1e-8)


def test_resume_with_another_number_of_cumulants_is_refused(tmp_path: Path) -> None:
    out = tmp_path / "n.zarr"
    first = sweep(g=G, dt=DT, equations=["br"], cumulants=2, chunk_size=3, out=out)
    for other in (0, 3):
        with pytest.raises(InvalidParameterError, match="differs in cumulants"):
            sweep(g=G, dt=DT, equations=["br"], cumulants=other, chunk_size=3, out=out, resume=True)
    again = sweep(g=G, dt=DT, equations=["br"], cumulants=2, out=out, resume=True)
    np.testing.assert_array_equal(again["noise"], first["noise"])
    parts = tmp_path / "n.nc"
    sweep(g=G, dt=DT, equations=["br"], cumulants=2, chunk_size=3, out=parts)
    with xr.open_dataset(parts, engine="h5netcdf") as ds:
        np.testing.assert_allclose(ds["noise"], first["noise"], rtol=0, atol=0)
    for bad in (-1, 7, 2.0, True):
        with pytest.raises(InvalidParameterError, match="cumulants must be an integer"):
            sweep(g=G, dt=DT, cumulants=bad)  # type: ignore[arg-type]


def test_cli_and_config(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "c.nc"
    args = ["sweep", "--g", "0.5", "--dt", "1:20:3", "--equation", "br", "--no-progress"]
    assert main([*args, "--cumulants", "2", "--out", str(out)]) == 0
    with xr.open_dataset(out, engine="h5netcdf") as ds:
        assert ds["noise"].dims == ds["J"].dims and "c3" not in ds
        system = qheat.paper_system(5, 4, 0.5, 0.01, 0.01, 50, 5 + 10.5, 5)
        expected = qheat.cumulants(system, qheat.BlochRedfield(), 2).cumulants[0, 1]
        assert float(ds["noise"].sel(equation="br", bath="1", dt=10.5)) == pytest.approx(
            expected, rel=1e-12
        )
    capsys.readouterr()
    assert main([*args, "--cumulants", "2"]) == 0
    printed = capsys.readouterr().out
    assert "noise[br, bath 1]" in printed and "tur_ratio[br, bath 2]" in printed
    for bad in ("0", "7"):
        assert main([*args, "--cumulants", bad]) == 2
        err = capsys.readouterr().err.strip()
        assert "--cumulants must be an integer from 1 to 6" in err and len(err.splitlines()) == 1
    config = tmp_path / "s.toml"
    config.write_text(f'[parameters]\ndt = "1:20:3"\n[sweep]\ncumulants = 3\nout = "{out}"\n')
    assert read_config(config).cumulants == 3
    assert main(["sweep", "--config", str(config), "--overwrite", "--no-progress"]) == 0
    with xr.open_dataset(out, engine="h5netcdf") as ds:
        assert "c3" in ds and ds["c3"].dims == ds["J"].dims
    config.write_text("[sweep]\ncumulants = 9\n")
    with pytest.raises(ConfigError, match=r"s\.toml:2: key 'cumulants'.*from 1 to 6"):
        read_config(config)


def test_the_memory_estimate_covers_the_cumulants() -> None:
    """A three-qubit chain (d = 8, no symmetry to shrink the block), 32 points along a
    coupling of the Hamiltonian: the traced peak per point with N cumulants is below
    point_memory_bytes(..., N), which grows with N."""
    from qheat.sweeps.evaluate import evaluate_system
    from qheat.sweeps.run import equations_named

    d = 8

    def site(op: np.ndarray, i: int) -> np.ndarray:
        return functools.reduce(np.kron, [op if k == i else np.eye(2) for k in range(3)])

    def chain(j: np.ndarray) -> OpenSystem:
        h = sum((0.5 + 0.1 * i) * site(Z, i) for i in range(3))
        hop = site(X, 0) @ site(X, 1) + site(X, 1) @ site(X, 2)
        h = h + np.asarray(j)[..., None, None] * hop
        baths = (DrudeBath(0.01, 40.0, 1.0), DrudeBath(0.01, 40.0, 0.5))
        return OpenSystem(h, (site(X, 0), site(X, 2)), baths)

    estimates = []
    for order in (0, 2, 6):
        eq = equations_named(["br"])
        evaluate_system(chain(np.array([0.1, 0.2])), eq, cumulants=order)  # compiled, warm
        system = chain(np.linspace(0.1, 0.3, 32))
        tracemalloc.start()
        evaluate_system(system, eq, cumulants=order)
        peak = tracemalloc.get_traced_memory()[1] / 32
        tracemalloc.stop()
        estimate = point_memory_bytes(d, 2, ["br"], order)
        assert peak < estimate, (order, peak, estimate)
        estimates.append(estimate)
    assert estimates[0] < estimates[1] < estimates[2]
    assert point_memory_bytes(64, 2, ["br"], 2) > point_memory_bytes(64, 2, ["br"])
