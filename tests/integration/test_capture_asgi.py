"""CaptureASGI in a real Starlette app served by uvicorn on 127.0.0.1: the endpoints over HTTP, the event loop
kept free while an endpoint waits, hostile bodies, the lifespan shutdown, and the browser helper in real
headless Chromium. Embedded mode: events land in the spool, which the tests read."""

from __future__ import annotations

import asyncio
import json
import socket
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from prefloop.capture import CaptureASGI
from tests.browser import chromium, fail_fetches
from tests.spool import spool_events, wait_for_events

pytestmark = pytest.mark.integration

PAGE = """<!doctype html><html><head><meta charset="utf-8">{script}</head><body>
<div id="r1" data-prefloop-token="{t1}"><p>Answer one</p>
  <button id="up1" data-prefloop-vote="up">up</button>
  <form id="edit1" data-prefloop-edit><textarea name="edited_text"></textarea><button id="save1">save</button></form>
</div>
<div id="pair" data-prefloop-choice data-prefloop-token-a="{t1}" data-prefloop-token-b="{t2}">
  <button id="preferB" data-prefloop-prefer="b">B is better</button>
</div>
<a id="away" href="/away">leave</a>
</body></html>"""


def cookie_user(scope: Any) -> object:
    """The test app's sign-in: a ``user`` cookie. The user ``slow`` takes 1.5 s to load (a slow session
    store), which must not hold up anyone else's request."""
    for key, value in scope["headers"]:
        if key == b"cookie":
            for part in value.decode("latin-1").split(";"):
                name, _, user = part.strip().partition("=")
                if name == "user" and user:
                    if user == "slow":
                        time.sleep(1.5)
                    return user
    return None


async def async_cookie_user(scope: Any) -> object:
    await asyncio.sleep(0.01)
    return cookie_user(scope)


class Server:
    """A Starlette assistant wrapped in CaptureASGI, served by uvicorn in a thread."""

    def __init__(self, spool: Path, user_loader: Any = cookie_user) -> None:
        import uvicorn
        from starlette.applications import Starlette
        from starlette.requests import Request
        from starlette.responses import HTMLResponse, JSONResponse, PlainTextResponse
        from starlette.routing import Route

        def shown(request: Request, user: str) -> tuple[str, str]:
            ctx = [{"role": "user", "content": "2+2?"}]
            prefloop = request.state.prefloop  # what CaptureASGI puts on every request it passes on
            t1 = prefloop.response_shown(user, conversation_id="conv-1", context=ctx, text="4", model="m")
            t2 = prefloop.response_shown(user, conversation_id="conv-1", context=ctx, text="four", model="m")
            return t1, t2

        async def index(request: Request) -> HTMLResponse:
            t1, t2 = shown(request, "alice")
            page = HTMLResponse(PAGE.format(script=self.capture.script_tag(), t1=t1, t2=t2))
            page.set_cookie("user", "alice")
            return page

        async def tokens(request: Request) -> JSONResponse:
            t1, t2 = shown(request, request.query_params.get("user", "alice"))
            return JSONResponse({"t1": t1, "t2": t2})

        async def ping(request: Request) -> PlainTextResponse:
            return PlainTextResponse("pong")

        app = Starlette(
            routes=[Route("/", index), Route("/tokens", tokens), Route("/ping", ping), Route("/away", ping)]
        )
        self.spool = spool
        self.capture = CaptureASGI(
            app,
            user_loader=user_loader,
            config={
                "PREFLOOP_CAPTURE_SECRET_KEY": "asgi-secret",
                "PREFLOOP_CAPTURE_SPOOL_DIR": str(spool),
                "PREFLOOP_CAPTURE_MAX_BODY_BYTES": 4096,
            },
        )
        sock = socket.socket()
        sock.bind(("127.0.0.1", 0))
        self.url = f"http://127.0.0.1:{sock.getsockname()[1]}"
        config = uvicorn.Config(self.capture, log_level="warning", lifespan="on", timeout_graceful_shutdown=5)
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, kwargs={"sockets": [sock]}, daemon=True)
        self.thread.start()
        deadline = time.monotonic() + 20
        while not self.server.started:
            assert time.monotonic() < deadline, "uvicorn did not start"
            time.sleep(0.02)

    def request(
        self, method: str, path: str, body: bytes | None = None, user: str | None = "alice", **headers: str
    ) -> tuple[int, bytes, dict[str, str]]:
        if user is not None:
            headers["Cookie"] = f"user={user}"
        if body is not None:
            headers.setdefault("Content-Type", "application/json")
        req = urllib.request.Request(self.url + path, data=body, method=method, headers=headers)
        try:
            with urllib.request.urlopen(req, timeout=30) as resp:
                return resp.status, resp.read(), dict(resp.headers)
        except urllib.error.HTTPError as exc:
            return exc.code, exc.read(), dict(exc.headers)

    def tokens(self, user: str = "alice") -> tuple[str, str]:
        status, body, _ = self.request("GET", f"/tokens?user={user}", user=None)
        assert status == 200
        got = json.loads(body)
        return got["t1"], got["t2"]

    def events(self, kind: str | None = None) -> list[dict[str, Any]]:
        self.capture.flush(5)
        return spool_events(self.spool, kind)

    def wait_for(self, kind: str, count: int, timeout: float = 10.0) -> list[dict[str, Any]]:
        return wait_for_events(self.events, kind, count, timeout)

    def close(self) -> None:
        self.server.should_exit = True
        self.thread.join(30)


