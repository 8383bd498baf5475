"""What a sweep varies: a *builder* ``build(**params) -> OpenSystem`` and its parameters.

Any callable that returns an :class:`~qheat.model.OpenSystem` from named parameters is a
builder (each parameter arrives as a scalar or a flat array of the chunk's points, and the
system it returns is batched over them). Two come with qheat:

* :func:`paper_point` -- the paper's model (Eq. 1, Drude baths of Eq. 17) with the defaults of
  ``qheat current`` and ``dt = T1 - T2`` as an alternative to ``t1``;
* a device file's :meth:`qheat.devices.Device.system` (its ``[parameters]``).

:func:`builder_info` tells a sweep, for a builder, which parameter names it knows, their
defaults, the range checks to run before any work, their long names, and an identity that
a resumed sweep must match.
"""

from __future__ import annotations

import hashlib
import inspect
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from ..api import paper_system
from ..errors import InvalidParameterError
from ..model import Builder, OpenSystem

__all__ = [
    "PAPER_PARAMETERS",
    "DEFAULTS",
    "LIMITS",
    "UNITS",
    "CONVENTIONS",
    "Builder",
    "BuilderInfo",
    "paper_point",
    "builder_info",
]

FloatArray = NDArray[np.float64]

PAPER_PARAMETERS = ("eps1", "eps2", "g", "gamma1", "gamma2", "omega_d", "t1", "dt", "t2")
"""Names :func:`paper_point` takes (``t1`` or ``dt = T1 - T2``, not both)."""
DEFAULTS: dict[str, float] = {
    "eps1": 5.0,
    "eps2": 4.0,
    "g": 0.5,
    "gamma1": 0.01,
    "gamma2": 0.01,
    "omega_d": 50.0,
    "t2": 5.0,
}
"""Values of the parameters a paper sweep does not name (those of ``qheat current``); ``dt = 0``."""
LIMITS: dict[str, tuple[float | None, bool]] = {
    "eps1": (0.0, True),
    "eps2": (0.0, True),
    "g": (None, False),
    "gamma1": (0.0, False),
    "gamma2": (0.0, False),
    "omega_d": (0.0, True),
    "t1": (0.0, False),
    "t2": (0.0, False),
    "dt": (None, False),
}
"""``(lower bound, strict)`` of each paper parameter; None: any real value."""
UNITS: dict[str, str] = {
    "eps1": "level splitting e1 of atom 1 (Eq. 1); energy units, hbar = kB = 1",
    "eps2": "level splitting e2 of atom 2 (Eq. 1); energy units",
    "g": "qubit-qubit coupling g (Eq. 1); energy units",
    "gamma1": "coupling of bath 1, lambda_1^2 absorbed (Eq. 17); dimensionless",
    "gamma2": "coupling of bath 2, lambda_2^2 absorbed (Eq. 17); dimensionless",
    "omega_d": "Drude cutoff frequency wD of both baths (Eq. 17); energy units",
    "t1": "temperature T1 of bath 1; energy units (kB = 1)",
    "t2": "temperature T2 of bath 2; energy units (kB = 1)",
    "dt": "temperature difference dT = T1 - T2; energy units (kB = 1)",
}
CONVENTIONS = (
    "hbar = kB = 1; gamma absorbs lambda^2; H_S = e1/2 sz1 + e2/2 sz2 + g sx1 sx2 (Eq. 1), "
    "sz = diag(-1, +1) with |1> excited; Drude baths J(w) = gamma w / (1 + (w/wD)^2) (Eq. 17) "
    "on sx1 (bath 1, temperature T1 = T2 + dt) and sx2 (bath 2); G(w) = J(w)(n(w) + 1); "
    "J_j = Tr((H_S + H_LS) D_j(rho)) > 0 means heat from bath j into the system."
)
GENERAL_CONVENTIONS = (
    "hbar = kB = 1; G(w) = J(w)(n(w) + 1); J_j = Tr((H_S + H_LS) D_j(rho)) > 0 means heat "
    "from bath j into the system."
)


