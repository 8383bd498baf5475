"""The labelled result of a sweep: an ``xarray.Dataset`` with units and conventions, on disk.

Variables: ``J`` with dims ``(equation, bath, *swept)`` (Eqs. 21-23: the heat current from
each bath into the system) and, with dims ``(equation, *swept)``, the diagnostics of
:class:`~qheat.steady.Solution`: ``min_eigenvalue``, ``residual``, ``condition_number``,
``secular_ratio`` (NaN for equations that drop no pair of Bohr frequencies),
``conservation_residual``, ``weak_coupling_ratio``, ``entropy_production``,
``second_law_broken`` and ``top_level_population`` (the largest over the truncated sites of a
device, NaN without them). With ``cumulants=N`` (docs/fluctuations.md), also with dims
``(equation, bath, *swept)``: ``c1`` (the mean current of the counting statistics,
``Tr(H_S D_j(rho))``), ``noise`` (``c2``, N >= 2), ``tur_ratio`` (N >= 2) and ``c3`` ... ``cN``
(:func:`cumulant_variables`). Coordinates: ``equation`` and ``bath`` (names), the swept axes,
and every fixed parameter as a scalar coordinate. A device with ``[units]`` gives ``J`` and
``c1`` in W, ``entropy_production`` in W/K, ``noise`` and ``cN`` in ``J^N/s`` and each
parameter's unit as the ``units`` attribute of its coordinate (:mod:`qheat.units`).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np
import xarray as xr
from numpy.typing import NDArray

from .._version import __version__
from ..steady.truncation import TRUNCATION_WARN
from .builders import BuilderInfo, builder_units
from .grid import ZIP_DIM, Grid
from .store import ChunkLayout, atomic_replace, remove_path, write_manifest

__all__ = [
    "ATTRIBUTES",
    "CUMULANT_ATTRIBUTES",
    "build_dataset",
    "coordinates",
    "create_store",
    "cumulant_variables",
    "per_bath",
    "dataset_attributes",
    "variable_attributes",
    "variable_dims",
    "write_dataset",
]

FloatArray = NDArray[np.float64]

ATTRIBUTES: dict[str, dict[str, str]] = {
    "J": {
        "long_name": "steady-state heat current from the bath into the system, "
        "J_j = Tr((H_S + H_LS) D_j(rho)) (Eqs. 21-23)",
        "units": "energy per time (hbar = 1)",
    },
    "min_eigenvalue": {
        "long_name": "smallest eigenvalue of the steady state (< 0: not a physical state)",
        "units": "1",
    },
    "residual": {
        "long_name": "max |L(rho)| / (||L_P||_inf max |rho|) of the whole Liouvillian",
        "units": "1",
    },
    "condition_number": {
        "long_name": "exact 1-norm condition number of the bordered population block solved",
        "units": "1",
    },
    "secular_ratio": {
        "long_name": "largest transition rate over the smallest Bohr-frequency gap the secular "
        "approximation drops (> 1: outside its validity); NaN where no pair is dropped",
        "units": "1",
    },
    "conservation_residual": {
        "long_name": "|sum_j J_j| / sum_j |J_j|, zero at a steady state (Eq. 21)",
        "units": "1",
    },
    "weak_coupling_ratio": {
        "long_name": "how far from weak coupling: the larger of a driven transition's "
        "zero-temperature rate over its frequency and its rate times the bath's memory time "
        "(> 0.5: outside weak coupling, docs/trust.md)",
        "units": "1",
    },
    "entropy_production": {
        "long_name": "entropy production of the baths, -sum_j J_j / T_j (< 0: heat flows from "
        "cold to hot, the second law is broken)",
        "units": "energy per time per temperature (hbar = kB = 1)",
    },
    "second_law_broken": {
        "long_name": "1 where heat flows from cold to hot beyond round-off (entropy production "
        "< -1e-6 sum_j |J_j| / T_j), else 0; NaN where a bath has no temperature",
        "units": "1",
    },
    "top_level_population": {
        "long_name": "largest population of a truncated site's top level in the steady state "
        f"(> {TRUNCATION_WARN:g}: raise that site's levels; NaN: no truncated site), "
        "qheat.steady.truncation",
        "units": "1",
    },
}

_POWERS = {3: "cubed", 4: "to the 4th", 5: "to the 5th", 6: "to the 6th"}

CUMULANT_ATTRIBUTES: dict[str, dict[str, str]] = {
    "c1": {
        "long_name": "first cumulant of the heat from the bath: the mean current of the "
        "counting statistics, each jump counted at its Bohr frequency, c1 = Tr(H_S D_j(rho)); "
        "J adds the Lamb-shift term Tr(H_LS D_j(rho)) (the local equation counts at its local "
        "frequencies; docs/fluctuations.md)",
        "units": "energy per time (hbar = 1)",
    },
    "noise": {
        "long_name": "zero-frequency noise of the heat current from the bath, the second "
        "cumulant c2 = d<<Q_j^2>>/dt (docs/fluctuations.md)",
        "units": "energy squared per time (hbar = 1)",
    },
    "tur_ratio": {
        "long_name": "thermodynamic uncertainty ratio Q_j = c2_j sigma / c1_j^2 with sigma = "
        "-sum_k c1_k / T_k (Q >= 2 for classical Markov jump processes; NaN where c1 = 0)",
        "units": "1 (hbar = kB = 1)",
    },
    **{
        f"c{n}": {
            "long_name": f"cumulant {n} of the heat from the bath, c{n} = d<<Q_j^{n}>>/dt "
            "(docs/fluctuations.md)",
            "units": f"energy {_POWERS[n]} per time (hbar = 1)",
        }
        for n in range(3, 7)
    },
    "counting_imbalance": {
        "long_name": "|sum_j c1_j| / max_j |c1_j|: the energy the counting statistics does not "
        "conserve (> 0.01: CountingWarning, the noise and TUR ratio uncertain at that level; "
        "Bloch-Redfield's non-secular Lamb shift; docs/fluctuations.md)",
        "units": "1",
    },
}
"""Attributes of the cumulant variables (``qheat.sweep(..., cumulants=N)``), dims
``(equation, bath, *swept)`` but for ``counting_imbalance``, ``(equation, *swept)``."""


def cumulant_variables(order: int) -> tuple[str, ...]:
    """The variables of ``cumulants=order``: ``c1``, then from 2 ``noise`` and ``tur_ratio``,
    then ``c3`` ... ``c<order>``, and ``counting_imbalance`` (none for 0)."""
    names = ["c1"] if order >= 1 else []
    if order >= 2:
        names += ["noise", "tur_ratio"]
    names += [f"c{n}" for n in range(3, order + 1)]
    return tuple(names + (["counting_imbalance"] if order >= 1 else []))


def _attributes(name: str) -> dict[str, str]:
    return ATTRIBUTES[name] if name in ATTRIBUTES else CUMULANT_ATTRIBUTES[name]


def build_dataset(
    grid: Grid,
    columns: Mapping[str, FloatArray],
    equations: tuple[str, ...],
    baths: tuple[str, ...],
    info: BuilderInfo,
    lamb_shift: str,
    omitted: Mapping[str, str] | None = None,
) -> xr.Dataset:
    """Reshape the flat result columns onto the grid's dimensions and label them."""
    variables = {
        name: xr.DataArray(
            values.reshape(values.shape[:-1] + grid.shape),
            dims=variable_dims(name, grid),
            attrs=variable_attributes(name, info),
        )
        for name, values in columns.items()
    }
    return xr.Dataset(
        variables,
        coords=coordinates(grid, equations, baths, info),
        attrs=dataset_attributes(equations, info, lamb_shift, omitted),
    )


