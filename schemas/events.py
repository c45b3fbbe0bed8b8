"""Version 1 of the events the capture side emits.

Every event carries ``event_id`` (a UUIDv7: sortable by creation time), ``type``, ``schema_version``,
``occurred_at`` (UTC), ``app_id``, ``conversation_id`` and ``user`` (a pseudonym: capture replaces the host
app's user id with a keyed HMAC before the event leaves the app).

Compatibility rule (tested in ``tests/unit/test_schemas.py``): within ``schema_version`` 1 only additive,
optional fields may be introduced. Consumers ignore fields they do not know, so an older curator keeps reading
events from a newer capture of the same major version; the raw event is stored whole, so nothing is lost.
A breaking change is a new major version, which older consumers refuse with ``unsupported_version``.
"""

from __future__ import annotations

import json
import re
import uuid
from datetime import UTC, datetime
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    TypeAdapter,
    ValidationError,
    field_validator,
    model_validator,
)

from prefloop.schemas.errors import EventValidationError, FieldError

__all__ = [
    "EVENT_TYPES",
    "MAX_EVENT_BYTES",
    "MAX_METADATA_KEYS",
    "MAX_METADATA_VALUE_CHARS",
    "MAX_TEXT_CHARS",
    "SCHEMA_VERSION",
    "ChoiceEvent",
    "EditEvent",
    "Event",
    "FeedbackEvent",
    "FeedbackReason",
    "GenerationSettings",
    "Message",
    "RegenerateEvent",
    "ResponseEvent",
    "parse_event",
]

SCHEMA_VERSION = 1
#: Upper bound for one text field (a message, a response, an edit). Larger texts are refused, not truncated.
MAX_TEXT_CHARS = 100_000
#: Upper bound for one serialized event.
MAX_EVENT_BYTES = 1_000_000
MAX_CONTEXT_MESSAGES = 500

#: A version-7 UUID (RFC 4122 variant) already in ``str(uuid.UUID(...))`` form: lowercase, hyphenated.
_CANONICAL_UUID7 = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}")

Identifier = Annotated[str, Field(min_length=1, max_length=128, pattern=r"^[A-Za-z0-9_.:@/+=-]+$")]
Text = Annotated[str, Field(max_length=MAX_TEXT_CHARS)]

#: Bounds of ``metadata``: a few short labels, not a payload.
MAX_METADATA_KEYS = 16
MAX_METADATA_VALUE_CHARS = 256
MetadataKey = Annotated[str, Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_.:/-]+$")]
MetadataValue = Annotated[str, Field(max_length=MAX_METADATA_VALUE_CHARS)]
Metadata = Annotated[dict[MetadataKey, MetadataValue], Field(max_length=MAX_METADATA_KEYS)]

#: Why a user gave a thumbs-down (or up). ``incorrect`` and ``unsafe`` are evidence about quality;
#: ``tone`` and ``unhelpful`` are weaker: rewarding what users like to hear trains sycophancy.
FeedbackReason = Literal["incorrect", "unsafe", "unhelpful", "format", "tone", "other"]


class _Model(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True, str_strip_whitespace=False)


class Message(_Model):
    role: Literal["system", "user", "assistant", "tool"]
    content: Text


class GenerationSettings(BaseModel):
    """How the response was generated. Known keys are typed; other provider-specific keys are kept as given."""

    model_config = ConfigDict(extra="allow", frozen=True)

    temperature: float | None = Field(default=None, ge=0, le=10)
    top_p: float | None = Field(default=None, ge=0, le=1)
    top_k: int | None = Field(default=None, ge=0)
    max_tokens: int | None = Field(default=None, ge=1)
    seed: int | None = None


