"""Human review in Slack: reviewers, posts, votes, thread discussion, the audit log and the Slack outbox."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Boolean, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from prefloop.curator.store.models.base import Base, JSONType, UTCDateTime, utcnow

__all__ = [
    "AuditEntry",
    "GoldItem",
    "OutboxMessage",
    "ReviewPost",
    "Reviewer",
    "SeenSlackEvent",
    "SignalKindOutcome",
    "ThreadMessage",
    "UserSignalHistory",
    "Vote",
]


class Reviewer(Base):
    __tablename__ = "reviewers"

    user_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str | None] = mapped_column(String(200))
    #: reviewer | adjudicator
    role: Mapped[str] = mapped_column(String(16), default="reviewer")
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    added_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class ReviewPost(Base):
    """A pair posted for review: where, and which stored side was shown as "A" (position bias)."""

    __tablename__ = "review_posts"

    pair_id: Mapped[str] = mapped_column(ForeignKey("pairs.pair_id", ondelete="CASCADE"), primary_key=True)
    channel: Mapped[str | None] = mapped_column(String(64))
    ts: Mapped[str | None] = mapped_column(String(32), index=True)
    a_is: Mapped[str] = mapped_column(String(8))  # chosen | rejected
    #: queued | posted | escalated | resolved
    state: Mapped[str] = mapped_column(String(16), default="queued", index=True)
    rubric_version: Mapped[str] = mapped_column(String(32))
    posted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    reminded_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    #: How many reminders (thread replies, the last one re-broadcast to the channel) were sent.
    reminders: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    escalated_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    outcome: Mapped[str | None] = mapped_column(String(16))


class Vote(Base):
    """One reviewer's vote on one pair (changeable until the pair resolves)."""

    __tablename__ = "votes"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    pair_id: Mapped[str] = mapped_column(ForeignKey("pairs.pair_id", ondelete="CASCADE"), index=True)
    reviewer: Mapped[str] = mapped_column(String(64), index=True)
    #: a | b | tie | both_bad | unsafe, in the reviewer's frame (as shown)
    choice: Mapped[str] = mapped_column(String(16))
    reason: Mapped[str | None] = mapped_column(String(64))
    a_is: Mapped[str] = mapped_column(String(8))
    rubric_version: Mapped[str] = mapped_column(String(32))
    role: Mapped[str] = mapped_column(String(16), default="reviewer")
    voted_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    #: Slack's ``action_ts`` of the click that cast this vote: an action older than it never overwrites it.
    action_ts: Mapped[str | None] = mapped_column(String(32))

    __table_args__ = (UniqueConstraint("pair_id", "reviewer", name="uq_votes_pair_reviewer"),)


class ThreadMessage(Base):
    """Discussion in a review thread, recorded as signal."""

    __tablename__ = "thread_messages"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    pair_id: Mapped[str] = mapped_column(ForeignKey("pairs.pair_id", ondelete="CASCADE"), index=True)
    user_id: Mapped[str] = mapped_column(String(64))
    ts: Mapped[str] = mapped_column(String(32))
    text: Mapped[str] = mapped_column(Text)
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class AuditEntry(Base):
    """Who did what, when, on which pair and rubric version."""

    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)
    actor: Mapped[str] = mapped_column(String(64))
    action: Mapped[str] = mapped_column(String(64))
    pair_id: Mapped[str | None] = mapped_column(String(64), index=True)
    rubric_version: Mapped[str | None] = mapped_column(String(32))
    detail: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)


class OutboxMessage(Base):
    """A Slack API call waiting to be made. Slack being down or rate-limiting delays it; nothing is lost."""

    __tablename__ = "slack_outbox"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    #: Unique per logical message (e.g. ``post:<pair_id>``) so a retry never posts twice.
    dedupe_key: Mapped[str] = mapped_column(String(200), unique=True)
    method: Mapped[str] = mapped_column(String(64))
    payload: Mapped[dict[str, Any]] = mapped_column(JSONType)
    pair_id: Mapped[str | None] = mapped_column(String(64), index=True)
    #: pending | sent | failed
    status: Mapped[str] = mapped_column(String(16), default="pending")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    last_error: Mapped[str | None] = mapped_column(Text)
    result: Mapped[dict[str, Any] | None] = mapped_column(JSONType)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    __table_args__ = (Index("ix_slack_outbox_due", "status", "next_attempt_at"),)


class SeenSlackEvent(Base):
    """Slack event ids already handled (Slack retries events it did not get a 200 for)."""

    __tablename__ = "slack_events_seen"

    event_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class GoldItem(Base):
    """A pair with a known answer, mixed into the review queue unseen as such (its pair has status ``gold``,
    so it never reaches a release). Reviewers' votes on it measure their accuracy."""

    __tablename__ = "gold_items"

    pair_id: Mapped[str] = mapped_column(ForeignKey("pairs.pair_id", ondelete="CASCADE"), primary_key=True)
    #: The right vote in the stored frame: chosen | rejected | tie | both_bad | unsafe
    answer: Mapped[str] = mapped_column(String(16))
    category: Mapped[str] = mapped_column(String(64), default="none")
    #: Where the answer comes from: ``team`` (written by the team) or ``eval:<release>`` (frozen eval set)
    source: Mapped[str] = mapped_column(String(64), default="team")
    added_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class UserSignalHistory(Base):
    """A user's reviewer-verified record: how often reviewers confirmed or contradicted the preference their
    signals formed (pairs without conflicting evidence only). Pairing weighs their later signals by it."""

    __tablename__ = "user_signal_history"

    user: Mapped[str] = mapped_column(String(128), primary_key=True)
    confirmed: Mapped[int] = mapped_column(Integer, default=0)
    contradicted: Mapped[int] = mapped_column(Integer, default=0)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class SignalKindOutcome(Base):
    """Per signal kind: how often reviewers confirmed or contradicted a lone user's evidence of that kind (pairs
    formed by one user, without conflicting evidence). Pairing re-estimates the kind's reliability from it."""

    __tablename__ = "signal_kind_outcomes"

    kind: Mapped[str] = mapped_column(String(64), primary_key=True)
    confirmed: Mapped[int] = mapped_column(Integer, default=0)
    contradicted: Mapped[int] = mapped_column(Integer, default=0)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
