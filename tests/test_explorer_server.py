"""``qheat explore``'s server refuses what a page elsewhere could abuse (raw HTTP, no browser).

* DNS rebinding: a request whose ``Host`` header is not the server's own name gets 403 and one
  line, for the page, the static files and the websocket alike; the server's own names (and an
  ``--allow-host`` name) get the page;
* Panel's ``/components/<module>/...`` route imports the module named in the URL: a module on
  the server's path that records its own import (a file it creates) must stay unimported;
* a device one point of which exceeds the memory budget is refused before the server starts.
"""

from __future__ import annotations

import socket
from pathlib import Path

from explorer_server import explore, raw_get
from qheat.explorer.guard import allowed_hosts

from cli_helpers import run_cli

WITNESS = """
import pathlib
pathlib.Path({path!r}).write_text("imported")
"""
"""A module whose import leaves a file behind."""


def test_foreign_host_headers_are_refused_and_components_import_nothing(tmp_path: Path) -> None:
    marker = tmp_path / "imported"
    (tmp_path / "qheat_witness_module.py").write_text(WITNESS.format(path=str(marker)))
    with explore("--allow-host", "qheat.test", pythonpath=str(tmp_path)) as port:
        for host in (f"127.0.0.1:{port}", f"localhost:{port}", f"qheat.test:{port}"):
            status, body = raw_get(port, "/", host)
            assert status == 200 and "<title>qheat explorer</title>" in body, (host, status)
        for path in ("/", "/static/js/bokeh.min.js", "/ws"):
            for host in (f"attacker.example:{port}", f"127.0.0.1:{port + 1}", "localhost"):
                status, body = raw_get(port, path, host)
                assert status == 403, (path, host, status)
                assert body.count("\n") == 1 and f"Host {host!r} is not this server's" in body
        status, body = raw_get(
            port, "/components/qheat_witness_module/Anything/__css__/a.css", f"127.0.0.1:{port}"
        )
        assert status == 404 and "no component resources" in body
        status, _ = raw_get(port, "/components/json/JSONDecoder/css/x.css", f"localhost:{port}")
        assert status == 404
    assert not marker.exists()  # Panel's handler would have imported the module


def test_the_hosts_a_server_answers() -> None:
    assert allowed_hosts("127.0.0.1", 5006) == ["127.0.0.1:5006", "localhost:5006"]
    assert allowed_hosts("192.168.1.5", 80, ["Lab.example"]) == [
        "192.168.1.5",
        "192.168.1.5:80",
        "lab.example",
        "lab.example:80",
    ]
    everywhere = allowed_hosts("0.0.0.0", 8000)
    assert f"{socket.gethostname().lower()}:8000" in everywhere and "localhost:8000" in everywhere
    assert allowed_hosts("::1", 7000, ["::1"]) == ["[::1]:7000"]


def test_a_device_too_large_for_the_budget_is_refused_before_serving(tmp_path: Path) -> None:
    device = tmp_path / "five.toml"
    device.write_text(
        "[device]\nqubits = 5\nhamiltonian = [[0.5, 'ZIIII'], [0.2, 'XXIII'], [0.2, 'IXXII'], "
        "[0.2, 'IIXXI'], [0.2, 'IIIXX'], [0.3, 'IIIIZ']]\n\n"
        "[[baths]]\nname = 'L'\ncoupling = 'XIIII'\nspectral_density = 'drude'\ngamma = 0.01\n"
        "omega_d = 20.0\nt = 2.0\n\n"
        "[[baths]]\nname = 'R'\ncoupling = 'IIIIX'\nspectral_density = 'drude'\ngamma = 0.01\n"
        "omega_d = 20.0\nt = 0.5\n"
    )
    # one point of a 5-qubit device without symmetry: a 1024 x 1024 complex Liouvillian, 16 MiB
    status, out, err = run_cli(["explore", "--device", str(device), "--memory-budget", "0.02"])
    assert status == 2 and not out and err.count("\n") == 1, err
    assert "dimension 32" in err and "--memory-budget" in err and "MiB" in err
    status, _, err = run_cli(["explore", "--memory-budget", "-1"])
    assert status == 2 and "--memory-budget must be a number of GiB > 0" in err
