"""qheat: quantum heat transport through small open quantum systems, beyond the secular
approximation (Bloch-Redfield and Lindblad master equations).

Units: hbar = kB = 1 (device files may give lab units, :mod:`qheat.units`). See
``docs/theory.md`` for the equations the functions cite.
"""

from typing import TYPE_CHECKING, Any

from ._version import __version__ as __version__
from .analysis.mean_force import mean_force_gibbs
from .api import cumulants, paper_system, solve
from .baths import (
    DrudeBath,
    ExponentialBath,
    OhmicBath,
    SpectralDensityBath,
    UnderdampedBath,
    from_qutip,
    lamb_shift_quadrature,
)
from .devices import Device, DeviceFileError, load_device, parse_device
from .errors import (
    ConvergenceError,
    ConvergenceWarning,
    CountingWarning,
    DegenerateSteadyStateWarning,
    IllConditionedWarning,
    InvalidParameterError,
    NonUniqueSteadyStateError,
    PositivityWarning,
    QheatError,
    SecularityWarning,
    TruncationWarning,
    WeakCouplingWarning,
)
from .master import (
    BlochRedfield,
    Generator,
    GlobalLindblad,
    LocalLindblad,
    PartialSecular,
    UniversalLindblad,
)
from .model import Eigenbasis, OpenSystem, Sites, TwoQubitModel, with_counterterm
from .model.sites import sites
from .steady import Solution, SteadyState, heat_currents, steady_state
from .steady.perturbative import PerturbativeState, perturbative_state

if TYPE_CHECKING:
    from .sweeps import sweep


def __getattr__(name: str) -> Any:
    """``qheat.sweep`` on first use: it imports xarray, which the rest of qheat does not need."""
    if name == "sweep":
        from .sweeps import sweep

        return sweep
    raise AttributeError(f"module 'qheat' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | {"sweep"})


__all__ = [
    "BlochRedfield",
    "ConvergenceError",
    "ConvergenceWarning",
    "CountingWarning",
    "DegenerateSteadyStateWarning",
    "Device",
    "DeviceFileError",
    "DrudeBath",
    "ExponentialBath",
    "OhmicBath",
    "SpectralDensityBath",
    "UnderdampedBath",
    "from_qutip",
    "Eigenbasis",
    "Generator",
    "GlobalLindblad",
    "IllConditionedWarning",
    "InvalidParameterError",
    "LocalLindblad",
    "NonUniqueSteadyStateError",
    "OpenSystem",
    "PartialSecular",
    "PerturbativeState",
    "PositivityWarning",
    "QheatError",
    "SecularityWarning",
    "Sites",
    "TruncationWarning",
    "WeakCouplingWarning",
    "Solution",
    "SteadyState",
    "TwoQubitModel",
    "UniversalLindblad",
    "cumulants",
    "heat_currents",
    "lamb_shift_quadrature",
    "load_device",
    "mean_force_gibbs",
    "paper_system",
    "parse_device",
    "perturbative_state",
    "sites",
    "solve",
    "steady_state",
    "sweep",
    "with_counterterm",
]
