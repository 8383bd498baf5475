"""Large devices: time and peak memory per point against the dense path and QuTiP (issue 22).

The device: an XXZ chain of ``n`` qubits with a field gradient,

    H = sum_k (h_k / 2) Z_k + (1/4) sum_k (X_k X_k+1 + Y_k Y_k+1 + Delta Z_k Z_k+1),
    h_k = 1 + 0.1 k,

``Delta = 0.5`` (``--model xxz``) or ``0`` (``--model xx``), with two Drude baths (``gamma =
0.01``, ``omega_d = 10``, Lamb shift on) on ``X`` of the end qubits (both on the one qubit
for ``n = 1``), the left one at ``T = 2``, the right one at ``T = 0.5``. Units hbar = kB = 1.

Every measurement runs in a fresh subprocess (this process imports neither numpy nor qheat),
which first solves the 2-qubit chain by the same method (numba's compiled loops load from
their cache, QuTiP's first call) and then times the point: the construction of the
``OpenSystem`` (or of QuTiP's ``Qobj``) and the solve, the median of up to 5 repeats while
they take less than a second in total. Its peak memory is the peak resident set size of that
process, ``VmHWM`` (``resource.getrusage``'s ``ru_maxrss`` is printed too: it also counts what
the parent process held at ``exec``, little here).

``--table``: the d-scaling table, ``d = 2 ... 1024`` (``n = 1 ... 10``), for Bloch-Redfield
(``"br"``) and the global Lindblad equation (``"lindblad"``), each by

* ``qheat.solve(..., solver="dense")`` (the block solve of the assembled Liouvillian, ``d^4``
  memory), until the time or memory projected from the previous point (``d^6`` time, ``d^4``
  memory above the import baseline) exceeds ``--max-seconds`` or ``--max-mib``;
* ``qheat.solve(..., solver="krylov")`` (matrix-free GMRES);
* QuTiP 5, while its projection fits the same limits: ``bloch_redfield_tensor(H, a_ops,
  sec_cutoff=-1, fock_basis=True)`` + ``steadystate`` for Bloch-Redfield; for the global
  Lindblad equation the secular tensor, ``sec_cutoff`` set so that QuTiP keeps the pairs of
  Bohr frequencies closer than qheat's ``degeneracy_tol`` (QuTiP multiplies ``sec_cutoff``
  by the smallest level spacing), also with ``fock_basis=True``. Spectra ``2 G(w)``,
  ``G(w) = J(w) (n(w) + 1)``, ``J(w) = gamma w / (1 + (w / omega_d)^2)``, no Lamb shift:
  QuTiP's currents are compared with qheat's ``lamb_shift=False`` solve of the same point
  (the currents of QuTiP's state are ``Tr(H_S D_j(rho))`` with qheat's dissipators).

``--targets``: the XXZ and XX chains at ``--sizes`` (default 8 and 10) qubits, Bloch-Redfield
with the Lamb shift, ``solver="auto"`` (Krylov), with ``OMP_NUM_THREADS`` (and
``OPENBLAS_NUM_THREADS``) set to each of ``--threads`` (default 1 and 2): time, peak memory
and GMRES iterations, against the issue's targets (8 qubits <= 2 s, 10 qubits <= 60 s and
<= 4 GB).

The load average (1 min) before and after every measurement is printed with it: the machine is
shared, absolute times grow with the load.

Run: ``.venv/bin/python benchmarks/bench_large.py --table [--max-qubits 10]`` and
``.venv/bin/python benchmarks/bench_large.py --targets [--sizes 8 10 12] [--threads 1 2]``.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve()
GAMMA, OMEGA_D = 0.01, 10.0
T_LEFT, T_RIGHT = 2.0, 0.5
FIELD_GRADIENT = 0.1
DELTA = {"xxz": 0.5, "xx": 0.0}
REPEAT_SECONDS, MAX_REPEATS = 1.0, 5
CHILD_TIMEOUT = 3600.0
MIB = 2.0**20


# --------------------------------------------------------------- the device (child only)
def chain_operators(n: int, delta: float) -> tuple[Any, Any, Any]:
    """``H``, ``X`` of the first qubit and ``X`` of the last (dense, built as sparse Kronecker
    products of Pauli matrices)."""
    import numpy as np
    import scipy.sparse as sp

    pauli = {
        "X": sp.csr_matrix(np.array([[0, 1], [1, 0]], dtype=complex)),
        "Y": sp.csr_matrix(np.array([[0, -1j], [1j, 0]])),
        "Z": sp.csr_matrix(np.array([[1, 0], [0, -1]], dtype=complex)),
    }

    def at(sites: dict[int, str]) -> Any:
        out = sp.identity(1, dtype=complex, format="csr")
        for k in range(n):
            factor = pauli[sites[k]] if k in sites else sp.identity(2, format="csr")
            out = sp.kron(out, factor, format="csr")
        return out

    h = sum(0.5 * (1 + FIELD_GRADIENT * k) * at({k: "Z"}) for k in range(n))
    for k in range(n - 1):
        for letter, scale in (("X", 0.25), ("Y", 0.25), ("Z", 0.25 * delta)):
            h = h + scale * at({k: letter, k + 1: letter})
    return h.toarray(), at({0: "X"}).toarray(), at({n - 1: "X"}).toarray()


def open_system(parts: tuple[Any, Any, Any]) -> Any:
    import qheat

    h, left, right = parts
    n = int(round(math.log2(h.shape[0])))
    baths = (qheat.DrudeBath(GAMMA, OMEGA_D, T_LEFT), qheat.DrudeBath(GAMMA, OMEGA_D, T_RIGHT))
    return qheat.OpenSystem(
        h, (left, right), baths, bath_names=("left", "right"), subsystem_dims=(2,) * n
    )


def equation(name: str, lamb_shift: bool) -> Any:
    import qheat

    return qheat.BlochRedfield(lamb_shift) if name == "br" else qheat.GlobalLindblad(lamb_shift)


def _spectrum(temperature: float) -> Any:
    """QuTiP's spectrum ``2 G(w)`` of a Drude bath: a function of one argument named ``w``."""
    import math

    def spectrum(w: float) -> float:
        if abs(w) < 1e-12:
            return 2.0 * GAMMA * temperature
        return 2.0 * GAMMA * w / (1.0 + (w / OMEGA_D) ** 2) / -math.expm1(-w / temperature)

    return spectrum


