"""Calibrate the weak-coupling thresholds: at what ``weak_coupling_ratio`` does Bloch-Redfield
(and the ULE) depart from HEOM by 1% and by 10%?

Every point is one system at one parameter point. Its spectral and memory ratios come from
``qheat.solve(system).coupling`` (docs/trust.md), the errors are ``|J_1 / J_1^HEOM - 1|`` of the
first bath's heat current (``J_1 != 0`` everywhere: no equal temperatures), HEOM from
:func:`qheat.exact.solve_heom` with the options named per case. Cases:

* the ``qheat validate`` battery (:data:`qheat.compare.validate.VALIDATION_CASES`: the paper's
  Fig. 5 and Fig. 6 models, wD = 50, T2 = 5, depth <= 4) at gamma = 0.01 and 0.03 on its own
  grids, and at gamma = 0.05 and 0.1 on four of its biases;
* the Fig. 6 model with a slower bath (wD = 10, gamma = 0.01 and 0.03): the memory ratio of the
  hot bath dominates;
* Kato and Tanimura's Fig. 3a (:func:`qheat.compare.kato_tanimura.kato_tanimura_system`, its
  preset's HEOM options), J12 = 0.01, 0.1, 0.5 over zeta;
* docs/exact.md's cold qubit (issue 12: Drude gamma = (0.1, 0.01), wD = 50, T = (1, 0.5));
* one qubit ``H = Z/2`` between two baths on ``X``, gamma = 0.003 ... 1: Drude baths with
  wD = 10 at T = (2, 1) (both ratios small against gamma's), wD = 40 at T = (20, 10) (spectral
  and memory ratios equal), wD = 10 at T = (20, 10), (20, 2), (80, 2) and wD = 0.5 at
  T = (5, 2.5) (the memory ratio dominates; at wD = 0.5 the transition w0 = 1 sits in the
  bath's tail), and underdamped baths (w0 = 2, width = 2 and w0 = 1.5, width = 1; T = (1, 0.5)).

Points are *graded* where HEOM converged and its relative error estimate is below a fifth of
the equation's error (the error is then known to within a fifth of itself); converged points
whose error is within five HEOM estimates are listed as *unresolved* (their error is below
``error + estimate``), not-converged ones as *not converged* with HEOM's estimate; neither
enters the statistics. Prints every point, the error per band of ratio, the smallest ratio at
which each error reaches 1% and 10% and the largest at which it is still below, and, for a few
combinations of the two ratios, how well each orders the errors (Kendall's tau; the fewest
points a single threshold misclassifies at 1% and at 10%).

HEOM results are cached in ``--cache`` (JSON, keyed by the case, the point and the HEOM
options), so a rerun only solves what is new; ``--fresh`` ignores the cache. The first run
takes 15-25 minutes on one core.

Run: ``.venv/bin/python benchmarks/weak_coupling_calibration.py [--workers 2] [--cache FILE]``.
"""

from __future__ import annotations

import os

os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import argparse  # noqa: E402
import dataclasses  # noqa: E402
import json  # noqa: E402
import time  # noqa: E402
import warnings  # noqa: E402
from collections.abc import Callable, Iterable  # noqa: E402
from concurrent.futures import ProcessPoolExecutor  # noqa: E402
from dataclasses import dataclass  # noqa: E402
from functools import partial  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402
from scipy.stats import kendalltau  # noqa: E402

import qheat  # noqa: E402
from qheat.api import paper_system  # noqa: E402
from qheat.baths import DrudeBath, UnderdampedBath  # noqa: E402
from qheat.compare import KatoTanimuraSpec  # noqa: E402
from qheat.compare.kato_tanimura import kato_tanimura_system  # noqa: E402
from qheat.compare.runner import CompareSpec  # noqa: E402
from qheat.compare.validate import VALIDATION_CASES  # noqa: E402
from qheat.exact import HeomOptions, solve_heom  # noqa: E402
from qheat.model import OpenSystem  # noqa: E402
from qheat.steady.validity import WEAK_COUPLING_NOTICE, WEAK_COUPLING_WARN  # noqa: E402

LEVELS = (0.01, 0.10)
"""The errors the calibration is about: 1% and 10%."""
RESOLVED = 5.0
"""A point is graded when the equation's error exceeds this many HEOM error estimates."""
BANDS = (0.0, 0.01, 0.02, 0.03, 0.05, 0.1, 0.2, 0.3, 0.5, 1.0, np.inf)

Z = np.diag([1.0, -1.0]).astype(complex)
X = np.array([[0, 1], [1, 0]], dtype=complex)

