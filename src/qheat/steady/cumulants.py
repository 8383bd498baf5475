"""Cumulants of the heat drawn from each bath, and the thermodynamic uncertainty ratio.

With the tilted generator ``L(chi) = sum_n chi^n/n! L_n`` of one bath
(:mod:`qheat.master.counting`), its steady state ``rho`` and the pseudo-inverse ``R`` of ``L``
on the complement of ``rho`` (``L R = R L = 1 - |rho>><<1|``), the scaled cumulants
``c_n = d^n lambda / d chi^n`` at 0 follow from the recursion of Flindt et al., Phys. Rev. Lett.
100, 150601 (2008) (docs/fluctuations.md)::

    c_n        = sum_{m=1..n} C(n, m) <<1| L_m |rho_(n-m)>>,      rho_0 = rho,
    rho_n      = R sum_{m=1..n} C(n, m) (c_m - L_m) rho_(n-m),

(``c_1 = <<L_1>>``, ``c_2 = <<L_2>> - 2 <<L_1 R L_1>>``). ``c_1`` is the mean heat current
from the bath, ``c_2`` its zero-frequency noise, ``c_3`` the skewness rate. ``R v`` for a
traceless ``v`` is the solution of ``L y = v``, ``Tr y = 0``: the bordered system of the
steady state (Eq. 18) with the right-hand side ``(0, v_1, ...)``, whose inverse the dense solve
keeps (:func:`qheat.steady.solve.steady_state` with ``keep_inverse``), or GMRES with the
steady state's preconditioner (:func:`qheat.steady.krylov.pseudo_inverse`) for large devices.

The thermodynamic uncertainty ratio of bath ``j`` is ``Q_j = c2_j sigma / c1_j^2`` with the
entropy production ``sigma = -sum_k c1_k / T_k`` of the same counting statistics (its mean
currents ``c1``, which differ from qheat's ``J_k`` by the Lamb-shift term
``Tr(H_LS D_k(rho))``: mixing the two would not be one process); classical Markov jump processes obey
``Q >= 2`` (Barato and Seifert, Phys. Rev. Lett. 114, 158101 (2015)); quantum coherence can
break it.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Sequence

import numba
import numpy as np
from numpy.typing import ArrayLike, NDArray

from ..errors import CountingWarning, InvalidParameterError
from ..master import Generator
from ..master.counting import counting_block, tilted_liouvillian
from .krylov import pseudo_inverse
from .solve import SteadyState
from .validity import entropy_production

__all__ = [
    "COUNTING_IMBALANCE_WARN",
    "MAX_ORDER",
    "counting_imbalance",
    "heat_cumulants",
    "scaled_cgf",
    "tur_ratio",
    "warn_if_unbalanced",
]

SCGF_MAX_DIM = 32
"""Largest ``d`` for :func:`scaled_cgf` (the eigenvalues of a dense ``d^2 x d^2`` matrix)."""

ComplexArray = NDArray[np.complex128]
FloatArray = NDArray[np.float64]

MAX_ORDER = 6
"""Highest cumulant computed."""

COUNTING_IMBALANCE_WARN = 1e-2
""":class:`~qheat.errors.CountingWarning` above this ``|sum_j c1_j| / max_j |c1_j|``: far
above round-off (``1e-13`` for the global Lindblad equation) and above Bloch-Redfield's
imbalance without the Lamb shift in the paper's weak coupling (``6e-5`` at ``gamma = 0.01``,
``dT = 10``), below the level at which a TUR ratio near 2 can be read (the paper's Fig. 6 with
the Lamb shift: ``0.8%`` at ``dT = 10``, ``6%`` at ``dT = 150``)."""


def heat_cumulants(generator: Generator, state: SteadyState, order: int) -> FloatArray:
    """``c_1 ... c_order`` of the heat from every bath, ``(..., n_baths, order)``.

    Args:
        generator: the generator whose steady state is ``state``.
        state: its steady state; for the dense solver it must carry the block inverse
            (``steady_state(..., keep_inverse=True)``).
        order: how many cumulants, from 1 to :data:`MAX_ORDER`.

    Raises:
        InvalidParameterError: ``order`` out of range, or an equation without a counting field
            (a user's equation given only by its superoperators).
    """
    if isinstance(order, bool) or not isinstance(order, int) or not 1 <= order <= MAX_ORDER:
        raise InvalidParameterError(
            f"cumulants: order must be an integer from 1 to {MAX_ORDER}, got {order!r}"
        )
    if state.solver == "krylov":
        return _krylov_cumulants(generator, state, order)
    return _dense_cumulants(generator, state, order)


def tur_ratio(
    cumulants: FloatArray, temperatures: Sequence[ArrayLike | None], floor: ArrayLike = 0.0
) -> FloatArray:
    """``Q_j = c2_j sigma / c1_j^2`` of every bath, ``(..., n_baths)``, with ``sigma = -sum_k
    c1_k / T_k`` (:func:`qheat.steady.validity.entropy_production` of the mean currents ``c1``;
    NaN where ``|c1| <= floor``, the round-off of a current (``(...)``; at equal temperatures
    ``Q`` is 0/0), or a temperature is unknown)."""
    c1, c2 = cumulants[..., 0], cumulants[..., 1]
    sigma = entropy_production(c1, temperatures)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        out = c2 * np.asarray(sigma)[..., None] / c1**2
    resolved = np.abs(c1) > np.asarray(floor, dtype=np.float64)[..., None]
    return np.asarray(np.where(resolved, out, np.nan), dtype=np.float64)


def counting_imbalance(cumulants: FloatArray, floor: ArrayLike = 0.0) -> FloatArray:
    """``|sum_j c1_j| / max_j |c1_j|``, ``(...)``: the energy the counting statistics loses,
    relative to its largest mean current (:class:`~qheat.errors.CountingWarning`); 0 where
    every ``|c1_j| <= floor``, the round-off of a current."""
    c1 = cumulants[..., 0]
    largest = np.max(np.abs(c1), axis=-1)
    resolved = largest > np.asarray(floor, dtype=np.float64)
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.abs(c1.sum(axis=-1)) / np.where(resolved, largest, 1.0)
    return np.asarray(np.where(resolved, ratio, 0.0), dtype=np.float64)


def warn_if_unbalanced(equation: str, imbalance: FloatArray) -> None:
    """:class:`~qheat.errors.CountingWarning` where ``imbalance`` (:func:`counting_imbalance`)
    exceeds :data:`COUNTING_IMBALANCE_WARN`, with the largest value and the share of points."""
    over = imbalance > COUNTING_IMBALANCE_WARN
    if not np.any(over):
        return
    where = "" if over.size == 1 else f" at {100 * float(over.mean()):.3g}% of the points"
    warnings.warn(
        f"{equation}: the counting statistics does not conserve energy{where}: |sum_j c1_j| "
        f"is up to {float(imbalance.max()):.3g} of the largest |c1_j| "
        f"(> {COUNTING_IMBALANCE_WARN:g}); the energy moved by the non-secular Lamb-shift "
        "terms is counted by no bath, so c1 differs from J and the noise and the TUR ratio are "
        "uncertain at that level (docs/fluctuations.md)",
        CountingWarning,
        stacklevel=3,
    )


def scaled_cgf(
    generator: Generator, bath: int, chi: NDArray[np.float64], point: int = 0
) -> FloatArray:
    """``lambda(chi)``, the scaled cumulant generating function of the heat from bath ``bath``
    at each counting field of ``chi`` (flat batch index ``point``): the eigenvalue of the
    tilted generator (:func:`qheat.master.counting.tilted_liouvillian`) that is 0 at
    ``chi = 0``, followed as the one of largest real part. ``d^n lambda/d chi^n`` at 0 are the
    cumulants of :func:`heat_cumulants`.

    Raises:
        InvalidParameterError: ``d`` above :data:`SCGF_MAX_DIM` (dense eigenvalues), or an
            equation without a counting field in the eigenbasis (the local equation).
    """
    if generator.dim > SCGF_MAX_DIM:
        raise InvalidParameterError(
            f"scaled_cgf needs the eigenvalues of a dense d^2 x d^2 matrix: d = {generator.dim} "
            f"> {SCGF_MAX_DIM}; use heat_cumulants"
        )
    values = []
    for x in np.atleast_1d(np.asarray(chi, dtype=np.float64)):
        try:
            tilted = tilted_liouvillian(generator, bath, float(x), point)
        except ValueError as exc:
            raise InvalidParameterError(str(exc)) from None
        values.append(float(np.linalg.eigvals(tilted).real.max()))
    return np.asarray(values, dtype=np.float64).reshape(np.shape(chi))


def _dense_cumulants(generator: Generator, state: SteadyState, order: int) -> FloatArray:
    """The recursion of the module docstring on the population block, one compiled loop over
    the batch per bath (:func:`_block_recursion`); ``L_1 ... L_order`` of one bath at a time
    are held (``order`` arrays ``(n, m, m)``), next to the kept inverse ``(n, m, m)``."""
    if state.block is None or state.block_inverse is None:
        raise InvalidParameterError(
            "cumulants need the steady state's factorization: solve with keep_inverse=True"
        )
    block, inverse = state.block, state.block_inverse  # (n, m, m)
    d, m = generator.dim, block.size
    batch = state.rho.shape[:-2]
    n = inverse.shape[0]
    rho = np.broadcast_to(state.rho, batch + (d, d)).reshape(n, d, d)
    vec = np.ascontiguousarray(rho[:, block.rows, block.cols], dtype=np.complex128)
    binomials = np.array(
        [[math.comb(k, j) for j in range(order + 1)] for k in range(order + 1)], dtype=np.float64
    )
    inverse = np.ascontiguousarray(inverse)
    out = np.empty((n, generator.n_baths, order))
    for j in range(generator.n_baths):
        tilts = tuple(
            np.ascontiguousarray(
                counting_block(generator, block, j, k), dtype=np.complex128
            ).reshape(n, m, m)
            for k in range(1, order + 1)
        )
        # the trace functional on the block: the populations (its first d elements)
        _block_recursion(tilts, vec, inverse, d, binomials, out[:, j])
        del tilts  # before the next bath's are built
    degenerate = ~np.isfinite(np.asarray(state.condition_number).reshape(n))
    out[degenerate] = np.nan  # no pseudo-inverse where the steady state is not unique
    return out.reshape(batch + out.shape[1:])


@numba.njit(cache=True, nogil=True)
def _block_recursion(
    tilts: tuple[ComplexArray, ...],
    rho: ComplexArray,
    inverse: ComplexArray,
    n_pop: int,
    binomials: FloatArray,
    out: FloatArray,
) -> None:
    """The recursion of the module docstring at every point ``p``: ``tilts[k - 1][p]`` is
    ``L_k`` on the block ``(m, m)``, ``rho[p]`` the steady state on it, ``inverse[p]`` the
    inverse of the bordered block (its row 0 the trace), so ``R v = inverse (0, v_1, ...)``
    for a traceless ``v``; ``out[p, n - 1] = c_n``. ``L_k rho_s`` is needed at step ``k + s``
    only (for ``c_n`` and for the source of ``rho_n``): computed once there."""
    order, n, m = len(tilts), rho.shape[0], rho.shape[1]
    states = np.empty((order, m), dtype=np.complex128)
    applied = np.empty((order, m), dtype=np.complex128)  # applied[k - 1] = L_k rho_(n - k)
    source = np.empty(m, dtype=np.complex128)
    c = np.empty(order)
    for p in range(n):
        for i in range(m):
            states[0, i] = rho[p, i]
        for step in range(1, order + 1):
            total = 0.0
            for k in range(1, step + 1):
                s, tilt = step - k, tilts[k - 1]
                for i in range(m):
                    acc = 0j
                    for jj in range(m):
                        acc += tilt[p, i, jj] * states[s, jj]
                    applied[k - 1, i] = acc
                trace = 0.0
                for i in range(n_pop):
                    trace += applied[k - 1, i].real
                total += binomials[step, k] * trace
            c[step - 1] = total
            out[p, step - 1] = total
            if step == order:
                break
            for i in range(m):
                source[i] = 0.0
            for k in range(1, step + 1):
                weight = binomials[step, k]
                for i in range(m):
                    source[i] += weight * (c[k - 1] * states[step - k, i] - applied[k - 1, i])
            source[0] = 0.0  # the bordered row: Tr rho_n = 0
            for i in range(m):
                acc = 0j
                for jj in range(m):
                    acc += inverse[p, i, jj] * source[jj]
                states[step, i] = acc


def _krylov_cumulants(generator: Generator, state: SteadyState, order: int) -> FloatArray:
    if not hasattr(generator, "operator_form"):
        raise InvalidParameterError("cumulants need an equation with a counting field")
    batch, d = state.rho.shape[:-2], generator.dim
    n = int(np.prod(batch))
    rho = state.rho.reshape(n, d, d)
    out = np.empty((n, generator.n_baths, order))
    eye = np.eye(d)
    for point in range(n):
        form = generator.operator_form(point)  # type: ignore[attr-defined]
        for j in range(generator.n_baths):
            states = [rho[point]]
            c: list[float] = []
            for k in range(1, order + 1):
                applied = [form.counting_action(j, m, states[k - m]) for m in range(1, k + 1)]
                c.append(
                    float(sum(math.comb(k, m) * np.trace(a).real for m, a in enumerate(applied, 1)))
                )
                if k == order:
                    break
                source = sum(
                    math.comb(k, m) * (c[m - 1] * states[k - m] - applied[m - 1])
                    for m in range(1, k + 1)
                )
                source = source - eye * np.trace(source).real / d  # exactly traceless
                states.append(pseudo_inverse(form, source))
            out[point, j] = c
    return out.reshape(batch + out.shape[1:])
