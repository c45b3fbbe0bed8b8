"""Monthly releases, the job-run lock that makes the scheduled release run once, and erasure records."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Boolean, Integer, String, Text, UniqueConstraint, false
from sqlalchemy.orm import Mapped, mapped_column

from prefloop.curator.store.models.base import Base, JSONType, UTCDateTime, utcnow

__all__ = ["Erasure", "JobRun", "Release", "ReleasedPair", "ReleasedPrompt"]


class Release(Base):
    __tablename__ = "releases"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    month: Mapped[str] = mapped_column(String(7))
    revision: Mapped[int] = mapped_column(Integer, default=1)
    path: Mapped[str] = mapped_column(Text)
    manifest: Mapped[dict[str, Any]] = mapped_column(JSONType)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    __table_args__ = (UniqueConstraint("month", "revision", name="uq_releases_month_revision"),)


class ReleasedPrompt(Base):
    """Every prompt group a release shipped, with its split: cross-release dedup and leak checks read this."""

    __tablename__ = "released_prompts"

    group_key: Mapped[str] = mapped_column(String(64), primary_key=True)
    #: normalized-prompt fingerprint for near-duplicate detection across releases
    fingerprint: Mapped[str] = mapped_column(String(64), index=True)
    split: Mapped[str] = mapped_column(String(16))
    #: The month (``YYYY-MM``) of the first release that shipped this prompt.
    first_release: Mapped[str] = mapped_column(String(32))
    #: Pinned into the frozen evaluation set (`prefloop release pin-eval`): never shipped for training again.
    pinned_eval: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())


class ReleasedPair(Base):
    """Every pair a release took (shipped, or removed by a gate), with the release's month: a pair is taken by
    one month only, and one that became ready after its own month's release is taken by the next release."""

    __tablename__ = "released_pairs"

    pair_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    month: Mapped[str] = mapped_column(String(7), index=True)


class JobRun(Base):
    """One row per (job, period), taken before the work starts: a second scheduler cannot run it again."""

    __tablename__ = "job_runs"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    job: Mapped[str] = mapped_column(String(64))
    period: Mapped[str] = mapped_column(String(32))
    #: running | done | failed
    status: Mapped[str] = mapped_column(String(16), default="running")
    started_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    detail: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)

    __table_args__ = (UniqueConstraint("job", "period", name="uq_job_runs_job_period"),)


class Erasure(Base):
    """A `prefloop forget` request: the next release's changelog reports the rows that left."""

    __tablename__ = "erasures"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    user: Mapped[str] = mapped_column(String(128), index=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    events_removed: Mapped[int] = mapped_column(Integer, default=0)
    pairs_removed: Mapped[int] = mapped_column(Integer, default=0)
