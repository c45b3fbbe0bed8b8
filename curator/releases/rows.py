"""One released row per accepted pair: TRL's conversational DPO columns plus the metadata columns.

``prompt`` holds the conversation so far (earlier turns and the user's message), ``chosen`` and ``rejected`` are
one assistant message each, the form TRL's ``DPOTrainer`` takes directly. Free-form metadata (generation
settings, signals, votes, tags) is a JSON string (as the database renders it: deterministic for the same
data) so every month has the same Arrow schema.
"""

from __future__ import annotations

import hashlib
import json
import re
import unicodedata
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from json.encoder import encode_basestring as _s
from typing import Any

import pyarrow as pa

__all__ = [
    "COLUMNS",
    "SCHEMA",
    "exact_key",
    "is_reviewed",
    "messages_json",
    "normalized_text",
    "parse_prompt",
    "projection",
    "prompt_fingerprint",
    "release_line",
    "release_lines",
    "str_list",
]

_MESSAGES = pa.list_(pa.struct([("role", pa.string()), ("content", pa.string())]))
#: One reviewer's vote as released: pseudonymous reviewer, side in the released frame (``chosen`` = agrees with
#: the row), the button as pressed (``a``/``b``/``tie``/...: position bias), rubric reason and version, time,
#: role (``reviewer``/``adjudicator``). Empty for rows accepted automatically. TRL's trainers ignore the column;
#: filter on it (e.g. keep rows whose reviewers all gave ``correctness``).
REVIEW_VOTE = pa.struct(
    [
        ("reviewer", pa.string()),
        ("side", pa.string()),
        ("pressed", pa.string()),
        ("reason", pa.string()),
        ("rubric_version", pa.string()),
        ("at", pa.string()),
        ("role", pa.string()),
    ]
)
#: A remark from the pair's review thread, scrubbed like every other text.
REVIEW_REMARK = pa.struct([("reviewer", pa.string()), ("at", pa.string()), ("text", pa.string())])

SCHEMA = pa.schema(
    [
        ("pair_id", pa.string()),
        ("prompt_group", pa.string()),
        ("prompt", _MESSAGES),
        ("chosen", _MESSAGES),
        ("rejected", _MESSAGES),
        ("source", pa.string()),
        ("kind", pa.string()),
        ("chosen_model", pa.string()),
        ("rejected_model", pa.string()),
        ("chosen_human_written", pa.bool_()),
        ("generation", pa.string()),
        ("signals", pa.string()),
        ("strength", pa.float64()),
        ("conflicts", pa.int32()),
        ("accepted_by", pa.string()),
        ("votes", pa.string()),
        ("review_votes", pa.list_(REVIEW_VOTE)),
        ("review_remarks", pa.list_(REVIEW_REMARK)),
        ("agreement", pa.float64()),
        ("tactic", pa.string()),
        ("hazards", pa.list_(pa.string())),
        # the hazards' interoperable codes (taxonomy.yaml): MLCommons AILuminate v1.0 and Llama Guard 3
        ("ailuminate", pa.list_(pa.string())),
        ("llama_guard", pa.list_(pa.string())),
        ("tags", pa.string()),
        ("checks", pa.list_(pa.string())),
        ("rubric_version", pa.string()),
        ("scrubber_version", pa.string()),
        ("policy_version", pa.string()),
        ("formed_at", pa.string()),
        ("chosen_trace_id", pa.string()),
        ("rejected_trace_id", pa.string()),
        ("metadata", pa.string()),
    ]
)
COLUMNS = tuple(SCHEMA.names)


def _json_or_none(text: str | None) -> str | None:
    return None if text is None or text == "null" else text


def str_list(text: str | None) -> list[str]:
    """A stored JSON list of strings, sorted. Plain strings (no escapes) skip the JSON parser."""
    if not text or text in ("[]", "null"):
        return []
    if "\\" not in text and text[:2] == '["' and text[-2:] == '"]':
        parts = text[2:-2].split('", "')
        if not any('"' in part for part in parts):
            return sorted(parts)
    value = json.loads(text)
    return sorted(str(v) for v in value) if isinstance(value, list) else []


def _iso(moment: datetime) -> str:
    if moment.tzinfo is None:  # SQLite returns naive UTC
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


