"""Store rows to the pairing core's plain views (and nothing else)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from curator.ingest.writer import chunks
from curator.pairing.model import ActionView, FeedbackView, GroupView, ResponseView
from curator.store.models import EventRow, FeedbackState, PromptGroup, ResponseRow

__all__ = ["load_groups"]

_ACTIONS = ("choice", "edit", "regenerate")


def load_groups(session: Session, groups: Sequence[PromptGroup]) -> list[GroupView]:
    """A :class:`GroupView` per prompt group, with its responses, current thumbs and actions."""
    keys = [g.key for g in groups]
    responses: dict[str, list[ResponseView]] = defaultdict(list)
    group_of: dict[str, str] = {}
    for part in chunks(keys):
        for r in session.execute(select(ResponseRow).where(ResponseRow.group_key.in_(part))).scalars():
            group_of[r.response_id] = r.group_key
            responses[r.group_key].append(
                ResponseView(
                    response_id=r.response_id,
                    text=r.text,
                    user=r.user,
                    conversation_id=r.conversation_id,
                    shown_at=r.shown_at,
                    event_id=r.event_id,
                    model=r.model,
                    generation=dict(r.generation or {}),
                    prompt_source=r.prompt_source,
                    regenerates=r.regenerates,
                    continued_by=r.continued_by,
                )
            )
    ids = sorted(group_of)
    feedback: dict[str, list[FeedbackView]] = defaultdict(list)
    actions: dict[str, list[ActionView]] = defaultdict(list)
    seen_actions: set[str] = set()
    for part in chunks(ids):
        for f in session.execute(select(FeedbackState).where(FeedbackState.response_id.in_(part))).scalars():
            feedback[group_of[f.response_id]].append(
                FeedbackView(f.response_id, f.user, f.rating, f.reason, f.event_id, f.occurred_at)
            )
        rows = session.execute(
            select(EventRow).where(
                EventRow.type.in_(_ACTIONS),
                # a purged edit has lost its text; choices and regenerates carry none
                or_(EventRow.type != "edit", EventRow.purged_at.is_(None)),
                or_(EventRow.response_id.in_(part), EventRow.other_response_id.in_(part)),
            )
        ).scalars()
        for e in rows:
            if e.event_id in seen_actions or e.response_id not in group_of:
                continue
            seen_actions.add(e.event_id)
            p = e.payload
            actions[group_of[e.response_id]].append(
                ActionView(
                    kind=e.type,
                    event_id=e.event_id,
                    user=e.user,
                    occurred_at=e.occurred_at,
                    response_id=e.response_id or "",
                    other_response_id=e.other_response_id,
                    preferred=p.get("preferred"),
                    edited_text=p.get("edited_text"),
                    editor=p.get("editor"),
                )
            )
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
        )
        for g in groups
    ]
