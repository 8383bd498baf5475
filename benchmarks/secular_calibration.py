"""Calibrate the secular notice: at what ``secular_ratio`` does the global Lindblad current go
wrong by 10%?

Cases (every one with ``GlobalLindblad().secular_ratio`` and the Lindblad current's relative
error ``|J_L - J_ref| / |J_ref|``):

* Kato and Tanimura, J. Chem. Phys. 143, 064107 (2015), Fig. 3a, as in QuTiP's HEOM
  heat-transport tutorial: ``H = e/2 (sz1 + sz2) + J12 (s+ s- + s- s+)``, ``e = 1``,
  ``Q_j = sx_j``, Drude baths ``gamma_Q = 2``, ``lambda = zeta J12 / 2`` (qheat's
  ``gamma = 2 lambda / wD``, ``wD = gamma_Q``), ``T = 2 (1 +- 0.01)``; against HEOM
  (:func:`qheat.exact.solve_heom`, rtol 1e-3) and against Bloch-Redfield.
* The paper's Figs. 3-6 on their own grids (``dT > 0``), against Bloch-Redfield, which is
  within 2-7% of HEOM there (docs/exact.md).
* The HEOM points of ``qheat validate`` (Figs. 5 and 6 at gamma = 0.01 and 0.03), against
  HEOM, if ``--validation DIR`` names the directory ``qheat validate --out DIR`` wrote.

Prints every HEOM-graded point and, per reference (all points), the error per band of ratio,
the smallest ratio with an error of 10% or more and the largest with an error below 10%.
Takes a few minutes (the HEOM solves of the Kato-Tanimura cases, the paper's full grids).

Run: ``.venv/bin/python benchmarks/secular_calibration.py [--validation validation/]``.
"""

from __future__ import annotations

import os

os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import argparse  # noqa: E402
import warnings  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402
import xarray as xr  # noqa: E402

import qheat  # noqa: E402
from qheat.baths import DrudeBath  # noqa: E402
from qheat.exact import HeomOptions, solve_heom  # noqa: E402
from qheat.model import OpenSystem  # noqa: E402
from qheat.paper.run import figure_dataset  # noqa: E402

LEVEL = 0.10
"""The error the calibration is about: 10%."""

Row = tuple[str, float, float, float | None]
"""(case, secular_ratio, |J_L / J_BR - 1|, |J_L / J_HEOM - 1| or None without HEOM)."""

SX = np.array([[0.0, 1.0], [1.0, 0.0]])
SZ = np.diag([1.0, -1.0])
SPLUS = np.array([[0.0, 1.0], [0.0, 0.0]])
ONE = np.eye(2)


def kato_tanimura(j12: float, zeta: float) -> OpenSystem:
    """Kato-Tanimura 2015 Fig. 3a at coupling ``J12`` and relative bath coupling ``zeta``."""
    h = 0.5 * (np.kron(SZ, ONE) + np.kron(ONE, SZ)) + j12 * (
        np.kron(SPLUS, SPLUS.T) + np.kron(SPLUS.T, SPLUS)
    )
    wd, lam = 2.0, zeta * j12 / 2
    baths = tuple(
        DrudeBath(gamma=2 * lam / wd, omega_d=wd, temperature=2.0 * (1 + s)) for s in (0.01, -0.01)
    )
    return OpenSystem(h, (np.kron(SX, ONE), np.kron(ONE, SX)), baths)


def _quiet_solve(system: OpenSystem, equation: object) -> qheat.Solution:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return qheat.solve(system, equation)


def kato_tanimura_rows() -> list[Row]:
    """``(case, ratio, error vs BR, error vs HEOM)`` of the Kato-Tanimura cases."""
    rows: list[Row] = []
    for j12 in (0.01, 0.1):
        for zeta in (0.0625, 0.125, 0.25, 0.5, 1.0):
            system = kato_tanimura(j12, zeta)
            br = float(_quiet_solve(system, qheat.BlochRedfield()).J1)
            lindblad = _quiet_solve(system, qheat.GlobalLindblad())
            heom = solve_heom(system, HeomOptions(rtol=1e-3))
            j_l = float(lindblad.J1)
            exact = float(heom.J1) if heom.converged else float("nan")
            ratio = float(np.asarray(lindblad.secular_ratio))
            case = f"KT J12={j12:g} zeta={zeta:g}"
            rows.append((case, ratio, abs(j_l / br - 1), abs(j_l / exact - 1)))
            print(f"  {rows[-1][0]}: BR/HEOM - 1 = {br / exact - 1:+.3f}", flush=True)
    return rows