def variable_attributes(name: str, info: BuilderInfo) -> dict[str, str]:
    """``long_name`` and ``units`` of the variable ``name``: W and W/K for the currents and
    the entropy production of a device with ``[units]``, ``J^n/s`` for its cumulants."""
    attrs = dict(_attributes(name))
    units = builder_units(info.build)
    if units is None:
        return attrs
    if name in ("J", "c1"):
        attrs["units"] = units.output_unit("current")
    elif name == "entropy_production":
        attrs["units"] = units.output_unit("entropy_production")
    elif name == "noise" or (name in CUMULANT_ATTRIBUTES and name[0] == "c" and name[1:].isdigit()):
        order = 2 if name == "noise" else int(name[1:])
        attrs["units"] = f"J^{order}/s"
    return attrs


def variable_dims(name: str, grid: Grid) -> tuple[str, ...]:
    """Dimensions of the variable ``name``: ``J`` and the cumulants ``(equation, bath,
    *swept)``, the diagnostics ``(equation, *swept)``."""
    return (("equation", "bath") if per_bath(name) else ("equation",)) + grid.dims


def per_bath(name: str) -> bool:
    """Whether the variable ``name`` has a ``bath`` dimension: ``J`` and the cumulants but
    ``counting_imbalance``."""
    return name == "J" or (name in CUMULANT_ATTRIBUTES and name != "counting_imbalance")


