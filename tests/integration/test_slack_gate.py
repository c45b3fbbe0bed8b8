"""Every request the bot cannot trust gets a clear 4xx, never a 500 or a traceback: unsigned, stale, forged,
replayed, malformed form or JSON, non-UTF-8, missing fields, wrong types. Driven over HTTP against the real bolt
app and the Slack emulator; the properties run with hypothesis."""

from __future__ import annotations

import copy
import hashlib
import hmac
import http.client
import json
import logging
import time
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlencode, urlsplit

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import func, select

from prefloop.curator.settings import Settings
from prefloop.curator.store import Store
from prefloop.curator.store.models import AuditEntry, Vote
from prefloop.slackbot.simulate import (
    EmulatedBot,
    PostedPair,
    SignedClient,
    block_action,
    event_callback,
    slash_command,
    start_emulated_bot,
)

pytestmark = pytest.mark.integration

SECRET = "gate-test-signing-secret"
POST = PostedPair("C00000001", "1700000000.000100", "p-unknown")


def _running_bot(url: str) -> Iterator[EmulatedBot]:
    settings = Settings.load({}, database_url=url, slack_channel="#prefloop-review")
    store = Store(url)
    running = start_emulated_bot(settings, store, reviewers=["U1", "U2"], signing_secret=SECRET)
    yield running
    running.stop()
    store.dispose()


@pytest.fixture()
def gate_bot(sqlite_url: str) -> Iterator[EmulatedBot]:
    yield from _running_bot(sqlite_url)


@pytest.fixture()
def gate_bot_pg(postgres_url: str) -> Iterator[EmulatedBot]:
    """The same bot on PostgreSQL, which refuses NUL in text (SQLite stores it)."""
    yield from _running_bot(postgres_url)


def _raw(bot: EmulatedBot, body: bytes, headers: dict[str, str]) -> tuple[int, str, bytes]:
    parts = urlsplit(bot.url)
    conn = http.client.HTTPConnection(parts.hostname or "127.0.0.1", parts.port, timeout=10)
    try:
        conn.request("POST", "/slack/events", body=body, headers=headers)
        response = conn.getresponse()
        return response.status, response.getheader("Content-Type") or "", response.read()
    finally:
        conn.close()


def _signed_headers(body: bytes, content_type: str, timestamp: str | None = None) -> dict[str, str]:
    ts = timestamp or str(int(time.time()))
    digest = hmac.new(SECRET.encode(), f"v0:{ts}:".encode() + body, hashlib.sha256).hexdigest()
    return {
        "X-Slack-Request-Timestamp": ts,
        "X-Slack-Signature": f"v0={digest}",
        "Content-Type": content_type,
    }


def _assert_clear_4xx(status: int, content_type: str, body: bytes) -> None:
    assert 400 <= status < 500, (status, body[:200])
    if body:
        assert content_type.startswith("application/json")
        assert json.loads(body)["ok"] is False


def _no_traceback(caplog: pytest.LogCaptureFixture) -> None:
    for record in caplog.records:
        assert record.exc_info is None, record.getMessage()
        assert "Traceback" not in record.getMessage()


def _audits(bot: EmulatedBot, action: str) -> int:
    with bot.bot.store.session() as s:
        return int(
            s.scalar(select(func.count()).select_from(AuditEntry).where(AuditEntry.action == action)) or 0
        )


# -- the cases the issue names -----------------------------------------------------------------------------
UNSIGNED = [
    (b"payload={not json", "application/x-www-form-urlencoded", {}),
    (b"[1, 2, 3]", "application/json", {}),
    (b"payload=\xff\xfe\x80", "application/x-www-form-urlencoded", {}),
    (b"{}", "application/json", {"X-Slack-Request-Timestamp": "soon", "X-Slack-Signature": "v0=00"}),
    (b"{}", "application/json", {"X-Slack-Request-Timestamp": "", "X-Slack-Signature": ""}),
]


