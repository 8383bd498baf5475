"""The data of Fig. 2: secondary-diagonal elements of the equilibrium state against ``T``.

At ``T1 = T2 = T`` the Bloch-Redfield steady state (Eqs. 8-12, with the Lamb shift) should be
the mean-force Gibbs state (Eq. 20) to second order in the system-bath coupling (Sec. III).
Both are computed in the paper's eigenbasis ``(s1, s2, s3, s4)``; ``rho_14 = <s1|rho|s4>`` and
``rho_23 = <s2|rho|s3>``. The mean-force Gibbs state is real (real coupling operators and real
``S``), and so is the one-bath Bloch-Redfield state to round-off; with two baths the
Bloch-Redfield coherences acquire a small imaginary part (stored, not drawn).
"""

from __future__ import annotations

import numpy as np
import xarray as xr
from numpy.typing import NDArray

from ..analysis.mean_force import mean_force_gibbs
from ..api import paper_system, solve
from ..baths import DrudeBath
from ..master import BlochRedfield
from ..model import TwoQubitModel
from .specs import CoherenceFigure

__all__ = ["coherence_dataset"]

_ELEMENTS = {"rho14": (0, 3), "rho23": (1, 2)}


def _array(value: float) -> NDArray[np.float64]:
    return np.asarray(value, dtype=np.float64)


def coherence_dataset(fig: CoherenceFigure) -> xr.Dataset:
    """``rho_14`` and ``rho_23`` (real and imaginary parts) of the Bloch-Redfield steady state and
    of the mean-force Gibbs state, for ``gamma_2`` of the main panel and of the inset.

    Returns:
        A Dataset with dims ``(gamma2, T)``; variables ``br_rho14_re``, ``br_rho14_im``, ...,
        ``mfg_rho23_im`` and ``br_min_eigenvalue``; the caption's parameters in ``attrs``.
    """
    T = fig.T
    gamma2 = np.array([fig.gamma2_main, fig.gamma2_inset])[:, None]
    system = paper_system(fig.eps1, fig.eps2, fig.g, fig.gamma1, gamma2, fig.omega_d, T, T)
    br = solve(system, BlochRedfield(lamb_shift=True))
    model = TwoQubitModel(eps1=_array(fig.eps1), eps2=_array(fig.eps2), g=_array(fig.g))
    baths = (
        DrudeBath(
            gamma=np.full_like(gamma2, fig.gamma1), omega_d=_array(fig.omega_d), temperature=T
        ),
        DrudeBath(gamma=gamma2, omega_d=_array(fig.omega_d), temperature=T),
    )
    mfg = np.broadcast_to(mean_force_gibbs(model, baths), br.rho.shape)

    dims = ("gamma2", "T")
    data: dict[str, tuple[tuple[str, ...], np.ndarray, dict[str, str]]] = {}
    for source, rho in (("br", br.rho), ("mfg", mfg)):
        name = (
            "Bloch-Redfield steady state" if source == "br" else "mean-force Gibbs state (Eq. 20)"
        )
        for element, (i, j) in _ELEMENTS.items():
            value = rho[..., i, j]
            data[f"{source}_{element}_re"] = (
                dims,
                np.real(value),
                {"long_name": f"Re {element} of the {name}"},
            )
            data[f"{source}_{element}_im"] = (
                dims,
                np.imag(value),
                {"long_name": f"Im {element} of the {name}"},
            )
    data["br_min_eigenvalue"] = (
        dims,
        br.min_eigenvalue,
        {"long_name": "smallest eigenvalue of the Bloch-Redfield state"},
    )
    coords = {
        "gamma2": ("gamma2", gamma2[:, 0], {"long_name": "gamma_2 (0: main panel, else inset)"}),
        "T": ("T", T, {"long_name": "T1 = T2", "units": "energy units (kB = 1)"}),
    }
    attrs: dict[str, object] = {
        "figure": fig.number,
        "caption": f"T1 = T2 = T, e = ({fig.eps1:g}, {fig.eps2:g}), g = {fig.g:g}, gamma1 = "
        f"{fig.gamma1:g}, wD = {fig.omega_d:g}; gamma2 = {fig.gamma2_main:g} (main), "
        f"{fig.gamma2_inset:g} (inset)",
        "conventions": "hbar = kB = 1; eigenbasis s1 = +beta, s2 = +alpha, s3 = -alpha, s4 = -beta; "
        "rho_ij = <s_i|rho|s_j>; Lamb shift (Eq. 15) included",
        "T_range": [float(T[0]), float(T[-1])],
        "T_points": int(T.size),
        "T_choice": fig.range_note,
        "marker_every": fig.marker_every,
        "eps1": fig.eps1,
        "eps2": fig.eps2,
        "g": fig.g,
        "gamma1": fig.gamma1,
        "omega_d": fig.omega_d,
    }
    return xr.Dataset(data_vars=data, coords=coords, attrs=attrs)
