"""The Lamb-shift function S(w) per value: closed form against quadrature against the table.

For each bath, three ways to S at the same frequencies (``+-[0.01, 10]`` times the bath's
scale), timed per value and graded against the best reference of that bath:

* closed form (Drude: theory Eq. T4; underdamped: docs/baths.md Eq. B3; ohmic s = 1 at T = 0:
  the exponential integral), vectorized over 10^5 values;
* principal-value quadrature (``qheat.baths.lamb_shift_integral``), per value;
* the checked Chebyshev table (``qheat.baths.tabulated.LambShiftTable`` over the quadrature):
  its one-time build (quadratures on the panels touched) and then 10^6 values.

Prints microseconds per value, the ratios to the closed form (or, without one, to the
table), and the largest error relative to max |S| over the frequencies. The reference is the
closed form where one exists, else the quadrature.

Run: ``.venv/bin/python benchmarks/bench_lamb_shift.py`` (single-threaded BLAS is set here).
"""

from __future__ import annotations

import os

os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import math
import time
from collections.abc import Callable

import numpy as np
from scipy.special import expi

from qheat.baths import DrudeBath, UnderdampedBath, lamb_shift_integral
from qheat.baths.tabulated import LambShiftTable

Closed = Callable[[np.ndarray], np.ndarray] | None


def ohmic_s1_cold(w: np.ndarray) -> np.ndarray:
    """``S = (1/pi)(-1 + w e^{-w} Ei(w))``: gamma = wc = 1, s = 1, T = 0."""
    return (-1.0 + w * np.exp(-w) * expi(w)) / math.pi


CASES: list[tuple[str, Callable[[float], float], float, float, list[float], Closed]] = [
    # name, J(x)/x for x > 0, T, scale, quadrature breakpoints, closed form of S
    (
        "drude  wD=1 T=0.3",
        lambda x: 1.0 / (1.0 + x * x),
        0.3,
        1.0,
        [1.0, 10.0, 100.0],
        lambda w: DrudeBath(1.0, 1.0, 0.3).S(w),
    ),
    (
        "underdamped w0=1 width=0.5 T=0.3",
        lambda x: 1.0 / ((1.0 - x * x) ** 2 + 0.25 * x * x),
        0.3,
        1.0,
        [0.5, 1.0, 2.0, 10.0, 100.0],
        lambda w: UnderdampedBath(1.0, 1.0, 0.5, 0.3).S(w),
    ),
    ("ohmic s=1 wc=1 T=0", lambda x: math.exp(-x), 0.0, 1.0, [1.0, 10.0, 100.0], ohmic_s1_cold),
    (
        "ohmic s=0.5 wc=1 T=0.3",
        lambda x: x**-0.5 * math.exp(-x),
        0.3,
        1.0,
        [0.5, 1.0, 10.0, 100.0],
        None,
    ),
]


def per_value(f: Callable[[], object], count: int, repeat: int = 3) -> float:
    """Best of ``repeat`` runs of ``f`` (which evaluates ``count`` values), in microseconds."""
    best = math.inf
    for _ in range(repeat):
        start = time.perf_counter()
        f()
        best = min(best, time.perf_counter() - start)
    return best / count * 1e6


def main() -> None:
    print(f"load average: {os.getloadavg()}")
    rng = np.random.default_rng(1)
    sample = np.concatenate([np.geomspace(0.01, 10.0, 25), -np.geomspace(0.01, 10.0, 25)])
    header = (
        f"{'bath':34} {'closed us':>10} {'quad us':>10} {'table us':>10} "
        f"{'build s':>8} {'quad/closed':>12} {'table/closed':>13} "
        f"{'err quad':>9} {'err table':>9}"
    )
    print(header)
    for name, ratio, t, scale, points, closed in CASES:

        def exact(
            w: float,
            ratio: Callable[[float], float] = ratio,
            t: float = t,
            points: list[float] = points,
        ) -> float:
            return lamb_shift_integral(w, ratio, t, points)

        quad_us = per_value(lambda: [exact(float(w)) for w in sample], sample.size, repeat=1)
        quadrature = np.array([exact(float(w)) for w in sample])
        table = LambShiftTable(exact, scale)
        start = time.perf_counter()
        tabled = table(sample)  # builds the panels the sample touches (all of +-[0.01, 10])
        build = time.perf_counter() - start
        many = rng.choice([-1.0, 1.0], 10**6) * np.exp(rng.uniform(np.log(0.01), np.log(10), 10**6))
        table_us = per_value(lambda t=table, m=many: t(m), many.size)
        if closed is not None:
            wide = many[: 10**5]
            closed_us = per_value(lambda c=closed, x=wide: c(x), wide.size)
            reference = np.asarray(closed(sample))
        else:
            closed_us = math.nan
            reference = quadrature
        size = np.max(np.abs(reference))
        err_quad = np.max(np.abs(quadrature - reference)) / size
        err_table = np.max(np.abs(tabled - reference)) / size
        base = closed_us if closed is not None else table_us
        print(
            f"{name:34} {closed_us:10.3f} {quad_us:10.1f} {table_us:10.3f} {build:8.2f} "
            f"{quad_us / base:12.0f} {table_us / base:13.2f} {err_quad:9.1e} {err_table:9.1e}"
            f"   ({table.panels} panels)"
        )
    print(
        "err: max |S - reference| / max |S| over +-[0.01, 10]; reference: closed form, or "
        "the quadrature where there is none (then the ratios are to the table)"
    )


if __name__ == "__main__":
    main()
