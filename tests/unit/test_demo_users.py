"""Simulated users: their judgement (with noise), who asks what, and one session carried out over real HTTP
against the example app (the events capture spooled are what the clicks should produce)."""

from __future__ import annotations

import json
import random
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from prefloop.curator.cli.demo import ExampleApp
from prefloop.curator.demo.browser import BrowserSession
from prefloop.curator.demo.errors import DemoError
from prefloop.curator.demo.model import TraceModel
from prefloop.curator.demo.run import AppSetup
from prefloop.curator.demo.trace import load_trace
from prefloop.curator.demo.users import STYLES, SessionPlan, plan_sessions, prefer, replay_session, thumb


def test_thumbs_follow_the_better_answer_with_noise() -> None:
    rng = random.Random(0)
    ratings = [thumb(True, rng, flip=0.1)[0] for _ in range(4000)]
    assert 0.87 < ratings.count(1) / len(ratings) < 0.93
    downs = [thumb(False, rng, flip=0.0) for _ in range(2000)]
    assert {r for r, _ in downs} == {-1}
    with_reason = [reason for _, reason in downs if reason]
    assert 0.45 < len(with_reason) / len(downs) < 0.55
    assert set(with_reason) == {"incorrect", "unsafe", "unhelpful", "tone"}


def test_side_by_side_picks_the_better_one_mostly() -> None:
    rng = random.Random(1)
    picks = Counter(prefer(False, rng, flip=0.1, tie=0.05) for _ in range(4000))
    assert picks["b"] / 4000 > 0.8 and 0.07 < picks["a"] / 4000 < 0.13 and picks["tie"] > 0
    assert prefer(True, random.Random(5), flip=0.0, tie=0.0) == "a"


def test_plans_are_deterministic_and_mix_styles_and_returning_users() -> None:
    convs = load_trace(200)
    plans = plan_sessions(convs, seed=7)
    assert plans == plan_sessions(convs, seed=7) and plans != plan_sessions(convs, seed=8)
    assert {p.style for p in plans} == set(STYLES)
    per_prompt = Counter(p.conversation.index for p in plans)
    assert set(per_prompt.values()) == {1, 2, 3}
    per_user = Counter(p.user for p in plans)
    assert max(per_user.values()) > 1  # users come back with other prompts
    for index in per_prompt:
        users = [p.user for p in plans if p.conversation.index == index]
        assert len(users) == len(set(users))  # never the same prompt twice for one user
    assert len({p.conversation_id for p in plans}) == len(plans)


@pytest.fixture()
def served(tmp_path: Path) -> Iterator[tuple[ExampleApp, TraceModel, Path]]:
    convs = load_trace(5)
    model = TraceModel(convs, seed=0)
    spool = tmp_path / "spool"
    config = {"SECRET_KEY": "t", "PREFLOOP_CAPTURE_SPOOL_DIR": str(spool)}
    app = ExampleApp(AppSetup(config, model, datetime(2026, 10, 1, tzinfo=UTC)))
    yield app, model, spool
    app.stop()


def _events(app: ExampleApp, spool: Path) -> list[dict[str, object]]:
    assert app.flush(5.0)
    return [json.loads(x) for seg in sorted(spool.glob("*/*.jsonl")) for x in seg.read_text().splitlines()]


def test_a_thumbs_session_over_http(served: tuple[ExampleApp, TraceModel, Path]) -> None:
    app, _model, spool = served
    conv = load_trace(5)[3]
    plan = SessionPlan(conv, "demo-user-1", "demo-0003-0", "thumbs", seed=11)
    stats = replay_session(BrowserSession(app.url), plan, flip=0.0)
    events = _events(app, spool)
    kinds = Counter(e["type"] for e in events)
    assert kinds["response"] == 2 and kinds["regenerate"] == 1 and kinds["feedback"] in (1, 2)
    responses = {e["response_id"]: e for e in events if e["type"] == "response"}
    for fb in (e for e in events if e["type"] == "feedback"):
        text = responses[fb["response_id"]]["text"]
        assert fb["rating"] == (1 if text == conv.better else -1)  # no noise: the better answer gets the up
    assert all(str(e["occurred_at"]).startswith("2026-10-01") for e in events)  # the replay clock
    assert stats.requests >= 5 and stats.actions["regenerate"] == 1


def test_an_edit_session_writes_the_better_answer(served: tuple[ExampleApp, TraceModel, Path]) -> None:
    app, model, spool = served
    conv = load_trace(5)[1]
    cid = next(f"demo-0001-{k}" for k in range(50) if not model.better_first(f"demo-0001-{k}"))
    replay_session(BrowserSession(app.url), SessionPlan(conv, "u", cid, "edit", seed=2))
    (edit,) = [e for e in _events(app, spool) if e["type"] == "edit"]
    assert edit["edited_text"] == conv.better and edit["editor"] == "user"


def test_http_errors_name_the_endpoint(served: tuple[ExampleApp, TraceModel, Path]) -> None:
    app, _model, _spool = served
    browser = BrowserSession(app.url, attempts=1)
    with pytest.raises(DemoError, match=r"POST /prefloop/feedback failed with HTTP 401: .*no_user"):
        browser.vote({"token": "v1.bad.token.x.y"}, 1)  # no page visit yet: no session, no user
    browser.open_page()
    with pytest.raises(DemoError, match=r"POST /prefloop/feedback failed with HTTP 403") as err:
        browser.vote({"token": "v1.bad.token.x.y"}, 1)
    assert err.value.value == 403