def coordinates(
    grid: Grid, equations: tuple[str, ...], baths: tuple[str, ...], info: BuilderInfo
) -> dict[str, xr.DataArray]:
    """The coordinates: equation and bath names, the swept axes, the fixed values (scalars)."""
    coords: dict[str, xr.DataArray] = {
        "equation": xr.DataArray(list(equations), dims=("equation",)),
        "bath": xr.DataArray(list(baths), dims=("bath",), attrs={"long_name": "bath name"}),
    }
    for name, values in grid.axes:
        dim = ZIP_DIM if grid.zipped else name
        attrs = {"long_name": info.units.get(name, name), **_unit(info, name)}
        coords[name] = xr.DataArray(np.asarray(values), dims=(dim,), attrs=attrs)
    for name, value in grid.fixed:
        attrs = {"long_name": info.units.get(name, name) + " (fixed)", **_unit(info, name)}
        coords[name] = xr.DataArray(value, attrs=attrs)
    return coords


def _unit(info: BuilderInfo, name: str) -> dict[str, str]:
    """``{"units": ...}`` of a parameter of a device with ``[units]`` (else nothing)."""
    device = getattr(info.build, "__self__", None)
    if builder_units(info.build) is None or not callable(getattr(device, "parameter_unit", None)):
        return {}
    assert device is not None
    return {"units": str(device.parameter_unit(name))}


def dataset_attributes(
    equations: tuple[str, ...],
    info: BuilderInfo,
    lamb_shift: str,
    omitted: Mapping[str, str] | None = None,
) -> dict[str, str]:
    """The global attributes of a sweep's Dataset (``omitted_equations``: the equations
    left out because they do not apply to the system, each with the reason)."""
    attrs = {
        "title": info.title,
        "conventions": info.conventions,
        "equations": ", ".join(equations),
        "lamb_shift": lamb_shift,
        "builder": info.identity,
        "source": f"qheat {__version__}",
    }
    units = builder_units(info.build)
    if units is not None:
        attrs["units"] = (
            f"lab units: energies h x {units.energy}, temperatures {units.temperature}, "
            "J in W, entropy_production in W/K (qheat.units)"
        )
    if omitted:
        attrs["omitted_equations"] = "; ".join(f"{k}: {v}" for k, v in omitted.items())
    return attrs


def create_store(
    path: Path,
    grid: Grid,
    layout: ChunkLayout,
    equations: tuple[str, ...],
    baths: tuple[str, ...],
    info: BuilderInfo,
    lamb_shift: str,
    manifest: Mapping[str, object],
    omitted: Mapping[str, str] | None = None,
    cumulants: tuple[str, ...] = (),
) -> None:
    """A zarr store (format 2) at ``path`` with every variable preallocated (NaN, nothing
    written) at the grid's shape, chunked as ``layout``, and the sweep's manifest; the
    cumulant variables named in ``cumulants`` (:func:`cumulant_variables`) too.

    Only metadata is written: no array of the grid's size is held in memory. The store is
    built under a temporary name and renamed into place, so ``path`` is never half-made.
    Every chunk is written as a file even when all NaN (``write_empty_chunks``), so that a
    missing file always means a lost chunk.
    """
    import zarr

    tmp = path.with_name(path.name + f".{os.getpid()}.tmp")
    remove_path(tmp)
    coords = xr.Dataset(
        coords=coordinates(grid, equations, baths, info),
        attrs=dataset_attributes(equations, info, lamb_shift, omitted),
    )
    coords.to_zarr(tmp, mode="w", zarr_format=2, consolidated=False)
    group = zarr.open_group(str(tmp), mode="r+", zarr_format=2)
    scalars = " ".join(name for name, _ in grid.fixed)
    for name in (*ATTRIBUTES, *cumulants):
        lead = (len(equations), len(baths)) if per_bath(name) else (len(equations),)
        attrs: dict[str, Any] = {
            **variable_attributes(name, info),
            "_ARRAY_DIMENSIONS": list(variable_dims(name, grid)),
        }
        if scalars:
            attrs["coordinates"] = scalars
        group.create_array(
            name,
            shape=lead + grid.shape,
            chunks=lead + layout.chunks,
            dtype="f8",
            fill_value=np.nan,
            attributes=attrs,
            config={"write_empty_chunks": True},
        )
    group.attrs.pop("coordinates", None)
    zarr.consolidate_metadata(str(tmp), zarr_format=2)
    write_manifest(tmp, manifest)
    os.replace(tmp, path)


def write_dataset(ds: xr.Dataset, out: Path) -> None:
    """Write ``ds`` to ``out`` (``.nc`` via h5netcdf, ``.zarr``) through a temporary name."""
    tmp = out.with_name(out.name + f".{os.getpid()}.tmp")
    remove_path(tmp)
    try:
        if out.suffix == ".zarr":
            ds.to_zarr(tmp, mode="w", zarr_format=2)  # consolidated metadata: format 2
        else:
            ds.to_netcdf(tmp, engine="h5netcdf")
    except BaseException:
        remove_path(tmp)  # a full disk: no half-written file left behind
        raise
    atomic_replace(tmp, out)
