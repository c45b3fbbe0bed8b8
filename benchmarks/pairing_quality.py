"""Pairing quality: replay a trace with known preferences through ingest, pairing and routing.

`python -m benchmarks.pairing_quality [--quick] [--split dev|heldout|all] [--seed N] [--traffic mixed|single]
[--variants P] [--compare] [--history USERS] [--reviewed-first] [--compare-learning]`

The trace is built from Anthropic HH-RLHF (harmless-base test split, MIT, copied to benchmarks/data/hh_rlhf):
each row gives a conversation and two final answers with a known preference (``chosen`` is right). Simulated
users see the answers and click with noise (the behaviour model is `BEHAVIOUR` below and docs/perf/curator.md):
side-by-side picks, thumbs with reasons, regenerates followed (or not) by a thumbs-up or a continued conversation.
The events go through the same path as `prefloop ingest --file` into a temporary SQLite store.

Reported: the share of accepted pairs whose chosen side is right (precision), the share of true preferences
accepted without review (auto-accept recall), where the rest went, and whether ``strength`` is calibrated (per
strength band, the share of pairs whose chosen side is right against the band's mean strength).

``--traffic single`` replays the traffic most deployments see: most prompts have one user (75 %), not the
65 % multi-user mix of ``mixed``. ``--variants P`` shows each answer as a resample with probability P (the same
text with punctuation, casing or a filler word changed: what sampling at temperature produces), so evidence
from different users lands on near-identical, not byte-identical, answers. ``--compare`` runs the same trace a
second time under the baseline policy (no merging of near-identical answers, the strength bar compared without
tolerance, nothing learned from review: the routing before issue 17) and reports both. ``--reviewed-first``
has reviewers resolve the first half's review pairs (what the bot records on resolution: users' histories and
the signal kinds' outcomes) and scores the second half; ``--compare-learning`` runs those halves again with
learning from review switched off (before/after). Rows are split by index: even rows are
``dev`` (used while tuning the policy), odd rows ``heldout``. `--trace FILE --truth FILE` scores a trace built
elsewhere (truth lines: {"prompt": [...messages], "good": str, "bad": str}).
Progress goes to stderr; the last stdout line is one JSON object.
"""

from __future__ import annotations

import argparse
import gzip
import json
import random
import sys
import tempfile
import time
from collections import Counter
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


def log(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


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
    ) -> None:
        self.app_id = app_id
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
                extra["reason"] = _pick(self.rng, BEHAVIOUR[f"reason_down_on_{which}"])
            self._event("feedback", conv, user, response_id=rid, **extra)
        return str(act)

    def user(self, row: dict[str, Any], p: int, u: int) -> None:
        conv, user = f"conv-{p}-{u}", f"user-{p}-{u}"
        if self.pool:
            user, wrong = self.rng.choice(self.pool)
            if self.rng.random() < wrong:  # this user sees the answers' quality the wrong way round
                row = {**row, "good": row["bad"], "bad": row["good"]}
        mode = _pick(self.rng, BEHAVIOUR["mode"])
        rng = self.rng
        if mode == "side_by_side":
            first, second = ("good", "bad") if rng.random() < 0.5 else ("bad", "good")
            a, b = self._show(row, first, conv, user), self._show(row, second, conv, user)
            outcome = _pick(rng, BEHAVIOUR["side_by_side"])
            pick = "tie" if outcome == "tie" else ("a" if (first == "good") == (outcome == "right") else "b")
            self._event("choice", conv, user, response_a=a, response_b=b, preferred=pick)
        elif mode == "thumbs":
            which = "good" if rng.random() < 0.5 else "bad"
            rid = self._show(row, which, conv, user)
            self._thumb(rid, which, conv, user, BEHAVIOUR[f"thumbs_on_{which}"])
        else:
            which = "good" if rng.random() < 0.5 else "bad"
            rid = self._show(row, which, conv, user)
            if rng.random() >= BEHAVIOUR[f"regenerate_if_{which}"]:
                return
            other = "bad" if which == "good" else "good"
            self._event("regenerate", conv, user, response_id=rid)
            new = self._show(row, other, conv, user, regenerates=rid)
            act = self._thumb(new, other, conv, user, BEHAVIOUR[f"after_regenerate_{other}"])
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
        for p, row in enumerate(rows):
            self.starts.append(len(self.events))
            for u in range(_pick(self.rng, self.users_per_prompt)):
                self.user(row, p, u)
        return self.events


