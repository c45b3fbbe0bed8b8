"""Votes per second through the real bolt app over HTTP, and ack latency with 50 concurrent reviewers.

    python -m benchmarks.slack_votes [--quick] [--database-url URL] [--think-ms N] [--trace PREFIX]
                                     [--emulator-in-process]

The bot runs as in production (werkzeug threaded server, bolt's Flask adapter, signature check, the store,
the outbox worker) against the local Slack emulator, which runs in a process of its own as Slack's API is another
service in production (``--emulator-in-process`` puts it in the bot's process, as before session 11: its HTTP
handling then shares the bot's interpreter lock). Each simulated reviewer is a thread with its own
keep-alive connection sending signed block_actions requests; every pair gets three votes (quorum 2 of 3),
so quorum checks, resolutions (chat.update through the outbox) and late votes on resolved pairs all happen.
Progress goes to stderr; the last stdout line is one JSON object. ``--trace PREFIX`` also records where each
vote's time goes inside the bot (:mod:`benchmarks.slack_trace`): ``PREFIX.<phase>.jsonl`` and a summary.
"""

from __future__ import annotations

import argparse
import json
import logging
import multiprocessing
import random
import statistics
import sys
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path
from typing import Any

from prefloop.curator.settings import Settings
from prefloop.curator.store import Store, upgrade
from prefloop.slackbot.simulate import (
    PostedPair,
    SignedClient,
    block_action,
    make_review_pairs,
    posted_pairs,
    start_emulated_bot,
)

SECRET = "benchmark-signing-secret"


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def _reviewers(
    app_url: str, work: list[list[tuple[str, str, str, str, str]]], think_ms: float, start_at: float
) -> tuple[list[float], list[int], float, list[tuple[str, str, float, int]]]:
    """One load process: a thread per simulated reviewer, each with its own keep-alive connection. Returns the
    latencies, the HTTP statuses, when it ended, and per vote (user, action_ts, latency, status)."""
    latencies: list[float] = []
    statuses: list[int] = []
    per_vote: list[tuple[str, str, float, int]] = []
    lock = threading.Lock()

    def reviewer(votes: list[tuple[str, str, str, str, str]]) -> None:
        if not votes:
            return
        client = SignedClient(app_url, SECRET)
        rng = random.Random(votes[0][0])
        lat, sts, each = [], [], []
        time.sleep(max(0.0, start_at - time.time()))
        for user, channel, ts, pair_id, choice in votes:
            if think_ms:
                time.sleep(rng.expovariate(1000.0 / think_ms))
            payload = block_action(user, PostedPair(channel, ts, pair_id), choice, "correctness")
            t0 = time.perf_counter()
            status, _ = client.action(payload)
            took = time.perf_counter() - t0
            lat.append(took)
            sts.append(status)
            each.append((user, payload["actions"][0]["action_ts"], took, status))
        client.close()
        with lock:
            latencies.extend(lat)
            statuses.extend(sts)
            per_vote.extend(each)

    threads = [threading.Thread(target=reviewer, args=(votes,)) for votes in work]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return latencies, statuses, time.time(), per_vote