def projection(pairs: Any) -> list[Any]:
    """The columns a release needs, computed by the database: free-form JSON comes back as its stored text
    (never parsed in Python), single values are extracted with JSON operators. ``pairs`` is the table."""
    from sqlalchemy import Text, cast, func

    c = pairs.c
    return [
        c.pair_id,
        c.group_key,
        cast(c.prompt, Text).label("prompt_json"),
        c.chosen,
        c.rejected,
        c.chosen_human_written,
        c.scrubbed,
        c.scrubber_version,
        c.kind,
        c.strength,
        c.conflicts,
        c.policy_version,
        c.rubric_version,
        c.formed_at,
        cast(c.signals, Text).label("signals_json"),
        cast(c.checks, Text).label("checks_json"),
        cast(c.tags, Text).label("tags_json"),
        c.tags["tactic"].as_string().label("tactic"),
        cast(c.tags["hazards"], Text).label("hazards_json"),
        c.tags["tagger_version"].as_string().label("tagger_version"),
        c.meta["prompt_source"].as_string().label("source"),
        c.meta[("models", "chosen")].as_string().label("chosen_model"),
        c.meta[("models", "rejected")].as_string().label("rejected_model"),
        cast(c.meta["generation"], Text).label("generation_json"),
        c.meta[("trace_ids", "chosen")].as_string().label("chosen_trace_id"),
        c.meta[("trace_ids", "rejected")].as_string().label("rejected_trace_id"),
        cast(c.meta["metadata"], Text).label("metadata_json"),
        cast(c.review, Text).label("review_json"),
        # the vote tally per label; the individual votes only with pseudonymous reviewers (release_votes)
        cast(c.review["tally"], Text).label("votes_json"),
        cast(c.review["release_votes"], Text).label("review_votes_json"),
        cast(c.review["remarks"], Text).label("remarks_json"),
        c.review["agreement"].as_float().label("agreement"),
        c.review["first_two_agree"].as_boolean().label("first_two_agree"),
        c.review["reviewer_votes"].as_integer().label("reviewer_votes"),
        func.coalesce(c.review["policy_version"].as_string(), c.review["policy"].as_string()).label(
            "quorum_policy"
        ),
    ]


def parse_prompt(prompt_json: str | None) -> list[dict[str, str]]:
    """The stored prompt as TRL messages (``role`` and ``content`` only)."""
    value = json.loads(prompt_json) if prompt_json else []
    return [
        {"role": str(m.get("role", "user")), "content": str(m.get("content", ""))}
        for m in value or []
        if isinstance(m, dict)
    ]


def messages_json(messages: list[dict[str, str]]) -> str:
    """Messages as compact JSON (the JSONL form of ``prompt``/``chosen``/``rejected``)."""
    return "[" + ",".join(f'{{"role":{_s(m["role"])},"content":{_s(m["content"])}}}' for m in messages) + "]"


def _q(value: str | None) -> str:
    return "null" if value is None else _s(value)


def _strings(values: list[str]) -> str:
    return "[" + ",".join(_s(v) for v in values) + "]"


def _num(value: float | None) -> str:
    return "null" if value is None else repr(float(value))


def _json_list(pair: Any, column: str) -> str:
    """A stored JSON list (the review's released votes or remarks) as it goes into the line; ``[]`` if absent
    (pairs resolved before votes were released)."""
    return _listed_json(getattr(pair, column, None))


def is_reviewed(pair: Any) -> bool:
    return _json_or_none(pair.review_json) is not None


