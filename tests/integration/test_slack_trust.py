"""Review you can trust, driven over signed HTTP against the real bolt app and the Slack emulator: replayed
votes change nothing, figures stay blind until a pair resolves, roles decide who may do what, and a channel's
members can be the reviewer pool. Runs on SQLite and on the real PostgreSQL."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import pytest
from sqlalchemy import func, select

from prefloop.curator.settings import Settings
from prefloop.curator.store import Store
from prefloop.curator.store.models import AuditEntry, OutboxMessage, Pair, ReviewPost, Vote
from prefloop.slackbot.simulate import (
    EmulatedBot,
    PostedPair,
    SignedClient,
    block_action,
    event_callback,
    make_review_pairs,
    posted_pairs,
    slash_command,
    start_emulated_bot,
)
from tests.factories.slack import ephemerals, post_review_pairs, wait_for

pytestmark = pytest.mark.integration

SECRET = "trust-test-signing-secret"
REVIEWERS = ["U1", "U2", "U3"]
ADJUDICATOR = "UADJ"


def _start(store_url: str, **kw: Any) -> tuple[EmulatedBot, Store]:
    settings = Settings.load({}, database_url=store_url, slack_channel="#prefloop-review")
    store = Store(store_url)
    return (
        start_emulated_bot(
            settings, store, reviewers=REVIEWERS, adjudicators=[ADJUDICATOR], signing_secret=SECRET, **kw
        ),
        store,
    )


@pytest.fixture()
def bot(store_url: str) -> Iterator[EmulatedBot]:
    running, store = _start(store_url)
    yield running
    running.stop()
    store.dispose()


def _audit(bot: EmulatedBot, actor: str, *actions: str) -> list[str]:
    with bot.bot.store.session() as s:
        q = select(AuditEntry.action).where(AuditEntry.actor == actor).order_by(AuditEntry.id)
        return [a for a in s.scalars(q) if not actions or a in actions]


def _vote_of(bot: EmulatedBot, pair_id: str, user: str) -> Vote | None:
    with bot.bot.store.session() as s:
        return s.scalar(select(Vote).where(Vote.pair_id == pair_id, Vote.reviewer == user))


def _settle(bot: EmulatedBot) -> None:
    wait_for(lambda: bot.bot.outbox.pending() == 0)


def _wait_audits(bot: EmulatedBot, actor: str, n: int) -> None:
    """Votes are acked before their listener runs: wait until ``actor``'s clicks have left their trace."""
    wait_for(lambda: len(_audit(bot, actor)) >= n)


# -- 2. replay-proof voting ---------------------------------------------------------------------------------
def test_a_replayed_vote_never_rewrites_a_newer_one(bot: EmulatedBot) -> None:
    (post,) = post_review_pairs(bot, 1)
    client = SignedClient(bot.url, SECRET)
    first = block_action("U1", post, "a", "correctness")
    first["actions"][0]["action_ts"] = "1800000000.000100"
    second = block_action("U1", post, "b", "correctness")
    second["actions"][0]["action_ts"] = "1800000005.000100"
    form = urlencode({"payload": json.dumps(first)})
    original_headers = client.headers(form)  # the A request exactly as first sent, signature and all
    assert client.action(first)[0] == 200
    _wait_audits(bot, "U1", 1)
    assert client.action(second)[0] == 200
    _wait_audits(bot, "U1", 2)
    _settle(bot)
    vote = _vote_of(bot, post.pair_id, "U1")
    assert vote is not None and vote.choice == "b"
    # the original A request resent within the 5-minute window, as Slack's retry would be
    status, _ = client.send(
        form,
        "application/x-www-form-urlencoded",
        timestamp=int(original_headers["X-Slack-Request-Timestamp"]),
        retry_num=1,
    )
    assert status == 200
    # ... and the same old A click re-signed now (a replay with a fresh signature)
    assert client.action(first, retry_num=2)[0] == 200
    time.sleep(0.5)
    _settle(bot)
    vote = _vote_of(bot, post.pair_id, "U1")
    assert vote is not None and vote.choice == "b" and vote.action_ts == "1800000005.000100"
    assert _audit(bot, "U1", "vote", "vote_changed") == ["vote", "vote_changed"]  # one entry per click
    assert len(ephemerals(bot, "U1")) == 2  # one confirmation per click, none for the replays


