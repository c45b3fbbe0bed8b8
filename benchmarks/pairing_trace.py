"""The simulated traffic of `benchmarks.pairing_quality` (and `benchmarks.curator_throughput`): HH-RLHF prompts with
their better and worse answers, users who show, rate, regenerate and choose as ``BEHAVIOUR`` says, and the
ground truth of each prompt."""

from __future__ import annotations

import gzip
import json
import random
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import uuid6

DATA = Path(__file__).parent / "data" / "hh_rlhf" / "harmless-base_test.jsonl.gz"

#: How simulated users behave. Probabilities per user; "good"/"bad" is the answer's true quality.
BEHAVIOUR: dict[str, Any] = {
    "users_per_prompt": {1: 0.35, 2: 0.30, 3: 0.20, 4: 0.15},
    "mode": {"side_by_side": 0.35, "thumbs": 0.40, "regenerate": 0.25},
    "side_by_side": {"right": 0.88, "wrong": 0.08, "tie": 0.04},
    "thumbs_on_good": {"up": 0.60, "down": 0.10, "none": 0.30},
    "thumbs_on_bad": {"up": 0.12, "down": 0.55, "none": 0.33},
    "reason_down_on_good": {"tone": 0.5, "other": 0.3, "incorrect": 0.2},
    "reason_down_on_bad": {"incorrect": 0.35, "unsafe": 0.25, "tone": 0.20, "unhelpful": 0.20},
    "regenerate_if_bad": 0.60,
    "regenerate_if_good": 0.20,
    "after_regenerate_good": {"up": 0.45, "continue": 0.30, "none": 0.25},
    "after_regenerate_bad": {"up": 0.12, "continue": 0.15, "down": 0.30, "none": 0.43},
}


#: A second behaviour model, written before the calibration work of session 7 and used only to evaluate it (never
#: while tuning): hurried users who pick worse (right 80 %, wrong 14 %), thumb more at random, regenerate more and
#: follow up less. The packaged reliabilities assume users like ``BEHAVIOUR``; with these they are wrong, so only
#: what pairing learns from review can put strength right.
HURRIED: dict[str, Any] = {
    **BEHAVIOUR,
    "mode": {"side_by_side": 0.25, "thumbs": 0.45, "regenerate": 0.30},
    "side_by_side": {"right": 0.80, "wrong": 0.14, "tie": 0.06},
    "thumbs_on_good": {"up": 0.50, "down": 0.15, "none": 0.35},
    "thumbs_on_bad": {"up": 0.20, "down": 0.45, "none": 0.35},
    "regenerate_if_bad": 0.50,
    "regenerate_if_good": 0.30,
    "after_regenerate_good": {"up": 0.35, "continue": 0.35, "none": 0.30},
    "after_regenerate_bad": {"up": 0.20, "continue": 0.20, "down": 0.25, "none": 0.35},
}

#: Behaviour models by name (``--behaviour``).
BEHAVIOURS: dict[str, dict[str, Any]] = {"default": BEHAVIOUR, "hurried": HURRIED}


def parse_transcript(text: str) -> list[dict[str, str]]:
    """ "\\n\\nHuman: ... \\n\\nAssistant: ..." to messages."""
    messages: list[dict[str, str]] = []
    for chunk in text.split("\n\nHuman: ")[1:]:
        human, *rest = chunk.split("\n\nAssistant: ")
        messages.append({"role": "user", "content": human.strip()})
        for a in rest:
            messages.append({"role": "assistant", "content": a.strip()})
    return messages


def load_rows(split: str, limit: int | None = None) -> list[dict[str, Any]]:
    """(prompt, good, bad) from HH-RLHF rows whose two transcripts differ only in the last answer."""
    rows = []
    with gzip.open(DATA, "rt", encoding="utf-8") as fh:
        for i, line in enumerate(fh):
            if (split == "dev" and i % 2) or (split == "heldout" and not i % 2):
                continue
            raw = json.loads(line)
            good, bad = parse_transcript(raw["chosen"]), parse_transcript(raw["rejected"])
            if len(good) < 2 or good[:-1] != bad[:-1] or good[-1]["role"] != "assistant":
                continue
            if bad[-1]["role"] != "assistant" or good[-2]["role"] != "user":
                continue
            rows.append({"prompt": good[:-1], "good": good[-1]["content"], "bad": bad[-1]["content"]})
            if limit and len(rows) >= limit:
                break
    return rows


def _pick(rng: random.Random, dist: dict[Any, float]) -> Any:
    x, acc = rng.random(), 0.0
    for k, p in dist.items():
        acc += p
        if x < acc:
            return k
    return k


#: Who shows up per prompt: ``mixed`` is the original behaviour model, ``single`` a deployment where most
#: prompts are asked once.
TRAFFIC: dict[str, dict[int, float]] = {
    "mixed": BEHAVIOUR["users_per_prompt"],
    "single": {1: 0.75, 2: 0.15, 3: 0.10},
}

#: How a resampled answer differs from the original: small edits a second sample at temperature makes.
_VARIANTS = (
    lambda t: t[:-1] + "!" if t.endswith(".") else t + ".",
    lambda t: t[:1].lower() + t[1:] if t[:1].isupper() else t[:1].upper() + t[1:],
    lambda t: t.replace(", ", " ", 1) if ", " in t else t + " ",
    lambda t: "Well, " + t,
)


