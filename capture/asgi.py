"""``CaptureASGI``: capture's endpoints, browser helper and metrics for any ASGI app (Starlette, FastAPI, Quart,
Litestar), without blocking the event loop. Plain ASGI: nothing here imports Starlette or Flask.

::

    app = FastAPI()                      # or Starlette(...)
    capture = CaptureASGI(app, user_loader=lambda scope: scope["session"].get("user_id"),
                          config={"PREFLOOP_CAPTURE_SECRET_KEY": "...", "PREFLOOP_CAPTURE_SPOOL_DIR": "/var/spool/prefloop"})
    # serve ``capture`` (``uvicorn chat:capture``); in a handler:
    token = capture.response_shown(user_id, conversation_id=cid, context=msgs, text=answer, model="m-1")
    # or, without a reference to it: request.state.prefloop.response_shown(...)

``response_shown`` only validates, serializes and appends to an in-memory queue (no disk or network wait), so it
is called on the event loop. The feedback endpoints wait (milliseconds) for the spool write before they answer,
so they run on a small thread pool of their own, as does a synchronous ``user_loader``; an ``async def``
user_loader is awaited on the loop. The publisher is shut down when the server's lifespan ends (and at exit).
"""

from __future__ import annotations

import asyncio
import html
import inspect
import logging
import os
from collections.abc import Awaitable, Callable, Mapping, MutableMapping
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from pathlib import Path
from typing import Any

from prefloop.capture.core import CaptureCore, Reply, ResponseToken, error_reply
from prefloop.capture.intake import KINDS
from prefloop.capture.metrics import CONTENT_TYPE_LATEST
from prefloop.capture.publisher import Publisher
from prefloop.capture.settings import settings_from_config

__all__ = ["SCOPE_KEY", "STATE_KEY", "CaptureASGI"]

log = logging.getLogger("prefloop.capture")

#: ``scope["prefloop.capture"]`` is the :class:`CaptureASGI` on every request it passes on; so is
#: ``scope["state"]["prefloop"]`` (Starlette's ``request.state.prefloop``).
SCOPE_KEY = "prefloop.capture"
STATE_KEY = "prefloop"
_SCRIPT = Path(__file__).parent / "static" / "prefloop.js"

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]


