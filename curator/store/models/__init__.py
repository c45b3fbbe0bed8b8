"""The store's tables, one module per area. Importing this package registers every table on ``Base.metadata``."""

from __future__ import annotations

from prefloop.curator.store.models.base import Base, JSONType, UTCDateTime, utcnow
from prefloop.curator.store.models.events import (
    DeadLetter,
    EventRow,
    FeedbackState,
    PromptGroup,
    ResponseRow,
    SourceOffset,
)
from prefloop.curator.store.models.pairs import Pair
from prefloop.curator.store.models.releases import Erasure, JobRun, Release, ReleasedPair, ReleasedPrompt
from prefloop.curator.store.models.review import (
    AuditEntry,
    GoldItem,
    OutboxMessage,
    Reviewer,
    ReviewPost,
    SeenSlackEvent,
    SignalKindOutcome,
    ThreadMessage,
    UserSignalHistory,
    Vote,
)

__all__ = [
    "AuditEntry",
    "Base",
    "DeadLetter",
    "Erasure",
    "EventRow",
    "FeedbackState",
    "GoldItem",
    "JSONType",
    "JobRun",
    "OutboxMessage",
    "Pair",
    "PromptGroup",
    "Release",
    "ReleasedPair",
    "ReleasedPrompt",
    "ResponseRow",
    "ReviewPost",
    "Reviewer",
    "SeenSlackEvent",
    "SignalKindOutcome",
    "SourceOffset",
    "ThreadMessage",
    "UTCDateTime",
    "UserSignalHistory",
    "Vote",
    "utcnow",
]
