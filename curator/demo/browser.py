"""What a browser does on the example chat page, over real HTTP: open the page (session cookie), call the chat
API, and post feedback to capture's endpoints with the tokens it returned, as ``prefloop.js`` does (one
idempotency key per click, reused on retries after 429/5xx)."""

from __future__ import annotations

import http.cookiejar
import json
import threading
import time
import urllib.error
import urllib.request
import uuid
from typing import Any

from prefloop.curator.demo import messages
from prefloop.curator.demo.errors import DemoError

__all__ = ["CLIENT_VERSION", "BrowserSession"]

CLIENT_VERSION = "prefloop-demo/1"
_RETRYABLE = {429, 500, 502, 503, 504}


class BrowserSession:
    """One simulated user's browser: its own cookie jar, so the app sees one signed-in user. Thread-safe: a
    user may have two tabs open."""

    def __init__(
        self, base_url: str, *, capture_prefix: str = "/prefloop", timeout: float = 15.0, attempts: int = 4
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.capture_prefix = capture_prefix
        self.timeout = timeout
        self.attempts = attempts
        self.requests = 0
        self._count_lock = threading.Lock()
        self.jar = http.cookiejar.CookieJar()
        self._opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar))

    def _send(self, method: str, path: str, body: dict[str, Any] | None = None) -> Any:
        data = None if body is None else json.dumps(body).encode("utf-8")
        for attempt in range(self.attempts):
            req = urllib.request.Request(self.base_url + path, data=data, method=method)
            if data is not None:
                req.add_header("Content-Type", "application/json")
            with self._count_lock:
                self.requests += 1
            try:
                with self._opener.open(req, timeout=self.timeout) as resp:
                    raw = resp.read()
                    ctype = resp.headers.get("Content-Type", "")
                    return json.loads(raw) if "json" in ctype else raw.decode("utf-8", "replace")
            except urllib.error.HTTPError as exc:
                detail = exc.read().decode("utf-8", "replace")[:300]
                if exc.code in _RETRYABLE and attempt + 1 < self.attempts:
                    wait = float(exc.headers.get("Retry-After") or 0) or 0.2 * 2**attempt
                    time.sleep(min(wait, 5.0))
                    continue
                raise DemoError(
                    messages.HTTP_FAILED.format(method=method, path=path, status=exc.code, detail=detail),
                    value=exc.code,
                ) from None
            except (urllib.error.URLError, ConnectionError, TimeoutError) as exc:
                if attempt + 1 < self.attempts:
                    time.sleep(0.2 * 2**attempt)
                    continue
                raise DemoError(
                    messages.HTTP_FAILED.format(method=method, path=path, status="-", detail=exc), value=path
                ) from None
        raise AssertionError("unreachable")

    # -- the app ---------------------------------------------------------------------------------------
    def open_page(self) -> str:
        """GET the chat page (sets the session cookie, as a first visit does)."""
        return str(self._send("GET", "/"))

    def chat(
        self, message: str, *, conversation_id: str | None = None, history: list[dict[str, str]] | None = None
    ) -> dict[str, Any]:
        body: dict[str, Any] = {"message": message}
        if conversation_id:
            body["conversation_id"] = conversation_id
        if history:
            body["history"] = history
        return dict(self._send("POST", "/api/chat", body))

    def regenerate(self, answer: dict[str, Any]) -> dict[str, Any]:
        """Press ↻: prefloop.js posts the regenerate event, the page asks the app for a new answer."""
        self._capture("regenerate", {"token": answer["token"]})
        body = {"conversation_id": answer["conversation_id"], "response_id": answer["response_id"]}
        return dict(self._send("POST", "/api/regenerate", body))

    # -- capture's endpoints, as prefloop.js calls them --------------------------------------------------
    def _capture(self, kind: str, payload: dict[str, Any]) -> dict[str, Any]:
        body = {**payload, "idempotency_key": str(uuid.uuid4()), "client_version": CLIENT_VERSION}
        return dict(self._send("POST", f"{self.capture_prefix}/{kind}", body))

    def vote(self, answer: dict[str, Any], rating: int, reason: str | None = None) -> dict[str, Any]:
        payload: dict[str, Any] = {"token": answer["token"], "rating": rating}
        if reason:
            payload["reason"] = reason
        return self._capture("feedback", payload)

    def choose(self, a: dict[str, Any], b: dict[str, Any], preferred: str) -> dict[str, Any]:
        return self._capture("choice", {"token_a": a["token"], "token_b": b["token"], "preferred": preferred})

    def edit(self, answer: dict[str, Any], text: str) -> dict[str, Any]:
        return self._capture("edit", {"token": answer["token"], "edited_text": text})
