"""The golden data in ``tests/data/``: intact, complete, and the only golden source of the tests.

These are integrity checks of the data, not physics checks; the physics checks that use the
data are in test_baths, test_master, test_currents, test_qutip_crosscheck, test_cli_core,
test_edge_cases, test_paper_claims and test_smoke.
"""

from __future__ import annotations

import math
import re
from pathlib import Path

import pytest

from golden import INDEPENDENT_VALUES, SHA256, golden_bath, golden_points, sha256_of

TESTS = Path(__file__).resolve().parent
SHARED_REFERENCE = TESTS.parents[1] / "shared" / "reference" / "independent-values.json"

PARAMS = {"eps1", "eps2", "g", "gamma1", "gamma2", "omega_d", "t1", "t2"}
STATE = {"J1", "J2", "rho14", "rho23", "populations"}


def test_copy_has_its_recorded_sha256() -> None:
    """The repository copy is byte-for-byte the file whose sha256 tests/data/README.md records."""
    assert sha256_of(INDEPENDENT_VALUES) == SHA256
    assert SHA256 in (TESTS / "data" / "README.md").read_text()


def test_copy_is_complete() -> None:
    """6 points with both equations and 18 bath rows, every number finite; populations of a
    density matrix sum to one (to the 1e-12 a double-precision solver leaves)."""
    points = golden_points()
    assert len(points) == 6
    for point in points:
        assert set(point["params"]) == PARAMS
        for equation in ("br", "lindblad"):
            assert set(point[equation]) == STATE
            assert math.fsum(point[equation]["populations"]) == pytest.approx(1.0, abs=1e-12)
        assert math.isfinite(point["br_without_lamb_shift"]["J1"])
    rows = golden_bath()
    assert len(rows) == 18
    for row in rows:
        assert {"gamma", "omega_d", "t", "omega", "G", "S", "S_quadrature"} <= set(row)
        assert all(math.isfinite(value) for value in row.values())


def test_copy_equals_the_shared_reference() -> None:
    """Sync check, not a physics check: where the project's ``../shared`` directory exists, the
    copy must still equal it byte for byte. Skipped only on a clone without ``../shared``, where
    the two checks above still guard the copy."""
    if not SHARED_REFERENCE.exists():
        pytest.skip("../shared/reference/independent-values.json absent (sync check only)")
    assert SHARED_REFERENCE.read_bytes() == INDEPENDENT_VALUES.read_bytes()


def test_no_other_test_reads_outside_the_repository() -> None:
    """Golden values come from tests/data through golden.py; no test module reaches above the
    repository (``parents[2]``) or names the shared directory as a path."""
    outside = re.compile(r"parents\[[2-9]\]|/ *\"shared\"")
    offenders = [
        path.name
        for path in sorted(TESTS.glob("*.py"))
        if path.name != Path(__file__).name and outside.search(path.read_text())
    ]
    assert offenders == []