@pytest.mark.parametrize(("body", "content_type", "extra"), UNSIGNED)
def test_unsigned_garbage_gets_401_json_and_no_traceback(
    gate_bot: EmulatedBot,
    caplog: pytest.LogCaptureFixture,
    body: bytes,
    content_type: str,
    extra: dict[str, str],
) -> None:
    caplog.set_level(logging.INFO)
    status, ctype, answer = _raw(gate_bot, body, {"Content-Type": content_type, **extra})
    assert status == 401
    _assert_clear_4xx(status, ctype, answer)
    _no_traceback(caplog)
    assert _audits(gate_bot, "request_malformed") == 0  # unsigned: nobody to hold to account, nothing stored


def _without(payload: dict[str, Any], *path: str | int) -> dict[str, Any]:
    out = copy.deepcopy(payload)
    node: Any = out
    for key in path[:-1]:
        node = node[key]
    del node[path[-1]]
    return out


def _with(payload: dict[str, Any], value: Any, *path: str | int) -> dict[str, Any]:
    out = copy.deepcopy(payload)
    node: Any = out
    for key in path[:-1]:
        node = node[key]
    node[path[-1]] = value
    return out


VOTE = block_action("U1", POST, "a")
SIGNED_MALFORMED = [
    ("missing user", _without(VOTE, "user")),
    ("empty actions", _with(VOTE, [], "actions")),
    ("string state", _with(VOTE, "x", "state")),
    ("user id a number", _with(VOTE, 42, "user", "id")),
    ("actions not a list", _with(VOTE, {"action_id": "vote_a"}, "actions")),
    ("action_ts missing", _without(VOTE, "actions", 0, "action_ts")),
    ("channel a list", _with(VOTE, [1], "channel")),
    ("team a number", _with(VOTE, 7, "team")),
    # text Slack never sends and neither UTF-8 nor PostgreSQL can hold (found by a black-box sweep on PostgreSQL:
    # 500 with a traceback, or 503 "the store cannot take it", before the gate looked at strings)
    ("user id a NUL", _with(VOTE, "\x00", "user", "id")),
    ("user id a lone surrogate", _with(VOTE, "\ud800", "user", "id")),
    ("message_ts a lone surrogate", _with(VOTE, "\ud800", "container", "message_ts")),
    ("channel_id a lone surrogate", _with(VOTE, "\udfff", "container", "channel_id")),
    ("button value with a NUL", _with(VOTE, "p\x00", "actions", 0, "value")),
    ("button value a lone surrogate", _with(VOTE, "\ud800", "actions", 0, "value")),
    ("a key with a NUL", _with(VOTE, 1, "k\x00")),
    ("action_id 100k characters", _with(VOTE, "x" * 100_000, "actions", 0, "action_id")),
    ("type 100k characters", _with(VOTE, "x" * 100_000, "type")),
]


@pytest.mark.parametrize(("case", "payload"), SIGNED_MALFORMED, ids=[c for c, _ in SIGNED_MALFORMED])
def test_signed_malformed_payload_gets_400_and_an_audit_line(
    gate_bot: EmulatedBot, caplog: pytest.LogCaptureFixture, case: str, payload: dict[str, Any]
) -> None:
    caplog.set_level(logging.INFO)
    status, body = SignedClient(gate_bot.url, SECRET).action(payload)
    assert status == 400, (case, body)
    assert json.loads(body)["error"] == "malformed_payload"
    assert _audits(gate_bot, "request_malformed") == 1
    _no_traceback(caplog)
    with gate_bot.bot.store.session() as s:
        assert s.scalar(select(func.count()).select_from(Vote)) == 0


