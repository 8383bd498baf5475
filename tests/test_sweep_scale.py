"""Scale limits of sweeps plan instead of crashing (issue 21, part 4), and the sweep options
that must be refused or relaxed by name (parts 2 and 5).

References: numpy's own ``linspace`` for the lazy axes, wall time and peak memory of a fresh
process for the dry runs, ``tracemalloc`` for the memory per point, an address-space limit
(``RLIMIT_AS``) for a five-qubit sweep, and ``qheat.solve`` point by point for its currents.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import tracemalloc
import warnings
from pathlib import Path

import numpy as np
import pytest

import qheat
import qheat.sweeps.run as runner
from qheat.devices import parse_device
from qheat.errors import InvalidParameterError
from qheat.master import BlochRedfield
from qheat.sweeps import sweep
from qheat.sweeps.evaluate import evaluate_system
from qheat.sweeps.grid import LinearAxis, make_grid
from qheat.sweeps.run import OmittedEquationWarning, chunk_budget, point_memory_bytes

from cli_helpers import run_cli

ENV = dict(os.environ, OMP_NUM_THREADS="1", OPENBLAS_NUM_THREADS="1")


def chain(n: int, baths: int = 2) -> str:
    """A device file: ``n`` qubits in an XX chain, Drude baths on the first and last."""
    terms = [f'[{0.5 + 0.1 * i}, "{"I" * i}Z{"I" * (n - i - 1)}"]' for i in range(n)]
    terms += [f'[0.1, "{"I" * i}XX{"I" * (n - i - 2)}"]' for i in range(n - 1)]
    text = f"[parameters]\ntR = 0.5\n[device]\nqubits = {n}\nhamiltonian = [{', '.join(terms)}]\n"
    sites = [("L", 0, "1.0"), ("R", n - 1, '"tR"'), ("M", n // 2, "0.7")][:baths]
    for name, site, t in sites:
        coupling = "I" * site + "X" + "I" * (n - site - 1)
        text += (
            f'[[baths]]\nname = "{name}"\ncoupling = "{coupling}"\nspectral_density = "drude"\n'
            f"gamma = 0.01\nomega_d = 40.0\nt = {t}\n"
        )
    return text


# --- lazy axes and dry runs of any size ----------------------------------------------------


@pytest.mark.parametrize(("start", "stop", "num"), [(0, 1, 7), (-3.5, 2.25, 1000), (2, 2, 1)])
def test_linear_axis_is_numpy_linspace_bit_for_bit(start: float, stop: float, num: int) -> None:
    axis = LinearAxis(start, stop, num)
    reference = np.linspace(start, stop, num)
    np.testing.assert_array_equal(np.asarray(axis), reference)
    index = np.random.default_rng(0).integers(0, num, 50)
    np.testing.assert_array_equal(axis[index], reference[index])
    np.testing.assert_array_equal(axis[1:-1], reference[1:-1])
    assert (axis.min(), axis.max(), axis.size) == (reference.min(), reference.max(), num)


def test_lazy_and_explicit_axes_are_one_sweep() -> None:
    """A range and the array numpy makes of it give one fingerprint (a resume from the
    command line of a Python sweep); another array does not."""
    lazy = make_grid({"g": LinearAxis(0.1, 0.9, 5)})
    explicit = make_grid({"g": np.linspace(0.1, 0.9, 5)})
    other = make_grid({"g": np.array([0.1, 0.2, 0.5, 0.7, 0.9])})
    assert lazy.fingerprint() == explicit.fingerprint() != other.fingerprint()
    with pytest.raises(InvalidParameterError, match="g repeats a value"):
        make_grid({"g": LinearAxis(1.0, 1.0, 3)})
    with pytest.raises(InvalidParameterError, match="gamma1"):
        make_grid({"gamma1": LinearAxis(-1.0, 1.0, 10**12)})


def dry_run(argv: list[str]) -> tuple[subprocess.CompletedProcess[str], float, int]:
    """``qheat argv --dry-run`` in a fresh process: its result, wall time, peak RSS (bytes)."""
    code = (
        "import resource, sys\nfrom qheat.cli import main\n"
        f"status = main({[*argv, '--dry-run']!r})\n"
        "print('PEAK', resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, file=sys.stderr)\n"
        "sys.exit(status)\n"
    )
    started = time.monotonic()
    proc = subprocess.run(
        [sys.executable, "-c", code], env=ENV, capture_output=True, text=True, timeout=300
    )
    peak = int(proc.stderr.split("PEAK")[-1]) * 1024
    return proc, time.monotonic() - started, peak


def test_dry_run_of_a_billion_points_plans_without_allocating_them(tmp_path: Path) -> None:
    """The issue: a linspace of 7.45 GiB (10^9 values), 70 s in Grid.fingerprint (10^8)."""
    out = tmp_path / "big.zarr"
    proc, seconds, peak = dry_run(["sweep", "--g", "0:1:1000000000", "--out", str(out)])
    assert proc.returncode in (0, 2), proc.stderr  # 2: this disk may lack the 126 GB
    assert "1000000000 points (g (1000000000)) in 244141 chunks" in proc.stdout
    assert "expected time:" in proc.stdout and "on disk" in proc.stdout
    assert seconds < 60 and peak < 2**30, (seconds, peak)
    assert not out.exists()


def test_dry_run_of_ten_billion_points_prints_the_plan_then_the_refusal(
    tmp_path: Path,
) -> None:
    out = tmp_path / "big.zarr"
    argv = ["sweep", "--g", "0:1:100000", "--dt", "0:10:100000", "--out", str(out)]
    proc, seconds, _ = dry_run(argv)
    assert proc.returncode == 2
    lines = proc.stdout.splitlines()
    assert lines[0].startswith("10000000000 points (g (100000) x dt (100000))")
    assert lines[1].startswith("expected time:") and " h for 2500000 chunks" in lines[1]
    assert "output" in lines[2] and "TB" in lines[2]
    error = [line for line in proc.stderr.splitlines() if not line.startswith("PEAK")]
    assert len(error) == 1 and "cannot run" in error[0] and "TB on disk" in error[0], error
    assert seconds < 60


# --- memory per point and chunks sized to it -----------------------------------------------


@pytest.mark.parametrize("equation", ["br", "lindblad", "local", "ule"])
@pytest.mark.parametrize("qubits", [2, 3])
def test_point_memory_bounds_the_traced_peak(qubits: int, equation: str) -> None:
    """The estimate against the peak numpy allocations (tracemalloc) of a chunk of 16."""
    device = parse_device(chain(qubits))
    eq = runner.equations_named([equation])
    evaluate_system(device.system(tR=np.array([0.4, 0.6])), eq)  # compiled, caches warm
    system = device.system(tR=np.linspace(0.3, 0.6, 16))
    tracemalloc.start()
    try:
        evaluate_system(system, eq)
        peak = tracemalloc.get_traced_memory()[1] / 16
    finally:
        tracemalloc.stop()
    estimate = point_memory_bytes(2**qubits, 2, [equation])
    assert peak <= estimate <= 6 * peak, (peak, estimate)


def test_chunks_fit_the_budget_and_a_given_chunk_that_cannot_is_refused(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Four qubits (d = 16, the dense engine) with 200 points' worth of memory: a chunk of 300
    points does not fit. Five qubits (d = 32) are matrix-free: the issue's 300 points, which
    needed about 6 GB of dense superoperators, now take under 0.5 GB."""
    assert 300 * point_memory_bytes(32, 2, ["br", "lindblad"]) < 0.5e9
    per_point = point_memory_bytes(16, 2, ["br", "lindblad"])
    available = 200 * per_point
    monkeypatch.setattr(runner, "available_memory", lambda: available)
    for workers in (1, 2, 8):
        size, problem = runner._chunk_size(None, None, per_point, workers, 16)
        assert problem is None and 1 <= size < 300
        assert size * per_point * workers <= available / 2  # half the memory, shared
        assert size * per_point <= chunk_budget(workers, available)
    size, problem = runner._chunk_size(300, None, per_point, 1, 16)
    assert problem is not None and "--chunk-size 300" in problem and "<= " in problem
    assert runner._chunk_size(None, {"chunk_size": 7}, per_point, 1, 16) == (7, None)
    monkeypatch.setattr(runner, "available_memory", lambda: per_point // 2)
    size, problem = runner._chunk_size(None, None, per_point, 1, 16)
    assert size == 1 and problem is not None and "one point" in problem


FIVE_QUBITS = """
import json, resource, sys, numpy as np
from qheat.devices import parse_device
from qheat.sweeps import sweep
device = parse_device(sys.argv[1])
sweep(device, {"tR": np.array([0.3, 0.4])}, equations=["br"])  # compiled before the limit
status = open("/proc/self/status").read()
size = int(status.split("VmSize:")[1].split()[0]) * 1024
resource.setrlimit(resource.RLIMIT_AS, (size + int(sys.argv[2]), resource.RLIM_INFINITY))
ds = sweep(device, {"tR": np.linspace(0.3, 0.6, 48)}, equations=["br"])
print(json.dumps({"J": ds["J"].values.tolist(), "size": size}))
"""


def test_a_five_qubit_sweep_runs_within_its_memory(tmp_path: Path) -> None:
    """48 points of d = 32 under an address-space limit of 600 MB above what the process
    holds: one chunk of them would need 0.8 GB (the issue: 300 points asked 1.17 GiB at
    once and failed); chunks sized to the limit run, and give qheat.solve's currents."""
    text = chain(5)
    proc = subprocess.run(
        [sys.executable, "-c", FIVE_QUBITS, text, str(600 * 2**20)],
        env=ENV,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    currents = np.asarray(json.loads(proc.stdout.splitlines()[-1])["J"])[0]
    device = parse_device(text)
    t = np.linspace(0.3, 0.6, 48)
    for k in (0, 17, 47):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            alone = qheat.solve(device.system(tR=t[k]), BlochRedfield())
        np.testing.assert_allclose(currents[:, k], np.ravel(alone.currents), rtol=1e-9)
    assert np.allclose(currents.sum(axis=0), 0, atol=1e-9 * np.abs(currents).max())


def test_memory_limits_of_the_process_count_as_unavailable() -> None:
    code = (
        "import resource\nfrom qheat.sweeps.run import available_memory\n"
        "free = available_memory()\n"
        "resource.setrlimit(resource.RLIMIT_AS, (2 * 2**30, resource.RLIM_INFINITY))\n"
        "print(free, available_memory())\n"
    )
    out = subprocess.run([sys.executable, "-c", code], env=ENV, capture_output=True, text=True)
    free, limited = map(int, out.stdout.split())
    assert 0 < limited < 2 * 2**30 and limited < free


# --- options refused by name, equations left out by name -----------------------------------


@pytest.mark.parametrize("workers", ["0", "-1", "100000"])
def test_workers_out_of_range_is_one_line(workers: str) -> None:
    argv = ["sweep", "--g", "0.1:1:3", "--scheduler", "processes", "--workers", workers]
    status, _, err = run_cli([*argv, "--no-progress"])
    assert status == 2 and len(err.strip().splitlines()) == 1
    assert "--workers" in err and "from 1 to 1024" in err and workers in err


ONE_QUBIT = """[parameters]
tR = 0.5
[device]
qubits = 1
hamiltonian = [[0.5, "Z"]]
[[baths]]
name = "L"
coupling = "X"
spectral_density = "drude"
gamma = 0.01
omega_d = 40.0
t = 1.0
[[baths]]
name = "R"
coupling = "X"
spectral_density = "drude"
gamma = 0.01
omega_d = 40.0
t = "tR"
"""


def test_an_equation_that_does_not_apply_is_left_out_by_name(tmp_path: Path) -> None:
    """A single qubit has no local Lindblad equation (the coupling acts on every subsystem):
    'all' keeps the others and says why local is missing; naming local is refused."""
    device = parse_device(ONE_QUBIT)
    t = np.linspace(0.2, 2.0, 4)
    with pytest.warns(OmittedEquationWarning, match="equation local does not apply"):
        ds = sweep(device, {"tR": t}, equations="all", out=tmp_path / "q.nc")
    assert [str(e) for e in ds.equation.values] == ["br", "lindblad", "ule"]
    assert "local: LocalLindblad" in ds.attrs["omitted_equations"]
    for k in (0, 3):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            alone = qheat.solve(device.system(tR=t[k]), qheat.UniversalLindblad())
        np.testing.assert_allclose(
            ds["J"].sel(equation="ule").values[:, k], np.ravel(alone.currents), rtol=1e-9
        )
    with pytest.raises(InvalidParameterError, match="LocalLindblad"):
        sweep(device, {"tR": t}, equations=["br", "local"])
    path = tmp_path / "one.toml"
    path.write_text(ONE_QUBIT)
    argv = ["sweep", "--device", str(path), "--param", "tR=0.2:2:4", "--no-progress"]
    with warnings.catch_warnings():
        warnings.simplefilter("always", RuntimeWarning)
        status, text, err = run_cli([*argv, "--equation", "all"])
    assert status == 0 and "equations br, lindblad, ule" in text
    assert "OmittedEquationWarning" in err and "local" in err
    status, _, err = run_cli([*argv, "--equation", "local"])
    assert status == 2 and len(err.strip().splitlines()) == 1 and "LocalLindblad" in err
