"""Thin public functions: check inputs, build the generator, solve, return a frozen result."""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np
from numpy.typing import ArrayLike

from ._checks import broadcast_shape, finite_output, real_array
from .baths import DrudeBath
from .errors import InvalidParameterError, NonUniqueSteadyStateError
from .master import BlochRedfield, MasterEquation
from .model import OpenSystem, TwoQubitModel
from .steady import Solution, heat_currents, steady_state
from .steady.cumulants import (
    MAX_ORDER,
    counting_imbalance,
    heat_cumulants,
    tur_ratio,
    warn_if_unbalanced,
)
from .steady.currents import current_round_off
from .steady.truncation import warn_if_truncated
from .steady.validity import entropy_production, second_law_broken, warn_if_not_weak

__all__ = ["paper_system", "solve", "cumulants", "check_equation"]

EQUATIONS_HELP = (
    "BlochRedfield(), GlobalLindblad(), LocalLindblad(), PartialSecular(cutoff=...), "
    "UniversalLindblad(), or an instance of your own class with a name and a "
    "generator(system) method"
)
"""The master equations :func:`solve` offers, as error messages list them."""

RATE_RTOL = 1e-15
"""Transition rates all below this times the coherent frequencies (Bohr frequencies, Lamb
shifts) are lost to rounding next to them: no steady-state solve resolves them."""


def paper_system(
    eps1: ArrayLike,
    eps2: ArrayLike,
    g: ArrayLike,
    gamma1: ArrayLike,
    gamma2: ArrayLike,
    omega_d: ArrayLike,
    t1: ArrayLike,
    t2: ArrayLike,
) -> OpenSystem:
    """The paper's open system: Eq. 1 with Drude baths (Eq. 17) on ``sx1`` and ``sx2``.

    Every argument may be an array; leading axes broadcast. Units: hbar = kB = 1.
    Allowed: ``eps1, eps2, omega_d > 0``; ``gamma1, gamma2, t1, t2 >= 0``; ``g`` real; all
    finite. Bad values raise :class:`~qheat.errors.InvalidParameterError` naming the argument.

    Example:
        >>> system = paper_system(5, 4, 0.5, 0.01, 0.01, 50, 15, 5)
        >>> system.dim, system.batch_shape
        (4, ())
    """
    positive = {"eps1": eps1, "eps2": eps2, "omega_d": omega_d}
    non_negative = {"gamma1": gamma1, "gamma2": gamma2, "t1": t1, "t2": t2}
    p = {name: real_array(name, value, strictly_positive=True) for name, value in positive.items()}
    p.update({name: real_array(name, value, minimum=0.0) for name, value in non_negative.items()})
    p["g"] = real_array("g", g)
    order = ("eps1", "eps2", "g", "gamma1", "gamma2", "omega_d", "t1", "t2")
    broadcast_shape({name: p[name].shape for name in order})
    model = TwoQubitModel(eps1=p["eps1"], eps2=p["eps2"], g=p["g"])
    return model.open_system(
        DrudeBath(gamma=p["gamma1"], omega_d=p["omega_d"], temperature=p["t1"]),
        DrudeBath(gamma=p["gamma2"], omega_d=p["omega_d"], temperature=p["t2"]),
    )


