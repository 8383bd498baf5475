"""Trust at the edges of the input (issue #21): device files and odd command-line values.

Independent values: a file with a byte-order mark, or with ``t = -0.0``, is the same device as
the plain file or ``t = 0.0`` (equal fingerprints, equal currents bit for bit); otherwise the
property of ``tests/test_fuzz.py``: every input ends in a result with finite numbers or in one
line naming the problem (exit 2), never a traceback, a hang or a second line.

``docs/errors.md`` lists the cases of :data:`CASES` with the message each gets now, between
``<!-- edges:begin -->`` and ``<!-- edges:end -->`` (``python tests/test_edges_devices.py``
rewrites it; ``test_docs_edges_table_is_current`` fails when it drifts).
"""

from __future__ import annotations

import os
import sys
import tempfile
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from qheat.api import paper_system, solve
from qheat.baths import OhmicBath, SpectralDensityBath
from qheat.devices import DeviceFileError, load_device, parse_device
from qheat.errors import QheatError
from test_fuzz import FUZZ_EXAMPLES, check_outcome

from cli_helpers import run_cli

ROOT = Path(__file__).resolve().parents[1]
DIODE = (ROOT / "examples" / "diode.toml").read_text()
DOC = ROOT / "docs" / "errors.md"
BEGIN, END = "<!-- edges:begin -->", "<!-- edges:end -->"
MAX_BYTES = 1 << 20
"""The documented cap of a device file (1 MiB; qheat.devices.loader.MAX_BYTES)."""
DRUDE_HOT = 'spectral_density = "drude"\ngamma = 0.01\nomega_d = 20.0\nt = "tH"'


def _diode(old: str, new: str) -> str:
    assert old in DIODE, old
    return DIODE.replace(old, new, 1)


def _write(tmp_path: Path, text: str | bytes, name: str = "device.toml") -> str:
    path = tmp_path / name
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text)
    return str(path)


def _one_line_error(argv: list[str]) -> str:
    status, _, err = run_cli(argv)
    assert status == 2 and err.count("\n") == 1 and "Traceback" not in err, (status, err)
    return err


# ----------------------------------------------------------------- what is read
@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="named pipes are POSIX")
def test_a_fifo_is_refused_without_waiting(tmp_path: Path) -> None:
    """A FIFO blocked open() forever (waiting for a writer); now refused at once."""
    fifo = tmp_path / "pipe.toml"
    os.mkfifo(fifo)
    outcome: list[BaseException] = []

    def load() -> None:
        try:
            load_device(fifo)
        except BaseException as exc:  # noqa: BLE001 - handed to the test thread
            outcome.append(exc)

    thread = threading.Thread(target=load, daemon=True)
    thread.start()
    thread.join(timeout=10)
    if thread.is_alive():  # release the reader (an old loader) before failing
        os.close(os.open(fifo, os.O_WRONLY | os.O_NONBLOCK))
        pytest.fail("load_device waited on a FIFO")
    assert isinstance(outcome[0], DeviceFileError), outcome
    assert "it is a FIFO (named pipe); it must be a regular file" in str(outcome[0])


@pytest.mark.skipif(not Path("/dev/null").exists(), reason="needs /dev/null")
def test_a_device_node_is_refused_before_reading() -> None:
    """/dev/zero was read until MemoryError; a character device is now refused on its mode,
    before any byte is read (shown here with /dev/null, which is safe to read on old code)."""
    with pytest.raises(DeviceFileError, match=r"/dev/null: .*it is a character device"):
        load_device("/dev/null")
    err = _one_line_error(["current", "--device", "/dev/null"])
    assert "character device" in err


def test_a_file_above_the_size_cap_is_refused(tmp_path: Path) -> None:
    """A regular file of MAX_BYTES + 1 bytes (comments: valid TOML) names the 1 MiB cap;
    one of exactly MAX_BYTES is read."""
    padding = "#" * (MAX_BYTES - len(DIODE.encode()) - 1) + "\n"
    assert load_device(_write(tmp_path, DIODE + padding)).bath_names == ("hot", "cold")
    with pytest.raises(DeviceFileError, match=r"1048577 bytes; a device file may have at most"):
        load_device(_write(tmp_path, DIODE + padding + "\n"))


