"""What the explorer's server refuses before any page code runs: foreign Host headers and the
Panel route that imports modules named in a URL.

* **Host header** (DNS rebinding): a web page elsewhere can make a browser resolve its own name
  to ``127.0.0.1`` and then read what the explorer serves, from its own origin. The server
  answers only requests whose ``Host`` is a name this server is reached by (the bound address
  and port, ``localhost`` for a loopback address, ``--allow-host`` names); any other gets
  ``403`` and one line saying so. The same names are the websocket's allowed origins.
* **/components/**: Panel serves files of custom components at
  ``/components/<module>/<class>/<attribute>/<file>`` and imports ``<module>`` to find them,
  any module installed. The explorer uses no such component, so the route answers ``404``
  without importing anything.
"""

from __future__ import annotations

import socket
from collections.abc import Iterable
from typing import Any

from tornado.httputil import HTTPServerRequest
from tornado.routing import Matcher, Rule
from tornado.web import Application, RequestHandler

__all__ = ["COMPONENTS_ROUTE", "allowed_hosts", "guard_hosts", "refused_routes"]

COMPONENTS_ROUTE = r"/components/.*"
"""Panel's route of component resources (:class:`panel.io.server.ComponentResourceHandler`)."""

_WILDCARDS = ("0.0.0.0", "::", "")
_LOOPBACK = ("127.0.0.1", "localhost")


def allowed_hosts(address: str, port: int, extra: Iterable[str] = ()) -> list[str]:
    """The ``Host`` values (``name:port``) the server answers: the bound ``address``; for a
    loopback address also ``localhost`` and ``127.0.0.1``; for a wildcard address (all
    interfaces) also this machine's host names; and ``extra`` names."""
    names = set(extra)
    if address in _LOOPBACK:
        names |= set(_LOOPBACK)
    elif address in _WILDCARDS:
        names |= {socket.gethostname(), socket.getfqdn(), *_LOOPBACK}
    else:
        names.add(address)
    hosts = set()
    for name in names:
        name = name.lower().strip("[]")
        shown = f"[{name}]" if ":" in name else name  # an IPv6 address
        hosts.add(f"{shown}:{port}")
        if port == 80:  # a browser leaves out the default port
            hosts.add(shown)
    return sorted(hosts)


class _ForeignHost(Matcher):
    """Matches requests whose ``Host`` header is not one of ``hosts``."""

    def __init__(self, hosts: Iterable[str]) -> None:
        self.hosts = frozenset(h.lower() for h in hosts)

    def match(self, request: HTTPServerRequest) -> dict[str, Any] | None:
        return None if request.host.lower() in self.hosts else {}


class _Refused(RequestHandler):
    """Answers every method with ``status`` and one line of text."""

    def initialize(self, status: int, reason: str) -> None:
        self.status, self.reason = status, reason

    def prepare(self) -> None:
        self.set_status(self.status)
        self.set_header("Content-Type", "text/plain; charset=utf-8")
        self.set_header("X-Content-Type-Options", "nosniff")  # the echoed Host stays text
        self.finish(self.reason.format(host=self.request.host) + "\n")


def refused_routes() -> list[tuple[str, type[RequestHandler], dict[str, Any]]]:
    """Routes to serve before Panel's own (Bokeh's ``extra_patterns`` come first): the
    component resources, refused without an import."""
    reason = "404: the explorer serves no component resources"
    return [(COMPONENTS_ROUTE, _Refused, {"status": 404, "reason": reason})]


def guard_hosts(app: Application, hosts: list[str]) -> None:
    """Make ``app`` refuse (403) every request whose ``Host`` is not in ``hosts``, first of all
    its routes (static files, pages, the websocket)."""
    reason = (
        "403: Host {host!r} is not this server's (" + ", ".join(hosts) + "); refused against "
        "DNS rebinding (qheat explore --allow-host NAME adds a name)"
    )
    target = (_Refused, {"status": 403, "reason": reason})
    app.default_router.rules.insert(0, Rule(_ForeignHost(hosts), *target))