def solve(
    system: OpenSystem,
    equation: MasterEquation | None = None,
    *,
    solver: str = "auto",
    cumulants: int = 0,
) -> Solution:
    """Steady state and heat currents of ``system`` under ``equation`` (default Bloch-Redfield).

    ``cumulants``: also the first ``cumulants`` cumulants of the heat from every bath
    (``Solution.cumulants``, ``(..., n_baths, N)``: current, noise, ...) and, from 2 on, the
    thermodynamic uncertainty ratio ``Solution.tur_ratio`` (:mod:`qheat.steady.cumulants`).

    ``solver``: ``"dense"`` (the block solve of the assembled Liouvillian, with its exact
    condition number), ``"krylov"`` (matrix-free GMRES on the operator form of ``L``, for large
    devices; :mod:`qheat.steady.krylov`) or ``"auto"``: Krylov from ``d = 32`` on
    (:data:`qheat.steady.solve.KRYLOV_FROM`).

    Raises:
        InvalidParameterError: ``system`` is not an :class:`~qheat.model.OpenSystem`,
            ``equation`` is not a master equation (``BlochRedfield()``, ``GlobalLindblad()``),
            the parameters overflow double precision, or ``system.degeneracy_tol`` merges
            levels that the dynamics resolves (docs/trust.md), or ``solver`` is unknown.
        ConvergenceError: the Krylov solve did not converge.
        NonUniqueSteadyStateError: at some batch point every Drude bath has ``gamma = 0``
            (checked before solving), or the solve finds the steady state not unique.

    Warns:
        PositivityWarning: the steady state has an eigenvalue below ``-1e-12`` (Redfield
            states can lose positivity); ``Solution.min_eigenvalue`` holds it per point.
        IllConditionedWarning: the steady-state solve is ill-conditioned; see
            ``Solution.state.condition_number`` and ``Solution.state.residual``.
        WeakCouplingWarning: the system is outside weak coupling at some point
            (``Solution.weak_coupling_ratio`` above
            :data:`~qheat.steady.validity.WEAK_COUPLING_WARN`) or the currents break the
            second law there (``Solution.entropy_production < 0``); docs/trust.md.
        CountingWarning: with ``cumulants``, the counting statistics loses more than
            :data:`~qheat.steady.cumulants.COUNTING_IMBALANCE_WARN` of its largest mean current
            (``Solution.counting_imbalance``; Bloch-Redfield's non-secular Lamb shift).

    Example:
        >>> from qheat import GlobalLindblad
        >>> system = paper_system(5, 4, 0.5, 0.01, 0.01, 50, 15, 5)
        >>> sol = solve(system, GlobalLindblad())
        >>> round(float(sol.J1), 10), abs(float(sol.J1 + sol.J2)) < 1e-15
        (0.0498172737, True)
    """
    if not isinstance(system, OpenSystem):
        raise InvalidParameterError(
            "system must be a qheat OpenSystem (e.g. from qheat.paper_system), got "
            f"{type(system).__name__}"
        )
    eq = check_equation(BlochRedfield() if equation is None else equation)
    _check_some_bath_coupled(system)
    _check_rates_resolved(system, eq)
    system.check_degeneracy_tol()
    generator = eq.generator(system)
    order = _order(cumulants)
    # refuses a generator that is not finite; keeps the block inverse for the cumulants
    state = steady_state(generator, solver=solver, keep_inverse=order > 0)
    warn_if_truncated(system, state)
    currents = heat_currents(generator, state.rho, state.dissipated)
    finite_output("the heat currents", currents, "these system and bath parameters")
    coupling = system.coupling_strength
    floor = current_round_off(generator, state.rho)
    sigma = entropy_production(currents, system.temperatures)
    broken = second_law_broken(currents, system.temperatures, floor)
    warn_if_not_weak(eq.name, coupling.ratio, broken, sigma)
    counted = heat_cumulants(generator, state, order) if order else None
    imbalance = None if counted is None else counting_imbalance(counted, floor)
    if imbalance is not None:
        warn_if_unbalanced(eq.name, imbalance)
    return Solution(
        equation=eq.name,
        generator=generator,
        state=state,
        currents=currents,
        bath_names=system.bath_names or (),
        coupling=coupling,
        entropy_production=sigma,
        second_law_broken=broken,
        current_floor=floor,
        cumulants=counted,
        tur_ratio=None
        if counted is None or order < 2
        else tur_ratio(counted, system.temperatures, floor),
        counting_imbalance=imbalance,
    )