def test_a_byte_order_mark_is_ignored(tmp_path: Path) -> None:
    """A UTF-8 BOM ('not valid TOML' before) gives the same device as the plain file."""
    plain = load_device(_write(tmp_path, DIODE, "plain.toml"))
    bom = load_device(_write(tmp_path, b"\xef\xbb\xbf" + DIODE.encode(), "bom.toml"))
    assert bom.fingerprint() == plain.fingerprint()
    assert parse_device("\ufeff" + DIODE).fingerprint() == plain.fingerprint()


def test_a_file_that_is_not_utf8_is_one_line(tmp_path: Path) -> None:
    with pytest.raises(DeviceFileError, match="not UTF-8 text"):
        load_device(_write(tmp_path, b'[device]\nqubits = "\xff"\n'))


# ----------------------------------------------------------------- what it says
@pytest.mark.parametrize("value", ['["drude"]', '{ kind = "drude" }', "1"])
def test_a_spectral_density_of_the_wrong_type_is_one_line(value: str) -> None:
    """spectral_density = ["drude"] or a table raised TypeError (unhashable) before."""
    text = _diode(DRUDE_HOT, DRUDE_HOT.replace('"drude"', value))
    with pytest.raises(DeviceFileError, match=r"baths\[0\].spectral_density: must be one of"):
        parse_device(text)


def test_a_quoted_number_is_explained_as_a_parameter_name() -> None:
    text = _diode("gamma = 0.01", 'gamma = "0.01"')
    with pytest.raises(DeviceFileError, match="a quoted value is a parameter name") as info:
        parse_device(text)
    assert "baths[0].gamma: unknown parameter '0.01'" in str(info.value)


def test_negative_zero_temperature_in_a_file_is_zero(tmp_path: Path) -> None:
    """t = -0.0 gave J[hot] = 0.0260 instead of the t = 0.0 value; now the same device (the
    fingerprint hashes the parsed numbers) with the same currents bit for bit."""
    minus = parse_device(_diode('t = "tH"', "t = -0.0").replace("tH = 2.0", ""))
    plus = parse_device(_diode('t = "tH"', "t = 0.0").replace("tH = 2.0", ""))
    assert minus.fingerprint() == plus.fingerprint()
    a, b = solve(minus.system()), solve(plus.system())
    assert a.currents.tobytes() == b.currents.tobytes()
    assert a.state.rho.tobytes() == b.state.rho.tobytes()


def test_ohmic_s_100_in_a_file_ends_in_one_line(tmp_path: Path) -> None:
    """s = 100 raised an OverflowError traceback; now the rates are computed and found lost
    next to the Lamb shift, S(0) = -gamma wc Gamma(s)/pi ~ 3e153 (one line, exit 2)."""
    ohmic = DRUDE_HOT.replace('"drude"', '"ohmic"').replace(
        "omega_d = 20.0", "omega_c = 1.0\ns = 100"
    )
    path = _write(tmp_path, _diode(DRUDE_HOT, ohmic))
    err = _one_line_error(["current", "--device", path, "--equation", "br"])
    assert "Lamb shifts" in err and "s = 100" in err, err


