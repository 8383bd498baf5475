"""Time qthermo's Redfield steady-state current of the paper's model (run in qthermo's venv).

Usage: ``python _qthermo_point.py N`` prints JSON ``{"seconds_per_point": ..., "J1": [...]}``
for N points of the dT axis (e = (5, 4), g = 0.5, gamma = 0.01, wD = 50, T2 = 5). Same spectra
as qheat without the Lamb shift: emission rate ``J(w)(n(w) + 1)`` with the Drude ``J`` of Eq. 17
(qthermo's rate convention is checked against qheat in bench_sweep.py).
"""

import json
import sys
import time

import numpy as np
import qthermo

SX = np.array([[0, 1], [1, 0]], dtype=complex)
SZ = np.diag([-1.0, 1.0]).astype(complex)
I2 = np.eye(2, dtype=complex)


def drude(gamma, omega_d, scale):
    def spectrum(w):
        w = np.asarray(w, dtype=float)
        return scale * gamma * w / (1.0 + (w / omega_d) ** 2)

    spectrum.zero_frequency = lambda t: scale * gamma * t
    return spectrum


def point(t1, scale=1.0, e1=5.0, e2=4.0, g=0.5, gamma=0.01, wd=50.0, t2=5.0):
    h = 0.5 * e1 * np.kron(SZ, I2) + 0.5 * e2 * np.kron(I2, SZ) + g * np.kron(SX, SX)
    baths = [
        qthermo.redfield_bath(h, np.kron(SX, I2), t1, spectrum=drude(gamma, wd, scale), name="hot"),
        qthermo.redfield_bath(
            h, np.kron(I2, SX), t2, spectrum=drude(gamma, wd, scale), name="cold"
        ),
    ]
    return qthermo.analyze(h, baths).currents["hot"]


def main():
    n = int(sys.argv[1])
    scale = float(sys.argv[2]) if len(sys.argv) > 2 else 1.0
    t1 = 5.0 + np.linspace(0.5, 60.0, n)
    point(t1[0], scale)
    start = time.perf_counter()
    currents = [float(point(t, scale)) for t in t1]
    print(
        json.dumps(
            {
                "seconds_per_point": (time.perf_counter() - start) / n,
                "J1": currents,
                "t1": t1.tolist(),
                "version": qthermo.__version__ if hasattr(qthermo, "__version__") else "?",
            }
        )
    )


if __name__ == "__main__":
    main()