class _EventBase(_Model):
    event_id: str
    schema_version: int = SCHEMA_VERSION
    occurred_at: datetime
    app_id: Identifier
    conversation_id: Identifier
    user: Identifier
    client_version: Annotated[str, Field(max_length=64)] | None = None
    #: Set by the browser helper per click; capture drops a repeat of the same key.
    idempotency_key: Annotated[str, Field(max_length=128)] | None = None
    #: The trace this event belongs to in the app's tracing (an OpenTelemetry trace id, a Langfuse trace id, a
    #: LangSmith run id), so feedback and pairs join the traces. Added in v1.1 (optional).
    trace_id: Identifier | None = None
    #: A few labels of the app's own (experiment arm, route, feature flag): at most 16 string keys of up to 64
    #: characters and string values of up to 256. Released with the pairs: no personal data. Added in v1.1.
    metadata: Metadata | None = None

    @field_validator("event_id")
    @classmethod
    def _uuid7(cls, value: str) -> str:
        if _CANONICAL_UUID7.fullmatch(value):
            return value  # what the general path below returns for it, without building a UUID
        try:
            parsed = uuid.UUID(value)
        except ValueError:
            raise ValueError("must be a UUID (version 7) string") from None
        if parsed.version != 7:
            raise ValueError(f"must be a version-7 UUID, got version {parsed.version}")
        return str(parsed)

    @field_validator("occurred_at")
    @classmethod
    def _utc(cls, value: datetime) -> datetime:
        if value.tzinfo is None or value.utcoffset() is None:
            raise ValueError("must carry a timezone (use UTC, e.g. 2026-11-01T12:00:00Z)")
        return value.astimezone(UTC)

    @field_validator("schema_version")
    @classmethod
    def _version(cls, value: int) -> int:
        if value != SCHEMA_VERSION:
            raise ValueError(f"must be {SCHEMA_VERSION}")
        return value

    def to_json(self) -> str:
        """Canonical wire form: compact JSON, keys in model order, ``occurred_at`` as ISO-8601 with ``Z``."""
        return self.model_dump_json(exclude_none=True)


class ResponseEvent(_EventBase):
    """A response shown to a user, with the conversation it answered."""

    type: Literal["response"] = "response"
    response_id: Identifier
    #: The prompt context: the conversation so far, ending with the user's message.
    context: Annotated[list[Message], Field(min_length=1, max_length=MAX_CONTEXT_MESSAGES)]
    text: Text
    model: Annotated[str, Field(min_length=1, max_length=200)]
    generation: GenerationSettings = GenerationSettings()
    #: Where the prompt came from: ``user`` (typed), ``suggestion`` (a clicked suggestion), ``eval``, ...
    prompt_source: Annotated[str, Field(min_length=1, max_length=64)] = "user"
    #: The response this one replaced (set when the user pressed "regenerate").
    regenerates: Identifier | None = None
    system_prompt_version: Annotated[str, Field(max_length=128)] | None = None
    locale: Annotated[str, Field(max_length=35)] | None = None

    @model_validator(mode="after")
    def _ends_with_user(self) -> ResponseEvent:
        if self.context[-1].role != "user":
            raise ValueError("context must end with the user's message the response answers")
        return self


class FeedbackEvent(_EventBase):
    """Thumbs up/down on a response. A later feedback from the same user on the same response replaces the
    earlier one; ``retract`` removes it."""

    type: Literal["feedback"] = "feedback"
    response_id: Identifier
    rating: Literal[1, -1] | None = None
    reason: FeedbackReason | None = None
    comment: Text | None = None
    retract: bool = False

    @model_validator(mode="after")
    def _rating_or_retract(self) -> FeedbackEvent:
        if self.retract and self.rating is not None:
            raise ValueError("a retract carries no rating")
        if not self.retract and self.rating is None:
            raise ValueError("rating is required (1 or -1) unless retract is true")
        return self


class RegenerateEvent(_EventBase):
    """The user asked for another answer to the same turn, replacing ``response_id``."""

    type: Literal["regenerate"] = "regenerate"
    response_id: Identifier


