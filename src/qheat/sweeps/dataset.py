"""The labelled result of a sweep: an ``xarray.Dataset`` with units and conventions, on disk.

Variables for each master equation ``E`` (``br``: Bloch-Redfield, Eqs. 8-12; ``lindblad``:
global Lindblad, Eqs. A14-A15): ``J1_E``, ``J2_E`` (Eqs. 21-23, positive from the bath into
the system), ``min_eigenvalue_E``, ``condition_number_E``, ``conservation_residual_E``
(``|J1 + J2| / (|J1| + |J2|)``, zero for an exact steady state by Eq. 21); for the global
Lindblad equation ``secular_ratio_lindblad`` (largest transition rate over the smallest
Bohr-frequency gap it drops); with both equations, ``suppression_ratio = J1_br / J1_lindblad``.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Mapping
from pathlib import Path

import numpy as np
import xarray as xr
from numpy.typing import NDArray

from .._version import __version__
from ..analysis.ndtc import suppression_ratio
from .grid import UNITS, ZIP_DIM, Grid
from .store import atomic_replace

__all__ = ["build_dataset", "write_dataset", "CONVENTIONS"]

FloatArray = NDArray[np.float64]

CONVENTIONS = (
    "hbar = kB = 1; gamma absorbs lambda^2; H_S = e1/2 sz1 + e2/2 sz2 + g sx1 sx2 (Eq. 1), "
    "sz = diag(-1, +1) with |1> excited; Drude baths J(w) = gamma w / (1 + (w/wD)^2) (Eq. 17) "
    "on sx1 (bath 1, temperature T1 = T2 + dt) and sx2 (bath 2); G(w) = J(w)(n(w) + 1); "
    "J_j = Tr((H_S + H_LS) D_j(rho)) > 0 means heat from bath j into the system."
)


def build_dataset(
    grid: Grid, columns: Mapping[str, FloatArray], equations: tuple[str, ...], lamb_shift: bool
) -> xr.Dataset:
    """Reshape the flat result columns onto the grid's dimensions and label them."""
    dims, shape = grid.dims, grid.shape
    variables: dict[str, xr.DataArray] = {}

    def add(name: str, values: FloatArray, attrs: dict[str, str]) -> None:
        variables[name] = xr.DataArray(values.reshape(shape), dims=dims, attrs=attrs)

    for e in equations:
        label = {"br": "Bloch-Redfield (Eqs. 8-12)", "lindblad": "global Lindblad (Eqs. A14-A15)"}[e]
        j1, j2 = columns[f"J1_{e}"], columns[f"J2_{e}"]
        add(f"J1_{e}", j1, {"long_name": f"heat current from bath 1 into the system, {label}",
                            "units": "energy per time (hbar = 1)"})
        add(f"J2_{e}", j2, {"long_name": f"heat current from bath 2 into the system, {label}",
                            "units": "energy per time (hbar = 1)"})
        add(f"min_eigenvalue_{e}", columns[f"min_eigenvalue_{e}"],
            {"long_name": f"smallest eigenvalue of the steady state, {label}", "units": "1"})
        add(f"condition_number_{e}", columns[f"condition_number_{e}"],
            {"long_name": "exact 1-norm condition number of the bordered population block "
                          f"solved, {label}", "units": "1"})
        if f"secular_ratio_{e}" in columns:
            add(f"secular_ratio_{e}", columns[f"secular_ratio_{e}"],
                {"long_name": "largest transition rate over the smallest Bohr-frequency gap "
                              f"the secular approximation drops (> 1: outside its validity), {label}",
                 "units": "1"})
        total = np.abs(j1) + np.abs(j2)
        residual = np.divide(np.abs(j1 + j2), total, out=np.zeros_like(total), where=total > 0)
        add(f"conservation_residual_{e}", residual,
            {"long_name": f"|J1 + J2| / (|J1| + |J2|), zero at a steady state (Eq. 21), {label}",
             "units": "1"})
    if "br" in equations and "lindblad" in equations:
        ratio = suppression_ratio(columns["J1_br"], columns["J1_lindblad"])
        ratio[grid.bias() == 0] = np.nan  # no bias: J_L is round-off and the ratio undefined
        add("suppression_ratio", ratio,
            {"long_name": "J1_br / J1_lindblad, suppression by the non-secular terms (Sec. IV); "
                          "NaN at zero bias (T1 = T2) and where J1_lindblad = 0", "units": "1"})
    coords: dict[str, xr.DataArray] = {}
    for name, values in grid.axes:
        dim = ZIP_DIM if grid.zipped else name
        coords[name] = xr.DataArray(values, dims=(dim,), attrs={"long_name": UNITS[name]})
    for name, value in grid.fixed:
        coords[name] = xr.DataArray(value, attrs={"long_name": UNITS[name] + " (fixed)"})
    return xr.Dataset(
        variables,
        coords=coords,
        attrs={
            "title": "steady-state heat currents of two coupled qubits between two Drude baths",
            "conventions": CONVENTIONS,
            "equations": ", ".join(equations),
            "lamb_shift": "included (closed-form S(w), Eq. 15)" if lamb_shift else "S(w) = 0",
            "source": f"qheat {__version__}",
        },
    )


def write_dataset(ds: xr.Dataset, out: Path) -> None:
    """Write ``ds`` to ``out`` (``.nc`` via h5netcdf, ``.zarr``) through a temporary name."""
    tmp = out.with_name(out.name + f".{os.getpid()}.tmp")
    if tmp.exists():
        shutil.rmtree(tmp) if tmp.is_dir() else tmp.unlink()
    if out.suffix == ".zarr":
        ds.to_zarr(tmp, mode="w", zarr_format=2)  # consolidated metadata is part of format 2
    else:
        ds.to_netcdf(tmp, engine="h5netcdf")
    atomic_replace(tmp, out)