# ----------------------------------------------------------------- a little fuzzing
ODD_NUMBERS = [
    "0",
    "-0.0",
    "5e-324",
    "1e-320",
    "1e-300",
    "1e-9",
    "1e300",
    "1e308",
    "1.7976931348623157e308",
    "9" * 400,
    "-" + "9" * 400,
    "1e400",
    "nan",
    "-inf",
    '""',
    '" "',
    '"nan"',
    '"1e400"',
    '"0.01"',
    "[]",
    "{}",
    "[1.0]",
    "true",
    "1979-05-27",
    '"tH"',
    "100",
]
FIELDS = {
    "parameters.tH": ("tH = 2.0", "tH = {}"),
    "device.qubits": ("qubits = 2", "qubits = {}"),
    "device.hamiltonian[0]": ('[1.0, "ZI"]', '[{}, "ZI"]'),
    "baths[0].gamma": ("gamma = 0.01", "gamma = {}"),
    "baths[0].omega_d": ("omega_d = 20.0", "omega_d = {}"),
    "baths[1].t": ('t = "tC"', "t = {}"),
    "baths[0].name": ('name = "hot"', "name = {}"),
    "baths[0].coupling": ('coupling = "XI"', "coupling = {}"),
    "baths[0].spectral_density": ('spectral_density = "drude"', "spectral_density = {}"),
    "ohmic s": (
        DRUDE_HOT,
        DRUDE_HOT.replace('"drude"', '"ohmic"').replace("omega_d = 20.0", "omega_c = 20.0\ns = {}"),
    ),
    "underdamped width": (
        DRUDE_HOT,
        DRUDE_HOT.replace('"drude"', '"underdamped"').replace(
            "omega_d = 20.0", "omega_0 = 2.0\nwidth = {}"
        ),
    ),
}


def check_device_outcome(field: str, value: str) -> None:
    """The file with ``value`` in ``field`` loads and solves, or ends in one line (exit 2)."""
    old, new = FIELDS[field]
    with tempfile.TemporaryDirectory() as tmp:
        path = _write(Path(tmp), _diode(old, new.format(value)))
        status, out, err = run_cli(["current", "--device", path, "--equation", "br", "--json"])
    assert "Traceback" not in err, err
    if status == 2:
        assert err.count("\n") == 1 and "error:" in err, err
        return
    assert status == 0, (status, err)
    for line in err.splitlines():
        assert ": warning [" in line, line
    assert "NaN" not in out and "Infinity" not in out, out


@settings(max_examples=FUZZ_EXAMPLES, deadline=None)
@given(st.sampled_from(sorted(FIELDS)), st.sampled_from(ODD_NUMBERS))
@example("ohmic s", "100")  # OverflowError before
@example("ohmic s", "5e-324")  # ZeroDivisionError (0.0 ** negative) before
@example("underdamped width", "1e-320")  # RuntimeWarning lines before the error
@example("baths[0].spectral_density", '["drude"]')  # TypeError before
@example("baths[0].omega_d", "1e-9")  # "couple a bath with gamma > 0" before
def test_fuzz_device_fields(field: str, value: str) -> None:
    check_device_outcome(field, value)


BATH = ["bath", "--omega", "-1", "0", "2"]


@settings(max_examples=FUZZ_EXAMPLES, deadline=None)
@given(
    st.sampled_from(
        [
            [*BATH, "--spectral-density", "ohmic", "--s"],
            [*BATH, "--spectral-density", "ohmic", "--omega-c"],
            [*BATH, "--spectral-density", "ohmic", "--t"],
            [*BATH, "--spectral-density", "underdamped", "--width", "1", "--omega-0"],
            [*BATH, "--spectral-density", "underdamped", "--omega-0", "2", "--width"],
            [*BATH, "--omega-d"],
            [*BATH, "--t"],
            ["current", "--equation", "br", "--omega-d"],
            ["current", "--equation", "br", "--t1"],
            ["current", "--equation", "br", "--gamma2"],
        ]
    ),
    st.sampled_from([v for v in ODD_NUMBERS if not v.startswith(('"', "[", "{"))] + ["-0"]),
)
@example([*BATH, "--spectral-density", "ohmic", "--s"], "5e-324")  # ZeroDivisionError before
@example([*BATH, "--spectral-density", "ohmic", "--t"], "1e-320")  # ZeroDivisionError before
@example([*BATH, "--spectral-density", "ohmic", "--s"], "200")  # ValueError of fsum before
@example([*BATH, "--spectral-density", "ohmic", "--omega-c"], "5e-324")  # RuntimeWarning lines
@example([*BATH, "--spectral-density", "underdamped", "--width", "1", "--omega-0"], "1e-9")
@example([*BATH, "--spectral-density", "underdamped", "--omega-0", "2", "--width"], "1e300")
def test_fuzz_bath_and_current_options(argv: list[str], value: str) -> None:
    check_outcome([*argv, value])


