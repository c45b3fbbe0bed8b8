"""Pairing quality: replay a trace with known preferences through ingest, pairing and routing.

`python -m benchmarks.pairing_quality [--quick] [--split dev|heldout|all] [--seed N] [--traffic mixed|single]
[--variants P] [--behaviour default|hurried] [--compare] [--history USERS] [--reviewed-first] [--compare-learning]`

The trace is built from Anthropic HH-RLHF (harmless-base test split, MIT, copied to benchmarks/data/hh_rlhf):
each row gives a conversation and two final answers with a known preference (``chosen`` is right). Simulated
users see the answers and click with noise (the behaviour model is `BEHAVIOUR` in benchmarks/pairing_trace.py and docs/perf/curator.md):
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
import json
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any

from benchmarks.pairing_calibration import calibration
from benchmarks.pairing_trace import BEHAVIOURS, TRAFFIC, TraceBuilder, load_rows


def log(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


def score(store: Any, truth: list[dict[str, Any]]) -> dict[str, Any]:
    from sqlalchemy import select

    from prefloop.curator.pairing import group_key, similarity
    from prefloop.curator.store.models import Pair

    want = {group_key(t["prompt"], app_id=t.get("app_id", "bench")): t for t in truth}
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
    """Reviewers resolve every pair routed to review and leave what the bot leaves: the resolved post with its
    outcome (what the calibration map of strength is fitted on) and what the resolution teaches
    (:func:`record_review_outcome`: each user behind a pair without conflicting evidence gets a confirmation or a
    contradiction, and so does the signal kind of a lone user's evidence). Reviewers are taken to be right.
    Returns how many. (Until session 9 they resolved only the pairs without conflicting evidence and left no
    post: those taught the same, the others teach nothing but the map.)"""
    from sqlalchemy import select

    from prefloop.curator.pairing import RUBRIC_VERSION, group_key, similarity
    from prefloop.curator.pipeline.review_outcomes import record_review_outcome
    from prefloop.curator.store.models import Pair, ReviewPost, utcnow

    want = {group_key(t["prompt"], app_id=t.get("app_id", "bench")): t for t in truth}
    n = 0
    with store.session() as s:
        for p in s.scalars(select(Pair).where(Pair.status == "review")):
            found = want.get(p.group_key)
            if found is None or not p.users:
                continue
            good = similarity(p.chosen, found["good"]) > similarity(p.chosen, found["bad"])
            record_review_outcome(s, p.users, p.signals, p.conflicts, agreed=good)
            s.add(
                ReviewPost(
                    pair_id=p.pair_id,
                    a_is="chosen",
                    state="resolved",
                    rubric_version=RUBRIC_VERSION,
                    outcome="chosen" if good else "rejected",
                    resolved_at=utcnow(),
                )
            )
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
    fitted = curator.strength_maps.fitted
    result["strength_map"] = fitted.to_dict() if fitted is not None else None
    result["kind_outcomes"] = {
        k: {"confirmed": c, "contradicted": x} for k, (c, x) in sorted(outcomes.items())
    }
    result["reliabilities"] = {
        k: round(v, 4) for k, v in learned_policy(curator.policy, outcomes).signals.items()
    }
    result["events"] = totals.inserted
    result["reviewed_first_half"] = reviewed
    return result


def replay(row: dict[str, Any], k: int) -> dict[str, Any]:
    """Pass ``k`` of a row (``--replays``): another app, and the user's last message marked with the pass, so
    the store-wide duplicate check (same prompt, chosen and rejected) does not take one pass's pairs for
    another's. Pass 0 is the row itself."""
    if not k:
        return row
    *before, last = row["prompt"]
    prompt = [*before, {**last, "content": f"{last['content']} [{k}]"}]
    return {**row, "app_id": f"bench-{k}", "prompt": prompt}


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
    ap.add_argument(
        "--behaviour",
        choices=sorted(BEHAVIOURS),
        default="default",
        help="how simulated users behave (hurried: the evaluation-only model of benchmarks/pairing_trace.py)",
    )
    ap.add_argument(
        "--replays",
        type=int,
        default=1,
        help="replay the split's prompts this many times to other users, each pass as another app with the "
        "user's last message marked (its own prompt groups, no duplicates of another pass): more pairs per run",
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
        rows = [replay(row, k) for k in range(args.replays) for row in rows]
        builder = TraceBuilder(
            args.seed,
            users_per_prompt=TRAFFIC[args.traffic],
            variants=args.variants,
            behaviour=BEHAVIOURS[args.behaviour],
        )
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
            behaviour=args.behaviour,
            replays=args.replays,
        )
    result["tagger"] = args.tagger
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
