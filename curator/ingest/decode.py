"""Raw bytes to validated events, or to dead letters with the reason. Plain data; no I/O.

No record stops the consumer: nesting is bounded before parsing (``too_deep``), numbers JSON cannot hold
(``NaN``, ``Infinity``, ``1e400``) are refused (``not_json``), NUL and lone surrogates, which the store cannot
keep, are replaced with U+FFFD (:mod:`prefloop.curator.ingest.sanitize`), and any other failure to decode a
record dead-letters it as ``undecodable`` with the error's class, never its text. An event dated before
2000 or more than a day ahead of the curator's clock is dead-lettered as ``bad_time``: capture stamps the time,
so only a forged record or a host with a broken clock carries one, and such a date would escape the raw-text
purge (a year-9999 event is never "older than 30 days") and the month a release takes.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from pydantic import TypeAdapter, ValidationError

from prefloop.curator.ingest.sanitize import finite_json, storable, storable_text
from prefloop.schemas.errors import EventValidationError, FieldError
from prefloop.schemas.events import MAX_EVENT_BYTES, Event, parse_event
from prefloop.schemas.limits import MAX_JSON_DEPTH, json_too_deep

__all__ = ["DeadLetterItem", "Decoded", "RawRecord", "decode_records"]

_EVENT: TypeAdapter[Any] = TypeAdapter(Event)
_ODD_ESCAPE = re.compile(r"\\u(?:0000|[dD][89a-fA-F])")
#: The earliest ``occurred_at`` accepted, and how far ahead of the curator's clock one may be (clock skew).
EARLIEST_OCCURRED_AT = datetime(2000, 1, 1, tzinfo=UTC)
MAX_CLOCK_SKEW = timedelta(days=1)


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

    __slots__ = ("_payload", "event", "record", "source", "text")

    def __init__(
        self,
        event: Any,
        payload: dict[str, Any] | None,
        source: str,
        text: str | None = None,
        record: RawRecord | None = None,
    ) -> None:
        if payload is None and text is None:
            raise ValueError("a decoded event needs its payload or its JSON text")
        self.event = event
        self._payload = payload
        self.source = source
        self.text = text
        #: the record it came from (a store that refuses the event dead-letters this record)
        self.record = record

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


class _NotFinite(ValueError):
    pass


def _constant(name: str) -> Any:
    raise _NotFinite(name)


def _finite_float(text: str) -> float:
    value = float(text)
    if value - value != 0.0:  # inf or nan
        raise _NotFinite(text[:40])
    return value


def _plain_text(value: bytes) -> str | None:
    """``value`` as text when it is plain UTF-8 that the store can keep as received: no BOM (which
    ``json.loads(bytes)`` skips), no NUL or surrogate escapes (those events are re-encoded from the sanitized
    payload) and no ``NaN``/``Infinity`` (which JSON does not have; the reference path refuses them)."""
    try:
        text = value.decode("utf-8")
    except UnicodeDecodeError:
        return None
    if text.startswith("\ufeff") or ("\\u" in text and _ODD_ESCAPE.search(text)):
        return None
    if "NaN" in text or "Infinity" in text:
        return None
    return text


def _finite_generation(event: Any) -> bool:
    """A response's provider-specific generation settings hold no infinite number (``1e400`` parses to one):
    the store writes them as JSON, which has none."""
    if event.type != "response":
        return True
    extra = event.generation.__pydantic_extra__
    return not extra or finite_json(extra)


def _too_deep() -> EventValidationError:
    return EventValidationError(
        "too_deep",
        [FieldError("", f"JSON nests deeper than {MAX_JSON_DEPTH} levels; an event nests three or four")],
    )


def _not_finite(exc: _NotFinite) -> EventValidationError:
    return EventValidationError(
        "not_json",
        [
            FieldError(
                "",
                "numbers must be finite JSON numbers: NaN, Infinity and out-of-range values such as 1e400 "
                f"are not JSON (found {str(exc)!r})",
            )
        ],
    )


def _decode_one(value: bytes) -> tuple[Any, dict[str, Any] | None, str | None]:
    if len(value) <= MAX_EVENT_BYTES:
        text = _plain_text(value)
        if text is not None:
            # Fast path: parse and validate in one pass. Whatever it refuses takes the reference path below,
            # which gives the exact error (and accepts whatever it always accepted).
            try:
                event = _EVENT.validate_json(text)
            except ValidationError:
                pass
            else:
                if _finite_generation(event):
                    return event, None, text
    if len(value) > MAX_EVENT_BYTES:
        parse_event(value)  # raises too_large
    if json_too_deep(value):
        raise _too_deep()
    data: object = None
    try:
        data = json.loads(value, parse_constant=_constant, parse_float=_finite_float)
    except _NotFinite as exc:
        raise _not_finite(exc) from None
    except (UnicodeDecodeError, ValueError):
        data = None
    if not isinstance(data, dict):
        parse_event(value)  # raises the precise error (not_json, not_utf8, too_large, not_object)
        raise EventValidationError("not_object", [])  # pragma: no cover - parse_event always raises here
    text = _plain_text(value)
    payload: dict[str, Any] = storable(data) if text is None else data  # NUL, lone surrogates -> U+FFFD
    return parse_event(payload), payload, text


def _bad_time(when: datetime, now: datetime) -> EventValidationError:
    if when < EARLIEST_OCCURRED_AT:
        why = f"is before {EARLIEST_OCCURRED_AT:%Y-%m-%d}"
    else:
        why = f"is {(when - now).total_seconds() / 3600:.0f} h ahead of the curator's clock ({now:%Y-%m-%dT%H:%MZ})"
    return EventValidationError(
        "bad_time",
        [
            FieldError(
                "occurred_at",
                f"{when:%Y-%m-%dT%H:%M:%SZ} {why}; capture stamps events with its host's clock: check that "
                "clock (NTP) or the clock= passed to FeedbackCapture",
            )
        ],
    )


def _undecodable(exc: BaseException) -> EventValidationError:
    return EventValidationError(
        "undecodable",
        [FieldError("", f"the record could not be decoded ({type(exc).__name__}); it is kept as received")],
    )


def _dead_letter(rec: RawRecord, exc: EventValidationError) -> DeadLetterItem:
    """The dead letter of ``rec``: its reason made storable (a reason may quote part of the record)."""
    fields = [{k: storable_text(v) for k, v in e.to_dict().items()} for e in exc.errors]
    return DeadLetterItem(rec, exc.code, storable_text(str(exc)), fields)


def decode_records(records: Iterable[RawRecord]) -> tuple[list[Decoded], list[DeadLetterItem]]:
    """Validate each record; the first occurrence of an event id, or of an idempotency key of one app and user,
    in the batch wins (later ones are repeats: a redelivery, or a click the browser retried)."""
    good: list[Decoded] = []
    dead: list[DeadLetterItem] = []
    seen: set[str] = set()
    keys: set[tuple[str, str, str]] = set()
    latest = datetime.now(UTC) + MAX_CLOCK_SKEW
    for rec in records:
        try:
            event, payload, text = _decode_one(rec.value)
        except EventValidationError as exc:
            dead.append(_dead_letter(rec, exc))
            continue
        except (
            Exception
        ) as exc:  # RecursionError, MemoryError, whatever a hostile record provokes: no crash loop
            dead.append(_dead_letter(rec, _undecodable(exc)))
            continue
        when = event.occurred_at
        if not EARLIEST_OCCURRED_AT <= when <= latest:
            dead.append(_dead_letter(rec, _bad_time(when, latest - MAX_CLOCK_SKEW)))
            continue
        if event.event_id in seen:
            continue
        seen.add(event.event_id)
        if event.idempotency_key is not None:
            key = (event.app_id, event.user, event.idempotency_key)
            if key in keys:
                continue
            keys.add(key)
        good.append(Decoded(event, payload, rec.source, text, rec))
    return good, dead