def release_line(
    pair: Any,
    prompt_json: str,
    hazards: list[str],
    checks: list[str],
    reviewed: bool,
    codes: Mapping[str, Sequence[str]] | None = None,
) -> str:
    """A projected ``pairs`` row (a SQLAlchemy row of :func:`projection`) as one JSONL line of the release: the columns of
    :data:`SCHEMA` in order. ``prompt_json`` is :func:`messages_json` of its prompt. The Parquet and Arrow
    files are parsed from these lines, so all three formats hold the same values by construction. ``codes`` are
    the hazards' interoperable codes per standard (``ailuminate``, ``llama_guard``)."""
    codes = codes or {}
    return (
        f'{{"pair_id":{_s(pair.pair_id)},"prompt_group":{_s(pair.group_key)},"prompt":{prompt_json},'
        f'"chosen":[{{"role":"assistant","content":{_s(pair.chosen)}}}],'
        f'"rejected":[{{"role":"assistant","content":{_s(pair.rejected)}}}],'
        f'"source":{_q(pair.source)},"kind":{_q(pair.kind)},'
        f'"chosen_model":{_q(pair.chosen_model)},"rejected_model":{_q(pair.rejected_model)},'
        f'"chosen_human_written":{"true" if pair.chosen_human_written else "false"},'
        f'"generation":{_s(_json_or_none(pair.generation_json) or "{}")},'
        f'"signals":{_s(_json_or_none(pair.signals_json) or "[]")},'
        f'"strength":{_num(pair.strength or 0.0)},"conflicts":{int(pair.conflicts or 0)},'
        f'"accepted_by":"{"review" if reviewed else "auto"}",'
        f'"votes":{_q(_json_or_none(pair.votes_json)) if reviewed else "null"},'
        f'"review_votes":{_json_list(pair, "review_votes_json") if reviewed else "[]"},'
        f'"review_remarks":{_json_list(pair, "remarks_json") if reviewed else "[]"},'
        f'"agreement":{_num(pair.agreement) if reviewed else "null"},'
        f'"tactic":{_q(pair.tactic)},"hazards":{_strings(hazards)},'
        f'"ailuminate":{_strings(list(codes.get("ailuminate", ())))},'
        f'"llama_guard":{_strings(list(codes.get("llama_guard", ())))},'
        f'"tags":{_q(_json_or_none(pair.tags_json))},"checks":{_strings(checks)},'
        f'"rubric_version":{_q(pair.rubric_version)},"scrubber_version":{_q(pair.scrubber_version)},'
        f'"policy_version":{_q(pair.policy_version)},"formed_at":{_s(_iso(pair.formed_at))},'
        f'"chosen_trace_id":{_q(pair.chosen_trace_id)},"rejected_trace_id":{_q(pair.rejected_trace_id)},'
        f'"metadata":{_q(_json_or_none(pair.metadata_json))}}}\n'
    )


def _quoted_few(values: Sequence[str | None]) -> list[str]:
    """``_q`` of each value, computed once per distinct value (for columns with few distinct values)."""
    table = {v: _q(v) for v in set(values)}
    return list(map(table.__getitem__, values))


def _json_text_few(values: Sequence[str | None], default: str) -> list[str]:
    """Stored JSON texts as JSON strings (``default`` for absent ones), once per distinct value."""
    table = {v: _s(_json_or_none(v) or default) for v in set(values)}
    return list(map(table.__getitem__, values))


def release_lines(
    columns: Mapping[str, Sequence[Any]],
    prompt_json: Sequence[str],
    hazards: Sequence[Sequence[str]],
    checks: Sequence[Sequence[str]],
    reviewed: Sequence[bool],
    codes: Sequence[Mapping[str, Sequence[str]] | None],
) -> list[str]:
    """:func:`release_line` of many rows at once, column by column (the build's path: the same bytes, a few
    times cheaper per row). ``columns`` maps each :func:`projection` label to its values, one per row; the
    other arguments are per row as :func:`release_line` takes them. Columns with few distinct values (models,
    versions, settings, tags) are rendered once per distinct value."""
    c = columns
    n = len(prompt_json)
    null = ["null"] * n
    with_review = any(reviewed)

    def rev(values: list[str], absent: str) -> list[str]:
        return (
            [v if r else absent for v, r in zip(values, reviewed, strict=True)]
            if with_review
            else [absent] * n
        )

    strings: dict[tuple[str, ...], str] = {}

    def listed(values: Sequence[Sequence[str]]) -> list[str]:
        out = []
        for v in values:
            t = tuple(v)
            text = strings.get(t)
            if text is None:
                text = strings[t] = _strings(list(t))
            out.append(text)
        return out

    agreement = rev([_num(a) for a in c["agreement"]], "null") if with_review else null
    parts = zip(
        map(_s, c["pair_id"]),
        map(_s, c["group_key"]),
        prompt_json,
        map(_s, c["chosen"]),
        map(_s, c["rejected"]),
        _quoted_few(c["source"]),
        _quoted_few(c["kind"]),
        _quoted_few(c["chosen_model"]),
        _quoted_few(c["rejected_model"]),
        ["true" if h else "false" for h in c["chosen_human_written"]],
        _json_text_few(c["generation_json"], "{}"),
        [_s(_json_or_none(v) or "[]") for v in c["signals_json"]],
        [_num(s or 0.0) for s in c["strength"]],
        [str(int(v or 0)) for v in c["conflicts"]],
        ["review" if r else "auto" for r in reviewed],
        rev([_q(_json_or_none(v)) for v in c["votes_json"]], "null") if with_review else null,
        rev([_listed_json(v) for v in c["review_votes_json"]], "[]") if with_review else ["[]"] * n,
        rev([_listed_json(v) for v in c["remarks_json"]], "[]") if with_review else ["[]"] * n,
        agreement,
        _quoted_few(c["tactic"]),
        listed(hazards),
        listed([(k or {}).get("ailuminate", ()) for k in codes]),
        listed([(k or {}).get("llama_guard", ()) for k in codes]),
        [_q(_json_or_none(v)) for v in c["tags_json"]],
        listed(checks),
        _quoted_few(c["rubric_version"]),
        _quoted_few(c["scrubber_version"]),
        _quoted_few(c["policy_version"]),
        [_s(_iso(m)) for m in c["formed_at"]],
        [_q(v) for v in c["chosen_trace_id"]],
        [_q(v) for v in c["rejected_trace_id"]],
        [_q(_json_or_none(v)) for v in c["metadata_json"]],
        strict=True,
    )
    return [
        f'{{"pair_id":{a},"prompt_group":{b},"prompt":{p},'
        f'"chosen":[{{"role":"assistant","content":{ch}}}],'
        f'"rejected":[{{"role":"assistant","content":{rj}}}],'
        f'"source":{src},"kind":{kind},"chosen_model":{cm},"rejected_model":{rm},'
        f'"chosen_human_written":{hw},"generation":{gen},"signals":{sig},"strength":{st},"conflicts":{co},'
        f'"accepted_by":"{by}","votes":{vo},"review_votes":{rv},"review_remarks":{rr},"agreement":{ag},'
        f'"tactic":{ta},"hazards":{hz},"ailuminate":{ai},"llama_guard":{lg},"tags":{tg},"checks":{ck},'
        f'"rubric_version":{ru},"scrubber_version":{sc},"policy_version":{po},"formed_at":{fa},'
        f'"chosen_trace_id":{ct},"rejected_trace_id":{rt},"metadata":{md}}}\n'
        for (
            a, b, p, ch, rj, src, kind, cm, rm, hw, gen, sig, st, co, by, vo, rv, rr, ag, ta, hz, ai, lg, tg, ck,
            ru, sc, po, fa, ct, rt, md,
        ) in parts
    ]  # fmt: skip