def test_an_older_click_delivered_late_does_not_overwrite(bot: EmulatedBot) -> None:
    (post,) = post_review_pairs(bot, 1)
    client = SignedClient(bot.url, SECRET)
    newer = block_action("U2", post, "tie")
    newer["actions"][0]["action_ts"] = "1800000010.000000"
    older = block_action("U2", post, "a")
    older["actions"][0]["action_ts"] = "1800000009.999999"
    assert client.action(newer)[0] == 200
    _wait_audits(bot, "U2", 1)
    assert client.action(older)[0] == 200  # arrives second, was clicked first
    _wait_audits(bot, "U2", 2)
    _settle(bot)
    vote = _vote_of(bot, post.pair_id, "U2")
    assert vote is not None and vote.choice == "tie"
    assert _audit(bot, "U2", "vote", "vote_changed", "vote_superseded") == ["vote", "vote_superseded"]
    assert len(ephemerals(bot, "U2")) == 1


def test_a_refused_click_replayed_is_audited_and_answered_once(bot: EmulatedBot) -> None:
    (post,) = post_review_pairs(bot, 1)
    client = SignedClient(bot.url, SECRET)
    click = block_action("U_OUTSIDER", post, "a")
    for retry in (None, 1, 2):
        assert client.action(click, retry_num=retry)[0] == 200
    time.sleep(0.3)
    _settle(bot)
    assert _audit(bot, "U_OUTSIDER") == ["vote_refused_not_reviewer"]
    assert len(ephemerals(bot, "U_OUTSIDER")) == 1


# -- 1. blind until resolved --------------------------------------------------------------------------------
def test_agreement_and_home_count_resolved_pairs_only(bot: EmulatedBot) -> None:
    posts = post_review_pairs(bot, 2)
    client = SignedClient(bot.url, SECRET)
    open_pair, done_pair = posts
    # open pair at A vs B: no quorum yet
    client.action(block_action("U1", open_pair, "a"))
    client.action(block_action("U2", open_pair, "b"))
    hook = bot.emulator.response_url("agreement-1")
    status, _ = client.command(slash_command(ADJUDICATOR, "agreement", response_url=hook))
    assert status == 200
    wait_for(lambda: bot.emulator.calls_to("response_url"))
    first = bot.emulator.calls_to("response_url")[0].args["text"]
    assert "No pair" in first and "0%" not in first  # the open split shows nowhere
    # the App Home of the third reviewer shows no agreement figure either
    client.event(event_callback({"type": "app_home_opened", "user": "U3", "tab": "home"}))
    wait_for(lambda: bot.emulator.calls_to("views.publish"))
    home = json.dumps(bot.emulator.calls_to("views.publish")[0].args["view"])
    assert "not enough" in home and "0%" not in home
    # a resolved pair counts
    client.action(block_action("U1", done_pair, "a"))
    client.action(block_action("U3", done_pair, "a"))
    wait_for(lambda: bot.emulator.calls_to("chat.update"))
    hook = bot.emulator.response_url("agreement-2")
    client.command(slash_command(ADJUDICATOR, "agreement", response_url=hook))
    wait_for(lambda: len(bot.emulator.calls_to("response_url")) == 2)
    second = bot.emulator.calls_to("response_url")[1].args["text"]
    assert "all: 100% agreement" in second and "1 pairs / 2 votes" in second


def test_figures_about_reviewers_are_for_adjudicators_only(bot: EmulatedBot) -> None:
    client = SignedClient(bot.url, SECRET)
    for user in ("U1", "U_OUTSIDER"):
        status, body = client.command(slash_command(user, "agreement"))
        assert status == 200 and "is for adjudicators" in json.loads(body)["text"]
        status, body = client.command(slash_command(user, "stats"))
        assert "is for adjudicators" in json.loads(body)["text"]
    status, body = client.command(slash_command("U_OUTSIDER", "queue"))
    assert "is for reviewers" in json.loads(body)["text"]
    status, body = client.command(slash_command("U1", "queue"))
    assert "Review queue" in json.loads(body)["text"]
    status, body = client.command(slash_command(ADJUDICATOR, "stats"))
    assert "Votes:" in json.loads(body)["text"]
    assert _audit(bot, "U1") == ["command_refused", "command_refused"]


