"""Latency the capture extension adds to a Flask endpoint that records a ~2 KB answer.

    python -m benchmarks.capture_overhead [--quick] [--bootstrap HOST:PORT] [--no-busy] [--no-baselines]
    python -m benchmarks.capture_overhead --setup-baselines   # once: the Langfuse/LangSmith virtualenv
    python -m benchmarks.capture_overhead --quick --against REV   # REV's capture and this tree's, alternately

Everything below runs twice in one run: on the machine as it is ("quiet": its load average is recorded) and
"busy", with ``2 x cpu_count`` CPU-burning processes started next to it. Each condition reports the responses
capture refused (``refused_responses``: empty tokens or non-200 answers; goal 0). In each condition the same
harness then measures the Langfuse 5.2 and LangSmith 0.14 SDKs recording the same answer as a generation/LLM
run (their server unreachable: a closed local port, so no network cost inflates them), each in a worker
process of the separate virtualenv ``.cache/baselines/venv`` (neither SDK is a prefloop dependency);
``*_vs_langfuse`` / ``*_vs_langsmith`` are their added p50 over capture's (goal >= 6).

Apps in one process run the same endpoint — bare, and with ``FeedbackCapture`` calling
``response_shown(...)`` — called alternately through raw WSGI (no sockets, no test client), so both see the
same machine noise and the same background threads. Three configurations: Kafka up (the real local broker;
events really ship), Kafka down (a bootstrap address nothing listens on: connection refused, events pile up in
the spool), and embedded mode (no broker configured). All three live at once and are measured in alternating
blocks of 500 pairs, so their percentiles are comparable on a shared, noisy machine. ``added`` is the with-capture percentile minus the bare
percentile of the same phase. Progress on stderr; the last stdout line is one JSON object with
``added_p50_us``, ``added_p99_us`` (Kafka up) and ``broker_down_p99_ratio`` (with-capture p99, down / up).
It also times the feedback endpoint (which answers only once the click is in the spool file) under each
durability mode (``feedback_<mode>_p50_us`` / ``_p99_us``), ``response_shown(...)`` alone (best-of blocks;
``response_shown_us``, and ``response_shown_model_path_us`` with the full pydantic path forced) and records
the machine's load average.
"""

from __future__ import annotations

import argparse
import gc
import io
import json
import logging
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from flask import Flask, jsonify

from benchmarks.capture_baselines import run_baseline, setup_baselines
from benchmarks.capture_harness import (
    ANSWER,
    CONTEXT,
    REFUSED,
    answer_body,
    burners,
    environ_for,
    free_port,
    log,
    make_bare,
    measure,
    pct,
    start_response,
    warm_up,
)

ROOT = Path(__file__).resolve().parent.parent


def make_apps(config: dict[str, Any]) -> tuple[Flask, Flask, Any]:
    from prefloop.capture import FeedbackCapture

    bare = make_bare()
    ext = Flask("assistant")
    ext.config.update(SECRET_KEY="bench", PREFLOOP_CAPTURE_RATE_LIMIT_PER_MINUTE=0, **config)
    capture = FeedbackCapture(ext, user_loader=lambda: "user-42")

    @ext.get("/answer")
    def ext_answer() -> Any:
        conversation, text = answer_body()
        token = capture.response_shown(conversation_id=conversation, context=CONTEXT, text=text, model="m-1")
        if not token:
            REFUSED["n"] += 1
        return jsonify(conversation=conversation, text=text, token=token)

    return bare, ext, capture


