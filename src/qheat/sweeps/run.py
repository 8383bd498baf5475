"""``sweep``: heat currents of any system over a named grid, chunk by chunk, as a Dataset.

A sweep calls a *builder* (:mod:`qheat.sweeps.builders`) on each chunk of grid points and
solves the batched system with :func:`qheat.solve` for every master equation: the one path
from a system to its currents. Memory: one chunk's working set per worker (for the paper's
model about 11 kB per point, so the default chunk of 4096 points takes about 45 MB); the
assembled result holds 8 bytes per variable per point, gathered in the calling process.
"""

from __future__ import annotations

import sys
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import xarray as xr
from numpy.typing import ArrayLike, NDArray
from tqdm import tqdm

from .._version import __version__
from ..api import check_equation
from ..errors import InvalidParameterError
from ..master import (
    BlochRedfield,
    GlobalLindblad,
    LocalLindblad,
    MasterEquation,
    UniversalLindblad,
)
from ..master.equations import warn_if_not_secular
from ..steady.solve import check_steady_state
from .builders import BuilderInfo, builder_info
from .dataset import build_dataset, write_dataset
from .evaluate import ChunkTask, evaluate_chunk, evaluate_system
from .grid import Grid, make_grid
from .schedulers import Scheduler, Serial
from .store import ChunkStore

__all__ = ["sweep", "run_grid", "equations_named", "EQUATION_NAMES", "DEFAULT_CHUNK_SIZE"]

FloatArray = NDArray[np.float64]

DEFAULT_CHUNK_SIZE = 4096
"""Points per chunk (about 45 MB of working memory per worker for the paper's model)."""

EQUATION_NAMES: dict[str, type] = {
    "br": BlochRedfield,
    "lindblad": GlobalLindblad,
    "local": LocalLindblad,
    "ule": UniversalLindblad,
}
"""Master equations a sweep (and the command line) accepts by name."""


def equations_named(
    equations: Sequence[str | MasterEquation] | str | MasterEquation, lamb_shift: bool = True
) -> tuple[MasterEquation, ...]:
    """Master-equation instances from names (:data:`EQUATION_NAMES`, ``"all"``) or instances.

    Raises:
        InvalidParameterError: an unknown name, a non-equation, none at all, or two equations
            with one name (the ``equation`` coordinate must be unique).
    """
    if isinstance(equations, str) or not isinstance(equations, Sequence):
        equations = [equations]  # type: ignore[list-item]
    if list(equations) == ["all"]:
        equations = list(EQUATION_NAMES)
    out: list[MasterEquation] = []
    for eq in equations:
        if isinstance(eq, str):
            if eq not in EQUATION_NAMES:
                raise InvalidParameterError(
                    f"equations: unknown name {eq!r}; allowed: {', '.join(EQUATION_NAMES)}, all, "
                    "or master-equation instances (e.g. qheat.PartialSecular(cutoff=0.1))"
                )
            out.append(EQUATION_NAMES[eq](lamb_shift=lamb_shift))
        else:
            out.append(check_equation(eq))
    names = [eq.name for eq in out]
    if not out or len(set(names)) < len(names):
        raise InvalidParameterError(
            f"equations must be one or more master equations with distinct names, got {names}"
        )
    return tuple(out)


def sweep(
    build: Any = None,
    grid: Mapping[str, ArrayLike] | None = None,
    *,
    equations: Sequence[str | MasterEquation] = ("br", "lindblad"),
    lamb_shift: bool = True,
    zipped: bool = False,
    chunk_size: int = DEFAULT_CHUNK_SIZE,
    scheduler: Scheduler | None = None,
    out: str | Path | None = None,
    resume: bool = False,
    progress: bool | None = None,
    **params: ArrayLike,
) -> xr.Dataset:
    """Heat currents of ``build(**params)`` over a grid of named parameters.

    Args:
        build: the system as a function of the parameters: ``None`` for the paper's model
            (:func:`qheat.sweeps.builders.paper_point`), a device
            (:func:`qheat.devices.load_device`), or any callable ``build(**params) ->
            OpenSystem`` that accepts flat arrays (a module-level function for the process
            and Dask schedulers, which pickle it).
        grid: parameter -> a scalar (fixed) or a 1-D array (an axis); keyword arguments
            ``**params`` add to it.
        equations: master equations, by name (``"br"``, ``"lindblad"``, ``"local"``,
            ``"ule"``, ``"all"``) or as instances (any object with ``name`` and
            ``generator(system)``, e.g. ``qheat.PartialSecular(cutoff=0.1)``).
        lamb_shift: for equations given by name: keep ``S(w)`` (False: ``S = 0``).
        zipped: read the axes side by side along one dimension ``point`` (equal lengths)
            instead of forming their cartesian product.
        chunk_size: points per chunk (the unit of work, of memory and of ``resume``).
        scheduler: :class:`~qheat.sweeps.schedulers.Serial` (default),
            :class:`~qheat.sweeps.schedulers.Processes` or :class:`~qheat.sweeps.schedulers.Dask`.
        out: write the Dataset there (``.nc``: netCDF through h5netcdf; ``.zarr``: zarr).
            Chunks are kept in ``<out>.parts`` until the file is complete.
        resume: reuse the chunks already in ``<out>.parts`` (needs ``out``).
        progress: show a progress bar over chunks (default: only on a terminal).

    Returns:
        ``xarray.Dataset`` with ``J`` ``(equation, bath, *swept)`` and the diagnostics
        ``min_eigenvalue``, ``residual``, ``condition_number``, ``secular_ratio`` and
        ``conservation_residual`` ``(equation, *swept)`` (:mod:`qheat.sweeps.dataset`); each
        point equals :func:`qheat.solve` there.

    Raises:
        InvalidParameterError: a bad parameter, equation, chunk size or resume request.
        NonUniqueSteadyStateError: no unique steady state at some point (fails fast).

    Warns:
        IllConditionedWarning, PositivityWarning, SecularityWarning: once per sweep and
        equation, with the number of points.

    Example:
        >>> import numpy as np
        >>> ds = sweep(g=np.array([0.1, 0.5]), dt=np.array([1.0, 10.0]), equations=["br"])
        >>> ds["J"].dims, ds["J"].shape, list(ds.bath.values)
        (('equation', 'bath', 'g', 'dt'), (1, 2, 2, 2), ['1', '2'])
    """
    info = builder_info(build)
    values = {**(grid or {}), **params}
    return run_grid(
        make_grid(values, zipped=zipped, info=info),
        info=info,
        equations=equations_named(equations, lamb_shift),
        chunk_size=chunk_size,
        scheduler=scheduler,
        out=None if out is None else Path(out),
        resume=resume,
        progress=progress,
    )