#: Strength bands for the calibration check: [lo, hi).
BANDS = ((0.5, 0.6), (0.6, 0.7), (0.7, 0.8), (0.8, 0.9), (0.9, 0.95), (0.95, 1.01))
#: A band is calibrated when its share right is within this of its mean strength (bands with fewer pairs than
#: ``MIN_BAND`` are reported but not judged).
CALIBRATION_TOLERANCE = 0.10
MIN_BAND = 20


def _direction(gap: float, n: int) -> str:
    """``share right - mean strength``: positive is under-confident (right more often than stated)."""
    if n < MIN_BAND:
        return "too few to judge"
    if gap > CALIBRATION_TOLERANCE:
        return "under-confident"
    if gap < -CALIBRATION_TOLERANCE:
        return "over-confident"
    return "calibrated"


def _band_row(name: str, inside: list[tuple[float, bool]]) -> dict[str, Any]:
    mean = sum(st for st, _ in inside) / len(inside)
    right = sum(ok for _, ok in inside) / len(inside)
    return {
        "band": name,
        "pairs": len(inside),
        "right": sum(ok for _, ok in inside),
        "mean_strength": round(mean, 4),
        "share_right": round(right, 4),
        "gap": round(right - mean, 4),
        "direction": _direction(right - mean, len(inside)),
        "calibrated": abs(right - mean) <= CALIBRATION_TOLERANCE if len(inside) >= MIN_BAND else None,
    }


def calibration(points: list[tuple[float, bool]], kinds: list[str] | None = None) -> dict[str, Any]:
    """Per strength band: pairs, mean strength, share whose chosen side is right, the gap between them and its
    direction (over- or under-confident), and whether they agree within the tolerance. With ``kinds`` (each
    point's pair kind), the same per kind."""
    bands = []
    for lo, hi in BANDS:
        inside = [(st, ok) for st, ok in points if lo <= st < hi]
        if inside:
            bands.append(_band_row(f"{lo:.2f}-{min(hi, 1.0):.2f}", inside))
    judged = [b["calibrated"] for b in bands if b["calibrated"] is not None]
    out: dict[str, Any] = {
        "bands": bands,
        "calibrated": all(judged) if judged else None,
        "judged_bands": len(judged),
        "calibrated_bands": sum(bool(j) for j in judged),
        "over_confident_bands": sum(b["direction"] == "over-confident" for b in bands),
        "under_confident_bands": sum(b["direction"] == "under-confident" for b in bands),
    }
    if kinds is not None:
        out["by_kind"] = [
            _band_row(kind, [pt for pt, k in zip(points, kinds, strict=True) if k == kind])
            for kind in sorted(set(kinds))
        ]
    return out


def score(store: Any, truth: list[dict[str, Any]]) -> dict[str, Any]:
    from sqlalchemy import select

    from prefloop.curator.pairing import group_key, similarity
    from prefloop.curator.store.models import Pair

    want = {group_key(t["prompt"], app_id="bench"): t for t in truth}
    for t in truth:  # also match traces without an app id
        want.setdefault(group_key(t["prompt"], app_id=""), t)
    status: Counter[str] = Counter()
    right = wrong = 0
    auto = set()
    reasons: Counter[str] = Counter()
    points: list[tuple[float, bool]] = []
    kinds: list[str] = []
    with store.session() as s:
        pairs = list(s.execute(select(Pair)).scalars())
    for p in pairs:
        found = want.get(p.group_key)
        if found is None:
            continue  # e.g. the continued turn's group
        # which true answer each side is (answers may be resampled variants: the nearer one)
        sides = []
        for text in (p.chosen, p.rejected):
            g, b = similarity(text, found["good"]), similarity(text, found["bad"])
            sides.append("good" if g > b else "bad" if b > g else None)
        if None in sides or sides[0] == sides[1]:
            continue  # two samples of the same answer: no true preference between them
        is_right = sides[0] == "good"
        status[p.status] += 1
        for r in p.route_reasons:
            reasons[f"{p.status}:{r.split(':')[0]}"] += 1
        if p.kind != "tie" and p.strength > 0.5 and p.status != "discarded":
            points.append((float(p.strength), is_right))
            kinds.append(p.kind)
        if p.status == "accepted":
            if is_right:
                right += 1
                auto.add(p.group_key)
            else:
                wrong += 1
    accepted = right + wrong
    distinct = sum(1 for t in truth if t["good"].strip() != t["bad"].strip())
    formed = status["accepted"] + status["review"]
    return {
        "prompts": len(truth),
        "pairs": sum(status.values()),
        "accepted": accepted,
        "review": status["review"],
        "discarded": status["discarded"],
        "accepted_right": right,
        "accepted_wrong": wrong,
        "precision_accepted": round(right / accepted, 4) if accepted else None,
        "share_accepted_automatically": round(accepted / formed, 4) if formed else None,
        "true_preferences_auto_accepted": round(len(auto) / distinct, 4) if distinct else None,
        "calibration": calibration(points, kinds),
        "route_reasons": dict(reasons.most_common(12)),
    }