def paper_rows() -> list[Row]:
    """Every ``dT > 0`` point of Figs. 3-6 (their own grids): ratio and error vs BR."""
    rows: list[Row] = []
    for number in (3, 4, 5, 6):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            ds = figure_dataset(number)
        ds = ds.sel(dT=ds.dT[ds.dT > 0])
        ratio = ds["secular_ratio"].sel(equation="lindblad").values.ravel()
        error = np.abs(ds.J1.sel(equation="lindblad") / ds.J1.sel(equation="br") - 1).values.ravel()
        rows += [(f"Fig. {number}", float(r), float(e), None) for r, e in zip(ratio, error)]
    return rows


def validation_rows(directory: Path) -> list[Row]:
    """The HEOM points (converged, dT > 0) of a ``qheat validate`` run: ratio recomputed at
    each point from the case's parameters, errors vs BR and vs HEOM from its Datasets."""
    rows: list[Row] = []
    for path in sorted(directory.glob("fig*_gamma*.nc")):
        ds = xr.open_dataset(path)
        a = ds.attrs
        keep = ds["heom_converged"].values.astype(bool) & (ds.dT.values > 0)
        dT = ds.dT.values[keep]
        system = qheat.paper_system(
            a["eps1"],
            a["eps2"],
            a["g"],
            a["gamma1"],
            a["gamma2"],
            a["omega_d"],
            a["T2"] + dT,
            a["T2"],
        )
        ratio = np.atleast_1d(_quiet_solve(system, qheat.GlobalLindblad()).secular_ratio)
        j1 = ds.J1.values[:, keep]
        names = list(ds["equation"].values)
        heom, br, lindblad = (j1[names.index(k)] for k in ("heom", "br", "lindblad"))
        rows += [
            (f"{path.stem} dT={t:g}", float(r), abs(lin / b - 1), abs(lin / h - 1))
            for t, r, lin, b, h in zip(dT, ratio, lindblad, br, heom)
        ]
        ds.close()
    return rows


def errors_by_ratio(rows: list[Row], column: int) -> list[tuple[float, float]]:
    """``(ratio, error)`` of the rows that have an error in ``column`` (2: vs BR, 3: vs HEOM)."""
    out = []
    for row in rows:
        error = row[column]
        if error is not None and np.isfinite(error):
            out.append((row[1], float(error)))
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--validation", type=Path, help="directory written by qheat validate --out")
    args = parser.parse_args()
    print("Kato-Tanimura cases (HEOM):")
    rows = kato_tanimura_rows() + paper_rows()
    if args.validation is not None:
        rows += validation_rows(args.validation)
    rows.sort(key=lambda r: r[1])
    print(f"\n{'case':<34} {'ratio':>8} {'err vs BR':>10} {'err vs HEOM':>12}")
    for case, ratio, err_br, err_heom in rows:
        if err_heom is not None:  # the paper's dense grids are summarised below
            print(f"{case:<34} {ratio:>8.3f} {err_br:>10.1%} {err_heom:>12.1%}")
    bands = (0.0, 0.05, 0.1, 0.15, 0.2, 0.3, 0.5, 1.0, np.inf)
    for column, label in ((2, "Bloch-Redfield"), (3, "HEOM")):
        pairs = errors_by_ratio(rows, column)
        first_bad = min((r for r, e in pairs if e >= LEVEL), default=np.inf)
        last_good = max((r for r, e in pairs if e < LEVEL), default=0.0)
        print(
            f"\nagainst {label} ({len(pairs)} points): the error reaches {LEVEL:.0%} first at "
            f"ratio {first_bad:.3f}; the largest ratio with an error below {LEVEL:.0%} is "
            f"{last_good:.3f}"
        )
        for lo, hi in zip(bands[:-1], bands[1:]):
            errors = [e for r, e in pairs if lo <= r < hi]
            if errors:
                print(
                    f"  ratio in [{lo:g}, {hi:g}): {len(errors):4d} points, error "
                    f"median {np.median(errors):.1%}, max {np.max(errors):.1%}"
                )


if __name__ == "__main__":
    main()
