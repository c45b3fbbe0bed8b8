"""``README.md``: the dataset card, with the YAML header the Hugging Face hub reads.

Everything in it comes from the store state and the month (no wall-clock date), so a rebuild writes the same
bytes. The card says how the data was collected, scrubbed, reviewed and split, with the numbers.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import yaml

from prefloop.curator.coverage import CategoryCoverage
from prefloop.curator.pairing.audit import AuditEstimate
from prefloop.curator.releases.card_sections import (
    bias_section,
    citation_section,
    contact_section,
    personal_section,
    structure_section,
    uses_section,
)
from prefloop.curator.releases.gates import GateTally
from prefloop.curator.releases.rows import SCHEMA

__all__ = ["CardInput", "removed_table", "render_card", "scrubber_facts"]


@dataclass(frozen=True)
class CardInput:
    name: str
    month: str
    revision: int
    previous: str | None
    seed: int
    test_share: float
    license: str
    tally: GateTally
    report: dict[str, Any]
    categories: Sequence[CategoryCoverage]
    splits: Sequence[str]
    scrubber: dict[str, Any] = field(default_factory=dict)
    overrides: Sequence[str] = ()
    #: Who answers questions about the release (``PREFLOOP_RELEASE_CONTACT``); None says it was not set.
    contact: str | None = None
    #: Whether paraphrase-aware splitting was on (``PREFLOOP_RELEASE_PARAPHRASE``).
    paraphrase: bool = False
    #: Pairs formed in an earlier month that became ready after that month's release (shipped here).
    late_pairs: int = 0
    #: Reviewers' verdicts on the audit sample of automatic acceptance, every one resolved up to this build.
    audit: AuditEstimate | None = None
    #: ``strength`` per band against reviewers' verdicts (:func:`prefloop.curator.pipeline.review_outcomes
    #: .review_calibration`), every review resolved up to this build.
    calibration: dict[str, Any] | None = None


def scrubber_facts(versions_on_pairs: Sequence[str]) -> dict[str, Any]:
    """The scrubber versions recorded on the pairs, plus the current scrubber's version and recognizers when
    ``prefloop.curator.scrub`` is importable."""
    current = current_scrubber_facts()
    facts: dict[str, Any] = {"on_pairs": sorted(versions_on_pairs)}
    facts.update({k: list(v) if isinstance(v, list) else v for k, v in current.items()})
    return facts


@functools.lru_cache(maxsize=1)
def current_scrubber_facts() -> dict[str, Any]:
    """The current scrubber's version, recognizers and policy summary (``current`` None and no recognizers when
    ``prefloop.curator.scrub`` is not importable). Read once: importing the scrubber costs seconds of CPU, so
    a build warms this up beside its candidates phase (:func:`prefloop.curator.releases.build.build_release`)."""
    facts: dict[str, Any] = {"current": None, "recognizers": []}
    try:
        from prefloop.curator.scrub import Scrubber
        from prefloop.curator.scrub.policy import SUMMARY

        facts["policy"] = SUMMARY
        scrubber = Scrubber()  # recognizers only: the spaCy model loads on first use, not here
        facts["current"] = str(scrubber.VERSION)
        facts["recognizers"] = sorted(str(n) for n in scrubber.recognizer_names())
    except Exception:
        pass
    return facts


def selection_lines(t: Any) -> list[str]:
    """The quorum's selection bias: a third vote is asked only when the first two disagree, so agreement over all
    votes of released pairs reads higher than reviewers' agreement on an unselected pair."""
    if not t.first_two_n:
        return []
    return [
        f"- first two reviewer votes agreed on {t.first_two_agree / t.first_two_n:.0%} of {t.first_two_n} reviewed "
        f"pairs; {t.third_votes} needed a third vote. The quorum asks for a third vote only when the first two "
        "disagree, so agreement over all votes is selected upward: read the first-two figure as the reviewers' "
        "agreement. Adjudicators' votes (on escalated pairs) are counted apart from reviewers'.",
    ]


