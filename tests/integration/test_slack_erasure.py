"""`prefloop forget` deletes the bot's Slack messages about the user's pairs through the outbox (issue 16): the
real bolt app and outbox against the local Slack Web API emulator, on SQLite and PostgreSQL."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select, update

from prefloop.curator.releases import forget_user
from prefloop.curator.store import Store
from prefloop.curator.store.models import OutboxMessage, Pair
from prefloop.slackbot.simulate import EmulatedBot, make_review_pairs, posted_pairs
from tests.integration import test_slack_bot as slack_tests

bot = slack_tests.bot  # the running bot fixture (the real app, outbox and emulator)
wait_for = slack_tests.wait_for

pytestmark = pytest.mark.integration

FORGOTTEN = "u_" + "f" * 32


def _sent(store: Store, pair_id: str) -> int:
    with store.session() as s:
        return int(
            s.scalar(
                select(func.count()).where(OutboxMessage.pair_id == pair_id, OutboxMessage.status == "sent")
            )
            or 0
        )


def _bot_messages(bot: EmulatedBot) -> list[str]:
    return [m["ts"] for msgs in bot.emulator.messages.values() for m in msgs]


def test_forget_deletes_the_review_post_and_the_bots_replies(bot: EmulatedBot) -> None:
    store, service = bot.bot.store, bot.bot.service
    ids = make_review_pairs(store, 3)
    with store.session() as s:
        s.execute(update(Pair).where(Pair.pair_id == ids[0]).values(users=[FORGOTTEN]))
    service.enqueue_pending()
    wait_for(lambda: len(posted_pairs(bot.emulator)) == 3)
    posts = {p.pair_id: p.ts for p in posted_pairs(bot.emulator)}
    with service.write() as s:  # the bot answers in the forgotten user's pair's thread
        service.queue_call(s, "chat.postMessage", {"text": "a reminder"}, ids[0], thread_of=ids[0])
    wait_for(lambda: len(_bot_messages(bot)) == 4)
    wait_for(lambda: _sent(store, ids[0]) == 2)  # the outbox recorded where Slack put both

    result = forget_user(store, FORGOTTEN)
    assert result.pairs == 1 and result.slack_deletions == 2
    service.on_outbox()  # wake the outbox as the bot would when it queues a call
    wait_for(lambda: len(bot.emulator.calls_to("chat.delete")) == 2)
    left = _bot_messages(bot)
    assert posts[ids[0]] not in left and len(left) == 2
    assert {posts[ids[1]], posts[ids[2]]} == set(left)