class ChoiceEvent(_EventBase):
    """The user saw two responses side by side and picked one (``a`` or ``b``) or said they are equal."""

    type: Literal["choice"] = "choice"
    response_a: Identifier
    response_b: Identifier
    preferred: Literal["a", "b", "tie"]

    @model_validator(mode="after")
    def _distinct(self) -> ChoiceEvent:
        if self.response_a == self.response_b:
            raise ValueError("response_a and response_b must be different responses")
        return self


class EditEvent(_EventBase):
    """The user (or an operator) corrected a response; ``edited_text`` is the human-written version."""

    type: Literal["edit"] = "edit"
    response_id: Identifier
    edited_text: Annotated[str, Field(min_length=1, max_length=MAX_TEXT_CHARS)]
    editor: Literal["user", "operator"] = "user"


Event = Annotated[
    ResponseEvent | FeedbackEvent | RegenerateEvent | ChoiceEvent | EditEvent,
    Field(discriminator="type"),
]
EVENT_TYPES: dict[str, type[_EventBase]] = {
    "response": ResponseEvent,
    "feedback": FeedbackEvent,
    "regenerate": RegenerateEvent,
    "choice": ChoiceEvent,
    "edit": EditEvent,
}
_event_adapter: TypeAdapter[Any] = TypeAdapter(Event)


def _field_errors(exc: ValidationError) -> list[FieldError]:
    out = []
    for err in exc.errors(include_url=False):
        loc = [str(p) for p in err["loc"]]
        # drop the discriminator tag pydantic puts first ("response", "feedback", ...)
        if loc and loc[0] in EVENT_TYPES:
            loc = loc[1:]
        msg = err["msg"]
        if msg.startswith("Value error, "):
            msg = msg[len("Value error, ") :]
        out.append(FieldError(".".join(loc), msg))
    return out


def parse_event(data: bytes | str | dict[str, Any]) -> Event:
    """Validate one event from the wire (bytes or str of JSON) or from a dict.

    Raises :class:`~prefloop.schemas.errors.EventValidationError` naming every offending field.
    """
    raw = data
    if isinstance(data, bytes | bytearray):
        if len(data) > MAX_EVENT_BYTES:
            raise EventValidationError(
                "too_large", [FieldError("", f"event is {len(data)} bytes; the limit is {MAX_EVENT_BYTES}")]
            )
        try:
            data = bytes(data).decode("utf-8")
        except UnicodeDecodeError as exc:
            raise EventValidationError(
                "not_utf8", [FieldError("", f"not valid UTF-8 at byte {exc.start}: send UTF-8 encoded JSON")]
            ) from None
    if isinstance(data, str):
        if len(data) > MAX_EVENT_BYTES:
            raise EventValidationError(
                "too_large", [FieldError("", f"event is over {MAX_EVENT_BYTES} bytes; shorten the texts")]
            )
        try:
            data = json.loads(data)
        except json.JSONDecodeError as exc:
            raise EventValidationError(
                "not_json", [FieldError("", f"not JSON ({exc.msg} at position {exc.pos})")], raw
            ) from None
    if not isinstance(data, dict):
        raise EventValidationError(
            "not_object", [FieldError("", f"an event is a JSON object, got {type(data).__name__}")], raw
        )
    version = data.get("schema_version", SCHEMA_VERSION)
    if isinstance(version, int) and not isinstance(version, bool) and version > SCHEMA_VERSION:
        raise EventValidationError(
            "unsupported_version",
            [
                FieldError(
                    "schema_version",
                    f"version {version} is newer than this prefloop understands ({SCHEMA_VERSION}); "
                    "upgrade the consumer",
                )
            ],
            raw,
        )
    kind = data.get("type")
    if kind not in EVENT_TYPES:
        allowed = ", ".join(sorted(EVENT_TYPES))
        raise EventValidationError(
            "unknown_type",
            [FieldError("type", f"unknown event type {kind!r}; expected one of: {allowed}")],
            raw,
        )
    try:
        return _event_adapter.validate_python(data)
    except ValidationError as exc:
        raise EventValidationError("invalid", _field_errors(exc), raw) from None
