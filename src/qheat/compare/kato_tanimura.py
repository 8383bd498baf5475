"""QuTiP's HEOM heat-transport tutorial (Kato and Tanimura, JCP 143, 064107 (2015), Fig. 3a).

Two qubits ``H = (e/2)(sz_1 + 1) + (e/2)(sz_2 + 1) + J12 (s+_1 s-_2 + s-_1 s+_2)``, each with
its own Drude bath on ``sx_K``: QuTiP's ``J_K = 2 lam gam w/(w^2 + gam^2)`` with ``gam = 2 e``,
``lam = zeta J12/2`` and temperatures ``T = Tbar (1 +- 0.01)``, ``Tbar = 2 e`` (the tutorial's
``BathParams`` defaults; ``e = 1``). In qheat's convention (Eq. 17, ``gamma = 2 lam/gam``)
that is ``DrudeBath(gamma = zeta J12/2, omega_d = 2, T)``. The current ``J1`` (bath 1 into the
system) is what the tutorial plots as ``j_ss/(e J12) x 10^3`` against ``zeta`` on
``[1/4, 4]`` (logarithmic), for ``J12 = 0.01, 0.1, 0.5``.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np
import xarray as xr
from matplotlib.figure import Figure
from matplotlib.ticker import NullFormatter

from ..api import solve
from ..baths import DrudeBath
from ..exact import HeomLevel, HeomOptions, HeomResult, solve_heom
from ..master import BlochRedfield, GlobalLindblad, MasterEquation, UniversalLindblad
from ..model import OpenSystem

__all__ = ["KatoTanimuraSpec", "kato_tanimura", "kato_tanimura_figure", "kato_tanimura_system"]

_SP = np.array([[0.0, 1.0], [0.0, 0.0]])
_SZ = np.diag([1.0, -1.0])
_SX = np.array([[0.0, 1.0], [1.0, 0.0]])
_I2 = np.eye(2)


@dataclass(frozen=True)
class KatoTanimuraSpec:
    """The tutorial's parameters (``epsilon = 1``).

    Attributes:
        j12: qubit-qubit couplings, one curve each.
        zetas: relative bath couplings ``zeta`` (``lam = zeta J12/2``).
        omega_d: Drude cutoff (the tutorial's ``gamma = 2``).
        t_bar, t_delta: ``T1, T2 = t_bar (1 + t_delta), t_bar (1 - t_delta)``.
        heom: convergence options (``atol = 0``: every current here is nonzero; at most 30 000
            unknowns, about 15 s per solve: the strongest couplings are reported unconverged).
    """

    j12: tuple[float, ...] = (0.01, 0.1, 0.5)
    zetas: tuple[float, ...] = tuple(float(z) for z in np.geomspace(0.25, 4.0, 7))
    omega_d: float = 2.0
    t_bar: float = 2.0
    t_delta: float = 0.01
    heom: HeomOptions = field(
        default_factory=lambda: HeomOptions(
            rtol=2e-3, start=HeomLevel(1, 3), max_depth=12, max_unknowns=30_000
        )
    )


def kato_tanimura_system(j12: float, zeta: float, spec: KatoTanimuraSpec) -> OpenSystem:
    """The tutorial's two qubits and baths at one ``(J12, zeta)``."""
    h = 0.5 * (np.kron(_SZ + _I2, _I2) + np.kron(_I2, _SZ + _I2))
    h = h + j12 * (np.kron(_SP, _SP.T) + np.kron(_SP.T, _SP))
    gamma = zeta * j12 / 2.0
    temps = (spec.t_bar * (1 + spec.t_delta), spec.t_bar * (1 - spec.t_delta))
    baths = tuple(DrudeBath(gamma, spec.omega_d, t) for t in temps)
    couplings = (np.kron(_SX, _I2), np.kron(_I2, _SX))
    return OpenSystem(
        np.asarray(h, dtype=np.complex128),
        tuple(np.asarray(q, dtype=np.complex128) for q in couplings),
        baths,
        bath_names=("1", "2"),
        subsystem_dims=(2, 2),
    )


EQUATIONS: tuple[tuple[str, Callable[[], MasterEquation]], ...] = (
    ("br", BlochRedfield),
    ("lindblad", GlobalLindblad),
    ("ule", UniversalLindblad),
)


def kato_tanimura(
    spec: KatoTanimuraSpec | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> xr.Dataset:
    """``J1(j12, zeta)`` from HEOM, Bloch-Redfield, global Lindblad and the ULE.

    Returns:
        Dataset with ``J1 (equation, j12, zeta)``, ``rel_error`` against HEOM, and the HEOM
        diagnostics ``heom_converged, heom_error, heom_order, heom_depth, heom_seconds,
        heom_J2`` over ``(j12, zeta)``.
    """
    spec = KatoTanimuraSpec() if spec is None else spec
    shape = (len(spec.j12), len(spec.zetas))
    labels = ["heom", *(name for name, _ in EQUATIONS)]
    j1 = np.full((len(labels), *shape), np.nan)
    diag: dict[str, np.ndarray] = {
        k: np.zeros(shape) for k in ("error", "order", "depth", "seconds", "J2")
    }
    converged = np.zeros(shape, dtype=bool)
    done = 0
    for a, j12 in enumerate(spec.j12):
        for b, zeta in enumerate(spec.zetas):
            system = kato_tanimura_system(j12, zeta, spec)
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")  # reported in heom_converged, heom_error
                result: HeomResult = solve_heom(system, spec.heom)
                for e, (_, make) in enumerate(EQUATIONS, start=1):
                    j1[e, a, b] = float(solve(system, make()).J1)
            j1[0, a, b] = result.J1
            converged[a, b] = result.converged
            diag["error"][a, b] = result.error_estimate
            diag["order"][a, b] = result.level.order
            diag["depth"][a, b] = result.level.depth
            diag["seconds"][a, b] = result.seconds
            diag["J2"][a, b] = result.J2
            done += 1
            if progress:
                progress(done, shape[0] * shape[1])
    rel = (j1 - j1[0]) / np.abs(j1[0])
    dims = ("j12", "zeta")
    return xr.Dataset(
        {
            "J1": (("equation", *dims), j1, {"long_name": "heat current from bath 1"}),
            "rel_error": (("equation", *dims), rel, {"long_name": "(J1 - J1_heom)/|J1_heom|"}),
            "heom_converged": (dims, converged),
            "heom_error": (dims, diag["error"]),
            "heom_order": (dims, diag["order"].astype(int)),
            "heom_depth": (dims, diag["depth"].astype(int)),
            "heom_seconds": (dims, diag["seconds"]),
            "heom_J2": (dims, diag["J2"]),
        },
        coords={"equation": labels, "j12": list(spec.j12), "zeta": list(spec.zetas)},
        attrs={
            "reference": "Kato and Tanimura, J. Chem. Phys. 143, 064107 (2015), Fig. 3a; "
            "qutip-tutorials tutorials-v5/heom/heom-3-quantum-heat-transport",
            "omega_d": spec.omega_d,
            "T1": spec.t_bar * (1 + spec.t_delta),
            "T2": spec.t_bar * (1 - spec.t_delta),
            "heom_rtol": spec.heom.rtol,
            "conventions": "hbar = kB = 1, epsilon = 1; J1 > 0: heat from bath 1 into the "
            "system; gamma = zeta J12 / 2 (lam = zeta J12 / 2 in QuTiP's Drude-Lorentz)",
        },
    )


_STYLES: Sequence[tuple[str, str]] = (
    ("heom", "k"),
    ("br", "C0"),
    ("lindblad", "C3"),
    ("ule", "C2"),
)


def kato_tanimura_figure(ds: xr.Dataset) -> Figure:
    """``J1/(e J12) x 10^3`` against ``zeta``, one panel per ``J12`` (the tutorial's axes, up to
    1.6 times the largest HEOM value); HEOM points that did not converge are open circles."""
    n = ds.sizes["j12"]
    fig = Figure(figsize=(4.2 * n, 3.6), layout="constrained")
    axes = fig.subplots(1, n, squeeze=False)[0]
    zeta = ds["zeta"].values
    for ax, j12 in zip(axes, ds["j12"].values):
        scale = 1e3 / float(j12)
        for name, color in _STYLES:
            y = ds["J1"].sel(equation=name, j12=j12).values * scale
            if name == "heom":
                ok = ds["heom_converged"].sel(j12=j12).values.astype(bool)
                ax.plot(zeta[ok], y[ok], "o", color=color, label="HEOM (exact)")
                if (~ok).any():
                    ax.plot(
                        zeta[~ok], y[~ok], "o", mfc="none", mec=color, label="HEOM, not converged"
                    )
            else:
                ax.plot(zeta, y, "-", color=color, label=name)
        ax.set_xscale("log")
        ax.set_xticks([0.25, 0.5, 1.0, 2.0, 4.0], ["1/4", "1/2", "1", "2", "4"])
        ax.xaxis.set_minor_formatter(NullFormatter())
        heom = ds["J1"].sel(equation="heom", j12=j12).values * scale
        ax.set_ylim(0.0, 1.6 * float(np.nanmax(heom)))  # the tutorial's range; Lindblad leaves it
        ax.set_xlabel(r"$\bar\zeta$")
        ax.set_title(rf"$J_{{12}} = {float(j12):g}\,\epsilon$")
    axes[0].set_ylabel(r"$J_1 / (\epsilon J_{12}) \times 10^3$")
    axes[0].legend(fontsize=8)
    return fig