QUBIT_HEOM = HeomOptions(rtol=2e-3, max_unknowns=50_000)
"""One qubit (d^2 = 4): the default options with a smaller budget (each solve under ~20 s)."""
DEFAULT_HEOM = HeomOptions()
"""``qheat current --equation heom``'s options (docs/exact.md's cold qubit)."""


@dataclass(frozen=True)
class Point:
    """One system at one parameter point, with the HEOM options it is solved with."""

    case: str
    label: str
    build: Callable[[], OpenSystem]
    heom: HeomOptions

    @property
    def key(self) -> str:
        return f"{self.case} | {self.label} | {self.heom!r}"


@dataclass(frozen=True)
class Row:
    """A point's ratios, errors and HEOM diagnostics."""

    case: str
    label: str
    spectral: float
    memory: float
    ratio: float
    err_br: float
    err_ule: float
    signed_br: float
    br_second_law_broken: bool
    spectral_level: float
    memory_level: float
    heom_converged: bool
    heom_rel_error: float
    heom_level: str
    heom_seconds: float

    def graded(self, error: float) -> bool:
        """HEOM converged and its estimate below ``1/RESOLVED`` of ``error``."""
        return self.heom_converged and self.heom_rel_error * RESOLVED < error


# ----------------------------------------------------------------- the cases
def _paper(spec: CompareSpec, dT: float) -> Callable[[], OpenSystem]:
    return partial(
        paper_system,
        spec.eps1,
        spec.eps2,
        spec.g,
        spec.gamma,
        spec.gamma,
        spec.omega_d,
        spec.t2 + dT,
        spec.t2,
    )


def battery_points() -> list[Point]:
    """The validation battery at gamma = 0.01, 0.03 (its grids, dT > 0) and 0.05, 0.1 (four
    biases), and the Fig. 6 model with wD = 10 (the hot bath's memory ratio dominates)."""
    points = []
    for name, spec in VALIDATION_CASES.items():
        fig = name.split("_")[0]
        grids = [(spec.gamma, spec.omega_d, spec.dT)]
        if spec.gamma == 0.03:
            few = (4.0, 12.0, 40.0, 100.0) if fig == "fig5" else (10.0, 50.0, 100.0, 300.0)
            grids += [(gamma, spec.omega_d, few) for gamma in (0.05, 0.1)]
            if fig == "fig6":
                grids += [(gamma, 10.0, (10.0, 50.0, 100.0, 300.0)) for gamma in (0.01, 0.03)]
        for gamma, wd, grid in grids:
            case_spec = dataclasses.replace(spec, gamma=gamma, omega_d=wd)
            case = f"{fig} gamma={gamma:g}" + (f" wD={wd:g}" if wd != spec.omega_d else "")
            points += [
                Point(case, f"dT={dT:g}", _paper(case_spec, dT), spec.heom) for dT in grid if dT > 0
            ]
    return points


def kato_tanimura_points() -> list[Point]:
    """Kato-Tanimura Fig. 3a with the ``kato-tanimura`` preset's HEOM options."""
    spec = KatoTanimuraSpec()
    return [
        Point(
            f"KT J12={j12:g}",
            f"zeta={zeta:.3g}",
            partial(kato_tanimura_system, j12, zeta, spec),
            spec.heom,
        )
        for j12 in spec.j12
        for zeta in spec.zetas
    ]


def _qubit(hot: object, cold: object) -> OpenSystem:
    """``H = Z/2`` (w0 = 1) between a hot and a cold bath, both on ``X``."""
    return OpenSystem(0.5 * Z, (X, X), (hot, cold), bath_names=("hot", "cold"))


def _drude_qubit(gamma: float, wd: float, t_hot: float, t_cold: float) -> OpenSystem:
    return _qubit(DrudeBath(gamma, wd, t_hot), DrudeBath(gamma, wd, t_cold))


def _underdamped_qubit(gamma: float, w0: float, width: float) -> OpenSystem:
    return _qubit(UnderdampedBath(gamma, w0, width, 1.0), UnderdampedBath(gamma, w0, width, 0.5))


