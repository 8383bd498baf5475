"""Peak memory and time of sweeps streamed to zarr: memory is set by the chunk, not the grid.

Each sweep of the paper's model (``g x dt`` plane, Bloch-Redfield) runs in a fresh process
and writes a zarr store; the peak resident memory (``getrusage``'s ``ru_maxrss``) of that
process and, on Dask, of each worker is measured after the sweep. Two settings:

* ``local``: the serial scheduler, everything in one process;
* ``dask``: a ``distributed.LocalCluster`` of two worker processes on loopback.

Printed: per size the wall time, the time per point and the peaks, then the ratios the issue
asks for: peak of the largest sweep over the peak of the smallest (memory does not grow with
the grid: within 10%), and time of the largest over the next one (linear scaling: the ratio of
the point counts).

``--per-point``: the calibration of ``qheat.sweeps.run.point_memory_bytes``. For a chain of
2 to 5 qubits (d = 4 ... 32, Drude baths on both ends) and each equation, a fresh process
solves a chunk of 32 points and reports the peak traced memory per point (``tracemalloc``,
numpy's allocations) next to the estimate. ``--five-qubits``: a sweep of 300 points of five
qubits (Bloch-Redfield and global Lindblad) in a process limited to 4 GiB of address space
(``RLIMIT_AS``), with its chunk size and peak RSS.

Usage::

    OMP_NUM_THREADS=1 python benchmarks/bench_memory.py            # 1e5, 1e6, 1e7 points
    OMP_NUM_THREADS=1 python benchmarks/bench_memory.py --per-point
    OMP_NUM_THREADS=1 python benchmarks/bench_memory.py --five-qubits
    OMP_NUM_THREADS=1 python benchmarks/bench_memory.py --sizes 1e5 1e6 3e6 --modes local
    OMP_NUM_THREADS=1 python benchmarks/bench_memory.py --modes dask --no-dask-profile
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

SHAPES = {
    10**4: (10, 1000),
    10**5: (100, 1000),
    10**6: (1000, 1000),
    3 * 10**6: (1000, 3000),
    10**7: (1000, 10000),
}


def child(mode: str, points: int, folder: str, chunk_size: int) -> None:
    """One sweep in this process; prints a JSON line with the time and the peaks."""
    import numpy as np

    from qheat.sweeps import Dask, Serial, sweep

    n_g, n_dt = SHAPES[points]
    axes = {"g": np.linspace(0.05, 1.0, n_g), "dt": np.linspace(0.1, 100.0, n_dt)}
    out = Path(folder) / f"{mode}-{points}.zarr"
    workers: list[int] = []
    if mode == "local":
        started = time.perf_counter()
        ds = sweep(equations=["br"], chunk_size=chunk_size, scheduler=Serial(), out=out, **axes)
        seconds = time.perf_counter() - started
    else:
        import distributed

        with (
            distributed.LocalCluster(
                n_workers=2,
                threads_per_worker=1,
                processes=True,
                host="127.0.0.1",
                dashboard_address=None,
            ) as cluster,
            distributed.Client(cluster) as client,
        ):
            started = time.perf_counter()
            ds = sweep(
                equations=["br"],
                chunk_size=chunk_size,
                scheduler=Dask(client=client),
                out=out,
                **axes,
            )
            seconds = time.perf_counter() - started
            peaks = client.run(lambda: resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
            workers = [int(v) for v in peaks.values()]
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # before the check below
    j1 = ds["J"].sel(equation="br", bath="1")
    finite = int(np.isfinite(j1).sum().compute(scheduler="synchronous"))  # chunk by chunk
    print(
        json.dumps(
            {
                "mode": mode,
                "points": points,
                "seconds": seconds,
                "finite": finite,
                "peak_kb": peak,
                "worker_peak_kb": workers,
            }
        ),
        flush=True,
    )


def chain(n: int) -> str:
    """A device file: ``n`` qubits in an XX chain, Drude baths on the first and the last."""
    terms = [f'[{0.5 + 0.1 * i}, "{"I" * i}Z{"I" * (n - i - 1)}"]' for i in range(n)]
    terms += [f'[0.1, "{"I" * i}XX{"I" * (n - i - 2)}"]' for i in range(n - 1)]
    text = f"[parameters]\ntR = 0.5\n[device]\nqubits = {n}\nhamiltonian = [{', '.join(terms)}]\n"
    for name, site, t in (("L", 0, "1.0"), ("R", n - 1, '"tR"')):
        coupling = "I" * site + "X" + "I" * (n - site - 1)
        text += (
            f'[[baths]]\nname = "{name}"\ncoupling = "{coupling}"\n'
            f'spectral_density = "drude"\ngamma = 0.01\nomega_d = 40.0\nt = {t}\n'
        )
    return text


def point_child(qubits: int, equation: str) -> None:
    """Peak traced memory per point of a chunk of 32 points (one equation)."""
    import tracemalloc

    import numpy as np

    from qheat.devices import parse_device
    from qheat.sweeps.evaluate import evaluate_system
    from qheat.sweeps.run import equations_named, point_memory_bytes

    device = parse_device(chain(qubits))
    eq = equations_named([equation])
    evaluate_system(device.system(tR=np.array([0.4, 0.6])), eq)  # compiled, caches warm
    system = device.system(tR=np.linspace(0.3, 0.6, 32))
    tracemalloc.start()
    started = time.perf_counter()
    evaluate_system(system, eq)
    seconds = time.perf_counter() - started
    peak = tracemalloc.get_traced_memory()[1] / 32
    estimate = point_memory_bytes(2**qubits, 2, [equation])
    print(json.dumps({"peak": peak, "estimate": estimate, "seconds": seconds / 32}))


FIVE = """
import json, resource, sys, time, numpy as np
from qheat.devices import parse_device
from qheat.sweeps import sweep
resource.setrlimit(resource.RLIMIT_AS, (4 * 2**30, resource.RLIM_INFINITY))
device = parse_device(sys.argv[1])
started = time.perf_counter()
ds = sweep(device, {"tR": np.linspace(0.3, 0.6, 300)})
seconds = time.perf_counter() - started
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(json.dumps({"seconds": seconds, "peak_kb": peak,
                  "finite": int(np.isfinite(ds["J"].values).all())}))
