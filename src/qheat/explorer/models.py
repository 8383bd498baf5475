"""What the explorer varies: the paper's model (Eq. 1 with Drude baths, Eq. 17) or a device file.

A model offers named real parameters with default values and slider ranges, the names of its
baths, and ``system(**params)``, which builds one batched :class:`~qheat.model.OpenSystem` when
some parameters are arrays (they broadcast). Units: hbar = kB = 1, or the lab units of a device
file with ``[units]`` (its parameters in h x GHz, mK, ...; its currents shown in W).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

import numpy as np
from numpy.typing import ArrayLike

from ..api import paper_system
from ..devices import Device, load_device
from ..errors import InvalidParameterError
from ..model import OpenSystem
from ..units import Units

__all__ = ["DeviceModel", "Model", "PaperModel", "Parameter", "load_model"]


@dataclass(frozen=True)
class Parameter:
    """One slider: a parameter's name, its default, and the range its slider and axis offer.

    The range only guides the widgets; a typed value outside it is passed on, and the model
    itself accepts or refuses it (with :class:`~qheat.errors.InvalidParameterError`).
    """

    name: str
    default: float
    low: float
    high: float
    label: str = ""

    @property
    def step(self) -> float:
        """A slider step: about 1/500 of the range, rounded down to 1, 2 or 5 times 10^k."""
        raw = (self.high - self.low) / 500.0
        power = 10.0 ** math.floor(math.log10(raw))
        return next(m * power for m in (5.0, 2.0, 1.0) if m * power <= raw)


class Model(Protocol):
    """What the explorer needs of a model."""

    @property
    def parameters(self) -> tuple[Parameter, ...]: ...

    @property
    def bath_names(self) -> tuple[str, ...]: ...

    @property
    def source(self) -> str | None: ...

    @property
    def units(self) -> Units | None:
        """The lab units of the model's parameters and results (None: natural units)."""

    def system(self, **params: ArrayLike) -> OpenSystem: ...


_PAPER = (
    Parameter("eps1", 4.0, 0.5, 10.0, "e1, qubit 1 splitting"),
    Parameter("eps2", 3.0, 0.5, 10.0, "e2, qubit 2 splitting"),
    Parameter("g", 0.5, 0.0, 3.0, "g, qubit-qubit coupling"),
    Parameter("gamma1", 0.03, 0.001, 0.1, "gamma1, bath 1 coupling"),
    Parameter("gamma2", 0.03, 0.001, 0.1, "gamma2, bath 2 coupling"),
    Parameter("omega_d", 50.0, 1.0, 200.0, "omega_D, Drude cutoff"),
    Parameter("t2", 5.0, 0.1, 50.0, "T2, cold bath temperature"),
    Parameter("dt", 50.0, 0.0, 150.0, "dT = T1 - T2, temperature difference"),
)


class PaperModel:
    """The paper's two qubits between Drude baths, ``T1 = T2 + dt`` (defaults: Fig. 6 panel 3)."""

    parameters: tuple[Parameter, ...] = _PAPER
    bath_names: tuple[str, ...] = ("1", "2")
    source: str | None = None
    units: Units | None = None

    def system(self, **params: ArrayLike) -> OpenSystem:
        """:func:`qheat.paper_system` at these parameters; ``dt`` gives ``T1 = T2 + dt >= 0``."""
        unknown = sorted(set(params) - {p.name for p in _PAPER})
        if unknown:
            raise InvalidParameterError(
                f"unknown parameter {unknown[0]!r}; the paper's model has "
                f"{', '.join(p.name for p in _PAPER)}"
            )
        values = {p.name: params.get(p.name, p.default) for p in _PAPER}
        dt = np.asarray(values.pop("dt"), dtype=float)
        t2 = np.asarray(values["t2"], dtype=float)
        t1 = t2 + dt
        if np.any(t1 < 0):
            raise InvalidParameterError(
                f"dt gives T1 = T2 + dt = {float(np.min(t1)):g}; dt must be >= -T2 = "
                f"{-float(np.max(t2)):g} so that T1 >= 0"
            )
        return paper_system(t1=t1, **values)


class DeviceModel:
    """A device file's model (:func:`qheat.devices.load_device`), ``[parameters]`` as sliders
    (labelled with their units when the file has ``[units]``)."""

    def __init__(self, device: Device, source: str) -> None:
        self._device = device
        self.source = source
        self.units = device.units
        self.parameters = tuple(
            _device_parameter(
                name,
                float(value),
                "" if device.units is None else f"{name} [{device.parameter_unit(name)}]",
            )
            for name, value in device.parameters.items()
        )
        self.bath_names = tuple(str(b) for b in device.bath_names)

    def system(self, **params: ArrayLike) -> OpenSystem:
        """The device's open system at these parameters (arrays broadcast)."""
        return self._device.system(**params)


def _device_parameter(name: str, value: float, label: str = "") -> Parameter:
    """A slider around a device parameter's default: ``[v/10, 2 v]`` for ``v > 0``, symmetric
    else (``v = 0`` may be a degenerate point: no unique steady state)."""
    if value > 0:
        return Parameter(name, value, 0.1 * value, 2.0 * value, label)
    span = abs(value) if value else 1.0
    return Parameter(name, value, value - span, value + span, label)


def load_model(device: str | Path | None = None) -> Model:
    """The paper's model, or the model of a device file (parsed by :mod:`qheat.devices`, never
    evaluated; a bad file raises :class:`~qheat.devices.DeviceFileError`)."""
    if device is None:
        return PaperModel()
    return DeviceModel(load_device(device), str(device))