class _ErrorLines(logging.Handler):
    """Counts the bot's log lines at WARNING and above during a run (failed listeners, refused clicks)."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.counts: Counter[str] = Counter()

    def emit(self, record: logging.LogRecord) -> None:
        if record.name.startswith(("slack_bolt", "prefloop.slackbot")):
            self.counts[f"{record.levelname} {record.name}: {str(record.msg)[:60]}"] += 1


def run(
    pairs: int,
    reviewers: int,
    think_ms: float,
    database_url: str | None,
    seed: int = 0,
    processes: int = 2,
    trace: str | None = None,
    emulator_in_process: bool = False,
) -> dict[str, Any]:
    tmp = tempfile.mkdtemp(prefix="prefloop-slackbench-")
    url = database_url or f"sqlite:///{Path(tmp) / 'bench.db'}"
    upgrade(url)
    store = Store(url)
    users = [f"U{i:04d}" for i in range(reviewers)]
    settings = Settings.load({}, database_url=url, slack_channel="#prefloop-review")
    emulator = None
    if not emulator_in_process:
        from benchmarks.slack_emulator_process import EmulatorProcess

        emulator = EmulatorProcess(usergroups={"S0PREFLOOPREVIEW": users, "S0PREFLOOPADJ": ["UADJ"]})
    bot = start_emulated_bot(
        settings, store, reviewers=users, adjudicators=["UADJ"], signing_secret=SECRET, emulator=emulator
    )
    errors = _ErrorLines()
    logging.getLogger().addHandler(errors)
    tracer: Any = None
    sampler: Any = None
    if trace:
        from benchmarks.slack_trace import Tracer

        tracer = Tracer()
        tracer.attach(bot)
    try:
        before = bot.bot.service.queue_counts()
        make_review_pairs(store, pairs, seed=seed + int(time.time()))
        bot.bot.service.enqueue_pending()
        deadline = time.monotonic() + 120
        while len(posted_pairs(bot.emulator)) < pairs and time.monotonic() < deadline:
            time.sleep(0.1)
        posts = posted_pairs(bot.emulator)
        print(f"posted {len(posts)} pairs; {reviewers} reviewers start voting", file=sys.stderr)
        rng = random.Random(seed)
        tasks: dict[str, list[tuple[int, str]]] = {u: [] for u in users}
        for i, _post in enumerate(posts):
            for k in range(3):
                tasks[users[(i * 3 + k) % reviewers]].append((i, rng.choice(["a", "a", "b", "tie"])))
        warm = SignedClient(bot.url, SECRET)  # fills the member cache like the first vote after start-up
        warm.action(block_action("U_WARMUP", posts[0], "a"))
        warm.close()

        # The reviewers run in separate processes (as Slack's requests come from elsewhere), so the
        # load generator does not share the bot's interpreter lock.
        work = [
            [(u, posts[i].channel, posts[i].ts, posts[i].pair_id, choice) for i, choice in tasks[u]]
            for u in users
        ]
        procs = max(1, min(processes, reviewers))
        chunks = [work[i::procs] for i in range(procs)]
        start_at = time.time() + 3.0
        ctx = multiprocessing.get_context("spawn")
        if trace and store.dialect == "postgresql":
            from benchmarks.slack_trace import sample_waits

            stop, waits = ctx.Event(), ctx.Queue()
            sampler = (ctx.Process(target=sample_waits, args=(url, stop, waits)), stop, waits)
            sampler[0].start()
        with ctx.Pool(procs) as pool:
            jobs = [pool.apply_async(_reviewers, (bot.url, chunk, think_ms, start_at)) for chunk in chunks]
            outcomes = [job.get(timeout=600) for job in jobs]
        latencies = [lat for lats, _, _, _ in outcomes for lat in lats]
        statuses = [st for _, sts, _, _ in outcomes for st in sts]
        elapsed = max(end for _, _, end, _ in outcomes) - start_at
        wait_samples: Any = None
        if sampler is not None:
            sampler[1].set()
            wait_samples = sampler[2].get(timeout=60)
            sampler[0].join(10)
        t1 = time.perf_counter()
        while bot.bot.outbox.pending() and time.perf_counter() - t1 < 120:
            time.sleep(0.1)
        drained = time.perf_counter() - t1
        after = bot.bot.service.queue_counts()
        counts = {k: after[k] - before.get(k, 0) for k in after}  # a reused database keeps earlier runs
        result = {
            "backend": store.dialect,
            "reviewers": reviewers,
            "pairs": len(posts),
            "votes": len(latencies),
            "think_ms": think_ms,
            "errors": sum(s != 200 for s in statuses),
            "statuses": {str(k): v for k, v in sorted(Counter(statuses).items())},
            "log_lines": dict(errors.counts),
            "resolved": counts["resolved"],
            "escalated": counts["escalated"],
            "elapsed_s": round(elapsed, 3),
            "votes_per_s": round(len(latencies) / elapsed, 1),
            "ack_p50_ms": round(statistics.median(latencies) * 1000, 1),
            "ack_p99_ms": round(_percentile(latencies, 0.99) * 1000, 1),
            "ack_max_ms": round(max(latencies) * 1000, 1),
            "outbox_drain_after_s": round(drained, 2),
            "slack_calls": len(bot.emulator.calls),
            "emulator": "in the bot's process" if emulator_in_process else "own process",
        }
        print(json.dumps(result), file=sys.stderr)
        if tracer is not None and trace:
            phase = "paced" if think_ms else "saturated"
            per_vote = [v for _, _, _, each in outcomes for v in each]
            summary = tracer.write(Path(f"{trace}.{phase}.jsonl"), per_vote)
            if wait_samples is not None:
                samples, counts = wait_samples
                summary["pg_backends"] = {
                    "samples": samples,
                    "mean_busy_backends": {
                        " | ".join(k): round(n / samples, 3) for k, n in counts.most_common(25)
                    },
                }
            Path(f"{trace}.{phase}.summary.json").write_text(json.dumps(summary, indent=1))
            print(json.dumps(summary, indent=1), file=sys.stderr)
        return result
    finally:
        logging.getLogger().removeHandler(errors)
        bot.stop()
        store.dispose()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small run (CI smoke)")
    parser.add_argument("--reviewers", type=int, default=50)
    parser.add_argument("--pairs", type=int, default=None, help="default 100 (--quick) or 600")
    parser.add_argument(
        "--think-ms", type=float, default=None, help="mean think time between a reviewer's votes"
    )
    parser.add_argument("--database-url", default=None, help="default: a fresh SQLite file")
    parser.add_argument("--processes", type=int, default=2, help="load-generator processes")
    parser.add_argument(
        "--trace", default=None, metavar="PREFIX", help="record where each vote's time goes in the bot"
    )
    parser.add_argument(
        "--phase", choices=("both", "saturated", "paced"), default="both", help="run one phase only"
    )
    parser.add_argument(
        "--emulator-in-process",
        action="store_true",
        help="run the Slack emulator inside the bot's process (sharing its interpreter lock), as before session 11",
    )
    ns = parser.parse_args(argv)
    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # no access log per vote
    pairs = ns.pairs or (100 if ns.quick else 600)
    # Saturation: every reviewer clicks as fast as acks come back (throughput). Then 50 reviewers with a
    # think time between votes (ack latency as reviewers see it).
    think = ns.think_ms if ns.think_ms is not None else 1000.0
    phases: dict[str, dict[str, Any]] = {}
    if ns.phase in ("both", "saturated"):
        phases["saturated"] = run(
            pairs,
            ns.reviewers,
            0.0,
            ns.database_url,
            processes=ns.processes,
            trace=ns.trace,
            emulator_in_process=ns.emulator_in_process,
        )
    if ns.phase in ("both", "paced"):
        phases["paced"] = run(
            pairs,
            ns.reviewers,
            think,
            ns.database_url,
            seed=1,
            processes=ns.processes,
            trace=ns.trace,
            emulator_in_process=ns.emulator_in_process,
        )
    saturated, paced = phases.get("saturated", {}), phases.get("paced", {})
    summary = {
        "votes_per_s": saturated.get("votes_per_s"),
        "ack_p50_ms": paced.get("ack_p50_ms"),
        "ack_p99_ms": paced.get("ack_p99_ms"),
        **phases,
    }
    print(json.dumps(summary))


if __name__ == "__main__":
    main()
