"""The documentation cannot rot: doctests, tutorial notebooks, the README example, API pages.

* Every docstring example of every ``qheat`` module runs as a doctest (the independent value
  is the output written in the docstring).
* Every tutorial notebook under ``docs/tutorials`` executes without error, its cells in under
  30 s (kernel start-up excluded), and its freshly computed text outputs agree with the outputs
  committed in the notebook (which the docs site renders): numbers to a relative 1e-4
  (absolute 1e-12, for round-off printed as ``1e-17``), everything else exactly. Re-execute a notebook after changing it with
  ``.venv/bin/jupyter nbconvert --to notebook --execute --inplace docs/tutorials/NAME.ipynb``.
* The README's Python example prints the output shown under it in the README.
* The ``python`` code blocks of the hand-written pages run (they assert their measured values).
* Every public subpackage of ``qheat`` has an API reference page.
"""

from __future__ import annotations

import argparse
import contextlib
import doctest
import importlib
import io
import math
import pkgutil
import re
import shlex
import warnings
from datetime import datetime
from pathlib import Path
from types import ModuleType

import nbformat
import pytest
from nbclient import NotebookClient

import qheat
from qheat.cli import build_parser
from qheat.cli import main as cli_main

ROOT = Path(__file__).resolve().parents[1]
TUTORIALS = sorted((ROOT / "docs" / "tutorials").glob("*.ipynb"))
NOTEBOOK_BUDGET_S = 30.0
NUMBER = re.compile(r"[-+]?(?:\d+\.\d*|\.\d+|\d+)(?:[eE][-+]?\d+)?")
REL_TOL, ABS_TOL = 1e-4, 1e-12  # printed digits; round-off noise printed as e.g. 1e-17


def _qheat_modules() -> list[str]:
    return sorted(
        info.name
        for info in pkgutil.walk_packages(qheat.__path__, prefix="qheat.")
        if not info.name.rsplit(".", 1)[-1].startswith("__")
    )


@pytest.mark.parametrize("module_name", _qheat_modules())
def test_docstring_examples_run(module_name: str) -> None:
    module: ModuleType = importlib.import_module(module_name)
    finder = doctest.DocTestFinder(exclude_empty=True)
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    report = io.StringIO()
    for test in finder.find(module, module_name):  # objects defined in this module only
        runner.run(test, out=report.write)
    results = runner.summarize(verbose=False)
    assert results.failed == 0, report.getvalue()


def _text_outputs(cell: nbformat.NotebookNode) -> list[str]:
    """Text outputs of a cell; consecutive stdout chunks joined (the kernel splits a stream
    into messages by timing, not by content)."""
    texts: list[str] = []
    previous_stdout = False
    for out in cell.get("outputs", []):
        stdout = out.output_type == "stream" and out.name == "stdout"
        if stdout and previous_stdout:
            texts[-1] += out.text
        elif stdout:
            texts.append(out.text)
        elif out.output_type in ("execute_result", "display_data"):
            if "image/png" not in out.data and "text/plain" in out.data:
                texts.append(out.data["text/plain"])
        previous_stdout = stdout
    return texts


def _cell_seconds(nb: nbformat.NotebookNode) -> float:
    total = 0.0
    for cell in nb.cells:
        timing = cell.get("metadata", {}).get("execution", {})
        if "iopub.execute_input" in timing and "shell.execute_reply" in timing:
            start = datetime.fromisoformat(timing["iopub.execute_input"].replace("Z", "+00:00"))
            end = datetime.fromisoformat(timing["shell.execute_reply"].replace("Z", "+00:00"))
            total += (end - start).total_seconds()
    return total


def _same_text(fresh: str, stored: str) -> bool:
    if NUMBER.sub("#", fresh) != NUMBER.sub("#", stored):
        return False
    return all(
        math.isclose(float(a), float(b), rel_tol=REL_TOL, abs_tol=ABS_TOL)
        for a, b in zip(NUMBER.findall(fresh), NUMBER.findall(stored))
    )


@pytest.mark.parametrize("path", TUTORIALS, ids=[p.stem for p in TUTORIALS])
def test_tutorial_executes_and_matches_its_committed_outputs(path: Path) -> None:
    stored = nbformat.read(path, as_version=4)
    fresh = nbformat.read(path, as_version=4)
    client = NotebookClient(
        fresh,
        timeout=120,
        kernel_name="python3",
        resources={"metadata": {"path": str(path.parent)}},
    )
    client.execute()
    elapsed = _cell_seconds(fresh)  # the cells' own run time, without the kernel's start-up
    assert elapsed < NOTEBOOK_BUDGET_S, (
        f"{path.name} took {elapsed:.1f} s (budget {NOTEBOOK_BUDGET_S} s)"
    )
    for index, (new, old) in enumerate(zip(fresh.cells, stored.cells)):
        if new.cell_type != "code":
            continue
        assert old.get("execution_count"), f"{path.name} cell {index} is committed unexecuted"
        new_text, old_text = _text_outputs(new), _text_outputs(old)
        assert len(new_text) == len(old_text) and all(
            _same_text(a, b) for a, b in zip(new_text, old_text)
        ), (
            f"{path.name} cell {index}: output changed; re-execute the notebook\nnow:\n{new_text}\ncommitted:\n{old_text}"
        )


