"""Factories for release and coverage tests: prompt groups, pairs and votes straight into the store."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from prefloop.curator.store import Store
from prefloop.curator.store.models import Pair, PromptGroup, Vote

TAXONOMY_TACTICS = (("direct_request", (0.2, 0.6)), ("prompt_injection", (0.2, 0.6)))
TAXONOMY_HAZARDS = (("privacy", (0.3, 0.7)), ("violence", (0.3, 0.7)))


@dataclass(frozen=True)
class Cat:
    name: str
    target_share: tuple[float, float]


@dataclass(frozen=True)
class SmallTaxonomy:
    tactics: tuple[Cat, ...] = tuple(Cat(n, t) for n, t in TAXONOMY_TACTICS)
    hazards: tuple[Cat, ...] = tuple(Cat(n, t) for n, t in TAXONOMY_HAZARDS)


def key_of(prompt: str) -> str:
    return hashlib.sha256(prompt.encode()).hexdigest()


def add_pairs(
    store: Store,
    n_groups: int,
    pairs_per_group: int = 2,
    month: str = "2026-10",
    prefix: str = "prompt",
    status: str = "accepted",
    users: list[str] | None = None,
    first: int = 0,
    **overrides: Any,
) -> list[str]:
    """``n_groups`` prompt groups with ``pairs_per_group`` pairs each, formed in ``month``; returns pair ids.
    Tags alternate over the small taxonomy so coverage is inside its ranges."""
    year, mon = (int(x) for x in month.split("-"))
    ids = []
    with store.session() as session:
        for g in range(first, first + n_groups):
            text = f"{prefix} number {g}: how do I do thing {g}?"
            key = key_of(text)
            if session.get(PromptGroup, key) is None:
                session.add(PromptGroup(key=key, context=[{"role": "user", "content": text}], app_id="app"))
            for p in range(pairs_per_group):
                pid = f"{prefix}-{month}-{g:05d}-{p}"
                values: dict[str, Any] = {
                    "pair_id": pid,
                    "group_key": key,
                    "prompt": [{"role": "user", "content": text}],
                    "chosen": f"A helpful, complete answer {p} to question {g} of {prefix}."
                    + " more" * (p % 3),
                    "rejected": f"Worse {p} {g}." + " padding text" * ((g + p) % 2 * 5),
                    "scrubbed": True,
                    "scrubber_version": "scrub-1",
                    "kind": "choice",
                    "strength": 0.97,
                    "signals": [
                        {"kind": "choice", "favours": "chosen", "strength": 0.93, "event_ids": ["e1"]}
                    ],
                    "checks": [],
                    "tags": {
                        "tactic": TAXONOMY_TACTICS[g % 2][0],
                        "hazards": [TAXONOMY_HAZARDS[(g // 2) % 2][0]],
                        "scores": {},
                    },
                    "status": status,
                    "route_reasons": ["strong"],
                    "meta": {
                        "prompt_source": "user",
                        "models": {"chosen": "m-1", "rejected": "m-2"},
                        "generation": {"chosen": {"temperature": 0.7}, "rejected": {"temperature": 1.0}},
                    },
                    "users": users or [f"user-{g % 7}"],
                    "formed_at": datetime(year, mon, 1 + (g % 27), 12, tzinfo=UTC),
                }
                values.update(overrides)
                session.add(Pair(**values))
                ids.append(pid)
    return ids


def add_votes(store: Store, pair_id: str, choices: list[str]) -> None:
    with store.session() as session:
        for i, choice in enumerate(choices):
            session.add(
                Vote(pair_id=pair_id, reviewer=f"U{i}", choice=choice, a_is="chosen", rubric_version="r1")
            )
