"""The v1 event contracts: valid events parse, every kind of bad input gets a precise error, and the
committed JSON Schema files match the code and keep v1's compatibility rule."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from prefloop.schemas import EventValidationError, parse_event
from prefloop.schemas.events import MAX_EVENT_BYTES, MAX_TEXT_CHARS
from prefloop.schemas.export import JSON_DIR, render_all
from tests.factories import EventFactory

F = EventFactory()


@pytest.mark.parametrize(
    "event",
    [
        F.response(),
        F.feedback("r1", 1),
        F.feedback("r1", -1, reason="incorrect", comment="wrong year"),
        F.feedback("r1", None, retract=True),
        F.regenerate("r1"),
        F.choice("r1", "r2", "a"),
        F.choice("r1", "r2", "tie"),
        F.edit("r1", "The corrected answer."),
    ],
    ids=lambda e: e["type"],
)
def test_valid_events_round_trip(event: dict[str, Any]) -> None:
    parsed = parse_event(json.dumps(event).encode())
    assert parsed.type == event["type"]
    assert parsed.event_id == event["event_id"]
    again = parse_event(parsed.to_json())
    assert again == parsed
    assert again.occurred_at.utcoffset().total_seconds() == 0


def _errors(data: Any) -> EventValidationError:
    with pytest.raises(EventValidationError) as info:
        parse_event(data)
    return info.value


@pytest.mark.parametrize(
    ("mutate", "code", "path", "reason_part"),
    [
        (lambda e: e.pop("user"), "invalid", "user", "required"),
        (lambda e: e.update(event_id="not-a-uuid"), "invalid", "event_id", "UUID"),
        (
            lambda e: e.update(event_id="6ba7b810-9dad-11d1-80b4-00c04fd430c8"),
            "invalid",
            "event_id",
            "version 1",
        ),
        (lambda e: e.update(occurred_at="2026-10-05T12:00:00"), "invalid", "occurred_at", "timezone"),
        (lambda e: e.update(type="like"), "unknown_type", "type", "unknown event type 'like'"),
        (lambda e: e.update(schema_version=2), "unsupported_version", "schema_version", "newer"),
        (lambda e: e.update(schema_version=0), "invalid", "schema_version", "must be 1"),
        (lambda e: e.update(text="x" * (MAX_TEXT_CHARS + 1)), "invalid", "text", "at most"),
        (lambda e: e.update(context=[]), "invalid", "context", "at least 1"),
        (
            lambda e: e.update(context=[{"role": "assistant", "content": "hi"}]),
            "invalid",
            "",
            "end with the user",
        ),
        (lambda e: e["context"][0].update(role="robot"), "invalid", "context.0.role", "system"),
        (lambda e: e.update(conversation_id="has space"), "invalid", "conversation_id", "pattern"),
        (lambda e: e["generation"].update(top_p=3), "invalid", "generation.top_p", "less than or equal"),
    ],
)
def test_bad_response_events_name_field_and_reason(
    mutate: Any, code: str, path: str, reason_part: str
) -> None:
    event = F.response()
    mutate(event)
    err = _errors(json.dumps(event))
    assert err.code == code
    assert any(e.path == path and reason_part in e.reason for e in err.errors), err.errors


def test_feedback_needs_rating_unless_retract() -> None:
    err = _errors(F.feedback("r1", None))
    assert "rating is required" in str(err)
    err = _errors(F.feedback("r1", 1, retract=True))
    assert "retract carries no rating" in str(err)
    err = _errors(F.feedback("r1", 5))
    assert err.errors[0].path == "rating"


def test_feedback_reason_is_from_the_vocabulary() -> None:
    err = _errors(F.feedback("r1", -1, reason="meh"))
    assert err.errors[0].path == "reason" and "incorrect" in err.errors[0].reason


def test_choice_needs_two_distinct_responses() -> None:
    assert "different responses" in str(_errors(F.choice("r1", "r1", "a")))


@pytest.mark.parametrize(
    ("raw", "code"),
    [
        (b"\xff\xfe{}", "not_utf8"),
        (b"{not json", "not_json"),
        (b"[1, 2]", "not_object"),
        (b"x" * (MAX_EVENT_BYTES + 1), "too_large"),
        ("", "not_json"),
    ],
)
def test_wire_level_garbage_is_classified(raw: bytes | str, code: str) -> None:
    assert _errors(raw).code == code


def test_unknown_fields_are_ignored_for_forward_compatibility() -> None:
    event = F.feedback("r1", 1)
    event["added_in_v1_7"] = {"anything": True}
    assert parse_event(event).type == "feedback"


def test_committed_json_schemas_match_the_code() -> None:
    rendered = render_all()
    on_disk = {p.name: p.read_text(encoding="utf-8") for p in JSON_DIR.glob("*.json")}
    assert rendered == on_disk, (
        "schemas/json is stale: run `python -m prefloop.schemas.export` and commit the result"
    )


def _properties(schema: dict[str, Any]) -> dict[str, Any]:
    return schema.get("properties", {})


@pytest.mark.parametrize("name", sorted(p.name for p in (JSON_DIR / "baseline").glob("*.json")))
def test_v1_only_grows_by_optional_fields(name: str) -> None:
    """The rule: within v1 only additive, optional fields. Compared against the frozen v1.0 baseline."""
    baseline = json.loads((JSON_DIR / "baseline" / name).read_text(encoding="utf-8"))
    current = json.loads(Path(JSON_DIR / name).read_text(encoding="utf-8"))
    base_props, cur_props = _properties(baseline), _properties(current)
    removed = set(base_props) - set(cur_props)
    assert not removed, f"v1 fields removed from {name}: {removed}"
    for field, spec in base_props.items():
        assert cur_props[field] == spec, f"v1 field {field!r} of {name} changed its type"
    assert set(current.get("required", [])) <= set(baseline.get("required", [])), (
        f"{name}: new required fields break v1 producers; make them optional"
    )
