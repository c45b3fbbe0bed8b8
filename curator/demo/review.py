"""Simulated reviewers: members of the review group who vote on posted pairs, mostly for the answer hh-rlhf's
raters preferred, each with their own error rate, until the quorum policy resolves every pair.

Votes go through a :class:`ReviewDesk` (the real bot over signed HTTP requests, wired by ``prefloop demo``);
this module decides who votes what and in which rounds: two reviewers per pair first, a third where they
disagreed, then an adjudicator for the splits that were escalated.
"""

from __future__ import annotations

import random
import time
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Protocol

from sqlalchemy import func, select

from prefloop.curator.demo import messages
from prefloop.curator.demo.errors import DemoError
from prefloop.curator.pairing.grouping import normalize_text, similarity
from prefloop.curator.store import Store
from prefloop.curator.store.models import Pair, ReviewPost, Vote

__all__ = ["Post", "ReviewDesk", "ReviewStats", "Truth", "reviewer_choice", "run_review"]

RUBRIC_REASONS = ("correctness", "grounding", "format", "safety", "usefulness")


class Post(Protocol):
    """A review post in Slack: the pair it shows and where (``prefloop.slackbot.simulate.PostedPair``)."""

    pair_id: str
    channel: str
    ts: str


class ReviewDesk(Protocol):
    """The real bot and the Slack it talks to (the emulator), as the demo drives them."""

    reviewers: Sequence[str]
    adjudicators: Sequence[str]

    def post_pending(self, timeout: float) -> list[Post]: ...

    def vote(self, reviewer: str, post: Post, choice: str, reason: str | None) -> int: ...

    def slack_payloads(self) -> list[str]: ...

    def agreement(self) -> dict[str, object]: ...

    def stop(self) -> None: ...


class Truth:
    """Which stored side of a pair is the answer hh-rlhf's raters preferred (``chosen``/``rejected``)."""

    def __init__(self, better: Iterable[str], worse: Iterable[str]) -> None:
        self.better = {normalize_text(t) for t in better}
        self.worse = {normalize_text(t) for t in worse}

    def __call__(self, chosen: str, rejected: str) -> str:
        c, r = normalize_text(chosen), normalize_text(rejected)
        if c in self.better or r in self.worse:
            return "chosen"
        if r in self.better or c in self.worse:
            return "rejected"
        # scrubbed texts differ slightly from the originals: the closest original decides
        best_c = max((similarity(c, b) for b in self.better), default=0.0)
        best_r = max((similarity(r, b) for b in self.better), default=0.0)
        return "chosen" if best_c >= best_r else "rejected"


def reviewer_choice(
    better_side: str, a_is: str, rng: random.Random, accuracy: float
) -> tuple[str, str | None]:
    """A reviewer's vote as cast ("a", "b", "tie", "both_bad"): the better side with ``accuracy``, else a
    mistake (mostly the other side, sometimes tie or both-bad)."""
    right = "a" if better_side == a_is else "b"
    if rng.random() < accuracy:
        return right, rng.choice(RUBRIC_REASONS)
    wrong = rng.choices(("b" if right == "a" else "a", "tie", "both_bad"), weights=(70, 15, 15))[0]
    return wrong, rng.choice(RUBRIC_REASONS)


@dataclass
class ReviewStats:
    posted: int = 0
    votes: int = 0
    rounds: int = 0
    statuses: Counter[int] = field(default_factory=Counter)
    outcomes: Counter[str] = field(default_factory=Counter)
    unresolved: int = 0


def _wait_votes(store: Store, expected: int, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while True:
        with store.session() as s:
            n = s.scalar(select(func.count()).select_from(Vote)) or 0
        if n >= expected:
            return
        if time.monotonic() > deadline:
            raise DemoError(messages.VOTES_TIMEOUT.format(n=n, expected=expected, timeout=timeout), value=n)
        time.sleep(0.05)


def _states(store: Store) -> dict[str, tuple[str, str]]:
    with store.session() as s:
        return {
            p: (st, a)
            for p, st, a in s.execute(select(ReviewPost.pair_id, ReviewPost.state, ReviewPost.a_is))
        }


def run_review(
    store: Store,
    desk: ReviewDesk,
    truth: Callable[[str, str], str],
    *,
    seed: int = 0,
    accuracy: tuple[float, float] = (0.85, 0.95),
    timeout: float = 60.0,
    log: Callable[[str], None] = lambda _m: None,
) -> ReviewStats:
    """Post every pair routed to review, vote in rounds until each resolves, return what happened."""
    rng = random.Random(seed)
    stats = ReviewStats()
    posts = {p.pair_id: p for p in desk.post_pending(timeout)}
    stats.posted = len(posts)
    log(messages.REVIEW_POSTED.format(n=len(posts), reviewers=", ".join(desk.reviewers)))
    if not posts:
        return stats
    with store.session() as s:
        sides = {
            pid: truth(c, r)
            for pid, c, r in s.execute(
                select(Pair.pair_id, Pair.chosen, Pair.rejected).where(Pair.pair_id.in_(list(posts)))
            )
        }
    skill = {r: rng.uniform(*accuracy) for r in [*desk.reviewers, *desk.adjudicators]}
    voted: dict[str, list[str]] = {pid: [] for pid in posts}
    reviewers = list(desk.reviewers)

    def cast(pid: str, who: str, a_is: str) -> None:
        choice, reason = reviewer_choice(sides[pid], a_is, rng, skill[who])
        stats.statuses[desk.vote(who, posts[pid], choice, reason)] += 1
        voted[pid].append(who)
        stats.votes += 1

    # round 1: two reviewers each; round 2: a third where they disagreed; round 3: adjudicators on splits
    for round_no, want in ((1, 2), (2, 3)):
        states = _states(store)
        open_ids = sorted(pid for pid in posts if states.get(pid, ("", ""))[0] == "posted")
        for i, pid in enumerate(open_ids):
            pool = [
                r
                for r in reviewers[i % len(reviewers) :] + reviewers[: i % len(reviewers)]
                if r not in voted[pid]
            ]
            for who in pool[: max(0, want - len(voted[pid]))]:
                cast(pid, who, states[pid][1])
        _wait_votes(store, stats.votes, timeout)
        stats.rounds = round_no
        log(messages.REVIEW_ROUND.format(round=round_no, pairs=len(open_ids), votes=stats.votes))
    states = _states(store)
    escalated = sorted(pid for pid in posts if states.get(pid, ("", ""))[0] == "escalated")
    if escalated and desk.adjudicators:
        for pid in escalated:
            cast(pid, desk.adjudicators[0], states[pid][1])
        _wait_votes(store, stats.votes, timeout)
        stats.rounds += 1
        log(messages.REVIEW_ADJUDICATED.format(pairs=len(escalated)))
    states = _states(store)  # a vote and the resolution it causes commit together
    open_now = [pid for pid in posts if states.get(pid, ("", ""))[0] != "resolved"]
    with store.session() as s:
        for outcome, n in s.execute(
            select(ReviewPost.outcome, func.count())
            .where(ReviewPost.pair_id.in_(list(posts)))
            .group_by(ReviewPost.outcome)
        ):
            stats.outcomes[outcome or "open"] += n
    stats.unresolved = len(open_now)
    return stats
