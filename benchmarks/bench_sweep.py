"""Sweeps: per-point cost in large batches against QuTiP (and qthermo), the 10^6-point plane,
the bare batched solve as a floor, and the scaling with the number of points.

All baselines are measured in the same run:

* QuTiP 5 ``bloch_redfield_tensor`` + ``steadystate``, per point, on samples of 7 points of
  the plane (same spectra ``2 G(w)``, no Lamb shift), alternating with qheat's batch of 10^5
  points in 5 rounds (the ratio is the median of the rounds' ratios);
* qthermo's Redfield steady-state current, per point, if ``--qthermo PYTHON`` names a Python
  with qthermo installed (run there as a subprocess; its rate convention ``2 G(w)`` agrees with
  qheat without the Lamb shift to round-off);
* the floor: ``numpy.linalg.solve`` of a batch of random 8 x 8 and 16 x 16 complex systems of
  the same count.

qheat runs both master equations with the Lamb shift through :func:`qheat.sweeps.sweep`
(default chunk size). The 10^6-point plane (1000 dT x 1000 g) runs in a fresh process on 2
worker processes (and on 1 process in this one); its peak memory is the peak resident set size
of the parent (``VmHWM``) plus that of the largest worker (``resource.getrusage``).

Run: ``.venv/bin/python benchmarks/bench_sweep.py [--qthermo /path/to/python] [--quick]``.
"""

from __future__ import annotations

import os

os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import argparse  # noqa: E402
import json  # noqa: E402
import resource  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
import warnings  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402

from qheat.errors import SecularityWarning  # noqa: E402
from qheat.sweeps import Processes, Serial, sweep  # noqa: E402

HERE = Path(__file__).resolve().parent
ROUNDS = 5
"""Interleaved rounds of the per-point comparison with QuTiP."""
FIXED = {"eps1": 5.0, "eps2": 4.0, "gamma1": 0.01, "gamma2": 0.01, "omega_d": 50.0, "t2": 5.0}


def plane(n_g: int, n_dt: int, workers: int) -> float:
    """Seconds for an n_g x n_dt (g, dT) plane, both equations, Lamb shift.

    Part of the plane lies where the global Lindblad equation is outside its validity; its
    SecularityWarning is silenced here (timing, not physics).
    """
    g, dt = np.linspace(0.05, 1.0, n_g), np.linspace(0.1, 100.0, n_dt)
    scheduler = Serial() if workers == 1 else Processes(workers)
    start = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", SecularityWarning)
        sweep(g=g, dt=dt, scheduler=scheduler, progress=False, **FIXED)
    return time.perf_counter() - start


def child(n_g: int, n_dt: int, workers: int) -> None:
    """Run one plane in this (fresh) process; print seconds and peak memory as JSON."""
    seconds = plane(n_g, n_dt, workers)
    own = _high_water_mark_mib()
    kids = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    print(json.dumps({"seconds": seconds, "parent_MiB": own, "worker_MiB": kids}))


