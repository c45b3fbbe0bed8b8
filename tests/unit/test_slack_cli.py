"""`prefloop agreement` and `prefloop slackbot post` through the real CLI group."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from prefloop.curator.cli import main
from prefloop.curator.store import Store
from prefloop.slackbot.emulator import SlackEmulator
from prefloop.slackbot.quorum import QuorumPolicy
from prefloop.slackbot.rubric import load_rubric
from prefloop.slackbot.service import ReviewService
from prefloop.slackbot.simulate import make_review_pairs


@pytest.fixture()
def env(sqlite_url: str, monkeypatch: pytest.MonkeyPatch) -> str:
    for key in [k for k in __import__("os").environ if k.startswith("PREFLOOP_SLACK")]:
        monkeypatch.delenv(key)
    monkeypatch.setenv("PREFLOOP_DATABASE_URL", sqlite_url)
    return sqlite_url


def test_agreement_json_reports_overall_category_and_reviewer(
    env: str, capsys: pytest.CaptureFixture[str]
) -> None:
    store = Store(env)
    # two votes decide each pair (a split is discarded): the report counts resolved pairs only
    policy = QuorumPolicy(quorum=2, max_votes=2, escalate_on_split=False)
    service = ReviewService(store, load_rubric(), policy, "#review")
    ids = make_review_pairs(store, 2, hazards=("weapons", "cyber"))
    service.enqueue_pending()
    for pid, picks in zip(ids, (("a", "a"), ("a", "tie")), strict=True):
        for user, choice in zip(("U1", "U2"), picks, strict=True):
            service.cast_vote(pid, user, choice, None)
    store.dispose()
    assert main(["agreement", "--json"]) == 0
    report = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert report["overall"]["pairs"] == 2 and report["overall"]["percent"] == pytest.approx(0.5)
    assert {r["key"]: r["percent"] for r in report["by_category"]} == {"cyber": 0.0, "weapons": 1.0}
    assert report["needs_clearer_rubric"] == ["cyber"]
    assert [r["key"] for r in report["by_reviewer"]] == ["U1", "U2"]
    assert main(["agreement"]) == 0
    assert "cyber: 0% agreement" in capsys.readouterr().out


def test_slackbot_post_queues_and_sends_through_the_outbox(
    env: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    store = Store(env)
    make_review_pairs(store, 2, unscrubbed=1)
    store.dispose()
    with SlackEmulator() as emu:
        emu.fail("chat.postMessage", status=429, retry_after=1)
        monkeypatch.setenv("PREFLOOP_SLACK_BOT_TOKEN", "xoxb-cli")
        monkeypatch.setenv("PREFLOOP_SLACK_API_URL", emu.url)
        assert main(["slackbot", "post", "--timeout", "10"]) == 0
        assert len(emu.calls_to("chat.postMessage")) == 2
    out = capsys.readouterr().out
    assert "queued 2 pair(s)" in out and "refused 1 unscrubbed" in out and "2 sent, 0 pending" in out


def test_post_without_a_token_says_what_to_set(env: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["slackbot", "post"]) == 2  # configuration
    assert "PREFLOOP_SLACK_BOT_TOKEN is not set" in capsys.readouterr().err


def test_serve_refuses_to_open_voting_to_everyone_by_accident(
    env: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("PREFLOOP_SLACK_BOT_TOKEN", "xoxb-test")
    monkeypatch.setenv("PREFLOOP_SLACK_SIGNING_SECRET", "secret")
    assert main(["slackbot", "serve"]) == 2
    err = capsys.readouterr().err
    assert "PREFLOOP_SLACK_REVIEWER_GROUP" in err and "--open-review" in err


def test_gold_add_stores_items_and_agreement_reports_gold(
    env: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "gold.jsonl"
    lines = [
        {
            "prompt": "How do I copy a file?",
            "chosen": "Use shutil.copy.",
            "rejected": "You cannot.",
            "category": "none",
        },
        {
            "prompt": [{"role": "user", "content": "Hi?"}],
            "chosen": "Hello!",
            "rejected": "Go away.",
            "answer": "chosen",
        },
    ]
    path.write_text("".join(json.dumps(x) + "\n" for x in lines))
    assert main(["slackbot", "gold", "add", str(path)]) in (None, 0)
    assert "added 2 gold item(s)" in capsys.readouterr().out
    assert main(["slackbot", "gold", "add", str(path)]) in (None, 0)
    assert "added 0 gold item(s)" in capsys.readouterr().out
    assert main(["agreement", "--json"]) in (None, 0)
    report = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert report["gold"] == {} and "first_two" in report and "selection_bias" in report
