"""Write a batch of validated events to the store, idempotently, in the caller's transaction.

Events are inserted in bulk with ``ON CONFLICT DO NOTHING`` on their id and on (app, user, idempotency key): a
click the browser retried with a new event id is stored once. Only events that were new derive state (responses,
prompt groups, current feedback, "continued" links) and mark their prompt groups dirty for pairing. A batch seen
twice (a redelivery after a crash) therefore changes nothing the second time.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, func, select, update
from sqlalchemy.orm import Session

from prefloop.curator.ingest.decode import DeadLetterItem, Decoded
from prefloop.curator.pairing.grouping import group_key, normalize_text, turn_index
from prefloop.curator.store.bulk import (
    batches,
    copy_insert,
    copy_new,
    execute_many,
    in_values,
    insert_stmt,
    is_pg,
)
from prefloop.curator.store.models import (
    DeadLetter,
    EventRow,
    FeedbackState,
    PromptGroup,
    ResponseRow,
    SourceOffset,
    utcnow,
)

__all__ = ["WriteResult", "write_batch"]


@dataclass
class WriteResult:
    inserted: int = 0
    duplicates: int = 0
    dead_letters: int = 0
    #: records of forgotten users dropped before storing (see :mod:`prefloop.curator.ingest.tombstones`)
    forgotten: int = 0
    touched_groups: set[str] = field(default_factory=set)


def _response_ids(e: Any) -> tuple[str | None, str | None]:
    """(response_id, other_response_id) of an event row: a choice's two sides, else the response it is about
    (every other event type has a ``response_id``). Dispatching on the type avoids pydantic's slow path for a
    missing attribute."""
    if e.type == "choice":
        return e.response_a, e.response_b
    return e.response_id, None


def _event_row(d: Decoded, now: datetime) -> dict[str, Any]:
    e = d.event
    response_id, other_response_id = _response_ids(e)
    return {
        "event_id": e.event_id,
        "type": e.type,
        "schema_version": e.schema_version,
        "app_id": e.app_id,
        "conversation_id": e.conversation_id,
        "user": e.user,
        "response_id": response_id,
        "other_response_id": other_response_id,
        "occurred_at": e.occurred_at,
        "ingested_at": now,
        "payload": d.payload,
        "source": d.source[-300:],
        "purged_at": None,
        "idempotency_key": e.idempotency_key,
        "trace_id": e.trace_id,
    }


def _event_copy_row(d: Decoded, now: datetime) -> tuple[Any, ...]:
    """The COPY row of ``_EVENT_COLUMNS``: the payload as the JSON text received when there is one (PostgreSQL
    parses it into the same ``jsonb`` value), re-encoded otherwise."""
    e = d.event
    payload = d.text if d.text is not None else json.dumps(d.payload, ensure_ascii=False)
    response_id, other_response_id = _response_ids(e)
    return (
        e.event_id,
        e.type,
        e.schema_version,
        e.app_id,
        e.conversation_id,
        e.user,
        response_id,
        other_response_id,
        e.occurred_at,
        now,
        payload,
        d.source[-300:],
        None,
        e.idempotency_key,
        e.trace_id,
    )


_EVENT_COLUMNS = (
    "event_id",
    "type",
    "schema_version",
    "app_id",
    "conversation_id",
    "user",
    "response_id",
    "other_response_id",
    "occurred_at",
    "ingested_at",
    "payload",
    "source",
    "purged_at",
    "idempotency_key",
    "trace_id",
)


def _insert_events(session: Session, decoded: list[Decoded]) -> set[str]:
    now = utcnow()
    if session.get_bind().dialect.name == "postgresql":
        rows = (_event_copy_row(d, now) for d in decoded)
        return set(copy_new(session, "events", _EVENT_COLUMNS, rows, "event_id"))
    new: set[str] = set()
    table = EventRow.__table__
    # no conflict target: a repeated event id and a retried click (same idempotency key) are both skipped
    stmt = insert_stmt(session, EventRow).on_conflict_do_nothing().returning(table.c.event_id)
    new.update(execute_many(session, stmt, [_event_row(d, now) for d in decoded]).scalars())
    return new


_GROUP_COLUMNS = (
    "key",
    "context",
    "system_prompt_version",
    "app_id",
    "tags",
    "first_seen",
    "last_seen",
    "dirty",
)


#: ``GenerationSettings`` without extra keys, by their typed values -> (the stored dict, its JSON text). Responses
#: mostly share a handful of settings; bounded like ``normalize_text``'s memo.
_GENERATIONS: dict[tuple[Any, ...], tuple[dict[str, Any], str]] = {}
_GENERATIONS_MAX = 1_024
_GENERATION_FIELDS = ("temperature", "top_p", "top_k", "max_tokens", "seed")


def _generation(settings: Any) -> tuple[dict[str, Any], str]:
    """``settings.model_dump(exclude_none=True)`` and its ``json.dumps``; memoized when the settings carry only
    the typed keys (values keyed with their types, so ``1`` and ``1.0`` stay apart)."""
    if settings.__pydantic_extra__:
        dumped = settings.model_dump(exclude_none=True)
        return dumped, json.dumps(dumped)
    key = tuple((type(v), v) for v in (getattr(settings, f) for f in _GENERATION_FIELDS))
    hit = _GENERATIONS.get(key)
    if hit is None:
        dumped = settings.model_dump(exclude_none=True)
        if len(_GENERATIONS) >= _GENERATIONS_MAX:
            _GENERATIONS.clear()
        hit = _GENERATIONS[key] = (dumped, json.dumps(dumped))
    return hit


def _json_text(value: Any) -> str:
    """``json.dumps(value)``; ``None`` (a JSON column's ``null``) without the encoder."""
    return "null" if value is None else json.dumps(value)


def _write_responses(session: Session, responses: list[Any]) -> set[str]:
    groups: dict[str, dict[str, Any]] = {}
    # many responses in a batch share a context: normalize and hash it once
    contexts: dict[tuple[Any, ...], tuple[str, list[dict[str, str]], int]] = {}
    rows = []
    generations: list[str] = []  # the generation column as JSON text, for COPY
    for e in responses:
        raw = (e.app_id, e.system_prompt_version, *(m.role + "\0" + m.content for m in e.context))
        known = contexts.get(raw)
        if known is None:
            context = [{"role": m.role, "content": m.content} for m in e.context]
            key = group_key(context, app_id=e.app_id, system_prompt_version=e.system_prompt_version)
            known = contexts[raw] = (key, context, turn_index(context))
        key, context, turns = known
        generation, generation_json = _generation(e.generation)
        generations.append(generation_json)
        g = groups.get(key)
        if g is None:
            groups[key] = {
                "key": key,
                "context": context,
                "system_prompt_version": e.system_prompt_version,
                "app_id": e.app_id,
                "tags": None,
                "first_seen": e.occurred_at,
                "last_seen": e.occurred_at,
                "dirty": True,
            }
        else:
            g["first_seen"] = min(g["first_seen"], e.occurred_at)
            g["last_seen"] = max(g["last_seen"], e.occurred_at)
        rows.append(
            {
                "response_id": e.response_id,
                "event_id": e.event_id,
                "group_key": key,
                "app_id": e.app_id,
                "conversation_id": e.conversation_id,
                "user": e.user,
                "text": e.text,
                "model": e.model,
                "generation": generation,
                "prompt_source": e.prompt_source,
                "regenerates": e.regenerates,
                "turn_index": turns,
                "continued_by": None,
                "shown_at": e.occurred_at,
                "trace_id": e.trace_id,
                "meta": e.metadata,
            }
        )
    group_rows = sorted(groups.values(), key=lambda g: g["key"])  # a stable lock order across consumers
    if is_pg(session):
        # JSON columns as the ORM stores them: ``None`` (no tags yet) is the JSON ``null``, not SQL NULL
        copy_insert(
            session,
            "prompt_groups",
            _GROUP_COLUMNS,
            (
                tuple(_json_text(g[c]) if c in ("context", "tags") else g[c] for c in _GROUP_COLUMNS)
                for g in group_rows
            ),
            "key",
            'DO UPDATE SET "dirty" = true, "last_seen" = EXCLUDED."last_seen"',
        )
    else:
        stmt = insert_stmt(session, PromptGroup)
        stmt = stmt.on_conflict_do_update(
            index_elements=["key"], set_={"dirty": True, "last_seen": stmt.excluded.last_seen}
        )
        execute_many(session, stmt, group_rows)
    if is_pg(session):
        columns = list(rows[0])
        at, meta_at = columns.index("generation"), columns.index("meta")
        values = (
            (
                *values[:at],
                text,
                *values[at + 1 : meta_at],
                _json_text(values[meta_at]),
                *values[meta_at + 1 :],
            )
            for values, text in zip((tuple(r.values()) for r in rows), generations, strict=True)
        )
        copy_new(session, "responses", columns, values, "response_id")
    else:
        execute_many(
            session,
            insert_stmt(session, ResponseRow).on_conflict_do_nothing(index_elements=["response_id"]),
            rows,
        )
    return set(groups)


def _link_continuations(session: Session, responses: list[Any]) -> set[str]:
    """A response whose context's last assistant turn is an earlier answer continues that answer."""
    wanted: dict[str, list[tuple[str, str]]] = {}
    for e in responses:
        if len(e.context) >= 3 and e.context[-2].role == "assistant":
            wanted.setdefault(e.conversation_id, []).append(
                (normalize_text(e.context[-2].content), e.response_id)
            )
    if not wanted:
        return set()
    touched: set[str] = set()
    links: list[dict[str, str]] = []
    convs = sorted(wanted)
    for part in batches(session, convs):
        rows = session.execute(
            select(
                ResponseRow.response_id, ResponseRow.conversation_id, ResponseRow.text, ResponseRow.group_key
            )
            .where(in_values(session, ResponseRow.conversation_id, part), ResponseRow.continued_by.is_(None))
            .order_by(ResponseRow.shown_at)
        ).all()
        by_text = {(r.conversation_id, normalize_text(r.text or "")): r for r in rows}
        for conv in part:
            for text, child in wanted[conv]:
                parent = by_text.get((conv, text))
                if parent is None or parent.response_id == child:
                    continue
                links.append({"parent": parent.response_id, "child": child})
                touched.add(parent.group_key)
    if links:
        table = ResponseRow.__table__
        execute_many(
            session,
            update(table)  # type: ignore[arg-type]
            .where(table.c.response_id == bindparam("parent"))
            .values(continued_by=bindparam("child")),
            links,
        )
    for keys in batches(session, sorted(touched)):
        session.execute(
            update(PromptGroup).where(in_values(session, PromptGroup.key, keys)).values(dirty=True)
        )
    return touched


def _write_feedback(session: Session, feedback: list[Any]) -> None:
    latest: dict[tuple[str, str], Any] = {}
    for e in feedback:
        k = (e.response_id, e.user)
        if k not in latest or e.occurred_at >= latest[k].occurred_at:
            latest[k] = e
    rows = [
        {
            "response_id": e.response_id,
            "user": e.user,
            "rating": 0 if e.retract else e.rating,
            "reason": e.reason,
            "comment": e.comment,
            "event_id": e.event_id,
            "occurred_at": e.occurred_at,
        }
        for e in latest.values()
    ]
    stmt = insert_stmt(session, FeedbackState)
    ex = stmt.excluded
    table = FeedbackState.__table__
    stmt = stmt.on_conflict_do_update(
        index_elements=["response_id", "user"],
        set_={
            "rating": ex.rating,
            "reason": ex.reason,
            "comment": ex.comment,
            "event_id": ex.event_id,
            "occurred_at": ex.occurred_at,
        },
        where=table.c.occurred_at < ex.occurred_at,
    )
    execute_many(session, stmt, rows)


def _mark_referenced(session: Session, response_ids: set[str]) -> set[str]:
    keys: set[str] = set()
    for part in batches(session, sorted(response_ids)):
        keys.update(
            session.execute(
                select(ResponseRow.group_key)
                .where(in_values(session, ResponseRow.response_id, part))
                .distinct()
            ).scalars()
        )
    for part in batches(session, sorted(keys)):
        session.execute(
            update(PromptGroup).where(in_values(session, PromptGroup.key, part)).values(dirty=True)
        )
    return keys


#: Transaction-level advisory lock key ("prefloop dead letters") taken before recording dead letters on PostgreSQL:
#: two consumers recording the same redelivered position (after a rebalance) do it one after the other, so the
#: second sees the first's row.
_DEAD_LETTER_LOCK = 0x70666C_646C71


def _write_dead_letters(session: Session, dead: Sequence[DeadLetterItem]) -> int:
    """Record each source position once: a batch redelivered after a crash (stored, offsets not yet committed)
    adds no second row. Returns the rows added."""
    by_source: dict[str, DeadLetterItem] = {}
    for d in dead:
        by_source.setdefault(d.record.source[-300:], d)
    if is_pg(session):
        session.execute(select(func.pg_advisory_xact_lock(_DEAD_LETTER_LOCK)))
    known: set[str] = set()
    for part in batches(session, sorted(by_source)):
        known.update(
            session.execute(
                select(DeadLetter.source).where(in_values(session, DeadLetter.source, part))
            ).scalars()
        )
    rows = [
        {"source": s, "code": d.code, "reason": d.reason, "raw": d.record.value, "at": utcnow()}
        for s, d in by_source.items()
        if s not in known
    ]
    if rows:
        execute_many(session, insert_stmt(session, DeadLetter), rows)
    return len(rows)


def write_batch(
    session: Session,
    decoded: list[Decoded],
    *,
    dead: Sequence[DeadLetterItem] = (),
    offsets: dict[str, int] | None = None,
) -> WriteResult:
    """Store ``decoded`` (and, for file sources, ``dead`` letters and source ``offsets``) in ``session``'s
    transaction. Returns the prompt groups that need pairing."""
    result = WriteResult()
    new = _insert_events(session, decoded) if decoded else set()
    result.inserted = len(new)
    result.duplicates = len(decoded) - len(new)
    fresh = [d.event for d in decoded if d.event.event_id in new]
    responses = [e for e in fresh if e.type == "response"]
    if responses:
        result.touched_groups |= _write_responses(session, responses)
        result.touched_groups |= _link_continuations(session, responses)
    feedback = [e for e in fresh if e.type == "feedback"]
    if feedback:
        _write_feedback(session, feedback)
    referenced: set[str] = set()
    for e in fresh:
        if e.type in ("feedback", "regenerate", "edit"):
            referenced.add(e.response_id)
        elif e.type == "choice":
            referenced.update((e.response_a, e.response_b))
    if referenced:
        result.touched_groups |= _mark_referenced(session, referenced)
    if dead:
        result.dead_letters = _write_dead_letters(session, dead)
    if offsets:
        rows = [
            {"source": s[-300:], "position": p, "updated_at": utcnow()} for s, p in sorted(offsets.items())
        ]
        stmt = insert_stmt(session, SourceOffset)
        stmt = stmt.on_conflict_do_update(
            index_elements=["source"],
            set_={"position": stmt.excluded.position, "updated_at": stmt.excluded.updated_at},
        )
        execute_many(session, stmt, rows)
    return result
