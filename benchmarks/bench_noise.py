"""Noise sweeps: the paper's 10^6-point plane with ``--cumulants 2`` against the currents alone.

The plane is that of ``bench_sweep.py`` (1000 g x 1000 dT, both equations with the Lamb shift,
its fixed parameters), run by its own :func:`bench_sweep.plane` in a fresh process on 2 worker
processes, once with the currents only and once with ``cumulants=2`` (``J``, ``c1``, ``noise``,
``tur_ratio``), alternating in rounds so that both see the same load; the cost of the noise is
the median of the rounds' ratios. Peak memory: the parent's peak resident set (``VmHWM``) plus
the largest worker's (``resource.getrusage``).

``--profile``: where one chunk of 4096 points spends its time with and without the cumulants
(cProfile, one process). ``--per-point``: the calibration of
:func:`qheat.steady.memory.point_memory_bytes` with cumulants (the ``tracemalloc`` peak per
point of 32 points of a qubit chain, along a coupling of the Hamiltonian, in units of
``16 d^4`` bytes). ``--quick``: a 10^5-point plane instead of 10^6.

Run: ``OMP_NUM_THREADS=1 .venv/bin/python benchmarks/bench_noise.py [--rounds R] [--quick]``.
"""

from __future__ import annotations

import os

os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import argparse  # noqa: E402
import cProfile  # noqa: E402
import functools  # noqa: E402
import io  # noqa: E402
import json  # noqa: E402
import pstats  # noqa: E402
import resource  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
import warnings  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent))
import bench_sweep  # noqa: E402
from qheat.sweeps import sweep  # noqa: E402

HERE = Path(__file__).resolve().parent


def child(n_g: int, n_dt: int, workers: int, cumulants: int) -> None:
    """Run one plane of ``bench_sweep.plane`` with ``cumulants`` in this fresh process; print
    seconds and peak memory as JSON."""
    bench_sweep.sweep = functools.partial(sweep, cumulants=cumulants)  # its plane, with noise
    seconds = bench_sweep.plane(n_g, n_dt, workers)
    own = bench_sweep._high_water_mark_mib()
    kids = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    print(json.dumps({"seconds": seconds, "parent_MiB": own, "worker_MiB": kids}))


def fresh(n_g: int, n_dt: int, workers: int, cumulants: int) -> dict[str, float]:
    command = [sys.executable, __file__, "--child", str(n_g), str(n_dt), str(workers)]
    out = subprocess.run(
        [*command, str(cumulants)], check=True, capture_output=True, text=True
    ).stdout
    return dict(json.loads(out.strip().splitlines()[-1]))


def profile(cumulants: int, top: int = 18) -> str:
    """cProfile of three chunks of 4096 points of the plane, both equations."""
    import qheat
    from qheat.sweeps.evaluate import evaluate_system
    from qheat.sweeps.run import equations_named

    g = np.repeat(np.linspace(0.05, 1.0, 64), 64)
    dt = np.tile(np.linspace(0.1, 100.0, 64), 64)
    f = bench_sweep.FIXED
    system = qheat.paper_system(
        f["eps1"], f["eps2"], g, f["gamma1"], f["gamma2"], f["omega_d"], f["t2"] + dt, f["t2"]
    )
    equations = equations_named(["br", "lindblad"])
    evaluate_system(system, equations, cumulants=cumulants)  # compiled, warm
    profiler = cProfile.Profile()
    started = time.perf_counter()
    profiler.enable()
    for _ in range(3):
        evaluate_system(system, equations, cumulants=cumulants)
    profiler.disable()
    seconds = (time.perf_counter() - started) / 3
    text = io.StringIO()
    pstats.Stats(profiler, stream=text).sort_stats("tottime").print_stats(top)
    head = f"cumulants={cumulants}: {seconds / g.size * 1e6:.2f} us per point (4096 points)\n"
    return head + "\n".join(
        line for line in text.getvalue().splitlines() if line.strip() and "{built-in" not in line
    )


