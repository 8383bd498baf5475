"""Read a device file (TOML): qubits or sites, a Hamiltonian, named baths, optional units.

The format, every key and every error are documented in ``docs/devices.md``. The file is
parsed, never evaluated: a number is a TOML number, a parameter is a name. Any problem raises
:class:`DeviceFileError`, one line naming the file, the field (``baths[1].t``,
``device.hamiltonian[3]``) and what is allowed.
"""

from __future__ import annotations

import json
import math
import os
import re
import stat
import tomllib
from collections.abc import Mapping
from os import PathLike
from pathlib import Path
from typing import Any, NoReturn

import numpy as np
import scipy.sparse

from ..baths import registry
from ..errors import InvalidParameterError
from ..model.sites import Sites
from ..units import BATH_PARAMETER_DIMENSIONS, ENERGY_UNITS, TEMPERATURE_UNITS, Dimension, Units
from .device import BathSpec, Device, SiteSpec
from .operator import LinearOperator, Term
from .spaces import OperatorSpace, QubitSpace, SiteSpace

__all__ = [
    "MAX_BYTES",
    "MAX_DIM",
    "MAX_QUBITS",
    "DeviceFileError",
    "load_device",
    "parse_device",
]

MAX_QUBITS = 12
"""Largest ``device.qubits``: ``d = 4096``, solved matrix-free (:mod:`qheat.steady.krylov`)
in about 1.5 GB; each further qubit multiplies memory by 4 and time by 8."""

MAX_DIM = 2**MAX_QUBITS
"""Largest Hilbert-space dimension of a device (the product of the sites' levels): 4096,
that of 12 qubits."""

MAX_BYTES = 1 << 20
"""Largest device file read, in bytes (1 MiB; the examples are about 1 kB)."""

FORMAT_VERSION = 1
"""Version of the canonical content that :meth:`Device.fingerprint` hashes."""

_TABLES = ("parameters", "units", "device", "baths")
_DEVICE_KEYS = ("qubits", "sites", "hamiltonian", "degeneracy_tol")
_SITE_KEYS = ("name", "levels", "truncated")
_UNIT_KEYS = ("energy", "temperature")
_BATH_KEYS = ("name", "coupling", "spectral_density")
_BATH_OPTIONS = ("counterterm",)
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")
_DIMENSION_NAMES = {"energy": "an energy", "temperature": "a temperature", "1": "dimensionless"}
_FINITE = "a finite number (|x| < 1.8e308, not nan or inf)"
"""What ``[parameters]`` values must be (TOML reads 1e400 as inf)."""

_BathEntry = tuple[str, list[Term], str, tuple[tuple[str, float | str], ...], bool]
"""One ``[[baths]]`` table read: name, coupling terms, spectral density, its parameters."""


class DeviceFileError(InvalidParameterError):
    """A device file that cannot be used: ``FILE: FIELD: what is allowed, got what``.

    Attributes:
        source: the file (or ``"<string>"``).
        field: the offending field, e.g. ``baths[1].t`` (empty for the file as a whole).
    """

    def __init__(self, source: str, field: str, message: str) -> None:
        text = f"{source}: {field}: {message}" if field else f"{source}: {message}"
        super().__init__(" ".join(text.split()))
        self.source = source
        self.field = field


def load_device(path: str | PathLike[str]) -> Device:
    """The device described by the TOML file at ``path`` (see ``docs/devices.md``).

    The file must be a regular file (not a directory, FIFO or device such as ``/dev/zero``)
    of at most :data:`MAX_BYTES` bytes of UTF-8 text; a leading byte-order mark is ignored.

    Raises:
        DeviceFileError: the file cannot be read or is not a valid device file.
    """
    source = str(path)
    return parse_device(_read_text(Path(path), source), source=source)