"""


def per_point() -> None:
    env = dict(os.environ, OMP_NUM_THREADS="1", OPENBLAS_NUM_THREADS="1")
    print("d   equation   peak/point   estimate   estimate/peak   time/point")
    for qubits in (2, 3, 4, 5):
        for equation in ("br", "lindblad", "local", "ule"):
            command = [sys.executable, __file__, "--point-child", str(qubits), equation]
            done = subprocess.run(command, env=env, capture_output=True, text=True, check=True)
            row = json.loads(done.stdout.strip().splitlines()[-1])
            print(
                f"{2**qubits:<3d} {equation:10s} {row['peak'] / 1e6:9.4f} MB "
                f"{row['estimate'] / 1e6:9.4f} MB {row['estimate'] / row['peak']:10.2f} "
                f"{row['seconds'] * 1e3:10.2f} ms",
                flush=True,
            )


def five_qubits() -> None:
    env = dict(os.environ, OMP_NUM_THREADS="1", OPENBLAS_NUM_THREADS="1")
    done = subprocess.run(
        [sys.executable, "-c", FIVE, chain(5), "-"], env=env, capture_output=True, text=True
    )
    if done.returncode:
        print("five qubits under 4 GiB: FAILED\n" + done.stderr[-1500:])
        return
    row = json.loads(done.stdout.strip().splitlines()[-1])
    print(
        f"five qubits, 300 points, br + lindblad, RLIMIT_AS 4 GiB: {row['seconds']:.1f} s, "
        f"peak RSS {row['peak_kb'] / 1024:.0f} MB, all currents finite: {bool(row['finite'])}"
    )


def run(mode: str, points: int, folder: str, chunk_size: int, profile: bool) -> dict[str, object]:
    env = dict(os.environ, OMP_NUM_THREADS="1", OPENBLAS_NUM_THREADS="1", MKL_NUM_THREADS="1")
    if not profile:  # Dask's statistical profiler keeps up to 1000 s of history per worker
        env["DASK_DISTRIBUTED__WORKER__PROFILE__ENABLED"] = "False"
    command = [sys.executable, __file__, "--child", mode, str(points), folder, str(chunk_size)]
    done = subprocess.run(command, env=env, capture_output=True, text=True, check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", nargs="+", type=float, default=[1e5, 1e6, 1e7])
    parser.add_argument("--modes", nargs="+", default=["local", "dask"], choices=["local", "dask"])
    parser.add_argument("--chunk-size", type=int, default=4096)
    parser.add_argument(
        "--no-dask-profile",
        action="store_true",
        help="switch off the Dask workers' statistical profiler (its history "
        "grows with the run time, up to 1000 one-second cycles)",
    )
    parser.add_argument("--per-point", action="store_true", help="memory per point, d = 4..32")
    parser.add_argument("--five-qubits", action="store_true", help="300 points of d = 32 in 4 GiB")
    parser.add_argument("--child", nargs=4, help=argparse.SUPPRESS)
    parser.add_argument("--point-child", nargs=2, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.point_child:
        point_child(int(args.point_child[0]), args.point_child[1])
        return
    if args.per_point or args.five_qubits:
        if args.per_point:
            per_point()
        if args.five_qubits:
            five_qubits()
        return
    if args.child:
        mode, points, folder, chunk = args.child
        child(mode, int(points), folder, int(chunk))
        return
    sizes = [int(s) for s in args.sizes]
    with tempfile.TemporaryDirectory(dir=".") as folder:
        for mode in args.modes:
            rows = []
            for points in sizes:
                row = run(mode, points, folder, args.chunk_size, not args.no_dask_profile)
                rows.append(row)
                workers = row["worker_peak_kb"] or []
                print(
                    f"{mode:5s} {points:>9d} points: {row['seconds']:8.1f} s "
                    f"({row['seconds'] / points * 1e6:6.1f} us/point), peak "
                    f"{row['peak_kb'] / 1024:6.1f} MB"
                    + (
                        f", workers {', '.join(f'{w / 1024:.1f}' for w in workers)} MB"
                        if workers
                        else ""
                    )
                    + f", finite {row['finite']}/{points}",
                    flush=True,
                )
            small, large = rows[0], rows[-1]
            ratio = large["peak_kb"] / small["peak_kb"]
            print(f"{mode}: peak {sizes[-1]:.0e} / {sizes[0]:.0e} points = {ratio:.3f}", flush=True)
            if small["worker_peak_kb"]:
                w_ratio = max(large["worker_peak_kb"]) / max(small["worker_peak_kb"])
                print(f"{mode}: worker peak {sizes[-1]:.0e} / {sizes[0]:.0e} = {w_ratio:.3f}")
            if len(rows) >= 2:
                prev = rows[-2]
                print(
                    f"{mode}: time {sizes[-1]:.0e} / {sizes[-2]:.0e} points = "
                    f"{large['seconds'] / prev['seconds']:.2f} "
                    f"(linear: {sizes[-1] / sizes[-2]:.2f})",
                    flush=True,
                )


if __name__ == "__main__":
    main()