def test_the_post_does_not_reveal_the_users_side(bot: EmulatedBot) -> None:
    ids = make_review_pairs(bot.bot.store, 1)
    with bot.bot.store.session() as s:
        pair = s.get(Pair, ids[0])
        assert pair is not None
        pair.route_reasons = [
            "check:rejected_is_refusal",
            "human_written: chosen is a human edit",
            "conflict: 1 signal(s) favour the rejected side; kept, not averaged away",
        ]
    bot.bot.service.enqueue_pending()
    wait_for(lambda: posted_pairs(bot.emulator))
    text = json.dumps(bot.emulator.calls_to("chat.postMessage")[0].args["blocks"])
    for leak in ("rejected", "chosen", "refusal", "human edit"):
        assert leak not in text.lower().replace("pick the rubric", ""), leak
    assert "users disagreed" in text


# -- 4. roles -------------------------------------------------------------------------------------------------
def test_adjudicators_vote_only_on_escalated_pairs_and_count_apart(bot: EmulatedBot) -> None:
    (post,) = post_review_pairs(bot, 1)
    client = SignedClient(bot.url, SECRET)
    assert client.action(block_action(ADJUDICATOR, post, "a"))[0] == 200
    wait_for(lambda: ephemerals(bot, ADJUDICATOR))
    assert "adjudicators vote once reviewers split" in ephemerals(bot, ADJUDICATOR)[0]
    assert _vote_of(bot, post.pair_id, ADJUDICATOR) is None
    for user, choice in zip(REVIEWERS, ("a", "b", "tie"), strict=True):
        client.action(block_action(user, post, choice))
    wait_for(lambda: bot.emulator.thread(post.channel, post.ts))
    assert client.action(block_action(ADJUDICATOR, post, "b"))[0] == 200
    wait_for(lambda: bot.emulator.calls_to("chat.update"))
    vote = _vote_of(bot, post.pair_id, ADJUDICATOR)
    assert vote is not None and vote.role == "adjudicator"


def test_read_full_is_for_reviewers_and_opens_within_the_request(bot: EmulatedBot) -> None:
    (post,) = post_review_pairs(bot, 1)
    client = SignedClient(bot.url, SECRET)
    assert client.action(block_action("U_OUTSIDER", post, "read_full", trigger_id="trig-outsider"))[0] == 200
    wait_for(lambda: ephemerals(bot, "U_OUTSIDER"))
    assert not bot.emulator.calls_to("views.open")
    bot.emulator.fail("chat.postEphemeral", status=500, times=50)  # a backlog in the outbox...
    assert client.action(block_action("U1", post, "read_full", trigger_id="trig-1"))[0] == 200
    wait_for(lambda: bot.emulator.calls_to("views.open"))  # ...does not delay the modal
    call = bot.emulator.calls_to("views.open")[0]
    assert call.args["trigger_id"] == "trig-1"
    with bot.bot.store.session() as s:
        queued = s.scalar(
            select(func.count()).select_from(OutboxMessage).where(OutboxMessage.method == "views.open")
        )
    assert queued == 0
    assert _audit(bot, "U1") == ["read_full"]


def test_slash_commands_answer_through_response_url(bot: EmulatedBot) -> None:
    client = SignedClient(bot.url, SECRET)
    hook = bot.emulator.response_url("dm")
    status, _ = client.command(slash_command("U1", "coverage", channel="D0NOTBOT", response_url=hook))
    assert status == 200
    wait_for(lambda: bot.emulator.calls_to("response_url"), timeout=60)
    assert bot.emulator.calls_to("response_url")[0].args["_hook"] == "dm"
    assert not bot.emulator.calls_to("chat.postEphemeral", ok_only=False)


# -- 5. reviewers from a channel's members (free plans) ------------------------------------------------------
def test_reviewers_can_be_a_channels_members(store_url: str) -> None:
    running, store = _start(store_url, reviewer_channel="C0REVIEWERS")
    try:
        (post,) = post_review_pairs(running, 1)
        client = SignedClient(running.url, SECRET)
        assert client.action(block_action("U1", post, "a"))[0] == 200
        assert client.action(block_action("U_OUTSIDER", post, "a"))[0] == 200
        wait_for(lambda: ephemerals(running, "U_OUTSIDER"))
        assert "<#C0REVIEWERS>" in ephemerals(running, "U_OUTSIDER")[0]
        assert _vote_of(running, post.pair_id, "U1") is not None
        assert _vote_of(running, post.pair_id, "U_OUTSIDER") is None
        assert running.emulator.calls_to("conversations.members")
    finally:
        running.stop()
        store.dispose()


