"""The Flask extension and its endpoints, through Flask's test client (embedded mode: no broker)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask, render_template_string

from prefloop.capture import FeedbackCapture, NoUserError, SpoolFullError
from prefloop.capture.publisher.spool import list_segments, list_writers
from prefloop.schemas.errors import ConfigError, EventValidationError

CONTEXT = [{"role": "user", "content": "What is 2+2?"}]


def spool_events(root: Path) -> list[dict[str, Any]]:
    out = []
    for writer in list_writers(root):
        for _, path in list_segments(writer):
            out.extend(json.loads(x) for x in path.read_bytes().split(b"\n") if x)
    return out


class Host:
    """A tiny host app: the signed-in user is whatever the test sets."""

    def __init__(self, tmp_path: Path, **config: Any) -> None:
        self.user: str | None = "alice"
        self.app = Flask("assistant")
        self.app.config.update(
            SECRET_KEY="test-secret", PREFLOOP_CAPTURE_SPOOL_DIR=str(tmp_path / "spool"), **config
        )
        self.capture = FeedbackCapture()
        self.capture.user_loader(lambda: self.user)
        self.capture.init_app(self.app)
        self.client = self.app.test_client()
        self.spool = tmp_path / "spool"

    def show(self, conversation: str = "conv-1", text: str = "4", **kw: Any) -> str:
        with self.app.test_request_context():
            return self.capture.response_shown(
                conversation_id=conversation, context=CONTEXT, text=text, model="m-1", **kw
            )

    def post(self, kind: str, body: Any) -> Any:
        return self.client.post(f"/prefloop/{kind}", json=body)

    def events(self) -> list[dict[str, Any]]:
        assert self.capture.flush(5, app=self.app)
        return spool_events(self.spool)


@pytest.fixture()
def host(tmp_path: Path) -> Iterator[Host]:
    h = Host(tmp_path)
    yield h
    h.capture.shutdown(app=h.app)


def test_response_and_feedback_reach_the_spool_pseudonymized(host: Host) -> None:
    token = host.show(generation={"temperature": 0.7})
    r = host.post("feedback", {"token": token, "rating": -1, "reason": "incorrect"})
    assert r.status_code == 200 and r.json["ok"] and not r.json["duplicate"]
    response, fb = host.events()
    assert response["type"] == "response" and response["response_id"] == token.response_id
    assert response["generation"] == {"temperature": 0.7}
    assert fb["type"] == "feedback" and fb["event_id"] == r.json["event_id"]
    assert (fb["response_id"], fb["conversation_id"], fb["rating"], fb["reason"]) == (
        token.response_id,
        "conv-1",
        -1,
        "incorrect",
    )
    assert fb["user"] == response["user"] and fb["user"].startswith("u_") and "alice" not in fb["user"]
    assert fb["app_id"] == "assistant"


def test_every_endpoint_emits_its_event(host: Host) -> None:
    a, b = host.show(text="A"), host.show(text="B")
    assert host.post("regenerate", {"token": a}).status_code == 200
    assert host.post("choice", {"token_a": a, "token_b": b, "preferred": "b"}).status_code == 200
    assert host.post("edit", {"token": a, "edited_text": "Four."}).status_code == 200
    assert host.post("feedback", {"token": a, "retract": True}).status_code == 200
    events = {e["type"]: e for e in host.events()}
    assert events["regenerate"]["response_id"] == a.response_id
    assert (events["choice"]["response_a"], events["choice"]["response_b"]) == (a.response_id, b.response_id)
    assert events["edit"]["edited_text"] == "Four." and events["edit"]["editor"] == "user"
    assert events["feedback"]["retract"] is True and "rating" not in events["feedback"]


def test_user_comes_from_the_host_never_from_the_body(host: Host) -> None:
    token = host.show()
    r = host.post("feedback", {"token": token, "rating": 1, "user": "mallory"})
    assert r.status_code == 422 and r.json["fields"][0]["field"] == "user"


def test_a_vote_on_someone_elses_response_is_refused(host: Host) -> None:
    token = host.show()  # shown to alice
    host.user = "mallory"
    r = host.post("feedback", {"token": token, "rating": -1})
    assert r.status_code == 403
    assert r.json["error"] == "invalid_token" and r.json["fields"][0]["field"] == "token"
    host.user = None
    assert host.post("feedback", {"token": token, "rating": -1}).status_code == 401
    assert [e["type"] for e in host.events()] == ["response"]
    assert (
        host.capture.metrics(app=host.app).value(
            "prefloop_capture_events_rejected_total", {"reason": "invalid_token"}
        )
        == 1
    )


def test_choice_across_conversations_is_refused(host: Host) -> None:
    a, b = host.show("conv-1"), host.show("conv-2")
    r = host.post("choice", {"token_a": a, "token_b": b, "preferred": "a"})
    assert r.status_code == 422 and r.json["fields"] == [
        {"field": "token_b", "reason": "must name a response of the same conversation as token_a"}
    ]


@pytest.mark.parametrize(
    ("body", "status", "field"),
    [
        ({"rating": 1}, 422, "token"),
        ({"token": "TOKEN", "rating": 5}, 422, "rating"),
        ({"token": "TOKEN"}, 422, "rating"),
        ({"token": "TOKEN", "rating": 1, "retract": True}, 422, "rating"),
        ({"token": "TOKEN", "rating": 1, "reason": "meh"}, 422, "reason"),
        ({"token": "TOKEN", "rating": 1, "idempotency_key": ""}, 422, "idempotency_key"),
        ({"token": "TOKEN", "rating": 1, "colour": "red"}, 422, "colour"),
        ({"token": "nope", "rating": 1}, 403, "token"),
    ],
)
def test_invalid_bodies_name_the_field(host: Host, body: dict[str, Any], status: int, field: str) -> None:
    token = host.show()
    body = {k: (token if v == "TOKEN" else v) for k, v in body.items()}
    r = host.post("feedback", body)
    assert r.status_code == status
    assert r.is_json and field in [f["field"] for f in r.json["fields"]]
    assert r.json["message"]


@pytest.mark.parametrize(
    ("data", "code"),
    [(b"not json", "not_json"), (b"[1,2]", "not_object"), (b"\xff\xfe", "not_json"), (b"", "not_json")],
)
def test_non_json_is_400(host: Host, data: bytes, code: str) -> None:
    r = host.client.post("/prefloop/feedback", data=data, content_type="application/json")
    assert r.status_code == 400 and r.json["error"] == code


def test_oversized_body_is_413(tmp_path: Path) -> None:
    h = Host(tmp_path, PREFLOOP_CAPTURE_MAX_BODY_BYTES=1_000)
    try:
        token = h.show()
        r = h.post("edit", {"token": token, "edited_text": "x" * 2_000})
        assert r.status_code == 413 and r.json["error"] == "too_large" and "1000" in r.json["message"]
        assert h.post("edit", {"token": token, "edited_text": "short"}).status_code == 200
    finally:
        h.capture.shutdown(app=h.app)


def test_rate_limit_is_per_user_and_says_when_to_retry(tmp_path: Path) -> None:
    h = Host(tmp_path, PREFLOOP_CAPTURE_RATE_LIMIT_PER_MINUTE=6, PREFLOOP_CAPTURE_RATE_LIMIT_BURST=2)
    try:
        token = h.show()
        codes = [h.post("feedback", {"token": token, "rating": 1}).status_code for _ in range(3)]
        assert codes == [200, 200, 429]
        r = h.post("feedback", {"token": token, "rating": 1})
        assert r.json["error"] == "rate_limited" and int(r.headers["Retry-After"]) >= 1
        h.user = "bob"
        assert h.post("feedback", {"token": h.show(), "rating": 1}).status_code == 200
    finally:
        h.capture.shutdown(app=h.app)


def test_repeated_idempotency_key_is_acknowledged_not_reemitted(host: Host) -> None:
    token = host.show()
    first = host.post("feedback", {"token": token, "rating": 1, "idempotency_key": "click-1"})
    again = host.post("feedback", {"token": token, "rating": 1, "idempotency_key": "click-1"})
    other = host.post("feedback", {"token": token, "rating": -1, "idempotency_key": "click-2"})
    assert again.status_code == 200 and again.json == {**first.json, "duplicate": True}
    assert other.json["duplicate"] is False
    feedback = [e for e in host.events() if e["type"] == "feedback"]
    assert [(e["idempotency_key"], e["rating"]) for e in feedback] == [("click-1", 1), ("click-2", -1)]
    assert host.capture.metrics(app=host.app).value("prefloop_capture_duplicate_clicks_total") == 1


def test_full_spool_answers_503_with_a_reason(tmp_path: Path) -> None:
    h = Host(tmp_path, PREFLOOP_CAPTURE_SPOOL_MAX_BYTES=2_000, PREFLOOP_CAPTURE_RATE_LIMIT_PER_MINUTE=0)
    try:
        token = h.show()
        statuses = [h.post("feedback", {"token": token, "rating": 1}).status_code for _ in range(30)]
        assert 503 in statuses
        accepted = statuses.index(503)
        assert set(statuses[:accepted]) == {200} and set(statuses[accepted:]) == {503}
        r = h.post("feedback", {"token": token, "rating": 1})
        assert r.json["error"] == "spool_full" and "budget" in r.json["detail"] and r.headers["Retry-After"]
        with h.app.test_request_context():  # the host's page still renders: an empty token, counted
            degraded = h.capture.response_shown(conversation_id="c", context=CONTEXT, text="t", model="m")
        assert degraded == "" and not degraded.recorded and degraded.reason == "spool_full"
        h.app.config["PREFLOOP_CAPTURE_STRICT"] = True  # read once at init_app: no effect now
        h.capture.core(h.app).settings.__dict__["strict"] = True  # strict mode raises instead
        with pytest.raises(SpoolFullError), h.app.test_request_context():
            h.capture.response_shown(conversation_id="c", context=CONTEXT, text="t", model="m")
        metrics = h.client.get("/prefloop/metrics").data.decode()
        assert 'prefloop_capture_degraded_total{reason="spool_full"} 1.0' in metrics
        assert "prefloop_capture_spool_full 1.0" in metrics
        assert 'prefloop_capture_events_rejected_total{reason="spool_full"}' in metrics
        assert len([e for e in h.events() if e["type"] == "feedback"]) == accepted  # none accepted lost
    finally:
        h.capture.shutdown(app=h.app)


def test_metrics_endpoint_and_its_switch(host: Host, tmp_path: Path) -> None:
    host.post("feedback", {"token": host.show(), "rating": 1})
    host.capture.flush(5, app=host.app)
    r = host.client.get("/prefloop/metrics")
    assert r.status_code == 200 and r.mimetype == "text/plain"
    text = r.data.decode()
    for name in (
        "events_accepted_total",
        "events_shipped_total",
        "spool_pending_bytes",
        "events_rejected_total",
    ):
        assert f"prefloop_capture_{name}" in text
    assert 'prefloop_capture_events_accepted_total{type="feedback"} 1.0' in text
    off = Host(tmp_path / "off", PREFLOOP_CAPTURE_METRICS_ENDPOINT=False)
    try:
        assert off.client.get("/prefloop/metrics").status_code == 404
    finally:
        off.capture.shutdown(app=off.app)


def test_the_browser_helper_is_served(host: Host) -> None:
    with host.client.get("/prefloop/static/prefloop.js") as r:
        assert r.status_code == 200 and b"window.prefloop" in r.data
    with host.app.test_request_context():
        tag = render_template_string("{{ prefloop_script() }}")
    assert (
        tag == '<script src="/prefloop/static/prefloop.js" data-prefloop-endpoint="/prefloop" defer></script>'
    )


def test_extension_shape(tmp_path: Path) -> None:
    capture = FeedbackCapture()
    assert not hasattr(capture, "app")
    app = Flask("one")
    app.config.update(SECRET_KEY="s", PREFLOOP_CAPTURE_SPOOL_DIR=str(tmp_path / "a"))
    capture.init_app(app)
    try:
        assert "prefloop" in app.extensions
        assert app.config["PREFLOOP_CAPTURE_DURABILITY"] == "interval"  # defaults filled with setdefault
        with pytest.raises(RuntimeError, match=r"already registered.*init_app once per app"):
            capture.init_app(app)
        other = Flask("two")  # one extension object, two apps, separate state and registries
        other.config.update(SECRET_KEY="s", PREFLOOP_CAPTURE_SPOOL_DIR=str(tmp_path / "b"))
        capture.init_app(other)
        assert capture.core(app) is not capture.core(other)
        assert capture.metrics(app).registry is not capture.metrics(other).registry
        capture.shutdown(app=other)
    finally:
        capture.shutdown(app=app)


def test_unknown_and_invalid_settings_fail_at_init_app(tmp_path: Path) -> None:
    app = Flask("x")
    app.config.update(
        SECRET_KEY="s",
        PREFLOOP_CAPTURE_SPOOL_DIR=str(tmp_path),
        PREFLOOP_CAPTURE_KAFKA_SERVERS="h:1",
        PREFLOOP_CAPTURE_DURABLE="yes",
    )
    with pytest.raises(ConfigError) as info:
        FeedbackCapture(app)
    assert "PREFLOOP_CAPTURE_DURABLE, PREFLOOP_CAPTURE_KAFKA_SERVERS" in str(info.value)
    assert "prefloop" not in app.extensions
    bad = Flask("y")
    bad.config.update(
        SECRET_KEY="s", PREFLOOP_CAPTURE_SPOOL_DIR=str(tmp_path), PREFLOOP_CAPTURE_DURABILITY="maybe"
    )
    with pytest.raises(ConfigError, match="PREFLOOP_CAPTURE_DURABILITY"):
        FeedbackCapture(bad)
    sender = Flask("s")
    sender.config.update(
        SECRET_KEY="s", PREFLOOP_CAPTURE_SPOOL_DIR=str(tmp_path), PREFLOOP_CAPTURE_SENDER="fork"
    )
    with pytest.raises(ConfigError, match="PREFLOOP_CAPTURE_SENDER"):
        FeedbackCapture(sender)
    nosecret = Flask("z")
    nosecret.config.update(PREFLOOP_CAPTURE_SPOOL_DIR=str(tmp_path))
    with pytest.raises(ConfigError, match="SECRET_KEY"):
        FeedbackCapture(nosecret)


def test_response_shown_on_an_app_without_init_app_says_so(host: Host) -> None:
    other = Flask("other")
    with other.test_request_context(), pytest.raises(RuntimeError, match="init_app"):
        host.capture.response_shown(conversation_id="c", context=CONTEXT, text="t", model="m")


def test_response_shown_outside_an_app_context_says_so(host: Host) -> None:
    with pytest.raises(RuntimeError, match="application context"):
        host.capture.response_shown(conversation_id="c", context=CONTEXT, text="t", model="m")


def test_response_shown_validates_on_the_calling_thread_and_raises_in_strict_mode(tmp_path: Path) -> None:
    host = Host(tmp_path, PREFLOOP_CAPTURE_STRICT=True)
    with pytest.raises(EventValidationError) as info:
        host.show(conversation="bad id with spaces")
    assert info.value.errors[0].path == "conversation_id"
    host.user = None
    with pytest.raises(NoUserError):
        host.show()
    token = host.show(user="carol")  # an explicit user overrides the loader
    assert token.conversation_id == "conv-1"
    host.capture.shutdown(app=host.app)


def test_by_default_response_shown_never_raises_and_counts_why(host: Host, caplog: Any) -> None:
    bad = host.show(conversation="bad id with spaces")
    host.user = None
    nobody = host.show()
    host.user = "alice"
    assert (bad, nobody) == ("", "") and (bad.reason, nobody.reason) == ("invalid", "no_user")
    assert not bad.recorded and host.show(user="carol").recorded
    assert bad.response_id and bad.response_id != nobody.response_id  # unique: a host may key state by it
    assert nobody.conversation_id == "conv-1" and bad.event_id == ""
    for _ in range(20):
        host.show(conversation="bad id with spaces")
    metrics = host.capture.metrics(app=host.app)
    assert metrics.value("prefloop_capture_degraded_total", {"reason": "invalid"}) == 21
    assert len([r for r in caplog.records if "did not record" in r.getMessage()]) == 1  # once per interval
    status = host.client.get("/prefloop/status").json
    assert status["status"] == "degraded" and status["degraded"]["counts"] == {"invalid": 21, "no_user": 1}
