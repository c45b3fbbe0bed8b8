"""Store rows to the pairing core's plain views (and nothing else). Core selects: no ORM objects on this path."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from prefloop.curator.pairing.model import ActionView, FeedbackView, GroupView, ResponseView
from prefloop.curator.pipeline.user_history import load_history
from prefloop.curator.store.bulk import batches, in_values
from prefloop.curator.store.models import EventRow, FeedbackState, ResponseRow

__all__ = ["load_groups"]

_ACTIONS = ("choice", "edit", "regenerate")


def load_groups(session: Session, groups: Sequence[Any]) -> list[GroupView]:
    """A :class:`GroupView` per prompt group (rows with key, context, app_id, system_prompt_version, tags),
    with its responses, current thumbs and actions."""
    keys = [g.key for g in groups]
    responses: dict[str, list[ResponseView]] = defaultdict(list)
    group_of: dict[str, str] = {}
    r = ResponseRow
    for part in batches(session, keys):
        rows = session.execute(
            select(
                r.response_id,
                r.group_key,
                r.text,
                r.user,
                r.conversation_id,
                r.shown_at,
                r.event_id,
                r.model,
                r.generation,
                r.prompt_source,
                r.regenerates,
                r.continued_by,
                r.trace_id,
                r.meta,
            ).where(in_values(session, r.group_key, part))
        ).all()
        for row in rows:
            group_of[row.response_id] = row.group_key
            responses[row.group_key].append(
                ResponseView(
                    response_id=row.response_id,
                    text=row.text,
                    user=row.user,
                    conversation_id=row.conversation_id,
                    shown_at=row.shown_at,
                    event_id=row.event_id,
                    model=row.model,
                    generation=dict(row.generation or {}),
                    prompt_source=row.prompt_source,
                    regenerates=row.regenerates,
                    continued_by=row.continued_by,
                    trace_id=row.trace_id,
                    metadata=row.meta,
                )
            )
    ids = sorted(group_of)
    feedback: dict[str, list[FeedbackView]] = defaultdict(list)
    actions: dict[str, list[ActionView]] = defaultdict(list)
    seen_actions: set[str] = set()
    f, e = FeedbackState, EventRow
    for part in batches(session, ids):
        for fb in session.execute(
            select(f.response_id, f.user, f.rating, f.reason, f.event_id, f.occurred_at).where(
                in_values(session, f.response_id, part)
            )
        ).all():
            feedback[group_of[fb.response_id]].append(FeedbackView(*fb))
        rows = session.execute(
            select(
                e.event_id, e.type, e.user, e.occurred_at, e.response_id, e.other_response_id, e.payload
            ).where(
                e.type.in_(_ACTIONS),
                # a purged edit has lost its text; choices and regenerates carry none
                or_(e.type != "edit", e.purged_at.is_(None)),
                or_(in_values(session, e.response_id, part), in_values(session, e.other_response_id, part)),
            )
        ).all()
        for row in rows:
            if row.event_id in seen_actions or row.response_id not in group_of:
                continue
            seen_actions.add(row.event_id)
            p = row.payload
            actions[group_of[row.response_id]].append(
                ActionView(
                    kind=row.type,
                    event_id=row.event_id,
                    user=row.user,
                    occurred_at=row.occurred_at,
                    response_id=row.response_id or "",
                    other_response_id=row.other_response_id,
                    preferred=p.get("preferred"),
                    edited_text=p.get("edited_text"),
                    editor=p.get("editor"),
                )
            )
    everyone = {r.user for rs in responses.values() for r in rs}
    everyone |= {f.user for fs in feedback.values() for f in fs} | {
        a.user for acts in actions.values() for a in acts
    }
    history = load_history(session, everyone)
    return [
        GroupView(
            key=g.key,
            context=list(g.context),
            responses=responses.get(g.key, []),
            feedback=feedback.get(g.key, []),
            actions=actions.get(g.key, []),
            app_id=g.app_id,
            system_prompt_version=g.system_prompt_version,
            tags=g.tags,
            user_history=_history_of(
                history, responses.get(g.key, []), feedback.get(g.key, []), actions.get(g.key, [])
            ),
        )
        for g in groups
    ]


def _history_of(
    history: dict[str, tuple[int, int]],
    responses: list[ResponseView],
    feedback: list[FeedbackView],
    actions: list[ActionView],
) -> dict[str, tuple[int, int]]:
    if not history:
        return {}
    users = {r.user for r in responses} | {f.user for f in feedback} | {a.user for a in actions}
    return {u: history[u] for u in users if u in history}