# -- 9. the reasons travel with the data ---------------------------------------------------------------------
def test_release_rows_carry_pseudonymous_votes_and_scrubbed_remarks(bot: EmulatedBot, tmp_path: Path) -> None:
    from prefloop.curator.releases import BuildOptions, GatePolicy, build_release
    from tests.unit.release_factories import SmallTaxonomy

    (post,) = post_review_pairs(bot, 1)
    client = SignedClient(bot.url, SECRET)
    remark = {
        "type": "message",
        "channel": post.channel,
        "user": "U2",
        "text": "B invents a citation; ask jane.doe@acme-corp.io if unsure",
        "ts": f"{time.time():.6f}",
        "thread_ts": post.ts,
    }
    client.event(event_callback(remark))
    wait_for(lambda: _audit(bot, "U2", "thread_message"))
    client.action(block_action("U1", post, "a", "grounding"))
    wait_for(lambda: _audit(bot, "U1", "vote"))
    client.action(block_action("U2", post, "a", "correctness"))
    wait_for(lambda: bot.emulator.calls_to("chat.update"), timeout=60)
    options = BuildOptions(
        month="2026-11", root=tmp_path, progress=False, policy=GatePolicy(min_pairs_warning=1)
    )
    result = build_release(bot.bot.store, options, taxonomy=SmallTaxonomy())
    rows = [
        json.loads(line)
        for split in ("train", "test")
        for line in (result.path / "jsonl" / f"{split}.jsonl").read_text().splitlines()
    ]
    (row,) = [r for r in rows if r["pair_id"] == post.pair_id]
    votes = row["review_votes"]
    assert [v["side"] for v in votes] == ["chosen", "chosen"]  # the released frame, whatever was shown as A
    assert [v["reason"] for v in votes] == ["grounding", "correctness"]
    assert {v["pressed"] for v in votes} == {"a"} and {v["role"] for v in votes} == {"reviewer"}
    assert all(v["reviewer"].startswith("rev_") and v["rubric_version"] and v["at"] for v in votes)
    (said,) = row["review_remarks"]
    assert "B invents a citation" in said["text"] and "jane.doe@acme-corp.io" not in said["text"]
    assert said["reviewer"] == votes[1]["reviewer"]  # U2 wrote the remark and cast the second vote
    everything = "".join(p.read_text(errors="ignore") for p in result.path.rglob("*") if p.is_file())
    assert '"U1"' not in everything and '"U2"' not in everything and "jane.doe" not in everything
    card = (result.path / "README.md").read_text()
    assert "first two reviewer votes agreed on 100% of 1 reviewed pairs; 0 needed a third vote" in card


# -- 6. gold items --------------------------------------------------------------------------------------------
GOLD = [
    {
        "prompt": f"How do I copy a file in Python, case {i}?",
        "chosen": f"Use shutil.copy(src, dst); it copies the data and the permission bits (case {i}).",
        "rejected": f"Python cannot copy files; open both and write byte by byte forever (case {i}).",
        "category": "cyber" if i % 2 else "none",
    }
    for i in range(4)
]


def _press_for(bot: EmulatedBot, post: PostedPair, label: str) -> str:
    """The button that votes ``label`` (stored frame) on ``post``, whichever side is shown as A."""
    with bot.bot.store.session() as s:
        a_is = s.scalar(select(ReviewPost.a_is).where(ReviewPost.pair_id == post.pair_id))
    return "a" if a_is == label else "b"


