"""HEOM cost per point: issue 12's cold qubit and QuTiP's heat-transport tutorial points.

For each case, one ``solve_heom`` (with its convergence loop) and its single solves per
truncation, against a baseline measured in the same run:

* cold qubit (``H = sz/2``, couplings ``sx``, Drude gamma = (0.1, 0.01), wD = 50,
  T = (1, 0.5)): QuTiP's Pade decomposition without terminator (the old qheat default) at
  Nk = 12 and Nk = 30, depth 2, with the sign flips of issue 12 printed;
* tutorial points (Kato and Tanimura 2015, Fig. 3a; ``J12 = 0.1``): QuTiP's own recipe
  (Pade Nk = 1 with its terminator, depth 7, QuTiP's ``steady_state``).

Run: ``.venv/bin/python benchmarks/bench_heom.py [--quick]`` (single-threaded BLAS is set here).
"""

from __future__ import annotations

import os

os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import sys  # noqa: E402
import time  # noqa: E402
import warnings  # noqa: E402

import numpy as np  # noqa: E402
import qutip  # noqa: E402
from qutip.core.environment import DrudeLorentzEnvironment, system_terminator  # noqa: E402
from qutip.solver.heom import HEOMSolver  # noqa: E402

from qheat.api import solve  # noqa: E402
from qheat.baths import DrudeBath  # noqa: E402
from qheat.compare import KatoTanimuraSpec  # noqa: E402
from qheat.compare.kato_tanimura import kato_tanimura_system  # noqa: E402
from qheat.exact import HeomOptions, solve_heom  # noqa: E402
from qheat.model import OpenSystem  # noqa: E402

SX = np.array([[0.0, 1.0], [1.0, 0.0]])
SZ = np.diag([1.0, -1.0])


def cold_qubit() -> OpenSystem:
    baths = (DrudeBath(0.1, 50.0, 1.0), DrudeBath(0.01, 50.0, 0.5))
    return OpenSystem(0.5 * SZ, (SX, SX), baths, bath_names=("hot", "cold"))


def qutip_pade_current(nk: int, depth: int) -> tuple[float, float]:
    """Old default: QuTiP Pade without terminator, QuTiP's steady_state; (J_hot, seconds)."""
    start = time.perf_counter()
    q = qutip.sigmax()
    envs = []
    for tag, (gamma, temp) in enumerate(((0.1, 1.0), (0.01, 0.5))):
        env = DrudeLorentzEnvironment(T=temp, lam=gamma * 50 / 2, gamma=50.0, tag=tag)
        envs.append((env.approximate("pade", Nk=nk, tag=tag), q))
    h = 0.5 * qutip.sigmaz()
    _, ados = HEOMSolver(h, envs, max_depth=depth, options={}).steady_state()
    sigma = sum(ados.extract(label) for label in ados.filter(level=1, tags=[0]))
    current = -1j * ((h * q - q * h) * sigma).tr()
    return float(np.real(current)), time.perf_counter() - start


def tutorial_current(j12: float, zeta: float, depth: int = 7) -> tuple[float, float]:
    """QuTiP's tutorial recipe at one point; (J1 system-side, seconds)."""
    start = time.perf_counter()
    sp, sz, sx, one = qutip.sigmap(), qutip.sigmaz(), qutip.sigmax(), qutip.identity(2)
    h = 0.5 * (qutip.tensor(sz + one, one) + qutip.tensor(one, sz + one))
    h = h + j12 * (qutip.tensor(sp, sp.dag()) + qutip.tensor(sp.dag(), sp))
    qs = (qutip.tensor(sx, one), qutip.tensor(one, sx))
    baths, liou, deltas = [], qutip.liouvillian(h), []
    for tag, (q, temp) in enumerate(zip(qs, (2.02, 1.98))):
        env = DrudeLorentzEnvironment(T=temp, lam=zeta * j12 / 2, gamma=2.0, tag=tag)
        approx, delta = env.approximate("pade", Nk=1, compute_delta=True, tag=tag)
        baths.append((approx, q))
        liou = liou + system_terminator(q, delta)
        deltas.append(delta)
    _, ados = HEOMSolver(liou, baths, max_depth=depth, options={}).steady_state()
    q, delta = qs[0], deltas[0]
    a = h * q - q * h
    sigma = sum(ados.extract(label) for label in ados.filter(level=1, tags=[0]))
    current = -1j * (a * sigma).tr() - delta * ((a * q - q * a) * ados.rho).tr()
    return float(np.real(current)), time.perf_counter() - start


def report(name: str, system: OpenSystem, options: HeomOptions) -> float:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        start = time.perf_counter()
        result = solve_heom(system, options)
        total = time.perf_counter() - start
    print(
        f"{name}: J = {result.currents_by_name}, converged = {result.converged}, "
        f"order {result.level.order}, depth {result.level.depth}, error estimate "
        f"{result.error_estimate:.2e} ({result.error_estimate / abs(result.J1):.2%}), "
        f"{total:.2f} s in {len(result.history)} solves"
    )
    for p in result.history:
        print(
            f"    order {p.level.order:3d} depth {p.level.depth}: J1 = {p.currents[0]:+.6e}  "
            f"{p.n_ados:6d} ADOs  {p.seconds:7.2f} s"
        )
    return total


def main() -> None:
    quick = "--quick" in sys.argv
    print(f"load average {os.getloadavg()}; OMP_NUM_THREADS={os.environ['OMP_NUM_THREADS']}")
    system = cold_qubit()
    print("\n== cold qubit (issue 12) ==")
    print(f"Bloch-Redfield J_hot = {float(solve(system).J1):+.6e}")
    baseline = []
    for nk in (3, 4, 6, 12) + (() if quick else (16, 30)):
        j, sec = qutip_pade_current(nk, 2)
        baseline.append(sec)
        print(
            f"old default (QuTiP Pade, no terminator) Nk = {nk:2d}, depth 2: J_hot = {j:+.4e}"
            f"  {sec:.2f} s"
        )
    budget = 20_000 if quick else 100_000
    total = report(
        f"qheat solve_heom (max_unknowns {budget})", system, HeomOptions(max_unknowns=budget)
    )
    print(
        f"ratio: solve_heom / one old Pade Nk={12 if quick else 30} solve = "
        f"{total / baseline[-1]:.1f}"
    )
    print("\n== Kato-Tanimura tutorial points (J12 = 0.1) ==")
    spec = KatoTanimuraSpec()
    for zeta in (0.25, 1.0) if quick else (0.25, 1.0, 2.0, 4.0):
        ref, ref_sec = tutorial_current(0.1, zeta)
        total = report(f"zeta = {zeta:g}", kato_tanimura_system(0.1, zeta, spec), spec.heom)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            ours = solve_heom(kato_tanimura_system(0.1, zeta, spec), spec.heom).J1
        print(
            f"    QuTiP tutorial recipe (Nk=1 + terminator, depth 7): J1 = {ref:+.6e} "
            f"({(ours - ref) / abs(ref):+.3%} from qheat), {ref_sec:.2f} s; "
            f"ratio qheat / recipe = {total / ref_sec:.1f}"
        )


if __name__ == "__main__":
    main()
