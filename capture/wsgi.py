"""``CaptureMiddleware``: the same endpoints and publisher for any WSGI app (no Flask needed at run time).

::

    app = CaptureMiddleware(app, user_loader=lambda environ: environ.get("REMOTE_USER"),
                            config={"PREFLOOP_CAPTURE_SECRET_KEY": "...", "PREFLOOP_CAPTURE_SPOOL_DIR": "/var/spool/prefloop"})

The wrapped app records responses through ``environ["prefloop.capture"]`` (a :class:`CaptureCore`)::

    token = environ["prefloop.capture"].response_shown(user_id, conversation_id=..., context=..., text=..., model=...)
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Mapping
from datetime import datetime
from pathlib import Path
from typing import Any

from prefloop.capture.core import CaptureCore, Reply, error_reply
from prefloop.capture.intake import KINDS
from prefloop.capture.metrics import CONTENT_TYPE_LATEST
from prefloop.capture.publisher import Publisher
from prefloop.capture.settings import settings_from_config

__all__ = ["ENVIRON_KEY", "CaptureMiddleware"]

ENVIRON_KEY = "prefloop.capture"
_SCRIPT = Path(__file__).parent / "static" / "prefloop.js"
_STATUS = {
    200: "200 OK",
    400: "400 Bad Request",
    401: "401 Unauthorized",
    403: "403 Forbidden",
    404: "404 Not Found",
    405: "405 Method Not Allowed",
    413: "413 Content Too Large",
    422: "422 Unprocessable Content",
    429: "429 Too Many Requests",
    503: "503 Service Unavailable",
}

StartResponse = Callable[..., Any]
WSGIApp = Callable[[dict[str, Any], StartResponse], Iterable[bytes]]


class CaptureMiddleware:
    """Serves ``<prefix>/{feedback,regenerate,choice,edit}`` (POST), ``<prefix>/static/prefloop.js`` and
    ``<prefix>/metrics``; passes every other request to ``app`` with ``environ["prefloop.capture"]`` set.

    ``config`` takes the same ``PREFLOOP_CAPTURE_*`` keys as the Flask extension (``SPOOL_DIR`` defaults to
    ``./prefloop-spool``). ``user_loader(environ)`` returns the signed-in user's id or None.
    """

    def __init__(
        self,
        app: WSGIApp,
        *,
        user_loader: Callable[[dict[str, Any]], object],
        config: Mapping[str, Any] | None = None,
        publisher: Publisher | None = None,
        clock: Callable[[], datetime] | None = None,
    ) -> None:
        cfg = dict(config or {})
        settings = settings_from_config(cfg, app_name="wsgi", instance_path=os.getcwd(), app_secret=None)
        self.app = app
        self.user_loader = user_loader
        self.core = CaptureCore(settings, publisher, clock)
        self.prefix = settings.url_prefix
        self.limit = settings.max_body_bytes
        self.metrics_endpoint = settings.metrics_endpoint
        self.status_endpoint = settings.status_endpoint

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        path: str = environ.get("PATH_INFO", "")
        if not path.startswith(self.prefix + "/"):
            environ[ENVIRON_KEY] = self.core
            return self.app(environ, start_response)
        name = path[len(self.prefix) + 1 :]
        method = environ.get("REQUEST_METHOD", "GET")
        if name == "static/prefloop.js" and method in ("GET", "HEAD"):
            data = _SCRIPT.read_bytes()
            start_response(
                "200 OK",
                [("Content-Type", "text/javascript; charset=utf-8"), ("Content-Length", str(len(data)))],
            )
            return [data]
        if name == "metrics" and self.metrics_endpoint and method == "GET":
            data = self.core.metrics.render()
            start_response(
                "200 OK", [("Content-Type", CONTENT_TYPE_LATEST), ("Content-Length", str(len(data)))]
            )
            return [data]
        if name == "status" and self.status_endpoint and method == "GET":
            return self._reply(start_response, Reply(200, self.core.status()))
        if name not in KINDS:
            return self._reply(start_response, error_reply(404, "not_found"))
        if method != "POST":
            return self._reply(start_response, error_reply(405, "method_not_allowed"))
        try:
            size = int(environ.get("CONTENT_LENGTH") or 0)
        except ValueError:
            return self._reply(start_response, error_reply(400, "bad_length"))
        if size < 0:
            return self._reply(start_response, error_reply(400, "bad_length"))
        if size > self.limit:
            return self._reply(start_response, self.core.too_large(size))
        raw = environ["wsgi.input"].read(min(size, self.limit + 1)) if size else b""
        try:
            user_id = self.user_loader(environ)
        except Exception:
            return self._reply(start_response, error_reply(503, "unavailable"))
        return self._reply(start_response, self.core.handle(name, raw, user_id))

    def _reply(self, start_response: StartResponse, reply: Reply) -> Iterable[bytes]:
        data = reply.json()
        headers = [("Content-Type", "application/json"), ("Content-Length", str(len(data)))]
        headers.extend(reply.headers.items())
        start_response(_STATUS.get(reply.status, f"{reply.status} Error"), headers)
        return [data]
