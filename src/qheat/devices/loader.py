"""Read a device file (TOML): qubits, a Hamiltonian of Pauli strings, named baths.

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

from ..baths import registry
from ..errors import InvalidParameterError
from .device import BathSpec, Device
from .operator import LinearOperator, Term
from .pauli import label_error

__all__ = ["MAX_BYTES", "MAX_QUBITS", "DeviceFileError", "load_device", "parse_device"]

MAX_QUBITS = 12
"""Largest ``device.qubits``: ``d = 4096``, solved matrix-free (:mod:`qheat.steady.krylov`)
in about 1.5 GB; each further qubit multiplies memory by 4 and time by 8."""

MAX_BYTES = 1 << 20
"""Largest device file read, in bytes (1 MiB; the examples are about 1 kB)."""

FORMAT_VERSION = 1
"""Version of the canonical content that :meth:`Device.fingerprint` hashes."""

_TABLES = ("parameters", "device", "baths")
_DEVICE_KEYS = ("qubits", "hamiltonian", "degeneracy_tol")
_BATH_KEYS = ("name", "coupling", "spectral_density")
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")
_TERM = '[coefficient, "PAULI"] or [number, "parameter", "PAULI"]'
_TERMS = f"a list of terms, each {_TERM}"
_FINITE = "a finite number (|x| < 1.8e308, not nan or inf)"
"""What ``[parameters]`` values must be (TOML reads 1e400 as inf)."""

_BathEntry = tuple[str, list[Term], str, tuple[tuple[str, float | str], ...]]
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

    def fail(self, field: str, message: str) -> NoReturn:
        raise DeviceFileError(self.source, field, message)

    def device(self, text: str) -> Device:
        try:
            data = tomllib.loads(text.removeprefix("\ufeff"))  # a byte-order mark is no TOML
        except tomllib.TOMLDecodeError as exc:
            self.fail("", f"not valid TOML: {exc}")
        self.keys(
            "", data, _TABLES, "a device file has the tables [parameters], [device] and [[baths]]"
        )
        self.parameters = self.read_parameters(data.get("parameters", {}))
        table = self.table("device", data.get("device"), required=True)
        self.keys(
            "device", table, _DEVICE_KEYS, "[device] takes qubits, hamiltonian, degeneracy_tol"
        )
        n = self.qubits(table.get("qubits"))
        hamiltonian = self.operator(
            "device.hamiltonian", table.get("hamiltonian"), n, sum_only=True
        )
        tol = self.tolerance(table.get("degeneracy_tol", 1e-9))
        baths = self.baths(data.get("baths"), n)
        unused = [name for name in self.parameters if name not in self.used]
        if unused:
            self.fail(
                f"parameters.{unused[0]}",
                "is used nowhere; every parameter must stand for a number of [device] or "
                "[[baths]] (remove it or use its name there)",
            )
        content = {
            "format": FORMAT_VERSION,
            "parameters": self.parameters,
            "qubits": n,
            "hamiltonian": [[t.scale, t.parameter, t.label] for t in hamiltonian],
            "degeneracy_tol": tol,
            "baths": [
                {
                    "name": name,
                    "coupling": [[t.scale, t.parameter, t.label] for t in coupling],
                    "spectral_density": kind,
                    "parameters": dict(values),
                }
                for name, coupling, kind, values in baths
            ],
        }
        dim = 2**n
        return Device(
            source=self.source,
            n_qubits=n,
            defaults=tuple(self.parameters.items()),
            hamiltonian_operator=LinearOperator.from_terms(hamiltonian, dim),
            baths=tuple(
                BathSpec(name, LinearOperator.from_terms(coupling, dim), kind, values)
                for name, coupling, kind, values in baths
            ),
            degeneracy_tol=tol,
            content=json.dumps(content, sort_keys=True),
        )

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

    def qubits(self, value: Any) -> int:
        allowed = f"an integer from 1 to {MAX_QUBITS}"
        if value is None:
            self.fail("device.qubits", f"missing; give the number of qubits, {allowed}")
        if isinstance(value, int) and not isinstance(value, bool) and MAX_QUBITS < value < 64:
            gib = 70 * 16 * 4.0**value / 2**30  # ~70 d x d complex matrices (matrix-free)
            self.fail(
                "device.qubits",
                f"must be {allowed}, got {value}: d = 2^{value} = {2**value} would need about "
                f"{gib:.3g} GiB per point, and a day or more",
            )
        if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= MAX_QUBITS:
            self.fail("device.qubits", f"must be {allowed}, got {_brief(value)}")
        return value

    def tolerance(self, value: Any) -> float:
        if not _is_number(value) or value < 0:
            self.fail("device.degeneracy_tol", f"must be a finite number >= 0, got {_brief(value)}")
        return float(value)

    # -- numbers and operators ---------------------------------------------------------------

    def number(self, field: str, value: Any, what: str = "a finite number") -> float | str:
        """A finite number, or the name of a parameter (recorded as used)."""
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
            return value
        self.fail(field, f"must be {what} or a parameter name, got {_brief(value)}")

    def term(self, field: str, value: Any, n: int) -> Term:
        if not isinstance(value, list) or len(value) not in (2, 3):
            self.fail(field, f"must be a term {_TERM}, got {_brief(value)}")
        problem = label_error(value[-1], n)
        if problem is not None:
            self.fail(field, f"the Pauli string {problem}")
        if len(value) == 2:
            coefficient = self.number(field, value[0], "a real coefficient")
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
        self.number(field, name)
        return Term(float(scale), name, value[-1])

    def operator(self, field: str, value: Any, n: int, sum_only: bool = False) -> list[Term]:
        """A Hermitian sum of terms (or, unless ``sum_only``, one Pauli string)."""
        allowed = _TERMS if sum_only else f"a Pauli string or {_TERMS}"
        if value is None:
            self.fail(field, f"missing; give {allowed}")
        if isinstance(value, str) and not sum_only:
            problem = label_error(value, n)
            if problem is not None:
                self.fail(field, problem)
            terms = [Term(1.0, None, value)]
        elif isinstance(value, list) and value:
            terms = [self.term(f"{field}[{k}]", item, n) for k, item in enumerate(value)]
        else:
            self.fail(field, f"must be {allowed} (at least one), got {_brief(value)}")
        self.hermitian(field, terms, n)
        return terms

    def hermitian(self, field: str, terms: list[Term], n: int) -> None:
        """The total must be Hermitian for every parameter value: each parameter's group is."""
        bad = LinearOperator.from_terms(terms, 2**n).non_hermitian_part()
        if bad is None:
            return
        name, deviation = bad
        group_terms = [k for k, t in enumerate(terms) if t.parameter == name]
        raising = [k for k in group_terms if set(terms[k].label) & {"+", "-"}]
        index = (raising or group_terms)[0]
        group = "numeric coefficients" if name is None else f"coefficient {name}"
        self.fail(
            f"{field}[{index}]",
            f"the total must be Hermitian, but the terms with {group} give max |A - A^dag| = "
            f"{deviation:.3g}; allowed: real coefficients, each '+'/'-' string with its "
            "conjugate ('+' and '-' swapped) at the same coefficient",
        )

    # -- baths -------------------------------------------------------------------------------

    def baths(self, value: Any, n: int) -> list[_BathEntry]:
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
            takes = ", ".join(_BATH_KEYS + entry.parameters)
            self.keys(field, table, _BATH_KEYS + entry.parameters, f"a {kind} bath takes {takes}")
            coupling = self.operator(f"{field}.coupling", table.get("coupling"), n)
            values: list[tuple[str, float | str]] = []
            for key in entry.parameters:
                if key not in table:
                    self.fail(
                        f"{field}.{key}",
                        f"missing; a {kind} bath takes {takes} (each "
                        "parameter a number or a parameter name)",
                    )
                values.append((key, self.number(f"{field}.{key}", table[key])))
            self.check_bath(field, kind, tuple(values))
            out.append((name, coupling, kind, tuple(values)))
        return out

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
        try:
            registry.make_bath(kind, numbers)
        except InvalidParameterError as exc:
            message = str(exc)
            key = next((k for k in numbers if message.startswith(f"{k} ")), None)
            where = f"{field}.{key}" if key else field
            got = f" ({key} = {shown[key]})" if key and isinstance(dict(values)[key], str) else ""
            self.fail(where, f"{message}{got}")


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
