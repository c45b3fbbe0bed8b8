"""Quality checks on a pair: labels that routing and release gates read.

Refusal quality follows the graceful-refusal guidance: a chosen refusal should set a boundary without lecturing
and offer something the user *can* do; a rejected answer that is itself a refusal teaches the model to avoid
refusing, which is rarely the lesson intended.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

__all__ = [
    "CHECKS",
    "is_refusal",
    "lectures",
    "offers_alternative",
    "run_checks",
]

#: Every label run_checks (and the adapter's duplicate lookup) can produce.
CHECKS = (
    "empty_prompt",
    "empty_chosen",
    "empty_rejected",
    "chosen_too_short",
    "rejected_too_short",
    "chosen_refusal_lectures",
    "chosen_refusal_no_alternative",
    "rejected_is_refusal",
    "duplicate",
)

_REFUSAL = re.compile(
    r"\b(?:i\s+(?:can\s*not|can't|cannot|won't|will\s+not|must\s+decline|refuse|am\s+not\s+able\s+to|"
    r"'m\s+not\s+able\s+to|am\s+unable\s+to|'m\s+unable\s+to|am\s+not\s+going\s+to|'m\s+not\s+going\s+to|"
    r"don't\s+feel\s+comfortable|do\s+not\s+feel\s+comfortable|'m\s+not\s+comfortable|am\s+not\s+comfortable)|"
    r"as\s+an\s+ai\b|i'm\s+sorry,?\s+but\s+i|i\s+am\s+sorry,?\s+but\s+i|"
    r"(?:request|that)\s+(?:is\s+)?denied|this\s+violates)"
)
_LECTURE = re.compile(
    r"\b(?:you\s+should|you\s+must|you\s+need\s+to|you\s+ought\s+to|it's\s+wrong|it\s+is\s+wrong|how\s+dare|"
    r"shame\s+on|please\s+reconsider|i\s+urge\s+you|is\s+unethical|is\s+immoral|you\s+should\s+be\s+ashamed|"
    r"it's\s+never\s+(?:ok|okay|acceptable)|seek\s+(?:appropriate\s+)?help)"
)
_ALTERNATIVE = re.compile(
    r"(?:\bi\s+can\s+help|\bi\s+could\s+help|\bi'd\s+be\s+happy|\bi\s+would\s+be\s+happy|\bhappy\s+to\s+help|"
    r"\binstead\b|\balternatively\b|\bwhat\s+if\b|\bhow\s+about\b|\byou\s+could\b|\byou\s+might\b|"
    r"\byou\s+may\s+want\b|\bi\s+can\s+(?:offer|suggest|tell|give|explain|share|show|point)\b|\bhere\s+are\b|"
    r"\bone\s+option\b|\bconsider\b|\?)"
)
#: How far into an answer a refusal must start to count as one (a refusal leads; a caveat deep in a helpful
#: answer is not one).
_REFUSAL_WINDOW = 200


def _fold(text: str) -> str:
    return text.replace("\u2019", "'").replace("\u2018", "'").casefold()


def is_refusal(text: str) -> bool:
    """Whether the answer opens by declining the request."""
    return _REFUSAL.search(_fold(text)[:_REFUSAL_WINDOW]) is not None


def lectures(text: str) -> bool:
    """Whether the answer moralizes at the user ("you should", "it's wrong", ...)."""
    return _LECTURE.search(_fold(text)) is not None


def offers_alternative(text: str) -> bool:
    """Whether the answer offers something the user can do instead (or asks what they need)."""
    return _ALTERNATIVE.search(_fold(text)) is not None


def run_checks(
    prompt: Sequence[dict[str, str]], chosen: str | None, rejected: str | None, *, min_chars: int = 20
) -> list[str]:
    """The check labels that apply to one pair, in :data:`CHECKS` order (``duplicate`` is the adapter's)."""
    found: list[str] = []
    if not prompt or not (prompt[-1].get("content") or "").strip():
        found.append("empty_prompt")
    chosen = (chosen or "").strip()
    rejected = (rejected or "").strip()
    if not chosen:
        found.append("empty_chosen")
    if not rejected:
        found.append("empty_rejected")
    if chosen and len(chosen) < min_chars:
        found.append("chosen_too_short")
    if rejected and len(rejected) < min_chars:
        found.append("rejected_too_short")
    if chosen and is_refusal(chosen):
        if lectures(chosen):
            found.append("chosen_refusal_lectures")
        if not offers_alternative(chosen):
            found.append("chosen_refusal_no_alternative")
    if rejected and is_refusal(rejected):
        found.append("rejected_is_refusal")
    return found
