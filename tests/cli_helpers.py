"""Running the ``qheat`` command line in-process, for the CLI tests."""

from __future__ import annotations

import contextlib
import io

from qheat.cli import main


def run_cli(argv: list[str]) -> tuple[int, str, str]:
    """``qheat argv`` in-process: (exit status, stdout, stderr); other exceptions escape."""
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            status = main(argv)
        except SystemExit as stop:
            status = stop.code if isinstance(stop.code, int) else 1
    return status, out.getvalue(), err.getvalue()
