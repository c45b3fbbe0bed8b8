"""Latency the capture extension adds to a Flask endpoint that records a ~2 KB answer.

    python -m benchmarks.capture_overhead [--quick] [--bootstrap HOST:PORT]

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
import socket
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from flask import Flask, jsonify, request

from prefloop.capture import FeedbackCapture

ANSWER = ("The quick brown fox jumps over the lazy dog. " * 46)[:2048]
CONTEXT = [
    {"role": "system", "content": "You are a helpful assistant."},
    {"role": "user", "content": "Tell me something about foxes and dogs, in about two kilobytes."},
]


def log(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


def make_apps(config: dict[str, Any]) -> tuple[Flask, Flask, FeedbackCapture]:
    def answer_body() -> tuple[str, str]:
        conversation = request.args.get("c", "conv-1")
        return conversation, ANSWER

    bare = Flask("bare")
    bare.config.update(SECRET_KEY="bench")  # the same app settings, minus capture

    @bare.get("/answer")
    def bare_answer() -> Any:
        conversation, text = answer_body()
        return jsonify(conversation=conversation, text=text, token=None)

    ext = Flask("assistant")
    ext.config.update(SECRET_KEY="bench", PREFLOOP_CAPTURE_RATE_LIMIT_PER_MINUTE=0, **config)
    capture = FeedbackCapture(ext, user_loader=lambda: "user-42")

    @ext.get("/answer")
    def ext_answer() -> Any:
        conversation, text = answer_body()
        token = capture.response_shown(conversation_id=conversation, context=CONTEXT, text=text, model="m-1")
        return jsonify(conversation=conversation, text=text, token=token)

    return bare, ext, capture


def environ_for(i: int) -> dict[str, Any]:
    return {
        "REQUEST_METHOD": "GET",
        "PATH_INFO": "/answer",
        "QUERY_STRING": f"c=conv-{i % 64}",
        "SERVER_NAME": "127.0.0.1",
        "SERVER_PORT": "80",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "wsgi.url_scheme": "http",
        "wsgi.input": io.BytesIO(b""),
        "wsgi.errors": sys.stderr,
        "wsgi.multithread": True,
        "wsgi.multiprocess": False,
        "wsgi.run_once": False,
        "wsgi.version": (1, 0),
    }


def _start_response(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> None:
    if not status.startswith("200"):
        raise RuntimeError(status)


def call(app: Flask, i: int) -> float:
    env = environ_for(i)
    t0 = time.perf_counter_ns()
    body = app.wsgi_app(env, _start_response)
    b"".join(body)
    if hasattr(body, "close"):
        body.close()
    return (time.perf_counter_ns() - t0) / 1000.0


def pct(values: list[float], q: float) -> float:
    s = sorted(values)
    return s[min(len(s) - 1, int(q * len(s)))]


def run_phases(phases: dict[str, dict[str, Any]], n: int, block: int = 500) -> dict[str, dict[str, float]]:
    """All phases' apps live at once and are measured in alternating blocks of ``block`` pairs, so every
    phase sees the same machine noise (this box is shared; sequential phases would compare noise)."""
    apps = {name: make_apps(config) for name, config in phases.items()}
    try:
        for name, (bare, ext, capture) in apps.items():
            for i in range(500):  # warm up (imports, caches, first connections)
                call(bare, i)
                call(ext, i)
            if "up" in name:  # the sender is connected and shipping before the clock starts
                assert capture.flush(60, app=ext), "nothing shipped: is the broker up?"
        time.sleep(0.5)
        gc.collect()
        samples: dict[str, tuple[list[float], list[float]]] = {name: ([], []) for name in apps}
        for start in range(0, n, block):
            for name, (bare, ext, _) in apps.items():
                b, e = samples[name]
                for i in range(start, min(n, start + block)):
                    if i % 2:
                        b.append(call(bare, i))
                        e.append(call(ext, i))
                    else:
                        e.append(call(ext, i))
                        b.append(call(bare, i))
        results = {}
        for name, (b, e) in samples.items():
            _, ext, capture = apps[name]
            result = {
                "bare_p50_us": statistics.median(b),
                "bare_p99_us": pct(b, 0.99),
                "capture_p50_us": statistics.median(e),
                "capture_p99_us": pct(e, 0.99),
                "added_p50_us": statistics.median(e) - statistics.median(b),
                "added_p99_us": pct(e, 0.99) - pct(b, 0.99),
                "paired_median_us": statistics.median(x - y for x, y in zip(e, b, strict=True)),
            }
            m = capture.metrics(ext)
            result["accepted"] = m.value("prefloop_capture_events_accepted_total", {"type": "response"})
            result["shipped"] = m.value("prefloop_capture_events_shipped_total")
            log(f"{name}: " + ", ".join(f"{k}={v:.1f}" for k, v in result.items()))
            results[name] = result
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
            out = ext.wsgi_app(env, _start_response)
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


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument(
        "--quick", action="store_true", help="3,000 interleaved pairs per phase instead of 20,000"
    )
    ap.add_argument("--bootstrap", default=f"127.0.0.1:{os.environ.get('PREFLOOP_KAFKA_PORT', '19092')}")
    args = ap.parse_args()
    logging.getLogger("kafka").setLevel(logging.CRITICAL)  # connection-refused noise in the "down" phase
    n = 3_000 if args.quick else 20_000
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        common = {"PREFLOOP_CAPTURE_KAFKA_TOPIC": "prefloop.bench.capture"}
        results = run_phases(
            {
                "kafka up": {
                    **common,
                    "PREFLOOP_CAPTURE_SPOOL_DIR": str(root / "up"),
                    "PREFLOOP_CAPTURE_KAFKA_BOOTSTRAP": args.bootstrap,
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
        up, down, embedded = results["kafka up"], results["kafka down"], results["embedded"]
        durability = {
            mode: feedback_latency(mode, root / f"durability-{mode}", n // 5)
            for mode in ("none", "interval", "always")
        }
        alone = response_shown_cost(root / "alone", 10 if args.quick else 40)
    result = {
        "benchmark": "capture_overhead",
        "pairs_per_phase": n,
        "added_p50_us": round(up["added_p50_us"], 2),
        "added_p99_us": round(up["added_p99_us"], 2),
        "broker_down_p99_ratio": round(down["capture_p99_us"] / up["capture_p99_us"], 3),
        "broker_down_added_p50_us": round(down["added_p50_us"], 2),
        "broker_down_added_p99_us": round(down["added_p99_us"], 2),
        "embedded_added_p50_us": round(embedded["added_p50_us"], 2),
        "embedded_added_p99_us": round(embedded["added_p99_us"], 2),
        "bare_p50_us": round(up["bare_p50_us"], 2),
        "bare_p99_us": round(up["bare_p99_us"], 2),
        "paired_median_added_us": round(up["paired_median_us"], 2),
        "shipped_while_up": int(up["shipped"]),
        "response_shown_us": round(alone["fast"], 2),
        "response_shown_model_path_us": round(alone["model"], 2),
        **{f"feedback_{mode}_p50_us": round(d["p50_us"], 1) for mode, d in durability.items()},
        **{f"feedback_{mode}_p99_us": round(d["p99_us"], 1) for mode, d in durability.items()},
        "load_average_1m": round(os.getloadavg()[0], 2),
        "goal_met": up["added_p50_us"] <= 20
        and up["added_p99_us"] <= 100
        and down["capture_p99_us"] <= 1.1 * up["capture_p99_us"],
    }
    print(json.dumps(result))


if __name__ == "__main__":
    main()
