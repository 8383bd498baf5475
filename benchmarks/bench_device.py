"""Devices of any size: per-point cost of a sweep against QuTiP, and against the bare solve.

A chain of ``n`` qubits (``d = 2^n``; Z fields 0.5, 0.4, 0.3, 0.45 and XX couplings 0.2 between
neighbours) with a Drude bath on X of each qubit (two baths for ``n = 1``, on X and on Y); the
middle bath's temperature is swept. For each ``d`` in the same run:

* qheat: :func:`qheat.sweep` of the chain builder, Bloch-Redfield, per point (chunks of
  ``max(64, 2^16 / d^2)`` points), without and with the Lamb shift; without it in 3 rounds
  alternating with the floor below (medians of the times and of the per-round ratios);
* QuTiP 5: ``bloch_redfield_tensor(H, a_ops, sec_cutoff=-1, fock_basis=True)`` + ``steadystate``
  per point on a sample of points, spectra ``2 G(w)`` (no Lamb shift: the same physics as
  qheat's ``lamb_shift=False``; the currents are compared);
* the floor: ``numpy.linalg.solve`` of a batch of random ``d^2 x d^2`` complex systems.

Run: ``.venv/bin/python benchmarks/bench_device.py [--sizes 2 4 8 16]``.
"""

from __future__ import annotations

import os

os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import argparse  # noqa: E402
import time  # noqa: E402
import warnings  # noqa: E402
from functools import reduce  # noqa: E402

import numpy as np  # noqa: E402

import qheat  # noqa: E402
from bench_sweep import floor_per_solve  # noqa: E402  (the same floor as the sweep benchmark)

I2, X, Y, Z = (
    np.eye(2),
    np.array([[0, 1], [1, 0.0]]),
    np.array([[0, -1j], [1j, 0]]),
    np.diag([1.0, -1]),
)
FIELDS = (0.5, 0.4, 0.3, 0.45)
GAMMA, OMEGA_D = 0.01, 40.0
ROUNDS = 3
"""Rounds of qheat (no Lamb shift) alternating with the floor; the medians are reported."""


def site(op: np.ndarray, k: int, n: int) -> np.ndarray:
    return reduce(np.kron, [op if q == k else I2 for q in range(n)])


def chain_parts(n: int) -> tuple[np.ndarray, list[np.ndarray]]:
    h = sum(FIELDS[k] * site(Z, k, n) for k in range(n))
    h = h + sum(0.2 * site(X, k, n) @ site(X, k + 1, n) for k in range(n - 1))
    couplings = [site(X, k, n) for k in range(n)] if n > 1 else [X, Y]
    return np.asarray(h, dtype=complex), couplings


