"""The local Lindblad equation: each bath thermalizes the part of the device it touches.

Bath ``j`` couples through ``A_j``; its *support* is the set of subsystems (tensor factors of
``OpenSystem.subsystem_dims``) on which ``A_j`` acts non-trivially -- ``A`` acts trivially on
factor ``k`` iff ``A = (Tr_k A / d_k) (x) 1_k``. Its local Hamiltonian is the part of ``H_S``
supported inside that set,

    ``P_S(H) = (Tr_{S^c} H / d_{S^c}) (x) 1_{S^c}``,

which for a sum of Pauli strings is exactly the sum of the strings whose support lies inside
``S`` (the identity string included; it shifts every local level alike and changes nothing).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import reduce
from typing import ClassVar

import numpy as np
from numpy.typing import ArrayLike, NDArray

from .._arrays import at_point
from .._checks import flag, hermitian
from ..errors import InvalidParameterError
from ..model import OpenSystem
from ..model.system import as_matrix
from .equations import pair_generator
from .generator import FormGenerator, Generator
from .jump_form import JumpForm, in_basis
from .superop import sandwich

__all__ = ["SUPPORT_RTOL", "LocalLindblad", "coupling_subsystems", "local_part"]

ComplexArray = NDArray[np.complex128]

SUPPORT_RTOL = 1e-12
"""``A`` acts trivially on factor ``k`` where ``max |A - (Tr_k A / d_k) (x) 1_k|`` is below
this times ``max(1, max |A|)`` at every batch point."""


def _dag(x: ComplexArray) -> ComplexArray:
    return np.conj(np.swapaxes(x, -1, -2))


def _average_out(op: ComplexArray, dims: tuple[int, ...], k: int) -> ComplexArray:
    """``(Tr_k op / d_k) (x) 1_k`` for ``op`` of shape ``(..., d, d)`` on ``prod(dims)``."""
    n, batch = len(dims), op.shape[:-2]
    nb = len(batch)
    t = op.reshape(batch + dims + dims)
    reduced = np.trace(t, axis1=nb + k, axis2=nb + n + k) / dims[k]
    reduced = np.expand_dims(reduced, (nb + k, nb + n + k))
    shape = [1] * (nb + 2 * n)
    shape[nb + k] = shape[nb + n + k] = dims[k]
    eye = np.eye(dims[k]).reshape(shape)
    return np.asarray((reduced * eye).reshape(op.shape), dtype=np.complex128)


def coupling_subsystems(coupling: ComplexArray, dims: tuple[int, ...]) -> tuple[int, ...]:
    """The factors of ``dims`` on which ``coupling`` acts non-trivially (at any batch point)."""
    scale = max(1.0, float(np.max(np.abs(coupling))))
    return tuple(
        k
        for k in range(len(dims))
        if np.max(np.abs(coupling - _average_out(coupling, dims, k))) > SUPPORT_RTOL * scale
    )


def local_part(
    hamiltonian: ComplexArray, dims: tuple[int, ...], subsystems: Sequence[int]
) -> ComplexArray:
    """``P_S(H) = (Tr_{S^c} H / d_{S^c}) (x) 1_{S^c}``: the part of ``H`` inside ``subsystems``."""
    out = hamiltonian
    for k in range(len(dims)):
        if k not in subsystems:
            out = _average_out(out, dims, k)
    return out


@dataclass(frozen=True, eq=False)
class LocalLindblad:
    """Local Lindblad equation: each bath acts with the local Hamiltonian of what it touches.

    Bath ``j``'s dissipator ``D_j`` and Lamb shift are those of the secular (global Lindblad,
    Eqs. A14-A15) equation of its local Hamiltonian ``H_j`` with that bath alone; the coherent
    part keeps the full ``H_S``. By default ``H_j = P_{S_j}(H_S)``, the part of ``H_S`` supported
    inside the subsystems ``S_j`` that ``A_j`` acts on (module docstring; it needs the system's
    ``subsystem_dims``). For the paper's model ``H_j = e_j/2 sz_j`` and
    ``D_j = 2G_j(e_j) D[s-_j] + 2G_j(-e_j) D[s+_j]``. Heat currents are
    ``J_j = Tr((H_S + H_LS) D_j(rho))`` (``Tr(H_S D_j(rho))`` when ``lamb_shift=False``), so they
    sum to zero in the steady state.

    Sharp bits: the local jumps are not eigenoperators of ``H_S``. For detuned qubits heat can
    flow from the cold to the hot bath (Levy and Kosloff, EPL 107, 20004 (2014)); where the
    couplings between parts commute with the local Hamiltonians (ZZ couplings) the local
    equation carries no heat at all (docs/local-global.md).

    Args:
        lamb_shift: keep each bath's local Lamb shift ``sum_w S_j(w) A_j(w)^dag A_j(w)``.
        local_hamiltonians: optional ``H_j``, one Hermitian ``(..., d, d)`` matrix (or QuTiP
            ``Qobj``) per bath, in place of the default; needed when the system has no
            ``subsystem_dims``.

    Raises:
        InvalidParameterError: (from :meth:`generator`) no local Hamiltonian can be found --
            ``subsystem_dims`` is None, or a coupling acts on every subsystem -- or the number
            or shape of ``local_hamiltonians`` does not fit the system.
    """

    lamb_shift: bool = True
    local_hamiltonians: tuple[ArrayLike, ...] | None = None
    name: ClassVar[str] = "local"

    def __post_init__(self) -> None:
        flag("lamb_shift", self.lamb_shift)
        given = self.local_hamiltonians
        if given is None:
            return
        if not isinstance(given, (tuple, list)):
            raise InvalidParameterError(
                "local_hamiltonians must be a tuple with one Hermitian (..., d, d) matrix per "
                f"bath, got {type(given).__name__}"
            )
        checked = tuple(
            hermitian(f"local_hamiltonians[{j}]", as_matrix(h))  # type: ignore[arg-type]
            for j, h in enumerate(given)
        )
        object.__setattr__(self, "local_hamiltonians", checked)

    def local_hamiltonians_for(self, system: OpenSystem) -> tuple[ComplexArray, ...]:
        """``H_j`` of every bath of ``system`` (lab basis), given or found from its structure."""
        if self.local_hamiltonians is not None:
            return self._given(system)
        dims = system.subsystem_dims
        if dims is None:
            raise InvalidParameterError(
                "LocalLindblad needs each bath's local Hamiltonian, and this system has no "
                "tensor-product structure to find it from: build the OpenSystem with "
                "subsystem_dims=(2, 2, ...) (one entry per subsystem) or pass "
                "LocalLindblad(local_hamiltonians=(H_1, ..., H_n)), one per bath"
            )
        out = []
        for j, coupling in enumerate(system.couplings):
            inside = coupling_subsystems(coupling, dims)
            if len(inside) == len(dims):
                names = system.bath_names or ()
                raise InvalidParameterError(
                    f"LocalLindblad: couplings[{j}] (bath {names[j]!r}) acts on "
                    f"every subsystem of subsystem_dims={dims}, so its local Hamiltonian would "
                    "be all of H (the global equation): pass "
                    "LocalLindblad(local_hamiltonians=(H_1, ..., H_n)) or use GlobalLindblad()"
                )
            out.append(local_part(system.hamiltonian, dims, inside))
        return tuple(out)

    def _given(self, system: OpenSystem) -> tuple[ComplexArray, ...]:
        given = tuple(np.asarray(h, dtype=np.complex128) for h in self.local_hamiltonians or ())
        if len(given) != system.n_baths:
            raise InvalidParameterError(
                f"local_hamiltonians must have one matrix per bath ({system.n_baths}), "
                f"got {len(given)}"
            )
        for j, h in enumerate(given):
            if h.shape[-1] != system.dim:
                raise InvalidParameterError(
                    f"local_hamiltonians[{j}] must be {system.dim} x {system.dim} to act on the "
                    f"system, got {h.shape[-2]} x {h.shape[-1]}"
                )
        return given

    def generator(self, system: OpenSystem) -> Generator:
        """Build the local Lindblad generator of ``system`` in the eigenbasis of its ``H_S``:
        each bath's secular generator of its local Hamiltonian, moved into that basis by
        ``m = U_S^dag U_j`` -- in operator form at each point (its clusters of local Bohr
        frequencies as dense jump terms, :mod:`qheat.master.jump_form`) and as superoperators
        on demand."""
        basis = system.eigensystem()
        parts = []
        for h_j, coupling, bath in zip(
            self.local_hamiltonians_for(system), system.couplings, system.baths
        ):
            local = OpenSystem(h_j, (coupling,), (bath,), degeneracy_tol=system.degeneracy_tol)
            part = pair_generator(
                self.name, local, self.lamb_shift, secular_cutoff=system.degeneracy_tol
            )
            m = _dag(basis.vectors) @ part.eigenbasis.vectors  # local -> H_S eigenbasis
            parts.append((part, m))
        idx = np.arange(system.dim)
        h_s = np.zeros(basis.vectors.shape, dtype=complex)
        h_s[..., idx, idx] = basis.energies
        lamb = sum(
            (m @ part.lamb_shift @ _dag(m) for part, m in parts), np.zeros((), dtype=complex)
        )
        h_s, lamb = np.broadcast_arrays(h_s, lamb)
        batch = system.batch_shape
        energy = h_s + lamb

        def form(point: int) -> JumpForm:
            moved = [
                in_basis(part.operator_form(point, movable=True), at_point(m, batch, point))
                for part, m in parts
            ]
            return JumpForm(
                energy=np.asarray(at_point(energy, batch, point), dtype=np.complex128),
                anticommutators=np.array([f.anticommutators[0] for f in moved]),
                jumps=tuple(f.jumps[0] for f in moved),
                tilt=lambda j, order: moved[j].tilt(0, order),  # type: ignore[misc]
            )

        def superoperators() -> tuple[ComplexArray, ...]:
            moved = [
                sandwich(m, _dag(m)) @ part.dissipators[0] @ sandwich(_dag(m), m)
                for part, m in parts
            ]
            return tuple(np.broadcast_arrays(*moved))

        return FormGenerator(
            name=self.name,
            eigenbasis=basis,
            hamiltonian=np.array(h_s),
            lamb_shift=np.array(lamb),
            baths=system.n_baths,
            batch=batch,
            scale=np.asarray(reduce(np.maximum, [part.rate_scale() for part, _ in parts])),
            forms=form,
            superoperators=superoperators,
        )