class CaptureASGI:
    """Serves ``<prefix>/{feedback,regenerate,choice,edit}`` (POST), ``<prefix>/static/prefloop.js``,
    ``<prefix>/metrics`` and ``<prefix>/status``; passes everything else to ``app``.

    ``config`` takes the same ``PREFLOOP_CAPTURE_*`` keys as the Flask extension (``SPOOL_DIR`` defaults to
    ``./prefloop-spool``). ``user_loader(scope)`` returns the signed-in user's id or None; it may be
    ``async def``. ``threads`` bounds the pool the endpoints wait on. Works as Starlette middleware too
    (``app.add_middleware(CaptureASGI, user_loader=..., config=...)``), reachable then as
    ``request.state.prefloop``.
    """

    def __init__(
        self,
        app: ASGIApp,
        *,
        user_loader: Callable[[Scope], object],
        config: Mapping[str, Any] | None = None,
        publisher: Publisher | None = None,
        clock: Callable[[], datetime] | None = None,
        threads: int = 8,
    ) -> None:
        settings = settings_from_config(
            dict(config or {}), app_name="asgi", instance_path=os.getcwd(), app_secret=None
        )
        self.app = app
        self.user_loader = user_loader
        self._async_loader = inspect.iscoroutinefunction(user_loader) or inspect.iscoroutinefunction(
            type(user_loader).__call__  # a callable object with an async __call__
        )
        self.core = CaptureCore(settings, publisher, clock)
        self.prefix = settings.url_prefix
        self.limit = settings.max_body_bytes
        self.metrics_endpoint = settings.metrics_endpoint
        self.status_endpoint = settings.status_endpoint
        self._script = _SCRIPT.read_bytes()
        self._pool = ThreadPoolExecutor(max_workers=threads, thread_name_prefix="prefloop-asgi")

    # --- called by the app's handlers ---------------------------------------------------------------
    def response_shown(self, user_id: object, **fields: Any) -> ResponseToken:
        """Record a response shown to ``user_id``; return the token the page puts on it. Keyword arguments
        are :meth:`CaptureCore.response_shown`'s, and so is what happens on failure (an empty token, counted,
        or an exception with ``PREFLOOP_CAPTURE_STRICT``). No I/O: safe to call on the event loop."""
        return self.core.response_shown(user_id, **fields)

    def script_tag(self) -> str:
        """The ``<script>`` element that loads the browser helper and tells it where the endpoints are."""
        prefix = html.escape(self.prefix)
        return f'<script src="{prefix}/static/prefloop.js" data-prefloop-endpoint="{prefix}" defer></script>'

    @property
    def metrics(self) -> Any:
        return self.core.metrics

    def flush(self, timeout: float = 10.0) -> bool:
        """Wait until every accepted event is on disk and (with Kafka) shipped. Blocks: not on the loop."""
        return self.core.publisher.flush(timeout)

    def shutdown(self, timeout: float | None = None) -> None:
        """Stop the publisher and the thread pool (also runs when the lifespan ends, and at exit)."""
        self.core.publisher.shutdown(timeout)
        self._pool.shutdown(wait=False)

    # --- ASGI -----------------------------------------------------------------------------------------
    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        kind = scope["type"]
        if kind == "lifespan":
            await self._lifespan(scope, receive, send)
            return
        path = _path(scope)
        if kind != "http" or not path.startswith(self.prefix + "/"):
            scope[SCOPE_KEY] = self
            scope.setdefault("state", {})[STATE_KEY] = self
            await self.app(scope, receive, send)
            return
        name = path[len(self.prefix) + 1 :]
        method = scope.get("method", "GET")
        if name == "static/prefloop.js" and method in ("GET", "HEAD"):
            await _send(send, 200, "text/javascript; charset=utf-8", self._script, method == "HEAD")
        elif name == "metrics" and self.metrics_endpoint and method == "GET":
            data = await self._off_loop(self.core.metrics.render)
            await _send(send, 200, CONTENT_TYPE_LATEST, data)
        elif name == "status" and self.status_endpoint and method == "GET":
            await _reply(send, Reply(200, await self._off_loop(self.core.status)))
        elif name not in KINDS:
            await _reply(send, error_reply(404, "not_found"))
        elif method != "POST":
            refused = error_reply(405, "method_not_allowed")
            refused.headers["Allow"] = "POST"
            await _reply(send, refused)
        elif (reply := await self._endpoint(name, scope, receive)) is not None:
            await _reply(send, reply)

    async def _endpoint(self, name: str, scope: Scope, receive: Receive) -> Reply | None:
        declared = _content_length(scope)
        if declared is not None and declared > self.limit:
            return self.core.too_large(declared)
        body = bytearray()
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                return None  # the client left: nothing to answer
            body += message.get("body", b"")
            if len(body) > self.limit:
                return self.core.too_large(len(body))
            if not message.get("more_body", False):
                break
        user_id: object = None
        if self._async_loader:
            try:
                user_id = await self.user_loader(scope)  # type: ignore[misc]
            except Exception:
                log.exception("prefloop capture: the user_loader failed")
                return error_reply(503, "unavailable")
            return await self._off_loop(self.core.handle, name, bytes(body), user_id)
        return await self._off_loop(self._handle_sync, name, bytes(body), scope)

    def _handle_sync(self, name: str, body: bytes, scope: Scope) -> Reply:
        """On a pool thread: the (possibly slow) synchronous user_loader, then the endpoint."""
        try:
            user_id = self.user_loader(scope)
        except Exception:
            log.exception("prefloop capture: the user_loader failed")
            return error_reply(503, "unavailable")
        return self.core.handle(name, body, user_id)

    async def _off_loop(self, fn: Callable[..., Any], *args: Any) -> Any:
        return await asyncio.get_running_loop().run_in_executor(self._pool, fn, *args)

    async def _lifespan(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Pass the lifespan to the app; once its shutdown is done, shut the publisher down (off the loop)."""

        async def send_then_close(message: Message) -> None:
            if message["type"] in ("lifespan.shutdown.complete", "lifespan.shutdown.failed"):
                await asyncio.get_running_loop().run_in_executor(None, self.shutdown)
            await send(message)

        await self.app(scope, receive, send_then_close)


def _path(scope: Scope) -> str:
    path: str = scope.get("path", "")
    root: str = scope.get("root_path", "")
    return path[len(root) :] if root and path.startswith(root) else path


def _content_length(scope: Scope) -> int | None:
    for key, value in scope.get("headers", ()):
        if key == b"content-length":
            try:
                return int(value)
            except ValueError:
                return None
    return None


async def _send(send: Send, status: int, content_type: str, body: bytes, head: bool = False) -> None:
    headers = [(b"content-type", content_type.encode()), (b"content-length", str(len(body)).encode())]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": b"" if head else body})


async def _reply(send: Send, reply: Reply) -> None:
    body = reply.json()
    headers = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
    headers += [(k.lower().encode("latin-1"), v.encode("latin-1")) for k, v in reply.headers.items()]
    await send({"type": "http.response.start", "status": reply.status, "headers": headers})
    await send({"type": "http.response.body", "body": body})