def run_phases(phases: dict[str, dict[str, Any]], n: int) -> dict[str, dict[str, float]]:
    """All phases' apps live at once and are measured together (see :func:`measure`)."""
    apps = {name: make_apps(config) for name, config in phases.items()}
    try:
        for name, (bare, ext, capture) in apps.items():
            warm_up(bare, ext)
            if "up" in name:  # the sender is connected and shipping before the clock starts
                assert capture.flush(60, app=ext), "nothing shipped: is the broker up?"
        time.sleep(0.5)
        gc.collect()
        REFUSED["n"] = 0
        results = measure({name: (bare, ext) for name, (bare, ext, _) in apps.items()}, n)
        for name, result in results.items():
            _, ext, capture = apps[name]
            m = capture.metrics(ext)
            result["accepted"] = m.value("prefloop_capture_events_accepted_total", {"type": "response"})
            result["shipped"] = m.value("prefloop_capture_events_shipped_total")
            result["refused"] = sum(
                m.value("prefloop_capture_degraded_total", {"reason": reason})
                for reason in ("queue_full", "spool_full", "closed", "event_too_large", "invalid", "error")
            )
            log(f"{name}: " + ", ".join(f"{k}={v:.1f}" for k, v in result.items()))
        results["endpoint"] = {"refused": float(REFUSED["n"])}  # empty tokens + non-200 answers, all phases
        return results
    finally:
        for _, ext, capture in apps.values():
            capture.shutdown(timeout=2, app=ext)


def feedback_latency(mode: str, spool: Path, n: int) -> dict[str, float]:
    """Latency of POST /prefloop/feedback (which answers only once the event is in the spool file) under one
    durability mode, in embedded mode."""
    _, ext, capture = make_apps(
        {"PREFLOOP_CAPTURE_SPOOL_DIR": str(spool), "PREFLOOP_CAPTURE_DURABILITY": mode}
    )
    try:
        with ext.test_request_context():
            token = capture.response_shown(
                conversation_id="conv-1", context=CONTEXT, text=ANSWER, model="m-1"
            )
        body = json.dumps({"token": str(token), "rating": 1}).encode()

        def post() -> float:
            env = environ_for(0)
            env.update(
                REQUEST_METHOD="POST",
                PATH_INFO="/prefloop/feedback",
                QUERY_STRING="",
                CONTENT_TYPE="application/json",
                CONTENT_LENGTH=str(len(body)),
            )
            env["wsgi.input"] = io.BytesIO(body)
            t0 = time.perf_counter_ns()
            out = ext.wsgi_app(env, start_response)
            b"".join(out)
            out.close()
            return (time.perf_counter_ns() - t0) / 1000.0

        for _ in range(100):
            post()
        xs = [post() for _ in range(n)]
        result = {"p50_us": statistics.median(xs), "p99_us": pct(xs, 0.99)}
        result["fsyncs"] = capture.metrics(ext).value("prefloop_capture_spool_fsyncs_total")
        log(f"feedback endpoint, durability={mode}: " + ", ".join(f"{k}={v:.1f}" for k, v in result.items()))
        return result
    finally:
        capture.shutdown(timeout=2, app=ext)


def response_shown_cost(spool: Path, rounds: int) -> dict[str, float]:
    """``response_shown(...)`` alone, best of ``rounds`` blocks of 200 calls (embedded mode): the usual fast
    path, and the full pydantic path it falls back to for input the fast checks cannot vouch for."""
    _, ext, capture = make_apps({"PREFLOOP_CAPTURE_SPOOL_DIR": str(spool)})
    core = capture.core(ext)
    out = {}
    try:
        with ext.test_request_context():
            for name, fast in (("fast", True), ("model", False)):
                core._app_id_ok = fast  # False: every call takes the model path
                best = float("inf")
                for _ in range(rounds):
                    t0 = time.perf_counter_ns()
                    for _ in range(200):
                        capture.response_shown(
                            conversation_id="conv-1", context=CONTEXT, text=ANSWER, model="m-1"
                        )
                    best = min(best, (time.perf_counter_ns() - t0) / 200 / 1000.0)
                    capture.flush(10, app=ext)
                out[name] = best
        log(
            f"response_shown alone (best of {rounds} x 200): fast path {out['fast']:.1f} us, model path {out['model']:.1f} us"
        )
        return out
    finally:
        capture.shutdown(timeout=2, app=ext)


