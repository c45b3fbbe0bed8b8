"""Turn a JSON body from the browser into a v1 event: plain functions over plain data (no Flask here).

The user and the app id come from the caller (the host app), never from the body; the response and
conversation come from verified tokens.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import uuid6
from pydantic import ValidationError

from prefloop.capture.tokens import ResponseRef, TokenSigner
from prefloop.schemas.errors import EventValidationError, FieldError
from prefloop.schemas.events import ChoiceEvent, EditEvent, FeedbackEvent, RegenerateEvent

__all__ = ["KINDS", "build_event", "field_errors"]

_COMMON = {"idempotency_key", "client_version", "trace_id", "metadata"}
#: the fields each endpoint accepts; anything else is refused by name
KINDS: dict[str, set[str]] = {
    "feedback": {"token", "rating", "reason", "comment", "retract"} | _COMMON,
    "regenerate": {"token"} | _COMMON,
    "choice": {"token_a", "token_b", "preferred"} | _COMMON,
    "edit": {"token", "edited_text"} | _COMMON,
}
#: the field a whole-event rule is reported on (e.g. "rating or retract")
_WHOLE = {"feedback": "rating", "regenerate": "token", "choice": "preferred", "edit": "edited_text"}
_MODELS: dict[str, type[FeedbackEvent | RegenerateEvent | ChoiceEvent | EditEvent]] = {
    "feedback": FeedbackEvent,
    "regenerate": RegenerateEvent,
    "choice": ChoiceEvent,
    "edit": EditEvent,
}


def field_errors(exc: ValidationError) -> list[FieldError]:
    """pydantic's errors as ``FieldError`` (dotted path, reason without pydantic's prefixes)."""
    out = []
    for err in exc.errors(include_url=False):
        msg = err["msg"]
        if msg.startswith("Value error, "):
            msg = msg[len("Value error, ") :]
        out.append(FieldError(".".join(str(p) for p in err["loc"]), msg))
    return out


def _invalid(errors: list[FieldError]) -> EventValidationError:
    return EventValidationError("invalid", errors)


def build_event(
    kind: str,
    body: dict[str, Any],
    *,
    user: str,
    app_id: str,
    signer: TokenSigner,
    event_id: str | None = None,
    occurred_at: datetime | None = None,
) -> FeedbackEvent | RegenerateEvent | ChoiceEvent | EditEvent:
    """Validate ``body`` for endpoint ``kind`` and build its event for pseudonymized ``user``.

    Raises :class:`~prefloop.capture.errors.TokenError` (a token does not verify for this user) or
    :class:`~prefloop.schemas.errors.EventValidationError` (every offending field, by name).
    """
    allowed = KINDS[kind]
    unknown = sorted(set(body) - allowed)
    if unknown:
        raise _invalid(
            [
                FieldError(name, f"unknown field; {kind} accepts {', '.join(sorted(allowed))}")
                for name in unknown
            ]
        )
    data: dict[str, Any] = {
        "event_id": event_id or str(uuid6.uuid7()),
        "occurred_at": occurred_at or datetime.now(UTC),
        "app_id": app_id,
        "user": user,
    }
    for name in ("idempotency_key", "client_version", "trace_id", "metadata"):
        if body.get(name) is not None:
            data[name] = body[name]
    if kind == "choice":
        missing = [FieldError(f, "required") for f in ("token_a", "token_b", "preferred") if f not in body]
        if missing:
            raise _invalid(missing)
        a = signer.verify(body["token_a"], user, "token_a")
        b = signer.verify(body["token_b"], user, "token_b")
        if a.response_id == b.response_id:
            raise _invalid([FieldError("token_b", "must name a different response than token_a")])
        if a.conversation_id != b.conversation_id:
            raise _invalid(
                [FieldError("token_b", "must name a response of the same conversation as token_a")]
            )
        data.update(
            conversation_id=a.conversation_id,
            response_a=a.response_id,
            response_b=b.response_id,
            preferred=body["preferred"],
        )
    else:
        if "token" not in body:
            raise _invalid([FieldError("token", "required: the token response_shown() returned")])
        ref: ResponseRef = signer.verify(body["token"], user, "token")
        data.update(conversation_id=ref.conversation_id, response_id=ref.response_id)
        for name in allowed - _COMMON - {"token"}:
            if name in body:
                data[name] = body[name]
        if kind == "edit":
            data["editor"] = "user"
    try:
        return _MODELS[kind].model_validate(data, strict=False)
    except ValidationError as exc:
        errors = [e if e.path else FieldError(_WHOLE[kind], e.reason) for e in field_errors(exc)]
        raise _invalid(errors) from None
