"""Sweep settings from a TOML file (format documented in ``examples/sweep.toml``).

Two tables: ``[parameters]`` -- each model parameter a number, a list of numbers, a range
string ``"start:stop:num"`` (``num`` evenly spaced values, both ends included) or a table
``{start = .., stop = .., num = ..}`` -- and ``[sweep]`` -- ``equations``, ``lamb_shift``,
``zipped``, ``chunk_size``, ``scheduler``, ``address``, ``out``, ``cumulants`` (an integer
from 1 to 6: the cumulant variables of :func:`qheat.sweep`). A malformed file raises
:class:`ConfigError` naming the file, the line, the key and what was expected.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from ..errors import InvalidParameterError
from ..steady.cumulants import MAX_ORDER
from .builders import PAPER_PARAMETERS as PARAMETERS
from .grid import LinearAxis, checked_values
from .run import EQUATION_NAMES
from .schedulers import SCHEDULERS

__all__ = ["ConfigError", "SweepConfig", "read_config", "parse_axis", "parse_values"]

FloatArray = NDArray[np.float64]

_SWEEP_KEYS = (
    "equations",
    "lamb_shift",
    "zipped",
    "chunk_size",
    "scheduler",
    "address",
    "out",
    "cumulants",
)


class ConfigError(InvalidParameterError):
    """A sweep configuration file that cannot be used; the message names key and line."""


@dataclass(frozen=True)
class SweepConfig:
    """The settings read from a file; None where the file is silent."""

    parameters: dict[str, FloatArray | LinearAxis] = field(default_factory=dict)
    equations: tuple[str, ...] | None = None
    lamb_shift: bool | None = None
    zipped: bool | None = None
    chunk_size: int | None = None
    scheduler: str | None = None
    address: str | None = None
    out: str | None = None
    cumulants: int | None = None


def parse_values(name: str, text: str) -> FloatArray:
    """A value ``"x"`` (0-d) or a range ``"start:stop:num"`` (1-D, ``np.linspace``)."""
    return np.asarray(parse_axis(name, text))


def parse_axis(name: str, text: str) -> FloatArray | LinearAxis:
    """A value ``"x"`` (0-d array) or a range ``"start:stop:num"`` as a :class:`LinearAxis`
    (the values of ``np.linspace``, computed only where needed: any ``num`` is cheap)."""
    parts = text.split(":")
    if len(parts) == 1:
        return np.asarray(_number(name, parts[0]))
    if len(parts) != 3:
        raise InvalidParameterError(
            f"{name} must be a number or a range start:stop:num, got {text!r}"
        )
    start, stop = _number(name, parts[0]), _number(name, parts[1])
    try:
        num = int(parts[2])
    except ValueError:
        num = 0
    if num < 1 or str(num) != parts[2].strip():
        raise InvalidParameterError(
            f"{name}: the number of points in {text!r} must be an integer >= 1, got {parts[2]!r}"
        )
    return LinearAxis(start, stop, num)


def _number(name: str, text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise InvalidParameterError(f"{name} must be a number, got {text!r}") from None
    if not np.isfinite(value):
        raise InvalidParameterError(f"{name} must be finite, got {text!r}")
    return value


def read_config(path: str | Path) -> SweepConfig:
    """Read and check a sweep configuration file.

    Raises:
        ConfigError: unreadable TOML, an unknown table or key, or a value of the wrong kind.
    """
    path = Path(path)
    try:
        text = path.read_text()
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read the configuration file ({exc.strerror})") from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: not valid TOML: {exc}") from None
    where = _Locator(path, text)
    for table in data:
        if table not in ("parameters", "sweep"):
            raise ConfigError(
                f"{where(None, table)}: unknown table [{table}]; expected [parameters] and [sweep]"
            )
        if not isinstance(data[table], dict):
            raise ConfigError(f"{where(None, table)}: {table} must be a table [{table}]")
    params = {}
    for key, value in data.get("parameters", {}).items():
        if _name(key) not in PARAMETERS:
            raise ConfigError(
                f"{where('parameters', key)}: unknown parameter {key!r}; expected one of "
                + ", ".join(p.replace("omega_d", "omega_d (or omega-d)") for p in PARAMETERS)
            )
        params[_name(key)] = _values(where, key, value)
    settings = data.get("sweep", {})
    for key in settings:
        if key not in _SWEEP_KEYS:
            raise ConfigError(
                f"{where('sweep', key)}: unknown key {key!r} in [sweep]; expected one of "
                + ", ".join(_SWEEP_KEYS)
            )
    return SweepConfig(
        parameters=params,
        equations=_equations(where, settings.get("equations")),
        lamb_shift=_typed(where, "lamb_shift", settings.get("lamb_shift"), bool, "true or false"),
        zipped=_typed(where, "zipped", settings.get("zipped"), bool, "true or false"),
        chunk_size=_chunk_size(where, settings.get("chunk_size")),
        scheduler=_choice(where, "scheduler", settings.get("scheduler"), SCHEDULERS),
        address=_typed(
            where, "address", settings.get("address"), str, 'a string "tcp://host:port"'
        ),
        out=_typed(
            where, "out", settings.get("out"), str, 'a file name ending in ".nc" or ".zarr"'
        ),
        cumulants=_cumulants(where, settings.get("cumulants")),
    )


class _Locator:
    """``file:line: [table] key`` of a key, found by scanning the text."""

    def __init__(self, path: Path, text: str) -> None:
        self.path = path
        self.lines = text.splitlines()

    def __call__(self, table: str | None, key: str) -> str:
        section = None
        for number, line in enumerate(self.lines, start=1):
            header = re.match(r"\s*\[\s*([^\]]+?)\s*\]", line)
            if header:
                section = header.group(1)
                if table is None and section == key:
                    return f"{self.path}:{number}"
                continue
            if section == table and re.match(rf"\s*[\"']?{re.escape(key)}[\"']?\s*=", line):
                return f"{self.path}:{number}: key {key!r}"
        return f"{self.path}: key {key!r}"


def _name(key: str) -> str:
    return key.replace("-", "_")


_EXPECTED = 'a number, a list of numbers, "start:stop:num" or {start = .., stop = .., num = ..}'


def _values(where: _Locator, key: str, value: Any) -> FloatArray | LinearAxis:
    try:
        return checked_values(_name(key), _raw_values(key, value))
    except InvalidParameterError as exc:
        raise ConfigError(f"{where('parameters', key)}: {exc}") from None


def _raw_values(key: str, value: Any) -> FloatArray | LinearAxis:
    if isinstance(value, int | float) and not isinstance(value, bool):
        return np.asarray(float(value))
    if isinstance(value, str):
        return parse_axis(key, value)
    if (
        isinstance(value, list)
        and value
        and all(isinstance(v, int | float) and not isinstance(v, bool) for v in value)
    ):
        return np.asarray(value, dtype=float)
    if isinstance(value, dict):
        if set(value) != {"start", "stop", "num"}:
            raise InvalidParameterError(
                f"{key}: a range table needs exactly start, stop and num, got {sorted(value)}"
            )
        return parse_axis(key, f"{value['start']}:{value['stop']}:{value['num']}")
    raise InvalidParameterError(f"{key} must be {_EXPECTED}, got {value!r}")


def _typed(where: _Locator, key: str, value: Any, kind: type, expected: str) -> Any:
    if value is None:
        return None
    if not isinstance(value, kind) or (kind is not bool and isinstance(value, bool)):
        raise ConfigError(f"{where('sweep', key)}: {key} must be {expected}, got {value!r}")
    return value


def _choice(where: _Locator, key: str, value: Any, allowed: tuple[str, ...]) -> str | None:
    if value is None:
        return None
    if value not in allowed:
        raise ConfigError(
            f"{where('sweep', key)}: {key} must be one of {', '.join(allowed)}, got {value!r}"
        )
    return str(value)


def _equations(where: _Locator, value: Any) -> tuple[str, ...] | None:
    if value is None:
        return None
    if value == "all":
        return ("all",)  # every equation that applies to the system
    if isinstance(value, str):
        value = [value]
    if not (isinstance(value, list) and value and all(v in EQUATION_NAMES for v in value)):
        raise ConfigError(
            f'{where("sweep", "equations")}: equations must be "all" or a list from '
            f"{list(EQUATION_NAMES)}, got {value!r}"
        )
    return tuple(dict.fromkeys(value))


def _chunk_size(where: _Locator, value: Any) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ConfigError(
            f"{where('sweep', 'chunk_size')}: chunk_size must be an integer >= 1, got {value!r}"
        )
    return value


def _cumulants(where: _Locator, value: Any) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= MAX_ORDER:
        raise ConfigError(
            f"{where('sweep', 'cumulants')}: cumulants must be an integer from 1 to {MAX_ORDER}, "
            f"got {value!r}"
        )
    return value
