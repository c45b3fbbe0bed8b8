"""Latency the capture extension adds to a Flask endpoint that records a ~2 KB answer.

    python -m benchmarks.capture_overhead [--quick] [--bootstrap HOST:PORT]

Two apps in one process run the same endpoint — bare, and with ``FeedbackCapture`` calling
``response_shown(...)`` — called alternately through raw WSGI (no sockets, no test client), so both see the
same machine noise and the same background threads. Three phases: Kafka up (the real local broker; events
really ship), Kafka down (a bootstrap address nothing listens on: connection refused, events pile up in the
spool), and embedded mode (no broker configured). ``added`` is the with-capture percentile minus the bare
percentile of the same phase. Progress on stderr; the last stdout line is one JSON object with
``added_p50_us``, ``added_p99_us`` (Kafka up) and ``broker_down_p99_ratio`` (with-capture p99, down / up).
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

from capture import FeedbackCapture

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


def run_phase(name: str, config: dict[str, Any], n: int) -> dict[str, float]:
    bare, ext, capture = make_apps(config)
    try:
        for i in range(500):  # warm up both (imports, caches, first connections)
            call(bare, i)
            call(ext, i)
        time.sleep(0.5)
        gc.collect()
        b: list[float] = []
        e: list[float] = []
        for i in range(n):
            if i % 2:
                b.append(call(bare, i))
                e.append(call(ext, i))
            else:
                e.append(call(ext, i))
                b.append(call(bare, i))
        paired = statistics.median(x - y for x, y in zip(e, b, strict=True))
        result = {
            "bare_p50_us": statistics.median(b),
            "bare_p99_us": pct(b, 0.99),
            "capture_p50_us": statistics.median(e),
            "capture_p99_us": pct(e, 0.99),
            "added_p50_us": statistics.median(e) - statistics.median(b),
            "added_p99_us": pct(e, 0.99) - pct(b, 0.99),
            "paired_median_us": paired,
        }
        m = capture.metrics(ext)
        result["accepted"] = m.value("prefloop_capture_events_accepted_total", {"type": "response"})
        result["shipped"] = m.value("prefloop_capture_events_shipped_total")
        log(f"{name}: " + ", ".join(f"{k}={v:.1f}" for k, v in result.items()))
        return result
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
        up = run_phase(
            "kafka up",
            {
                **common,
                "PREFLOOP_CAPTURE_SPOOL_DIR": str(root / "up"),
                "PREFLOOP_CAPTURE_KAFKA_BOOTSTRAP": args.bootstrap,
            },
            n,
        )
        down = run_phase(
            "kafka down",
            {
                **common,
                "PREFLOOP_CAPTURE_SPOOL_DIR": str(root / "down"),
                "PREFLOOP_CAPTURE_KAFKA_BOOTSTRAP": f"127.0.0.1:{free_port()}",
            },
            n,
        )
        embedded = run_phase("embedded", {"PREFLOOP_CAPTURE_SPOOL_DIR": str(root / "embedded")}, n)
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
        "goal_met": up["added_p50_us"] <= 20
        and up["added_p99_us"] <= 100
        and down["capture_p99_us"] <= 1.1 * up["capture_p99_us"],
    }
    print(json.dumps(result))


if __name__ == "__main__":
    main()
