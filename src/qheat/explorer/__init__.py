"""The interactive explorer: drag a parameter, watch the heat current and its NDTC peak move.

``qheat explore`` serves the page locally; :func:`app` returns the same page as a Panel layout
for a Jupyter notebook (after ``pn.extension()``). The computations live in
:mod:`~qheat.explorer.curves` and :mod:`~qheat.explorer.ndtc_plane` (no Panel needed), the
exports in :mod:`~qheat.explorer.export`, the page in :mod:`~qheat.explorer.page`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from .budget import DEFAULT_BUDGET, batch_points
from .models import load_model

__all__ = ["app", "serve"]


def app(
    device: str | Path | None = None,
    axis: str | None = None,
    equations: tuple[str, ...] = ("br", "lindblad"),
    memory_budget: int = DEFAULT_BUDGET,
    **values: float,
) -> Any:
    """The explorer as a Panel layout (display it in a notebook, or serve it).

    Args:
        device: a device file (parsed by :mod:`qheat.devices`); None for the paper's model.
        axis: the swept parameter (default ``dt``).
        equations: the equations shown first (of ``br``, ``lindblad``, ``local``, ``ule``).
        memory_budget: bytes the page may hold in solves (:mod:`~qheat.explorer.budget`).
        values: parameter values overriding the defaults, e.g. ``gamma1=0.01``.

    Raises:
        InvalidParameterError: the device file cannot be read. Bad parameter values are shown
            on the page, not raised.
    """
    from .page import Explorer

    return Explorer(
        load_model(device), axis=axis, equations=equations, memory_budget=memory_budget, **values
    ).layout


def serve(
    device: str | Path | None = None,
    port: int = 5006,
    address: str = "127.0.0.1",
    show: bool = True,
    memory_budget: int = DEFAULT_BUDGET,
    allow_hosts: tuple[str, ...] = (),
) -> None:
    """Serve the explorer at ``http://address:port/`` until interrupted (one page per visitor).

    The device file is read once here, and one point of it must fit half of ``memory_budget``
    (the curves' share, :func:`~qheat.explorer.budget.batch_points`), so a bad file or a
    device too large fails before the server starts. The server answers only requests whose
    ``Host`` is the bound address (``localhost`` too for a loopback address, this machine's
    names for ``0.0.0.0``) or one of ``allow_hosts``, and refuses Panel's component route
    (:mod:`~qheat.explorer.guard`).

    Raises:
        InvalidParameterError: a bad device file, or one point of it beyond the budget.
    """
    import panel as pn

    from .guard import allowed_hosts, guard_hosts, refused_routes
    from .page import Explorer

    model = load_model(device)
    probe = model.system()
    batch_points(probe.dim, len(probe.baths), ("br", "lindblad"), memory_budget // 2)
    hosts = allowed_hosts(address, port, allow_hosts)
    server = pn.serve(
        lambda: Explorer(model, memory_budget=memory_budget).layout,
        port=port,
        address=address,
        show=show,
        start=False,
        title="qheat explorer",
        websocket_origin=hosts,
        threaded=False,
        extra_patterns=refused_routes(),
    )
    guard_hosts(server._tornado, hosts)  # Bokeh exposes its Tornado application no other way
    server.start()
    server.io_loop.start()
