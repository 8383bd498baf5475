"""A device read from a file: its sites, parameters, Hamiltonian, couplings and named baths.

:meth:`Device.system` builds the :class:`~qheat.model.OpenSystem` at any parameter values
(numbers or arrays, broadcast as leading batch axes), so ``device.system`` is the ``build``
callable of a sweep. Units: hbar = kB = 1; a file with ``[units]`` takes its values in lab
units (h x GHz, mK) and :attr:`Device.units` converts (:mod:`qheat.units`).
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from .._checks import real_array
from ..baths import registry
from ..errors import InvalidParameterError
from ..model import OpenSystem, Sites, with_counterterm
from ..units import BATH_PARAMETER_DIMENSIONS, Dimension, Units
from .operator import LinearOperator

__all__ = ["BathSpec", "Device", "SiteSpec"]

FloatArray = NDArray[np.float64]
ComplexArray = NDArray[np.complex128]


@dataclass(frozen=True, eq=False)
class BathSpec:
    """One bath of a device: its name, coupling operator and spectral density.

    Attributes:
        name: the bath's name (results are labelled by it).
        coupling: the system operator ``A_j`` the bath couples to (Eq. 5).
        spectral_density: a key of :data:`qheat.baths.registry.SPECTRAL_DENSITIES`.
        parameters: ``(name, value)`` of each parameter of the spectral density, the value a
            number (in the file's units) or the name of a device parameter.
        counterterm: add ``lambda A^2`` to the Hamiltonian, ``lambda = -S(0)`` the bath's
            reorganization energy (:mod:`qheat.model.counterterm`).
    """

    name: str
    coupling: LinearOperator
    spectral_density: str
    parameters: tuple[tuple[str, float | str], ...]
    counterterm: bool = False


@dataclass(frozen=True)
class SiteSpec:
    """One site of a ``sites`` file: its name, its number of levels, and whether it is a
    truncated oscillator (checked by :mod:`qheat.steady.truncation`)."""

    name: str
    levels: int
    truncated: bool


@dataclass(frozen=True, eq=False)
class Device:
    """A device of qubits or sites with named parameters and named baths.

    Build one with :func:`qheat.devices.load_device` or :func:`qheat.devices.parse_device`.

    Attributes:
        source: the file it was read from, or ``"<string>"``.
        subsystem_dims: the tensor factors, ``(2, 2, ...)`` for qubits, the levels of the
            sites otherwise (the first leftmost).
        site_specs: the sites of a ``sites`` file (empty for a ``qubits`` file).
        defaults: ``(name, value)`` of each parameter, from ``[parameters]`` (file units).
        hamiltonian_operator: ``H_S`` as an operator linear in the parameters (internal
            units: its numeric coefficients converted, a parameter's value converted when it
            is evaluated).
        baths: the baths, in the file's order.
        degeneracy_tol: Bohr frequencies closer than this are one (``OpenSystem.degeneracy_tol``,
            internal units).
        content: canonical JSON of the parsed file (comments and layout do not count).
        units: the file's ``[units]``; None: natural units (``hbar = kB = 1``), no conversion.
        dimensions: ``(name, dimension)`` of each parameter: ``"energy"``, ``"temperature"``
            or ``"1"`` (what it stands for in the file).
    """

    source: str
    subsystem_dims: tuple[int, ...]
    site_specs: tuple[SiteSpec, ...]
    defaults: tuple[tuple[str, float], ...]
    hamiltonian_operator: LinearOperator
    baths: tuple[BathSpec, ...]
    degeneracy_tol: float
    content: str
    units: Units | None = None
    dimensions: tuple[tuple[str, Dimension], ...] = ()

    def __repr__(self) -> str:
        return (
            f"Device(source={self.source!r}, {self.summary}, "
            f"parameters={self.parameters}, bath_names={self.bath_names})"
        )

    @property
    def n_qubits(self) -> int:
        """The number of qubits of a ``qubits = n`` file; of a ``sites`` file, the number of
        its 2-level sites."""
        if not self.site_specs:
            return len(self.subsystem_dims)
        return sum(1 for site in self.site_specs if site.levels == 2)

    @property
    def sites(self) -> Sites | None:
        """The sites of a ``sites`` file, whose :meth:`~qheat.model.Sites.operator` gives the
        matrix of any label (``device.sites.operator("r:n")``); None for a ``qubits`` file."""
        if not self.site_specs:
            return None
        return Sites(tuple(s.name for s in self.site_specs), self.subsystem_dims)

    @property
    def summary(self) -> str:
        """``"3 qubits"`` or ``"sites q (4 levels), r (6 levels)"``, and the units."""
        if not self.site_specs:
            n = len(self.subsystem_dims)
            text = f"{n} qubit{'s' if n > 1 else ''}"
        else:
            text = "sites " + ", ".join(f"{s.name} ({s.levels} levels)" for s in self.site_specs)
        if self.units is not None:
            text += f"; units h x {self.units.energy}, {self.units.temperature}"
        return text

    def parameter_unit(self, name: str) -> str:
        """The unit of the parameter ``name`` in the file (``"h x GHz"``, ``"mK"``, ``"1"``);
        ``"natural (hbar = kB = 1)"`` without ``[units]``.

        Raises:
            InvalidParameterError: an unknown parameter.
        """
        dimensions = dict(self.dimensions)
        if name not in dimensions:
            known = ", ".join(dimensions) or "none"
            raise InvalidParameterError(f"unknown parameter {name!r}; the parameters are {known}")
        if self.units is None:
            return "natural (hbar = kB = 1)"
        return self.units.unit(dimensions[name])

    @property
    def parameters(self) -> dict[str, float]:
        """``{name: default value}`` of the parameters of ``[parameters]``."""
        return dict(self.defaults)

    @property
    def bath_names(self) -> tuple[str, ...]:
        """The baths' names, in the file's order."""
        return tuple(bath.name for bath in self.baths)

    @property
    def dim(self) -> int:
        """Hilbert-space dimension ``d``, the product of :attr:`subsystem_dims`."""
        return int(np.prod(self.subsystem_dims))

    def fingerprint(self) -> str:
        """SHA-256 (hex) of :attr:`content`: equal for files that define the same device."""
        return hashlib.sha256(self.content.encode()).hexdigest()

    def hamiltonian(self, **params: ArrayLike) -> ComplexArray:
        """``H_S`` at ``params`` (others at their defaults), shape ``(..., d, d)``, internal
        units, without the counterterms (:meth:`system` adds them)."""
        return self.hamiltonian_operator(self._values(params))

    def system(self, **params: ArrayLike) -> OpenSystem:
        """The open system at ``params``; each overrides a ``[parameters]`` default.

        Every value may be an array; all broadcast together as leading batch axes (the
        Hamiltonian becomes ``(..., d, d)``, the bath parameters arrays). Values are in the
        file's units (``[units]``: h x GHz, mK, ...); the system is in the internal units of
        :mod:`qheat.units` (energies in ``h x 1 GHz``), so its currents are in
        ``units.output_scale("current")`` W each. The baths with ``counterterm = true`` add
        ``lambda_j A_j^2`` to ``H_S`` (:func:`qheat.model.with_counterterm`).

        Raises:
            InvalidParameterError: an unknown parameter name (the message lists the known
                ones), a value that is not a finite real number, or a bath parameter out of
                its range (the message names the bath and the parameter).

        Example:
            >>> from qheat.devices import parse_device
            >>> device = parse_device('''
            ... [parameters]
            ... t = 1.0
            ... [device]
            ... qubits = 1
            ... hamiltonian = [[0.5, "Z"]]
            ... [[baths]]
            ... name = "hot"
            ... coupling = "X"
            ... spectral_density = "drude"
            ... gamma = 0.01
            ... omega_d = 40.0
            ... t = "t"
            ... ''')
            >>> system = device.system(t=[1.0, 2.0, 3.0])
            >>> system.bath_names, system.batch_shape, system.dim
            (('hot',), (3,), 2)
        """
        values = self._values(params)
        couplings = tuple(bath.coupling(values) for bath in self.baths)
        baths = tuple(self._bath(j, values) for j in range(len(self.baths)))
        sites = self.site_specs
        system = OpenSystem(
            self.hamiltonian_operator(values),
            couplings,
            baths,
            degeneracy_tol=self.degeneracy_tol,
            bath_names=self.bath_names,
            subsystem_dims=self.subsystem_dims,
            site_names=tuple(s.name for s in sites) if sites else None,
            truncated_sites=tuple(s.name for s in sites if s.truncated),
        )
        countered = [bath.name for bath in self.baths if bath.counterterm]
        return with_counterterm(system, countered) if countered else system

    def _values(self, params: Mapping[str, ArrayLike]) -> dict[str, FloatArray]:
        """Every parameter's value: the defaults, overridden by ``params`` (checked), in
        internal units."""
        values = {name: np.asarray(value) for name, value in self.defaults}
        for name, value in params.items():
            if name not in values:
                known = ", ".join(values) if values else "none ([parameters] is empty)"
                raise InvalidParameterError(
                    f"unknown parameter {name!r} of the device {self.source}; its parameters "
                    f"are: {known}"
                )
            values[name] = real_array(name, value)
        if self.units is not None:
            for name, dimension in self.dimensions:
                scale = self.units.scale(dimension)
                if scale != 1.0:
                    values[name] = values[name] * scale
        return values

    def _bath(self, j: int, values: Mapping[str, FloatArray]) -> Any:
        """Bath ``j`` at the parameter ``values`` (errors name the bath and its parameter)."""
        spec = self.baths[j]
        units = self.units
        arguments = {
            key: values[value]
            if isinstance(value, str)
            else (value if units is None else units.to_internal(value, _dimension(key)))
            for key, value in spec.parameters
        }
        try:
            return registry.make_bath(spec.spectral_density, arguments)
        except InvalidParameterError as exc:
            named = ", ".join(f"{k} = {v}" for k, v in spec.parameters if isinstance(v, str))
            via = f"; {named}" if named else ""
            raise InvalidParameterError(f"bath {spec.name!r} (baths[{j}]{via}): {exc}") from None


def _dimension(key: str) -> Dimension:
    """The dimension of a bath parameter (the loader refuses unknown ones with units)."""
    return BATH_PARAMETER_DIMENSIONS[key]
