"""The reviewer-group member cache."""

from __future__ import annotations

import time

import pytest

from prefloop.slackbot.members import GroupMembers, MembersUnavailable


class Clock:
    def __init__(self) -> None:
        self.t = 0.0

    def __call__(self) -> float:
        return self.t


def test_members_are_cached_then_refreshed_in_background_after_ttl() -> None:
    calls: list[str] = []
    groups = {"S1": ["U1"]}

    def fetch(group: str) -> list[str]:
        calls.append(group)
        return list(groups[group])

    clock = Clock()
    members = GroupMembers(fetch, ttl=60, clock=clock)
    assert members.contains("S1", "U1") and not members.contains("S1", "U2")
    assert calls == ["S1"]  # second lookup served from cache
    groups["S1"] = ["U1", "U2"]
    clock.t = 61
    assert not members.contains("S1", "U2")  # stale answer served at once ...
    deadline = time.monotonic() + 5
    while len(calls) < 2 and time.monotonic() < deadline:
        time.sleep(0.01)
    time.sleep(0.05)
    assert members.contains("S1", "U2")  # ... and refreshed behind it
    assert not members.contains(None, "U1")


def test_cold_cache_failure_raises_members_unavailable() -> None:
    def fetch(group: str) -> list[str]:
        raise ConnectionError("slack down")

    with pytest.raises(MembersUnavailable) as err:
        GroupMembers(fetch).contains("S9", "U1")
    assert err.value.group == "S9"


def test_channel_members_are_read_page_by_page() -> None:
    from prefloop.slackbot.members import channel_members, is_channel

    pages = {None: (["U1", "U2"], "2"), "2": (["U3"], "")}

    class Client:
        def conversations_members(self, channel: str, limit: int, cursor: str | None = None) -> dict:
            members, nxt = pages[cursor]
            return {"members": members, "response_metadata": {"next_cursor": nxt}}

    assert channel_members(Client(), "C0REVIEW", page=2) == ["U1", "U2", "U3"]
    assert is_channel("C0REVIEW") and is_channel("G0PRIVATE") and not is_channel("S0GROUP")