def _listed_json(text: str | None) -> str:
    """A stored JSON list as it goes into the line (see :func:`_json_list`)."""
    text = _json_or_none(text)
    return text if text and text.lstrip().startswith("[") else "[]"


_NON_WORD = re.compile(r"[^\w]+", re.UNICODE)
#: The scrubber's placeholders, ``[PERSON_1]`` (and the older ``<PERSON_1>`` form): their numbers only say "same
#: or different value within this pair", so two prompts differing only in them are the same prompt.
_PLACEHOLDER = re.compile(r"\[([A-Z][A-Z0-9_]*?)_\d+\]|<([A-Z][A-Z0-9_]*?)(?:_\d+)?>")


def _placeholder(match: re.Match[str]) -> str:
    return f" placeholder_{(match.group(1) or match.group(2)).lower()} "


#: ASCII bytes -> themselves when ``\w`` (letters, digits, ``_``), else a space: ``_NON_WORD`` for ASCII text.
_ASCII_WORDS = bytes(c if chr(c).isalnum() or c == ord("_") else ord(" ") for c in range(128)) + b" " * 128


def normalized_text(text: str) -> str:
    """NFKC, placeholders by type, casefolded, words only: what near-duplicate detection compares.

    ASCII text (most prompts) takes a shorter path to the same result: NFKC leaves it as it is, ``casefold``
    is ``lower``, and a word character is one of ``[A-Za-z0-9_]``, so the words are found with a byte table instead of the
    Unicode regular expression (several times faster; a property test holds the two paths equal)."""
    if text.isascii():
        if "[" in text or "<" in text:
            text = _PLACEHOLDER.sub(_placeholder, text)
        return " ".join(text.lower().encode("ascii").translate(_ASCII_WORDS).decode("ascii").split())
    text = unicodedata.normalize("NFKC", text)
    text = _PLACEHOLDER.sub(_placeholder, text)
    return " ".join(_NON_WORD.sub(" ", text.casefold()).split())


def prompt_fingerprint(prompt: Sequence[Mapping[str, Any]] | None) -> str:
    """A near-duplicate key for a prompt: the same for prompts that differ only in case, punctuation,
    whitespace or scrubber placeholders. System messages are left out (they vary by deployment)."""
    parts = [
        f"{m.get('role')}:{normalized_text(str(m.get('content', '')))}"
        for m in prompt or []
        if m.get("role") != "system"
    ]
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()[:32]


def exact_key(*texts: str) -> bytes:
    """A compact key for exact-duplicate detection of a prompt or a (prompt, chosen, rejected) triple."""
    h = hashlib.blake2b(digest_size=16)
    for text in texts:
        h.update(text.encode())
        h.update(b"\x00")
    return h.digest()
