"""Retention: blank raw event text older than the retention period; metadata and scrubbed pairs stay.

What is blanked: the texts in ``events.payload`` (context contents, response text, feedback comment, edited
text), ``responses.text`` (set to NULL: such responses are never paired again), ``prompt_groups.context``
contents for groups last seen before the cutoff, and the texts of pairs that were never scrubbed (discarded
ties and the like). Scrubbed pairs are what reviews and releases read, and they are left as they are.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, select, update

from curator.store import Store
from curator.store.models import EventRow, Pair, PromptGroup, ResponseRow, utcnow

__all__ = ["PurgeResult", "blank_payload", "count_purgeable", "purge"]

_BATCH = 1000


@dataclass
class PurgeResult:
    events: int = 0
    responses: int = 0
    groups: int = 0
    pairs: int = 0


def _blank_messages(messages: Any) -> Any:
    if not isinstance(messages, list):
        return messages
    return [{**m, "content": ""} if isinstance(m, dict) else m for m in messages]


def blank_payload(payload: dict[str, Any]) -> dict[str, Any]:
    """The payload with every free text emptied (ids, types, times, ratings kept)."""
    out = dict(payload)
    if "context" in out:
        out["context"] = _blank_messages(out["context"])
    for key in ("text", "comment", "edited_text"):
        if isinstance(out.get(key), str):
            out[key] = ""
    return out


def count_purgeable(store: Store, cutoff: datetime) -> int:
    with store.session() as s:
        return int(
            s.execute(
                select(func.count()).where(EventRow.occurred_at < cutoff, EventRow.purged_at.is_(None))
            ).scalar_one()
        )


def purge(store: Store, cutoff: datetime) -> PurgeResult:
    """Blank raw text older than ``cutoff``, in batches of a thousand rows per transaction."""
    result = PurgeResult()
    now = utcnow()
    while True:
        with store.session() as s:
            rows = s.execute(
                select(EventRow.event_id, EventRow.payload)
                .where(EventRow.occurred_at < cutoff, EventRow.purged_at.is_(None))
                .limit(_BATCH)
            ).all()
            if not rows:
                break
            s.execute(
                update(EventRow),
                [
                    {"event_id": r.event_id, "payload": blank_payload(r.payload), "purged_at": now}
                    for r in rows
                ],
            )
            result.events += len(rows)
    with store.session() as s:
        result.responses = s.execute(  # type: ignore[attr-defined]
            update(ResponseRow)
            .where(ResponseRow.shown_at < cutoff, ResponseRow.text.is_not(None))
            .values(text=None)
        ).rowcount
        groups = s.execute(
            select(PromptGroup.key, PromptGroup.context).where(
                PromptGroup.last_seen < cutoff, PromptGroup.purged_at.is_(None)
            )
        ).all()
        if groups:
            s.execute(
                update(PromptGroup),
                [{"key": g.key, "context": _blank_messages(g.context), "purged_at": now} for g in groups],
            )
        result.groups = len(groups)
        raw_pairs = s.execute(
            select(Pair.pair_id, Pair.prompt).where(
                Pair.scrubbed.is_(False), Pair.formed_at < cutoff, Pair.chosen != ""
            )
        ).all()
        if raw_pairs:
            s.execute(
                update(Pair),
                [
                    {"pair_id": p.pair_id, "prompt": _blank_messages(p.prompt), "chosen": "", "rejected": ""}
                    for p in raw_pairs
                ],
            )
        result.pairs = len(raw_pairs)
    return result