def _high_water_mark_mib() -> float:
    """Peak RSS of this process image (``VmHWM``; ``ru_maxrss`` would include the RSS of the
    process that spawned it, which Linux carries across ``exec``)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def fresh(n_g: int, n_dt: int, workers: int) -> dict[str, float]:
    out = subprocess.run(
        [sys.executable, __file__, "--child", str(n_g), str(n_dt), str(workers)],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    return dict(json.loads(out.strip().splitlines()[-1]))


def qutip_per_point(samples: int = 20, seed: int = 0) -> float:
    import qutip

    import qheat

    rng = np.random.default_rng(seed)
    dims = [[2, 2], [2, 2]]
    total = 0.0
    for _ in range(samples):
        g, dt = rng.uniform(0.05, 1.0), rng.uniform(0.1, 100.0)
        system = qheat.paper_system(5, 4, g, 0.01, 0.01, 50, 5 + dt, 5)
        h = qutip.Qobj(system.hamiltonian, dims=dims)
        a_ops = [
            (qutip.Qobj(a, dims=dims), _spectrum(0.01, 50.0, t))
            for a, t in zip(system.couplings, (5 + dt, 5.0))
        ]
        start = time.perf_counter()
        qutip.steadystate(qutip.bloch_redfield_tensor(h, a_ops, sec_cutoff=-1, fock_basis=True))
        total += time.perf_counter() - start
    return total / samples


def _spectrum(gamma: float, omega_d: float, temperature: float):  # type: ignore[no-untyped-def]
    def spectrum(w: float) -> float:
        if abs(w) < 1e-12:
            return 2.0 * gamma * temperature
        return float(2.0 * gamma * w / (1.0 + (w / omega_d) ** 2) / -np.expm1(-w / temperature))

    return spectrum


def qthermo_per_point(python: str, samples: int = 20) -> float | None:
    try:
        out = subprocess.run(
            [python, str(HERE / "_qthermo_point.py"), str(samples), "2"],
            check=True,
            capture_output=True,
            text=True,
        ).stdout
    except (OSError, subprocess.CalledProcessError) as exc:
        print(f"qthermo: could not run with {python}: {exc}")
        return None
    return float(json.loads(out)["seconds_per_point"])


def floor_per_solve(size: int, count: int = 100_000) -> float:
    rng = np.random.default_rng(1)
    a = rng.normal(size=(count, size, size)) + 1j * rng.normal(size=(count, size, size))
    b = rng.normal(size=(count, size, 1)) + 0j
    best = np.inf
    for _ in range(3):
        start = time.perf_counter()
        np.linalg.solve(a, b)
        best = min(best, time.perf_counter() - start)
    return best / count


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--qthermo", metavar="PYTHON", help="a Python with qthermo installed")
    parser.add_argument("--quick", action="store_true", help="skip the 10^6-point runs")
    parser.add_argument("--child", nargs=3, type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(*args.child)
        return
    print(
        f"OPENBLAS_CORETYPE={os.environ.get('OPENBLAS_CORETYPE', '(unset)')} "
        f"OPENBLAS_L2_SIZE={os.environ.get('OPENBLAS_L2_SIZE', '(unset)')} "
        f"OMP_NUM_THREADS={os.environ['OMP_NUM_THREADS']} cores={os.cpu_count()} "
        f"load average {os.getloadavg()[0]:.2f} (other processes share the cores)"
    )
    plane(10, 10, 1)  # warm up imports and caches

    # QuTiP and qheat alternate in rounds (7 QuTiP points, then a qheat batch of 10^5), so that
    # both see the same load; the ratio is the median of the per-round ratios
    rounds = []
    for k in range(ROUNDS):
        qutip_round = qutip_per_point(7, seed=k)
        rounds.append((qutip_round, plane(100, 1000, 1) / 1e5))
    qutip_point = float(np.median([q for q, _ in rounds]))
    batch = float(np.median([b for _, b in rounds]))
    ratios = [q / b for q, b in rounds]
    print(
        f"QuTiP BR tensor + steadystate, per point (7 samples a round, no Lamb shift): median {qutip_point * 1e3:.2f} ms"
    )
    qthermo_point = qthermo_per_point(args.qthermo) if args.qthermo else None
    if qthermo_point is not None:
        print(
            f"qthermo redfield_bath + analyze, per point (20 samples, no Lamb shift): {qthermo_point * 1e3:.2f} ms"
        )
    elif not args.qthermo:
        print("qthermo: not measured (give --qthermo PYTHON)")
    print(
        f"qheat, batch of 10^5 points, both equations + Lamb shift, 1 process: median {batch * 1e6:.2f} us per point"
    )
    print(
        f"  ratio QuTiP / qheat per point: median of {ROUNDS} interleaved rounds {np.median(ratios):.0f}x "
        f"(rounds: {', '.join(f'{r:.0f}x' for r in ratios)}; target >= 1000x)"
    )
    if qthermo_point is not None:
        print(f"  ratio qthermo / qheat per point: {qthermo_point / batch:.0f}x (target >= 200x)")

    floor8, floor16 = floor_per_solve(8), floor_per_solve(16)
    print(
        f"floor: batched complex solve, 8 x 8: {floor8 * 1e6:.2f} us, 16 x 16: {floor16 * 1e6:.2f} us per system"
    )
    print(
        f"  pipeline / floor (one solve per point): 8 x 8 {batch / floor8:.1f}x, 16 x 16 {batch / floor16:.1f}x; "
        f"(two solves per point, one per equation): 8 x 8 {batch / (2 * floor8):.1f}x, "
        f"16 x 16 {batch / (2 * floor16):.1f}x (target within 5x)"
    )

    print("per-point time against the number of points (1 process):")
    for n_g, n_dt in ((1, 1000), (10, 1000), (100, 1000)) + (() if args.quick else ((1000, 1000),)):
        n = n_g * n_dt
        seconds = plane(n_g, n_dt, 1)
        print(f"  {n:>8d} points: {seconds / n * 1e6:7.2f} us per point ({seconds:.2f} s)")
    if not args.quick:
        run = fresh(1000, 1000, 2)
        peak = run["parent_MiB"] + run["worker_MiB"]
        print(f"  (load average now {os.getloadavg()[0]:.2f})")
        print(
            f"10^6-point plane (1000 dT x 1000 g), both equations + Lamb shift, 2 processes: "
            f"{run['seconds']:.1f} s, {1e6 / run['seconds']:.3g} points/s (target <= 20 s)"
        )
        print(
            f"  peak memory: parent {run['parent_MiB']:.0f} MiB + largest worker {run['worker_MiB']:.0f} MiB "
            f"(upper bound for two workers: {run['parent_MiB'] + 2 * run['worker_MiB']:.0f} MiB; target < 2048 MiB; "
            f"parent + one worker {peak:.0f} MiB)"
        )


if __name__ == "__main__":
    main()
