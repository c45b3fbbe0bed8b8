"""The wire line of a ``ResponseEvent`` without a pydantic model round trip: the request-path fast path.

:func:`check_response` checks the caller-supplied fields of ``response_shown(...)`` directly against the
constraints of :class:`prefloop.schemas.events.ResponseEvent` and returns the event as a flat :data:`Record`
(cheap to make on the request thread); :func:`encode_record` makes its dict (:func:`record_fields`) and
serializes it with ``pydantic_core.to_json`` (the serializer the model itself uses, so strings and the
timestamp are escaped and formatted the same way). The two are separate so the request thread can do only the
checks and leave the serialization to the spool writer thread (the size bound ``check_response`` counts says
when that is safe); :func:`response_line` does both.
It is deliberately conservative: it accepts only input it is certain the model accepts unchanged (exact
``str``/``dict``/``list`` types, no coercion) and returns ``None`` for everything else — invalid input, but
also unusual valid input (a ``str`` subclass, a tuple of ``Message`` subclasses, a generator). The caller then
takes the full pydantic path, which raises the model's own errors (same field names) or produces the line.
``tests/unit/test_capture_response_line.py`` holds the two paths byte-equal and the refusals identical.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

import pydantic_core
from pydantic import ValidationError

from prefloop.schemas.events import MAX_CONTEXT_MESSAGES, MAX_TEXT_CHARS, GenerationSettings, Message

__all__ = [
    "NO_BOUND",
    "Record",
    "check_response",
    "encode_fields",
    "encode_record",
    "is_identifier",
    "record_fields",
    "response_fields",
    "response_line",
    "response_record",
    "utc_from_ns",
    "wire_size_bound",
]

# prefloop.schemas.events.Identifier: 1-128 characters of this class (fullmatch: pydantic's regex has no "before a
# trailing newline" `$` either)
_IDENTIFIER = re.compile(r"[A-Za-z0-9_.:@/+=-]{1,128}").fullmatch
_ROLES = frozenset(("system", "user", "assistant", "tool"))
_EMPTY_GENERATION: dict[str, Any] = {}
_to_json = pydantic_core.to_json


#: Conversation ids and model names that passed their check lately (exact ``str`` keys; cleared when full,
#: like the pseudonym cache): a response in a known conversation skips the regular expression, which costs
#: more than the rest of an identifier's check on the host's request thread.
_SEEN_IDS: dict[str, None] = {}
_SEEN_MODELS: dict[str, None] = {}
_SEEN_MAX = 4096


def _new_conversation_id(value: str) -> bool:
    """Check a ``str`` conversation id not seen lately; remember it when valid."""
    if _IDENTIFIER(value) is None:
        return False
    if len(_SEEN_IDS) >= _SEEN_MAX:
        _SEEN_IDS.clear()
    _SEEN_IDS[value] = None
    return True


def _new_model(value: str) -> bool:
    """Check a ``str`` model name not seen lately (1-200 characters UTF-8 can carry); remember it when valid."""
    if not 1 <= len(value) <= 200 or not (value.isascii() or _encodable(value)):
        return False
    if len(_SEEN_MODELS) >= _SEEN_MAX:
        _SEEN_MODELS.clear()
    _SEEN_MODELS[value] = None
    return True


def is_identifier(value: object) -> bool:
    """True when ``value`` is a plain ``str`` that is a valid v1 identifier (``prefloop.schemas.events.Identifier``)."""
    return type(value) is str and _IDENTIFIER(value) is not None


def _short(value: object, low: int, high: int) -> bool:
    return type(value) is str and low <= len(value) <= high and _encodable(value)


def _encodable(value: str) -> bool:
    """False for a string UTF-8 cannot carry (a lone surrogate): the serializer would refuse it later."""
    if value.isascii():
        return True
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _generation(generation: object) -> Any:
    if generation is None:
        return _EMPTY_GENERATION
    if type(generation) is GenerationSettings:
        return generation
    if type(generation) is dict:
        try:
            return GenerationSettings.model_validate(generation)
        except ValidationError:
            return None  # the full path names the field as generation.<key>
    return None


def response_line(**fields: Any) -> bytes | None:
    """The wire line (compact JSON + ``\\n``) of the ``ResponseEvent`` these fields make (the keyword
    arguments of :func:`response_fields`), or ``None`` when the fast checks cannot vouch for it."""
    record = response_record(**fields)
    if record is None:
        return None
    try:
        return encode_record(record)  # (the spool writer's serializer)
    except pydantic_core.PydanticSerializationError:
        return None  # the full path reports it as the model would


#: What :func:`check_response` returns for the writer thread: the event's values in wire order (``None`` for
#: an absent optional field), the context as one flat list ``[role, content, role, content, ...]``.
#: :func:`record_fields` makes the dict.
Record = tuple[Any, ...]
_USER = "user"  # the default prompt_source (an interned constant: the same object as every "user" literal)


def record_fields(record: Record) -> dict[str, Any]:
    """The fields (as :func:`encode_fields` takes them) of a :data:`Record`, in the model's order, without
    the absent optional fields."""
    (
        event_id,
        occurred_at,
        app_id,
        conversation_id,
        user,
        client_version,
        response_id,
        messages,
        text,
        model,
        generation,
        prompt_source,
        regenerates,
        system_prompt_version,
        locale,
    ) = record
    data: dict[str, Any] = {
        "event_id": event_id,
        "schema_version": 1,
        "occurred_at": occurred_at,
        "app_id": app_id,
        "conversation_id": conversation_id,
        "user": user,
    }
    if client_version is not None:  # (in the model's field order; a plain dict's None would be written)
        data["client_version"] = client_version
    data["type"] = "response"
    data["response_id"] = response_id
    pairs = iter(messages)
    data["context"] = [{"role": role, "content": content} for role, content in zip(pairs, pairs, strict=True)]
    data["text"] = text
    data["model"] = model
    data["generation"] = generation
    data["prompt_source"] = prompt_source
    for key, value in (
        ("regenerates", regenerates),
        ("system_prompt_version", system_prompt_version),
        ("locale", locale),
    ):
        if value is not None:
            data[key] = value
    return data


def encode_record(record: Record) -> bytes:
    """The wire line of a :data:`Record` (the spool writer thread's ``encode``)."""
    return encode_fields(record_fields(record))


def encode_fields(data: dict[str, Any]) -> bytes:
    """The wire line of an event's checked fields (from :func:`response_fields`). An ``occurred_at`` given as
    a ``time.time_ns()`` reading becomes its datetime here (on the spool writer thread, for the request path)."""
    if type(data["occurred_at"]) is int:
        data["occurred_at"] = utc_from_ns(data["occurred_at"])
    return _to_json(data, exclude_none=True) + b"\n"


_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def utc_from_ns(ns: int) -> datetime:
    """The aware UTC datetime of a ``time.time_ns()`` reading, to the microsecond rounded down: what
    ``datetime.now(UTC)`` gives for the same instant (integer arithmetic, no float rounding)."""
    return _EPOCH + timedelta(microseconds=ns // 1000)


#: what JSON may make of one character at most (a control character becomes ``\\u00XX``)
_MAX_BYTES_PER_CHAR = 6
#: the bound of a line whose size is not cheap to bound: larger than any size limit
NO_BOUND = 2**62
#: the event's fixed part (ids, timestamp, app id, pseudonym, keys) and each message's keys, generously
_FIXED_BYTES = 4096
_PER_MESSAGE_BYTES = 64


def wire_size_bound(data: dict[str, Any]) -> int | None:
    """An upper bound of the wire line's length in bytes, or ``None`` when none is cheap to give (a
    ``generation`` with provider-specific extra keys, which may nest). Strings only: every other value is a
    short scalar."""
    generation = data["generation"]
    if generation is not _EMPTY_GENERATION and generation.model_extra:
        return None
    chars = len(data["text"]) + len(data["model"]) + len(data["prompt_source"])
    for key in ("system_prompt_version", "locale", "client_version"):
        value = data.get(key)
        if value is not None:
            chars += len(value)
    messages = data["context"]
    for message in messages:
        chars += len(message["content"])
    return _MAX_BYTES_PER_CHAR * chars + _FIXED_BYTES + _PER_MESSAGE_BYTES * len(messages)


def response_record(**fields: Any) -> Record | None:
    """The :data:`Record` of the ``ResponseEvent`` these arguments make (:func:`check_response`'s, by name),
    or ``None`` when the fast checks cannot vouch for them (the caller then validates with pydantic)."""
    checked = check_response(**fields)
    return None if checked is None else checked[0]


def response_fields(**fields: Any) -> dict[str, Any] | None:
    """The fields of the ``ResponseEvent`` these arguments make, ready for :func:`encode_fields`, or ``None``
    when the fast checks cannot vouch for them."""
    record = response_record(**fields)
    return None if record is None else record_fields(record)


def check_response(
    event_id: str,
    occurred_at: datetime | int,
    app_id: str,
    conversation_id: object,
    user: str,
    response_id: object,
    context: Sequence[Any],
    text: object,
    model: object,
    generation: object,
    prompt_source: object,
    regenerates: object,
    system_prompt_version: object,
    locale: object,
    client_version: object,
) -> tuple[Record, int] | None:
    """The :data:`Record` of the ``ResponseEvent`` these arguments make and :func:`wire_size_bound` of it
    (counted while checking; :data:`NO_BOUND` when there is none), or ``None`` when the fast checks cannot vouch for them (the caller then validates
    with pydantic). ``event_id`` (a canonical UUIDv7 string), ``occurred_at`` (aware, UTC, or a
    ``time.time_ns()`` reading that :func:`encode_record` turns into one), ``app_id`` and ``user`` come from
    capture itself and are trusted; every other field is checked.

    The checks are written out inline and the result is a flat tuple (the writer thread makes the dicts): this
    runs on the host's request thread for every response shown, where each function call, dict and bytecode
    shows in the added latency."""
    if type(conversation_id) is not str or (
        conversation_id not in _SEEN_IDS and not _new_conversation_id(conversation_id)
    ):
        return None
    if response_id is not event_id and (type(response_id) is not str or _IDENTIFIER(response_id) is None):
        return None  # (our own event id is an identifier)
    if type(text) is not str or len(text) > MAX_TEXT_CHARS or not (text.isascii() or _encodable(text)):
        return None
    if type(model) is not str or (model not in _SEEN_MODELS and not _new_model(model)):
        return None
    if prompt_source is not _USER and not _short(prompt_source, 1, 64):  # (the default is the constant)
        return None
    if type(context) is not list and type(context) is not tuple:
        return None  # a generator would be consumed here; let pydantic have it whole
    count = len(context)
    if not 0 < count <= MAX_CONTEXT_MESSAGES:
        return None
    chars = 0
    messages: list[str] = []  # role, content, role, content, ...: one object (the writer makes the dicts)
    for item in context:
        if type(item) is dict:
            role = item.get("role")
            content = item.get("content")
        elif type(item) is Message:
            role = item.role
            content = item.content
        else:
            return None
        if type(role) is not str or role not in _ROLES or type(content) is not str:
            return None
        if not (content.isascii() or _encodable(content)):
            return None
        chars += len(content)
        messages += role, content  # a copy: the caller may change its list once we return
    if role != "user":
        return None
    if chars > MAX_TEXT_CHARS and any(len(m) > MAX_TEXT_CHARS for m in messages[1::2]):
        return None  # (no single message can be too long while all of them together are not)
    chars += len(text) + len(model) + len(prompt_source)  # type: ignore[arg-type]
    if generation is None:
        gen: Any = _EMPTY_GENERATION
    else:
        gen = _generation(generation)
        if gen is None:
            return None
    if client_version is not None:
        if not _short(client_version, 0, 64):
            return None
        chars += len(client_version)  # type: ignore[arg-type]
    if regenerates is not None and not is_identifier(regenerates):
        return None
    if system_prompt_version is not None:
        if not _short(system_prompt_version, 0, 128):
            return None
        chars += len(system_prompt_version)  # type: ignore[arg-type]
    if locale is not None:
        if not _short(locale, 0, 35):
            return None
        chars += len(locale)  # type: ignore[arg-type]
    record = (
        event_id,
        occurred_at,
        app_id,
        conversation_id,
        user,
        client_version,
        response_id,
        messages,
        text,
        model,
        gen,
        prompt_source,
        regenerates,
        system_prompt_version,
        locale,
    )
    if gen is not _EMPTY_GENERATION and gen.model_extra:
        return record, NO_BOUND
    return record, _MAX_BYTES_PER_CHAR * chars + _FIXED_BYTES + _PER_MESSAGE_BYTES * count