#: The routing before issue 17, for ``--compare``: exact-answer evidence only, strength bar without tolerance.
BASELINE_POLICY = (
    "similarity:\n  merge_near_identical: false\naccept:\n  tolerance: 0.0\nhistory:\n  enabled: false\n"
    "learning:\n  enabled: false\n"
)


def _without_learning(policy: Path | None) -> str:
    """The policy (``policy`` over the packaged one) with learning from review outcomes switched off."""
    import yaml

    data = yaml.safe_load(policy.read_text(encoding="utf-8")) if policy else {}
    data = data or {}
    data["learning"] = {**(data.get("learning") or {}), "enabled": False}
    return str(yaml.safe_dump(data))


def run(
    trace: Path, truth: list[dict[str, Any]], *, tagger: bool = False, policy: Path | None = None
) -> dict[str, Any]:
    from prefloop.curator.ingest import FileSource
    from prefloop.curator.pairing import load_policy
    from prefloop.curator.pipeline import Curator
    from prefloop.curator.store import Store, upgrade

    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{tmp}/quality.db"
        upgrade(url)
        store = Store(url)
        tag = None
        if tagger:
            from prefloop.curator.tagging import Tagger

            tag = Tagger.load()
        t0 = time.perf_counter()
        totals = FileSource(Curator(store, load_policy(policy), tagger=tag, require_scrub=False), trace).run()
        elapsed = time.perf_counter() - t0
        log(f"ingested {totals.inserted} events in {elapsed:.1f}s; pairs by last routing: {totals.pairs}")
        result = score(store, truth)
        store.dispose()
    result["events"] = totals.inserted
    return result


def review_open_pairs(store: Any, truth: list[dict[str, Any]]) -> int:
    """Reviewers resolve every pair routed to review whose evidence has no conflict, and record what it teaches
    as the bot does (:func:`record_review_outcome`): each user behind it gets a confirmation or a contradiction,
    and so does the signal kind of a lone user's evidence (reviewers are taken to be right). Returns how many."""
    from sqlalchemy import select

    from prefloop.curator.pairing import group_key, similarity
    from prefloop.curator.pipeline.review_outcomes import record_review_outcome
    from prefloop.curator.store.models import Pair

    want = {group_key(t["prompt"], app_id="bench"): t for t in truth}
    n = 0
    with store.session() as s:
        for p in s.scalars(select(Pair).where(Pair.status == "review", Pair.conflicts == 0)):
            found = want.get(p.group_key)
            if found is None or not p.users:
                continue
            good = similarity(p.chosen, found["good"]) > similarity(p.chosen, found["bad"])
            record_review_outcome(s, p.users, p.signals, p.conflicts, agreed=good)
            n += 1
    return n


