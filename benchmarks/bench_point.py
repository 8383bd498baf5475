"""One parameter point, unbatched: qheat (both equations, Lamb shift) against QuTiP.

Baseline, measured in the same run: QuTiP 5 ``bloch_redfield_tensor`` + ``steadystate`` for the
same point and the same spectra (``S_QuTiP(w) = 2 G(w)``, no Lamb shift, full Bloch-Redfield
with ``sec_cutoff=-1``; see tests/test_qutip_crosscheck.py for the mapping). qheat's time covers
building the system and solving both master equations (steady states, currents, diagnostics).
Both are timed in alternating rounds, so that they see the same machine load; prints the
best and median per-point times, and the median over rounds of the per-round ratio (target:
qheat >= 20x faster).

Run: ``.venv/bin/python benchmarks/bench_point.py`` (single-threaded BLAS is set here).
"""

from __future__ import annotations

import os

os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import statistics  # noqa: E402
import time  # noqa: E402
from collections.abc import Callable  # noqa: E402

import numpy as np  # noqa: E402
import qutip  # noqa: E402

import qheat  # noqa: E402

POINT = (5.0, 4.0, 0.5, 0.01, 0.01, 50.0, 15.0, 5.0)  # e1, e2, g, gamma1, gamma2, wD, T1, T2
DIMS = [[2, 2], [2, 2]]


def drude_spectrum(gamma: float, omega_d: float, temperature: float) -> Callable[[float], float]:
    """QuTiP's spectrum ``2 G(w) = 2 J(w) (n(w) + 1)``, plain numpy (one argument named w)."""

    def spectrum(w: float) -> float:
        if abs(w) < 1e-12:
            return 2.0 * gamma * temperature
        return float(2.0 * gamma * w / (1.0 + (w / omega_d) ** 2) / -np.expm1(-w / temperature))

    return spectrum


def qheat_point() -> None:
    system = qheat.paper_system(*POINT)
    qheat.solve(system, qheat.BlochRedfield())
    qheat.solve(system, qheat.GlobalLindblad())


def qutip_point(h: qutip.Qobj, a_ops: list[tuple[qutip.Qobj, Callable[[float], float]]]) -> None:
    tensor = qutip.bloch_redfield_tensor(h, a_ops, sec_cutoff=-1, fock_basis=True)
    qutip.steadystate(tensor)


def interleaved(
    ours: Callable[[], None], theirs: Callable[[], None], rounds: int = 40
) -> tuple[list[float], list[float], list[float]]:
    """Per-call times of both, measured in alternating rounds (8 of ours, 2 of theirs).

    Both sides see the same machine load, so the per-round ratios stay steady when other jobs
    come and go. Returns (our times, their times, the ratio of the round medians per round).
    """
    ours()
    theirs()  # warm up
    mine_all, theirs_all, ratios = [], [], []
    for _ in range(rounds):
        mine = [_clock(ours) for _ in range(8)]
        other = [_clock(theirs) for _ in range(2)]
        mine_all += mine
        theirs_all += other
        ratios.append(statistics.median(other) / statistics.median(mine))
    return mine_all, theirs_all, ratios


def _clock(function: Callable[[], None]) -> float:
    start = time.perf_counter()
    function()
    return time.perf_counter() - start


def main() -> None:
    e1, e2, g, gamma1, gamma2, wd, t1, t2 = POINT
    system = qheat.paper_system(*POINT)
    h = qutip.Qobj(system.hamiltonian, dims=DIMS)
    a_ops = [
        (qutip.Qobj(system.couplings[0], dims=DIMS), drude_spectrum(gamma1, wd, t1)),
        (qutip.Qobj(system.couplings[1], dims=DIMS), drude_spectrum(gamma2, wd, t2)),
    ]
    ours, theirs, ratios = interleaved(qheat_point, lambda: qutip_point(h, a_ops))
    print(
        f"point e=({e1:g},{e2:g}) g={g:g} gamma=({gamma1:g},{gamma2:g}) wD={wd:g} T=({t1:g},{t2:g})"
    )
    print(f"load average {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores (shared)")
    print(
        f"qheat, both equations, Lamb shift: best {min(ours) * 1e3:.3f} ms, "
        f"median {statistics.median(ours) * 1e3:.3f} ms per point"
    )
    print(
        f"QuTiP BR tensor + steadystate (no Lamb shift): best {min(theirs) * 1e3:.3f} ms, "
        f"median {statistics.median(theirs) * 1e3:.3f} ms per point"
    )
    print(
        f"ratio QuTiP / qheat: best/best {min(theirs) / min(ours):.1f}x, median of "
        f"{len(ratios)} interleaved rounds {statistics.median(ratios):.1f}x "
        f"(lowest round {min(ratios):.1f}x; target >= 20x)"
    )
    # agreement (no Lamb shift, where QuTiP and qheat solve the same equation)
    ref = qutip.steadystate(qutip.bloch_redfield_tensor(h, a_ops, sec_cutoff=-1, fock_basis=True))
    sol = qheat.solve(system, qheat.BlochRedfield(lamb_shift=False))
    diff = np.max(np.abs(sol.state.rho_lab - ref.full()))
    print(f"check: |rho_qheat - rho_QuTiP| = {diff:.1e} (BR without Lamb shift, lab basis)")


if __name__ == "__main__":
    main()