def temperatures(n_baths: int, t_mid: np.ndarray | float) -> list[np.ndarray | float]:
    temps: list[np.ndarray | float] = list(np.linspace(1.0, 0.3, n_baths))
    temps[n_baths // 2] = t_mid
    return temps


class Chain:
    """A picklable builder ``build(t_mid=...)`` of the ``n``-qubit chain."""

    def __init__(self, n: int) -> None:
        self.n = n
        self.h, self.couplings = chain_parts(n)

    def __call__(self, t_mid: np.ndarray | float) -> qheat.OpenSystem:
        baths = tuple(
            qheat.DrudeBath(GAMMA, OMEGA_D, t) for t in temperatures(len(self.couplings), t_mid)
        )
        dims = (2,) * self.n if self.n > 1 else None
        return qheat.OpenSystem(self.h, tuple(self.couplings), baths, subsystem_dims=dims)


def qheat_per_point(n: int, points: int, lamb_shift: bool) -> tuple[float, np.ndarray]:
    build = Chain(n)
    d = 2**n
    t_mid = np.linspace(0.2, 2.0, points)
    chunk = max(64, 2**16 // d**2)
    start = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ds = qheat.sweep(
            build,
            {"t_mid": t_mid},
            equations=[qheat.BlochRedfield(lamb_shift)],
            chunk_size=chunk,
            progress=False,
        )
    return (time.perf_counter() - start) / points, np.asarray(ds["J"].sel(equation="br"))


def qutip_per_point(n: int, t_mids: np.ndarray) -> tuple[float, np.ndarray]:
    import qutip

    h, couplings = chain_parts(n)
    dims = [[2] * n, [2] * n]
    total, currents = 0.0, []
    for t_mid in t_mids:
        temps = temperatures(len(couplings), float(t_mid))
        a_ops = [(qutip.Qobj(a, dims=dims), _spectrum(float(t))) for a, t in zip(couplings, temps)]
        start = time.perf_counter()
        rho = qutip.steadystate(
            qutip.bloch_redfield_tensor(
                qutip.Qobj(h, dims=dims), a_ops, sec_cutoff=-1, fock_basis=True
            )
        )
        total += time.perf_counter() - start
        system = Chain(n)(float(t_mid))
        currents.append(_currents_of(system, rho.full()))
    return total / len(t_mids), np.array(currents).T


def _currents_of(system: qheat.OpenSystem, rho_lab: np.ndarray) -> np.ndarray:
    """Heat currents of a lab-basis state with qheat's Bloch-Redfield dissipators (no Lamb
    shift): the same definition applied to QuTiP's state."""
    gen = qheat.BlochRedfield(lamb_shift=False).generator(system)
    rho = gen.eigenbasis.to_eigen(rho_lab)
    return qheat.heat_currents(gen, rho)


def _spectrum(temperature: float):  # type: ignore[no-untyped-def]
    def spectrum(w: float) -> float:
        if abs(w) < 1e-12:
            return 2.0 * GAMMA * temperature
        return float(2.0 * GAMMA * w / (1.0 + (w / OMEGA_D) ** 2) / -np.expm1(-w / temperature))

    return spectrum


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--sizes", type=int, nargs="+", default=[2, 4, 8, 16], help="dimensions d (powers of 2)"
    )
    args = parser.parse_args()
    print(
        f"cores={os.cpu_count()} load average {os.getloadavg()[0]:.2f} OMP_NUM_THREADS={os.environ['OMP_NUM_THREADS']}"
    )
    print(
        "| d | baths | qheat, no Lamb shift | qheat, Lamb shift | QuTiP | QuTiP / qheat | floor: d^2 solve | qheat / floor | max rel. diff. of currents |"
    )
    print("|---|---|---|---|---|---|---|---|---|")
    for d in args.sizes:
        n = int(round(np.log2(d)))
        points = {2: 8192, 4: 8192, 8: 2048, 16: 256}.get(d, 256)
        # qheat and the floor alternate in rounds (the same load for both); medians reported
        rounds = []
        for _ in range(ROUNDS):
            plain, j_plain = qheat_per_point(n, points, lamb_shift=False)
            rounds.append((plain, floor_per_solve(d * d, max(64, 2**16 // d**2))))
        plain = float(np.median([p for p, _ in rounds]))
        floor = float(np.median([f for _, f in rounds]))
        over_floor = float(np.median([p / f for p, f in rounds]))
        shifted, _ = qheat_per_point(n, points, lamb_shift=True)
        sample = np.linspace(0.2, 2.0, points)[:: max(1, points // 12)]
        qutip_point, j_qutip = qutip_per_point(n, sample)
        index = np.searchsorted(np.linspace(0.2, 2.0, points), sample)
        ref = j_plain[:, index]
        diff = float(np.max(np.abs(ref - j_qutip)) / np.max(np.abs(ref)))
        n_baths = len(chain_parts(n)[1])
        print(
            f"| {d} | {n_baths} | {plain * 1e6:.1f} us | {shifted * 1e6:.1f} us | {qutip_point * 1e3:.2f} ms | "
            f"{qutip_point / plain:.0f}x | {floor * 1e6:.1f} us | {over_floor:.1f}x | {diff:.1e} |"
        )


if __name__ == "__main__":
    main()
