"""The demo's "model": it answers a replayed prompt with one of the two answers hh-rlhf recorded for it.

The first answer in a conversation is the better or the worse one at random (seeded by the conversation id, so a
replay is deterministic); each regenerate gives the other one.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable

from prefloop.curator.demo import messages
from prefloop.curator.demo.trace import Conversation

__all__ = ["TraceModel", "context_key"]


def context_key(context: Iterable[dict[str, str]]) -> str:
    return json.dumps([[m["role"], m["content"]] for m in context], ensure_ascii=False)


class TraceModel:
    """``model(context, attempt, conversation_id) -> text``: the responder the example app calls."""

    def __init__(self, conversations: Iterable[Conversation], seed: int = 0) -> None:
        self.seed = seed
        self._answers: dict[str, tuple[str, str]] = {}
        for conv in conversations:
            self._answers[context_key(conv.context)] = (conv.better, conv.worse)

    def better_first(self, conversation_id: str) -> bool:
        digest = hashlib.sha256(f"{self.seed}|{conversation_id}".encode()).digest()
        return digest[0] % 2 == 0

    def __call__(self, context: list[dict[str, str]], attempt: int, conversation_id: str) -> str:
        answers = self._answers.get(context_key(context))
        if answers is None:
            return messages.UNKNOWN_PROMPT
        first = 0 if self.better_first(conversation_id) else 1
        return answers[(first + attempt) % 2]
