"""Sites: transmons, resonators, harmonic modes and qubits as tensor factors of any size.

A site of ``L`` levels has the Fock basis ``|0>, ..., |L-1>`` and the operators

* ``a`` (``a|k> = sqrt(k) |k-1>``), ``adag`` (its adjoint), ``n = adag a = diag(0, ..., L-1)``,
* ``x = a + adag`` and ``p = i (adag - a)`` (Hermitian quadratures), ``I`` (the identity),
* on 2-level sites only, the Pauli letters ``X``, ``Y``, ``Z`` with ``Z = diag(1, -1)`` in
  ``|0>, |1>``, and ``+ = |0><1|``, ``- = |1><0|`` (those of :mod:`qheat.devices.pauli`, so a
  qubit as a 2-level site is the Pauli-string qubit: ``+`` is ``a``, ``-`` is ``adag``).

The operators are those of the truncated space: ``[a, adag] = 1`` except on the top level,
where it is ``1 - L``. An operator *label* is a product of factors ``"site:op"`` separated by
spaces, e.g. ``"q:adag r:a"``; factors on the same site multiply in the order written
(``"q:a q:adag"`` is ``a adag`` on ``q``); sites not named carry the identity. The tensor
order is the order of the sites, the first leftmost (as ``np.kron``). Every matrix is built
sparse (``scipy.sparse.kron``), so devices up to ``d = 4096`` take kilobytes per operator.

Example:
    >>> import numpy as np
    >>> space = sites(q=3, r=2)
    >>> space.dims, space.dim
    ((3, 2), 6)
    >>> np.allclose(space.operator("q:n r:Z"), np.kron(np.diag([0, 1, 2]), np.diag([1, -1])))
    True
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import numpy as np
import scipy.sparse
from numpy.typing import NDArray

from ..errors import InvalidParameterError

__all__ = ["OPERATORS", "PAULI_OPERATORS", "Sites", "site_operator", "sites"]

ComplexArray = NDArray[np.complex128]

OPERATORS = ("a", "adag", "n", "x", "p", "I")
"""The operators of a site of any number of levels."""
PAULI_OPERATORS = ("X", "Y", "Z", "+", "-")
"""The operators of 2-level sites only (the letters of a Pauli string)."""

_PAULI: dict[str, ComplexArray] = {
    "X": np.array([[0, 1], [1, 0]], dtype=np.complex128),
    "Y": np.array([[0, -1j], [1j, 0]], dtype=np.complex128),
    "Z": np.array([[1, 0], [0, -1]], dtype=np.complex128),
    "+": np.array([[0, 1], [0, 0]], dtype=np.complex128),
    "-": np.array([[0, 0], [1, 0]], dtype=np.complex128),
}
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")


def site_operator(op: str, levels: int) -> scipy.sparse.csr_array:
    """The matrix of ``op`` (one of :data:`OPERATORS`, or :data:`PAULI_OPERATORS` when
    ``levels = 2``) on one site of ``levels`` levels, sparse ``(levels, levels)``.

    Raises:
        InvalidParameterError: ``levels`` is not an integer >= 2, or ``op`` is not an operator
            of such a site.

    Example:
        >>> site_operator("a", 3).toarray().real.round(4)
        array([[0.    , 1.    , 0.    ],
               [0.    , 0.    , 1.4142],
               [0.    , 0.    , 0.    ]])
    """
    if isinstance(levels, bool) or not isinstance(levels, (int, np.integer)) or levels < 2:
        raise InvalidParameterError(f"levels must be an integer >= 2, got {levels!r}")
    problem = _operator_error(op, int(levels))
    if problem is not None:
        raise InvalidParameterError(f"op {problem}")
    levels = int(levels)
    if op in _PAULI:
        return scipy.sparse.csr_array(_PAULI[op])
    k = np.arange(1, levels)
    lowering = scipy.sparse.csr_array(
        (np.sqrt(k).astype(np.complex128), (k - 1, k)), shape=(levels, levels)
    )
    if op == "a":
        return lowering
    raising = scipy.sparse.csr_array(lowering.T)
    matrices = {
        "adag": lambda: raising,
        "n": lambda: scipy.sparse.csr_array(
            scipy.sparse.diags_array(np.arange(levels, dtype=np.complex128))
        ),
        "x": lambda: scipy.sparse.csr_array(lowering + raising),
        "p": lambda: scipy.sparse.csr_array(1j * (raising - lowering)),
        "I": lambda: scipy.sparse.csr_array(scipy.sparse.eye_array(levels, dtype=np.complex128)),
    }
    return matrices[op]()


def _operator_error(op: object, levels: int) -> str | None:
    """Why ``op`` is not an operator of a site of ``levels`` levels (None if it is)."""
    allowed = ", ".join(OPERATORS + (PAULI_OPERATORS if levels == 2 else ()))
    if op in OPERATORS or (levels == 2 and op in PAULI_OPERATORS):
        return None
    if op in PAULI_OPERATORS:
        return (
            f"{op!r} is a Pauli letter, an operator of 2-level sites only; a site of {levels} "
            f"levels takes {allowed}"
        )
    return f"must be one of {allowed}, got {op!r}"


@dataclass(frozen=True)
class Sites:
    """The tensor product of named sites: ``names[k]`` has ``dims[k]`` levels, the first
    leftmost. Build one with :func:`sites`.

    Attributes:
        names: the sites' names (letters, digits and ``_``, not starting with a digit).
        dims: the number of levels of each site, integers >= 2 (``subsystem_dims``).
    """

    names: tuple[str, ...]
    dims: tuple[int, ...]

    def __post_init__(self) -> None:
        names, dims = tuple(self.names), tuple(self.dims)
        if not names or len(names) != len(dims):
            raise InvalidParameterError(
                f"sites need one or more names with one number of levels each, got {names!r} "
                f"and {dims!r}"
            )
        for name, levels in zip(names, dims):
            if not isinstance(name, str) or not _NAME.match(name):
                raise InvalidParameterError(
                    f"a site name must be letters, digits and _, not starting with a digit, "
                    f"got {name!r}"
                )
            if isinstance(levels, bool) or not isinstance(levels, (int, np.integer)) or levels < 2:
                raise InvalidParameterError(
                    f"site {name!r}: levels must be an integer >= 2, got {levels!r}"
                )
        if len(set(names)) != len(names):
            twice = sorted({n for n in names if names.count(n) > 1})
            raise InvalidParameterError(f"site names must be distinct, got {twice} twice")
        object.__setattr__(self, "names", names)
        object.__setattr__(self, "dims", tuple(int(x) for x in dims))

    @property
    def dim(self) -> int:
        """Hilbert-space dimension, the product of the levels."""
        return int(np.prod(self.dims))

    @property
    def levels(self) -> dict[str, int]:
        """``{name: levels}`` in tensor order."""
        return dict(zip(self.names, self.dims))

    def label_error(self, label: object) -> str | None:
        """Why ``label`` is not a product of factors ``"site:op"`` of these sites (None if
        it is); the text completes "the operator label ..."."""
        example = f"e.g. '{self.names[0]}:n' or '{' '.join(f'{n}:x' for n in self.names[:2])}'"
        if not isinstance(label, str) or not label.split():
            return f"must be factors 'site:op' separated by spaces ({example}), got {label!r}"
        for factor in label.split():
            name, colon, op = factor.partition(":")
            if not colon:
                return f"has the factor {factor!r} without 'site:'; write 'site:op' ({example})"
            if name not in self.levels:
                return (
                    f"has the factor {factor!r} on an unknown site {name!r}; the sites are "
                    f"{', '.join(self.names)}"
                )
            problem = _operator_error(op, self.levels[name])
            if problem is not None:
                return f"has the factor {factor!r} whose operator on site {name!r} {problem}"
        return None

    def sparse(self, label: str) -> scipy.sparse.csr_array:
        """The operator of ``label`` as a sparse (CSR) ``(d, d)`` matrix.

        Raises:
            InvalidParameterError: ``label`` is not a product of ``"site:op"`` factors.
        """
        problem = self.label_error(label)
        if problem is not None:
            raise InvalidParameterError(f"the operator label {problem}")
        factors: dict[str, scipy.sparse.csr_array] = {}
        for factor in label.split():
            name, _, op = factor.partition(":")
            matrix = site_operator(op, self.levels[name])
            previous = factors.get(name)
            factors[name] = matrix if previous is None else previous @ matrix
        out: scipy.sparse.csr_array | None = None
        for name, levels in zip(self.names, self.dims):
            local = factors.get(name)
            if local is None:
                local = scipy.sparse.eye_array(levels, dtype=np.complex128, format="csr")
            out = local if out is None else scipy.sparse.kron(out, local, format="csr")
        assert out is not None
        return scipy.sparse.csr_array(out, dtype=np.complex128)

    def operator(self, label: str) -> ComplexArray:
        """The operator of ``label`` as a dense ``(d, d)`` complex array."""
        return np.asarray(self.sparse(label).toarray(), dtype=np.complex128)

    def qobj(self, label: str) -> Any:
        """The operator of ``label`` as a QuTiP ``Qobj`` with ``dims = [dims, dims]`` (needs
        QuTiP); :class:`~qheat.model.OpenSystem` accepts it and checks its dims."""
        import qutip

        return qutip.Qobj(self.operator(label), dims=[list(self.dims), list(self.dims)])

    def top_level_index(self, name: str) -> NDArray[np.bool_]:
        """``(d,)``: the product-basis states in which site ``name`` is in its top level."""
        k = self.names.index(name)
        grid = np.indices(self.dims).reshape(len(self.dims), -1)
        return np.asarray(grid[k] == self.dims[k] - 1)


def sites(**levels: int) -> Sites:
    """The sites named by the keywords, each with its number of levels, in the order given
    (the first leftmost): ``sites(q=4, r=6)`` is a 4-level site ``q`` (x) a 6-level ``r``.

    Raises:
        InvalidParameterError: no site, or a number of levels that is not an integer >= 2.

    Example:
        >>> space = sites(q=4, r=6)
        >>> h = 5.0 * space.operator("q:n") - 0.15 * space.operator("q:n q:n")
        >>> h.shape, space.names
        ((24, 24), ('q', 'r'))
    """
    return Sites(tuple(levels), tuple(levels.values()))
