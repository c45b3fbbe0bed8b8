"""Factories for v1 events: valid by default, any field overridable."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta
from typing import Any

import uuid6

__all__ = ["EventFactory"]


class EventFactory:
    """Builds event dicts for one app with increasing timestamps. ``make(...)`` returns a plain dict."""

    def __init__(self, app_id: str = "test-app", start: datetime | None = None) -> None:
        self.app_id = app_id
        self.clock = start or datetime(2026, 10, 5, 12, 0, tzinfo=UTC)
        self._ids = itertools.count(1)

    def _base(self, type_: str, conversation_id: str, user: str, **extra: Any) -> dict[str, Any]:
        self.clock += timedelta(seconds=1)
        event = {
            "event_id": str(uuid6.uuid7()),
            "type": type_,
            "schema_version": 1,
            "occurred_at": self.clock.isoformat().replace("+00:00", "Z"),
            "app_id": self.app_id,
            "conversation_id": conversation_id,
            "user": user,
        }
        event.update(extra)
        return event

    def response(
        self,
        conversation_id: str = "c1",
        user: str = "u1",
        *,
        prompt: str = "How do I sort a list?",
        text: str = "Use sorted(xs).",
        context: list[dict[str, str]] | None = None,
        response_id: str | None = None,
        **extra: Any,
    ) -> dict[str, Any]:
        return self._base(
            "response",
            conversation_id,
            user,
            response_id=response_id or f"r{next(self._ids)}",
            context=context if context is not None else [{"role": "user", "content": prompt}],
            text=text,
            model=extra.pop("model", "model-x"),
            generation=extra.pop("generation", {"temperature": 0.7, "top_p": 0.95, "max_tokens": 512}),
            **extra,
        )

    def feedback(
        self,
        response_id: str,
        rating: int | None = 1,
        conversation_id: str = "c1",
        user: str = "u1",
        **extra: Any,
    ) -> dict[str, Any]:
        if rating is not None:
            extra["rating"] = rating
        return self._base("feedback", conversation_id, user, response_id=response_id, **extra)

    def regenerate(self, response_id: str, conversation_id: str = "c1", user: str = "u1") -> dict[str, Any]:
        return self._base("regenerate", conversation_id, user, response_id=response_id)

    def choice(
        self, a: str, b: str, preferred: str, conversation_id: str = "c1", user: str = "u1"
    ) -> dict[str, Any]:
        return self._base("choice", conversation_id, user, response_a=a, response_b=b, preferred=preferred)

    def edit(
        self,
        response_id: str,
        edited_text: str,
        conversation_id: str = "c1",
        user: str = "u1",
        editor: str = "user",
    ) -> dict[str, Any]:
        return self._base(
            "edit", conversation_id, user, response_id=response_id, edited_text=edited_text, editor=editor
        )
