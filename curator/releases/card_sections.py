"""The dataset card's sections from the Hugging Face hub's dataset-card template, filled from the release.

Dataset Structure (every column with its type and meaning), Uses (with the lines that load the release, which a
test runs on a built release), Bias, Risks and Limitations, Personal and Sensitive Information, Citation and
Contact. Each function returns the section's Markdown lines; :func:`prefloop.curator.releases.card.render_card`
puts them in order.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

import pyarrow as pa

__all__ = [
    "COLUMN_DOCS",
    "bias_section",
    "citation_section",
    "contact_section",
    "load_snippet",
    "personal_section",
    "structure_section",
    "uses_section",
]

#: What each released column holds (a test checks that every column of the schema is described here).
COLUMN_DOCS: dict[str, str] = {
    "pair_id": "stable id of the preference pair",
    "prompt_group": "id of the prompt (the conversation so far); the split is decided per group",
    "prompt": "the conversation so far: earlier turns and the user's message (TRL conversational form)",
    "chosen": "the preferred assistant answer, as one assistant message",
    "rejected": "the other assistant answer, as one assistant message",
    "source": "where the prompt came from (`user`, or a replay/synthetic source)",
    "kind": "the strongest evidence for the preference: choice, edit, regenerate, thumbs",
    "chosen_model": "the model that wrote the chosen answer",
    "rejected_model": "the model that wrote the rejected answer",
    "chosen_human_written": "true when the chosen answer is a user's edit rather than a model's answer",
    "generation": "generation settings of both answers (JSON string)",
    "signals": "every piece of evidence behind the pair (JSON string)",
    "strength": "signal strength of the preference, 0 to 1",
    "conflicts": "how many pieces of evidence pointed the other way",
    "accepted_by": "`auto` (strong, consistent evidence) or `review` (reviewers' verdict)",
    "votes": "the review's tally per label, never reviewer ids (JSON string; null when auto-accepted)",
    "review_votes": (
        "each review vote: pseudonymous reviewer id, side (`chosen` agrees with this row), the button pressed "
        "(`a`/`b`/...), rubric reason and version, time, role (empty when auto-accepted); filter on it"
    ),
    "review_remarks": "the review thread's remarks, PII-scrubbed, with pseudonymous reviewer and time",
    "agreement": "reviewer agreement on the pair (null when auto-accepted)",
    "tactic": "harm tactic of the prompt from the automatic tagger (null for ordinary prompts)",
    "hazards": "hazard categories of the prompt from the automatic tagger",
    "ailuminate": "the hazards' MLCommons AILuminate v1.0 hazard codes (for example `vcr`, `iwp`)",
    "llama_guard": "the hazards' Llama Guard 3 categories (for example `S1`, `S9`)",
    "tags": "the tagger's full output (JSON string)",
    "checks": "quality checks that flagged the pair (for example length or refusal checks)",
    "rubric_version": "version of the review rubric",
    "scrubber_version": "version of the PII scrubber that scrubbed the texts",
    "policy_version": "version of the routing policy",
    "formed_at": "when the first evidence arrived (UTC, ISO 8601)",
    "chosen_trace_id": "the app's trace id (OpenTelemetry, Langfuse, LangSmith) of the chosen answer's generation",
    "rejected_trace_id": "the app's trace id of the rejected answer's generation",
    "metadata": "the app's labels on the two answers, by side (JSON string; null when none were recorded)",
}


def _type_name(dtype: pa.DataType) -> str:
    if pa.types.is_list(dtype) and pa.types.is_struct(dtype.value_type):
        return "list of {" + ", ".join(f.name for f in dtype.value_type) + "}"
    if pa.types.is_list(dtype):
        return f"list of {_type_name(dtype.value_type)}"
    return {"large_string": "string", "int32": "int", "int64": "int", "double": "float", "bool": "bool"}.get(
        str(dtype), str(dtype)
    )


def load_snippet(splits: Sequence[str]) -> list[str]:
    """The Python lines that load the release from its folder (run by a test on a built release)."""
    parquet = ", ".join(f'"{s}": "data/{s}.parquet"' for s in splits)
    jsonl = ", ".join(f'"{s}": "jsonl/{s}.jsonl"' for s in splits)
    return [
        "```python",
        "from datasets import load_dataset, load_from_disk",
        "",
        '# from this folder (run it here); from the hub: load_dataset("ORG/NAME") reads the same Parquet files',
        f'ds = load_dataset("parquet", data_files={{{parquet}}})  # or: load_dataset("parquet", data_dir="data")',
        f'ds_json = load_dataset("json", data_files={{{jsonl}}})',
        'ds_arrow = load_from_disk("dataset")',
        "```",
    ]


def structure_section(schema: pa.Schema, splits: Sequence[str], counts: Mapping[str, int]) -> list[str]:
    out = [
        "## Dataset Structure",
        "",
        "One row per preference pair; splits: "
        + ", ".join(f"`{s}` ({counts.get(s, 0)} pairs)" for s in splits)
        + ". All pairs of a prompt are in one split.",
        "",
        "| column | type | what it holds |",
        "|---|---|---|",
    ]
    out += [
        f"| `{f.name}` | {_type_name(f.type)} | {COLUMN_DOCS.get(f.name, '(not described)')} |"
        for f in schema
    ]
    out += [
        "",
        "`prompt`, `chosen` and `rejected` are lists of `{role, content}` messages, the form TRL's `DPOTrainer` "
        "takes directly. Columns marked JSON string hold JSON text so every month has the same schema.",
    ]
    return out


def uses_section(splits: Sequence[str], with_hazard: int, pairs: int) -> list[str]:
    return [
        "## Uses",
        "",
        "### Direct Use",
        "",
        "Preference tuning (DPO, IPO, KTO via TRL) and reward-model training on `train`; evaluation on `test`. "
        "Load it with:",
        "",
        *load_snippet(splits),
        "",
        "### Out-of-Scope Use",
        "",
        "- Identifying, profiling or contacting the users who gave the feedback (user ids are not in the data; "
        "do not try to recover them from the texts).",
        f"- Training a model to produce harmful content: {with_hazard} of the {pairs} pairs have prompts the "
        "tagger marked with a hazard; in them the chosen answer is the one users preferred, which is not "
        "always the safest one.",
        "- Using `test` for training, or treating the preferences as the population's: they are one product's "
        "users.",
    ]


def bias_section(extra: Sequence[str] = ()) -> list[str]:
    return [
        "## Bias, Risks, and Limitations",
        "",
        "- Preferences come from users of one product; they reflect its audience, not the population.",
        *extra,
        "- Scrubbing is automatic: recall is high but not perfect; report leaks to the maintainers.",
        "- Harm tags come from an automatic tagger; category counts inherit its errors.",
        "- Users' erasure requests remove their rows from every release built after the request; releases already "
        "downloaded are not recalled. Use the latest release.",
        "",
        "### Recommendations",
        "",
        "Read the coverage table before training: categories outside their target range skew what a model "
        "learns. Filter on `accepted_by`, `strength` and `agreement` when you need fewer, surer pairs.",
    ]


def personal_section(scrubber: Mapping[str, Any], versions: Mapping[str, int], unscrubbed: int) -> list[str]:
    recognizers = ", ".join(scrubber.get("recognizers") or []) or "not importable at build time"
    on_pairs = ", ".join(f"`{v}` ({n})" for v, n in sorted(versions.items())) or "not recorded"
    return [
        "### Personal and Sensitive Information",
        "",
        "The texts are conversations with an assistant and may have contained names, contact details, "
        "identifiers, addresses and secrets. Every text (prompt, chosen, rejected) went through the PII scrubber "
        "before it reached review or this release; detected values are replaced by consistent placeholders "
        "such as `[PERSON_1]` (one placeholder per value within a pair). A last guard, independent of the "
        "scrubber, re-checked every text as this release was written for e-mail addresses, phone, card and ID "
        "numbers, IBANs, IP addresses, keys and tokens (a catch shows as `[<TYPE>_0]`).",
        "",
        *([f"Policy: {scrubber['policy']}", ""] if scrubber.get("policy") else []),
        f"- scrubber versions on these pairs: {on_pairs}",
        f"- current scrubber: {scrubber.get('current') or 'not importable at build time'}",
        f"- recognizers: {recognizers}",
        f"- pairs not marked scrubbed: {unscrubbed}",
        "- user ids are pseudonymized when captured and are not part of the release; reviewers' ids are "
        "never released (only vote tallies).",
    ]


def citation_section(name: str, month: str, revision: int, pairs: int, license_: str) -> list[str]:
    key = re.sub(r"[^0-9A-Za-z]+", "_", name).strip("_").lower()
    return [
        "## Citation",
        "",
        "```bibtex",
        f"@misc{{{key},",
        f"  title  = {{{{{name}}}: preference pairs from user feedback, {month}}},",
        f"  year   = {{{month[:4]}}},",
        f"  note   = {{Release revision {revision}, {pairs} pairs, license {license_}}}",
        "}",
        "```",
    ]


def contact_section(contact: str | None) -> list[str]:
    return [
        "## Dataset Card Contact",
        "",
        contact
        or "No contact was configured for this release (set `PREFLOOP_RELEASE_CONTACT`); report problems to "
        "the team that published it.",
    ]
