"""Records that flow between the curator, the review bot and releases.

These are the contracts downstream of the events: a preference pair as it is exported and released, a
reviewer's vote, and a release manifest. Like the events, they only grow by optional fields within a version.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from prefloop.schemas.events import Message

__all__ = [
    "PAIR_ROUTES",
    "PAIR_STATUSES",
    "SIGNAL_KINDS",
    "VOTE_CHOICES",
    "PairRecord",
    "ReleaseFile",
    "ReleaseManifest",
    "Signal",
    "VoteRecord",
]

#: Kinds of evidence a pair can rest on, strongest first.
SIGNAL_KINDS = (
    "choice",  # side-by-side pick
    "edit",  # human correction over the original
    "regenerate_then_positive",  # regenerate, then thumbs-up / choice / continued on the new answer
    "thumbs_same_user",  # +1 vs -1 by the same user in one prompt group
    "thumbs_cross_user",  # +1 vs -1 by different users in one prompt group
    "regenerate_only",  # regenerate with no other signal: weak
)
PAIR_ROUTES = ("accept", "review", "discard")
PAIR_STATUSES = ("accepted", "review", "discarded")
VOTE_CHOICES = ("a", "b", "tie", "both_bad", "unsafe")


class _Record(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)


class Signal(_Record):
    """One piece of evidence behind a pair: which events formed it and which way it points."""

    kind: str
    #: ``chosen`` when the evidence prefers the pair's chosen response, ``rejected`` when it points the other way.
    favours: Literal["chosen", "rejected"]
    strength: float = Field(ge=0, le=1)
    event_ids: list[str]
    users: int = 1
    detail: dict[str, Any] = {}


class PairRecord(_Record):
    """A preference pair as exported (`prefloop pairs export`) and released. Texts are scrubbed."""

    pair_id: str
    prompt_group: str
    #: The conversation so far, ending with the user's message (TRL's conversational ``prompt``).
    prompt: list[Message]
    chosen: str
    rejected: str
    chosen_response_id: str | None
    rejected_response_id: str | None
    chosen_human_written: bool = False
    status: Literal["accepted", "review", "discarded"]
    route_reasons: list[str] = []
    strength: float = Field(ge=0, le=1)
    signals: list[Signal] = []
    conflicts: int = 0
    checks: list[str] = []
    tags: dict[str, Any] = {}
    models: dict[str, str | None] = {}
    generation: dict[str, dict[str, Any]] = {}
    prompt_source: str | None = None
    rubric_version: str | None = None
    review: dict[str, Any] | None = None
    scrubber_version: str | None = None
    created_at: datetime
    updated_at: datetime


class VoteRecord(_Record):
    """A reviewer's vote on a pair posted for review. ``choice`` is in the reviewer's frame (A/B as shown)."""

    pair_id: str
    reviewer: str
    choice: Literal["a", "b", "tie", "both_bad", "unsafe"]
    reason: str | None = None
    #: Which stored side was shown as "A": ``chosen`` or ``rejected`` (recorded to measure position bias).
    a_is: Literal["chosen", "rejected"]
    rubric_version: str
    voted_at: datetime


class ReleaseFile(_Record):
    path: str
    sha256: Annotated[str, Field(pattern=r"^[0-9a-f]{64}$")]
    bytes: int


class ReleaseManifest(_Record):
    """``manifest.json`` of a monthly release."""

    name: str
    month: Annotated[str, Field(pattern=r"^\d{4}-\d{2}$")]
    revision: int = Field(ge=1)
    counts: dict[str, int]
    files: list[ReleaseFile]
    code_version: str
    schema_version: int
    scrubber_version: str | None = None
    tagger_version: str | None = None
    rubric_version: str | None = None
    previous: str | None = None
    seed: int
    gates: dict[str, Any] = {}
    overrides: list[str] = []
