"""Devices of sites (transmons, resonators) against qubit devices of the same dimension (issue 23).

Issue 23 asks that a device of d = 24-60 written with sites and lab units be as fast per point as
a qubit device of the same d. Both go through one engine (``qheat.sweep`` -> ``qheat.solve``),
so what could differ is the construction (site operators, unit conversion, the counterterm) and
the structure of the Liouvillian (an oscillator's ladder couples more Bohr frequencies than a
Pauli ``X``). Measured here, per point in a sweep of ``N`` points along the hot bath's
temperature, Bloch-Redfield with the Lamb shift, two Drude baths:

* site devices: a transmon (4 levels) coupled through ``x x`` to one or two resonators, each
  resonator on a resistor, in h x GHz and mK (the heat valve of ``examples/heat_valve.toml``
  among them), at d = 16, 24, 32, 36, 60, 64;
* the baseline in the same run: an XX chain of qubits with a field gradient, baths on ``X`` of
  the end qubits, natural units, at d = 16, 32, 64 (the dimensions a qubit device can have);
  for d = 24, 36, 60 the qubit chain's time interpolated as ``d^3`` (the cost of the matrix-free
  path, and of the dense block solve's blocks, between its neighbours) is given for scale.

Every sweep runs twice and the faster run counts (the first pays numba's and the Lamb shift's
caches). Run: ``OMP_NUM_THREADS=1 .venv/bin/python benchmarks/bench_sites.py [--points N]``.
"""

from __future__ import annotations

import argparse
import tempfile
import time
import warnings
from pathlib import Path

import numpy as np

import qheat
from qheat.devices import load_device

SITE_DEVICES = {  # d: (levels of the sites in order, the sites the baths couple to)
    16: ((4, 4), ("r1", "q")),
    24: ((6, 4), ("r1", "q")),
    32: ((8, 4), ("r1", "q")),
    36: ((6, 6), ("r1", "q")),
    60: ((15, 4), ("r1", "q")),
    64: ((4, 4, 4), ("r1", "r2")),
}
QUBIT_DIMS = (16, 32, 64)


def site_file(levels: tuple[int, ...], baths: tuple[str, str]) -> str:
    """A transmon ``q`` (4 levels, anharmonic) between resonators ``r1`` (and ``r2``), in GHz
    and mK, resistors (Drude, counterterm) on ``x`` of the two sites named in ``baths``."""
    names = ["r1", "q", "r2"][: len(levels)]
    sites = ", ".join(f'{{name = "{n}", levels = {k}}}' for n, k in zip(names, levels))
    terms = ['[5.4, "r1:n"]', '["wq", "q:n"]', '[-0.1, "q:n q:n"]', '[0.1, "q:n"]']
    terms += ['[0.08, "r1:x q:x"]']
    if "r2" in names:
        terms += ['[5.6, "r2:n"]', '[0.08, "q:x r2:x"]']
    bath = (
        '[[baths]]\nname = "{name}"\ncoupling = "{site}:x"\nspectral_density = "drude"\n'
        "gamma = 0.01\nomega_d = 20.0\nt = {t}\ncounterterm = true\n"
    )
    return (
        '[units]\nenergy = "GHz"\ntemperature = "mK"\n\n'
        "[parameters]\nwq = 5.0\nt_hot = 100.0\n\n"
        f"[device]\nsites = [{sites}]\nhamiltonian = [{', '.join(terms)}]\n\n"
        + bath.format(name="hot", site=baths[0], t='"t_hot"')
        + "\n"
        + bath.format(name="cold", site=baths[1], t="30.0")
    )


def qubit_file(d: int) -> str:
    """An XX chain of ``log2 d`` qubits, fields ``1 + 0.1 k``, Drude baths on the ends."""
    n = int(round(np.log2(d)))

    def pauli(at: dict[int, str]) -> str:
        return "".join(at.get(k, "I") for k in range(n))

    terms = [f'[{0.5 * (1 + 0.1 * k):.3f}, "{pauli({k: "Z"})}"]' for k in range(n)]
    terms += [f'[0.25, "{pauli({k: p, k + 1: p})}"]' for k in range(n - 1) for p in "XY"]
    bath = (
        '[[baths]]\nname = "{name}"\ncoupling = "{op}"\nspectral_density = "drude"\n'
        "gamma = 0.01\nomega_d = 10.0\nt = {t}\n"
    )
    return (
        "[parameters]\nt_hot = 2.0\n\n"
        f"[device]\nqubits = {n}\nhamiltonian = [{', '.join(terms)}]\n\n"
        + bath.format(name="hot", op=pauli({0: "X"}), t='"t_hot"')
        + "\n"
        + bath.format(name="cold", op=pauli({n - 1: "X"}), t="0.5")
    )


def per_point(path: Path, axis: np.ndarray) -> tuple[float, float]:
    """Best of two sweeps: seconds per point, and the largest |J_hot + J_cold| / |J_hot|."""
    device = load_device(path)
    best = np.inf
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for _ in range(2):
            start = time.perf_counter()
            ds = qheat.sweep(device, t_hot=axis, equations=["br"], progress=False)
            best = min(best, time.perf_counter() - start)
    J = ds["J"].sel(equation="br").values
    balance = float(np.max(np.abs(J.sum(axis=0)) / np.abs(J[0])))
    return best / axis.size, balance


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--points", type=int, default=24, help="points per sweep (default 24)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        qubits = {}
        for d in QUBIT_DIMS:
            path = Path(tmp) / f"qubits{d}.toml"
            path.write_text(qubit_file(d))
            qubits[d] = per_point(path, np.linspace(1.0, 3.0, args.points))
        print(f"{'d':>3}  {'sites':>10}  {'site device':>12}  {'qubit chain':>12}  ratio  balance")
        for d, (levels, baths) in SITE_DEVICES.items():
            path = Path(tmp) / f"sites{d}.toml"
            path.write_text(site_file(levels, baths))
            seconds, balance = per_point(path, np.linspace(60.0, 200.0, args.points))
            if d in qubits:
                reference, label = qubits[d][0], f"{qubits[d][0] * 1e3:9.2f} ms"
            else:  # between the qubit dimensions, as d^3
                low = max(q for q in QUBIT_DIMS if q < d)
                reference = qubits[low][0] * (d / low) ** 3
                label = f"~{reference * 1e3:8.2f} ms"
            print(
                f"{d:>3}  {'x'.join(map(str, levels)):>10}  {seconds * 1e3:9.2f} ms  {label}  "
                f"{seconds / reference:5.2f}  {balance:.1e}"
            )
    print("(ratio: site device / qubit chain per point; ~: the chain interpolated as d^3;")
    print(" balance: largest |J_hot + J_cold| / |J_hot| of the site device's sweep)")


if __name__ == "__main__":
    main()
