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
from collections.abc import Sequence

import numpy as np
from numpy.typing import ArrayLike, NDArray

from ..errors import InvalidParameterError
from ..master import Generator
from ..master.counting import counting_block, tilted_liouvillian
from .krylov import pseudo_inverse
from .solve import SteadyState
from .validity import entropy_production

__all__ = ["MAX_ORDER", "heat_cumulants", "scaled_cgf", "tur_ratio"]

SCGF_MAX_DIM = 32
"""Largest ``d`` for :func:`scaled_cgf` (the eigenvalues of a dense ``d^2 x d^2`` matrix)."""

ComplexArray = NDArray[np.complex128]
FloatArray = NDArray[np.float64]

MAX_ORDER = 6
"""Highest cumulant computed."""


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


def tur_ratio(cumulants: FloatArray, temperatures: Sequence[ArrayLike | None]) -> FloatArray:
    """``Q_j = c2_j sigma / c1_j^2`` of every bath, ``(..., n_baths)``, with ``sigma = -sum_k
    c1_k / T_k`` (:func:`qheat.steady.validity.entropy_production` of the mean currents ``c1``;
    NaN where ``c1 = 0`` or a temperature is unknown)."""
    c1, c2 = cumulants[..., 0], cumulants[..., 1]
    sigma = entropy_production(c1, temperatures)
    with np.errstate(divide="ignore", invalid="ignore"):
        out = c2 * np.asarray(sigma)[..., None] / c1**2
    return np.asarray(np.where(c1 != 0, out, np.nan), dtype=np.float64)


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


def _recursion(
    tilts: list[ComplexArray],
    rho: ComplexArray,
    trace: NDArray[np.float64],
    resolve: object,
    order: int,
) -> FloatArray:
    """The recursion of the module docstring, batched: ``tilts[m-1]`` applies ``L_m`` to
    vectors ``(n, m)`` (given as matrices ``(n, m, m)``), ``trace`` weights the populations,
    ``resolve(v)`` is ``R v``."""
    states = [rho]
    c: list[FloatArray] = []
    for n in range(1, order + 1):
        terms = [
            math.comb(n, m) * (tilts[m - 1] @ states[n - m][..., None])[..., 0]
            for m in range(1, n + 1)
        ]
        c.append(np.real(sum(t @ trace for t in terms)))
        if n == order:
            break
        source = sum(
            math.comb(n, m) * (c[m - 1][..., None] * states[n - m])
            - math.comb(n, m) * (tilts[m - 1] @ states[n - m][..., None])[..., 0]
            for m in range(1, n + 1)
        )
        states.append(resolve(source))  # type: ignore[operator]
    return np.stack(c, axis=-1)


def _dense_cumulants(generator: Generator, state: SteadyState, order: int) -> FloatArray:
    if state.block is None or state.block_inverse is None:
        raise InvalidParameterError(
            "cumulants need the steady state's factorization: solve with keep_inverse=True"
        )
    block, inverse = state.block, state.block_inverse  # (n, m, m)
    d, m = generator.dim, block.size
    batch = state.rho.shape[:-2]
    n = inverse.shape[0]
    rho = np.broadcast_to(state.rho, batch + (d, d)).reshape(n, d, d)
    vec = rho[:, block.rows, block.cols].astype(np.complex128)  # block order
    # the trace functional on the block: the populations come first
    trace = np.zeros(m)
    trace[:d] = 1.0

    def resolve(v: ComplexArray) -> ComplexArray:
        rhs = v.copy()
        rhs[:, 0] = 0.0  # the bordered row: Tr y = 0
        return np.asarray((inverse @ rhs[..., None])[..., 0], dtype=np.complex128)

    out = np.empty((n, generator.n_baths, order))
    for j in range(generator.n_baths):
        tilts = [
            np.asarray(counting_block(generator, block, j, k), dtype=np.complex128).reshape(n, m, m)
            for k in range(1, order + 1)
        ]
        out[:, j] = _recursion(tilts, vec, trace, resolve, order)
    degenerate = ~np.isfinite(np.asarray(state.condition_number).reshape(n))
    out[degenerate] = np.nan  # no pseudo-inverse where the steady state is not unique
    return out.reshape(batch + out.shape[1:])


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