def test_tutorials_exist() -> None:
    assert len(TUTORIALS) >= 2


def _readme_example() -> tuple[str, str]:
    text = (ROOT / "README.md").read_text()
    match = re.search(r"```python\n(.*?)```\s*\n+Output:\s*\n+```text\n(.*?)```", text, re.S)
    assert match, "README must hold a ```python example followed by 'Output:' and a ```text block"
    return match.group(1), match.group(2)


def test_readme_example_prints_its_documented_output() -> None:
    code, expected = _readme_example()
    buffer = io.StringIO()
    with contextlib.redirect_stdout(buffer), pytest.warns(qheat.SecularityWarning) as caught:
        exec(compile(code, "README.md", "exec"), {})
    got = buffer.getvalue()
    assert len(code.strip().splitlines()) <= 12
    assert _same_text(got.strip(), expected.strip()), f"README output is stale:\n{got}"
    # the warning the README quotes, word for word
    quoted = "lindblad: secular approximation outside its validity at 3 of 4\npoints"
    assert quoted.replace("\n", " ") in " ".join(str(w.message) for w in caught)
    assert quoted in (ROOT / "README.md").read_text()


def test_every_public_subpackage_has_an_api_page() -> None:
    pages = "\n".join(p.read_text() for p in (ROOT / "docs" / "api").glob("*.md"))
    internal = {"cli", "api"}  # the CLI is documented in the README; qheat.api is re-exported
    for info in pkgutil.iter_modules(qheat.__path__):
        if info.name.startswith("_") or info.name in internal:
            continue
        assert f"::: qheat.{info.name}" in pages, (
            f"qheat.{info.name} has no API page: add docs/api/{info.name}.md with "
            f"'::: qheat.{info.name}' and put it in the nav of mkdocs.yml"
        )


PAGES_WITH_CODE = [
    "index.md",
    "getting-started.md",
    "conventions.md",
    "sharp-bits.md",
    "analysis.md",
    "local-global.md",
    "fluctuations.md",
]


@pytest.mark.parametrize("page", PAGES_WITH_CODE)
def test_python_blocks_of_the_docs_run(page: str) -> None:
    """Each ```python block runs; the blocks hold their own asserts against measured values."""
    text = (ROOT / "docs" / page).read_text()
    for number, block in enumerate(re.findall(r"```python\n(.*?)```", text, re.S)):
        with contextlib.redirect_stdout(io.StringIO()), warnings.catch_warnings():
            warnings.simplefilter("ignore")  # blocks that show a warning record it themselves
            exec(compile(block, f"{page} block {number}", "exec"), {})


def _readme_cli_lines() -> list[tuple[list[str], str]]:
    """``(argv without 'qheat', comment)`` of each command in the README's CLI block."""
    text = (ROOT / "README.md").read_text()
    match = re.search(r"## The command line\s*\n+```bash\n(.*?)```", text, re.S)
    assert match, "README must hold a '## The command line' section with a ```bash block"
    lines = [
        line.partition("#") for line in match.group(1).splitlines() if line.startswith("qheat ")
    ]
    return [(shlex.split(command)[1:], comment) for command, _, comment in lines]


def test_readme_cli_lines_name_real_subcommands_and_the_quick_ones_run() -> None:
    lines = _readme_cli_lines()
    assert len(lines) == 5
    for argv, comment in lines:
        if "(coming)" in comment and argv[0] not in _subcommands():
            continue  # announced, not written yet
        with pytest.raises(SystemExit) as exit_info, contextlib.redirect_stdout(io.StringIO()):
            cli_main([argv[0], "--help"])
        assert exit_info.value.code == 0, f"qheat {argv[0]} --help failed"
        if argv[0] in ("current", "bath"):  # fast: run them as written
            with contextlib.redirect_stdout(io.StringIO()):
                assert cli_main(argv) == 0, argv


def _subcommands() -> set[str]:
    parser = build_parser()
    actions = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
    return set(actions[0].choices)


def test_every_top_level_name_is_in_the_api_index() -> None:
    index = (ROOT / "docs" / "api" / "qheat.md").read_text()
    missing = [name for name in qheat.__all__ if f"[`{name}`]" not in index]
    assert not missing, f"add {missing} to the table of docs/api/qheat.md (with a link to its page)"
