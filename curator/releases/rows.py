"""One released row per accepted pair: TRL's conversational DPO columns plus the metadata columns.

``prompt`` holds the conversation so far (earlier turns and the user's message), ``chosen`` and ``rejected`` are
one assistant message each, the form TRL's ``DPOTrainer`` takes directly. Free-form metadata (generation
settings, signals, votes, tag scores) is a canonical JSON string so every month has the same Arrow schema.
"""

from __future__ import annotations

import hashlib
import json
import re
import unicodedata
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

import pyarrow as pa

__all__ = [
    "COLUMNS",
    "SCHEMA",
    "exact_key",
    "pair_row",
    "prompt_fingerprint",
]

_MESSAGES = pa.list_(pa.struct([("role", pa.string()), ("content", pa.string())]))

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
        ("agreement", pa.float64()),
        ("tactic", pa.string()),
        ("hazards", pa.list_(pa.string())),
        ("tags", pa.string()),
        ("checks", pa.list_(pa.string())),
        ("rubric_version", pa.string()),
        ("scrubber_version", pa.string()),
        ("policy_version", pa.string()),
        ("formed_at", pa.string()),
    ]
)
COLUMNS = tuple(SCHEMA.names)


def _canonical(value: Any) -> str | None:
    if value is None:
        return None
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)


def _messages(prompt: Sequence[Mapping[str, Any]] | None) -> list[dict[str, str]]:
    return [{"role": str(m.get("role", "user")), "content": str(m.get("content", ""))} for m in prompt or []]


def _float(value: Any) -> float | None:
    try:
        return None if value is None else float(value)
    except (TypeError, ValueError):
        return None


def _iso(moment: datetime) -> str:
    if moment.tzinfo is None:  # SQLite via Core select returns naive UTC
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


def pair_row(pair: Mapping[str, Any]) -> dict[str, Any]:
    """A ``pairs`` row (a mapping of its columns) as a release row."""
    meta = pair.get("meta") or {}
    models = meta.get("models") or {}
    tags = pair.get("tags") or {}
    review = pair.get("review") or None
    hazards = tags.get("hazards") or []
    return {
        "pair_id": pair["pair_id"],
        "prompt_group": pair["group_key"],
        "prompt": _messages(pair["prompt"]),
        "chosen": [{"role": "assistant", "content": pair["chosen"]}],
        "rejected": [{"role": "assistant", "content": pair["rejected"]}],
        "source": meta.get("prompt_source"),
        "kind": pair.get("kind"),
        "chosen_model": models.get("chosen"),
        "rejected_model": models.get("rejected"),
        "chosen_human_written": bool(pair.get("chosen_human_written")),
        "generation": _canonical(meta.get("generation") or {}),
        "signals": _canonical(pair.get("signals") or []),
        "strength": float(pair.get("strength") or 0.0),
        "conflicts": int(pair.get("conflicts") or 0),
        "accepted_by": "review" if review else "auto",
        "votes": _canonical(review.get("votes")) if review else None,
        "agreement": _float(review.get("agreement")) if review else None,
        "tactic": tags.get("tactic"),
        "hazards": sorted(str(h) for h in hazards),
        "tags": _canonical(tags) if tags else None,
        "checks": sorted(str(c) for c in pair.get("checks") or []),
        "rubric_version": pair.get("rubric_version"),
        "scrubber_version": pair.get("scrubber_version"),
        "policy_version": pair.get("policy_version"),
        "formed_at": _iso(pair["formed_at"]),
    }


_NON_WORD = re.compile(r"[^\w]+", re.UNICODE)
_PLACEHOLDER = re.compile(r"<[A-Z_]+(?:_\d+)?>")


def _normalize(text: str) -> str:
    text = unicodedata.normalize("NFKC", text)
    text = _PLACEHOLDER.sub(" placeholder ", text)
    return " ".join(_NON_WORD.sub(" ", text.casefold()).split())


def prompt_fingerprint(prompt: Sequence[Mapping[str, Any]] | None) -> str:
    """A near-duplicate key for a prompt: the same for prompts that differ only in case, punctuation,
    whitespace or scrubber placeholders. System messages are left out (they vary by deployment)."""
    parts = [
        f"{m.get('role')}:{_normalize(str(m.get('content', '')))}"
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
