"""A qubit device read from a file: its parameters, Hamiltonian, couplings and named baths.

:meth:`Device.system` builds the :class:`~qheat.model.OpenSystem` at any parameter values
(numbers or arrays, broadcast as leading batch axes), so ``device.system`` is the ``build``
callable of a sweep. Units: hbar = kB = 1.
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
from ..model import OpenSystem
from .operator import LinearOperator

__all__ = ["BathSpec", "Device"]

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
            number or the name of a device parameter.
    """

    name: str
    coupling: LinearOperator
    spectral_density: str
    parameters: tuple[tuple[str, float | str], ...]


@dataclass(frozen=True, eq=False)
class Device:
    """A device of ``n_qubits`` qubits with named parameters and named baths.

    Build one with :func:`qheat.devices.load_device` or :func:`qheat.devices.parse_device`.

    Attributes:
        source: the file it was read from, or ``"<string>"``.
        n_qubits: number of qubits (the Hilbert space is ``2^n_qubits``-dimensional).
        defaults: ``(name, value)`` of each parameter, from ``[parameters]``.
        hamiltonian_operator: ``H_S`` as an operator linear in the parameters.
        baths: the baths, in the file's order.
        degeneracy_tol: Bohr frequencies closer than this are one (``OpenSystem.degeneracy_tol``).
        content: canonical JSON of the parsed file (comments and layout do not count).
    """

    source: str
    n_qubits: int
    defaults: tuple[tuple[str, float], ...]
    hamiltonian_operator: LinearOperator
    baths: tuple[BathSpec, ...]
    degeneracy_tol: float
    content: str

    def __repr__(self) -> str:
        return (
            f"Device(source={self.source!r}, n_qubits={self.n_qubits}, "
            f"parameters={self.parameters}, bath_names={self.bath_names})"
        )

    @property
    def parameters(self) -> dict[str, float]:
        """``{name: default value}`` of the parameters of ``[parameters]``."""
        return dict(self.defaults)

    @property
    def bath_names(self) -> tuple[str, ...]:
        """The baths' names, in the file's order."""
        return tuple(bath.name for bath in self.baths)

    @property
    def subsystem_dims(self) -> tuple[int, ...]:
        """``(2, 2, ...)``: one qubit per tensor factor, qubit 0 leftmost."""
        return (2,) * self.n_qubits

    @property
    def dim(self) -> int:
        """Hilbert-space dimension ``d = 2^n_qubits``."""
        return 2**self.n_qubits

    def fingerprint(self) -> str:
        """SHA-256 (hex) of :attr:`content`: equal for files that define the same device."""
        return hashlib.sha256(self.content.encode()).hexdigest()

    def hamiltonian(self, **params: ArrayLike) -> ComplexArray:
        """``H_S`` at ``params`` (others at their defaults), shape ``(..., d, d)``."""
        return self.hamiltonian_operator(self._values(params))

    def system(self, **params: ArrayLike) -> OpenSystem:
        """The open system at ``params``; each overrides a ``[parameters]`` default.

        Every value may be an array; all broadcast together as leading batch axes (the
        Hamiltonian becomes ``(..., d, d)``, the bath parameters arrays).

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
        return OpenSystem(
            self.hamiltonian_operator(values),
            couplings,
            baths,
            degeneracy_tol=self.degeneracy_tol,
            bath_names=self.bath_names,
            subsystem_dims=self.subsystem_dims,
        )

    def _values(self, params: Mapping[str, ArrayLike]) -> dict[str, FloatArray]:
        """Every parameter's value: the defaults, overridden by ``params`` (checked)."""
        values = {name: np.asarray(value) for name, value in self.defaults}
        for name, value in params.items():
            if name not in values:
                known = ", ".join(values) if values else "none ([parameters] is empty)"
                raise InvalidParameterError(
                    f"unknown parameter {name!r} of the device {self.source}; its parameters "
                    f"are: {known}"
                )
            values[name] = real_array(name, value)
        return values

    def _bath(self, j: int, values: Mapping[str, FloatArray]) -> Any:
        """Bath ``j`` at the parameter ``values`` (errors name the bath and its parameter)."""
        spec = self.baths[j]
        arguments = {
            key: values[value] if isinstance(value, str) else value
            for key, value in spec.parameters
        }
        try:
            return registry.make_bath(spec.spectral_density, arguments)
        except InvalidParameterError as exc:
            named = ", ".join(f"{k} = {v}" for k, v in spec.parameters if isinstance(v, str))
            via = f"; {named}" if named else ""
            raise InvalidParameterError(f"bath {spec.name!r} (baths[{j}]{via}): {exc}") from None
