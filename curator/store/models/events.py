"""What ingest writes: raw events, the responses they describe, current feedback state, prompt groups."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    SmallInteger,
    String,
    Text,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from prefloop.curator.store.models.base import Base, JSONType, UTCDateTime, utcnow

__all__ = ["DeadLetter", "EventRow", "FeedbackState", "PromptGroup", "ResponseRow", "SourceOffset"]


class EventRow(Base):
    """Every accepted event, once (``event_id`` is the primary key: ingest is idempotent).

    ``payload`` is the event as received; its texts are blanked by ``prefloop purge`` after the retention
    period (``purged_at`` set), the metadata stays.
    """

    __tablename__ = "events"

    event_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    type: Mapped[str] = mapped_column(String(16))
    schema_version: Mapped[int] = mapped_column(SmallInteger)
    app_id: Mapped[str] = mapped_column(String(128))
    conversation_id: Mapped[str] = mapped_column(String(128))
    user: Mapped[str] = mapped_column(String(128))
    response_id: Mapped[str | None] = mapped_column(String(128))
    #: The second response a ``choice`` event names (``response_b``; ``response_id`` holds ``response_a``).
    other_response_id: Mapped[str | None] = mapped_column(String(128))
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime())
    ingested_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    payload: Mapped[dict[str, Any]] = mapped_column(JSONType)
    #: Where it came from: ``kafka:<topic>/<partition>@<offset>``, ``spool:<writer>/<segment>@<byte>`` or
    #: ``file:<path>@<byte>``.
    source: Mapped[str | None] = mapped_column(String(300))
    purged_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    #: The browser helper's key for one click: a retry (new event id, same key) is stored once per app and user.
    idempotency_key: Mapped[str | None] = mapped_column(String(128))
    #: The app's trace id (v1.1 events), to join feedback with OpenTelemetry/Langfuse/LangSmith traces.
    trace_id: Mapped[str | None] = mapped_column(String(128))

    __table_args__ = (
        Index("ix_events_conversation", "conversation_id", "occurred_at"),
        Index("ix_events_user", "user"),
        Index("ix_events_response", "response_id"),
        Index("ix_events_occurred", "occurred_at"),
        Index("ix_events_other_response", "other_response_id"),
        Index(
            "uq_events_idempotency",
            "app_id",
            "user",
            "idempotency_key",
            unique=True,
            postgresql_where=text("idempotency_key IS NOT NULL"),
            sqlite_where=text("idempotency_key IS NOT NULL"),
        ),
    )


class PromptGroup(Base):
    """Responses to the same prompt in the same context: key = hash of the normalized conversation so far."""

    __tablename__ = "prompt_groups"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    #: The context (earlier turns + the user message) as messages, raw until purge.
    context: Mapped[list[dict[str, str]]] = mapped_column(JSONType)
    system_prompt_version: Mapped[str | None] = mapped_column(String(128))
    app_id: Mapped[str] = mapped_column(String(128))
    tags: Mapped[dict[str, Any] | None] = mapped_column(JSONType)
    first_seen: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    last_seen: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    #: Set when new signals arrived since pairing last looked at this group.
    dirty: Mapped[bool] = mapped_column(Boolean, default=True, index=True)
    #: Set by ``prefloop purge`` when ``context`` texts were blanked.
    purged_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class ResponseRow(Base):
    """A response shown to a user."""

    __tablename__ = "responses"

    response_id: Mapped[str] = mapped_column(String(128), primary_key=True)
    event_id: Mapped[str] = mapped_column(ForeignKey("events.event_id", ondelete="CASCADE"))
    group_key: Mapped[str] = mapped_column(ForeignKey("prompt_groups.key"), index=True)
    app_id: Mapped[str] = mapped_column(String(128))
    conversation_id: Mapped[str] = mapped_column(String(128), index=True)
    user: Mapped[str] = mapped_column(String(128), index=True)
    text: Mapped[str | None] = mapped_column(Text)
    model: Mapped[str] = mapped_column(String(200))
    generation: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
    prompt_source: Mapped[str] = mapped_column(String(64))
    regenerates: Mapped[str | None] = mapped_column(String(128), index=True)
    turn_index: Mapped[int] = mapped_column(Integer, default=0)
    #: The response of the next turn whose context continued from this one (a "continued conversation" signal).
    continued_by: Mapped[str | None] = mapped_column(String(128))
    shown_at: Mapped[datetime] = mapped_column(UTCDateTime())
    #: The trace id and the metadata labels the app recorded with the response (v1.1 events).
    trace_id: Mapped[str | None] = mapped_column(String(128))
    meta: Mapped[dict[str, str] | None] = mapped_column(JSONType)


class FeedbackState(Base):
    """The current thumbs of one user on one response (a later feedback replaces it; retract deletes it)."""

    __tablename__ = "feedback"

    response_id: Mapped[str] = mapped_column(String(128), primary_key=True)
    user: Mapped[str] = mapped_column(String(128), primary_key=True)
    rating: Mapped[int] = mapped_column(SmallInteger)
    reason: Mapped[str | None] = mapped_column(String(32))
    comment: Mapped[str | None] = mapped_column(Text)
    event_id: Mapped[str] = mapped_column(String(36))
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime())


class DeadLetter(Base):
    """An event that failed validation, kept with the reason (embedded mode; Kafka mode also uses the DLQ topic)."""

    __tablename__ = "dead_letters"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    source: Mapped[str] = mapped_column(String(300))
    code: Mapped[str] = mapped_column(String(32))
    reason: Mapped[str] = mapped_column(Text)
    raw: Mapped[bytes] = mapped_column(LargeBinary)
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class SourceOffset(Base):
    """How far a non-Kafka source (a spool or a JSONL file) has been ingested; committed with the data."""

    __tablename__ = "source_offsets"

    source: Mapped[str] = mapped_column(String(300), primary_key=True)
    position: Mapped[int] = mapped_column(BigInteger)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)