CHAIN = """
import json, sys, tracemalloc, numpy as np, warnings
warnings.simplefilter("ignore")
sys.path.insert(0, sys.argv[4])
from bench_memory import chain
from qheat.devices import parse_device
from qheat.sweeps.evaluate import evaluate_system
from qheat.sweeps.run import equations_named, point_memory_bytes
qubits, equation, order = int(sys.argv[1]), sys.argv[2], int(sys.argv[3])
text = chain(qubits).replace("[parameters]\\ntR = 0.5", "[parameters]\\ntR = 0.5\\nJ = 0.1")
text = text.replace("[0.1, ", '["J", ')
device = parse_device(text)
eq = equations_named([equation])
evaluate_system(device.system(J=np.array([0.1, 0.12])), eq, cumulants=order)
system = device.system(J=np.linspace(0.1, 0.3, 32))
tracemalloc.start()
evaluate_system(system, eq, cumulants=order)
peak = tracemalloc.get_traced_memory()[1] / 32
print(json.dumps({"peak": peak, "estimate": point_memory_bytes(2**qubits, 2, [equation], order)}))
"""


def per_point() -> None:
    env = dict(os.environ, OMP_NUM_THREADS="1", OPENBLAS_NUM_THREADS="1")
    print("d   equation   N   peak/(16 d^4)   estimate/peak")
    for qubits in (3, 4):
        for equation in ("br", "lindblad", "local"):
            for order in (0, 1, 2, 3, 6):
                command = [
                    sys.executable,
                    "-c",
                    CHAIN,
                    str(qubits),
                    equation,
                    str(order),
                    str(HERE),
                ]
                done = subprocess.run(command, env=env, capture_output=True, text=True, check=True)
                row = json.loads(done.stdout.strip().splitlines()[-1])
                unit = 16 * 2 ** (4 * qubits)
                print(
                    f"{2**qubits:<3d} {equation:10s} {order}   {row['peak'] / unit:10.3f}   "
                    f"{row['estimate'] / row['peak']:10.2f}",
                    flush=True,
                )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=2, help="alternating rounds (default 2)")
    parser.add_argument("--quick", action="store_true", help="a 10^5-point plane")
    parser.add_argument("--profile", action="store_true", help="cProfile of one chunk")
    parser.add_argument("--per-point", action="store_true", help="memory per point with N")
    parser.add_argument("--child", nargs=4, type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(*args.child)
        return
    print(
        f"OMP_NUM_THREADS={os.environ['OMP_NUM_THREADS']} cores={os.cpu_count()} "
        f"load average {os.getloadavg()[0]:.2f} (other processes share the cores)",
        flush=True,
    )
    if args.per_point:
        per_point()
        return
    if args.profile:
        for order in (0, 2):
            print(profile(order), flush=True)
        return
    n_g = 100 if args.quick else 1000
    points = n_g * 1000
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        bench_sweep.plane(10, 10, 1)  # compile the loops once (cached on disk for the children)
    runs: dict[int, list[dict[str, float]]] = {0: [], 2: []}
    for k in range(args.rounds):
        for order in (0, 2) if k % 2 == 0 else (2, 0):
            run = fresh(n_g, 1000, 2, order)
            runs[order].append(run)
            print(
                f"  round {k + 1}, cumulants={order}: {run['seconds']:.1f} s "
                f"(load average {os.getloadavg()[0]:.2f})",
                flush=True,
            )
    ratios = [b["seconds"] / a["seconds"] for a, b in zip(runs[0], runs[2])]
    noise = min(r["seconds"] for r in runs[2])
    currents = min(r["seconds"] for r in runs[0])
    peak = max(r["parent_MiB"] + r["worker_MiB"] for r in runs[2])
    peak0 = max(r["parent_MiB"] + r["worker_MiB"] for r in runs[0])
    print(
        f"{points:.0e}-point plane ({n_g} g x 1000 dT), both equations + Lamb shift, 2 processes:"
        f"\n  --cumulants 2: best {noise:.1f} s, {points / noise:.3g} points/s, "
        f"{2 * noise / points * 1e6:.1f} us per point per process (target: well under a minute)"
        f"\n  currents only: best {currents:.1f} s, {2 * currents / points * 1e6:.1f} us per point"
        f"\n  cost of the noise: median ratio {np.median(ratios):.2f}x "
        f"(rounds: {', '.join(f'{r:.2f}x' for r in ratios)})"
        f"\n  peak memory (parent + largest worker): {peak:.0f} MiB with the noise, "
        f"{peak0:.0f} MiB without"
    )
    print(f"  (load average now {os.getloadavg()[0]:.2f})")


if __name__ == "__main__":
    main()