@pytest.fixture()
def server(tmp_path: Path) -> Iterator[Server]:
    s = Server(tmp_path / "spool")
    yield s
    s.close()


def _feedback(token: str, rating: int = 1, key: str | None = None) -> bytes:
    body: dict[str, Any] = {"token": token, "rating": rating}
    if key:
        body["idempotency_key"] = key
    return json.dumps(body).encode()


def test_endpoints_answer_over_http(server: Server) -> None:
    t1, _ = server.tokens()
    status, body, _ = server.request("POST", "/prefloop/feedback", _feedback(t1, 1, "k-1"))
    assert status == 200, body
    first = json.loads(body)
    assert first["ok"] is True and first["duplicate"] is False
    status, body, _ = server.request("POST", "/prefloop/feedback", _feedback(t1, 1, "k-1"))  # a retried click
    assert status == 200 and json.loads(body) == {**first, "duplicate": True}
    fb = server.wait_for("feedback", 1)
    assert len(fb) == 1 and fb[0]["rating"] == 1 and fb[0]["event_id"] == first["event_id"]
    assert fb[0]["user"] != "alice"  # pseudonymized
    assert {e["response_id"] for e in server.events("response")} >= {fb[0]["response_id"]}

    def error(method: str, path: str, body: bytes | None = None, **kw: Any) -> tuple[int, str]:
        status, raw, _ = server.request(method, path, body, **kw)
        return status, json.loads(raw)["error"]

    assert error("POST", "/prefloop/feedback", b"{not json") == (400, "not_json")
    assert error("POST", "/prefloop/feedback", _feedback(t1), user=None) == (401, "no_user")
    assert error("POST", "/prefloop/feedback", _feedback(t1), user="mallory") == (403, "invalid_token")
    assert error("POST", "/prefloop/feedback", b"x" * 5000) == (413, "too_large")
    assert error("GET", "/prefloop/feedback") == (405, "method_not_allowed")
    assert error("POST", "/prefloop/nothing", b"{}") == (404, "not_found")
    status, script, headers = server.request("GET", "/prefloop/static/prefloop.js")
    assert status == 200 and b"data-prefloop-endpoint" in script and "javascript" in headers["content-type"]
    status, health, _ = server.request("GET", "/prefloop/status")
    assert status == 200 and json.loads(health)["status"] == "ok"
    status, metrics, _ = server.request("GET", "/prefloop/metrics")
    assert status == 200
    assert b'prefloop_capture_events_accepted_total{type="feedback"} 1.0' in metrics
    assert b"prefloop_capture_duplicate_clicks_total 1.0" in metrics
    assert server.request("GET", "/ping")[1] == b"pong"  # everything else reaches the app


def test_a_waiting_endpoint_never_blocks_the_event_loop(server: Server) -> None:
    """While one feedback request waits 1.5 s on a slow user_loader, the same single-process server answers
    other requests at once: the wait is on capture's thread pool, not on the loop."""
    t1, _ = server.tokens("slow")
    answers: list[int] = []
    slow = threading.Thread(
        target=lambda: answers.append(
            server.request("POST", "/prefloop/feedback", _feedback(t1), user="slow")[0]
        )
    )
    started = time.monotonic()
    slow.start()
    time.sleep(0.2)
    answered_while_waiting = 0
    while slow.is_alive() and time.monotonic() - started < 1.2:
        assert server.request("GET", "/ping")[1] == b"pong"
        answered_while_waiting += slow.is_alive()
    slow.join(10)
    assert answers == [200]
    assert time.monotonic() - started >= 1.5
    # a blocked loop would answer no ping before the slow request ends (no latency bound: CI machines are busy)
    assert answered_while_waiting >= 3, answered_while_waiting


