"""Simulated users: who asks which replayed prompt, and what they click, with noise.

The decisions are plain functions of a seeded ``random.Random`` (tested on their own); :func:`replay_session`
carries one user's session out over HTTP with a :class:`~prefloop.curator.demo.browser.BrowserSession`.

Behaviour, per user session on a prompt (shares are :data:`STYLES`):

- ``thumbs``: rate the first answer, regenerate, rate the new one;
- ``choice``: regenerate, then pick the better of the two side by side (or "about the same");
- ``edit``: a user shown the worse answer rewrites it (thumbs-down, then their own version);
- ``regenerate_only``, ``thumb_only``, ``silent``: weaker or no evidence, as real traffic has.

Every judgement follows hh-rlhf's choice except with probability ``flip`` (default 10%); some thumbs-down carry
a reason. A few prompts are asked by several users (their evidence combines across users).
"""

from __future__ import annotations

import random
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from prefloop.curator.demo.browser import BrowserSession
from prefloop.curator.demo.trace import Conversation

__all__ = [
    "REASONS",
    "STYLES",
    "SessionPlan",
    "UserStats",
    "plan_sessions",
    "prefer",
    "replay_session",
    "thumb",
]

#: interaction style -> share of sessions
STYLES: dict[str, float] = {
    "thumbs": 0.45,
    "choice": 0.15,
    "edit": 0.08,
    "regenerate_only": 0.10,
    "thumb_only": 0.17,
    "silent": 0.05,
}
#: reasons given with a thumbs-down, and their shares (half of thumbs-down give none)
REASONS: dict[str, float] = {"incorrect": 0.35, "unsafe": 0.35, "unhelpful": 0.15, "tone": 0.15}
#: how many users ask the same prompt -> share of prompts
USERS_PER_PROMPT: dict[int, float] = {1: 0.62, 2: 0.28, 3: 0.10}


def _pick(rng: random.Random, weights: dict[Any, float]) -> Any:
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def thumb(is_better: bool, rng: random.Random, flip: float = 0.1) -> tuple[int, str | None]:
    """A thumbs rating of an answer: up for the better one, down for the worse, flipped with ``flip``; half of
    thumbs-down give a reason."""
    good = is_better if rng.random() >= flip else not is_better
    if good:
        return 1, None
    return -1, (_pick(rng, REASONS) if rng.random() < 0.5 else None)


def prefer(first_is_better: bool, rng: random.Random, flip: float = 0.1, tie: float = 0.05) -> str:
    """Side-by-side pick between the first answer (``a``) and the regenerated one (``b``)."""
    roll = rng.random()
    if roll < tie:
        return "tie"
    right = "a" if first_is_better else "b"
    wrong = "b" if right == "a" else "a"
    return wrong if roll < tie + flip else right


@dataclass(frozen=True)
class SessionPlan:
    """One user's session on one replayed prompt."""

    conversation: Conversation
    user: str
    conversation_id: str
    style: str
    seed: int


def plan_sessions(conversations: list[Conversation], seed: int = 0) -> list[SessionPlan]:
    """Who asks what, and in which style. Deterministic for a seed."""
    rng = random.Random(seed)
    # returning users: about two prompts each, never the same prompt twice
    pool = [f"demo-user-{i:05d}" for i in range(max(3, round(len(conversations) * 0.7)))]
    plans = []
    for conv in conversations:
        users = rng.sample(pool, _pick(rng, USERS_PER_PROMPT))
        for k, user in enumerate(users):
            plans.append(
                SessionPlan(
                    conv, user, f"demo-{conv.index:04d}-{k}", _pick(rng, STYLES), rng.randrange(2**31)
                )
            )
    return plans


@dataclass
class UserStats:
    sessions: int = 0
    requests: int = 0
    actions: Counter[str] = field(default_factory=Counter)
    errors: list[str] = field(default_factory=list)

    def merge(self, other: UserStats) -> None:
        self.sessions += other.sessions
        self.requests += other.requests
        self.actions.update(other.actions)
        self.errors.extend(other.errors)


def replay_session(browser: BrowserSession, plan: SessionPlan, flip: float = 0.1) -> UserStats:
    """Carry ``plan`` out over HTTP: open the page, ask, and click as the plan's style says."""
    rng = random.Random(plan.seed)
    conv = plan.conversation
    stats = UserStats(sessions=1)
    start = browser.requests
    browser.open_page()
    first = browser.chat(conv.prompt, conversation_id=plan.conversation_id, history=conv.history)
    stats.actions["response"] += 1
    first_better = first["text"] == conv.better
    style = plan.style

    def rate(answer: dict[str, Any], is_better: bool) -> None:
        rating, reason = thumb(is_better, rng, flip)
        browser.vote(answer, rating, reason)
        stats.actions["thumbs_up" if rating > 0 else "thumbs_down"] += 1
        if reason:
            stats.actions["reason"] += 1

    if style == "thumb_only":
        rate(first, first_better)
    elif style == "edit" and not first_better:
        browser.vote(first, -1, "incorrect")
        browser.edit(first, conv.better)
        stats.actions["thumbs_down"] += 1
        stats.actions["edit"] += 1
    elif style == "edit":
        rate(first, first_better)
    elif style in ("thumbs", "choice", "regenerate_only"):
        if style == "thumbs" and rng.random() < 0.85:
            rate(first, first_better)
        second = browser.regenerate(first)
        stats.actions["regenerate"] += 1
        stats.actions["response"] += 1
        if style == "thumbs":
            rate(second, not first_better)
        elif style == "choice":
            browser.choose(first, second, prefer(first_better, rng, flip))
            stats.actions["choice"] += 1
    stats.requests = browser.requests - start
    return stats