def cumulants(
    system: OpenSystem,
    equation: MasterEquation | None = None,
    order: int = 2,
    *,
    solver: str = "auto",
) -> Solution:
    """:func:`solve` with the first ``order`` cumulants of the heat from every bath
    (``Solution.cumulants``; ``order >= 2`` adds ``Solution.tur_ratio``).

    The counting field is that of :mod:`qheat.master.counting` (the heat bath ``j`` gives the
    system, the sign of ``J_j``); the recursion and the TUR ratio are those of
    :mod:`qheat.steady.cumulants`.

    Example:
        >>> import numpy as np
        >>> from qheat import DrudeBath, GlobalLindblad, OpenSystem
        >>> x, z = np.array([[0, 1], [1, 0]]), np.diag([1.0, -1.0])
        >>> baths = (DrudeBath(0.050005, 100, 2.0), DrudeBath(0.0250025, 100, 1.0))
        >>> sol = cumulants(OpenSystem(z / 2, (x, x), baths), GlobalLindblad(False), 3)
        >>> [round(float(c), 6) for c in sol.cumulants[0]]  # c1, c2, c3 of the hot bath
        [0.009289, 0.037592, 0.005232]
    """
    return solve(system, equation, solver=solver, cumulants=order)


def _order(value: object) -> int:
    """``cumulants``: 0 (none) or an order from 1 to :data:`qheat.steady.cumulants.MAX_ORDER`."""
    if value == 0 and not isinstance(value, bool):
        return 0
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= MAX_ORDER:
        raise InvalidParameterError(
            f"cumulants must be an integer from 0 (none) to {MAX_ORDER}, got {value!r}"
        )
    return value


def check_equation(equation: object) -> MasterEquation:
    """``equation`` if it is a master-equation instance, else an error listing the valid ones."""
    if isinstance(equation, type):
        raise InvalidParameterError(
            f"equation must be an instance, e.g. {equation.__name__}(), not the class "
            f"{equation.__name__}; valid: {EQUATIONS_HELP}"
        )
    if not (hasattr(equation, "generator") and isinstance(getattr(equation, "name", None), str)):
        raise InvalidParameterError(f"equation must be one of {EQUATIONS_HELP}; got {equation!r}")
    return equation  # type: ignore[return-value]


def _check_some_bath_coupled(system: OpenSystem) -> None:
    """``gamma = 0`` for every bath leaves ``-i[H, rho]`` only: no unique steady state.

    Checked for baths whose coupling ``gamma`` is known (Drude, ohmic, underdamped) before any
    solve, so that a batch with one decoupled point fails with this message rather than a
    singular-matrix one.
    """
    gammas = [getattr(b, "gamma", None) for b in system.baths]
    if any(g is None for g in gammas):
        return
    arrays = [np.asarray(g) for g in gammas]
    if all(g.ndim == 0 for g in arrays) and any(float(g) > 0 for g in arrays):
        return  # one point, coupled (without array operations)
    decoupled = np.asarray(True)
    for gamma in arrays:
        decoupled = decoupled & (gamma == 0)
    if decoupled.any():
        count = int(np.count_nonzero(np.broadcast_to(decoupled, system.batch_shape)))
        raise NonUniqueSteadyStateError(
            f"every bath has gamma = 0 at {count} of {math.prod(system.batch_shape)} points: "
            "no bath couples to the system, so there is no unique steady state; give at least "
            "one bath gamma > 0"
        )


