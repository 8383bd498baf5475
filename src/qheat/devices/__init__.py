"""Devices: Hamiltonians of qubits or sites (transmons, resonators, harmonic modes), named
baths and lab units from a TOML file (``docs/devices.md``).

``load_device("transistor.toml").system(tM=[0.5, 1.0])`` is the :class:`~qheat.model.OpenSystem`
of the file at those parameter values; ``Device.system`` is a sweep's ``build`` callable.
"""

from .device import BathSpec, Device, SiteSpec
from .loader import MAX_DIM, MAX_QUBITS, DeviceFileError, load_device, parse_device
from .operator import LinearOperator, Term
from .pauli import LETTERS, pauli

__all__ = [
    "LETTERS",
    "MAX_DIM",
    "MAX_QUBITS",
    "BathSpec",
    "Device",
    "DeviceFileError",
    "LinearOperator",
    "SiteSpec",
    "Term",
    "load_device",
    "parse_device",
    "pauli",
]
