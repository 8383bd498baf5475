"""Fuzzing the command line and the sweep TOML reader with hypothesis.

The property (independent of the code): any argv gives either a result (exit 0, finite
numbers on stdout) or a clean refusal (exit 2, exactly one line on stderr), never a
traceback, a non-finite number or another exit status; any sweep file gives a SweepConfig or
a one-line ConfigError naming the file. Each fuzz test is bounded in time by its example
count (measured on 2 cores: about 6 s for the whole file at the default 100 examples; budget
< 20 s). ``QHEAT_FUZZ_EXAMPLES=2000`` runs a deeper search (done: no failure).
"""

from __future__ import annotations

import json
import math
import os
import re
import tempfile
from pathlib import Path
from typing import Any

import numpy as np
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from qheat.sweeps import config

from cli_helpers import run_cli

CURRENT_OPTIONS = [
    "--eps1",
    "--eps2",
    "--g",
    "--gamma1",
    "--gamma2",
    "--omega-d",
    "--t1",
    "--t2",
    "--dt",
    "--equation",
    "--no-lamb-shift",
    "--json",
    "--help",
]
BATH_OPTIONS = ["--gamma", "--omega-d", "--t", "--omega", "--json", "--help"]
NEAR_MISSES = [
    "--omega",
    "--eps",
    "--T1",
    "-t1",
    "--gamma3",
    "--",
    "-",
    "--json=1",
    "--eps1=",
    "--g=-1e-3",
]

# numbers where the physics and the floating point get interesting
SPECIAL = [
    "0",
    "-0",
    "1e-320",
    "5e-324",
    "1e-300",
    "1e-12",
    "0.3",
    "5",
    "50",
    "1e4",
    "1e154",
    "1e308",
    "-1",
    "-1e3",
    "nan",
    "inf",
    "-inf",
    "1_000",
    "0x10",
    "1e",
    "",
    " 5",
    "five",
]
numbers = st.one_of(
    st.sampled_from(SPECIAL),
    st.floats(allow_nan=True, allow_infinity=True).map(repr),
    st.floats(-1e3, 1e3).map(lambda x: f"{x:g}"),
)
words = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=8)


def _tokens(options: list[str]) -> st.SearchStrategy[list[str]]:
    token = st.one_of(
        st.sampled_from(options + NEAR_MISSES + ["br", "lindblad", "all", "redfield"]),
        numbers,
        words,
    )
    return st.lists(token, max_size=8)


def _finite_json(value: Any) -> bool:
    if isinstance(value, dict):
        return all(_finite_json(v) for v in value.values())
    if isinstance(value, list):
        return all(_finite_json(v) for v in value)
    return not isinstance(value, float) or math.isfinite(value)


NON_FINITE = re.compile(r"(?<![A-Za-z])(nan|inf|infinity)(?![A-Za-z])", re.IGNORECASE)


def check_outcome(argv: list[str]) -> None:
    status, out, err = run_cli(argv)
    assert "Traceback" not in err, err
    if status == 2:
        assert err.count("\n") == 1 and err.endswith("\n") and "error:" in err, err
        return
    assert status == 0, (status, err)
    if "--help" in argv or "-h" in argv:
        return
    assert out, "a result must print something"
    for line in err.splitlines():  # warnings only, one line each
        assert ": warning [" in line, line
    if "--json" in argv:
        assert _finite_json(json.loads(out, parse_constant=lambda c: float(c)))
    else:
        # the echo of the inputs comes first; every computed number must be finite
        computed = out.split("\n", 1)[1] if "\n" in out else ""
        assert not NON_FINITE.search(computed), out


FUZZ_EXAMPLES = int(os.environ.get("QHEAT_FUZZ_EXAMPLES", "100"))
"""Examples per fuzz test (about 60 ms each for ``current``); raise it for a deeper search."""
FUZZ = settings(
    max_examples=FUZZ_EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)


