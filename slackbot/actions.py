"""The identity of a Slack click, so a retried or replayed request is handled once."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation


@dataclass(frozen=True)
class ActionRef:
    """The identity of one Slack click: who pressed what, on which message, at Slack's ``action_ts``.

    A retried or replayed request carries the same identity, so it is handled once; of two clicks by one user
    on one message, the later ``action_ts`` wins whatever order they arrive in."""

    user: str
    container: str
    action_id: str
    action_ts: str

    @property
    def key(self) -> str:
        blob = "|".join((self.user, self.container, self.action_id, self.action_ts))
        return "act:" + hashlib.sha256(blob.encode()).hexdigest()[:40]

    def newer_than(self, other_ts: str | None) -> bool:
        return other_ts is None or _ts_value(self.action_ts) > _ts_value(other_ts)


def _ts_value(ts: str) -> Decimal:
    try:
        return Decimal(ts)
    except InvalidOperation:
        return Decimal(0)
