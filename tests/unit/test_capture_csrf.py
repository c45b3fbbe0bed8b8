"""Capture under Flask-WTF's CSRFProtect (the real one): the blueprint is exempted whichever is initialised
first, the host's own forms stay protected, and errors raised around capture's views keep honest codes."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask, abort, request
from flask_wtf.csrf import CSRFProtect

from prefloop.capture import FeedbackCapture
from tests.spool import spool_events

CONTEXT = [{"role": "user", "content": "What is 2+2?"}]


def make_host(tmp_path: Path, csrf_first: bool) -> tuple[Flask, Any]:
    app = Flask("assistant")
    app.config.update(SECRET_KEY="csrf-secret", PREFLOOP_CAPTURE_SPOOL_DIR=str(tmp_path / "spool"))
    capture = FeedbackCapture(user_loader=lambda: "alice")
    csrf = CSRFProtect()
    if csrf_first:
        csrf.init_app(app)
        capture.init_app(app)
    else:
        capture.init_app(app)
        csrf.init_app(app)

    @app.post("/profile")
    def profile() -> str:  # the host's own form: must stay protected
        return "saved"

    @app.before_request
    def refuse_marked() -> None:  # another extension refusing requests before any view
        if request.headers.get("X-Refuse") == "400":
            abort(400, "the X-Refuse header asked for it")
        if request.headers.get("X-Refuse") == "415":
            abort(415)

    return app, capture


@pytest.fixture(params=[True, False], ids=["csrf-first", "capture-first"])
def host(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[tuple[Flask, Any, Path]]:
    app, capture = make_host(tmp_path, request.param)
    yield app, capture, tmp_path / "spool"
    capture.shutdown(app=app)


def _token(app: Flask, capture: Any) -> str:
    with app.test_request_context():
        return str(capture.response_shown(conversation_id="c-1", context=CONTEXT, text="4", model="m-1"))


def test_feedback_needs_no_csrf_token_while_the_hosts_forms_still_do(host: tuple[Flask, Any, Path]) -> None:
    app, capture, spool = host
    client = app.test_client()
    token = _token(app, capture)
    for _ in range(2):  # the first request and the ones after it
        refused = client.post("/profile", data={"name": "x"})
        assert refused.status_code == 400 and b"CSRF token is missing" in refused.data
    # the exempting hook ran on the first request and took itself out: the host's later requests skip it
    assert [f.__name__ for f in app.before_request_funcs[None]] == ["csrf_protect", "refuse_marked"]
    r = client.post("/prefloop/feedback", json={"token": token, "rating": 1})
    assert r.status_code == 200, r.json
    # a beacon (text/plain, no CSRF header, as sendBeacon sends it) passes too
    r = client.post(
        "/prefloop/feedback",
        data=b'{"token": "%s", "rating": -1}' % token.encode(),
        content_type="text/plain;charset=UTF-8",
    )
    assert r.status_code == 200, r.json
    assert capture.flush(5, app=app)
    assert [e["rating"] for e in spool_events(spool, "feedback")] == [1, -1]


def test_every_400_says_what_was_wrong(host: tuple[Flask, Any, Path]) -> None:
    app, capture, _ = host
    client = app.test_client()
    token = _token(app, capture)

    def error(body: bytes, **headers: str) -> tuple[int, str, str]:
        r = client.post("/prefloop/feedback", data=body, content_type="application/json", headers=headers)
        return r.status_code, r.json["error"], r.json["message"]

    assert error(b"{not json")[:2] == (400, "not_json")
    assert error(b"\xff\xfe")[:2] == (400, "not_json")
    assert error(b'["a", "list"]')[:2] == (400, "not_object")
    assert error(b"[" * 100 + b"]" * 100)[:2] == (400, "too_deep")
    good = b'{"token": "%s", "rating": 1}' % token.encode()
    status, code, message = error(good, **{"X-Refuse": "400"})
    assert (status, code) == (400, "bad_request") and "the X-Refuse header asked for it" in message
    status, code, message = error(good, **{"X-Refuse": "415"})
    assert (status, code) == (415, "http_error") and "HTTP 415" in message


def test_without_flask_wtf_capture_leaves_no_hook_on_the_hosts_requests(tmp_path: Path) -> None:
    app = Flask("assistant")
    app.config.update(SECRET_KEY="s", PREFLOOP_CAPTURE_SPOOL_DIR=str(tmp_path / "spool"))
    capture = FeedbackCapture(app, user_loader=lambda: "alice")
    app.add_url_rule("/", "home", lambda: "home")
    try:
        assert len(app.before_request_funcs[None]) == 1  # until the first request: CSRFProtect may still come
        client = app.test_client()
        assert client.get("/").text == "home"
        assert None not in app.before_request_funcs  # not even an empty list for Flask to walk
        token = _token(app, capture)
        assert client.post("/prefloop/feedback", json={"token": token, "rating": 1}).status_code == 200
    finally:
        capture.shutdown(app=app)
