"""Device analyses of heat currents: NDTC along any swept parameter, the thermal rectification
factor of a diode and the amplification factor of a thermal transistor.

Conventions: ``J_j > 0`` is heat flowing from bath ``j`` into the device (qheat's sign);
units are those of the currents and parameters (hbar = kB = 1).

* **NDTC** along a parameter ``x``: ``dJ/dx < 0`` beyond round-off (the definition and the
  thresholds of :mod:`qheat.analysis.ndtc`, here along any axis of any bath's current). For a
  bath that receives heat (``J < 0``) pass ``-J`` to ask whether the heat it absorbs falls.
* **Rectification factor** (Werlang, Marchiori, Cornejo, Valente and Rigolin, Phys. Rev. E 89,
  062109 (2014)): with ``J_f`` the current of one bath under forward bias and ``J_r`` the current
  of the same bath with the two temperatures swapped,

      R = |J_f + J_r| / max(|J_f|, |J_r|),

  0 for a symmetric conductor (``J_r = -J_f``) and 1 for a perfect diode (one of them 0).
* **Amplification factor** of a transistor whose base bath ``B`` has the swept temperature
  ``T_B`` (Joulain, Drevillon, Ezzahri and Ordonez-Miranda, PRL 116, 200601 (2016)):
  ``alpha_j = dJ_j/dJ_B = (dJ_j/dT_B) / (dJ_B/dT_B)`` for every bath ``j``. Since
  ``sum_j J_j = 0`` in the steady state, ``sum_j alpha_j = 0``: for three baths
  ``alpha_C + alpha_E = -1``. ``|alpha| > 1`` is amplification.

Every function takes numpy arrays (with an integer axis) or labelled xarray objects (with a
dimension name, e.g. the ``J`` of :func:`qheat.sweep`); labelled inputs give labelled outputs.
xarray is never imported here: labelled objects are recognized by their ``dims`` and ``coords``.

Example:
    >>> import numpy as np
    >>> x = np.linspace(0.0, 6.0, 61)
    >>> J = np.stack([x * np.exp(-x), 1 - np.exp(-x)])     # (2 curves, 61 points)
    >>> ndtc_along(J, 1, x).ndtc.tolist()
    [True, False]
    >>> float(rectification_factor(1.0, -0.25))
    0.75
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping
from dataclasses import dataclass
from typing import Any, Protocol, overload, runtime_checkable

import numpy as np
from numpy.typing import ArrayLike, NDArray

from ..api import solve
from ..errors import InvalidParameterError
from ..master import BlochRedfield, MasterEquation
from ..model import Builder, OpenSystem
from .ndtc import NDTCResult, conductance, ndtc_on_grid, to_last

__all__ = [
    "Amplification",
    "Rectification",
    "amplification",
    "amplification_on_grid",
    "ndtc_along",
    "rectification",
    "rectification_factor",
]

FloatArray = NDArray[np.float64]


@runtime_checkable
class Labelled(Protocol):
    """What is used of an ``xarray.DataArray``: dimension names, coordinates, axis numbers."""

    @property
    def dims(self) -> tuple[Hashable, ...]: ...

    @property
    def coords(self) -> Any: ...

    def get_axis_num(self, dim: Hashable) -> int: ...


# --- NDTC -----------------------------------------------------------------------------------


@overload
def ndtc_along(J: Labelled, along: str, x: None = None) -> Any: ...


@overload
def ndtc_along(J: NDArray[Any], along: int, x: ArrayLike) -> NDTCResult: ...


def ndtc_along(J: Any, along: Any, x: Any = None) -> Any:
    """NDTC of every curve ``J(x)`` along one swept parameter, ``dJ/dx < 0`` beyond round-off.

    :func:`qheat.analysis.ndtc.ndtc_on_grid` (its thresholds and peak) along any axis: the
    curves are all the other axes at once (equations, baths, other swept parameters).

    Args:
        J: currents. A numpy array with ``n >= 3`` points along axis ``along``; or a labelled
            array (an ``xarray.DataArray`` such as ``sweep(...).J``) with dimension ``along``.
        along: the axis (an integer) of a numpy ``J``; the dimension name of a labelled ``J``.
        x: the parameter's grid ``(n,)``, strictly increasing; for a labelled ``J`` its
            coordinate ``along`` (pass nothing).

    Returns:
        For a numpy ``J``: the :class:`~qheat.analysis.ndtc.NDTCResult` over the other axes
        (``dT_peak`` is the value of ``x`` at the interior maximum). For a labelled ``J``: an
        ``xarray.Dataset`` over the other dimensions with ``ndtc``, ``peak`` (``x`` at the
        interior maximum, NaN if none), ``J_peak``, ``negative_start`` and ``negative_end``
        (the first interval where ``dJ/dx < 0``, NaN if none).
    """
    if isinstance(J, Labelled):
        axis, grid = _labelled_axis(J, along, x)
        result = ndtc_on_grid(grid, to_last(np.asarray(J), axis))
        template = _as_any(J).isel({along: 0}, drop=True)
        fields = {
            "ndtc": result.ndtc,
            "peak": result.dT_peak,
            "J_peak": result.J_peak,
            "negative_start": result.negative_interval[..., 0],
            "negative_end": result.negative_interval[..., 1],
        }
        arrays = [template.copy(data=value).rename(name) for name, value in fields.items()]
        dataset = arrays[0].to_dataset()
        for array in arrays[1:]:
            dataset[array.name] = array
        dataset.attrs = {"along": str(along)}
        return dataset
    if x is None:
        raise InvalidParameterError("x (the grid of the swept parameter) is required for arrays")
    return ndtc_on_grid(x, to_last(J, along))


# --- rectification --------------------------------------------------------------------------


def rectification_factor(J_forward: Any, J_reverse: Any) -> Any:
    """``R = |J_f + J_r| / max(|J_f|, |J_r|)`` (Werlang et al., PRE 89, 062109 (2014)).

    ``J_forward`` and ``J_reverse`` are the currents of one bath under the forward bias and
    with the two temperatures swapped (arrays that broadcast, or labelled arrays). ``R = 0``
    where the device conducts equally both ways, ``R = 1`` where one direction is blocked;
    NaN where both currents vanish (no bias).
    """
    if isinstance(J_forward, Labelled) or isinstance(J_reverse, Labelled):
        # labelled arithmetic: dimensions align by name, whatever their order
        total = abs(J_forward + J_reverse)
        largest = np.maximum(abs(J_forward), abs(J_reverse))
        return (total / largest.where(largest != 0)).rename("R")
    forward = np.asarray(J_forward, dtype=np.float64)
    reverse = np.asarray(J_reverse, dtype=np.float64)
    return _ratio(np.abs(forward + reverse), np.maximum(np.abs(forward), np.abs(reverse)))


@dataclass(frozen=True)
class Rectification:
    """Currents of one bath under forward and reversed bias and their rectification factor.

    Attributes:
        bath: the bath whose current is compared.
        forward: ``J_f`` of that bath at the given temperatures, shape of the batch.
        reverse: ``J_r`` of that bath with the two temperatures swapped.
        factor: ``R = |J_f + J_r| / max(|J_f|, |J_r|)`` (:func:`rectification_factor`).
    """

    bath: str
    forward: FloatArray
    reverse: FloatArray
    factor: FloatArray


def rectification(
    build: Builder,
    params: Mapping[str, Any],
    swap: tuple[str, str],
    bath: str,
    equation: MasterEquation | None = None,
) -> Rectification:
    """Rectification of a two-terminal device from two solves: as given, and with the values of
    the two temperature parameters ``swap`` exchanged.

    Args:
        build: ``build(**params)`` returns the :class:`~qheat.model.OpenSystem`.
        params: every argument of ``build``; arrays broadcast (a plane of points is one solve).
        swap: the names of the two temperature parameters, e.g. ``("t1", "t2")``.
        bath: the name of the bath whose current is compared (``J_f`` and ``J_r`` are its
            currents, heat into the device).
        equation: the master equation (default ``BlochRedfield()``).

    Example:
        >>> import qheat
        >>> p = dict(eps1=4, eps2=4, g=0.5, gamma1=0.01, gamma2=0.01, omega_d=50, t1=10, t2=2)
        >>> r = rectification(qheat.paper_system, p, swap=("t1", "t2"), bath="1")
        >>> float(r.factor) < 1e-12       # two identical qubits: no rectification
        True
    """
    names = tuple(swap)
    if len(names) != 2 or names[0] == names[1] or not all(n in params for n in names):
        raise InvalidParameterError(
            f"swap must name two different parameters of params {sorted(params)}, got {swap!r}"
        )
    first, second = names
    reverse_params = {**params, first: params[second], second: params[first]}
    eq = BlochRedfield() if equation is None else equation
    forward = _current(build(**params), eq, bath)
    reverse = _current(build(**reverse_params), eq, bath)
    return Rectification(bath, forward, reverse, rectification_factor(forward, reverse))


# --- amplification --------------------------------------------------------------------------


@dataclass(frozen=True)
class Amplification:
    """Amplification factors ``alpha_j = dJ_j/dJ_B`` of a transistor at each base temperature.

    Every array has the batch shape followed by one entry per bath, in ``bath_names`` order.

    Attributes:
        bath_names: the baths.
        base: the base bath ``B`` (its own ``alpha`` is 1).
        currents: ``J_j`` at the given base temperatures.
        response: ``dJ_j/dT_B`` (Richardson-extrapolated central differences).
        response_error: estimated absolute error of ``response``.
        alpha: ``(dJ_j/dT_B) / (dJ_B/dT_B)``; NaN where ``dJ_B/dT_B = 0``.
        alpha_error: estimated absolute error of ``alpha`` (the relative errors of the two
            responses, added).
    """

    bath_names: tuple[str, ...]
    base: str
    currents: FloatArray
    response: FloatArray
    response_error: FloatArray
    alpha: FloatArray
    alpha_error: FloatArray

    def of(self, bath: str) -> FloatArray:
        """``alpha`` of one bath by name, e.g. ``result.of("R")`` for the collector."""
        return np.asarray(self.alpha[..., _index(self.bath_names, bath)])

    def error_of(self, bath: str) -> FloatArray:
        """``alpha_error`` of one bath by name."""
        return np.asarray(self.alpha_error[..., _index(self.bath_names, bath)])


_OFFSETS = np.array([-4.0, -2.0, -1.0, 0.0, 1.0, 2.0, 4.0])
"""Base temperatures ``T_B + k h`` solved in one batch: the point and three symmetric steps."""


def amplification(
    build: Builder,
    params: Mapping[str, Any],
    base_temperature: str,
    base: str,
    equation: MasterEquation | None = None,
    rel_step: float = 1e-3,
) -> Amplification:
    """Amplification factors ``alpha_j = dJ_j/dJ_B`` by differentiating the solver itself.

    Scheme: the device is solved at ``T_B + k h`` for ``k = 0, +-1, +-2, +-4`` with
    ``h = rel_step * T_B`` (one batched solve). The central differences
    ``D(h) = (J(T+h) - J(T-h)) / 2h`` have error ``c h^2 + O(h^4)``; the Richardson value
    ``R(h) = (4 D(h) - D(2h)) / 3`` has error ``O(h^4)`` and is the returned ``dJ_j/dT_B``.
    Its error estimate is ``|R(h) - R(2h)| / 15`` (the ``h^4`` term, from the two Richardson
    values) plus the round-off ``eps * kappa * max_j |J_j| / h`` of currents solved with
    condition number ``kappa`` (``Solution.state.condition_number``, ``eps`` the machine
    epsilon).

    Args:
        build: ``build(**params)`` returns the :class:`~qheat.model.OpenSystem`.
        params: every argument of ``build``; arrays broadcast. ``params[base_temperature]``
            holds the base temperatures (``> 0``) at which ``alpha`` is wanted.
        base_temperature: the name of the base bath's temperature parameter, e.g. ``"tM"``.
        base: the name of the base bath, e.g. ``"M"``.
        equation: the master equation (default ``BlochRedfield()``).
        rel_step: ``h / T_B``, in ``(0, 0.1]``.

    Returns:
        :class:`Amplification`: ``alpha`` for every bath (``result.of("R")``), with errors.
    """
    if base_temperature not in params:
        raise InvalidParameterError(
            f"base_temperature must name a parameter of params {sorted(params)}, got "
            f"{base_temperature!r}"
        )
    if not (isinstance(rel_step, (int, float)) and 0.0 < rel_step <= 0.1):
        raise InvalidParameterError(f"rel_step must be in (0, 0.1], got {rel_step!r}")
    t_base = np.asarray(params[base_temperature], dtype=np.float64)
    if not (np.all(np.isfinite(t_base)) and np.all(t_base > 0)):
        raise InvalidParameterError(
            f"{base_temperature} must be finite and > 0 to differentiate by it"
        )
    h = rel_step * t_base
    # the offsets on a new leading axis, ahead of every parameter's axes (which broadcast)
    batch_ndim = max(np.ndim(value) for value in params.values())
    shifted = t_base + _OFFSETS.reshape((-1,) + (1,) * batch_ndim) * h
    eq = BlochRedfield() if equation is None else equation
    system = build(**{**params, base_temperature: shifted})
    names = tuple(system.bath_names or ())
    i_base = _index(names, base)
    solution = solve(system, eq)
    J = np.asarray(solution.currents, dtype=np.float64)  # (7, ..., n_baths)
    step = h[..., None]  # broadcast against the bath axis
    d1 = (J[4] - J[2]) / (2.0 * step)
    d2 = (J[5] - J[1]) / (4.0 * step)
    d4 = (J[6] - J[0]) / (8.0 * step)
    response = (4.0 * d1 - d2) / 3.0
    coarse = (4.0 * d2 - d4) / 3.0
    kappa = np.max(np.asarray(solution.state.condition_number, dtype=np.float64), axis=0)
    scale = np.max(np.abs(J), axis=(0, -1))
    roundoff = np.finfo(np.float64).eps * (kappa * scale)[..., None] / step
    error = np.abs(response - coarse) / 15.0 + roundoff
    d_base = response[..., i_base : i_base + 1]
    err_base = error[..., i_base : i_base + 1]
    alpha = np.full(response.shape, np.nan)
    np.divide(response, d_base, out=alpha, where=d_base != 0)
    with np.errstate(divide="ignore", invalid="ignore"):
        alpha_error = np.abs(alpha) * (error / np.abs(response) + err_base / np.abs(d_base))
    alpha_error[..., i_base] = 0.0
    alpha_error = np.where(np.isfinite(alpha), alpha_error, np.nan)
    return Amplification(names, base, J[3], response, error, alpha, alpha_error)


@overload
def amplification_on_grid(J: Labelled, along: str, base: str, x: None = None) -> Any: ...


@overload
def amplification_on_grid(J: NDArray[Any], along: int, base: int, x: ArrayLike) -> FloatArray: ...


def amplification_on_grid(J: Any, along: Any, base: Any, x: Any = None) -> Any:
    """Amplification factors ``alpha_j = (dJ_j/dx) / (dJ_B/dx)`` from currents on a grid.

    Both derivatives are the second-order finite differences of
    :func:`qheat.analysis.ndtc.conductance` along the swept base temperature ``x`` (central
    inside, one-sided at the ends; error ``O(dx^2)``). NaN where ``dJ_B/dx = 0``. For values
    accurate to the solver use :func:`amplification`.

    Args:
        J: currents with a bath axis. A numpy array whose last axis is the bath (as
            ``Solution.currents``) and with ``n >= 3`` points along axis ``along``; or a labelled
            array with dimensions ``bath`` and ``along`` (as ``sweep(...).J``).
        along: the axis of the base temperature (integer, not the last), or its dimension name.
        base: the base bath: its index on the last axis, or its name in the ``bath`` coordinate.
        x: the base temperatures ``(n,)``, strictly increasing; the coordinate ``along`` of a
            labelled ``J`` (pass nothing).

    Returns:
        ``alpha`` with the shape (or the dimensions) of ``J``; the base's own entries are 1.
    """
    if isinstance(J, Labelled):
        axis, grid = _labelled_axis(J, along, x)
        slope = conductance(grid, np.asarray(J), axis=axis)
        i_base = _index(tuple(str(b) for b in J.coords["bath"].values), base)
        bath_axis = J.get_axis_num("bath")
        return _as_any(J).copy(data=_ratio(slope, np.take(slope, [i_base], axis=bath_axis)))
    if x is None:
        raise InvalidParameterError("x (the base temperatures) is required for arrays")
    values = np.asarray(J, dtype=np.float64)
    slope = conductance(x, values, axis=along)
    if not isinstance(base, (int, np.integer)) or not -values.shape[-1] <= base < values.shape[-1]:
        raise InvalidParameterError(
            f"base must be the index of a bath on the last axis (size {values.shape[-1]}), "
            f"got {base!r}"
        )
    return _ratio(slope, np.take(slope, [int(base)], axis=-1))


# --- helpers --------------------------------------------------------------------------------


def _ratio(num: FloatArray, den: FloatArray) -> FloatArray:
    """``num / den`` with NaN where ``den == 0`` (broadcast)."""
    out = np.full(np.broadcast_shapes(num.shape, den.shape), np.nan)
    np.divide(num, den, out=out, where=den != 0)
    return out


def _labelled_axis(J: Labelled, along: object, x: object) -> tuple[int, FloatArray]:
    """The axis number and coordinate values of dimension ``along`` of a labelled array."""
    if along not in J.dims:
        raise InvalidParameterError(f"along must be a dimension of J {list(J.dims)}, got {along!r}")
    if x is not None:
        raise InvalidParameterError("x must not be given for labelled J: its coordinate is used")
    return J.get_axis_num(along), np.asarray(J.coords[along].values, dtype=np.float64)


def _as_any(J: Labelled) -> Any:
    """A labelled array with the rest of its (xarray) interface: ``isel``, ``copy``."""
    return J


def _current(system: OpenSystem, equation: MasterEquation, bath: str) -> FloatArray:
    """The steady-state current of bath ``bath`` of ``system`` (checked before solving)."""
    i = _index(tuple(system.bath_names or ()), bath)
    return np.asarray(solve(system, equation).currents[..., i], dtype=np.float64)


def _index(names: tuple[str, ...], name: object) -> int:
    """Position of bath ``name`` in ``names``, or an error listing them."""
    if name not in names:
        raise InvalidParameterError(f"bath must be one of {list(names)}, got {name!r}")
    return names.index(name)  # type: ignore[arg-type]