def paper_point(
    *,
    eps1: ArrayLike = DEFAULTS["eps1"],
    eps2: ArrayLike = DEFAULTS["eps2"],
    g: ArrayLike = DEFAULTS["g"],
    gamma1: ArrayLike = DEFAULTS["gamma1"],
    gamma2: ArrayLike = DEFAULTS["gamma2"],
    omega_d: ArrayLike = DEFAULTS["omega_d"],
    t2: ArrayLike = DEFAULTS["t2"],
    t1: ArrayLike | None = None,
    dt: ArrayLike | None = None,
) -> OpenSystem:
    """The paper's open system (:func:`qheat.paper_system`) with ``T1 = t1`` or ``T2 + dt``.

    The builder of the paper's sweeps; ``dt`` defaults to 0 (``T1 = T2``).

    Raises:
        InvalidParameterError: ``t1`` and ``dt`` both given, ``T2 + dt < 0``, or any range
            error of :func:`qheat.paper_system`.
    """
    if t1 is not None and dt is not None:
        raise InvalidParameterError("give t1 or dt (= T1 - T2), not both")
    if t1 is None:
        hot = np.asarray(t2, dtype=float) + np.asarray(0.0 if dt is None else dt, dtype=float)
        if np.any(hot < 0):
            raise InvalidParameterError(
                f"T1 = T2 + dt must be >= 0; these values give T2 + dt = {float(np.min(hot)):g}"
            )
        t1 = hot
    return paper_system(eps1, eps2, g, gamma1, gamma2, omega_d, t1, t2)


@dataclass(frozen=True)
class BuilderInfo:
    """What a sweep knows of its builder.

    Attributes:
        build: the builder itself.
        names: the parameter names it takes (None: any name, checked by calling it).
        defaults: the value of each unnamed parameter (recorded as fixed coordinates).
        limits: ``(lower bound, strict)`` per name, checked before any work.
        units: long name of each parameter (``long_name`` of its coordinate).
        identity: what a resumed sweep must match (the builder and its content).
        conventions: the ``conventions`` attribute of the Dataset.
        title: the ``title`` attribute of the Dataset.
    """

    build: Builder
    names: tuple[str, ...] | None
    defaults: Mapping[str, float] = field(default_factory=dict)
    limits: Mapping[str, tuple[float | None, bool]] = field(default_factory=dict)
    units: Mapping[str, str] = field(default_factory=dict)
    identity: str = ""
    conventions: str = GENERAL_CONVENTIONS
    title: str = "steady-state heat currents"


def builder_info(build: Any) -> BuilderInfo:
    """:class:`BuilderInfo` of ``build``: None (the paper's model), a device, or a callable.

    Raises:
        InvalidParameterError: ``build`` is neither.
    """
    if build is None or build is paper_point:
        return BuilderInfo(
            build=paper_point,
            names=PAPER_PARAMETERS,
            defaults=DEFAULTS,
            limits=LIMITS,
            units=UNITS,
            identity="qheat.sweeps.builders.paper_point",
            conventions=CONVENTIONS,
            title="steady-state heat currents of two coupled qubits between two Drude baths",
        )
    system = getattr(build, "system", None)
    if callable(system) and isinstance(getattr(build, "parameters", None), Mapping):
        fingerprint = getattr(build, "fingerprint", None)
        content = fingerprint() if callable(fingerprint) else repr(build)
        return BuilderInfo(
            build=system,
            names=tuple(build.parameters),
            defaults={k: float(v) for k, v in build.parameters.items()},
            units={
                k: f"device parameter {k} ({getattr(build, 'source', 'device')})"
                for k in build.parameters
            },
            identity=f"device {content}",
            title=f"steady-state heat currents of the device {getattr(build, 'source', '')}",
        )
    if not callable(build):
        raise InvalidParameterError(
            "build must be a callable build(**params) -> OpenSystem (e.g. qheat.paper_system "
            f"wrapped, or a device from qheat.devices.load_device), got {type(build).__name__}"
        )
    return BuilderInfo(build=build, names=_keyword_names(build), identity=_identity(build))


def _keyword_names(build: Callable[..., Any]) -> tuple[str, ...] | None:
    """The keyword names of a builder's signature; None if it takes ``**kwargs``."""
    try:
        parameters = inspect.signature(build).parameters.values()
    except (TypeError, ValueError):
        return None
    if any(p.kind is inspect.Parameter.VAR_KEYWORD for p in parameters):
        return None
    return tuple(
        p.name
        for p in parameters
        if p.kind in (inspect.Parameter.POSITIONAL_OR_KEYWORD, inspect.Parameter.KEYWORD_ONLY)
    )


def _identity(build: Callable[..., Any]) -> str:
    """Module, name and a hash of the source of a builder (where Python can read it)."""
    name = f"{getattr(build, '__module__', '?')}.{getattr(build, '__qualname__', repr(build))}"
    try:
        source = inspect.getsource(build)
    except (OSError, TypeError):
        return name
    return f"{name} {hashlib.sha256(source.encode()).hexdigest()[:16]}"
