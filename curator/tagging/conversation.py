"""Turn what callers pass (a prompt string or a list of ``{role, content}`` messages) into user turns.

Every turn is made storable on the way in, as the curator stores text (:func:`~prefloop.schemas.text.storable_text`:
NUL and lone surrogates become U+FFFD): spaCy and the encoder's tokenizer cannot encode a lone surrogate, and a
prompt tagged through the public API is read exactly as the same prompt stored by the curator.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from prefloop.curator.tagging import messages
from prefloop.curator.tagging.errors import InputError
from prefloop.schemas.text import storable_text

__all__ = ["Conversation", "user_turns"]

Conversation = str | Sequence[dict[str, Any]]


def user_turns(conversation: Conversation) -> list[str]:
    """The user turns of a conversation, oldest first; the last one is the prompt. Raises :class:`InputError`."""
    if isinstance(conversation, str):
        if not conversation.strip():
            raise InputError(messages.INPUT_NO_USER, value=conversation)
        return [storable_text(conversation)]
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
            turns.append(storable_text(msg["content"]))
    if not turns:
        raise InputError(messages.INPUT_NO_USER, value=conversation)
    return turns
