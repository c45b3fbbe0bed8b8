"""The demo's final summary: counted from the store and the release, printed and written as JSON."""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import func, select

from prefloop.curator.store import Store
from prefloop.curator.store.models import DeadLetter, EventRow, Pair

__all__ = ["DemoSummary", "count_events", "count_pairs", "render_text"]


@dataclass
class DemoSummary:
    mode: str
    month: str
    workdir: str
    seed: int
    conversations: int
    sessions: int = 0
    users: int = 0
    http_requests: int = 0
    clicks: dict[str, int] = field(default_factory=dict)
    events: dict[str, int] = field(default_factory=dict)
    dead_letters: int = 0
    pairs: dict[str, int] = field(default_factory=dict)
    pii: dict[str, Any] = field(default_factory=dict)
    review: dict[str, Any] = field(default_factory=dict)
    agreement: dict[str, Any] = field(default_factory=dict)
    coverage: dict[str, Any] = field(default_factory=dict)
    release: dict[str, Any] = field(default_factory=dict)
    leaks: dict[str, Any] = field(default_factory=dict)
    stage_seconds: dict[str, float] = field(default_factory=dict)
    wall_seconds: float = 0.0

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    def write(self, path: Path) -> Path:
        path.write_text(json.dumps(self.to_dict(), indent=2, sort_keys=True) + "\n", encoding="utf-8")
        return path


def count_events(store: Store) -> tuple[dict[str, int], int]:
    """Stored events by type, and the dead letters."""
    with store.session() as s:
        by_type = dict(s.execute(select(EventRow.type, func.count()).group_by(EventRow.type)).all())
        dead = s.scalar(select(func.count()).select_from(DeadLetter)) or 0
    return {str(k): int(v) for k, v in sorted(by_type.items())}, int(dead)


def count_pairs(store: Store) -> tuple[dict[str, int], int]:
    """Pairs by fate: auto-accepted, reviewed (and how review ended), discarded, still open; PII entities
    the scrubber replaced in pairs."""
    out: Counter[str] = Counter()
    pii = 0
    with store.session() as s:
        for status, review, counts in s.execute(select(Pair.status, Pair.review, Pair.pii_counts)):
            pii += sum((counts or {}).values())
            out["total"] += 1
            out[status] += 1
            if review:
                out["reviewed"] += 1
                out[f"reviewed_{status}"] += 1
            elif status == "accepted":
                out["auto_accepted"] += 1
            elif status == "discarded":
                out["discarded_by_routing"] += 1
    for key in ("accepted", "review", "discarded", "reviewed", "auto_accepted"):
        out.setdefault(key, 0)
    return dict(sorted(out.items())), pii


def _fmt(value: object) -> str:
    if isinstance(value, float):
        return f"{value:.3f}"
    return "-" if value is None else str(value)


def render_text(s: DemoSummary) -> str:
    p, r, a, c, rel, lk = s.pairs, s.review, s.agreement, s.coverage, s.release, s.leaks
    lines = [
        "",
        "=" * 78,
        f"prefloop demo summary ({s.mode}, month {s.month}, seed {s.seed})",
        "=" * 78,
        f"traffic      {s.conversations} hh-rlhf prompts, {s.sessions} sessions by {s.users} users, "
        f"{s.http_requests} HTTP requests",
        f"clicks       {', '.join(f'{k} {v}' for k, v in sorted(s.clicks.items()))}",
        f"events       {sum(s.events.values())} stored ({', '.join(f'{k} {v}' for k, v in s.events.items())}); "
        f"{s.dead_letters} dead letters",
        f"pairs        {p.get('total', 0)} formed: {p.get('accepted', 0)} accepted "
        f"({p.get('auto_accepted', 0)} automatically, {p.get('reviewed_accepted', 0)} after review), "
        f"{p.get('reviewed', 0)} reviewed, {p.get('discarded', 0)} discarded "
        f"({p.get('discarded_by_routing', 0)} by routing, {p.get('reviewed_discarded', 0)} by reviewers), "
        f"{p.get('review', 0)} still in review",
        f"scrubbing    {s.pii.get('injected_prompts', 0)} prompts with injected PII "
        f"({s.pii.get('injected_values', 0)} values); {s.pii.get('entities_replaced', 0)} PII entities "
        "replaced in pairs",
        f"review       {r.get('posted', 0)} posted to the emulated Slack, {r.get('votes', 0)} signed votes, "
        f"outcomes {r.get('outcomes', {})}",
        f"agreement    percent {_fmt(a.get('percent'))}, Krippendorff alpha {_fmt(a.get('alpha'))} "
        f"over {a.get('pairs', 0)} pairs",
        f"coverage     {c.get('accepted', 0)} accepted pairs in {s.month}; "
        + (
            "every category in range" if c.get("ok") else f"outside target: {', '.join(c.get('failing', []))}"
        ),
        f"release      {rel.get('name', '-')}: {rel.get('pairs', 0)} pairs "
        f"(train {rel.get('train', 0)}, test {rel.get('test', 0)})",
    ]
    if rel.get("overrides"):
        lines.append(
            f"             gate override(s) used for this small month: {', '.join(rel['overrides'])}"
        )
    for warning in rel.get("warnings", []):
        lines.append(f"             warning: {warning}")
    lines += [
        f"card         {rel.get('card', '-')}",
        f"coverage plot {rel.get('coverage_plot', '-')}",
        "leak check   "
        + (
            f"clean: none of {lk.get('checked_values', 0)} injected values in {lk.get('slack_calls', 0)} "
            f"Slack calls or {lk.get('release_files', 0)} release files"
            if lk.get("clean")
            else f"LEAKED: {lk.get('found')}"
        ),
        f"time         {s.wall_seconds:.1f} s wall ("
        + ", ".join(f"{k} {v:.1f}s" for k, v in s.stage_seconds.items())
        + ")",
        f"summary JSON {Path(s.workdir) / 'summary.json'}",
        "=" * 78,
    ]
    return "\n".join(lines)