@FUZZ
@given(_tokens(CURRENT_OPTIONS))
@example(["--t1", "5e-324", "--t2", "0"])  # subnormal T: G was inf and S NaN before the fix
@example(["--gamma1", "1e308"])  # overflow: clean refusal, not a RuntimeWarning trail
@example(["--dt", "-1e3"])  # a negative number in exponent form is a value, not an option
@example(["--omega", "3"])  # an abbreviation of --omega-d is refused, not taken
@example(["--g", "1e154", "--json"])
def test_fuzz_current(tokens: list[str]) -> None:
    check_outcome(["current", *tokens])


@FUZZ
@given(_tokens(BATH_OPTIONS))
@example(["--omega", "1", "--t", "5e-324"])
@example(["--omega", "1e308", "--t", "1e308"])
@example(["--omega", "1", "--omega-d", "1e-320", "--json"])
def test_fuzz_bath(tokens: list[str]) -> None:
    check_outcome(["bath", *tokens])


@settings(max_examples=FUZZ_EXAMPLES // 2, deadline=None)
@given(
    st.lists(
        st.one_of(st.sampled_from(["current", "bath", "--omega", "1", "--json"]), numbers, words),
        max_size=5,
    )
)
def test_fuzz_any_argv(argv: list[str]) -> None:
    """Argv that need not start with a subcommand (nor name a known one)."""
    if argv and argv[0] in ("figure", "reproduce", "sweep"):  # other engineers' subcommands
        return
    check_outcome(argv)


# ----------------------------------------------------------------- the sweep TOML reader
TOML_KEYS = [
    "eps1",
    "eps2",
    "g",
    "gamma1",
    "gamma2",
    "omega_d",
    "omega-d",
    "t1",
    "t2",
    "dt",
    "eps3",
    "equations",
    "lamb_shift",
    "zipped",
    "chunk_size",
    "scheduler",
    "address",
    "out",
    "bogus",
]
TOML_VALUES = [
    "5",
    "0",
    "-1",
    "1e308",
    "nan",
    "inf",
    "-inf",
    "true",
    '"yes"',
    '"1:2:3"',
    '"1:2:0"',
    '"a:b:c"',
    '"0:1:2:3"',
    "[]",
    "[1, 2]",
    "[1, true]",
    "[[1]]",
    '["br"]',
    '["redfield"]',
    '"all"',
    '"serial"',
    '"gpu"',
    '"x.nc"',
    '"x.txt"',
    "{start = 1, stop = 2, num = 3}",
    "{start = 1, stop = 2}",
    "{start = 1, stop = 2, num = 2.5}",
    "{start = [1], stop = 2, num = 3}",
    "1979-05-27",
    "1.5",
    "0x10",
    '"""multi"""',
    "{}",
]


@st.composite
def toml_texts(draw: st.DrawFn) -> str:
    """Line-structured TOML-like text: tables, key = value lines, and some raw noise."""
    lines = []
    for _ in range(draw(st.integers(0, 6))):
        kind = draw(st.sampled_from(["table", "pair", "pair", "pair", "noise"]))
        if kind == "table":
            lines.append(
                f"[{draw(st.sampled_from(['parameters', 'sweep', 'sweeps', 'parameters.g']))}]"
            )
        elif kind == "pair":
            lines.append(
                f"{draw(st.sampled_from(TOML_KEYS))} = {draw(st.sampled_from(TOML_VALUES))}"
            )
        else:
            lines.append(draw(words))
    return "\n".join(lines) + "\n"


@settings(
    max_examples=FUZZ_EXAMPLES * 2, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
@given(toml_texts())
@example("[parameters]\ng = nan\n")
@example("[parameters.g]\nstart = 1\n")
@example("[sweep]\nequations = []\n")
def test_fuzz_sweep_config_reader(text: str) -> None:
    """Any file gives a SweepConfig or a ConfigError (a ValueError) naming the file, one line."""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "fuzz.toml"
        path.write_text(text)
        try:
            result = config.read_config(path)
        except config.ConfigError as exc:
            assert str(path) in str(exc) and "\n" not in str(exc), str(exc)
            return
    assert isinstance(result, config.SweepConfig)
    for name, values in result.parameters.items():
        assert np.asarray(values).size >= 1, name  # no empty axis gets through
