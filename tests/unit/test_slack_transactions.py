"""A Slack action's transaction, on SQLite and the real PostgreSQL: a conflict on the action's own key means it
was handled already; a conflict on any other record (two transactions creating it at once) is run again, so an
acknowledged click is never dropped for it."""

from __future__ import annotations

from typing import Any

from prefloop.curator.store.models import SeenSlackEvent, UserSignalHistory
from prefloop.slackbot.quorum import QuorumPolicy
from prefloop.slackbot.rubric import load_rubric
from prefloop.slackbot.service import ReviewService


def _service(store: Any) -> ReviewService:
    return ReviewService(store, load_rubric(), QuorumPolicy(), "#review")


def test_a_conflict_on_another_record_runs_the_transaction_again(store: Any) -> None:
    service = _service(store)
    attempts: list[int] = []

    def run() -> str:
        attempts.append(1)
        if len(attempts) == 1:  # another transaction creates the record first and commits
            with store.session() as other:
                other.add(UserSignalHistory(user="u1", confirmed=0, contradicted=0))
        with service.write() as s:
            assert service.first_time(s, "act:mine")
            if len(attempts) == 1:
                s.add(UserSignalHistory(user="u1", confirmed=0, contradicted=0))
            return "recorded"

    assert service.once("act:mine", run) == (True, "recorded")
    assert len(attempts) == 2
    assert service.handled_before("act:mine")


def test_a_conflict_on_the_actions_own_key_is_a_duplicate_and_not_run_again(store: Any) -> None:
    service = _service(store)
    attempts: list[int] = []

    def run() -> str:
        attempts.append(1)
        with store.session() as other:  # the same click, handled by a concurrent request, commits first
            other.add(SeenSlackEvent(event_id="act:same"))
        with service.write() as s:
            s.add(SeenSlackEvent(event_id="act:same"))
            s.flush()
            return "recorded"

    assert service.once("act:same", run) == (False, None)
    assert len(attempts) == 1
