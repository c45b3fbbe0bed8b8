"""Helpers for driving the emulated review bot in tests: wait for asynchronous effects, post pairs, read what
the emulator was asked to show a user."""

from __future__ import annotations

import time
from collections.abc import Callable

from sqlalchemy import func, select

from prefloop.curator.store.models import ReviewPost
from prefloop.slackbot.simulate import EmulatedBot, PostedPair, make_review_pairs, posted_pairs

__all__ = ["ephemerals", "post_review_pairs", "wait_for"]


def wait_for(predicate: Callable[[], object], timeout: float = 15.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for {predicate}")


def _posted_in_store(bot: EmulatedBot) -> int:
    with bot.bot.store.session() as s:
        q = select(func.count()).select_from(ReviewPost).where(ReviewPost.ts.is_not(None))
        return int(s.scalar(q) or 0)


def post_review_pairs(bot: EmulatedBot, n: int) -> list[PostedPair]:
    """Make ``n`` review pairs, post them, and wait until the outbox recorded each post's ts."""
    make_review_pairs(bot.bot.store, n)
    bot.bot.service.enqueue_pending()
    wait_for(lambda: len(posted_pairs(bot.emulator)) == n)
    wait_for(lambda: _posted_in_store(bot) == n)
    return posted_pairs(bot.emulator)


def ephemerals(bot: EmulatedBot, user: str) -> list[str]:
    """Texts of the ephemeral messages sent to ``user``."""
    return [c.args["text"] for c in bot.emulator.calls_to("chat.postEphemeral") if c.args.get("user") == user]
