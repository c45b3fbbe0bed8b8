"""Gold items: pairs with a known answer, mixed into the review queue unseen as such, so each reviewer's
accuracy is measured (overall and per harm category) and a reviewer below the policy's threshold is flagged and
their votes weighted or excluded.

A gold pair is an ordinary ``pairs`` row with status ``gold`` (so the curator, coverage and releases never take
it) plus a :class:`~prefloop.curator.store.models.GoldItem` with the right answer. Its post looks like any other:
the same blocks, a pair id of the same form, the most common side-neutral review reason.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from prefloop.curator.pairing.grouping import answer_hash, group_key
from prefloop.curator.pairing.signals import pair_id_for
from prefloop.curator.store import Store
from prefloop.curator.store.models import GoldItem, Pair, PromptGroup, Vote
from prefloop.slackbot.errors import SlackbotError
from prefloop.slackbot.quorum import LABELS, QuorumPolicy, to_label

__all__ = ["GOLD_APP", "GoldError", "GoldScore", "add_gold", "flagged", "gold_scores", "read_gold_file"]

#: The app id of gold prompt groups (kept apart from every real app's groups).
GOLD_APP = "prefloop-gold"
#: What a gold pair's "Why review:" says: the reason most real review pairs carry, so nothing sets it apart.
_ROUTE_REASONS = ["weak_signal: strength 0.920 < 0.950"]


class GoldError(SlackbotError):
    """A gold item is malformed. ``line`` is its line number in the file (1-based), when read from one."""

    def __init__(self, message: str, line: int | None = None) -> None:
        self.line = line
        super().__init__(message)


def _item(raw: Any, line: int | None) -> dict[str, Any]:
    where = f"gold item on line {line}" if line else "gold item"
    if not isinstance(raw, dict):
        raise GoldError(f"{where} must be a JSON object with prompt, chosen, rejected", line)
    prompt = raw.get("prompt")
    if isinstance(prompt, str):
        prompt = [{"role": "user", "content": prompt}]
    messages: list[dict[str, Any]] = []
    if isinstance(prompt, list) and all(
        isinstance(m, dict) and isinstance(m.get("content"), str) for m in prompt
    ):
        messages = prompt
    texts_ok = all(isinstance(raw.get(k), str) and raw[k].strip() for k in ("chosen", "rejected"))
    if not messages or not texts_ok:
        raise GoldError(
            f"{where} needs a prompt (text or messages) and non-empty chosen and rejected texts", line
        )
    answer = str(raw.get("answer", "chosen"))
    if answer not in LABELS:
        raise GoldError(f"{where}: answer must be one of {', '.join(LABELS)}, not {answer!r}", line)
    return {
        "prompt": [{"role": str(m.get("role", "user")), "content": m["content"]} for m in messages],
        "chosen": raw["chosen"],
        "rejected": raw["rejected"],
        "answer": answer,
        "category": str(raw.get("category") or "none"),
        "source": str(raw.get("source") or "team"),
    }


def read_gold_file(path: Path) -> list[dict[str, Any]]:
    """Gold items from a JSONL file: ``{"prompt", "chosen", "rejected", "answer"?, "category"?, "source"?}``
    per line; ``answer`` (default ``chosen``) is the right vote in the file's frame."""
    items = []
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            raw = json.loads(line)
        except ValueError as exc:
            raise GoldError(f"gold item on line {n} is not JSON: {exc}", n) from None
        items.append(_item(raw, n))
    return items


def add_gold(store: Store, items: Iterable[Mapping[str, Any]], now: datetime | None = None) -> list[str]:
    """Store gold items (already present ones are skipped). Returns the new gold pair ids."""
    now = now or datetime.now(UTC)
    added = []
    with store.session() as s:
        for raw in items:
            item = _item(dict(raw), None)
            key = group_key(item["prompt"], app_id=GOLD_APP)
            pair_id = pair_id_for(key, answer_hash(item["chosen"]), answer_hash(item["rejected"]))
            if s.get(Pair, pair_id) is not None:
                continue
            if s.get(PromptGroup, key) is None:
                s.add(
                    PromptGroup(
                        key=key,
                        context=item["prompt"],
                        app_id=GOLD_APP,
                        first_seen=now,
                        last_seen=now,
                        dirty=False,
                    )
                )
                s.flush()
            hazards = [] if item["category"] == "none" else [item["category"]]
            s.add(
                Pair(
                    pair_id=pair_id,
                    group_key=key,
                    prompt=item["prompt"],
                    chosen=item["chosen"],
                    rejected=item["rejected"],
                    scrubbed=True,
                    scrubber_version=f"gold:{item['source']}",
                    kind="choice",
                    strength=0.92,
                    signals=[],
                    checks=[],
                    tags={"tactic": "none", "hazards": hazards},
                    status="gold",
                    route_reasons=list(_ROUTE_REASONS),
                    formed_at=now,
                )
            )
            s.add(
                GoldItem(
                    pair_id=pair_id, answer=item["answer"], category=item["category"], source=item["source"]
                )
            )
            added.append(pair_id)
    return added


@dataclass
class GoldScore:
    """One reviewer's votes on gold items: how many, how many right, and the same per category."""

    reviewer: str
    items: int = 0
    right: int = 0
    by_category: dict[str, list[int]] = field(default_factory=dict)  # category -> [items, right]

    @property
    def accuracy(self) -> float | None:
        return self.right / self.items if self.items else None

    def to_dict(self) -> dict[str, Any]:
        return {
            "reviewer": self.reviewer,
            "items": self.items,
            "right": self.right,
            "accuracy": self.accuracy,
            "by_category": {
                cat: {"items": n, "right": r, "accuracy": r / n if n else None}
                for cat, (n, r) in sorted(self.by_category.items())
            },
        }


def gold_scores(s: Session, reviewers: Iterable[str] | None = None) -> dict[str, GoldScore]:
    """Reviewers' current votes on gold items, scored against the known answers."""
    q = select(Vote.reviewer, Vote.choice, Vote.a_is, GoldItem.answer, GoldItem.category).join(
        GoldItem, GoldItem.pair_id == Vote.pair_id
    )
    if reviewers is not None:
        q = q.where(Vote.reviewer.in_(list(reviewers)))
    scores: dict[str, GoldScore] = {}
    for reviewer, choice, a_is, answer, category in s.execute(q).all():
        score = scores.setdefault(reviewer, GoldScore(reviewer))
        ok = to_label(choice, a_is) == answer
        score.items += 1
        score.right += ok
        cat = score.by_category.setdefault(category, [0, 0])
        cat[0] += 1
        cat[1] += ok
    return scores


def flagged(scores: Mapping[str, GoldScore], policy: QuorumPolicy) -> set[str]:
    """Reviewers with enough gold votes whose accuracy is below the policy's threshold."""
    return {
        r
        for r, sc in scores.items()
        if sc.items >= policy.gold_min_items and (sc.accuracy or 0.0) < policy.gold_min_accuracy
    }
