"""HEOM error estimates against the true error: qheat's solve_heom vs an independent reference.

The reference is QuTiP's own HEOM, independent of qheat's exponents, terminator and convergence
loop: ``DrudeLorentzEnvironment(T, lam = gamma wD/2, gamma = wD).approximate("pade", Nk)`` with
QuTiP's ``system_terminator``, the bordered steady-state system of ``HEOMSolver.rhs`` solved by
SuperLU (``MMD_AT_PLUS_A`` ordering; QuTiP's ``steady_state`` gives the same numbers, slower),
and the system-side current ``J_j = -i Tr([H, Q_j] sum_k rho_{e_k}) + Tr(H T_j(rho))``.
Only the Hamiltonian, couplings and bath parameters are taken from qheat's ``OpenSystem``.

It is converged here, in two parts (the depth change is independent of Nk to 1e-3 of itself,
checked at two Nk and the spread added to the uncertainty):

* Nk: at depth ``d_nk`` (3), Nk = 2, 4, 6, 8, 10, 12, 16, 20 until the change is below
  ``1e-6`` of the current or the hierarchy would pass ``--budget`` unknowns;
* depth: at Nk = 2 and 3, depth ``d_nk`` to ``d_nk + 1, ...`` until the change is below
  ``1e-7`` of the current or the hierarchy would pass ``--depth-budget`` unknowns (Pade
  Nk = 2, 3 hold the depth structure of the bath);

reference = J(Nk_last, d_nk) + sum of the depth changes; uncertainty = |last Nk change| (the
Pade series converges faster than 1/Nk^3 from Nk = 8, so the tail is smaller than the last
step) + |last depth change| + the spread of the depth correction between Nk = 2 and 3.

Then qheat's ``solve_heom`` runs with the options its command line, ``qheat validate`` or the
``kato-tanimura`` preset use, and the table gives its current, its error estimate and the true
error ``|J - J_ref|``. Run with ``PYTHONPATH=<another checkout>/src`` to measure another version
of qheat against the same references (``--cache FILE`` keeps them between runs).

Run: ``.venv/bin/python benchmarks/heom_reference.py [--quick] [--cache FILE]`` (one BLAS
thread; ``--quick``: the two-qubit case of issue 21 only).
"""

from __future__ import annotations

import os

os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import argparse  # noqa: E402
import json  # noqa: E402
import math  # noqa: E402
import time  # noqa: E402
import warnings  # noqa: E402
from dataclasses import dataclass  # noqa: E402

import numpy as np  # noqa: E402
import qutip  # noqa: E402
import scipy.sparse as sp  # noqa: E402
from qutip.core.environment import DrudeLorentzEnvironment, system_terminator  # noqa: E402
from qutip.solver.heom import HEOMSolver, HierarchyADOsState  # noqa: E402
from scipy.sparse.linalg import splu  # noqa: E402

from qheat.api import paper_system  # noqa: E402
from qheat.baths import DrudeBath  # noqa: E402
from qheat.compare import KatoTanimuraSpec  # noqa: E402
from qheat.compare.kato_tanimura import kato_tanimura_system  # noqa: E402
from qheat.devices import parse_device  # noqa: E402
from qheat.exact import HeomLevel, HeomOptions, solve_heom  # noqa: E402
from qheat.model import OpenSystem  # noqa: E402

TWO_QUBITS = """
[device]
qubits = 2
hamiltonian = [[0.5, "ZI"], [0.4, "IZ"], [0.1, "XX"]]
[[baths]]
name = "L"
coupling = "XI"
spectral_density = "drude"
gamma = 0.05
omega_d = 5.0
t = 2.0
[[baths]]
name = "R"
coupling = "IX"
spectral_density = "drude"
gamma = 0.05
omega_d = 5.0
t = 1.0
"""
"""Issue 21's two-qubit device (``qheat current --device F --equation heom``)."""

BATTERY = HeomOptions(rtol=2e-3, atol=1e-6, start=HeomLevel(1, 2), max_depth=4)
"""``qheat validate``'s HEOM options (the compare presets with the depth capped at 4)."""

NK_SEQUENCE = (2, 4, 6, 8, 10, 12, 16, 20)


@dataclass(frozen=True)
class Case:
    name: str
    system: OpenSystem
    options: HeomOptions


def cases(quick: bool) -> list[Case]:
    out = [Case("two qubits (issue 21)", parse_device(TWO_QUBITS).system(), HeomOptions())]
    if quick:
        return out
    for fig, (e1, e2, g), grid in (
        ("fig5", (4.0, 4.0, 0.05), (8.0, 40.0, 100.0)),
        ("fig6", (4.0, 3.0, 0.5), (20.0, 50.0, 100.0)),
    ):
        for dT in grid:
            system = paper_system(e1, e2, g, 0.01, 0.01, 50.0, 5.0 + dT, 5.0)
            out.append(Case(f"{fig} gamma 0.01 dT {dT:g}", system, BATTERY))
    spec = KatoTanimuraSpec()
    for zeta in (1.0, 2.0):
        system = kato_tanimura_system(0.1, zeta, spec)
        out.append(Case(f"Kato-Tanimura J12 0.1 zeta {zeta:g}", system, spec.heom))
    return out


