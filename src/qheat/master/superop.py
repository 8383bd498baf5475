"""Superoperators on column-stacked density matrices, batched over leading axes.

Convention: ``vec(rho)[j*d + i] = rho[i, j]`` (column stacking), so that
``vec(X rho Y) = (Y^T kron X) vec(rho)``.

The population block: a Liouvillian often maps some matrix elements only among themselves
(for the paper's model, the parity of the two qubits splits ``rho`` into the X-shaped block of
Appendix B -- populations, ``rho14``, ``rho23`` and their conjugates -- and the rest).
:func:`population_block` finds, from the sparsity pattern of ``L``, the elements connected to
the populations; the steady state lives there and the rest of it is zero.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import cached_property, lru_cache

import numpy as np
from numpy.typing import NDArray
from scipy.sparse import csr_array
from scipy.sparse.csgraph import connected_components

__all__ = [
    "vec",
    "unvec",
    "kron",
    "sandwich",
    "commutator",
    "multiplication",
    "tensor_to_matrix",
    "PopulationBlock",
    "population_block",
    "complement_block",
    "complement_offsets",
]

ComplexArray = NDArray[np.complex128]
IndexArray = NDArray[np.intp]


def vec(rho: ComplexArray) -> ComplexArray:
    """Column-stack ``(..., d, d) -> (..., d*d)``."""
    d = rho.shape[-1]
    return np.swapaxes(rho, -1, -2).reshape(rho.shape[:-2] + (d * d,))


def unvec(v: ComplexArray) -> ComplexArray:
    """Inverse of :func:`vec`: ``(..., d*d) -> (..., d, d)``."""
    d = math.isqrt(v.shape[-1])
    return np.swapaxes(v.reshape(v.shape[:-1] + (d, d)), -1, -2)


def kron(x: ComplexArray, y: ComplexArray) -> ComplexArray:
    """Batched Kronecker product ``x kron y`` of ``(..., d, d)`` matrices -> ``(..., d^2, d^2)``."""
    d = x.shape[-1]
    out = x[..., :, None, :, None] * y[..., None, :, None, :]
    return out.reshape(out.shape[:-4] + (d * d, d * d))


def tensor_to_matrix(t: ComplexArray) -> ComplexArray:
    """``T[i, j, k, l]`` with ``(d rho/dt)_ij = sum_kl T_ijkl rho_kl`` -> ``(..., d^2, d^2)``."""
    d = t.shape[-1]
    return np.swapaxes(np.swapaxes(t, -4, -3), -2, -1).reshape(t.shape[:-4] + (d * d, d * d))


def sandwich(x: ComplexArray, y: ComplexArray) -> ComplexArray:
    """Superoperator of ``rho -> X rho Y``: ``Y^T kron X``, shape ``(..., d^2, d^2)``."""
    return kron(np.swapaxes(y, -1, -2), x)


def multiplication(x: ComplexArray, y: ComplexArray) -> ComplexArray:
    """Superoperator of ``rho -> X rho + rho Y``: ``1 kron X + Y^T kron 1``, ``(..., d^2, d^2)``.

    One broadcast expression (element ``[(c, a), (e, b)] = delta_ce X_ab + Y_ec delta_ab``).
    """
    d = x.shape[-1]
    eye = _identity(d)
    out = eye[:, None, :, None] * x[..., None, :, None, :]
    out = out + np.swapaxes(y, -1, -2)[..., :, None, :, None] * eye[None, :, None, :]
    return out.reshape(out.shape[:-4] + (d * d, d * d))


def commutator(h: ComplexArray) -> ComplexArray:
    """Superoperator of ``rho -> -i [H, rho]``: ``-i (1 kron H - H^T kron 1)``."""
    return multiplication(-1j * h, 1j * h)


@lru_cache(maxsize=8)
def _identity(d: int) -> NDArray[np.float64]:
    eye = np.eye(d)
    eye.flags.writeable = False
    return eye


@dataclass(frozen=True)
class PopulationBlock:
    """The matrix elements ``rho[rows[k], cols[k]]`` connected to the populations by ``L``.

    Attributes:
        dim: Hilbert-space dimension d.
        rows: level index ``i`` of each element ``rho[i, j]`` of the block, ``(m,)``,
            populations first.
        cols: level index ``j`` of each element, ``(m,)``.
        index: their column-stacked positions ``cols * d + rows``, ``(m,)``.
        complement: the other positions of ``vec(rho)`` (where the steady state is zero).
    """

    dim: int
    rows: IndexArray
    cols: IndexArray
    index: IndexArray
    complement: IndexArray

    @property
    def size(self) -> int:
        """Number m of matrix elements in the block."""
        return int(self.index.size)

    @cached_property
    def pairs(self) -> tuple[IndexArray, IndexArray, IndexArray, IndexArray]:
        """``(i, j, k, l)`` of every pair of block elements ``r = (i, j)``, ``s = (k, l)`` in the
        order ``r * m + s`` (computed once per block)."""
        m = self.size
        return (
            np.repeat(self.rows, m),
            np.repeat(self.cols, m),
            np.tile(self.rows, m),
            np.tile(self.cols, m),
        )

    @property
    def populations(self) -> IndexArray:
        """Block positions of the populations ``rho_aa`` (the first d)."""
        return np.arange(self.dim)

    @cached_property
    def level_groups(self) -> tuple[IndexArray, ...]:
        """The levels joined by the block's coherences (connected components of the graph with
        an edge ``i - j`` per element ``rho_ij``): an operator that is zero outside the block
        is block-diagonal over these groups, so its eigenvalues are theirs."""
        joined = np.eye(self.dim, dtype=bool)
        joined[self.rows, self.cols] = True
        return tuple(_components(joined))


def _reachable(adjacency: NDArray[np.bool_], start: int) -> NDArray[np.bool_]:
    """Nodes connected to ``start`` in the undirected graph of a square boolean matrix."""
    graph = adjacency | adjacency.T
    reached = np.zeros(graph.shape[0], dtype=bool)
    reached[start] = True
    while True:
        grown = reached | np.any(graph[reached], axis=0)
        if np.array_equal(grown, reached):
            return reached
        reached = grown


def _components(adjacency: NDArray[np.bool_]) -> list[IndexArray]:
    """Connected components of the undirected graph of a square boolean matrix, each sorted,
    in the order of their smallest node (scipy's ``connected_components``: linear in the
    edges, where growing each component by matrix rows cost a pass over the graph per node)."""
    count, labels = connected_components(csr_array(adjacency), directed=False)
    order = np.argsort(labels, kind="stable")
    parts = np.split(order, np.cumsum(np.bincount(labels, minlength=count))[:-1])
    parts.sort(key=lambda part: int(part[0]))
    return [part.astype(np.intp) for part in parts]


def population_block(pattern: NDArray[np.bool_]) -> PopulationBlock:
    """The elements of ``vec(rho)`` connected to the populations in the graph of ``L``.

    Args:
        pattern: ``(d^2, d^2)`` booleans, True where ``L`` (at any batch point) may be nonzero.

    Two elements are connected when ``L`` maps either into the other; the populations are
    joined to each other by the trace. The block found is invariant under ``L`` and so is its
    complement, so ``L`` is block-diagonal in (block, complement).
    """
    return _population_block(np.packbits(pattern).tobytes(), pattern.shape[-1])


@lru_cache(maxsize=64)
def _population_block(packed: bytes, n: int) -> PopulationBlock:
    pattern = (
        np.unpackbits(np.frombuffer(packed, dtype=np.uint8))[: n * n].reshape(n, n).astype(bool)
    )
    d = int(round(np.sqrt(n)))
    pops = np.arange(d) * (d + 1)
    graph = pattern.copy()
    graph[pops[0], pops] = True
    inside = _reachable(graph, int(pops[0]))
    others = np.flatnonzero(inside & ~np.isin(np.arange(n), pops))
    index = np.concatenate([pops, others]).astype(np.intp)
    return PopulationBlock(
        dim=d,
        rows=(index % d).astype(np.intp),
        cols=(index // d).astype(np.intp),
        index=index,
        complement=np.flatnonzero(~inside).astype(np.intp),
    )


def complement_block(pattern: NDArray[np.bool_]) -> PopulationBlock | None:
    """The elements of ``vec(rho)`` outside :func:`population_block`, as one block (or None).

    ``L`` is block-diagonal over (population block, complement); the steady state is zero on
    the complement if and only if ``L`` there is nonsingular (a singular complement holds a
    second steady state, e.g. a coherence protected by a conserved symmetry). Returned as a
    :class:`PopulationBlock` (its ``rows``, ``cols``, ``index``) with an empty ``complement``,
    its elements grouped by the connected components of ``L`` there, largest first
    (:func:`complement_offsets`).
    """
    found = _complement(np.packbits(pattern).tobytes(), pattern.shape[-1])
    return None if found is None else found[0]


def complement_offsets(pattern: NDArray[np.bool_]) -> IndexArray:
    """Boundaries ``(k + 1,)`` of the components within :func:`complement_block` (``L`` on the
    complement is block-diagonal over them); ``[0]`` when there is no complement."""
    found = _complement(np.packbits(pattern).tobytes(), pattern.shape[-1])
    return np.zeros(1, dtype=np.intp) if found is None else found[1]


@lru_cache(maxsize=64)
def _complement(packed: bytes, n: int) -> tuple[PopulationBlock, IndexArray] | None:
    index = _population_block(packed, n).complement
    if not index.size:
        return None
    pattern = (
        np.unpackbits(np.frombuffer(packed, dtype=np.uint8))[: n * n].reshape(n, n).astype(bool)
    )
    parts = _components(pattern[np.ix_(index, index)])
    parts.sort(key=lambda part: -part.size)
    index = index[np.concatenate(parts)].astype(np.intp)
    offsets = np.cumsum([0] + [part.size for part in parts]).astype(np.intp)
    d = int(round(np.sqrt(n)))
    block = PopulationBlock(d, index % d, index // d, index, np.zeros(0, dtype=np.intp))
    return block, offsets