def _read_text(path: Path, source: str) -> str:
    """The UTF-8 text of the regular file ``path``, at most :data:`MAX_BYTES` bytes.

    The file is opened without blocking (a FIFO would wait for a writer) and checked to be
    regular on the open descriptor, so nothing is read from a pipe or a device; at most
    ``MAX_BYTES + 1`` bytes are read even if the file grows meanwhile.
    """

    def fail(message: str) -> NoReturn:
        raise DeviceFileError(source, "", message)

    limit = f"a device file may have at most {MAX_BYTES} bytes (1 MiB)"
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    except OSError as exc:
        fail(f"cannot read the device file: {exc.strerror or exc}")
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            kind = _file_kind(info.st_mode)
            fail(f"cannot read the device file: it is {kind}; it must be a regular file")
        if info.st_size > MAX_BYTES:
            fail(f"the file has {info.st_size} bytes; {limit}")
        data = b""
        while len(data) <= MAX_BYTES:  # a read may return less than asked
            chunk = os.read(fd, MAX_BYTES + 1 - len(data))
            if not chunk:
                break
            data += chunk
    except OSError as exc:
        fail(f"cannot read the device file: {exc.strerror or exc}")
    finally:
        os.close(fd)
    if len(data) > MAX_BYTES:
        fail(f"the file has more than {MAX_BYTES} bytes; {limit}")
    try:
        return data.decode("utf-8-sig")  # a leading byte-order mark is dropped
    except UnicodeDecodeError as exc:
        fail(f"cannot read the device file: not UTF-8 text ({exc})")


def _file_kind(mode: int) -> str:
    """What a non-regular file is, for the error message."""
    kinds = (
        (stat.S_ISDIR, "a directory"),
        (stat.S_ISFIFO, "a FIFO (named pipe)"),
        (stat.S_ISCHR, "a character device"),
        (stat.S_ISBLK, "a block device"),
        (stat.S_ISSOCK, "a socket"),
    )
    return next((name for test, name in kinds if test(mode)), "a special file")


def parse_device(text: str, source: str = "<string>") -> Device:
    """The device described by the TOML ``text``; ``source`` names it in errors.

    Raises:
        DeviceFileError: ``text`` is not a valid device file (the message names ``source``,
            the field and what is allowed).

    Example:
        >>> device = parse_device('''
        ... [device]
        ... qubits = 2
        ... hamiltonian = [[2.5, "ZI"], [2.0, "IZ"], [0.5, "XX"]]
        ... [[baths]]
        ... name = "hot"
        ... coupling = "XI"
        ... spectral_density = "drude"
        ... gamma = 0.01
        ... omega_d = 50.0
        ... t = 15.0
        ... ''')
        >>> device.n_qubits, device.bath_names, device.hamiltonian().shape
        (2, ('hot',), (4, 4))
    """
    return _Reader(source).device(text)


