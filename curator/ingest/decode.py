"""Raw bytes to validated events, or to dead letters with the reason. Plain data; no I/O."""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from pydantic import TypeAdapter, ValidationError

from prefloop.schemas.errors import EventValidationError
from prefloop.schemas.events import MAX_EVENT_BYTES, Event, parse_event

__all__ = ["DeadLetterItem", "Decoded", "RawRecord", "decode_records"]

_EVENT: TypeAdapter[Any] = TypeAdapter(Event)
_ODD_ESCAPE = re.compile(r"\\u(?:0000|[dD][89a-fA-F])")


@dataclass(frozen=True)
class RawRecord:
    """One message as it came from a source. ``source`` names it (``kafka:<topic>/<p>@<offset>``, ...)."""

    value: bytes
    source: str
    topic: str | None = None
    partition: int | None = None
    offset: int | None = None
    key: bytes | None = None


class Decoded:
    """A valid event: the typed model and the payload exactly as received (unknown fields included).

    ``text`` is the payload's JSON text as received (UTF-8, no BOM) when it was: stores keep it without
    re-encoding. ``payload`` (the parsed object) is then parsed from it only when asked for.
    """

    __slots__ = ("_payload", "event", "source", "text")

    def __init__(
        self, event: Any, payload: dict[str, Any] | None, source: str, text: str | None = None
    ) -> None:
        if payload is None and text is None:
            raise ValueError("a decoded event needs its payload or its JSON text")
        self.event = event
        self._payload = payload
        self.source = source
        self.text = text

    @property
    def payload(self) -> dict[str, Any]:
        if self._payload is None:
            self._payload = json.loads(self.text)  # type: ignore[arg-type]
        return self._payload

    def __repr__(self) -> str:
        return f"Decoded(event={self.event!r}, source={self.source!r})"


@dataclass(frozen=True)
class DeadLetterItem:
    """A record that failed validation: ``code`` from :class:`EventValidationError`, a readable reason."""

    record: RawRecord
    code: str
    reason: str
    fields: list[dict[str, str]] = field(default_factory=list)


def _plain_text(value: bytes) -> str | None:
    """``value`` as text when it is plain UTF-8 that the store can keep as received: no BOM (which
    ``json.loads(bytes)`` skips) and no NUL or surrogate escapes (the store re-encodes those events from the
    parsed payload, as it always did)."""
    try:
        text = value.decode("utf-8")
    except UnicodeDecodeError:
        return None
    if text.startswith("\ufeff") or ("\\u" in text and _ODD_ESCAPE.search(text)):
        return None
    return text


def _decode_one(value: bytes) -> tuple[Any, dict[str, Any] | None, str | None]:
    if len(value) <= MAX_EVENT_BYTES:
        text = _plain_text(value)
        if text is not None:
            # Fast path: parse and validate in one pass. Whatever it refuses takes the reference path below,
            # which gives the exact error (and accepts whatever it always accepted).
            try:
                return _EVENT.validate_json(text), None, text
            except ValidationError:
                pass
    data: object = None
    if len(value) <= MAX_EVENT_BYTES:
        try:
            data = json.loads(value)
        except (UnicodeDecodeError, ValueError):
            data = None
    if not isinstance(data, dict):
        parse_event(value)  # raises the precise error (not_json, not_utf8, too_large, not_object)
        raise EventValidationError("not_object", [])  # pragma: no cover - parse_event always raises here
    text = _plain_text(value) if len(value) <= MAX_EVENT_BYTES else None
    return parse_event(data), data, text


def decode_records(records: Iterable[RawRecord]) -> tuple[list[Decoded], list[DeadLetterItem]]:
    """Validate each record; the first occurrence of an event id in the batch wins (later ones are repeats)."""
    good: list[Decoded] = []
    dead: list[DeadLetterItem] = []
    seen: set[str] = set()
    for rec in records:
        try:
            event, payload, text = _decode_one(rec.value)
        except EventValidationError as exc:
            dead.append(DeadLetterItem(rec, exc.code, str(exc), [e.to_dict() for e in exc.errors]))
            continue
        if event.event_id in seen:
            continue
        seen.add(event.event_id)
        good.append(Decoded(event, payload, rec.source, text))
    return good, dead
