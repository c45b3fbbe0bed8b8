"""Plain data the pairing core works on: a prompt group's responses and signals in, pair drafts out.

Adapters (the store, the benchmarks, the tests) build these; nothing here touches a database or a broker.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

__all__ = [
    "ActionView",
    "Candidate",
    "FeedbackView",
    "GroupView",
    "PairDraft",
    "ResponseView",
    "SignalView",
]


@dataclass(frozen=True)
class ResponseView:
    """One response shown to a user. ``text`` is None once purged (such responses are never re-paired)."""

    response_id: str
    text: str | None
    user: str
    conversation_id: str
    shown_at: datetime
    event_id: str
    model: str = ""
    generation: dict[str, Any] = field(default_factory=dict)
    prompt_source: str = "user"
    regenerates: str | None = None
    continued_by: str | None = None
    #: The app's trace id and metadata labels recorded with the response (v1.1 events), carried into pairs.
    trace_id: str | None = None
    metadata: dict[str, str] | None = None


@dataclass(frozen=True)
class FeedbackView:
    """The current thumbs of one user on one response: ``rating`` 1, -1, or 0 (retracted)."""

    response_id: str
    user: str
    rating: int
    reason: str | None
    event_id: str
    occurred_at: datetime


@dataclass(frozen=True)
class ActionView:
    """A choice, edit or regenerate event.

    ``kind`` is the event type; ``response_id`` is the response acted on (``response_a`` for a choice),
    ``other_response_id`` is ``response_b`` of a choice.
    """

    kind: str
    event_id: str
    user: str
    occurred_at: datetime
    response_id: str
    other_response_id: str | None = None
    preferred: str | None = None
    edited_text: str | None = None
    editor: str | None = None


@dataclass(frozen=True)
class GroupView:
    """Everything pairing needs about one prompt group."""

    key: str
    context: list[dict[str, str]]
    responses: list[ResponseView]
    feedback: list[FeedbackView] = field(default_factory=list)
    actions: list[ActionView] = field(default_factory=list)
    app_id: str = ""
    system_prompt_version: str | None = None
    tags: dict[str, Any] | None = None
    #: Reviewer-verified history of the group's users: user -> (signals reviewers confirmed, contradicted).
    user_history: dict[str, tuple[int, int]] = field(default_factory=dict)


@dataclass(frozen=True)
class SignalView:
    """One piece of evidence on a candidate, in the candidate's frame: it favours side ``a`` or ``b``."""

    kind: str
    favours: str  # "a" | "b"
    strength: float
    event_ids: tuple[str, ...]
    users: tuple[str, ...]
    at: datetime
    detail: dict[str, Any] = field(default_factory=dict)


@dataclass
class Candidate:
    """Two distinct answers in one group with the evidence between them (not yet oriented or routed).

    Side ``a`` is a response, or a human edit when ``a_human_written``; side ``b`` is always a response.
    ``a_ids``/``b_ids`` list every response whose text is that answer (identical answers are one candidate).
    """

    pair_id: str
    group_key: str
    a_id: str
    b_id: str
    a_text: str
    b_text: str
    a_ids: list[str]
    b_ids: list[str]
    a_human_written: bool = False
    signals: list[SignalView] = field(default_factory=list)
    ties: list[SignalView] = field(default_factory=list)
    similarity: float = 0.0
    #: Ids of candidates over near-identical answers whose evidence was merged into this one.
    merged: list[str] = field(default_factory=list)


@dataclass
class PairDraft:
    """An oriented, checked and routed pair, ready for an adapter to scrub and store."""

    pair_id: str
    group_key: str
    prompt: list[dict[str, str]]
    chosen: str
    rejected: str
    chosen_response_id: str | None
    rejected_response_id: str | None
    chosen_human_written: bool
    kind: str
    strength: float
    signals: list[dict[str, Any]]
    conflicts: int
    checks: list[str]
    status: str
    route_reasons: list[str]
    policy_version: str
    users: list[str]
    formed_at: datetime
    meta: dict[str, Any]
    fingerprint: str
    tags: dict[str, Any] | None = None
