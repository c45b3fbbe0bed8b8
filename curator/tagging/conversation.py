"""Turn what callers pass (a prompt string or a list of ``{role, content}`` messages) into user turns."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from prefloop.curator.tagging import messages
from prefloop.curator.tagging.errors import InputError

__all__ = ["Conversation", "user_turns"]

Conversation = str | Sequence[dict[str, Any]]


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
        if (
            not isinstance(msg, dict)
            or not isinstance(msg.get("role"), str)
            or not isinstance(msg.get("content"), str)
        ):
            raise InputError(messages.INPUT_MESSAGE.format(index=i, value=msg), value=msg)
        if msg["role"] in ("user", "human") and msg["content"].strip():
            turns.append(msg["content"])
    if not turns:
        raise InputError(messages.INPUT_NO_USER, value=conversation)
    return turns
