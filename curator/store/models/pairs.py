"""Preference pairs, with their evidence, checks, routing decision and review outcome."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Boolean, Float, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from prefloop.curator.store.models.base import Base, JSONType, UTCDateTime, utcnow

__all__ = ["Pair"]


class Pair(Base):
    """One (prompt, chosen, rejected) pair.

    One row per unordered pair of candidates in a prompt group: evidence in both directions is kept in
    ``signals`` and counted in ``conflicts``, never averaged away. Texts here are scrubbed (``scrubbed`` is
    true once the scrubber ran); this is what may reach Slack and releases.
    """

    __tablename__ = "pairs"

    pair_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    group_key: Mapped[str] = mapped_column(ForeignKey("prompt_groups.key"), index=True)
    chosen_response_id: Mapped[str | None] = mapped_column(String(128))
    rejected_response_id: Mapped[str | None] = mapped_column(String(128))
    chosen_human_written: Mapped[bool] = mapped_column(Boolean, default=False)

    prompt: Mapped[list[dict[str, str]]] = mapped_column(JSONType)
    chosen: Mapped[str] = mapped_column(Text)
    rejected: Mapped[str] = mapped_column(Text)
    scrubbed: Mapped[bool] = mapped_column(Boolean, default=False)
    scrubber_version: Mapped[str | None] = mapped_column(String(100))
    pii_counts: Mapped[dict[str, int]] = mapped_column(JSONType, default=dict)

    kind: Mapped[str] = mapped_column(String(32))
    strength: Mapped[float] = mapped_column(Float)
    signals: Mapped[list[dict[str, Any]]] = mapped_column(JSONType, default=list)
    conflicts: Mapped[int] = mapped_column(Integer, default=0)
    checks: Mapped[list[str]] = mapped_column(JSONType, default=list)
    tags: Mapped[dict[str, Any] | None] = mapped_column(JSONType)
    #: Hash of the normalized (prompt, chosen, rejected) texts: the ``duplicate`` check looks it up.
    fingerprint: Mapped[str | None] = mapped_column(String(64), index=True)

    #: accepted | review | discarded
    status: Mapped[str] = mapped_column(String(16), index=True)
    route_reasons: Mapped[list[str]] = mapped_column(JSONType, default=list)
    policy_version: Mapped[str | None] = mapped_column(String(64))
    #: The review outcome once resolved: {"outcome", "votes", "agreement", "resolved_at", "reasons"}.
    review: Mapped[dict[str, Any] | None] = mapped_column(JSONType)
    rubric_version: Mapped[str | None] = mapped_column(String(32))

    #: Everything preference data needs later: prompt source, models and generation settings of both sides.
    meta: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
    #: Pseudonymous users whose events formed the pair (erasure removes the pair).
    users: Mapped[list[str]] = mapped_column(JSONType, default=list)

    #: When the first evidence happened; the release month is taken from this.
    formed_at: Mapped[datetime] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)

    __table_args__ = (Index("ix_pairs_status_formed", "status", "formed_at"),)
