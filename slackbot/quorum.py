"""When is a pair under review resolved? A pure decision over the votes cast so far.

Votes arrive in the reviewer's frame ("A"/"B" as shown); :func:`to_label` maps them to the stored frame
(``chosen``/``rejected``) using the recorded ``a_is``, so votes on the same pair are comparable and position
bias can be measured.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any, Literal

import yaml

from prefloop.slackbot.errors import PolicyError

__all__ = [
    "DEFAULT_POLICY",
    "LABELS",
    "Ballot",
    "Decision",
    "QuorumPolicy",
    "decide",
    "load_policy",
    "pair_effect",
    "to_label",
]

DEFAULT_POLICY = Path(__file__).with_name("quorum_policy.yaml")

#: Vote labels in the stored frame; ``split`` is only ever an outcome (no quorum, no escalation).
LABELS = ("chosen", "rejected", "tie", "both_bad", "unsafe")


@dataclass(frozen=True)
class QuorumPolicy:
    version: str = "1"
    quorum: int = 2
    max_votes: int = 3
    escalate_on_split: bool = True
    adjudicator_votes: int = 1
    remind_after_hours: float = 24.0
    max_reminders: int = 2
    member_cache_seconds: float = 60.0
    #: Share of review posts that are gold items (pairs with a known answer), mixed in unseen as such.
    gold_rate: float = 0.05
    #: A reviewer is judged on gold once they voted on this many gold items ...
    gold_min_items: int = 5
    #: ... and flagged to the team when their accuracy on them is below this.
    gold_min_accuracy: float = 0.7
    #: What a flagged reviewer's votes count for: ``count`` (as before), ``weight`` (``gold_low_weight`` of a
    #: vote towards quorum) or ``exclude`` (recorded, not counted).
    gold_policy: str = "weight"
    gold_low_weight: float = 0.5


def load_policy(path: Path | str | None = None) -> QuorumPolicy:
    """Read a quorum policy YAML; unknown keys and impossible values raise :class:`PolicyError`."""
    path = Path(path) if path else DEFAULT_POLICY
    try:
        data: Any = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError) as exc:
        raise PolicyError(f"cannot read quorum policy {path}: {exc}", path=path) from exc
    if not isinstance(data, dict):
        raise PolicyError(f"quorum policy {path} must be a mapping of settings", path=path)
    known = {f.name: f.type for f in fields(QuorumPolicy)}
    unknown = sorted(set(data) - set(known))
    if unknown:
        raise PolicyError(
            f"quorum policy {path}: unknown key(s) {unknown}; known: {sorted(known)}",
            path=path,
            field=unknown[0],
        )
    defaults = QuorumPolicy()
    values: dict[str, Any] = {}
    for name, value in data.items():
        kind = type(getattr(defaults, name))
        try:
            values[name] = kind(value) if kind is not bool else _as_bool(value)
        except (TypeError, ValueError):
            raise PolicyError(
                f"quorum policy {path}: {name}={value!r} is not a {kind.__name__}", path=path, field=name
            ) from None
    policy = QuorumPolicy(**values)
    if not 1 <= policy.quorum <= policy.max_votes:
        raise PolicyError(
            f"quorum policy {path}: need 1 <= quorum ({policy.quorum}) <= max_votes ({policy.max_votes})",
            path=path,
            field="quorum",
        )
    if not 0 <= policy.gold_rate < 1 or not 0 <= policy.gold_min_accuracy <= 1:
        raise PolicyError(
            f"quorum policy {path}: gold_rate must be in [0, 1) and gold_min_accuracy in [0, 1]",
            path=path,
            field="gold_rate",
        )
    if policy.gold_policy not in ("count", "weight", "exclude"):
        raise PolicyError(
            f"quorum policy {path}: gold_policy must be count, weight or exclude, not {policy.gold_policy!r}",
            path=path,
            field="gold_policy",
        )
    if policy.adjudicator_votes < 1:
        raise PolicyError(
            f"quorum policy {path}: adjudicator_votes must be >= 1", path=path, field="adjudicator_votes"
        )
    return policy


def _as_bool(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    raise ValueError(value)


def to_label(choice: str, a_is: str) -> str:
    """A vote as cast ("a", "b", "tie", ...) in the stored frame ("chosen", "rejected", "tie", ...)."""
    if choice == "a":
        return a_is
    if choice == "b":
        return "rejected" if a_is == "chosen" else "chosen"
    return choice


@dataclass(frozen=True)
class Ballot:
    reviewer: str
    label: str  # one of LABELS
    role: Literal["reviewer", "adjudicator"] = "reviewer"
    #: How much this vote counts towards quorum (below 1 for a reviewer flagged on gold items).
    weight: float = 1.0


@dataclass(frozen=True)
class Decision:
    #: open (wait for more votes) | escalate (split: ask adjudicators) | resolved
    state: Literal["open", "escalate", "resolved"]
    outcome: str | None = None
    #: Share of reviewer votes that agree with the outcome (None while open).
    agreement: float | None = None
    decided_by: Literal["quorum", "adjudicator", "split"] | None = None


def decide(ballots: Sequence[Ballot], policy: QuorumPolicy, escalated: bool = False) -> Decision:
    """The pair's state after ``ballots`` (each reviewer's current vote).

    Reviewer votes resolve the pair once ``quorum`` of them agree. When quorum can no longer be reached within
    ``max_votes`` the pair is a split: escalated to adjudicators (or resolved as ``split`` when escalation is
    off). An escalated pair resolves when ``adjudicator_votes`` adjudicators agree, or when reviewers reach
    quorum after all (a reviewer may still change their vote).
    """
    reviewers = [b for b in ballots if b.role == "reviewer"]
    tally: Counter[str] = Counter()
    for b in reviewers:
        tally[b.label] += b.weight  # type: ignore[assignment]
    top, top_n = _top(tally)
    if top is not None and top_n >= policy.quorum - 1e-9:
        return Decision("resolved", top, _share(reviewers, top), "quorum")
    if escalated:
        adj_top, adj_n = _top(Counter(b.label for b in ballots if b.role == "adjudicator"))
        if adj_top is not None and adj_n >= policy.adjudicator_votes:
            return Decision("resolved", adj_top, _share(reviewers, adj_top), "adjudicator")
        return Decision("escalate")
    if top_n + max(policy.max_votes - len(reviewers), 0) < policy.quorum - 1e-9:
        if policy.escalate_on_split:
            return Decision("escalate")
        return Decision("resolved", "split", _share(reviewers, top) if top else 0.0, "split")
    return Decision("open")


def _top(tally: Counter[str]) -> tuple[str | None, float]:
    if not tally:
        return None, 0
    (label, n), *rest = tally.most_common()
    if rest and rest[0][1] == n:
        return None, n  # a tie for first place agrees on nothing
    return label, n


def _share(ballots: Iterable[Ballot], label: str | None) -> float:
    ballots = list(ballots)
    if not ballots:
        return 0.0
    return round(sum(b.label == label for b in ballots) / len(ballots), 4)


def pair_effect(outcome: str) -> tuple[str, bool]:
    """(new Pair.status, swap chosen/rejected?) for a resolved ``outcome``."""
    if outcome == "chosen":
        return "accepted", False
    if outcome == "rejected":
        return "accepted", True
    return "discarded", False