def qutip_state(parts: tuple[Any, Any, Any], name: str, tol: float) -> Any:
    """QuTiP's steady state of the point in the lab basis (module docstring)."""
    import numpy as np
    import qutip

    h, left, right = parts
    n = int(round(np.log2(h.shape[0])))
    dims = [[2] * n, [2] * n]
    a_ops = [
        (qutip.Qobj(left, dims=dims), _spectrum(T_LEFT)),
        (qutip.Qobj(right, dims=dims), _spectrum(T_RIGHT)),
    ]
    hamiltonian = qutip.Qobj(h, dims=dims)
    if name == "br":
        tensor = qutip.bloch_redfield_tensor(hamiltonian, a_ops, sec_cutoff=-1, fock_basis=True)
        return qutip.steadystate(tensor).full()
    levels = np.linalg.eigvalsh(h)
    spacing = np.abs(levels[:, None] - levels[None, :])
    smallest = float(spacing[spacing != 0].min())  # QuTiP's dw_min
    tensor = qutip.bloch_redfield_tensor(
        hamiltonian, a_ops, sec_cutoff=tol / smallest, fock_basis=True
    )
    return qutip.steadystate(tensor).full()


def _high_water_mib() -> float:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return float(line.split()[1]) / 1024.0
    return float("nan")


def _currents_of(parts: tuple[Any, Any, Any], name: str, rho_lab: Any) -> list[float]:
    """``Tr(H_S D_j(rho))`` of a lab-basis state with qheat's dissipators (no Lamb shift)."""
    import qheat

    generator = equation(name, False).generator(open_system(parts))
    rho = generator.eigenbasis.to_eigen(rho_lab)
    dissipated = generator.operator_form(0).dissipate(rho)
    return [float(j) for j in qheat.heat_currents(generator, rho, dissipated)]


