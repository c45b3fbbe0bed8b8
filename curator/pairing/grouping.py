"""Prompt groups: responses are compared only with responses to the same prompt in the same context.

The key is a hash over the normalized conversation so far: the app, the system prompt version, every earlier
turn and the user's message. Normalization is Unicode NFKC plus whitespace collapsing; case and punctuation are
kept (they can change what is asked).
"""

from __future__ import annotations

import hashlib
import json
import re
import unicodedata
from collections.abc import Iterable, Mapping

__all__ = ["answer_hash", "group_key", "normalize_text", "similarity", "turn_index"]

_WORD = re.compile(r"\w+", re.UNICODE)


#: Recent results of :func:`normalize_text`: the same context turns and answers are normalized for group keys,
#: answer identity, similarity and fingerprints. Bounded: 4,096 texts of at most 4,000 characters.
_MEMO: dict[str, str] = {}
_MEMO_ENTRIES = 4_096
_MEMO_MAX_CHARS = 4_000


def normalize_text(text: str) -> str:
    """NFKC, whitespace runs collapsed to one space, stripped."""
    out = _MEMO.get(text)
    if out is None:
        # str.split() splits on exactly the characters ``\s`` matches (and strip() strips them): the same
        # result as collapsing ``\s+`` to one space and stripping, several times faster
        out = " ".join(unicodedata.normalize("NFKC", text).split())
        if len(text) <= _MEMO_MAX_CHARS:
            if len(_MEMO) >= _MEMO_ENTRIES:
                _MEMO.clear()
            _MEMO[text] = out
    return out


def group_key(
    context: Iterable[Mapping[str, str]], *, app_id: str = "", system_prompt_version: str | None = None
) -> str:
    """A stable 64-hex key for (app, system prompt version, normalized conversation so far)."""
    turns = [[m["role"], normalize_text(m["content"])] for m in context]
    blob = json.dumps([app_id, system_prompt_version or "", turns], ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(blob.encode("utf-8")).hexdigest()


def answer_hash(text: str) -> str:
    """Identity of an answer within a group: identical normalized texts are the same answer."""
    return hashlib.sha256(normalize_text(text).encode("utf-8")).hexdigest()[:32]


def turn_index(context: Iterable[Mapping[str, str]]) -> int:
    """0 for the first user turn, 1 for the second, ..."""
    return max(sum(1 for m in context if m["role"] == "user") - 1, 0)


def _shingles(text: str) -> set[tuple[str, ...]]:
    words = _WORD.findall(text.casefold())
    if len(words) < 2:
        return {tuple(words)}
    return {tuple(words[i : i + 2]) for i in range(len(words) - 1)}


def similarity(a: str, b: str) -> float:
    """Jaccard similarity of word bigrams (case-folded): 1.0 for answers that say the same thing the same way.

    Linear in the texts' length, so it is cheap enough to run on every candidate.
    """
    if normalize_text(a).casefold() == normalize_text(b).casefold():
        return 1.0
    sa, sb = _shingles(a), _shingles(b)
    if not sa or not sb:
        return 0.0
    return len(sa & sb) / len(sa | sb)