def calibration_lines(calibration: dict[str, Any] | None) -> list[str]:
    """How well ``strength`` matched reviewers' verdicts, per band (pairs below the bar and the audit sample)."""
    bands = (calibration or {}).get("bands") or []
    if not bands:
        return ["- strength against review: no pair below the bar or audited resolved yet"]
    parts = [
        f"{b['band']}: {b['right']} of {b['pairs']} confirmed ({b['share_right']:.0%}, 95% interval "
        f"{b['interval'][0]:.0%}-{b['interval'][1]:.0%}) at strength {b['mean_strength']:.2f}, {b['direction']}"
        for b in bands
    ]
    return [
        "- strength against review (how often reviewers confirmed the users' side, per `strength` band; pairs below "
        "the bar for automatic acceptance and the audit sample, every one resolved up to this release): "
        + "; ".join(parts)
    ]


def audit_lines(audit: AuditEstimate | None) -> list[str]:
    """How often automatic acceptance was right, as reviewers judged a random sample of it."""
    if audit is None or not audit.audited or audit.interval is None or audit.precision is None:
        return [
            "- audit of automatic acceptance: no audit pair resolved yet (a share of the pairs that met the bar "
            "is drawn for review, unseen as such, to measure how often automatic acceptance is right)"
        ]
    low, high = audit.interval
    return [
        f"- audit of automatic acceptance: reviewers confirmed the users' side on {audit.confirmed} of "
        f"{audit.audited} pairs drawn at random from those that met the bar for automatic acceptance "
        f"({audit.precision:.0%}, 95% interval {low:.0%}-{high:.0%}; every audit pair resolved up to this "
        "release, not only this month's): an estimate of how often the `auto` rows are right",
    ]


def _size_category(n: int) -> str:
    for limit, label in (
        (1_000, "n<1K"),
        (10_000, "1K<n<10K"),
        (100_000, "10K<n<100K"),
        (1_000_000, "100K<n<1M"),
    ):
        if n < limit:
            return label
    return "1M<n<10M"


def _header(inp: CardInput) -> str:
    meta = {
        "license": inp.license,
        "language": ["en"],
        "pretty_name": inp.name,
        "task_categories": ["text-generation"],
        "tags": ["dpo", "preference", "rlhf", "safety"],
        "size_categories": [_size_category(inp.tally.pairs)],
        "configs": [
            {
                "config_name": "default",
                "data_files": [{"split": s, "path": f"data/{s}.parquet"} for s in inp.splits],
            }
        ],
    }
    return "---\n" + yaml.safe_dump(meta, sort_keys=False, allow_unicode=True) + "---\n"


def _counter_table(title: str, counter: dict[str, int]) -> list[str]:
    lines = [f"| {title} | pairs |", "|---|---:|"]
    lines += [f"| {k} | {v} |" for k, v in sorted(counter.items())] or ["| (none) | 0 |"]
    return lines


def removed_table(removed: dict[str, int]) -> list[str]:
    """Rows left out before release, by reason: pairs and (where the reason is per prompt) prompt groups."""
    reasons = sorted({k.removesuffix("_groups") for k in removed})
    lines = ["| left out before release | pairs | prompt groups |", "|---|---:|---:|"]
    lines += [f"| {r} | {removed.get(r, 0)} | {removed.get(r + '_groups', '-')} |" for r in reasons] or [
        "| (nothing) | 0 | - |"
    ]
    return lines


def _duplicates_line(inp: CardInput) -> str:
    line = "- Near-duplicate detection normalizes case, punctuation, whitespace and scrubber placeholders; "
    if not inp.paraphrase:
        return line + "paraphrases are not detected."
    return line + (
        "paraphrases (prompts sharing a third of their words, then judged by a sentence encoder) that would "
        f"have landed in another split than the prompt they reword were moved to its split "
        f"({inp.tally.paraphrase_followed} prompts) or left out when that prompt is in the frozen evaluation "
        "set; rewordings sharing fewer words are not detected."
    )


