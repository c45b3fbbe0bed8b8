"""CaptureMiddleware: the same endpoints and publisher in front of a plain WSGI app (no Flask routing)."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import pytest
from werkzeug.test import Client

from prefloop.capture import CaptureMiddleware
from prefloop.capture.publisher.spool import list_segments, list_writers


def chat_app(environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
    """A bare WSGI assistant: records the response it shows and returns its token."""
    capture = environ["prefloop.capture"]
    token = capture.response_shown(
        environ["REMOTE_USER"],
        conversation_id="conv-9",
        context=[{"role": "user", "content": "hi"}],
        text="hello",
        model="m",
    )
    start_response("200 OK", [("Content-Type", "text/plain")])
    return [str(token).encode()]


@pytest.fixture()
def wsgi(tmp_path: Path) -> Iterator[tuple[CaptureMiddleware, Client]]:
    mw = CaptureMiddleware(
        chat_app,
        user_loader=lambda environ: environ.get("REMOTE_USER"),
        config={"PREFLOOP_CAPTURE_SECRET_KEY": "k", "PREFLOOP_CAPTURE_SPOOL_DIR": str(tmp_path)},
    )
    yield mw, Client(mw)
    mw.core.publisher.shutdown()


def test_middleware_records_and_accepts_feedback(
    wsgi: tuple[CaptureMiddleware, Client], tmp_path: Path
) -> None:
    mw, client = wsgi
    token = client.get("/chat", environ_base={"REMOTE_USER": "dora"}).get_data(as_text=True)
    r = client.post(
        "/prefloop/feedback", json={"token": token, "rating": 1}, environ_base={"REMOTE_USER": "dora"}
    )
    assert r.status_code == 200 and r.json["ok"]
    forged = client.post(
        "/prefloop/feedback", json={"token": token, "rating": -1}, environ_base={"REMOTE_USER": "eve"}
    )
    assert forged.status_code == 403
    anonymous = client.post("/prefloop/feedback", json={"token": token, "rating": -1})
    assert anonymous.status_code == 401
    assert mw.core.publisher.flush(5)
    events = [
        json.loads(x)
        for w in list_writers(tmp_path)
        for _, p in list_segments(w)
        for x in p.read_bytes().split()
    ]
    assert [e["type"] for e in events] == ["response", "feedback"]
    assert events[1]["response_id"] == events[0]["response_id"]


def test_middleware_serves_script_metrics_and_json_errors(wsgi: tuple[CaptureMiddleware, Client]) -> None:
    _, client = wsgi
    js = client.get("/prefloop/static/prefloop.js")
    assert js.status_code == 200 and b"data-prefloop-vote" in js.data
    assert b"prefloop_capture_events_accepted_total" in client.get("/prefloop/metrics").data
    assert client.get("/prefloop/feedback").status_code == 405
    assert client.post("/prefloop/nope", json={}).json["error"] == "not_found"
    big = client.post("/prefloop/edit", data=b"x" * 600_000, environ_base={"REMOTE_USER": "d"})
    assert big.status_code == 413 and big.json["error"] == "too_large"