def test_an_async_user_loader_is_awaited(tmp_path: Path) -> None:
    s = Server(tmp_path / "spool", user_loader=async_cookie_user)
    try:
        t1, _ = s.tokens()
        assert s.request("POST", "/prefloop/feedback", _feedback(t1, -1))[0] == 200
        assert s.request("POST", "/prefloop/feedback", _feedback(t1), user=None)[0] == 401
        assert s.wait_for("feedback", 1)[0]["rating"] == -1
    finally:
        s.close()


def test_the_lifespan_end_shuts_the_publisher_down(tmp_path: Path) -> None:
    s = Server(tmp_path / "spool")
    t1, _ = s.tokens()
    assert s.request("POST", "/prefloop/feedback", _feedback(t1))[0] == 200
    s.close()
    assert not s.thread.is_alive()
    assert len(s.events("feedback")) == 1  # acknowledged, hence on disk
    assert s.capture.flush(1) is False  # shut down: nothing more is accepted
    token = s.capture.response_shown(
        "alice", conversation_id="c", context=[{"role": "user", "content": "q"}], text="t", model="m"
    )
    assert token == "" and not token.recorded and token.reason == "closed"  # degraded, never raised


@pytest.fixture(scope="module")
def shared_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    s = Server(tmp_path_factory.mktemp("asgi") / "spool")
    yield s
    s.close()


@settings(max_examples=60, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    method=st.sampled_from(["POST", "GET", "PUT", "DELETE", "PATCH"]),
    kind=st.sampled_from(
        ["feedback", "regenerate", "choice", "edit", "metrics", "status", "x", "static/prefloop.js"]
    ),
    body=st.one_of(
        st.binary(max_size=600),
        st.text(max_size=300).map(lambda t: t.encode("utf-8", "surrogatepass")),
        st.recursive(
            st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20),
            lambda inner: (
                st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
            ),
            max_leaves=20,
        ).map(lambda v: json.dumps(v).encode()),
    ),
    content_type=st.sampled_from(
        ["application/json", "text/plain;charset=UTF-8", "application/x-www-form-urlencoded"]
    ),
)
def test_hostile_requests_get_a_clear_4xx_and_the_server_keeps_serving(
    shared_server: Server, method: str, kind: str, body: bytes, content_type: str
) -> None:
    status, raw, _ = shared_server.request(
        method, f"/prefloop/{kind}", body if method != "GET" else None, **{"Content-Type": content_type}
    )
    assert status < 500, raw
    if status >= 400:
        assert json.loads(raw)["error"]
    assert shared_server.request("GET", "/ping")[1] == b"pong"


# --- the browser helper in real Chromium --------------------------------------------------------------
@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with chromium() as b:
        yield b


def test_the_browser_helper_sends_votes_choices_edits_and_beacons(browser: Any, server: Server) -> None:
    context = browser.new_context()
    page = context.new_page()
    try:
        page.goto(server.url + "/")
        page.wait_for_function("window.prefloop && window.prefloop.version === 1")
        page.evaluate("window.__sent = 0; document.addEventListener('prefloop:sent', () => window.__sent++)")
        page.click("#up1")
        page.click("#preferB")
        page.fill("#edit1 textarea", "Four, exactly.")
        page.click("#save1")
        page.wait_for_function("window.__sent >= 3")
        r1, r2 = server.events("response")[:2]
        assert server.wait_for("feedback", 1)[0]["response_id"] == r1["response_id"]
        choice = server.wait_for("choice", 1)[0]
        assert (choice["response_a"], choice["response_b"], choice["preferred"]) == (
            r1["response_id"],
            r2["response_id"],
            "b",
        )
        assert server.wait_for("edit", 1)[0]["edited_text"] == "Four, exactly."

        # fetch fails, the user leaves: sendBeacon (text/plain) delivers the click with the same key
        keys: list[str] = []

        page.route("**/prefloop/feedback", fail_fetches(keys))
        page.click("#up1")  # the same button again: a retraction
        page.wait_for_function("window.prefloop.pending() === 1")
        page.goto(server.url + "/away")
        fb = server.wait_for("feedback", 2)
        assert len(fb) == 2 and fb[1]["retract"] is True and keys and fb[1]["idempotency_key"] == keys[0]
    finally:
        context.close()