def test_gold_items_are_mixed_in_unseen_measure_reviewers_and_flag_the_weak(
    store_url: str, tmp_path: Path
) -> None:
    from prefloop.slackbot.gold import add_gold

    policy = tmp_path / "quorum.yaml"
    policy.write_text("gold_rate: 0.5\ngold_min_items: 2\ngold_min_accuracy: 0.7\ngold_policy: exclude\n")
    settings = Settings.load(
        {}, database_url=store_url, slack_channel="#prefloop-review", quorum_policy=str(policy),
        slack_team_channel="C0TEAMLEADS",
    )  # fmt: skip
    store = Store(store_url)
    running = start_emulated_bot(
        settings, store, reviewers=REVIEWERS, adjudicators=[ADJUDICATOR], signing_secret=SECRET
    )
    try:
        gold_ids = set(add_gold(store, GOLD))
        make_review_pairs(store, 4)
        assert len(running.bot.service.enqueue_pending().queued) == 8  # 4 real + 4 gold: half the posts
        wait_for(lambda: len(posted_pairs(running.emulator)) == 8)
        posts = posted_pairs(running.emulator)
        gold_posts = [p for p in posts if p.pair_id in gold_ids]
        real_posts = [p for p in posts if p.pair_id not in gold_ids]
        assert len(gold_posts) == 4
        # unseen as such: the same blocks, the same kind of id, the same review reason as a real pair
        calls = {c.response["ts"]: c.args for c in running.emulator.calls_to("chat.postMessage")}
        shape = [b["type"] for b in json.loads(json.dumps(calls[real_posts[0].ts]["blocks"]))]
        for p in gold_posts:
            text = json.dumps(calls[p.ts])
            assert "gold" not in text.lower() and "little user evidence" in text
            assert [b["type"] for b in calls[p.ts]["blocks"]] == shape and len(p.pair_id) == 32
        wait_for(lambda: all(_posted(running, p.pair_id) for p in posts))
        client = SignedClient(running.url, SECRET)
        # U3 gets two gold items wrong; U1 gets them right
        for p in gold_posts[:2]:
            client.action(block_action("U1", p, _press_for(running, p, "chosen")))
            client.action(block_action("U3", p, _press_for(running, p, "rejected")))
        wait_for(lambda: _audit(running, "U3", "gold_flagged"), timeout=30)
        wait_for(
            lambda: [
                c for c in running.emulator.calls_to("chat.postMessage") if c.args["channel"] == "C0TEAMLEADS"
            ]
        )
        (flag,) = [
            c for c in running.emulator.calls_to("chat.postMessage") if c.args["channel"] == "C0TEAMLEADS"
        ]
        assert (
            "<@U3>" in flag.args["text"]
            and "0% of 2" in flag.args["text"]
            and "not counted" in flag.args["text"]
        )
        # excluded by policy: U1 + U3 agreeing is no quorum; U1 + U2 is
        real = real_posts[0]
        client.action(block_action("U3", real, "a"))
        wait_for(lambda: _vote_of(running, real.pair_id, "U3"))
        client.action(block_action("U1", real, "a"))
        wait_for(lambda: _vote_of(running, real.pair_id, "U1"))
        time.sleep(0.3)
        with store.session() as s:
            assert s.scalar(select(ReviewPost.state).where(ReviewPost.pair_id == real.pair_id)) != "resolved"
        client.action(block_action("U2", real, "a"))
        wait_for(lambda: _state(running, real.pair_id) == "resolved")
        # gold pairs resolve like any other but never become data
        with store.session() as s:
            statuses = {s.get(Pair, pid).status for pid in gold_ids}  # type: ignore[union-attr]
        assert statuses == {"gold"}
        hook = running.emulator.response_url("gold")
        client.command(slash_command(ADJUDICATOR, "agreement", response_url=hook))
        wait_for(lambda: running.emulator.calls_to("response_url"))
        report = running.emulator.calls_to("response_url")[0].args["text"]
        assert "U3: 0% of 2 right" in report and "flagged" in report and "U1: 100% of 2 right" in report
    finally:
        running.stop()
        store.dispose()


def _posted(bot: EmulatedBot, pair_id: str) -> bool:
    with bot.bot.store.session() as s:
        return s.scalar(select(ReviewPost.ts).where(ReviewPost.pair_id == pair_id)) is not None


def _state(bot: EmulatedBot, pair_id: str) -> str | None:
    with bot.bot.store.session() as s:
        return s.scalar(select(ReviewPost.state).where(ReviewPost.pair_id == pair_id))