def prefloop_phases(root: Path, bootstrap: str, n: int) -> dict[str, dict[str, float]]:
    common = {"PREFLOOP_CAPTURE_KAFKA_TOPIC": "prefloop.bench.capture"}
    return run_phases(
        {
            "kafka up": {
                **common,
                "PREFLOOP_CAPTURE_SPOOL_DIR": str(root / "up"),
                "PREFLOOP_CAPTURE_KAFKA_BOOTSTRAP": bootstrap,
            },
            "kafka down": {
                **common,
                "PREFLOOP_CAPTURE_SPOOL_DIR": str(root / "down"),
                "PREFLOOP_CAPTURE_KAFKA_BOOTSTRAP": f"127.0.0.1:{free_port()}",
            },
            "embedded": {"PREFLOOP_CAPTURE_SPOOL_DIR": str(root / "embedded")},
        },
        n,
    )


def condition(name: str, root: Path, args: argparse.Namespace, n: int) -> dict[str, Any]:
    """One condition: capture's three phases, then each baseline, with the machine's load around them."""
    load_before = os.getloadavg()[0]
    log(f"--- condition {name}: load average {load_before:.2f}")
    results = prefloop_phases(root / name, args.bootstrap, n)
    up, down, embedded = results["kafka up"], results["kafka down"], results["embedded"]
    out: dict[str, Any] = {
        "load_average_1m": round(load_before, 2),
        "refused_responses": int(results["endpoint"]["refused"]),
        "added_p50_us": round(up["added_p50_us"], 2),
        "added_p99_us": round(up["added_p99_us"], 2),
        "broker_down_added_p50_us": round(down["added_p50_us"], 2),
        "broker_down_added_p99_us": round(down["added_p99_us"], 2),
        "embedded_added_p50_us": round(embedded["added_p50_us"], 2),
        "embedded_added_p99_us": round(embedded["added_p99_us"], 2),
        "broker_down_p99_ratio": round(down["capture_p99_us"] / up["capture_p99_us"], 3),
        "added_thread_cpu_p50_us": round(up["added_thread_cpu_p50_us"], 2),
        "embedded_added_thread_cpu_p50_us": round(embedded["added_thread_cpu_p50_us"], 2),
        "bare_thread_cpu_p50_us": round(up["bare_thread_cpu_p50_us"], 2),
        "bare_p50_us": round(up["bare_p50_us"], 2),
        "bare_p99_us": round(up["bare_p99_us"], 2),
        "shipped_while_up": int(up["shipped"]),
    }
    worst_p50 = max(up["added_p50_us"], down["added_p50_us"], embedded["added_p50_us"])
    if not args.no_baselines:
        for kind in ("langfuse", "langsmith"):
            got = run_baseline(kind, n)
            if got is None:
                continue
            out[f"{kind}_added_p50_us"] = round(got["added_p50_us"], 2)
            out[f"{kind}_added_p99_us"] = round(got["added_p99_us"], 2)
            out[f"{kind}_refused"] = int(got.get("refused", 0))
            out[f"vs_{kind}"] = round(got["added_p50_us"] / max(worst_p50, 0.01), 1)
            if "added_thread_cpu_p50_us" in got:
                out[f"{kind}_added_thread_cpu_p50_us"] = round(got["added_thread_cpu_p50_us"], 2)
    out["load_average_1m_after"] = round(os.getloadavg()[0], 2)
    out["goal_met"] = (
        out["refused_responses"] == 0
        and worst_p50 <= 20
        and up["added_p99_us"] <= 100
        and all(out.get(f"vs_{kind}", 6) >= 6 for kind in ("langfuse", "langsmith"))
    )
    return out


PACKAGES = ("capture", "curator", "schemas", "slackbot")  # the folders of prefloop's import names


