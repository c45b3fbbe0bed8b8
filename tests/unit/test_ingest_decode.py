"""The decode fast path (one-pass JSON validation) agrees with the reference path on every input."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from prefloop.curator.ingest import RawRecord, decode_records
from prefloop.curator.ingest.decode import EARLIEST_OCCURRED_AT, MAX_CLOCK_SKEW, Decoded
from prefloop.schemas.errors import EventValidationError
from prefloop.schemas.events import parse_event
from tests.factories import EventFactory


def reference(value: bytes) -> tuple[str, Any]:
    """What decoding did before the fast path: ``json.loads`` then ``parse_event`` (its errors as they are)."""
    try:
        data = json.loads(value)
    except (UnicodeDecodeError, ValueError):
        data = None
    try:
        event = parse_event(data if isinstance(data, dict) else value)
    except EventValidationError as exc:
        return "dead", (exc.code, str(exc), [e.to_dict() for e in exc.errors])
    return "ok", (type(event).__name__, event.model_dump())


def decoded(value: bytes) -> tuple[str, Any]:
    good, dead = decode_records([RawRecord(value, source="t@0")])
    if dead:
        return "dead", (dead[0].code, dead[0].reason, dead[0].fields)
    return "ok", (type(good[0].event).__name__, good[0].event.model_dump())


def _events() -> list[dict[str, Any]]:
    f = EventFactory()
    r = f.response(text="Use xs.reverse() — or xs[::-1]\u00a0 for a copy.", response_id="r1")
    return [
        r,
        f.feedback("r1", rating=-1, reason="incorrect"),
        f.regenerate("r1"),
        f.choice("r1", "r2", "a"),
        f.edit("r1", "A better answer."),
    ]


def _variants() -> list[bytes]:
    base = _events()
    r = base[0]
    out = [json.dumps(e).encode() for e in base]
    out += [json.dumps(e, ensure_ascii=False).encode() for e in base]
    out += [
        b"\xef\xbb\xbf" + json.dumps(r).encode(),  # UTF-8 BOM: json.loads(bytes) accepts it
        json.dumps(r).encode("utf-16"),  # json.loads(bytes) detects UTF-16
        json.dumps({**r, "schema_version": 2}).encode(),
        json.dumps({**r, "schema_version": True}).encode(),
        json.dumps({**r, "type": "nope"}).encode(),
        json.dumps({**r, "text": 5}).encode(),
        json.dumps({**r, "occurred_at": "2026-11-01T12:00:00"}).encode(),
        json.dumps({**r, "extra": {"nested": [None, True, 1.5]}}).encode(),
        json.dumps({**base[1], "rating": 1.0}).encode(),
        json.dumps({**base[1], "rating": True}).encode(),
        json.dumps({**base[1], "retract": "true", "rating": None}).encode(),
        json.dumps({**base[3], "preferred": "b", "response_b": "r1"}).encode(),
        json.dumps(r).encode()[:-1] + b', "text": "dup key"}',
        b'{"type": "response"',
        b"[1, 2]",
        b"\xff\xfe garbage",
        b"",
    ]
    return out


@pytest.mark.parametrize("value", _variants())
def test_fast_path_agrees_with_the_reference_path(value: bytes) -> None:
    assert decoded(value) == reference(value)


def test_payload_is_the_received_object_with_unknown_fields() -> None:
    r = {**_events()[0], "extra": {"kept": [1, "two"]}}
    good, dead = decode_records([RawRecord(json.dumps(r).encode(), source="t@0")])
    assert not dead
    assert good[0].payload == r
    assert good[0].text is not None and json.loads(good[0].text) == r


def test_payload_with_escapes_the_store_cannot_keep_has_no_text() -> None:
    r = {**_events()[0], "text": "nul \x00 here", "lone \ud800": "key"}
    good, _ = decode_records([RawRecord(json.dumps(r).encode(), source="t@0")])
    assert good[0].text is None
    assert good[0].payload["text"] == good[0].event.text == "nul \ufffd here"
    assert good[0].payload["lone \ufffd"] == "key"


@pytest.mark.parametrize(
    "generation",
    [{"temperature": float("nan"), "x": [1, 2]}, {"temperature": 0.7, "vendor": {"a": 1e400}}],
)
def test_numbers_json_does_not_have_are_refused(generation: dict[str, Any]) -> None:
    value = json.dumps({**_events()[0], "generation": generation}).encode()
    assert b"NaN" in value or b"Infinity" in value
    good, dead = decode_records([RawRecord(value, source="t@0")])
    assert not good and dead[0].code == "not_json" and "finite" in dead[0].reason


def test_an_out_of_range_number_in_provider_settings_is_refused() -> None:
    value = json.dumps(_events()[0])[:-1] + ', "generation": {"vendor": [1e400]}}'
    good, dead = decode_records([RawRecord(value.encode(), source="t@0")])
    assert not good and dead[0].code == "not_json" and "1e400" in dead[0].reason


@pytest.mark.parametrize("value", [b"[" * 100_000, b'{"a":' * 100_000 + b"1" + b"}" * 100_000])
def test_deep_nesting_is_refused_before_parsing(value: bytes) -> None:
    good, dead = decode_records([RawRecord(value, source="t@0")])
    assert not good and dead[0].code == "too_deep"


def test_decoded_needs_a_payload_or_its_text() -> None:
    with pytest.raises(ValueError, match="payload or its JSON text"):
        Decoded(object(), None, "t@0")


def _dated(when: datetime) -> bytes:
    return json.dumps({**_events()[1], "occurred_at": when.isoformat().replace("+00:00", "Z")}).encode()


@pytest.mark.parametrize(
    ("when", "why"),
    [
        (datetime(9999, 12, 31, 23, 59, tzinfo=UTC), "ahead of the curator's clock"),
        (datetime(1, 1, 1, tzinfo=UTC), "before 2000-01-01"),
        (datetime(1999, 12, 31, 23, 59, 59, tzinfo=UTC), "before 2000-01-01"),
        (
            None,
            "ahead of the curator's clock",
        ),  # a day and five minutes ahead of now, taken when the test runs
    ],
)
def test_an_event_dated_outside_the_plausible_range_is_dead_lettered(when: datetime | None, why: str) -> None:
    """A forged date would escape the raw-text purge (9999 is never "older than 30 days") and every release."""
    if when is None:
        when = datetime.now(UTC) + MAX_CLOCK_SKEW + timedelta(minutes=5)
    good, dead = decode_records([RawRecord(_dated(when), source="t@0")])
    assert not good
    assert dead[0].code == "bad_time" and why in dead[0].reason and "clock" in dead[0].reason
    assert dead[0].fields[0]["field"] == "occurred_at"


@given(
    st.datetimes(
        min_value=datetime(1, 1, 2),
        max_value=datetime(9999, 12, 30),
        timezones=st.sampled_from([UTC, timezone(timedelta(hours=14)), timezone(timedelta(hours=-12))]),
    )
)
def test_any_date_is_stored_exactly_when_it_is_plausible(when: datetime) -> None:
    now = datetime.now(UTC)
    good, dead = decode_records([RawRecord(_dated(when), source="t@0")])
    at = when.astimezone(UTC)
    if EARLIEST_OCCURRED_AT <= at <= now:
        assert [d.event.occurred_at for d in good] == [at] and not dead
    elif at < EARLIEST_OCCURRED_AT or at > now + MAX_CLOCK_SKEW + timedelta(seconds=5):
        assert not good and dead[0].code == "bad_time"


def test_a_host_clock_a_few_hours_fast_is_still_accepted() -> None:
    good, dead = decode_records([RawRecord(_dated(datetime.now(UTC) + timedelta(hours=3)), source="t@0")])
    assert len(good) == 1 and not dead