# -- 8. reviewer-verified history ------------------------------------------------------------------------------
def test_a_resolution_confirms_or_contradicts_the_users_and_the_lone_users_signal_kind(
    bot: EmulatedBot,
) -> None:
    from prefloop.curator.pipeline.review_outcomes import load_kind_outcomes
    from prefloop.curator.pipeline.user_history import load_history

    ids = make_review_pairs(bot.bot.store, 2)
    with bot.bot.store.session() as s:
        for pid in ids:
            pair = s.get(Pair, pid)
            assert pair is not None
            pair.users = ["user-kept", "user-both"] if pid == ids[0] else ["user-both"]
            pair.signals = [{"kind": "choice", "favours": "chosen", "strength": 0.92, "detail": {}}]
    bot.bot.service.enqueue_pending()
    wait_for(lambda: len(posted_pairs(bot.emulator)) == 2)
    wait_for(lambda: all(_posted(bot, pid) for pid in ids))
    client = SignedClient(bot.url, SECRET)
    by_id = {p.pair_id: p for p in posted_pairs(bot.emulator)}
    # reviewers agree with the users on the first pair, and with the other answer on the second
    for pid, label in ((ids[0], "chosen"), (ids[1], "rejected")):
        post = by_id[pid]
        for user in ("U1", "U2"):
            client.action(block_action(user, post, _press_for(bot, post, label)))
            wait_for(lambda u=user, p=pid: _vote_of(bot, p, u))
        wait_for(lambda p=pid: _state(bot, p) == "resolved")
    with bot.bot.store.session() as s:
        history = load_history(s, ["user-kept", "user-both", "nobody"])
        kinds = load_kind_outcomes(s)
    assert history == {"user-kept": (1, 0), "user-both": (1, 1)}
    # only the lone user's pair teaches its signal kind: reviewers contradicted that choice
    assert kinds == {"choice": (0, 1)}


# -- 8. the audit sample of automatic acceptance ------------------------------------------------------------------
def test_audited_pairs_look_like_any_review_pair_and_measure_automatic_acceptance(bot: EmulatedBot) -> None:
    from prefloop.curator.pairing import RouteInput, load_policy, route

    always = load_policy(audit={"rate": 1.0})
    ids = make_review_pairs(bot.bot.store, 3)
    audited = ids[:2]
    with bot.bot.store.session() as s:
        for pid in audited:
            pair = s.get(Pair, pid)
            assert pair is not None
            signals = [{"kind": "choice", "favours": "chosen", "strength": 0.99, "detail": {}}]
            status, reasons = route(RouteInput(0.99, signals, 0, 0, 0.1, [], pair_id=pid), always)
            assert status == "review" and reasons[0].startswith("audit:")
            pair.route_reasons, pair.signals = reasons, signals
    bot.bot.service.enqueue_pending()
    wait_for(lambda: len(posted_pairs(bot.emulator)) == 3)
    wait_for(lambda: all(_posted(bot, pid) for pid in ids))
    by_id = {p.pair_id: p for p in posted_pairs(bot.emulator)}
    posts = [json.dumps(c.args.get("blocks")) for c in bot.emulator.calls_to("chat.postMessage")]
    for pid in audited:
        text = next(blocks for blocks in posts if pid in blocks)
        assert "little user evidence" in text
        for tell in ("audit", "strong", "routine"):
            assert tell not in text.lower(), tell
    client = SignedClient(bot.url, SECRET)
    # reviewers confirm the users' side on one audited pair and swap the other; the third is an ordinary pair
    for pid, label in ((audited[0], "chosen"), (audited[1], "rejected"), (ids[2], "chosen")):
        post = by_id[pid]
        for user in ("U1", "U2"):
            client.action(block_action(user, post, _press_for(bot, post, label)))
            wait_for(lambda u=user, p=pid: _vote_of(bot, p, u))
        wait_for(lambda p=pid: _state(bot, p) == "resolved")
    hook = bot.emulator.response_url("agreement-audit")
    client.command(slash_command(ADJUDICATOR, "agreement", response_url=hook))
    wait_for(lambda: bot.emulator.calls_to("response_url"))
    answer = bot.emulator.calls_to("response_url")[0].args["text"]
    assert "confirmed the users' side on 1 of 2 pairs" in answer
    assert bot.bot.service.audit_outcomes() == {"chosen": 1, "rejected": 1}
