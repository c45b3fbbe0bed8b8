"""Gold items from the frozen evaluation set: the accepted pairs of the prompts pinned with ``prefloop release
pin-eval``, written as the JSONL that ``prefloop slackbot gold add`` reads.

The known answer of an exported item is the pair's released side (``answer: chosen`` in the stored frame, which
is already the released one after a reviewer swap). Each line also says where the answer came from (``basis``:
``review`` when reviewers resolved the pair, ``automatic`` when the curator accepted it), which ``gold add``
ignores, so a team can read and prune the file before adding it.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from prefloop.curator.store import Store
from prefloop.curator.store.models import Pair, ReleasedPrompt
from prefloop.slackbot.queries import harm_categories

__all__ = ["ExportResult", "eval_gold_items", "write_gold_file"]


@dataclass
class ExportResult:
    items: list[dict[str, Any]]
    #: pinned prompts read, and pairs of them left out (not accepted, unscrubbed, or not reviewer-resolved when
    #: ``reviewed_only``)
    prompts: int
    skipped: int


def _gold_item(pair: Pair, month: str) -> dict[str, Any]:
    reviewed = bool(pair.review and pair.review.get("outcome") in ("chosen", "rejected"))
    return {
        "prompt": [{"role": str(m.get("role", "user")), "content": str(m["content"])} for m in pair.prompt],
        "chosen": pair.chosen,
        "rejected": pair.rejected,
        "answer": "chosen",
        "category": harm_categories(pair.tags)[0],
        "source": f"eval:{month}",
        "basis": "review" if reviewed else "automatic",
    }


def _stable_order(pair_id: str) -> str:
    """A fixed pseudo-random order (so ``limit`` takes a spread sample, the same one every time)."""
    return hashlib.sha256(pair_id.encode()).hexdigest()


def eval_gold_items(
    store: Store,
    month: str | None = None,
    *,
    reviewed_only: bool = False,
    limit: int | None = None,
) -> ExportResult:
    """Gold items from the accepted, scrubbed pairs of the pinned evaluation prompts (of the release ``month``
    only, when given). ``reviewed_only`` keeps pairs whose side reviewers decided; ``limit`` takes that many."""
    with store.session() as s:
        q = select(ReleasedPrompt.group_key, ReleasedPrompt.first_release).where(ReleasedPrompt.pinned_eval)
        if month:
            q = q.where(ReleasedPrompt.first_release == month)
        pinned: dict[str, str] = {key: first for key, first in s.execute(q).all()}
        pairs = _pairs_of(s, pinned) if pinned else []
        items, skipped = [], 0
        for pair in sorted(pairs, key=lambda p: _stable_order(p.pair_id)):
            item = _gold_item(pair, pinned[pair.group_key])
            usable = pair.status == "accepted" and pair.scrubbed and pair.prompt
            if not usable or (reviewed_only and item["basis"] != "review"):
                skipped += 1
                continue
            items.append(item)
    if limit is not None:
        skipped += max(0, len(items) - limit)
        items = items[:limit]
    return ExportResult(items=items, prompts=len(pinned), skipped=skipped)


def _pairs_of(s: Session, group_keys: Iterable[str]) -> list[Pair]:
    keys = list(group_keys)
    out: list[Pair] = []
    for start in range(0, len(keys), 500):  # bound the IN list
        out.extend(s.scalars(select(Pair).where(Pair.group_key.in_(keys[start : start + 500]))))
    return out


def write_gold_file(items: list[dict[str, Any]], path: Path) -> None:
    """One JSON object per line, UTF-8 (the format ``prefloop slackbot gold add`` reads)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8") as f:
        for item in items:
            f.write(json.dumps(item, ensure_ascii=False) + "\n")