def qutip_current(system: OpenSystem, nk: int, depth: int) -> tuple[float, int]:
    """QuTiP's HEOM (Pade Nk, its terminator) at one truncation: (J of bath 0, unknowns)."""
    h = qutip.Qobj(np.asarray(system.hamiltonian))
    d = h.shape[0]
    liouvillian = qutip.liouvillian(h)
    baths, terminators = [], []
    for tag, (bath, q_array) in enumerate(zip(system.baths, system.couplings)):
        if not isinstance(bath, DrudeBath):
            raise TypeError("the reference holds Drude baths only")
        env = DrudeLorentzEnvironment(
            T=float(bath.temperature),
            lam=float(bath.gamma) * float(bath.omega_d) / 2,
            gamma=float(bath.omega_d),
        )
        q = qutip.Qobj(np.asarray(q_array))
        approx, delta = env.approximate("pade", Nk=nk, compute_delta=True, tag=tag)
        baths.append((approx, q))
        terminators.append(system_terminator(q, delta))
        liouvillian = liouvillian + terminators[-1]
    solver = HEOMSolver(liouvillian, baths, max_depth=depth, options={})
    matrix = sp.lil_matrix(solver.rhs(0).to("CSR").data.as_scipy())
    n = matrix.shape[0]
    matrix[0, :] = 0.0
    for i in range(d):  # replace one equation by Tr(rho) = 1
        matrix[0, i * (d + 1)] = 1.0
    rhs = np.zeros(n, dtype=complex)
    rhs[0] = 1.0
    x = splu(sp.csc_matrix(matrix), permc_spec="MMD_AT_PLUS_A").solve(rhs)
    rho = qutip.Qobj(x[: d * d].reshape((d, d), order="F"), dims=h.dims)
    ados = HierarchyADOsState(rho, solver.ados, x.reshape((n // (d * d), d, d)))
    q = baths[0][1]
    sigma = sum(ados.extract(label) for label in ados.filter(level=1, tags=[0]))
    from_terminator = (
        h * qutip.vector_to_operator(terminators[0] * qutip.operator_to_vector(rho))
    ).tr()
    current = -1j * ((h * q - q * h) * sigma).tr() + from_terminator
    return float(np.real(current)), n


def unknowns(system: OpenSystem, nk: int, depth: int) -> int:
    width = (nk + 1) * system.n_baths
    return math.comb(width + depth, depth) * system.dim**2


def reference(
    system: OpenSystem, budget: int, depth_budget: int, d_nk: int = 3
) -> dict[str, float]:
    """QuTiP's converged J of bath 0 (see the module docstring) and its uncertainty."""
    start = time.perf_counter()
    values: list[tuple[int, float]] = []
    for nk in NK_SEQUENCE:
        if unknowns(system, nk, d_nk) > budget:
            break
        values.append((nk, qutip_current(system, nk, d_nk)[0]))
        if len(values) >= 3 and abs(values[-1][1] - values[-2][1]) < 1e-6 * abs(values[-1][1]):
            break
    corrections = []
    last_depth_change = 0.0
    for nk in (2, 3):
        depth, total, change = d_nk, 0.0, 0.0
        previous = qutip_current(system, nk, d_nk)[0]
        while unknowns(system, nk, depth + 1) <= depth_budget and depth < 12:
            depth += 1
            j = qutip_current(system, nk, depth)[0]
            change, previous = j - previous, j
            total += change
            if abs(change) < 1e-7 * abs(j):
                break
        corrections.append(total)
        last_depth_change = max(last_depth_change, abs(change))
    nk_change = abs(values[-1][1] - values[-2][1]) if len(values) > 1 else math.inf
    uncertainty = nk_change + last_depth_change + abs(corrections[1] - corrections[0])
    return {
        "J": values[-1][1] + corrections[1],
        "uncertainty": uncertainty,
        "nk": values[-1][0],
        "depth_correction": corrections[1],
        "seconds": time.perf_counter() - start,
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--cache", help="JSON file keeping the references between runs")
    parser.add_argument("--budget", type=int, default=250_000, help="unknowns per Nk solve")
    parser.add_argument(
        "--depth-budget",
        type=int,
        default=60_000,
        help="unknowns per solve of the depth part (deep hierarchies fill in: 6 GB at 10^5)",
    )
    args = parser.parse_args()
    cache: dict[str, dict[str, float]] = {}
    if args.cache and os.path.exists(args.cache):
        with open(args.cache) as f:
            cache = json.load(f)
    print(f"load average {os.getloadavg()}; OMP_NUM_THREADS={os.environ['OMP_NUM_THREADS']}")
    print(
        "| point | reference J1 (QuTiP Pade) | qheat J1 | order, depth | converged | "
        "estimate | true error | estimate / true | qheat s |"
    )
    print("|---|---|---|---|---|---|---|---|---|")
    for case in cases(args.quick):
        if case.name not in cache:
            cache[case.name] = reference(case.system, args.budget, args.depth_budget)
            if args.cache:
                with open(args.cache, "w") as f:
                    json.dump(cache, f, indent=1)
        ref = cache[case.name]
        start = time.perf_counter()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            result = solve_heom(case.system, case.options)
        seconds = time.perf_counter() - start
        estimate = float(result.errors[0])
        true = abs(result.J1 - ref["J"])
        print(
            f"| {case.name} | {ref['J']:.7e} +- {ref['uncertainty']:.0e} (Nk {ref['nk']:.0f}, "
            f"{ref['seconds']:.0f} s) | {result.J1:.7e} | {result.level.order}, "
            f"{result.level.depth} | {result.converged} | {estimate:.2e} "
            f"({estimate / abs(ref['J']):.3%}) | {true:.2e} ({true / abs(ref['J']):.3%}) | "
            f"{estimate / true:.2f} | {seconds:.1f} |",
            flush=True,
        )


if __name__ == "__main__":
    main()