def qubit_points() -> list[Point]:
    """docs/exact.md's cold qubit, and one qubit between Drude or underdamped baths."""
    points = [
        Point(
            "cold qubit (docs/exact.md)",
            "gamma=0.1,0.01",
            partial(_qubit, DrudeBath(0.1, 50.0, 1.0), DrudeBath(0.01, 50.0, 0.5)),
            DEFAULT_HEOM,
        )
    ]
    gammas = (0.003, 0.01, 0.03, 0.1, 0.3, 1.0)
    drude = ((10.0, 2.0, 1.0), (40.0, 20.0, 10.0), (10.0, 20.0, 10.0), (10.0, 20.0, 2.0))
    drude += ((10.0, 80.0, 2.0), (0.5, 5.0, 2.5))
    for wd, t_hot, t_cold in drude:
        points += [
            Point(
                f"qubit Drude wD={wd:g} T={t_hot:g},{t_cold:g}",
                f"gamma={gamma:g}",
                partial(_drude_qubit, gamma, wd, t_hot, t_cold),
                QUBIT_HEOM,
            )
            for gamma in gammas
        ]
    for w0, width in ((2.0, 2.0), (1.5, 1.0)):
        points += [
            Point(
                f"qubit underdamped w0={w0:g} width={width:g} T=1,0.5",
                f"gamma={gamma:g}",
                partial(_underdamped_qubit, gamma, w0, width),
                QUBIT_HEOM,
            )
            for gamma in gammas
        ]
    return points


def all_points() -> list[Point]:
    return battery_points() + kato_tanimura_points() + qubit_points()