def run_with_history(
    first: Path, second: Path, truth: list[dict[str, Any]], later: list[dict[str, Any]], policy: Path | None
) -> dict[str, Any]:
    """Ingest ``first``, let reviewers resolve its review pairs (building users' histories and the signal kinds'
    records), ingest ``second`` and score the pairs of ``later`` (the second half's prompts) only."""
    from prefloop.curator.ingest import FileSource
    from prefloop.curator.pairing import load_policy
    from prefloop.curator.pairing.learning import learned_policy
    from prefloop.curator.pipeline import Curator
    from prefloop.curator.pipeline.review_outcomes import load_kind_outcomes
    from prefloop.curator.store import Store, upgrade

    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{tmp}/quality.db"
        upgrade(url)
        store = Store(url)
        curator = Curator(store, load_policy(policy), require_scrub=False)
        FileSource(curator, first).run()
        reviewed = review_open_pairs(store, truth)
        log(f"reviewers resolved {reviewed} pairs of the first half")
        totals = FileSource(curator, second).run()
        result = score(store, later)
        with store.session() as s:
            outcomes = load_kind_outcomes(s)
        store.dispose()
    result["kind_outcomes"] = {
        k: {"confirmed": c, "contradicted": x} for k, (c, x) in sorted(outcomes.items())
    }
    result["reliabilities"] = {
        k: round(v, 4) for k, v in learned_policy(curator.policy, outcomes).signals.items()
    }
    result["events"] = totals.inserted
    result["reviewed_first_half"] = reviewed
    return result


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="300 prompts instead of the whole split")
    ap.add_argument("--split", choices=("dev", "heldout", "all"), default="heldout")
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--tagger", action="store_true", help="also tag prompts (harm-tagged ones go to review)")
    ap.add_argument("--write-trace", type=Path, help="save the generated trace (and <name>.truth.jsonl)")
    ap.add_argument("--trace", type=Path, help="score this trace instead of generating one (needs --truth)")
    ap.add_argument("--truth", type=Path)
    ap.add_argument("--policy", type=Path, help="routing policy YAML merged over the packaged one")
    ap.add_argument("--traffic", choices=sorted(TRAFFIC), default="mixed", help="users per prompt")
    ap.add_argument(
        "--variants", type=float, default=0.0, help="share of answers shown as resampled variants"
    )
    ap.add_argument("--compare", action="store_true", help="also run the baseline policy on the same trace")
    ap.add_argument(
        "--history",
        type=int,
        default=0,
        metavar="USERS",
        help="returning users from a pool of USERS (half careful, half casual); reviewers resolve the first half's "
        "review pairs, the second half is scored (reviewer-verified history)",
    )
    ap.add_argument(
        "--reviewed-first",
        action="store_true",
        help="reviewers resolve the first half's review pairs, the second half is scored (what review outcomes "
        "teach pairing; implied by --history)",
    )
    ap.add_argument(
        "--compare-learning",
        action="store_true",
        help="also run the same halves with signal reliabilities not learned from review (before/after)",
    )
    args = ap.parse_args(argv)
    import logging

    logging.basicConfig(level=logging.WARNING)
    if args.trace:
        truth = [json.loads(x) for x in args.truth.read_text(encoding="utf-8").splitlines() if x.strip()]
        result = run(args.trace, truth, tagger=args.tagger, policy=args.policy)
        result.update(trace=str(args.trace))
    else:
        rows = load_rows(args.split, 300 if args.quick else None)
        builder = TraceBuilder(args.seed, users_per_prompt=TRAFFIC[args.traffic], variants=args.variants)
        if args.history:
            builder.with_pool(args.history)
        events = builder.build(rows)
        log(
            f"{len(rows)} prompts ({args.split}, {args.traffic} traffic), {len(events)} events, seed {args.seed}"
        )
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(args.write_trace or Path(tmp) / "trace.jsonl")
            path.write_text("".join(json.dumps(e) + "\n" for e in events), encoding="utf-8")
            if args.write_trace:
                truth_path = path.with_suffix(".truth.jsonl")
                truth_path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
            base = Path(tmp) / "baseline_policy.yaml"
            base.write_text(BASELINE_POLICY, encoding="utf-8")
            if args.history or args.reviewed_first:
                half = len(rows) // 2
                cut = builder.starts[half]
                first, second = Path(tmp) / "first.jsonl", Path(tmp) / "second.jsonl"
                first.write_text("".join(json.dumps(e) + "\n" for e in events[:cut]), encoding="utf-8")
                second.write_text("".join(json.dumps(e) + "\n" for e in events[cut:]), encoding="utf-8")
                result = run_with_history(first, second, rows, rows[half:], args.policy)
                if args.compare:
                    result["baseline"] = run_with_history(first, second, rows, rows[half:], base)
                if args.compare_learning:
                    off = Path(tmp) / "no_learning_policy.yaml"
                    off.write_text(_without_learning(args.policy), encoding="utf-8")
                    result["without_learning"] = run_with_history(first, second, rows, rows[half:], off)
            else:
                result = run(path, rows, tagger=args.tagger, policy=args.policy)
                if args.compare:
                    result["baseline"] = run(path, rows, tagger=args.tagger, policy=base)
        result.update(
            reviewed_first=bool(args.history or args.reviewed_first),
            split=args.split,
            seed=args.seed,
            traffic=args.traffic,
            variants=args.variants,
            history=args.history,
        )
    result["tagger"] = args.tagger
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
