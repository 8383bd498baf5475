"""The golden values of the tests, read from ``tests/data/`` inside the repository.

``tests/data/independent-values.json`` is a byte-for-byte copy of the shared reference file
``../shared/reference/independent-values.json``: values of the paper's model from an independent
numpy/scipy implementation (provenance in ``tests/data/README.md``). The tests read only this
copy, so a fresh clone runs every golden check; ``tests/test_golden_data.py`` checks the copy
against ``SHA256`` and, where ``../shared`` exists, against the shared file.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

DATA = Path(__file__).resolve().parent / "data"
INDEPENDENT_VALUES = DATA / "independent-values.json"
# sha256 of the file as copied from ../shared/reference/independent-values.json (do not edit the
# copy without updating this and tests/data/README.md)
SHA256 = "3c9142d1fa202e73f9cd4c36de5c871623fa604d044373db31b5f6e76d7f96fe"


def sha256_of(path: Path) -> str:
    """Hex sha256 of the bytes of ``path``."""
    return hashlib.sha256(path.read_bytes()).hexdigest()


def independent_values() -> dict[str, Any]:
    """The whole golden file, read afresh (callers may change it): ``description``,
    ``conventions``, ``points``, ``bath``."""
    return dict(json.loads(INDEPENDENT_VALUES.read_text()))


def golden_points() -> list[dict[str, Any]]:
    """The golden steady-state points: ``params`` and, per equation, ``J1``, ``J2``, ``rho14``,
    ``rho23`` and ``populations`` (``br``, ``lindblad``; ``br_without_lamb_shift``: ``J1``)."""
    return list(independent_values()["points"])


def golden_bath() -> list[dict[str, float]]:
    """The golden Drude-bath rows: ``gamma``, ``omega_d``, ``t``, ``omega`` and ``G``, ``S``,
    ``S_quadrature`` there (Eqs. 15, 17 of the paper; energies in the units of the model)."""
    return list(independent_values()["bath"])
