"""Named exceptions and warnings of qheat.

Each documents the physical cause and the fix. All errors subclass :class:`ValueError`
so that code catching bad input generically keeps working.
"""

from __future__ import annotations

__all__ = [
    "DegenerateSteadyStateWarning",
    "ChunkLostError",
    "QheatError",
    "InvalidParameterError",
    "NonUniqueSteadyStateError",
    "IllConditionedWarning",
    "PositivityWarning",
    "SecularityWarning",
    "TruncationWarning",
    "WeakCouplingWarning",
    "ConvergenceWarning",
    "ConvergenceError",
]


class QheatError(ValueError):
    """Base class of qheat's errors."""


class InvalidParameterError(QheatError):
    """A parameter is outside its allowed range (the message names both)."""


class NonUniqueSteadyStateError(QheatError):
    """The Liouvillian has more than one stationary state.

    Cause: no bath couples to the system (every gamma is zero), or the couplings leave
    a conserved quantity (a symmetry sector no bath connects). Fix: couple at least one
    bath with gamma > 0 through an operator that connects every eigenstate.
    """


class ChunkLostError(QheatError):
    """A chunk of a sweep was lost with its worker more often than the scheduler retries it;
    the chunks already written are kept (resume the sweep to compute the rest)."""


class IllConditionedWarning(RuntimeWarning):
    """The steady-state linear system is ill-conditioned; the state may be inaccurate.

    Cause: nearly decoupled baths (gamma -> 0), or a nearly conserved quantity. The
    result's ``condition_number`` and ``residual`` quantify the loss of accuracy.
    """


class PositivityWarning(RuntimeWarning):
    """The steady state has a negative eigenvalue (below -1e-12).

    The Bloch-Redfield equation is not completely positive: at strong coupling or low
    temperature its steady state can leave the set of density matrices. The result
    carries ``min_eigenvalue``; treat such points as outside Redfield's validity.
    """


class DegenerateSteadyStateWarning(RuntimeWarning):
    """The steady state is not unique: a quantity conserved by ``H`` and every coupling (a
    symmetry, e.g. a qubit that no bath touches) splits the state space into sectors.

    The state returned is the long-time limit reached from the maximally mixed state
    ``1/d`` (its projection onto the kernel of ``L`` along the conserved quantities);
    other initial states give other steady states and other currents. Its condition number
    is reported as ``inf``. Fix: couple a bath to the conserved sector, or break the symmetry.
    """


class SecularityWarning(RuntimeWarning):
    """A secular equation (global Lindblad, partial secular) is used outside its validity.

    Cause: the relaxation rates are not small compared with the gaps between the Bohr
    frequencies whose cross terms the secular approximation drops (small gaps: nearly
    resonant subsystems, weak inter-subsystem coupling; or hot baths). Measure: the
    generator's ``secular_ratio`` = largest transition rate / smallest neglected gap; the
    warning is raised above 1, where the approximation's premise (rates << gaps) fails. It is
    a conservative measure (the largest rate and the smallest gap need not belong to one
    pair); for the paper's model the Lindblad current is then off by more than 25%.
    Fix: use ``BlochRedfield()`` (or ``UniversalLindblad()``), which keep those terms.

    Also raised by :func:`qheat.perturbative_state`, whose expansion about the secular
    (Lindblad) state has the same small parameter (``PerturbativeState.expansion_parameter``).
    """


class WeakCouplingWarning(RuntimeWarning):
    """A perturbative master equation is used outside weak coupling: its result is not physics.

    Every master equation of qheat (Bloch-Redfield, global, local and partial-secular Lindblad,
    ULE) is second order in the system-bath coupling and Markovian. Cause: a bath couples
    strongly (a large ``gamma``, a narrow underdamped resonance at a Bohr frequency) or is too
    slow for the system's rates. Measures (docs/trust.md): ``Solution.weak_coupling_ratio``,
    the larger of the transitions' zero-temperature rate over their frequency and their rate
    times the bath's memory time; the warning is raised above
    :data:`~qheat.steady.validity.WEAK_COUPLING_WARN`, and wherever the heat currents break the
    second law (``Solution.entropy_production < 0``: heat flowing from cold to hot), which no
    valid weak-coupling result does. Fix: weaker coupling, or an exact method
    (``qheat current --equation heom``, :func:`qheat.exact.solve_heom`).
    """


class TruncationWarning(RuntimeWarning):
    """A truncated oscillator (a resonator or transmon site of a device) fills its top level.

    Cause: the steady state populates levels the truncation to ``levels`` removed (a hot bath,
    a resonant drive of heat). Measure (:mod:`qheat.steady.truncation`): the population of each
    truncated site's top level in the steady state; the warning is raised above
    :data:`~qheat.steady.truncation.TRUNCATION_WARN`. For a harmonic mode the relative error
    of the heat current is ``levels x`` that population (docs/devices.md). Fix: raise that
    site's ``levels`` until the currents stop changing.
    """


class CountingWarning(RuntimeWarning):
    """The counting statistics of the heat does not conserve energy: ``sum_j c1_j != 0``.

    Cause: the heat is counted by its jumps, each at its Bohr frequencies
    (:mod:`qheat.master.counting`), so ``c1_j = Tr(H_S D_j(rho))``; where the Lamb shift
    ``H_LS`` has parts that do not commute with ``H_S`` (Bloch-Redfield's non-secular terms,
    even without the Lamb shift's imaginary parts) the energy it moves between the levels,
    ``sum_j c1_j = -Tr(H_S (-i)[H_LS, rho])``, is counted by no bath. Measure:
    ``Solution.counting_imbalance``, ``|sum_j c1_j| / max_j |c1_j|``; the warning is raised
    above :data:`~qheat.steady.cumulants.COUNTING_IMBALANCE_WARN`. Then ``c1`` differs from
    the conserved currents ``J`` by as much, and the noise and the TUR ratio (whose entropy
    production is ``-sum_j c1_j / T_j``) are uncertain at that level (docs/fluctuations.md).
    Secular equations (global Lindblad) conserve it to round-off. Fix: weaker coupling, or a
    secular equation.
    """


class ConvergenceWarning(RuntimeWarning):
    """A numerical integral or an iterative method did not reach its tolerance."""


class ConvergenceError(QheatError):
    """An iterative method did not converge: no result is returned, since none is trustworthy.

    Raised by the Krylov steady state of large devices (:mod:`qheat.steady.krylov`) when GMRES
    does not reach its tolerance. Fix: the dense solver (``solver="dense"``) if the device is
    small enough, weaker coupling, or a better-conditioned problem (a nearly conserved quantity
    slows every iterative method).
    """
