"""``CHANGELOG.md``: what changed against the previous release, including the rows erasure took out."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

__all__ = ["ChangelogInput", "render_changelog"]


@dataclass(frozen=True)
class ChangelogInput:
    name: str
    month: str
    counts: Mapping[str, int]
    previous: str | None
    previous_month: str | None
    previous_counts: Mapping[str, int] | None
    #: pairs of the previous release that are not in this one (only computed for a rebuild of the same month)
    left: int | None
    #: pairs in this release that were not in the previous one (same month only)
    added: int | None
    erasures: Mapping[str, int]
    report: Mapping[str, Any]


def _delta(now: int, before: int | None) -> str:
    if before is None:
        return "-"
    diff = now - before
    return f"{diff:+d}"


def render_changelog(inp: ChangelogInput) -> str:
    out = [f"# Changelog: {inp.name}", ""]
    if inp.previous is None:
        out += ["First release: nothing to compare against.", ""]
    else:
        out += [f"Against the previous release `{inp.previous}` ({inp.previous_month}).", ""]
    prev = inp.previous_counts or {}
    keys = [k for k in ("pairs", "train", "test", "prompts", "auto_accepted", "review_accepted")]
    keys += sorted(k for k in set(inp.counts) | set(prev) if ":" in k)
    out += ["| count | previous | this release | change |", "|---|---:|---:|---:|"]
    for key in keys:
        now = int(inp.counts.get(key, 0))
        before = prev.get(key) if inp.previous_counts is not None else None
        out.append(f"| {key} | {'-' if before is None else before} | {now} | {_delta(now, before)} |")
    out += ["", "## Rows that left", ""]
    if inp.left is not None:
        out.append(
            f"- {inp.left} pairs of `{inp.previous}` are not in this revision (erasure, a changed review outcome, "
            f"or a gate); {inp.added} pairs are new in it."
        )
    out.append(
        f"- Erasure requests (`prefloop forget`) since the previous release: {inp.erasures.get('requests', 0)}, "
        f"which removed {inp.erasures.get('pairs', 0)} pairs and {inp.erasures.get('events', 0)} events from the "
        "store; none of them is in this or any later release."
    )
    from prefloop.curator.releases.card import removed_table

    out += ["", "## Left out by the gates", "", *removed_table(dict(inp.report.get("removed") or {})), ""]
    return "\n".join(out)