def measure(spec: dict[str, Any]) -> dict[str, Any]:
    """One measurement (the keys of ``spec``: n, model, equation, method, lamb_shift)."""
    import resource
    import warnings

    import numpy as np

    import qheat

    warnings.simplefilter("ignore")  # diagnostics are read from the Solution, not warned
    n, method, name = int(spec["n"]), spec["method"], spec["equation"]
    delta = DELTA[spec["model"]]
    lamb_shift = bool(spec.get("lamb_shift", True))

    def run(parts: tuple[Any, Any, Any]) -> Any:
        if method == "qutip":
            return qutip_state(parts, name, qheat.OpenSystem.degeneracy_tol)
        solver = {"dense": "dense", "krylov": "krylov", "auto": "auto"}[method]
        return qheat.solve(open_system(parts), equation(name, lamb_shift), solver=solver)

    out: dict[str, Any] = {"spec": spec, "load_before": os.getloadavg()[0]}
    if method != "none":
        run(chain_operators(2, delta))  # warm-up: compiled loops from their cache, first calls
    out["baseline_mib"] = _high_water_mib()
    if method == "none":
        return out
    parts = chain_operators(n, delta)
    times: list[float] = []
    while not times or (sum(times) < REPEAT_SECONDS and len(times) < MAX_REPEATS):
        start = time.perf_counter()
        result = run(parts)
        times.append(time.perf_counter() - start)
    out["seconds"] = statistics.median(times)
    out["repeats"] = len(times)
    out["peak_mib"] = _high_water_mib()
    out["maxrss_mib"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0
    if method == "qutip":
        out["currents"] = _currents_of(parts, name, result)
        reference = qheat.solve(open_system(parts), equation(name, False))
        out["reference"] = [float(j) for j in reference.currents]
    else:
        out["currents"] = [float(j) for j in result.currents]
        out["solver"] = result.state.solver
        iterations = result.state.iterations
        out["iterations"] = None if iterations is None else int(np.max(iterations))
        out["residual"] = float(np.max(result.state.residual))
        ratio = result.weak_coupling_ratio
        out["weak_coupling_ratio"] = None if ratio is None else float(np.max(ratio))
        secular = result.secular_ratio
        out["secular_ratio"] = None if secular is None else float(np.max(secular))
        out["second_law_broken"] = bool(np.any(result.second_law_broken))
    out["load_after"] = os.getloadavg()[0]
    return out


# --------------------------------------------------------------- the parent
def child(spec: dict[str, Any], threads: int = 1) -> dict[str, Any]:
    """``measure(spec)`` in a fresh process with ``threads`` BLAS threads."""
    env = {**os.environ, "OMP_NUM_THREADS": str(threads), "OPENBLAS_NUM_THREADS": str(threads)}
    load = os.getloadavg()[0]
    try:
        done = subprocess.run(
            [sys.executable, str(HERE), "--point", json.dumps(spec)],
            env=env,
            capture_output=True,
            text=True,
            timeout=CHILD_TIMEOUT,
        )
    except subprocess.TimeoutExpired:
        return {"spec": spec, "error": f"timeout after {CHILD_TIMEOUT:.0f} s", "load_before": load}
    if done.returncode != 0:
        last = (done.stderr.strip().splitlines() or [f"exit {done.returncode}"])[-1]
        return {"spec": spec, "error": last, "load_before": load}
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    result["threads"] = threads
    return result


def _relative(a: list[float], b: list[float]) -> float:
    scale = max(abs(x) for x in b)
    return max(abs(x - y) for x, y in zip(a, b)) / scale


def _ratio(slow: dict[str, Any], fast: dict[str, Any]) -> str:
    x = float(slow["seconds"]) / float(fast["seconds"])
    return f"{x:.0f}x" if x >= 10 else f"{x:.2f}x"


def _time(r: dict[str, Any] | None) -> str:
    if r is None:
        return "-"
    if "error" in r:
        return f"failed ({r['error'][:60]})"
    if "skipped" in r:
        return str(r["skipped"])
    s = r["seconds"]
    return f"{s * 1e3:.1f} ms" if s < 1 else f"{s:.2f} s"


def _memory(r: dict[str, Any] | None) -> str:
    if r is None or "peak_mib" not in r:
        return "-"
    return f"{r['peak_mib']:.0f} MiB"


def table(args: argparse.Namespace) -> None:
    baseline = child({"n": 1, "model": args.model, "equation": "br", "method": "none"})
    base = float(baseline["baseline_mib"])
    print(f"import baseline (python + numpy + scipy + qheat): {base:.0f} MiB")
    records: list[dict[str, Any]] = []
    for name in ("br", "lindblad"):
        label = "Bloch-Redfield" if name == "br" else "global Lindblad"
        print(f"\n{label}, {args.model} chain, {args.threads} BLAS thread(s)\n")
        print(
            "| n | d | dense | dense peak | krylov | krylov peak | GMRES its | QuTiP | "
            "QuTiP peak | dense / krylov | QuTiP / krylov | krylov vs dense | "
            "QuTiP vs qheat (no LS) | load |"
        )
        print("|" + "---|" * 14)
        last: dict[str, dict[str, Any]] = {}
        for n in range(1, args.max_qubits + 1):
            row: dict[str, dict[str, Any] | None] = {}
            for method in ("dense", "krylov", "qutip"):
                previous = last.get(method)
                why = _too_big(previous, base, args) if method != "krylov" else None
                if why:
                    row[method] = {"skipped": why}
                    continue
                spec = {"n": n, "model": args.model, "equation": name, "method": method}
                result = child(spec, args.threads)
                row[method] = result
                if "error" not in result:
                    last[method] = result
                else:
                    last[method] = {"seconds": float("inf"), "peak_mib": float("inf")}
            records.append({"n": n, "equation": name, **{k: v for k, v in row.items()}})
            print(_row(n, row), flush=True)
    if args.out:
        Path(args.out).write_text(json.dumps(records, indent=1))


def _too_big(previous: dict[str, Any] | None, base: float, args: argparse.Namespace) -> str:
    """Why the next size is not run, from the previous one's time (``d^6``) and memory above
    the baseline (``d^4``); empty if it fits."""
    if previous is None:
        return ""
    if "skipped" in previous:
        return str(previous["skipped"])
    seconds = 64.0 * float(previous["seconds"])
    mib = base + 16.0 * max(0.0, float(previous["peak_mib"]) - base)
    if seconds > args.max_seconds or mib > args.max_mib:
        return f"not run (projected {seconds:.0f} s, {mib / 1024:.1f} GiB)"
    return ""


def _row(n: int, row: dict[str, dict[str, Any] | None]) -> str:
    dense, krylov, qutip = row["dense"], row["krylov"], row["qutip"]

    def ok(r: dict[str, Any] | None) -> bool:
        return r is not None and "seconds" in r

    ratio_dense = _ratio(dense, krylov) if ok(dense) and ok(krylov) else "-"
    ratio_qutip = _ratio(qutip, krylov) if ok(qutip) and ok(krylov) else "-"
    agree = _relative(krylov["currents"], dense["currents"]) if ok(dense) and ok(krylov) else None
    cross = _relative(qutip["currents"], qutip["reference"]) if ok(qutip) else None
    its = krylov.get("iterations") if ok(krylov) else None
    loads = [r[k] for r in (dense, krylov, qutip) if ok(r) for k in ("load_before", "load_after")]
    load = f"{min(loads):.1f}-{max(loads):.1f}" if loads else "-"
    return (
        f"| {n} | {2**n} | {_time(dense)} | {_memory(dense)} | {_time(krylov)} | "
        f"{_memory(krylov)} | {its if its is not None else '-'} | {_time(qutip)} | "
        f"{_memory(qutip)} | {ratio_dense} | {ratio_qutip} | "
        f"{'-' if agree is None else f'{agree:.1e}'} | {'-' if cross is None else f'{cross:.1e}'} "
        f"| {load} |"
    )


TARGETS = {8: (2.0, None), 10: (60.0, 4096.0)}
"""Seconds and MiB per point that the issue asks for (12 qubits: time reported)."""


def targets(args: argparse.Namespace) -> None:
    print(
        "| model | n | d | BLAS threads | time | peak memory | GMRES its | residual | "
        "target | load before-after |"
    )
    print("|" + "---|" * 10)
    records = []
    for n in args.sizes:
        for model in args.models:
            for threads in args.threads:
                spec = {"n": n, "model": model, "equation": "br", "method": "auto"}
                r = child(spec, threads)
                records.append(r)
                seconds, mib = TARGETS.get(n, (None, None))
                if "error" in r:
                    print(f"| {model} | {n} | {2**n} | {threads} | {_time(r)} | | | | | |")
                    continue
                met = []
                if seconds is not None:
                    met.append(f"<= {seconds:.0f} s: {'yes' if r['seconds'] <= seconds else 'NO'}")
                if mib is not None:
                    met.append(f"<= 4 GB: {'yes' if r['peak_mib'] <= mib else 'NO'}")
                print(
                    f"| {model} | {n} | {2**n} | {threads} | {_time(r)} | {_memory(r)} | "
                    f"{r['iterations']} | {r['residual']:.1e} | {', '.join(met) or 'reported'} | "
                    f"{r['load_before']:.2f}-{r['load_after']:.2f} |",
                    flush=True,
                )
    if args.out:
        Path(args.out).write_text(json.dumps(records, indent=1))


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    mode = parser.add_mutually_exclusive_group(required=True)
    mode.add_argument("--table", action="store_true", help="the d-scaling table")
    mode.add_argument("--targets", action="store_true", help="the issue's large-chain targets")
    mode.add_argument("--point", help=argparse.SUPPRESS)  # one measurement (JSON spec)
    parser.add_argument("--model", choices=sorted(DELTA), default="xxz", help="for --table")
    parser.add_argument("--max-qubits", type=int, default=10, help="for --table")
    parser.add_argument("--max-seconds", type=float, default=300.0, help="projection limit")
    parser.add_argument("--max-mib", type=float, default=4096.0, help="projection limit")
    parser.add_argument("--threads", type=int, nargs="+", default=None, help="BLAS threads")
    parser.add_argument("--sizes", type=int, nargs="+", default=[8, 10], help="for --targets")
    parser.add_argument("--models", nargs="+", choices=sorted(DELTA), default=["xxz", "xx"])
    parser.add_argument("--out", help="write the measurements as JSON to this file")
    args = parser.parse_args()
    if args.point:
        print(json.dumps(measure(json.loads(args.point))))
        return
    print(
        f"cores={os.cpu_count()} load average {os.getloadavg()[0]:.2f} "
        f"({time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())})"
    )
    if args.table:
        args.threads = (args.threads or [1])[0]
        table(args)
    else:
        args.threads = args.threads or [1, 2]
        targets(args)


if __name__ == "__main__":
    main()