# ----------------------------------------------------------------- the table of docs/errors.md
def _sd(j: Callable[[np.ndarray], Any], **kw: Any) -> Callable[[], object]:
    return lambda: SpectralDensityBath(j, 1.0, **kw).S(1.0)


CASES: list[tuple[str, Callable[[], object]]] = [
    (
        "SpectralDensityBath(0.01 w (1 - 2 exp(-(|w|-3)^2/0.01)), T=1)",
        _sd(lambda w: 0.01 * w * (1 - 2 * np.exp(-((np.abs(w) - 3) ** 2) / 0.01))),
    ),
    ("SpectralDensityBath(0.01 w^3, T=1, scale=1).S(1)", _sd(lambda w: 0.01 * w**3, scale=1.0)),
    (
        "OhmicBath(0.01, omega_c=1, s=200, T=5).S(1)",
        lambda: OhmicBath(0.01, 1.0, 200.0, 5.0).S(1.0),
    ),
    (
        "solve(paper_system(omega_d=1e-9))",
        lambda: solve(paper_system(5, 4, 0.5, 0.01, 0.01, 1e-9, 15, 5)),
    ),
]
DEVICE_CASES: list[tuple[str, str]] = [
    (
        'spectral_density = ["drude"]',
        _diode('spectral_density = "drude"', 'spectral_density = ["drude"]'),
    ),
    ('gamma = "0.01"', _diode("gamma = 0.01", 'gamma = "0.01"')),
    ("tH = 1e400", _diode("tH = 2.0", "tH = 1e400")),
    (
        "ohmic, omega_c = 1, s = 100",
        _diode(
            DRUDE_HOT,
            DRUDE_HOT.replace('"drude"', '"ohmic"').replace(
                "omega_d = 20.0", "omega_c = 1.0\ns = 100"
            ),
        ),
    ),
]


def render_table() -> str:
    """The cases with the messages the code gives now (file paths as ``case.toml``)."""
    rows = [(f"`{_cell(label)}`", _message(call)) for label, call in CASES]
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "case.toml"
        for label, text in DEVICE_CASES:
            path.write_text(text)
            _, _, err = run_cli(["current", "--device", str(path), "--equation", "br"])
            rows.append((f"device file with `{label}`", "exit 2 | " + _cell(err.strip(), path)))
        rows.append(("`qheat current --device /dev/zero`", _device_error("/dev/zero")))
        if hasattr(os, "mkfifo"):
            fifo = Path(tmp) / "pipe.toml"
            os.mkfifo(fifo)
            rows.append(("`qheat current --device pipe.toml` (a FIFO)", _device_error(fifo)))
    lines = ["| # | input | error | message |", "|---|---|---|---|"]
    lines += [f"| {i} | {label} | {text} |" for i, (label, text) in enumerate(rows, 1)]
    return "\n".join(lines)


def _message(call: Callable[[], object]) -> str:
    try:
        call()
    except QheatError as exc:
        return f"`{type(exc).__name__}` | {_cell(str(exc))}"
    return "- | accepted"


def _cell(text: str, path: Path | None = None) -> str:
    if path is not None:
        text = text.replace(str(path), path.name)
    return text.replace("|", "\\|")


def _device_error(path: str | Path) -> str:
    """What ``qheat current --device path`` prints, without running it (a FIFO would wait
    on old code; /dev/zero would be read)."""
    try:
        load_device(path)
    except DeviceFileError as exc:
        temporary = Path(path) if Path(path).parent != Path("/dev") else None
        return "exit 2 | " + _cell(f"qheat current: error: {exc}", temporary)
    return "- | accepted"


def _doc_section(text: str) -> str:
    return text.split(BEGIN, 1)[1].split(END, 1)[0].strip()


def test_docs_edges_table_is_current() -> None:
    assert _doc_section(DOC.read_text()) == render_table()


if __name__ == "__main__":  # regenerate the table of docs/errors.md
    text = DOC.read_text()
    head, rest = text.split(BEGIN, 1)
    DOC.write_text(head + BEGIN + "\n" + render_table() + "\n" + END + rest.split(END, 1)[1])
    print(f"{DOC}: {len(CASES) + len(DEVICE_CASES) + 2} cases", file=sys.stderr)
