"""The interactive explorer: drag a parameter, watch the heat current and its NDTC peak move.

``qheat explore`` serves the page locally; :func:`app` returns the same page as a Panel layout
for a Jupyter notebook (after ``pn.extension()``). The computations live in
:mod:`~qheat.explorer.curves` and :mod:`~qheat.explorer.ndtc_plane` (no Panel needed), the
exports in :mod:`~qheat.explorer.export`, the page in :mod:`~qheat.explorer.page`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from .models import load_model

__all__ = ["app", "serve"]


def app(
    device: str | Path | None = None,
    axis: str | None = None,
    equations: tuple[str, ...] = ("br", "lindblad"),
    **values: float,
) -> Any:
    """The explorer as a Panel layout (display it in a notebook, or serve it).

    Args:
        device: a device file (parsed by :mod:`qheat.devices`); None for the paper's model.
        axis: the swept parameter (default ``dt``).
        equations: the equations shown first (of ``br``, ``lindblad``, ``local``, ``ule``).
        values: parameter values overriding the defaults, e.g. ``gamma1=0.01``.

    Raises:
        InvalidParameterError: the device file cannot be read. Bad parameter values are shown
            on the page, not raised.
    """
    from .page import Explorer

    return Explorer(load_model(device), axis=axis, equations=equations, **values).layout


def serve(
    device: str | Path | None = None,
    port: int = 5006,
    address: str = "127.0.0.1",
    show: bool = True,
) -> None:
    """Serve the explorer at ``http://address:port/`` until interrupted (one page per visitor).

    The device file is read once here, so a bad file fails before the server starts.
    """
    import panel as pn

    from .page import Explorer

    model = load_model(device)
    host = "localhost" if address in ("127.0.0.1", "localhost") else address
    origins = sorted({f"{address}:{port}", f"{host}:{port}"})
    pn.serve(
        lambda: Explorer(model).layout,
        port=port,
        address=address,
        show=show,
        title="qheat explorer",
        websocket_origin=origins,
        threaded=False,
    )
