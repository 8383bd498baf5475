"""NDTC maps of a device: the paper's model written as a device file gives the paper's map.

Independent evidence: the paper's path (``paper_system``, ``sz = diag(-1, +1)``, bias ``dT``)
and the device path (Pauli strings, ``Z = diag(1, -1)``, the hot temperature ``tH = T2 + dT``
swept) build the system differently; the same physics must give the same NDTC flags and peaks.
"""

from pathlib import Path

import numpy as np
import pytest

from qheat.cli import main
from qheat.devices import parse_device
from qheat.sweeps.ndtc_map import ndtc_map

PAPER_AS_DEVICE = """
[parameters]
g = 0.5
gamma = 0.03
tH = 10.0

[device]
qubits = 2
hamiltonian = [[-2.0, "ZI"], [-1.5, "IZ"], ["g", "XX"]]   # e = (4, 3), sz = -Z

[[baths]]
name = "hot"
coupling = "XI"
spectral_density = "drude"
gamma = "gamma"
omega_d = 50.0
t = "tH"

[[baths]]
name = "cold"
coupling = "IX"
spectral_density = "drude"
gamma = "gamma"
omega_d = 50.0
t = 5.0
"""


def test_device_map_equals_the_papers_map() -> None:
    device = parse_device(PAPER_AS_DEVICE)
    g, gamma, dT = np.array([0.3, 1.0]), np.array([0.004, 0.03]), np.linspace(0.1, 100, 40)
    paper = ndtc_map(("g", g), ("gamma", gamma), dT, eps1=4.0, eps2=3.0, t2=5.0, rtol=1e-6)
    mapped = ndtc_map(
        ("g", g), ("gamma", gamma), 5.0 + dT, build=device, along="tH", bath="hot", rtol=1e-6
    )
    np.testing.assert_array_equal(paper["ndtc"], mapped["ndtc"])
    assert bool(paper["ndtc"].any()) and not bool(paper["ndtc"].all())
    np.testing.assert_allclose(paper["dT_peak"] + 5.0, mapped["tH_peak"], rtol=1e-5)
    np.testing.assert_allclose(paper["J_peak"], mapped["J_peak"], rtol=1e-9)


def test_cli_device_map(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    device = tmp_path / "paper.toml"
    device.write_text(PAPER_AS_DEVICE)
    png = tmp_path / "map.png"
    code = main(
        [
            "ndtc-map",
            "--device",
            str(device),
            "--x",
            "g=0.3:1:2",
            "--y",
            "gamma=0.004:0.03:2",
            "--along",
            "tH=5.1:105:30",
            "--bath",
            "hot",
            "--figure",
            str(png),
        ]
    )
    out = capsys.readouterr().out
    assert code == 0 and "bath hot, br: NDTC at 50.0% of the points" in out
    assert png.stat().st_size > 10_000
    assert (
        main(
            [
                "ndtc-map",
                "--device",
                str(device),
                "--x",
                "g=0.3:1:2",
                "--y",
                "gamma=0.004:0.03:2",
                "--dt",
                "1:2:3",
            ]
        )
        == 2
    )
    assert "--along" in capsys.readouterr().err
    assert (
        main(
            [
                "ndtc-map",
                "--device",
                str(device),
                "--x",
                "g=0.3:1:2",
                "--y",
                "gamma=0.004:0.03:2",
                "--along",
                "tH=5.1:105:30",
                "--bath",
                "nowhere",
            ]
        )
        == 2
    )
    assert "bath must be one of hot, cold" in capsys.readouterr().err
