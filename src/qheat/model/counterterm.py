"""The counterterm of a bath: ``H_S -> H_S + lambda_j A_j^2``, the reorganization energy.

A bath of oscillators coupled linearly through ``A_j`` (``H_SB = A_j (x) sum_k c_k x_k``)
pulls the system's potential down by ``-lambda_j A_j^2`` (the bath's static response: each
oscillator displaced to ``c_k A / (m_k w_k^2)``), with the reorganization energy

    lambda_j = sum_k c_k^2 / (2 m_k w_k^2) = (1/pi) int_0^inf J_j(w) / w dw = -S_j(0),

the last equality being Eq. 15 at ``w = 0`` (qheat's conventions, ``docs/baths.md``: the
``J`` of ``G(w) = J(w)(n(w) + 1)``). In a second-order master equation this renormalization
is the part ``S_j(0) A_j^2`` of the Lamb shift, which grows with the bath's cutoff
(``-gamma omega_D / 2`` for Drude); adding ``lambda_j A_j^2`` to ``H_S`` (the Caldeira-Leggett
counterterm) keeps it out, so that ``H_S`` is the system's physical Hamiltonian and only the
frequency-dependent remainder ``S_j(w) - S_j(0)`` shifts its levels. The derivation and the
oscillator's closed forms are in ``docs/baths.md`` ("The counterterm").
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence

import numpy as np
from numpy.typing import NDArray

from ..errors import InvalidParameterError
from .system import Bath, OpenSystem

__all__ = ["reorganization_energy", "with_counterterm"]

FloatArray = NDArray[np.float64]


def reorganization_energy(bath: Bath) -> FloatArray:
    """``lambda = -S(0) = (1/pi) int_0^inf J(w)/w dw`` of ``bath`` (energy units), the shape
    of the bath's parameters.

    Closed forms: Drude ``gamma omega_d / 2``; ohmic ``gamma omega_c Gamma(s) / pi``;
    underdamped ``gamma omega_0^2 / (2 width)``.

    Example:
        >>> from qheat.baths import DrudeBath
        >>> float(reorganization_energy(DrudeBath(gamma=0.01, omega_d=50.0, temperature=1.0)))
        0.25
    """
    return np.asarray(-np.asarray(bath.S(np.zeros(())), dtype=np.float64), dtype=np.float64)


def with_counterterm(system: OpenSystem, baths: Sequence[str] | None = None) -> OpenSystem:
    """``system`` with ``H_S + sum_j lambda_j A_j^2`` over the named ``baths`` (None: all).

    ``lambda_j`` is :func:`reorganization_energy` of bath ``j`` (batched with it), ``A_j`` its
    coupling operator; the couplings, baths and metadata are unchanged.

    Raises:
        InvalidParameterError: a name that is not one of ``system.bath_names``.

    Example:
        >>> import numpy as np
        >>> from qheat.baths import DrudeBath
        >>> x = np.array([[0, 1], [1, 0]])
        >>> system = OpenSystem(np.diag([0.5, -0.5]), (x,), (DrudeBath(0.01, 50.0, 1.0),))
        >>> np.real(with_counterterm(system).hamiltonian).round(3)  # + 0.25 x^2 = + 0.25
        array([[ 0.75,  0.  ],
               [ 0.  , -0.25]])
    """
    names = system.bath_names or ()
    chosen = names if baths is None else tuple(baths)
    if isinstance(baths, str):
        chosen = (baths,)
    unknown = [name for name in chosen if name not in names]
    if unknown:
        raise InvalidParameterError(
            f"baths: unknown bath {unknown[0]!r}; the system's baths are {', '.join(names)}"
        )
    h = system.hamiltonian
    for name in chosen:
        j = names.index(name)
        a = system.couplings[j]
        lam = reorganization_energy(system.baths[j])
        h = h + lam[..., None, None] * (a @ a)
    return dataclasses.replace(system, hamiltonian=h, eigenbasis=None)
