"""The wire line of a ``ResponseEvent`` without a pydantic model round trip: the request-path fast path.

:func:`response_line` checks the caller-supplied fields of ``response_shown(...)`` directly against the
constraints of :class:`prefloop.schemas.events.ResponseEvent` and serializes a plain dict with ``pydantic_core.to_json``
(the serializer the model itself uses, so strings and the timestamp are escaped and formatted the same way).
It is deliberately conservative: it accepts only input it is certain the model accepts unchanged (exact
``str``/``dict``/``list`` types, no coercion) and returns ``None`` for everything else — invalid input, but
also unusual valid input (a ``str`` subclass, a tuple of ``Message`` subclasses, a generator). The caller then
takes the full pydantic path, which raises the model's own errors (same field names) or produces the line.
``tests/unit/test_capture_response_line.py`` holds the two paths byte-equal and the refusals identical.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import datetime
from typing import Any

import pydantic_core
from pydantic import ValidationError

from prefloop.schemas.events import MAX_CONTEXT_MESSAGES, MAX_TEXT_CHARS, GenerationSettings, Message

__all__ = ["is_identifier", "response_line"]

# prefloop.schemas.events.Identifier: 1-128 characters of this class (fullmatch: pydantic's regex has no "before a
# trailing newline" `$` either)
_IDENTIFIER = re.compile(r"[A-Za-z0-9_.:@/+=-]{1,128}").fullmatch
_ROLES = frozenset(("system", "user", "assistant", "tool"))
_EMPTY_GENERATION: dict[str, Any] = {}
_to_json = pydantic_core.to_json


def is_identifier(value: object) -> bool:
    """True when ``value`` is a plain ``str`` that is a valid v1 identifier (``prefloop.schemas.events.Identifier``)."""
    return type(value) is str and _IDENTIFIER(value) is not None


def _short(value: object, low: int, high: int) -> bool:
    return type(value) is str and low <= len(value) <= high


def _context(context: object) -> list[dict[str, str]] | None:
    if type(context) is not list and type(context) is not tuple:
        return None  # a generator would be consumed here; let pydantic have it whole
    if not 0 < len(context) <= MAX_CONTEXT_MESSAGES:
        return None
    out = []
    for item in context:
        kind = type(item)
        if kind is dict:
            role = item.get("role")
            content = item.get("content")
        elif kind is Message:
            role = item.role
            content = item.content
        else:
            return None
        if type(role) is not str or role not in _ROLES:
            return None
        if type(content) is not str or len(content) > MAX_TEXT_CHARS:
            return None
        out.append({"role": role, "content": content})
    if out[-1]["role"] != "user":
        return None
    return out


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


def response_line(
    *,
    event_id: str,
    occurred_at: datetime,
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
) -> bytes | None:
    """The wire line (compact JSON + ``\\n``) of the ``ResponseEvent`` these fields make, or ``None`` when
    the fast checks cannot vouch for it (the caller then validates with pydantic).

    ``event_id`` (a canonical UUIDv7 string), ``occurred_at`` (aware, UTC), ``app_id`` and ``user`` come from
    capture itself and are trusted; every other field is checked.
    """
    if not is_identifier(conversation_id):
        return None
    if response_id is not event_id and not is_identifier(response_id):  # our own event id is one
        return None
    if type(text) is not str or len(text) > MAX_TEXT_CHARS:
        return None
    if not (_short(model, 1, 200) and _short(prompt_source, 1, 64)):
        return None
    messages = _context(context)
    if messages is None:
        return None
    gen = _generation(generation)
    if gen is None:
        return None
    data: dict[str, Any] = {
        "event_id": event_id,
        "schema_version": 1,
        "occurred_at": occurred_at,
        "app_id": app_id,
        "conversation_id": conversation_id,
        "user": user,
    }
    if client_version is not None:
        if not _short(client_version, 0, 64):
            return None
        data["client_version"] = client_version
    data["type"] = "response"
    data["response_id"] = response_id
    data["context"] = messages
    data["text"] = text
    data["model"] = model
    data["generation"] = gen
    data["prompt_source"] = prompt_source
    if regenerates is not None:
        if not is_identifier(regenerates):
            return None
        data["regenerates"] = regenerates
    if system_prompt_version is not None:
        if not _short(system_prompt_version, 0, 128):
            return None
        data["system_prompt_version"] = system_prompt_version
    if locale is not None:
        if not _short(locale, 0, 35):
            return None
        data["locale"] = locale
    try:
        return _to_json(data, exclude_none=True) + b"\n"
    except pydantic_core.PydanticSerializationError:
        return None  # e.g. a lone surrogate: the full path reports it as the model would
