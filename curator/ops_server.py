"""One small HTTP server per process for the operator: ``/metrics`` (Prometheus text format), ``/healthz``
(liveness) and ``/readyz`` (readiness), served from a daemon thread on ``PREFLOOP_METRICS_PORT``.

The probes answer ``200`` with ``{"ok": true, ...}`` or ``503`` with ``{"ok": false, ...}``; the rest of the JSON
says why (see :mod:`prefloop.curator.health`). Any other path is ``404``. Nothing is logged per request.
"""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Callable, Iterable
from socketserver import ThreadingMixIn
from typing import Any
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

from prefloop.curator.health import Report

__all__ = ["OpsServer", "json_probe"]

log = logging.getLogger(__name__)

_METRICS_TYPE = "text/plain; version=0.0.4; charset=utf-8"


class _Server(ThreadingMixIn, WSGIServer):
    daemon_threads = True
    allow_reuse_address = True


class _QuietHandler(WSGIRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:  # probes every few seconds: no access log
        pass


def json_probe(report: Callable[[], Report]) -> tuple[int, bytes]:
    """Run a probe: its status code and JSON body. A probe that raises reports not-ok with the error's type."""
    try:
        ok, detail = report()
    except Exception as exc:
        log.warning("health probe failed: %s", exc)
        ok, detail = False, {"error": type(exc).__name__}
    return (200 if ok else 503), json.dumps({"ok": ok, **detail}, sort_keys=True, default=str).encode()


class OpsServer:
    """Serve ``/metrics``, ``/healthz`` and ``/readyz`` on ``addr:port`` (0: any free port) until ``close()``."""

    def __init__(
        self,
        port: int,
        addr: str = "0.0.0.0",
        *,
        metrics: Callable[[], bytes] | None = None,
        live: Callable[[], Report] | None = None,
        ready: Callable[[], Report] | None = None,
    ) -> None:
        self._metrics = metrics
        self._probes = {"/healthz": live, "/readyz": ready}
        self._server = make_server(addr, port, self._app, server_class=_Server, handler_class=_QuietHandler)
        self.port: int = self._server.server_address[1]
        self._thread = threading.Thread(target=self._server.serve_forever, name="prefloop-ops", daemon=True)
        self._thread.start()

    def _app(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        path = environ.get("PATH_INFO", "")
        probe = self._probes.get(path)
        if path == "/metrics" and self._metrics is not None:
            status, body, ctype = 200, self._metrics(), _METRICS_TYPE
        elif probe is not None:
            status, body = json_probe(probe)
            ctype = "application/json"
        else:
            status, body, ctype = 404, b'{"ok": false, "error": "not found"}', "application/json"
        reason = {200: "OK", 404: "Not Found", 503: "Service Unavailable"}[status]
        start_response(f"{status} {reason}", [("Content-Type", ctype), ("Content-Length", str(len(body)))])
        return [body]

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(5)