def _check_rates_resolved(system: OpenSystem, equation: MasterEquation) -> None:
    """Refuse a system whose every transition rate is lost to rounding, naming the cause.

    With ``gamma > 0`` the rates ``G_j(w_ab) |A_j,ab|^2`` (``a != b``, Eq. 14) may still vanish
    or fall below :data:`RATE_RTOL` of the coherent frequencies (``max |w_ab|`` and the Lamb
    shifts ``|S_j(w_ab)| |A_j,ab|^2``, Eq. 15): a cutoff far below the Bohr frequencies
    (``omega_d = 1e-9``), a super-ohmic ``s = 50``. The dissipator is then rounding next to
    ``-i[H, rho]`` and the solve would report "no unique steady state" as if no bath were
    coupled; this says why instead. Couplings without transitions (``a != b``) are left to the
    solve (a conserved quantity). An equation with ``lamb_shift=False`` has no Lamb shift.
    """
    couplings, spectra = system.bath_stack  # (n_baths, ..., d, d), shared with the generator
    off = ~np.eye(system.dim, dtype=bool)
    with np.errstate(over="ignore", invalid="ignore"):
        weight = couplings.real**2 + couplings.imag**2
        transitions = weight * off
        rates = (transitions * np.abs(spectra.real)).max(axis=(-2, -1))  # (n_baths, ...)
        if getattr(equation, "lamb_shift", True) is False:
            shifts = np.zeros_like(rates)
        else:
            shifts = (weight * np.abs(spectra.imag)).max(axis=(-2, -1))
    frequencies = np.abs(system.bohr_frequencies).max(axis=(-2, -1))
    coherent = np.maximum(frequencies, shifts.max(axis=0))
    connected = transitions.max(axis=(0, -2, -1)) > 0
    lost = connected & (rates.max(axis=0) <= RATE_RTOL * coherent)
    if not lost.any():
        return
    batch = np.broadcast_shapes(lost.shape, system.batch_shape)
    point = np.unravel_index(int(np.argmax(np.broadcast_to(lost, batch))), batch)

    def at(value: np.ndarray) -> float:
        return float(np.broadcast_to(value, batch)[point])

    w = np.abs(np.broadcast_to(system.bohr_frequencies, batch + off.shape)[point])
    bohr = at(frequencies)
    span = f"the Bohr frequencies ({float(w[off & (w > 0)].min(initial=np.inf)):.3g} to {bohr:.3g})"
    names = system.bath_names or tuple(str(j + 1) for j in range(len(system.baths)))
    causes = "; ".join(
        _rate_cause(name, bath, at, at(rates[j]), at(shifts[j]), bohr, span)
        for j, (name, bath) in enumerate(zip(names, system.baths))
    )
    count = int(np.count_nonzero(np.broadcast_to(lost, batch)))
    largest_shift = at(shifts.max(axis=0))
    scale = (
        f"the Lamb shifts S(w) (Eq. 15, up to {largest_shift:.3g})"
        if largest_shift > bohr
        else f"the Bohr frequencies (up to {bohr:.3g})"
    )
    raise NonUniqueSteadyStateError(
        f"the transition rates of every bath are zero or below {RATE_RTOL:g} of {scale} at "
        f"{count} of {math.prod(batch)} points (at most {at(rates.max(axis=0)):.3g}), so double "
        f"precision cannot resolve a steady state although the baths couple; {causes}"
    )


def _rate_cause(
    name: str,
    bath: object,
    at: Callable[[np.ndarray], float],
    rate: float,
    shift: float,
    bohr: float,
    span: str,
) -> str:
    """One bath at the failing point: its parameters, largest rate, and what makes it small."""
    values = {
        key: at(np.asarray(getattr(bath, key)))
        for key in ("gamma", "omega_d", "omega_c", "omega_0", "width", "s", "temperature")
        if isinstance(getattr(bath, key, None), (np.ndarray, float))
    }
    shown = "".join(f", {key} = {value:g}" for key, value in values.items())
    text = f"bath {name!r} ({type(bath).__name__}{shown}; rates up to {rate:.3g})"
    if shift > bohr and rate <= RATE_RTOL * shift:
        if "s" in values:
            return (
                f"{text}: its Lamb shift (up to {shift:.3g}; S(0) = -gamma omega_c Gamma(s)/pi "
                f"with s = {values['s']:g}) dwarfs its rates"
            )
        return f"{text}: its Lamb shift (up to {shift:.3g}) dwarfs its rates"
    if rate > RATE_RTOL * bohr:
        return text
    for key in ("omega_d", "omega_c", "omega_0"):
        cutoff = values.get(key)
        if cutoff is not None and cutoff * 1e3 < bohr:
            return f"{text}: its {key} = {cutoff:g} is far below {span}"
    if values.get("s", 1.0) > 1.0 and "omega_c" in values:
        return (
            f"{text}: J ~ (w/omega_c)^(s-1) with s = {values['s']:g} is negligible at {span}, "
            f"below omega_c = {values['omega_c']:g}"
        )
    return f"{text}: its J(w) is negligible at {span}"
