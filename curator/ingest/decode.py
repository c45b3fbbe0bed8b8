"""Raw bytes to validated events, or to dead letters with the reason. Plain data; no I/O."""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from schemas.errors import EventValidationError
from schemas.events import MAX_EVENT_BYTES, parse_event

__all__ = ["DeadLetterItem", "Decoded", "RawRecord", "decode_records"]

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


@dataclass(frozen=True)
class Decoded:
    """A valid event: the typed model and the payload exactly as received (unknown fields included)."""

    event: Any
    payload: dict[str, Any]
    source: str
    #: ``payload`` as the JSON text received (UTF-8, no BOM), when it was: stores can keep it without re-encoding
    text: str | None = None


@dataclass(frozen=True)
class DeadLetterItem:
    """A record that failed validation: ``code`` from :class:`EventValidationError`, a readable reason."""

    record: RawRecord
    code: str
    reason: str
    fields: list[dict[str, str]] = field(default_factory=list)


def _decode_one(value: bytes) -> tuple[Any, dict[str, Any], str | None]:
    data: object = None
    text: str | None = None
    if len(value) <= MAX_EVENT_BYTES:
        try:
            text = value.decode("utf-8")
        except UnicodeDecodeError:
            text = None
        if text is not None and text.startswith("\ufeff"):
            text = (
                None  # json.loads(bytes) accepts a UTF-8 BOM, json.loads(str) does not: keep the bytes path
            )
        try:
            data = json.loads(text if text is not None else value)
        except (UnicodeDecodeError, ValueError):
            data = None
        if text is not None and "\\u" in text and _ODD_ESCAPE.search(text):
            text = (
                None  # NUL or surrogate escapes: let the store re-encode the parsed payload, as it always did
            )
    if not isinstance(data, dict):
        parse_event(value)  # raises the precise error (not_json, not_utf8, too_large, not_object)
        raise EventValidationError("not_object", [])  # pragma: no cover - parse_event always raises here
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