def run_grid(
    grid: Grid,
    *,
    info: BuilderInfo,
    equations: tuple[MasterEquation, ...],
    chunk_size: int,
    scheduler: Scheduler | None,
    out: Path | None,
    resume: bool,
    progress: bool | None,
) -> xr.Dataset:
    """:func:`sweep` on a ready :class:`~qheat.sweeps.grid.Grid` (the CLI's entry point)."""
    if not (isinstance(chunk_size, int) and chunk_size >= 1):
        raise InvalidParameterError(f"chunk_size must be an integer >= 1, got {chunk_size!r}")
    if resume and out is None:
        raise InvalidParameterError("resume needs an output file (out=...)")
    if out is not None and out.suffix not in (".nc", ".zarr"):
        raise InvalidParameterError(f"out must end in .nc or .zarr, got {out.name!r}")
    baths = _probe(grid, info, equations)
    scheduler = scheduler or Serial()
    n_chunks = grid.n_chunks(chunk_size)
    names = tuple(eq.name for eq in equations)
    store = None
    done: set[int] = set()
    if out is not None:
        manifest = {
            "grid": grid.fingerprint(),
            "builder": info.identity,
            "equations": [repr(eq) for eq in equations],
            "chunk_size": chunk_size,
            "qheat": __version__,
        }
        store = ChunkStore.for_output(out, manifest, resume)
        done = store.done()
    columns: dict[str, FloatArray] = {}

    def keep(number: int, arrays: Mapping[str, FloatArray]) -> None:
        start = number * chunk_size
        for name, values in arrays.items():
            if name not in columns:
                columns[name] = np.full(values.shape[:-1] + (grid.size,), np.nan)
            columns[name][..., start : start + values.shape[-1]] = values

    for number in sorted(done):
        assert store is not None
        keep(number, store.read(number))
    tasks = [
        ChunkTask(grid, k, k * chunk_size, min((k + 1) * chunk_size, grid.size), info.build, equations)
        for k in range(n_chunks)
        if k not in done
    ]
    bar = tqdm(
        total=n_chunks,
        initial=len(done),
        unit="chunk",
        desc="sweep",
        disable=(not _isatty()) if progress is None else not progress,
    )
    with bar:
        for task, arrays in scheduler.imap(evaluate_chunk, tasks):
            if store is not None:
                store.write(task.number, arrays)
            keep(task.number, arrays)
            bar.update(1)
    ds = build_dataset(grid, columns, names, baths, info, _lamb_shift_note(equations))
    _warn(ds)
    if out is not None and store is not None:
        write_dataset(ds, out)
        store.remove()
    return ds


def _probe(grid: Grid, info: BuilderInfo, equations: tuple[MasterEquation, ...]) -> tuple[str, ...]:
    """Build the system at every value of every axis (the others at their first value) before
    any work, so that a value the builder refuses fails now; returns the bath names.

    One point is also solved with every equation (a wrong equation fails here, not in a
    worker)."""
    first = {name: values[:1] for name, values in grid.axes}
    fixed = dict(grid.fixed)
    system = None
    for name, values in grid.axes or (("", np.empty(0)),):
        probe = {**fixed, **first, **({name: values} if name else {})}
        try:
            system = info.build(**probe)
        except TypeError as exc:
            raise InvalidParameterError(f"the builder does not accept these parameters: {exc}") from None
    assert system is not None
    single = info.build(**{**fixed, **first})
    evaluate_system(single, equations)
    return tuple(single.bath_names or ())


def _lamb_shift_note(equations: tuple[MasterEquation, ...]) -> str:
    flags = [f"{eq.name}: {'on' if getattr(eq, 'lamb_shift', True) else 'off (S = 0)'}" for eq in equations]
    return "Lamb shift S(w) of Eq. 15 " + ", ".join(flags)


def _isatty() -> bool:
    return sys.stderr.isatty()


def _warn(ds: xr.Dataset) -> None:
    """One warning per equation and kind for the whole sweep (ill-conditioned, non-positive,
    or secular equation outside its validity)."""
    for name in ds.equation.values:
        part = ds.sel(equation=name)
        check_steady_state(
            np.asarray(part["condition_number"]),
            np.asarray(part["min_eigenvalue"]),
            label=str(name),
            stacklevel=5,
        )
        ratio = np.asarray(part["secular_ratio"])
        if not np.isnan(ratio).all():
            warn_if_not_secular(str(name), ratio, stacklevel=5)
