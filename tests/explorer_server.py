"""``qheat explore`` as a subprocess on 127.0.0.1 and a free port, for the server tests."""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator

import pytest


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextlib.contextmanager
def explore(*options: str, pythonpath: str = "") -> Iterator[int]:
    """``qheat explore --port N --no-show OPTIONS`` until it listens; yields ``N``, stops it.

    ``pythonpath`` is prepended to the server's ``PYTHONPATH`` (to make a module importable
    there)."""
    port = free_port()
    command = [
        sys.executable,
        "-c",
        "import sys; from qheat.cli import main; sys.exit(main())",
        "explore",
        "--port",
        str(port),
        "--no-show",
        *options,
    ]
    env = {**os.environ, "OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1"}
    if pythonpath:
        env["PYTHONPATH"] = os.pathsep.join(p for p in (pythonpath, env.get("PYTHONPATH")) if p)
    process = subprocess.Popen(
        command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    try:
        deadline = time.monotonic() + 60.0
        while True:
            if process.poll() is not None:
                pytest.fail(
                    f"qheat explore exited with {process.returncode}: "
                    f"{process.stderr.read() if process.stderr else ''}"
                )
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1.0).close()
                break
            except OSError:
                if time.monotonic() > deadline:
                    pytest.fail("qheat explore did not listen on 127.0.0.1 within 60 s")
                time.sleep(0.2)
        yield port
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def raw_get(port: int, path: str, host: str) -> tuple[int, str]:
    """``GET path`` over a plain socket with the given ``Host`` header: (status, body)."""
    request = f"GET {path} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n"
    with socket.create_connection(("127.0.0.1", port), timeout=60.0) as s:
        s.sendall(request.encode("ascii"))
        data = b""
        while chunk := s.recv(65536):
            data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    return int(head.split()[1]), body.decode("utf-8", "replace")