class _Reader:
    """One pass over a parsed file; :meth:`fail` raises the error naming the file."""

    def __init__(self, source: str) -> None:
        self.source = source
        self.parameters: dict[str, float] = {}
        self.used: set[str] = set()
        self.uses: dict[str, list[tuple[str, Dimension]]] = {}
        self.units: Units | None = None
        self.space: OperatorSpace = QubitSpace(1)

    def fail(self, field: str, message: str) -> NoReturn:
        raise DeviceFileError(self.source, field, message)

    def device(self, text: str) -> Device:
        try:
            data = tomllib.loads(text.removeprefix("\ufeff"))  # a byte-order mark is no TOML
        except tomllib.TOMLDecodeError as exc:
            self.fail("", f"not valid TOML: {exc}")
        self.keys(
            "",
            data,
            _TABLES,
            "a device file has the tables [parameters], [device] and [[baths]], and [units]",
        )
        self.parameters = self.read_parameters(data.get("parameters", {}))
        self.units = self.read_units(data.get("units"))
        table = self.table("device", data.get("device"), required=True)
        self.keys(
            "device",
            table,
            _DEVICE_KEYS,
            "[device] takes qubits, hamiltonian, degeneracy_tol (or sites instead of qubits)",
        )
        site_specs = self.read_space(table)
        hamiltonian = self.operator(
            "device.hamiltonian", table.get("hamiltonian"), "energy", sum_only=True
        )
        tol = self.tolerance(table.get("degeneracy_tol", 1e-9))
        baths = self.baths(data.get("baths"))
        unused = [name for name in self.parameters if name not in self.used]
        if unused:
            self.fail(
                f"parameters.{unused[0]}",
                "is used nowhere; every parameter must stand for a number of [device] or "
                "[[baths]] (remove it or use its name there)",
            )
        dimensions = self.dimensions()
        content = self.content(site_specs, hamiltonian, tol, baths)
        dim = int(np.prod(self.space.dims))
        energy = 1.0 if self.units is None else self.units.scale("energy")
        return Device(
            source=self.source,
            subsystem_dims=self.space.dims,
            site_specs=tuple(site_specs),
            defaults=tuple(self.parameters.items()),
            hamiltonian_operator=self.linear(hamiltonian, dim, energy),
            baths=tuple(
                BathSpec(name, self.linear(coupling, dim, 1.0), kind, values, counterterm)
                for name, coupling, kind, values, counterterm in baths
            ),
            degeneracy_tol=tol * energy,
            content=json.dumps(content, sort_keys=True),
            units=self.units,
            dimensions=tuple(dimensions.items()),
        )

    def linear(self, terms: list[Term], dim: int, scale: float) -> LinearOperator:
        """The operator of ``terms`` in internal units: numeric coefficients times ``scale``
        (a parameter's value is converted when the device is evaluated)."""
        if scale != 1.0:
            terms = [
                Term(t.scale * scale, None, t.label) if t.parameter is None else t for t in terms
            ]
        return LinearOperator.from_terms(terms, dim, self.space.sparse)

    def content(
        self,
        site_specs: list[SiteSpec],
        hamiltonian: list[Term],
        tol: float,
        baths: list[_BathEntry],
    ) -> dict[str, Any]:
        """The canonical content of the file (what :meth:`Device.fingerprint` hashes); a
        ``qubits`` file without units or counterterms has the keys it always had."""
        content: dict[str, Any] = {
            "format": FORMAT_VERSION,
            "parameters": self.parameters,
            "hamiltonian": [[t.scale, t.parameter, t.label] for t in hamiltonian],
            "degeneracy_tol": tol,
            "baths": [
                {
                    "name": name,
                    "coupling": [[t.scale, t.parameter, t.label] for t in coupling],
                    "spectral_density": kind,
                    "parameters": dict(values),
                    **({"counterterm": True} if counterterm else {}),
                }
                for name, coupling, kind, values, counterterm in baths
            ],
        }
        if site_specs:
            content["sites"] = [[s.name, s.levels, s.truncated] for s in site_specs]
        else:
            content["qubits"] = len(self.space.dims)
        if self.units is not None:
            content["units"] = {"energy": self.units.energy, "temperature": self.units.temperature}
        return content

    # -- tables and keys ---------------------------------------------------------------------

    def table(self, field: str, value: Any, required: bool = False) -> dict[str, Any]:
        if value is None and required:
            self.fail(field, f"missing; the file must have a [{field}] table")
        if value is None:
            return {}
        if not isinstance(value, dict):
            self.fail(field, f"must be a table [{field}], got {_brief(value)}")
        return value

    def keys(
        self, field: str, table: Mapping[str, Any], allowed: tuple[str, ...], what: str
    ) -> None:
        for key in table:
            if key not in allowed:
                where = f"{field}.{key}" if field else key
                self.fail(where, f"unknown key; {what}")

    def read_parameters(self, value: Any) -> dict[str, float]:
        table = self.table("parameters", value)
        out: dict[str, float] = {}
        for name, number in table.items():
            field = f"parameters.{name}"
            if not _NAME.match(name):
                self.fail(
                    field,
                    "a parameter name must be letters, digits and _, not starting with a digit",
                )
            if not _is_number(number):
                self.fail(field, f"must be {_FINITE}, got {_brief(number)}")
            out[name] = float(number) + 0.0  # -0.0 is 0
        return out

    def read_units(self, value: Any) -> Units | None:
        """``[units]``: ``energy`` and ``temperature``, both (None without the table)."""
        if value is None:
            return None
        table = self.table("units", value)
        names = {"energy": ENERGY_UNITS, "temperature": TEMPERATURE_UNITS}
        takes = "[units] takes energy (" + ", ".join(map(repr, ENERGY_UNITS)) + ") and "
        takes += "temperature (" + ", ".join(map(repr, TEMPERATURE_UNITS)) + ")"
        self.keys("units", table, _UNIT_KEYS, takes)
        for key, allowed in names.items():
            shown = " or ".join(map(repr, allowed))
            if key not in table:
                self.fail(
                    f"units.{key}",
                    f"missing; give {shown}: with [units] every energy and temperature of "
                    "the file is in lab units, so both are needed",
                )
            if not isinstance(table[key], str) or table[key] not in allowed:
                self.fail(f"units.{key}", f"must be {shown} (a string), got {_brief(table[key])}")
        return Units(table["energy"], table["temperature"])

    def read_space(self, table: Mapping[str, Any]) -> list[SiteSpec]:
        """``qubits = n`` or ``sites = [...]`` (exactly one): the operator labels' space."""
        if "qubits" in table and "sites" in table:
            self.fail(
                "device.sites",
                "give either qubits (Pauli strings) or sites (site labels), not both; a qubit "
                "is a site of 2 levels",
            )
        if "sites" in table:
            specs = self.sites(table["sites"])
            self.space = SiteSpace(
                Sites(tuple(s.name for s in specs), tuple(s.levels for s in specs))
            )
            return specs
        self.space = QubitSpace(self.qubits(table.get("qubits")))
        return []

    def qubits(self, value: Any) -> int:
        allowed = f"an integer from 1 to {MAX_QUBITS}"
        if value is None:
            self.fail(
                "device.qubits",
                f"missing; give the number of qubits, {allowed} (or sites = [...])",
            )
        if isinstance(value, int) and not isinstance(value, bool) and MAX_QUBITS < value < 64:
            self.fail(
                "device.qubits",
                f"must be {allowed}, got {value}: d = 2^{value} = {2**value} would need about "
                f"{_gib(2**value):.3g} GiB per point, and a day or more",
            )
        if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= MAX_QUBITS:
            self.fail("device.qubits", f"must be {allowed}, got {_brief(value)}")
        return value

    def sites(self, value: Any) -> list[SiteSpec]:
        """``sites``: a non-empty list of tables ``{name, levels[, truncated]}``."""
        shape = '[{name = "q", levels = 4}, {name = "r", levels = 6}]'
        if not isinstance(value, list) or not value:
            self.fail("device.sites", f"must be a non-empty list of sites, e.g. {shape}")
        out: list[SiteSpec] = []
        names: dict[str, int] = {}
        for k, site in enumerate(value):
            field = f"device.sites[{k}]"
            if not isinstance(site, dict):
                self.fail(
                    field, f"must be a table {{name = ..., levels = ...}}, got {_brief(site)}"
                )
            self.keys(field, site, _SITE_KEYS, "a site takes name, levels and truncated (optional)")
            name = site.get("name")
            if not isinstance(name, str) or not _NAME.match(name):
                self.fail(
                    f"{field}.name",
                    "must be a name of letters, digits and _, not starting with a digit, got "
                    f"{_brief(name)}",
                )
            if name in names:
                self.fail(
                    f"{field}.name",
                    f"{name!r} is already the name of device.sites[{names[name]}]; site names "
                    "must be distinct",
                )
            names[name] = k
            levels = site.get("levels")
            if (
                isinstance(levels, bool)
                or not isinstance(levels, int)
                or not 2 <= levels <= MAX_DIM
            ):
                self.fail(
                    f"{field}.levels",
                    f"must be an integer from 2 to {MAX_DIM}, got {_brief(levels)}",
                )
            truncated = site.get("truncated", levels > 2)
            if not isinstance(truncated, bool):
                self.fail(f"{field}.truncated", f"must be true or false, got {_brief(truncated)}")
            out.append(SiteSpec(name, levels, truncated))
        dim = math.prod(s.levels for s in out)
        if dim > MAX_DIM:
            product = " x ".join(str(s.levels) for s in out)
            self.fail(
                "device.sites",
                f"the levels multiply to d = {product} = {dim}, above the largest dimension "
                f"{MAX_DIM} (12 qubits): one point would need about {_gib(dim):.3g} GiB; lower "
                "the levels of some site",
            )
        return out

    def tolerance(self, value: Any) -> float:
        if not _is_number(value) or value < 0:
            self.fail("device.degeneracy_tol", f"must be a finite number >= 0, got {_brief(value)}")
        return float(value)

    # -- numbers, their units, and operators -------------------------------------------------

    def number(
        self, field: str, value: Any, what: str = "a finite number", dimension: Dimension = "1"
    ) -> float | str:
        """A finite number, or the name of a parameter (recorded as used, as ``dimension``)."""
        if _is_number(value):
            return float(value) + 0.0  # -0.0 is 0
        if isinstance(value, str):
            if value not in self.parameters:
                known = ", ".join(self.parameters) or "none, [parameters] is empty"
                quoted = (
                    "; a quoted value is a parameter name: write a number without quotes"
                    if _looks_numeric(value)
                    else ""
                )
                self.fail(
                    field, f"unknown parameter {value!r}; the parameters are: {known}{quoted}"
                )
            self.used.add(value)
            self.record(field, value, dimension)
            return value
        self.fail(field, f"must be {what} or a parameter name, got {_brief(value)}")

    def record(self, field: str, name: str, dimension: Dimension) -> None:
        """Note that the parameter ``name`` stands for a number of ``dimension`` at ``field``."""
        self.uses.setdefault(name, []).append((field, dimension))

    def dimensions(self) -> dict[str, Dimension]:
        """Each parameter's dimension; with ``[units]`` a parameter must have one."""
        out: dict[str, Dimension] = {}
        for name, uses in self.uses.items():
            field, dimension = uses[0]
            other = next(((f, d) for f, d in uses if d != dimension), None)
            if other is not None and self.units is not None:
                self.fail(
                    f"parameters.{name}",
                    f"stands for {_DIMENSION_NAMES[dimension]} at {field} and for "
                    f"{_DIMENSION_NAMES[other[1]]} at {other[0]}; with [units] a parameter has "
                    "one unit: use two parameters",
                )
            out[name] = dimension
        return out

    def term_shape(self) -> str:
        shape = self.space.shape
        return f'[coefficient, "{shape}"] or [number, "parameter", "{shape}"]'

    def term(self, field: str, value: Any, dimension: Dimension) -> Term:
        if not isinstance(value, list) or len(value) not in (2, 3):
            self.fail(field, f"must be a term {self.term_shape()}, got {_brief(value)}")
        problem = self.space.label_error(value[-1])
        if problem is not None:
            self.fail(field, f"the {self.space.word} {problem}")
        if len(value) == 2:
            coefficient = self.number(field, value[0], "a real coefficient", dimension)
            if isinstance(coefficient, str):
                return Term(1.0, coefficient, value[-1])
            return Term(coefficient, None, value[-1])
        scale = value[0]
        if not _is_number(scale):
            self.fail(
                field, f"the first entry of a 3-entry term must be a number, got {_brief(scale)}"
            )
        name = value[1]
        if not isinstance(name, str):
            self.fail(
                field,
                f"the second entry of a 3-entry term must be a parameter name, got {_brief(name)}",
            )
        self.number(field, name, dimension=dimension)
        return Term(float(scale), name, value[-1])

    def operator(
        self, field: str, value: Any, dimension: Dimension, sum_only: bool = False
    ) -> list[Term]:
        """A Hermitian sum of terms (or, unless ``sum_only``, one label); the coefficients
        are of ``dimension`` (``energy`` for the Hamiltonian, dimensionless for couplings)."""
        terms_text = f"a list of terms, each {self.term_shape()}"
        allowed = terms_text if sum_only else f"a {self.space.word} or {terms_text}"
        if value is None:
            self.fail(field, f"missing; give {allowed}")
        if isinstance(value, str) and not sum_only:
            problem = self.space.label_error(value)
            if problem is not None:
                self.fail(field, problem)
            terms = [Term(1.0, None, value)]
        elif isinstance(value, list) and value:
            terms = [self.term(f"{field}[{k}]", item, dimension) for k, item in enumerate(value)]
        else:
            self.fail(field, f"must be {allowed} (at least one), got {_brief(value)}")
        self.hermitian(field, terms)
        return terms

    def hermitian(self, field: str, terms: list[Term]) -> None:
        """The total must be Hermitian for every parameter value: each parameter's group is."""
        dim = int(np.prod(self.space.dims))
        bad = LinearOperator.from_terms(terms, dim, self.space.sparse).non_hermitian_part()
        if bad is None:
            return
        name, deviation = bad
        group_terms = [k for k, t in enumerate(terms) if t.parameter == name]
        group = "numeric coefficients" if name is None else f"coefficient {name}"
        if isinstance(self.space, QubitSpace):
            raising = [k for k in group_terms if set(terms[k].label) & {"+", "-"}]
            index = (raising or group_terms)[0]
            self.fail(
                f"{field}[{index}]",
                f"the total must be Hermitian, but the terms with {group} give max |A - A^dag| "
                f"= {deviation:.3g}; allowed: real coefficients, each '+'/'-' string with its "
                "conjugate ('+' and '-' swapped) at the same coefficient",
            )
        index = self.unmatched(terms, group_terms)
        self.fail(
            f"{field}[{index}]",
            f"the total must be Hermitian, but the terms with {group} give max |A - A^dag| = "
            f"{deviation:.3g}: {terms[index].label!r} has no Hermitian conjugate among them; "
            "allowed: real coefficients, each term with a or adag (or a product of factors "
            "that do not commute, such as 'q:n q:x') together with its conjugate at the same "
            'coefficient (e.g. [g, "q:adag r:a"] with [g, "q:a r:adag"])',
        )

    def unmatched(self, terms: list[Term], group: list[int]) -> int:
        """The first term of ``group`` whose anti-Hermitian part the group's sum keeps (it
        overlaps the sum's ``A - A^dag``): the term without its conjugate."""
        matrices = {k: terms[k].scale * self.space.sparse(terms[k].label) for k in group}
        total = sum(matrices.values(), scipy.sparse.csr_array(next(iter(matrices.values())).shape))
        gap = abs(total - total.conj().T)
        for k, matrix in matrices.items():
            if abs(matrix - matrix.conj().T).multiply(gap).sum() > 0:
                return k
        return group[0]

    # -- baths -------------------------------------------------------------------------------

    def baths(self, value: Any) -> list[_BathEntry]:
        if value is None:
            self.fail("baths", "missing; give at least one [[baths]] table")
        if not isinstance(value, list) or not value or not all(isinstance(b, dict) for b in value):
            self.fail("baths", f"must be one or more [[baths]] tables, got {_brief(value)}")
        out: list[_BathEntry] = []
        names: dict[str, int] = {}
        for j, table in enumerate(value):
            field = f"baths[{j}]"
            name = table.get("name")
            if name is None:
                self.fail(f"{field}.name", "missing; give the bath a name (a non-empty string)")
            if not isinstance(name, str) or not name.strip():
                self.fail(f"{field}.name", f"must be a non-empty string, got {_brief(name)}")
            if name in names:
                self.fail(
                    f"{field}.name",
                    f"{name!r} is already the name of baths[{names[name]}]; "
                    "bath names must be distinct",
                )
            names[name] = j
            kind = self.kind(field, table.get("spectral_density"))
            entry = registry.SPECTRAL_DENSITIES[kind]
            takes = ", ".join(_BATH_KEYS + entry.parameters) + ", counterterm (optional)"
            allowed = _BATH_KEYS + entry.parameters + _BATH_OPTIONS
            self.keys(field, table, allowed, f"a {kind} bath takes {takes}")
            coupling = self.operator(f"{field}.coupling", table.get("coupling"), "1")
            values: list[tuple[str, float | str]] = []
            for key in entry.parameters:
                if key not in table:
                    self.fail(
                        f"{field}.{key}",
                        f"missing; a {kind} bath takes {takes} (each "
                        "parameter a number or a parameter name)",
                    )
                dimension = self.bath_dimension(field, kind, key)
                values.append((key, self.number(f"{field}.{key}", table[key], dimension=dimension)))
            counterterm = table.get("counterterm", False)
            if not isinstance(counterterm, bool):
                self.fail(
                    f"{field}.counterterm",
                    "must be true (add the reorganization energy lambda A^2 to the Hamiltonian, "
                    f"docs/baths.md) or false, got {_brief(counterterm)}",
                )
            self.check_bath(field, kind, tuple(values))
            out.append((name, coupling, kind, tuple(values), counterterm))
        return out

    def bath_dimension(self, field: str, kind: str, key: str) -> Dimension:
        """The dimension of a bath parameter (a kind with a parameter of unknown dimension
        cannot be read in lab units)."""
        dimension = BATH_PARAMETER_DIMENSIONS.get(key)
        if dimension is None:
            if self.units is not None:
                self.fail(
                    f"{field}.{key}",
                    f"the {kind} bath's parameter {key} has no known unit "
                    "(qheat.units.BATH_PARAMETER_DIMENSIONS); remove [units] to use it",
                )
            return "1"
        return dimension

    def kind(self, field: str, value: Any) -> str:
        kinds = ", ".join(map(repr, registry.SPECTRAL_DENSITIES))
        if value is None:
            self.fail(f"{field}.spectral_density", f"missing; give one of {kinds}")
        if not isinstance(value, str) or value not in registry.SPECTRAL_DENSITIES:
            self.fail(
                f"{field}.spectral_density",
                f"must be one of {kinds} (a string), got {_brief(value)}",
            )
        return str(value)

    def check_bath(
        self, field: str, kind: str, values: tuple[tuple[str, float | str], ...]
    ) -> None:
        """Build the bath at the default values: a value out of range names its field."""
        numbers = {k: self.parameters[v] if isinstance(v, str) else v for k, v in values}
        shown = {
            k: f"{v} = {self.parameters[v]:g}" if isinstance(v, str) else f"{v:g}"
            for k, v in values
        }
        if "t" in numbers and numbers["t"] < 0:  # t is the temperature of every kind
            self.fail(f"{field}.t", f"a temperature must be >= 0, got {shown['t']}")
        if self.units is not None:
            units = self.units
            numbers = {
                k: units.to_internal(v, BATH_PARAMETER_DIMENSIONS[k]) for k, v in numbers.items()
            }
        try:
            registry.make_bath(kind, numbers)
        except InvalidParameterError as exc:
            message = str(exc)
            key = next((k for k in numbers if message.startswith(f"{k} ")), None)
            where = f"{field}.{key}" if key else field
            got = f" ({key} = {shown[key]})" if key and isinstance(dict(values)[key], str) else ""
            self.fail(where, f"{message}{got}")


def _gib(dim: int) -> float:
    """Memory of one matrix-free point of dimension ``dim``: about 70 ``d x d`` complex
    matrices (:mod:`qheat.steady.krylov`), in GiB."""
    return 70 * 16 * float(dim) ** 2 / 2**30


def _is_number(value: Any) -> bool:
    """A finite TOML integer or float (booleans are not numbers)."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return False
    try:
        return math.isfinite(value)
    except OverflowError:  # an integer beyond the double-precision range
        return False


def _looks_numeric(text: str) -> bool:
    """A string that reads as a number (``"0.01"``, ``"1e-3"``, ``"nan"``): meant as one."""
    try:
        float(text)
    except ValueError:
        return False
    return True


def _brief(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."