def against(rev: str, rounds: int, passthrough: list[str]) -> None:
    """Run this harness ``rounds`` times alternately on ``rev``'s prefloop packages (``git archive`` into a
    temporary ``prefloop/`` first on ``PYTHONPATH``) and on this tree's, each in a fresh process, and print
    both sides: the median over rounds of every figure, and each round's headline figures."""
    with tempfile.TemporaryDirectory() as tmp:
        pkg = Path(tmp) / "prefloop"
        pkg.mkdir()
        tar = subprocess.run(
            ["git", "-C", str(ROOT), "archive", rev, *PACKAGES], capture_output=True, check=True
        )
        subprocess.run(["tar", "-x", "-C", str(pkg)], input=tar.stdout, check=True)
        sides = {"before": {**os.environ, "PYTHONPATH": tmp}, "after": dict(os.environ)}
        where = "import prefloop.capture as c; print(c.__file__)"
        for side, env in sides.items():
            got = subprocess.run([sys.executable, "-c", where], env=env, capture_output=True, text=True)
            log(f"{side}: prefloop.capture from {got.stdout.strip()}")
            assert (got.stdout.startswith(tmp)) == (side == "before"), "the packages were not switched"
        runs: dict[str, list[dict[str, Any]]] = {side: [] for side in sides}
        for r in range(rounds):
            for side, env in sides.items():
                log(f"=== round {r + 1}/{rounds}: {side} ({rev if side == 'before' else 'this tree'})")
                proc = subprocess.run(
                    [sys.executable, "-m", "benchmarks.capture_overhead", *passthrough],
                    env=env,
                    cwd=ROOT,
                    stdout=subprocess.PIPE,
                    text=True,
                    check=True,
                )
                runs[side].append(json.loads(proc.stdout.strip().splitlines()[-1]))
    headline = ("added_p50_us", "added_thread_cpu_p50_us", "load_average_1m", "vs_langfuse")
    result: dict[str, Any] = {"benchmark": "capture_overhead_against", "against": rev, "rounds": rounds}
    for side, results in runs.items():
        for key, value in results[0].items():
            if isinstance(value, int | float) and not isinstance(value, bool):
                result[f"{side}_{key}"] = round(statistics.median(r[key] for r in results if key in r), 2)
        for key in headline:
            result[f"{side}_{key}_rounds"] = [r.get(key) for r in results]
    print(json.dumps(result))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument(
        "--quick", action="store_true", help="3,000 interleaved pairs per phase instead of 20,000"
    )
    ap.add_argument("--bootstrap", default=f"127.0.0.1:{os.environ.get('PREFLOOP_KAFKA_PORT', '19092')}")
    ap.add_argument("--no-busy", action="store_true", help="skip the busy condition")
    ap.add_argument("--no-baselines", action="store_true", help="skip Langfuse and LangSmith")
    ap.add_argument("--setup-baselines", action="store_true", help="create .cache/baselines/venv and exit")
    ap.add_argument(
        "--against",
        metavar="REV",
        help="measure REV's prefloop and this tree's alternately (--rounds each, same harness and flags)",
    )
    ap.add_argument("--rounds", type=int, default=2, help="rounds per side with --against (default 2)")
    args = ap.parse_args()
    if args.setup_baselines:
        setup_baselines()
        return
    if args.against:
        flags = [f for f, on in (("--quick", args.quick), ("--no-busy", args.no_busy)) if on]
        if args.no_baselines:
            flags.append("--no-baselines")
        against(args.against, args.rounds, [*flags, "--bootstrap", args.bootstrap])
        return
    logging.getLogger("kafka").setLevel(logging.CRITICAL)  # connection-refused noise in the "down" phase
    n = 3_000 if args.quick else 20_000
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        conditions = {"quiet": condition("quiet", root, args, n)}
        if not args.no_busy:
            with burners(2 * (os.cpu_count() or 1)):
                conditions["busy"] = condition("busy", root, args, n)
        durability = {
            mode: feedback_latency(mode, root / f"durability-{mode}", n // 5)
            for mode in ("none", "interval", "always")
        }
        alone = response_shown_cost(root / "alone", 10 if args.quick else 40)
    quiet = conditions["quiet"]
    result = {
        "benchmark": "capture_overhead",
        "pairs_per_phase": n,
        **{k: v for k, v in quiet.items() if k != "goal_met"},
        **{f"busy_{k}": v for k, v in conditions.get("busy", {}).items() if k != "goal_met"},
        "response_shown_us": round(alone["fast"], 2),
        "response_shown_model_path_us": round(alone["model"], 2),
        **{f"feedback_{mode}_p50_us": round(d["p50_us"], 1) for mode, d in durability.items()},
        **{f"feedback_{mode}_p99_us": round(d["p99_us"], 1) for mode, d in durability.items()},
        "goal_met": all(c["goal_met"] for c in conditions.values()),
    }
    print(json.dumps(result))


if __name__ == "__main__":
    main()