def test_unstorable_text_deep_nesting_and_odd_users_get_400_on_postgresql(
    gate_bot_pg: EmulatedBot, caplog: pytest.LogCaptureFixture
) -> None:
    """On PostgreSQL (which refuses NUL) every signed request with text it cannot store is refused by the gate
    with an audit line, not answered 503 or 500; a signed body nested past the bound is refused before parsing."""
    caplog.set_level(logging.INFO)
    client = SignedClient(gate_bot_pg.url, SECRET)
    hostile = [payload for case, payload in SIGNED_MALFORMED if "NUL" in case or "surrogate" in case]
    for payload in hostile:
        status, body = client.action(payload)
        assert status == 400 and json.loads(body)["error"] == "malformed_payload", body
    for user in ("\x00", "U" * 20_000):
        status, body = client.command(slash_command(user, "agreement"))
        assert status == 400, body
    for body, ctype in (
        (urlencode({"payload": "[" * 5_000 + "]" * 5_000}), "application/x-www-form-urlencoded"),
        ('{"type": "block_actions", "x": ' + "[" * 100_000 + "]" * 100_000 + "}", "application/json"),
    ):
        status, answer = client.send(body, ctype)
        assert status == 400 and json.loads(answer)["error"] == "malformed_body", answer
    assert _audits(gate_bot_pg, "request_malformed") == len(hostile) + 4
    with gate_bot_pg.bot.store.session() as s:
        users = set(s.scalars(select(AuditEntry.actor).where(AuditEntry.action == "request_malformed")))
    assert users <= {"U1", "unknown"}  # never the payload's raw text
    _no_traceback(caplog)


def test_an_app_home_event_without_a_usable_user_is_answered_and_ignored(
    gate_bot: EmulatedBot, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    client = SignedClient(gate_bot.url, SECRET)
    for event in ({"type": "app_home_opened"}, {"type": "app_home_opened", "user": {"id": "U1"}}):
        status, answer = client.event(event_callback(event))
        assert status in (200, 400), answer
    assert not [c for c in gate_bot.emulator.calls if c.method == "views.publish"]
    _no_traceback(caplog)


def test_signed_bodies_that_are_not_slack_payloads(
    gate_bot: EmulatedBot, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    client = SignedClient(gate_bot.url, SECRET)
    for body, ctype in (
        ("payload={not json", "application/x-www-form-urlencoded"),
        ("[1, 2]", "application/json"),
        (json.dumps({"type": "event_callback", "event": "x"}), "application/json"),
        (
            urlencode({"command": "/prefloop", "text": "queue"}),
            "application/x-www-form-urlencoded",
        ),  # no user
    ):
        status, answer = client.send(body, ctype)
        assert status == 400 and json.loads(answer)["ok"] is False, (body, answer)
    raw = b"payload=\xff\xfe"
    status, ctype, answer = _raw(gate_bot, raw, _signed_headers(raw, "application/x-www-form-urlencoded"))
    assert status == 400 and json.loads(answer)["error"] == "not_utf8"
    assert _audits(gate_bot, "request_malformed") == 5
    _no_traceback(caplog)


def test_wrong_method_and_oversized_bodies_answer_json(gate_bot: EmulatedBot) -> None:
    parts = urlsplit(gate_bot.url)
    conn = http.client.HTTPConnection(parts.hostname or "127.0.0.1", parts.port, timeout=10)
    conn.request("GET", "/slack/events")
    response = conn.getresponse()
    assert response.status == 405 and json.loads(response.read())["ok"] is False
    conn.close()
    big = b"x" * (2 << 20)
    status, ctype, answer = _raw(gate_bot, big, {"Content-Type": "application/json"})
    _assert_clear_4xx(status, ctype, answer)


# -- properties ---------------------------------------------------------------------------------------------
_ANY_TEXT = st.text(alphabet=st.characters(exclude_categories=()), max_size=20)  # lone surrogates and NUL too
_JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | _ANY_TEXT,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner, max_size=4),
    max_leaves=12,
)
_BODIES = st.one_of(
    st.binary(max_size=300),
    st.text(max_size=200).map(lambda t: t.encode("utf-8")),
    _JSON.map(lambda v: json.dumps(v).encode()),
    _JSON.map(lambda v: urlencode({"payload": json.dumps(v)}).encode()),
    st.text(max_size=80).map(lambda t: urlencode({"payload": t}).encode()),
)
_CTYPES = st.sampled_from(["application/json", "application/x-www-form-urlencoded", "text/plain", ""])