# ----------------------------------------------------------------- solving, with a cache
def _heom(point: Point) -> dict[str, object]:
    """The HEOM result of a point as JSON-ready data (warnings: reported in ``converged``)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        result = solve_heom(point.build(), point.heom)
    return {
        "currents": [float(j) for j in result.currents],
        "errors": [float(e) for e in result.errors],
        "converged": bool(result.converged),
        "level": f"{result.level.order}/{result.level.depth}",
        "seconds": float(result.seconds),
        "reason": result.reason,
    }


def solve_all(
    points: list[Point], cache: Path, fresh: bool, workers: int
) -> dict[str, dict[str, object]]:
    """HEOM of every point, from ``cache`` where it is there (unless ``fresh``), the rest
    solved (on ``workers`` processes) and written back after each point."""
    store: dict[str, dict[str, object]] = {}
    if cache.exists() and not fresh:
        store = json.loads(cache.read_text())
    todo = [p for p in points if p.key not in store]
    print(f"{len(points) - len(todo)} HEOM points from {cache}, {len(todo)} to solve", flush=True)
    start = time.perf_counter()

    def record(point: Point, result: dict[str, object]) -> None:
        store[point.key] = result
        cache.write_text(json.dumps(store, indent=1, sort_keys=True))
        print(
            f"  {point.case}, {point.label}: {result['seconds']:.1f} s, "
            f"converged {result['converged']} ({time.perf_counter() - start:.0f} s so far)",
            flush=True,
        )

    if workers <= 1:
        for point in todo:
            record(point, _heom(point))
    else:
        with ProcessPoolExecutor(workers) as pool:
            for point, result in zip(todo, pool.map(_heom, todo)):
                record(point, result)
    return store


def _quiet_solve(system: OpenSystem, equation: object) -> qheat.Solution:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return qheat.solve(system, equation)  # type: ignore[arg-type]


def level_ratios(system: OpenSystem) -> tuple[float, float]:
    """The two ratios with each level's transitions summed instead of the largest one:
    ``max_{j,b} sum_{a: w_ab > 0} |A_ab|^2 J(w_ab) / w_ab`` (level ``b``'s zero-temperature
    decay rate over frequency) and ``max_{j,b} sum_a 2 G(w_ab) |A_ab|^2 / nu_j`` (the rate at
    which level ``b`` is left, times the memory time)."""
    w = system.bohr_frequencies
    up = w > 0
    spectral = memory = 0.0
    for a, gamma, bath in zip(system.eigen_couplings, system.correlation_spectra, system.baths):
        weight, rate = np.abs(a) ** 2, gamma.real
        j_over_w = np.where(up, (rate - rate.T) / np.where(up, w, 1.0), 0.0)
        spectral = max(spectral, float(np.max(np.sum(weight * j_over_w, axis=-2))))
        nu = getattr(bath, "memory_rate", None)
        if nu is not None:
            memory = max(memory, float(np.max(np.sum(2 * rate * weight, axis=-2))) / float(nu))
    return spectral, memory


def make_row(point: Point, heom: dict[str, object]) -> Row:
    """Ratios and errors of a point from the current code, HEOM from ``heom``."""
    system = point.build()
    br = _quiet_solve(system, qheat.BlochRedfield())
    ule = _quiet_solve(system, qheat.UniversalLindblad())
    exact = float(heom["currents"][0])  # type: ignore[index]
    j_br = float(br.currents[..., 0])
    level_s, level_m = level_ratios(system)
    return Row(
        point.case,
        point.label,
        float(br.coupling.spectral),
        float(br.coupling.memory),
        float(np.asarray(br.weak_coupling_ratio)),
        abs(j_br / exact - 1),
        abs(float(ule.currents[..., 0]) / exact - 1),
        j_br / exact - 1,
        bool(br.second_law_broken),
        level_s,
        level_m,
        bool(heom["converged"]),
        float(heom["errors"][0]) / abs(exact),  # type: ignore[index]
        str(heom["level"]),
        float(heom["seconds"]),  # type: ignore[arg-type]
    )


# ----------------------------------------------------------------- the statistics
COMBINATIONS: dict[str, Callable[[Row], float]] = {
    "max(s, m) (qheat)": lambda r: r.ratio,
    "spectral s": lambda r: r.spectral,
    "memory m": lambda r: r.memory,
    "s + m": lambda r: r.spectral + r.memory,
    "max(s, m/3)": lambda r: max(r.spectral, r.memory / 3),
    "s + m/3": lambda r: r.spectral + r.memory / 3,
    "sqrt(s^2 + m^2)": lambda r: float(np.hypot(r.spectral, r.memory)),
    "level sums: max": lambda r: max(r.spectral_level, r.memory_level),
    "level sums: s": lambda r: r.spectral_level,
    "level sums: max(s, m/3)": lambda r: max(r.spectral_level, r.memory_level / 3),
}
"""Candidate predictors of the error from the spectral ratio ``s`` and the memory ratio ``m``."""


def misclassified(pairs: list[tuple[float, float]], level: float) -> tuple[int, float]:
    """The fewest points a single threshold on the ratio puts on the wrong side of ``level``
    (error >= level below it, or error < level above it), and that threshold."""
    ratios = sorted({r for r, _ in pairs} | {np.inf})
    best = (len(pairs) + 1, np.inf)
    for t in ratios:
        wrong = sum(1 for r, e in pairs if (r < t) == (e >= level))
        best = min(best, (wrong, t))
    return best


def crossings(pairs: list[tuple[float, float]], level: float) -> tuple[float, float]:
    """(smallest ratio with an error >= level, largest ratio with an error < level)."""
    first_bad = min((r for r, e in pairs if e >= level), default=np.inf)
    last_good = max((r for r, e in pairs if e < level), default=0.0)
    return first_bad, last_good


def print_points(rows: list[Row]) -> None:
    head = (
        f"{'case':<44} {'point':<15} {'spectral':>8} {'memory':>8} {'ratio':>7} "
        f"{'BR err':>8} {'sLev':>7} {'mLev':>7} {'ULE err':>8} {'HEOM est':>9} {'HEOM':>5} {'s':>6}"
    )
    print(head)
    for r in sorted(rows, key=lambda r: r.ratio):
        status = "ok" if r.graded(r.err_br) else ("unres" if r.heom_converged else "nc")
        print(
            f"{r.case:<44} {r.label:<15} {r.spectral:>8.4f} {r.memory:>8.4f} {r.ratio:>7.4f} "
            f"{r.signed_br:>+8.2%} {r.spectral_level:>7.4f} {r.memory_level:>7.4f} {r.err_ule:>8.2%} {r.heom_rel_error:>9.2e} {status:>5} "
            f"{r.heom_seconds:>6.1f}"
        )


def print_bands(rows: list[Row]) -> None:
    print(
        f"\nBands of weak_coupling_ratio (graded points; WEAK_COUPLING_NOTICE = "
        f"{WEAK_COUPLING_NOTICE:g}, WEAK_COUPLING_WARN = {WEAK_COUPLING_WARN:g}):"
    )
    print(
        f"{'ratio band':<14} {'n BR':>4} {'BR median':>10} {'BR max':>8}  {'n ULE':>5} "
        f"{'ULE median':>10} {'ULE max':>8}"
    )
    for lo, hi in zip(BANDS[:-1], BANDS[1:]):
        cells = []
        for attr in ("err_br", "err_ule"):
            errors = [
                getattr(r, attr) for r in rows if lo <= r.ratio < hi and r.graded(getattr(r, attr))
            ]
            cells.append(
                (len(errors), np.median(errors), np.max(errors)) if errors else (0, np.nan, np.nan)
            )
        if cells[0][0] or cells[1][0]:
            (n1, m1, x1), (n2, m2, x2) = cells
            print(
                f"[{lo:g}, {hi:g}){'':<{12 - len(f'[{lo:g}, {hi:g})')}} {n1:>4} {m1:>10.2%} "
                f"{x1:>8.2%}  {n2:>5} {m2:>10.2%} {x2:>8.2%}"
            )


def print_crossings(rows: list[Row]) -> None:
    for attr, label in (("err_br", "Bloch-Redfield"), ("err_ule", "ULE")):
        graded = [r for r in rows if r.graded(getattr(r, attr))]
        pairs = [(r.ratio, getattr(r, attr)) for r in graded]
        print(f"\n{label} ({len(pairs)} graded points):")
        for level in LEVELS:
            first_bad, last_good = crossings(pairs, level)
            print(
                f"  error >= {level:.0%} first at ratio {first_bad:.4f}; the largest ratio with "
                f"an error below {level:.0%} is {last_good:.4f}"
            )
        print(
            f"  {'combination':<20} {'Kendall tau':>11} "
            + " ".join(f"{'wrong at ' + format(level, '.0%'):>18}" for level in LEVELS)
        )
        for name, combine in COMBINATIONS.items():
            values = [(combine(r), getattr(r, attr)) for r in graded]
            tau = kendalltau([v for v, _ in values], [e for _, e in values]).statistic
            cells = []
            for level in LEVELS:
                wrong, at = misclassified(values, level)
                cells.append(f"{wrong:>3} (at {at:.3g})")
            print(f"  {name:<20} {tau:>11.3f} " + " ".join(f"{c:>18}" for c in cells))


def print_cases(rows: list[Row]) -> None:
    """Per case: graded points, their ratios, BR errors and BR error per unit of ratio."""
    print(
        f"\n{'case (graded BR points)':<44} {'n':>3} {'ratio':>15} {'BR error':>17} "
        f"{'error / ratio':>13}"
    )
    for case in dict.fromkeys(r.case for r in rows):
        graded = [r for r in rows if r.case == case and r.graded(r.err_br)]
        if not graded:
            continue
        ratio = [r.ratio for r in graded]
        err = [r.err_br for r in graded]
        per = [r.err_br / r.ratio for r in graded]
        print(
            f"{case:<44} {len(graded):>3} {min(ratio):>7.4f}-{max(ratio):<7.4f} "
            f"{min(err):>7.2%}-{max(err):<8.2%} {min(per):>5.2f}-{max(per):<5.2f}"
        )
    flips = [r for r in rows if r.signed_br < -1 and r.graded(r.err_br)]
    broken = [r for r in rows if r.br_second_law_broken]
    for what, chosen in (
        ("of the wrong sign against a converged HEOM current", flips),
        ("breaking the second law (heat from cold to hot)", broken),
    ):
        names = [f"{r.case}, {r.label} (ratio {r.ratio:.3g})" for r in chosen]
        print(f"\nBloch-Redfield currents {what}: {'; '.join(names) or 'none'}")


def print_left_out(rows: Iterable[Row]) -> None:
    print("\nLeft out of the statistics (BR error; HEOM not converged, or not resolving it):")
    for r in sorted(rows, key=lambda r: r.ratio):
        if not r.graded(r.err_br):
            why = "HEOM not converged" if not r.heom_converged else "BR error < 5 HEOM estimates"
            print(
                f"  {r.case}, {r.label}: ratio {r.ratio:.4f}, BR error {r.err_br:.2%}, HEOM "
                f"estimate {r.heom_rel_error:.2%} ({why})"
            )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--cache",
        type=Path,
        default=Path(__file__).with_name("weak_coupling_calibration.json"),
        help="JSON file of HEOM results (read, extended, written back)",
    )
    parser.add_argument("--fresh", action="store_true", help="solve every point again")
    parser.add_argument("--workers", type=int, default=1, help="HEOM processes")
    args = parser.parse_args()
    print(f"load average {os.getloadavg()[0]:.1f}", flush=True)
    points = all_points()
    start = time.perf_counter()
    store = solve_all(points, args.cache, args.fresh, args.workers)
    rows = [make_row(p, store[p.key]) for p in points]
    print(
        f"{len(rows)} points, {sum(r.heom_seconds for r in rows):.0f} s of HEOM in the cache, "
        f"{time.perf_counter() - start:.0f} s this run\n"
    )
    print_points(rows)
    print_bands(rows)
    print_crossings(rows)
    print_cases(rows)
    print_left_out(rows)


if __name__ == "__main__":
    main()
