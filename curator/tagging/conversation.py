"""Turn what callers pass (a prompt string or a list of ``{role, content}`` messages) into user turns."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from curator.tagging import messages
from curator.tagging.errors import InputError

__all__ = ["Conversation", "MAX_CONTEXT_TURNS", "model_text", "user_turns"]

Conversation = str | Sequence[dict[str, Any]]
#: How many user turns (the prompt and the ones before it) the classifier reads.
MAX_CONTEXT_TURNS = 3
_QUOTES = str.maketrans({"\u2019": "'", "\u2018": "'", "\u201c": '"', "\u201d": '"'})


def user_turns(conversation: Conversation) -> list[str]:
    """The user turns of a conversation, oldest first; the last one is the prompt. Raises :class:`InputError`."""
    if isinstance(conversation, str):
        if not conversation.strip():
            raise InputError(messages.INPUT_NO_USER, value=conversation)
        return [conversation]
    if not isinstance(conversation, Sequence):
        raise InputError(messages.INPUT_TYPE.format(kind=type(conversation).__name__), value=conversation)
    turns: list[str] = []
    for i, msg in enumerate(conversation):
        if not isinstance(msg, dict) or not isinstance(msg.get("role"), str) or not isinstance(msg.get("content"), str):
            raise InputError(messages.INPUT_MESSAGE.format(index=i, value=msg), value=msg)
        if msg["role"] in ("user", "human") and msg["content"].strip():
            turns.append(msg["content"])
    if not turns:
        raise InputError(messages.INPUT_NO_USER, value=conversation)
    return turns


def model_text(turns: Sequence[str]) -> str:
    """The text the classifier reads: the last user turns, lower-cased, quotes straightened, one line per turn."""
    recent = turns[-MAX_CONTEXT_TURNS:]
    return "\n".join(" ".join(t.split()) for t in recent).lower().translate(_QUOTES)