def render_card(inp: CardInput) -> str:
    t, r = inp.tally, inp.report
    start = f"{inp.month}-01"
    out = [_header(inp), f"# {inp.name}", ""]
    out += [
        f"Preference pairs (prompt, chosen, rejected) formed from user feedback in **{inp.month}** "
        f"(pairs whose first evidence falls in the month starting {start}, UTC); release revision {inp.revision}"
        + (f", previous release `{inp.previous}`." if inp.previous else ", the first release."),
        "",
        f"Late pairs: **{inp.late_pairs}** of these pairs were formed in an earlier month that already had a "
        "release, and became ready (accepted automatically or after review) after it was built. A pair ships in "
        "the first release built after it is accepted, never in two; a month without a release keeps its pairs "
        "for its own.",
        "",
        "The columns `prompt`, `chosen`, `rejected` are in TRL's conversational form and go to `DPOTrainer` "
        "directly; see Uses for the lines that load it.",
        "",
        *structure_section(SCHEMA, inp.splits, t.splits),
        "",
        *uses_section(inp.splits, t.with_hazard, t.pairs),
        "",
        "## Counts",
        "",
        "| split | pairs | prompts |",
        "|---|---:|---:|",
    ]
    out += [f"| {s} | {t.splits.get(s, 0)} | {t.prompts.get(s, 0)} |" for s in inp.splits]
    out += [f"| **total** | **{t.pairs}** | **{sum(t.prompts.values())}** |", ""]
    out += ["## Coverage against targets", "", "![coverage](coverage.png)", ""]
    out += ["| axis | category | pairs | share | target | status |", "|---|---|---:|---:|---|---|"]
    out += [
        f"| {c.axis} | {c.name} | {c.count} | {c.share * 100:.1f}% | "
        f"{c.target_min * 100:.0f}-{c.target_max * 100:.0f}% | {c.status} |"
        for c in inp.categories
    ]
    out += [
        "",
        f"Tactic shares are over the {t.with_tactic} pairs that carry a tactic, hazard shares over the "
        f"{t.with_hazard} pairs that carry a hazard.",
        "",
        "## Dataset Creation",
        "",
        "### Source Data: How the data was collected",
        "",
        "Users of the assistant gave feedback in the product (side-by-side choices, edits, regenerations, thumbs). "
        "The curator grouped responses by prompt (the conversation so far), formed a pair from each piece of "
        "evidence that one response is preferred, kept evidence in both directions, and routed each pair: strong, "
        "consistent evidence was accepted automatically, the rest went to human review.",
        "",
        *_counter_table("evidence kind", dict(t.kinds)),
        "",
        *_counter_table("prompt source", dict(t.sources)),
        "",
        *personal_section(inp.scrubber, t.scrubber_versions, t.unscrubbed),
        "",
        "### Annotations: How it was reviewed",
        "",
        f"- accepted automatically: {t.accepted_by.get('auto', 0)}; accepted by reviewers: {t.accepted_by.get('review', 0)}",
        *audit_lines(inp.audit),
        *calibration_lines(inp.calibration),
        f"- quorum policy (as recorded on the pairs): {', '.join(f'`{k}` ({v})' for k, v in sorted(t.quorum_policies.items())) or 'not recorded'}",
        f"- rubric versions: {', '.join(f'`{k}` ({v})' for k, v in sorted(t.rubric_versions.items())) or 'not recorded'}",
        f"- mean reviewer agreement on reviewed pairs: {t.mean_agreement if t.mean_agreement is not None else 'n/a'} "
        f"(over {t.agreement_n} pairs)",
        *selection_lines(t),
        f"- routing policy versions: {', '.join(f'`{k}` ({v})' for k, v in sorted(t.policy_versions.items())) or 'not recorded'}",
        "",
        "### How it was split",
        "",
        f"By prompt group, never by pair: a group's split is a pure function of its key and the release seed "
        f"({inp.seed}; test share {inp.test_share}), so all pairs of a prompt share a split and a prompt in test "
        "this month is never in train in a later month. Prompts already shipped keep the split they were shipped "
        "in. Prompts pinned into the frozen evaluation set are never shipped again.",
        "",
        f"New prompts this release: {t.new_prompts}; prompts shipped before (same split as then): {t.seen_prompts}.",
        "",
        "## Gates",
        "",
        "| gate | status |",
        "|---|---|",
        *[f"| {name} | {g['status']} |" for name, g in r["gates"].items()],
        "",
        *removed_table(r["removed"]),
        "",
        f"Overridden gates: {', '.join(inp.overrides) or 'none'}.",
        *(["", "Warnings:", *[f"- {w}" for w in r["warnings"]]] if r["warnings"] else []),
        "",
        *bias_section([_duplicates_line(inp)]),
        "",
        "## Files",
        "",
        "`data/<split>.parquet`, `jsonl/<split>.jsonl`, `dataset/` (`datasets.DatasetDict.save_to_disk`), "
        "`coverage.png`, `manifest.json` (counts, file hashes, versions), `CHANGELOG.md`.",
        "",
        *citation_section(inp.name, inp.month, inp.revision, t.pairs, inp.license),
        "",
        *contact_section(inp.contact),
        "",
    ]
    return "\n".join(out)
