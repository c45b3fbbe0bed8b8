"""Build a release from N synthetic accepted pairs in the real local PostgreSQL: seconds and peak memory.

    python -m benchmarks.release_build [--pairs N] [--quick] [--database-url URL]
    python -m benchmarks.release_build --load-only --pairs N       # load, keep, print the database's name
    python -m benchmarks.release_build --reuse DATABASE [--paraphrase | --compare] [--encoder-processes K]

Creates a throw-away database (dropped afterwards), loads N pairs (2 per prompt group, one month) with COPY,
then builds the release in a child process so its peak RSS is the build's alone. Progress on stderr; the last
stdout line is one JSON object: {"pairs", "seconds", "peak_rss_mb", ...}.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
MONTH = "2026-10"
TACTICS = ("direct_request", "prompt_injection", "social_engineering", "gradual_escalation", "edge_case")
HAZARDS = ("violence", "harassment", "privacy", "illegal_activity", "deception_fraud", "self_harm", "hate")
WORDS = [
    "the",
    "a",
    "to",
    "of",
    "and",
    "in",
    "is",
    "for",
    "on",
    "with",
    "how",
    "what",
    "can",
    "you",
    "please",
    "my",
    "task",
    "create",
    "schedule",
    "remind",
    "email",
    "write",
    "summary",
    "meeting",
    "project",
    "report",
    "data",
    "plan",
    "list",
    "team",
    "budget",
    "review",
    "deadline",
    "update",
    "code",
    "python",
    "error",
    "help",
    "explain",
    "why",
    "when",
    "where",
    "which",
    "answer",
    "question",
    "detail",
    "example",
    "step",
    "first",
    "then",
    "next",
    "finally",
    "because",
]


def log(text: str) -> None:
    print(text, file=sys.stderr, flush=True)


def admin_url(given: str | None) -> str:
    if given:
        return given
    script = ROOT / "deploy" / "local" / "postgres"
    subprocess.run([str(script), "start"], check=True, capture_output=True, text=True)
    return subprocess.run([str(script), "url"], check=True, capture_output=True, text=True).stdout.strip()


def _psycopg_kwargs(url: str) -> dict[str, Any]:
    from sqlalchemy.engine import make_url

    u = make_url(url)
    return {"host": u.host, "port": u.port, "user": u.username, "password": u.password, "dbname": u.database}


def _prompt(g: int) -> str:
    digest = hashlib.blake2b(str(g).encode(), digest_size=18).digest()
    return f"{g} " + " ".join(WORDS[b % len(WORDS)] for b in digest) + "?"


def _text(rng: random.Random, n_words: int) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(n_words))


def load(url: str, pairs: int, seed: int = 7) -> None:
    """COPY ``pairs`` accepted pairs (2 per prompt group) into a migrated database."""
    import psycopg
    from psycopg.types.json import Jsonb

    rng = random.Random(seed)
    groups = (pairs + 1) // 2
    t0 = time.perf_counter()
    with psycopg.connect(**_psycopg_kwargs(url)) as conn, conn.cursor() as cur:
        with cur.copy(
            "COPY prompt_groups (key, context, app_id, first_seen, last_seen, dirty) FROM STDIN"
        ) as copy:
            for g in range(groups):
                text = _prompt(g)
                key = hashlib.sha256(text.encode()).hexdigest()
                copy.write_row(
                    (
                        key,
                        Jsonb([{"role": "user", "content": text}]),
                        "bench",
                        "2026-10-01",
                        "2026-10-01",
                        False,
                    )
                )
        log(f"loaded {groups} prompt groups in {time.perf_counter() - t0:.1f}s")
        cols = (
            "pair_id, group_key, chosen_human_written, prompt, chosen, rejected, scrubbed, scrubber_version, "
            "pii_counts, kind, strength, signals, conflicts, checks, tags, status, route_reasons, policy_version, "
            "review, rubric_version, meta, users, formed_at, created_at, updated_at"
        )
        written = 0
        with cur.copy(f"COPY pairs ({cols}) FROM STDIN") as copy:
            for g in range(groups):
                text = _prompt(g)
                key = hashlib.sha256(text.encode()).hexdigest()
                prompt = Jsonb([{"role": "user", "content": text}])
                for p in range(2):
                    if written == pairs:
                        break
                    reviewed = (g + p) % 5 == 0
                    tags: dict[str, object] = {
                        "tactic": TACTICS[g % len(TACTICS)] if g % 4 else None,
                        "hazards": [HAZARDS[(g + p) % len(HAZARDS)]] if g % 3 else [],
                        "scores": {},
                    }
                    review = (
                        Jsonb(
                            {
                                "outcome": "a",
                                "tally": {"a": 2, "b": 1},
                                "agreement": 0.67,
                                "policy_version": "quorum-1",
                            }
                        )
                        if reviewed
                        else None
                    )
                    day = 1 + (g % 28)
                    copy.write_row(
                        (
                            f"p{g:08d}{p}",
                            key,
                            False,
                            prompt,
                            _text(rng, 40 + (g % 30)),
                            _text(rng, 25 + (p * 7 + g) % 40),
                            True,
                            "scrub-1",
                            Jsonb({}),
                            "choice",
                            0.97,
                            Jsonb(
                                [
                                    {
                                        "kind": "choice",
                                        "favours": "chosen",
                                        "strength": 0.93,
                                        "event_ids": [f"e{g}"],
                                    }
                                ]
                            ),
                            0,
                            Jsonb([]),
                            Jsonb(tags),
                            "accepted",
                            Jsonb(["strong"]),
                            "routing-1",
                            review,
                            "rubric-1" if reviewed else None,
                            Jsonb(
                                {
                                    "prompt_source": "user",
                                    "models": {"chosen": "m-a", "rejected": "m-b"},
                                    "generation": {
                                        "chosen": {"temperature": 0.7},
                                        "rejected": {"temperature": 1.0},
                                    },
                                }
                            ),
                            Jsonb([f"u{g % 5000}"]),
                            f"2026-10-{day:02d} 12:00:00+00",
                            "2026-11-01 00:00:00+00",
                            "2026-11-01 00:00:00+00",
                        )
                    )
                    written += 1
                if g and g % 100_000 == 0:
                    log(f"  {written} pairs ...")
        conn.commit()
        cur.execute("ANALYZE pairs")
        conn.commit()
    log(f"loaded {pairs} pairs in {time.perf_counter() - t0:.1f}s")


def build_child(url: str, out: str, paraphrase: bool = False, encoder_processes: int = 2) -> None:
    """Run in the child process: build the month and print the manifest counts as JSON."""
    import logging
    import resource

    from prefloop.curator.releases import BuildOptions, GatePolicy, build_release
    from prefloop.curator.store import Store

    build_log = logging.getLogger("prefloop.curator.releases.build")  # its summary lines (encoder, phases)
    build_log.setLevel(logging.INFO)
    build_log.addHandler(logging.StreamHandler(sys.stderr))
    store = Store(url)
    t0, main0 = time.perf_counter(), time.thread_time()
    result = build_release(
        store,
        BuildOptions(
            month=MONTH,
            root=Path(out),
            progress=True,
            policy=GatePolicy(coverage="off"),
            paraphrase=paraphrase,
            encoder_processes=encoder_processes,
        ),
    )
    seconds = time.perf_counter() - t0
    main_cpu = time.thread_time() - main0  # the ordered pass's thread: the build's critical path
    encoders = resource.getrusage(resource.RUSAGE_CHILDREN)  # the build's only children: encoder processes
    store.dispose()
    size = sum(f.bytes for f in result.manifest.files)
    log(f"phases: {result.timings}")
    print(
        json.dumps(
            {
                "seconds": round(seconds, 2),
                "main_thread_cpu_seconds": round(main_cpu, 1),
                "pairs": result.manifest.counts["pairs"],
                "bytes": size,
                "phases": result.timings,
                "paraphrase_followed_split": result.manifest.counts.get("paraphrase_followed_split", 0),
                # one digest of every data file's sha256 (README, changelog and plot left out: they name the
                # code and the date): equal digests, equal release data
                "data_sha256": hashlib.sha256(
                    "".join(
                        f"{f.path}:{f.sha256}\n"
                        for f in sorted(result.manifest.files, key=lambda f: f.path)
                        if f.path.startswith(("data/", "jsonl/", "dataset/"))
                    ).encode()
                ).hexdigest(),
                # each data file's sha256, to compare builds file by file (also across layouts)
                "data_files": {
                    f.path: f.sha256
                    for f in result.manifest.files
                    if f.path.startswith(("data/", "jsonl/", "dataset/"))
                },
                # the largest encoder process's (the build's own peak is its parent's wait4 figure)
                "encoder_peak_rss_mb": round(encoders.ru_maxrss / 1024, 1) if paraphrase else None,
                # the encoder processes' CPU time (part of the build's, which wait4 counts with them)
                "encoder_cpu_seconds": round(encoders.ru_utime + encoders.ru_stime, 1)
                if paraphrase
                else None,
            }
        )
    )


def _run_build(
    url: str, paraphrase: bool, encoder_processes: int = 2, embeddings: Path | None = None
) -> dict[str, Any]:
    """One build in a child process; its own peak RSS (``wait4``), seconds and counts. With ``embeddings``,
    the build's embedding cache is that folder (kept between runs) instead of a fresh one."""
    out = tempfile.mkdtemp(prefix="prefloop-bench-release-")
    try:
        if embeddings is not None:
            embeddings.mkdir(parents=True, exist_ok=True)
            os.symlink(embeddings.resolve(), Path(out) / ".embeddings")
        cmd = [sys.executable, "-m", "benchmarks.release_build", "--_child", url, out]
        proc = subprocess.Popen(
            [*cmd, *(["--paraphrase"] if paraphrase else []), "--encoder-processes", str(encoder_processes)],
            cwd=ROOT,
            stdout=subprocess.PIPE,
            text=True,
        )
        assert proc.stdout is not None
        stdout = proc.stdout.read()
        _, status, usage = os.wait4(proc.pid, 0)
        proc.returncode = os.waitstatus_to_exitcode(status)
        if proc.returncode:
            raise SystemExit(f"the build failed (exit {proc.returncode})")
        child = json.loads(stdout.strip().splitlines()[-1])
    finally:
        shutil.rmtree(out, ignore_errors=True)
    return {
        "paraphrase": paraphrase,
        "pairs": child["pairs"],
        "seconds": child["seconds"],
        "peak_rss_mb": round(usage.ru_maxrss / 1024, 1),
        # the build process's own CPU time (not PostgreSQL's): moves far less with the machine's load than
        # the wall time does
        "cpu_seconds": round(usage.ru_utime + usage.ru_stime, 1),
        # of which the main thread's (the ordered pass; the other threads fetch, write and embed beside it)
        "main_thread_cpu_seconds": child.get("main_thread_cpu_seconds"),
        "release_bytes": child["bytes"],
        "phases": child["phases"],
        "paraphrase_followed_split": child["paraphrase_followed_split"],
        "data_sha256": child["data_sha256"],
        "data_files": child.get("data_files"),
        "encoder_processes": encoder_processes if paraphrase else 0,
        "encoder_peak_rss_mb": child.get("encoder_peak_rss_mb"),
        "encoder_cpu_seconds": child.get("encoder_cpu_seconds"),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--pairs", type=int, default=1_000_000)
    parser.add_argument("--quick", action="store_true", help="20,000 pairs (CI-sized)")
    parser.add_argument("--database-url", default=None, help="admin URL of a PostgreSQL with CREATEDB")
    parser.add_argument("--keep", action="store_true", help="keep the database (and the release folder)")
    parser.add_argument("--reuse", metavar="DATABASE", help="build from a database kept by --keep (no load)")
    parser.add_argument("--paraphrase", action="store_true", help="build with paraphrase-aware splits on")
    parser.add_argument(
        "--compare", action="store_true", help="build twice on the same data: paraphrase off, then on"
    )
    parser.add_argument(
        "--encoder-processes",
        type=int,
        default=2,
        help="processes the paraphrase encoder runs in (default 2)",
    )
    parser.add_argument(
        "--embeddings",
        type=Path,
        metavar="DIR",
        help="keep the builds' sentence embeddings in DIR (default: a fresh folder per build, a cold month)",
    )
    parser.add_argument(
        "--load-only", action="store_true", help="load a database, keep it and stop (build it with --reuse)"
    )
    parser.add_argument("--_child", nargs=2, metavar=("URL", "OUT"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args._child:
        build_child(*args._child, paraphrase=args.paraphrase, encoder_processes=args.encoder_processes)
        return 0
    pairs = 20_000 if args.quick else args.pairs

    import psycopg
    from sqlalchemy.engine import make_url

    from prefloop.curator.store import upgrade

    admin = admin_url(args.database_url)
    name = args.reuse or f"prefloop_bench_release_{uuid.uuid4().hex[:8]}"
    url = make_url(admin).set(database=name).render_as_string(hide_password=False)
    if not args.reuse:
        with psycopg.connect(**_psycopg_kwargs(admin), autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
    modes = [False, True] if args.compare else [args.paraphrase]
    runs = []
    try:
        upgrade(url)
        if not args.reuse:
            load(url, pairs)
        if args.load_only:
            modes = []
        for paraphrase in modes:
            with psycopg.connect(**_psycopg_kwargs(url), autocommit=True) as conn:  # nothing released yet
                conn.execute("DELETE FROM releases")
                # emptied, not deleted from: a rebuild records into clean tables, as the first build of a
                # month does, instead of finding every key recorded already or among dead index entries
                conn.execute("TRUNCATE released_prompts, released_pairs")
                conn.execute("DELETE FROM job_runs")
            log(f"building (paraphrase {'on' if paraphrase else 'off'}) ...")
            runs.append(_run_build(url, paraphrase, args.encoder_processes, args.embeddings))
    finally:
        if not (args.keep or args.reuse or args.load_only):
            with psycopg.connect(**_psycopg_kwargs(admin), autocommit=True) as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        else:
            log(f"kept database {name} (rerun the build with --reuse {name})")
    if not runs:
        print(json.dumps({"database": name, "pairs": pairs}))
        return 0
    result = {**runs[-1], "cpus": os.cpu_count(), "load_average": os.getloadavg()[0]}
    if args.compare:
        result["paraphrase_off"] = runs[0]
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
