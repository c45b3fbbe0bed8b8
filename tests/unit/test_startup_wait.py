"""--wait: a role retries its dependency check with a growing pause, then gives up with the last error."""

from __future__ import annotations

import pytest

from prefloop.curator.startup import wait_for_dependency
from prefloop.schemas.errors import StoreError


class Clock:
    def __init__(self) -> None:
        self.now = 0.0
        self.pauses: list[float] = []

    def sleep(self, s: float) -> None:
        self.pauses.append(s)
        self.now += s


def test_retries_until_the_dependency_answers() -> None:
    clock, tries = Clock(), []

    def check() -> str:
        tries.append(clock.now)
        if len(tries) < 4:
            raise StoreError("database is not migrated")
        return "ready"

    got = wait_for_dependency(
        check, timeout=60, what="db", retry_on=(StoreError,), sleep=clock.sleep, clock=lambda: clock.now
    )
    assert got == "ready" and len(tries) == 4
    assert clock.pauses == [0.5, 1.0, 2.0]


def test_gives_up_with_the_last_error_and_never_retries_other_errors() -> None:
    clock = Clock()
    with pytest.raises(StoreError, match="unreachable"):
        wait_for_dependency(
            lambda: (_ for _ in ()).throw(StoreError("unreachable")),
            timeout=10,
            what="db",
            retry_on=(StoreError,),
            sleep=clock.sleep,
            clock=lambda: clock.now,
        )
    assert 9.9 < clock.now <= 10.0 and max(clock.pauses) <= 5.0
    calls = []

    def wrong() -> None:
        calls.append(1)
        raise ValueError("not a dependency problem")

    with pytest.raises(ValueError):
        wait_for_dependency(wrong, timeout=60, what="db", retry_on=(StoreError,), sleep=clock.sleep)
    assert calls == [1]


def test_zero_means_one_try() -> None:
    calls = []

    def check() -> None:
        calls.append(1)
        raise StoreError("x")

    with pytest.raises(StoreError):
        wait_for_dependency(check, timeout=0, what="db", retry_on=(StoreError,), sleep=lambda s: None)
    assert calls == [1]
