"""`prefloop pairs list|export`: read preference pairs from the store."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click

from prefloop.curator import messages as msg
from prefloop.curator.settings import Settings

__all__ = ["pair_record", "pairs", "trl_row"]

_STATUSES = ("accepted", "review", "discarded")


def pair_record(p: Any) -> dict[str, Any]:
    """A stored pair in the ``prefloop.schemas.records.PairRecord`` shape (validated)."""
    from prefloop.schemas.records import PairRecord

    rec = PairRecord(
        pair_id=p.pair_id,
        prompt_group=p.group_key,
        prompt=p.prompt,
        chosen=p.chosen,
        rejected=p.rejected,
        chosen_response_id=p.chosen_response_id,
        rejected_response_id=p.rejected_response_id,
        chosen_human_written=p.chosen_human_written,
        status=p.status,
        route_reasons=p.route_reasons,
        strength=p.strength,
        signals=p.signals,
        conflicts=p.conflicts,
        checks=p.checks,
        tags=p.tags or {},
        models=(p.meta or {}).get("models", {}),
        generation=(p.meta or {}).get("generation", {}),
        prompt_source=(p.meta or {}).get("prompt_source"),
        rubric_version=p.rubric_version,
        review=p.review,
        scrubber_version=p.scrubber_version,
        created_at=p.created_at,
        updated_at=p.updated_at,
    )
    return rec.model_dump(mode="json")


def trl_row(p: Any) -> dict[str, Any]:
    """TRL's conversational preference format plus the pair's metadata."""
    meta = pair_record(p)
    for key in ("prompt", "chosen", "rejected"):
        meta.pop(key)
    meta.update(
        kind=p.kind,
        policy_version=p.policy_version,
        pii_counts=p.pii_counts,
        formed_at=p.formed_at.isoformat(),
        similarity=(p.meta or {}).get("similarity"),
    )
    return {
        "prompt": p.prompt,
        "chosen": [{"role": "assistant", "content": p.chosen}],
        "rejected": [{"role": "assistant", "content": p.rejected}],
        "metadata": meta,
    }


def _query(statuses: tuple[str, ...], limit: int | None = None) -> Any:
    from sqlalchemy import select

    from prefloop.curator.store.models import Pair

    q = select(Pair).order_by(Pair.formed_at, Pair.pair_id)
    if statuses:
        q = q.where(Pair.status.in_(statuses))
    return q.limit(limit) if limit else q


def _store(settings: Settings) -> Any:
    from prefloop.curator.store import Store

    store = Store(settings.database_url)
    store.require_current()
    return store


@click.group()
def pairs() -> None:
    """List or export preference pairs."""


@pairs.command("list")
@click.option(
    "--status", "statuses", multiple=True, type=click.Choice(_STATUSES), help="Repeatable; default all."
)
@click.option("--limit", default=50, show_default=True, type=click.IntRange(1))
@click.option("--json", "as_json", is_flag=True, help="One PairRecord JSON object per line.")
@click.pass_obj
def list_pairs(settings: Settings, statuses: tuple[str, ...], limit: int, as_json: bool) -> None:
    """Show pairs with their status, strength, signal kind and routing reasons."""
    store = _store(settings)
    with store.session() as s:
        for p in s.execute(_query(statuses, limit)).scalars():
            if as_json:
                click.echo(json.dumps(pair_record(p), ensure_ascii=False))
            else:
                reasons = "; ".join(p.route_reasons)
                click.echo(f"{p.pair_id}  {p.status:<9}  {p.strength:.3f}  {p.kind:<24}  {reasons}")
    store.dispose()


@pairs.command("export")
@click.option(
    "--status",
    "statuses",
    multiple=True,
    type=click.Choice(_STATUSES),
    default=("accepted",),
    show_default=True,
)
@click.option("--out", required=True, type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "--allow-unscrubbed", is_flag=True, help="Also write pairs the scrubber never saw (local debugging)."
)
@click.pass_obj
def export(settings: Settings, statuses: tuple[str, ...], out: Path, allow_unscrubbed: bool) -> None:
    """Write pairs as TRL-ready JSONL: prompt/chosen/rejected in conversational form, plus metadata."""
    store = _store(settings)
    written = skipped = 0
    out.parent.mkdir(parents=True, exist_ok=True)
    with store.session() as s, out.open("w", encoding="utf-8") as fh:
        for p in s.execute(_query(statuses)).scalars():
            if not p.scrubbed and not allow_unscrubbed:
                skipped += 1
                continue
            fh.write(json.dumps(trl_row(p), ensure_ascii=False) + "\n")
            written += 1
    store.dispose()
    click.echo(msg.EXPORT_DONE.format(count=written, statuses=", ".join(statuses), out=out), err=True)
    if skipped:
        click.echo(msg.EXPORT_SKIPPED_UNSCRUBBED.format(count=skipped), err=True)
