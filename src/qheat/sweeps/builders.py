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

The identity of a Python builder is its module, name and source and the *content* of what it
reads: its default arguments, closure cells and the module globals its code names (numbers,
strings, arrays, containers and plain objects by value; functions by their own identity,
recursively; modules by name). What cannot be fingerprinted (an object that neither has
plain attributes nor pickles) is listed in :attr:`BuilderInfo.unverified`, so that a resume
can say which change it could not detect.
"""

from __future__ import annotations

import functools
import hashlib
import inspect
import pickle
import types
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from ..api import paper_system
from ..errors import InvalidParameterError
from ..model import Builder, OpenSystem
from ..units import Units

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
    "builder_units",
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
        unverified: what the builder reads whose content the identity cannot hold (a
            change there is not detected by the identity), e.g. ``"global CACHE (Client)"``.
    """

    build: Builder
    names: tuple[str, ...] | None
    defaults: Mapping[str, float] = field(default_factory=dict)
    limits: Mapping[str, tuple[float | None, bool]] = field(default_factory=dict)
    units: Mapping[str, str] = field(default_factory=dict)
    identity: str = ""
    conventions: str = GENERAL_CONVENTIONS
    title: str = "steady-state heat currents"
    unverified: tuple[str, ...] = ()


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
    identity, unverified = _identity(build)
    return BuilderInfo(
        build=build, names=_keyword_names(build), identity=identity, unverified=unverified
    )


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


def _identity(build: Callable[..., Any]) -> tuple[str, tuple[str, ...]]:
    """Name and a hash of the builder's source and of the content it reads; what it reads
    that cannot be hashed."""
    name = f"{getattr(build, '__module__', '?')}.{getattr(build, '__qualname__', repr(build))}"
    digest = _Digest(getattr(getattr(build, "__func__", build), "__module__", None))
    digest.callable(build, "builder")
    return f"{name} {digest.hash.hexdigest()[:16]}", tuple(dict.fromkeys(digest.unverified))


_MAX_DEPTH = 24
"""Nesting depth beyond which a value counts as not fingerprinted."""


class _Digest:
    """A sha256 of a builder and of the values it reads, canonical across processes (sets
    and dicts are sorted, arrays hashed by dtype, shape and bytes). Functions of the
    builder's own module are followed into; those of other modules (libraries) count by
    name, as modules do."""

    def __init__(self, module: str | None) -> None:
        self.module = module
        self.hash = hashlib.sha256()
        self.unverified: list[str] = []
        self.seen: set[int] = set()

    def feed(self, *parts: object) -> None:
        for part in parts:
            data = part if isinstance(part, bytes) else str(part).encode()
            self.hash.update(len(data).to_bytes(8, "little") + data)

    def callable(self, fn: Any, label: str) -> None:
        """A function: its source and its defaults, closure and globals; other callables
        (``functools.partial``, objects with ``__call__``) by their parts."""
        if id(fn) in self.seen:
            self.feed("seen", getattr(fn, "__qualname__", ""))
            return
        self.seen.add(id(fn))
        if isinstance(fn, functools.partial):
            self.feed("partial")
            self.callable(fn.func, label)
            self.value(fn.args, f"{label} (partial arguments)")
            self.value(fn.keywords, f"{label} (partial keywords)")
            return
        function = getattr(fn, "__func__", fn)  # a bound method: its function and its object
        if function is not fn:
            self.value(getattr(fn, "__self__", None), f"{label}.__self__")
        if not isinstance(function, types.FunctionType):
            call = next(
                (vars(k)["__call__"] for k in type(fn).__mro__ if "__call__" in vars(k)), None
            )
            self.feed("object", type(fn).__module__, type(fn).__qualname__)
            if isinstance(call, types.FunctionType):
                self.callable(call, f"{label}.__call__")
            self.value(fn, label)
            return
        self.feed("function", function.__module__, function.__qualname__)
        try:
            self.feed(inspect.getsource(function))
        except (OSError, TypeError):
            self.feed(function.__code__.co_code)
            self.unverified.append(f"{label} {function.__qualname__} (source not available)")
        self.value(function.__defaults__, f"{label} defaults")
        self.value(function.__kwdefaults__, f"{label} keyword defaults")
        for cell_name, cell in zip(function.__code__.co_freevars, function.__closure__ or ()):
            try:
                content = cell.cell_contents
            except ValueError:  # an empty cell
                continue
            self.feed("cell", cell_name)
            self.value(content, f"closure variable {cell_name}")
        scope = function.__globals__
        for global_name in sorted(set(_names(function.__code__))):
            if global_name in scope:
                self.feed("global", global_name)
                self.value(scope[global_name], f"global {global_name}")

    def value(self, value: Any, label: str, depth: int = 0) -> None:
        """Any value the builder reads, by content."""
        if depth > _MAX_DEPTH:
            self.unverified.append(f"{label} (nested too deeply)")
            return
        if value is None or isinstance(value, bool | int | float | complex | str | bytes):
            self.feed(type(value).__name__, repr(value))
        elif isinstance(value, np.ndarray | np.generic):
            arr = np.ascontiguousarray(value)
            self.feed("array", arr.dtype.str, arr.shape)
            self.feed(arr.tobytes() if arr.dtype.kind != "O" else repr(arr.tolist()))
        elif isinstance(value, types.ModuleType):
            self.feed("module", value.__name__)  # a library: its version is not tracked
        elif isinstance(value, type):
            self.feed("class", value.__module__, value.__qualname__)
            try:
                self.feed(inspect.getsource(value))
            except (OSError, TypeError):
                pass
        elif isinstance(value, types.FunctionType | types.MethodType | functools.partial):
            if getattr(value, "__module__", None) in (self.module, None):
                self.callable(value, label)
            else:
                self.feed("function", value.__module__, getattr(value, "__qualname__", ""))
        elif isinstance(value, tuple | list):
            self.feed(type(value).__name__, len(value))
            for item in value:
                self.value(item, label, depth + 1)
        elif isinstance(value, dict):
            self.feed("dict", len(value))
            for key in sorted(value, key=repr):
                self.feed(repr(key))
                self.value(value[key], label, depth + 1)
        elif isinstance(value, set | frozenset):
            self.feed("set", sorted(repr(v) for v in value))
        elif id(value) in self.seen:
            self.feed("seen", type(value).__qualname__)
        else:
            self.seen.add(id(value))
            self.feed("object", type(value).__module__, type(value).__qualname__)
            state = getattr(value, "__dict__", None)
            slots = getattr(type(value), "__slots__", ())
            if isinstance(state, dict) and state:
                self.value(state, label, depth + 1)
            elif slots:
                names = (slots,) if isinstance(slots, str) else tuple(slots)
                self.value({n: getattr(value, n, None) for n in names}, label, depth + 1)
            else:
                try:
                    self.feed(pickle.dumps(value, protocol=4))
                except Exception:  # noqa: BLE001 - anything unpicklable is simply unverified
                    self.unverified.append(f"{label} ({type(value).__name__})")


def _names(code: types.CodeType) -> Iterator[str]:
    """The global names a code object and the code nested in it (lambdas, inner functions,
    comprehensions) refer to."""
    yield from code.co_names
    for const in code.co_consts:
        if isinstance(const, types.CodeType):
            yield from _names(const)


def builder_units(build: Any) -> Units | None:
    """The lab units of a builder: those of the device whose ``system`` it is (None: natural
    units, no conversion)."""
    units = getattr(getattr(build, "__self__", None), "units", None)
    return units if isinstance(units, Units) else None