@given(
    body=_BODIES,
    ctype=_CTYPES,
    timestamp=st.one_of(st.none(), st.text(max_size=12), st.integers(-(10**12), 10**13).map(str)),
    signature=st.one_of(st.none(), st.text(max_size=70), st.just("v0=" + "0" * 64)),
)
def test_property_unsigned_or_forged_requests_get_401(
    gate_bot: EmulatedBot,
    caplog: pytest.LogCaptureFixture,
    body: bytes,
    ctype: str,
    timestamp: str | None,
    signature: str | None,
) -> None:
    headers = {"Content-Type": ctype} if ctype else {}
    for name, value in (("X-Slack-Request-Timestamp", timestamp), ("X-Slack-Signature", signature)):
        if value is not None and value.isprintable() and value.isascii():
            headers[name] = value
    status, content_type, answer = _raw(gate_bot, body, headers)
    assert status == 401
    _assert_clear_4xx(status, content_type, answer)
    _no_traceback(caplog)


@given(body=_BODIES, ctype=_CTYPES, age=st.sampled_from([0, 330, -330, 10**6]))
def test_property_signed_garbage_is_never_a_500(
    gate_bot: EmulatedBot, caplog: pytest.LogCaptureFixture, body: bytes, ctype: str, age: int
) -> None:
    headers = _signed_headers(body, ctype, str(int(time.time()) - age))
    status, content_type, answer = _raw(gate_bot, body, headers)
    if age:
        assert status == 401  # stale (or from the future): a replay window of 5 minutes
    assert status < 500, answer[:200]
    if status >= 400:
        _assert_clear_4xx(status, content_type, answer)
    _no_traceback(caplog)


_PATHS: list[tuple[str | int, ...]] = [
    ("user",),
    ("user", "id"),
    ("actions",),
    ("actions", 0),
    ("actions", 0, "action_id"),
    ("actions", 0, "action_ts"),
    ("actions", 0, "value"),
    ("state",),
    ("state", "values"),
    ("channel",),
    ("channel", "id"),
    ("container",),
    ("message",),
    ("message", "blocks"),
    ("trigger_id",),
    ("team",),
    ("type",),
]


@given(path=st.sampled_from(_PATHS), value=st.one_of(st.just("<delete>"), _JSON))
def test_property_signed_vote_with_a_missing_or_mistyped_field(
    gate_bot: EmulatedBot, caplog: pytest.LogCaptureFixture, path: tuple[str | int, ...], value: Any
) -> None:
    payload = _without(VOTE, *path) if value == "<delete>" else _with(VOTE, value, *path)
    before = _audits(gate_bot, "request_malformed")
    status, answer = SignedClient(gate_bot.url, SECRET).action(payload)
    assert status in (200, 400, 404), answer  # accepted, refused as malformed, or a kind bolt does not handle
    if status == 400:
        assert json.loads(answer)["ok"] is False
        assert _audits(gate_bot, "request_malformed") == before + 1
    _no_traceback(caplog)


@given(
    event=st.dictionaries(
        st.sampled_from(["type", "user", "channel", "ts", "thread_ts", "text", "tab", "subtype", "bot_id"]),
        _JSON,
        max_size=6,
    ),
    field=st.sampled_from(["text", "user_id", "command", "response_url"]),
    value=st.text(max_size=30),
)
def test_property_signed_events_and_commands_with_odd_fields(
    gate_bot: EmulatedBot, caplog: pytest.LogCaptureFixture, event: dict[str, Any], field: str, value: str
) -> None:
    client = SignedClient(gate_bot.url, SECRET)
    status, answer = client.event(event_callback(event))
    assert status in (200, 400, 404), answer
    command = slash_command("U1", "queue") | {field: value}
    status, answer = client.command(command)
    assert status in (200, 400, 404), answer
    _no_traceback(caplog)
