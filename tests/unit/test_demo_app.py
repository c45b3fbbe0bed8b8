"""The example assistant app (capture/example): chat page markup, chat API, regenerate, and the events capture
records for them."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from prefloop.capture.example import CannedResponder, create_app


@pytest.fixture()
def app(tmp_path: Path) -> Iterator[Flask]:
    app = create_app({"SECRET_KEY": "test", "PREFLOOP_CAPTURE_SPOOL_DIR": str(tmp_path / "spool")})
    yield app
    app.extensions["example_capture"].shutdown(app=app)


def spooled(app: Flask, tmp_path: Path) -> list[dict[str, object]]:
    assert app.extensions["example_capture"].flush(5.0, app=app)
    return [
        json.loads(line)
        for seg in sorted((tmp_path / "spool").glob("*/*.jsonl"))
        for line in seg.read_text().splitlines()
    ]


def test_the_page_wires_prefloop_js_and_the_buttons(app: Flask) -> None:
    html = app.test_client().get("/").get_data(as_text=True)
    assert 'src="/prefloop/static/prefloop.js" data-prefloop-endpoint="/prefloop"' in html
    for attribute in (
        'data-prefloop-vote="up"',
        'data-prefloop-vote="down"',
        "data-prefloop-regenerate",
        "data-prefloop-choice",
        'data-prefloop-prefer="a"',
        "data-prefloop-edit",
    ):
        assert attribute in html
    script = app.test_client().get("/static/chat.js")
    assert script.status_code == 200 and b"/api/regenerate" in script.data
    script.close()


def test_chat_regenerate_and_feedback_are_recorded(app: Flask, tmp_path: Path) -> None:
    client = app.test_client()
    client.get("/")
    history = [{"role": "user", "content": "hello"}, {"role": "assistant", "content": "hi, how can I help?"}]
    first = client.post("/api/chat", json={"message": "Sort a list?", "history": history}).get_json()
    assert first["text"] == CannedResponder()(
        [{"role": "user", "content": "Sort a list?"}], 0, first["conversation_id"]
    )
    second = client.post(
        "/api/regenerate",
        json={"conversation_id": first["conversation_id"], "response_id": first["response_id"]},
    ).get_json()
    assert second["text"] != first["text"] and second["conversation_id"] == first["conversation_id"]
    vote = client.post("/prefloop/feedback", json={"token": second["token"], "rating": 1})
    assert vote.status_code == 200, vote.get_json()
    events = spooled(app, tmp_path)
    responses = [e for e in events if e["type"] == "response"]
    assert [r["text"] for r in responses] == [first["text"], second["text"]]
    assert responses[0]["context"] == [*history, {"role": "user", "content": "Sort a list?"}]
    assert responses[1]["regenerates"] == first["response_id"]
    assert responses[1]["context"] == responses[0]["context"]
    (fb,) = [e for e in events if e["type"] == "feedback"]
    assert fb["response_id"] == second["response_id"] and fb["rating"] == 1
    assert fb["user"] == responses[0]["user"] and str(fb["user"]).startswith("u_")


def test_a_conversation_belongs_to_its_user(app: Flask) -> None:
    alice, bob = app.test_client(), app.test_client()
    alice.get("/")
    bob.get("/")
    answer = alice.post("/api/chat", json={"message": "hi", "conversation_id": "conv-1"}).get_json()
    assert bob.post("/api/chat", json={"message": "mine now", "conversation_id": "conv-1"}).status_code == 403
    regen = {"conversation_id": "conv-1", "response_id": answer["response_id"]}
    assert bob.post("/api/regenerate", json=regen).status_code == 403
    # a token is bound to the user it was shown to: capture refuses bob's vote with alice's token
    assert bob.post("/prefloop/feedback", json={"token": answer["token"], "rating": -1}).status_code == 403


def test_the_api_refuses_bad_input_with_reasons(app: Flask) -> None:
    client: FlaskClient = app.test_client()
    assert client.post("/api/chat", data="nope").status_code == 400
    assert "non-empty" in client.post("/api/chat", json={"message": "  "}).get_json()["error"]
    assert client.post("/api/chat", json={"message": "x", "history": [{"role": "robot"}]}).status_code == 400
    assert client.post("/api/chat", json={"message": "x", "conversation_id": "bad id!"}).status_code == 400
    first = client.post("/api/chat", json={"message": "x", "conversation_id": "c2"}).get_json()
    late = client.post(
        "/api/chat",
        json={"message": "y", "conversation_id": "c2", "history": [{"role": "user", "content": "z"}]},
    )
    assert late.status_code == 400 and "only when a conversation starts" in late.get_json()["error"]
    unknown = client.post("/api/regenerate", json={"conversation_id": "c2", "response_id": "nope"})
    assert unknown.status_code == 404
    assert first["conversation_id"] == "c2"


@pytest.mark.parametrize("path", ["/api/chat", "/api/regenerate"])
def test_a_body_nested_past_the_bound_is_refused_not_a_500(app: Flask, path: str) -> None:
    client = app.test_client()
    for deep in ("[" * 100_000 + "]" * 100_000, '{"a":' * 50_000 + "1" + "}" * 50_000):
        reply = client.post(path, data=deep, content_type="application/json")
        assert reply.status_code == 400 and reply.is_json


_JSONISH = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
    max_leaves=30,
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    body=st.binary(max_size=2_000)
    | _JSONISH.map(lambda v: json.dumps(v).encode())
    | st.fixed_dictionaries({"message": st.text(min_size=1)}, optional={"history": _JSONISH}).map(
        lambda v: json.dumps(v).encode()
    ),
    path=st.sampled_from(["/api/chat", "/api/regenerate"]),
)
def test_any_body_gets_an_answer_below_500(app: Flask, body: bytes, path: str) -> None:
    reply = app.test_client().post(path, data=body, content_type="application/json")
    assert reply.status_code < 500 and reply.is_json