class TraceBuilder:
    def __init__(
        self,
        seed: int,
        app_id: str = "bench",
        users_per_prompt: dict[int, float] | None = None,
        variants: float = 0.0,
        behaviour: dict[str, Any] | None = None,
    ) -> None:
        self.app_id = app_id
        self.behaviour = behaviour or BEHAVIOUR
        self.rng = random.Random(seed)
        self.users_per_prompt = users_per_prompt or BEHAVIOUR["users_per_prompt"]
        self.variants = variants
        #: With a pool, users return across prompts and each judges with their own care (``--history``):
        #: user name -> probability that they judge the two answers the wrong way round.
        self.pool: list[tuple[str, float]] = []
        #: Index into ``events`` where each prompt's events start.
        self.starts: list[int] = []
        self.clock = datetime(2026, 10, 1, tzinfo=UTC)
        self.events: list[dict[str, Any]] = []
        self.n = 0

    def with_pool(self, size: int, careful_share: float = 0.5) -> TraceBuilder:
        """Returning users: half careful (judge wrongly 2 % of the time), half casual (30 %)."""
        self.pool = [(f"user-{i}", 0.02 if self.rng.random() < careful_share else 0.30) for i in range(size)]
        return self

    def _event(self, kind: str, conv: str, user: str, **extra: Any) -> dict[str, Any]:
        self.clock += timedelta(seconds=self.rng.randint(1, 20))
        e = {
            "event_id": str(uuid6.uuid7()),
            "type": kind,
            "schema_version": 1,
            "occurred_at": self.clock.isoformat().replace("+00:00", "Z"),
            "app_id": self.app_id,
            "conversation_id": f"{self.app_id}-{conv}",
            "user": user,
            **extra,
        }
        self.events.append(e)
        return e

    def _show(self, row: dict[str, Any], which: str, conv: str, user: str, **extra: Any) -> str:
        self.n += 1
        rid = f"r{self.n}"
        model = "model-a" if which == "good" else "model-b"
        text = row[which]
        if self.variants and self.rng.random() < self.variants:
            text = self.rng.choice(_VARIANTS)(text)
        self._event(
            "response",
            conv,
            user,
            response_id=rid,
            context=row["prompt"],
            text=text,
            model=model,
            generation={"temperature": 0.7, "top_p": 0.95},
            **extra,
        )
        return rid

    def _thumb(self, rid: str, which: str, conv: str, user: str, dist: dict[str, float]) -> str:
        act = _pick(self.rng, dist)
        if act in ("up", "down"):
            extra: dict[str, Any] = {"rating": 1 if act == "up" else -1}
            if act == "down":
                extra["reason"] = _pick(self.rng, self.behaviour[f"reason_down_on_{which}"])
            self._event("feedback", conv, user, response_id=rid, **extra)
        return str(act)

    def user(self, row: dict[str, Any], p: int, u: int) -> None:
        conv, user = f"conv-{p}-{u}", f"user-{p}-{u}"
        if self.pool:
            user, wrong = self.rng.choice(self.pool)
            if self.rng.random() < wrong:  # this user sees the answers' quality the wrong way round
                row = {**row, "good": row["bad"], "bad": row["good"]}
        mode = _pick(self.rng, self.behaviour["mode"])
        rng = self.rng
        if mode == "side_by_side":
            first, second = ("good", "bad") if rng.random() < 0.5 else ("bad", "good")
            a, b = self._show(row, first, conv, user), self._show(row, second, conv, user)
            outcome = _pick(rng, self.behaviour["side_by_side"])
            pick = "tie" if outcome == "tie" else ("a" if (first == "good") == (outcome == "right") else "b")
            self._event("choice", conv, user, response_a=a, response_b=b, preferred=pick)
        elif mode == "thumbs":
            which = "good" if rng.random() < 0.5 else "bad"
            rid = self._show(row, which, conv, user)
            self._thumb(rid, which, conv, user, self.behaviour[f"thumbs_on_{which}"])
        else:
            which = "good" if rng.random() < 0.5 else "bad"
            rid = self._show(row, which, conv, user)
            if rng.random() >= self.behaviour[f"regenerate_if_{which}"]:
                return
            other = "bad" if which == "good" else "good"
            self._event("regenerate", conv, user, response_id=rid)
            new = self._show(row, other, conv, user, regenerates=rid)
            act = self._thumb(new, other, conv, user, self.behaviour[f"after_regenerate_{other}"])
            if act == "continue":
                ctx = [
                    *row["prompt"],
                    {"role": "assistant", "content": row[other]},
                    {"role": "user", "content": "Thanks. Can you say more?"},
                ]
                self.n += 1
                self._event(
                    "response",
                    conv,
                    user,
                    response_id=f"r{self.n}",
                    context=ctx,
                    text="Sure, here is more detail on that.",
                    model="model-a",
                )

    def build(self, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """The events of every row's users; a row's ``app_id`` (a replay of the prompts as another app, with
        its own prompt groups) overrides the builder's."""
        base = self.app_id
        for p, row in enumerate(rows):
            self.app_id = row.get("app_id", base)
            self.starts.append(len(self.events))
            for u in range(_pick(self.rng, self.users_per_prompt)):
                self.user(row, p, u)
        self.app_id = base
        return self.events


#: Strength bands for the calibration check: [lo, hi).
