"""Who may vote: members of a Slack user group, cached briefly (``usergroups.users.list``).

A stale list is served while one background refresh runs, so a vote's ack never waits on Slack once the cache
is warm; only a cold cache (first vote after start-up) fetches in the request.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterable
from typing import Any

from prefloop.slackbot.errors import SlackbotError

__all__ = ["GroupMembers", "MembersUnavailable", "channel_members", "is_channel"]

log = logging.getLogger(__name__)


class MembersUnavailable(SlackbotError):
    """The member list of ``group`` could not be fetched and nothing is cached."""

    def __init__(self, group: str, cause: str) -> None:
        self.group = group
        super().__init__(f"cannot list members of user group {group}: {cause}")


def is_channel(group: str) -> bool:
    """Channel ids start with C (public) or G (private); user group ids with S."""
    return group[:1] in ("C", "G")


def channel_members(client: Any, channel: str, page: int = 500) -> list[str]:
    """Every member of ``channel`` (``conversations.members``, all pages): reviewers on free plans."""
    members: list[str] = []
    cursor: str | None = None
    while True:
        args: dict[str, Any] = {"channel": channel, "limit": page}
        if cursor:
            args["cursor"] = cursor
        data = client.conversations_members(**args)
        members.extend(str(m) for m in data.get("members") or [])
        cursor = (data.get("response_metadata") or {}).get("next_cursor") or None
        if not cursor:
            return members


class GroupMembers:
    """``fetch(group_id)`` returns member user ids (of a user group, or of a channel); results are trusted for
    ``ttl`` seconds."""

    def __init__(
        self,
        fetch: Callable[[str], Iterable[str]],
        ttl: float = 60.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._fetch = fetch
        self.ttl = ttl
        self._clock = clock
        self._cache: dict[str, tuple[float, frozenset[str]]] = {}
        self._refreshing: set[str] = set()
        self._lock = threading.Lock()

    def _load(self, group: str) -> frozenset[str]:
        members = frozenset(self._fetch(group))
        with self._lock:
            self._cache[group] = (self._clock(), members)
        return members

    def _refresh_in_background(self, group: str) -> None:
        with self._lock:
            if group in self._refreshing:
                return
            self._refreshing.add(group)

        def run() -> None:
            try:
                self._load(group)
            except Exception as exc:  # keep serving the stale list; the next call tries again
                log.warning("refreshing members of %s failed: %s", group, exc)
            finally:
                with self._lock:
                    self._refreshing.discard(group)

        threading.Thread(target=run, name=f"members-{group}", daemon=True).start()

    def members(self, group: str) -> frozenset[str]:
        with self._lock:
            cached = self._cache.get(group)
        if cached is None:
            try:
                return self._load(group)
            except Exception as exc:
                raise MembersUnavailable(group, f"{exc.__class__.__name__}: {exc}") from exc
        fetched_at, members = cached
        if self._clock() - fetched_at > self.ttl:
            self._refresh_in_background(group)
        return members

    def contains(self, group: str | None, user: str) -> bool:
        """Is ``user`` in ``group``? A group of ``None`` (not configured) admits nobody."""
        return group is not None and user in self.members(group)

    def invalidate(self, group: str | None = None) -> None:
        with self._lock:
            if group is None:
                self._cache.clear()
            else:
                self._cache.pop(group, None)
