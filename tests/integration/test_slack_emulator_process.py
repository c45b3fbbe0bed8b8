"""The benchmark's Slack emulator in a process of its own: the real bot posts to it, votes over signed HTTP are
stored, and the benchmark reads its call log through the pipe."""

from __future__ import annotations

from sqlalchemy import func, select

from benchmarks.slack_emulator_process import EmulatorProcess
from prefloop.curator.settings import Settings
from prefloop.curator.store import Store
from prefloop.curator.store.models import Vote
from prefloop.slackbot.simulate import SignedClient, block_action, start_emulated_bot
from tests.factories.slack import post_review_pairs, wait_for

SECRET = "emulator-process-secret"
REVIEWERS = ["U1", "U2", "U3"]


def test_the_bot_runs_against_an_emulator_in_another_process(store_url: str) -> None:
    emulator = EmulatorProcess(usergroups={"S0PREFLOOPREVIEW": REVIEWERS, "S0PREFLOOPADJ": ["UADJ"]})
    store = Store(store_url)
    settings = Settings.load({}, database_url=store_url, slack_channel="#prefloop-review")
    bot = start_emulated_bot(
        settings, store, reviewers=REVIEWERS, adjudicators=["UADJ"], signing_secret=SECRET, emulator=emulator
    )
    try:
        posts = post_review_pairs(bot, 2)  # reads the child's call log
        assert len(posts) == 2 and all(p.ts for p in posts)
        client = SignedClient(bot.url, SECRET)
        try:
            status, _ = client.action(block_action("U1", posts[0], "a"))
        finally:
            client.close()
        assert status == 200
        with store.session() as s:
            assert s.scalar(select(func.count()).select_from(Vote)) == 1
        wait_for(lambda: bot.bot.outbox.pending() == 0)
        methods = {c.method for c in emulator.calls}
        assert {"chat.postMessage", "usergroups.users.list"} <= methods
    finally:
        bot.stop()
        store.dispose()
    assert not emulator._process.is_alive()  # stopped with the bot
