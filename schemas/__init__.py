"""prefloop's contracts: the v1 capture events, downstream records, and the error root. No I/O here."""

from __future__ import annotations

from prefloop.schemas.errors import (
    CaptureError,
    ConfigError,
    EventValidationError,
    FieldError,
    PrefloopError,
    ReleaseError,
    SchemaError,
    StoreError,
)
from prefloop.schemas.events import (
    EVENT_TYPES,
    MAX_EVENT_BYTES,
    MAX_TEXT_CHARS,
    SCHEMA_VERSION,
    ChoiceEvent,
    EditEvent,
    Event,
    FeedbackEvent,
    GenerationSettings,
    Message,
    RegenerateEvent,
    ResponseEvent,
    parse_event,
)
from prefloop.schemas.records import PairRecord, ReleaseManifest, Signal, VoteRecord

__all__ = [
    "EVENT_TYPES",
    "MAX_EVENT_BYTES",
    "MAX_TEXT_CHARS",
    "SCHEMA_VERSION",
    "CaptureError",
    "ChoiceEvent",
    "ConfigError",
    "EditEvent",
    "Event",
    "EventValidationError",
    "FeedbackEvent",
    "FieldError",
    "GenerationSettings",
    "Message",
    "PairRecord",
    "PrefloopError",
    "RegenerateEvent",
    "ReleaseError",
    "ReleaseManifest",
    "ResponseEvent",
    "SchemaError",
    "Signal",
    "StoreError",
    "VoteRecord",
    "parse_event",
]
