"""The harness of :mod:`benchmarks.capture_overhead`: the same ~2 KB answer endpoint bare and instrumented,
called alternately through raw WSGI (no sockets, no test client), with wall and thread-CPU time per call and the
percentiles of what the instrumented endpoint added. Shared by capture's phases and the baseline SDKs' workers
(:mod:`benchmarks.capture_baselines`), which run in their own virtualenv: Flask and the standard library only."""

from __future__ import annotations

import io
import socket
import statistics
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from flask import Flask, jsonify, request

ANSWER = ("The quick brown fox jumps over the lazy dog. " * 46)[:2048]
CONTEXT = [
    {"role": "system", "content": "You are a helpful assistant."},
    {"role": "user", "content": "Tell me something about foxes and dogs, in about two kilobytes."},
]


def log(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


def answer_body() -> tuple[str, str]:
    conversation = request.args.get("c", "conv-1")
    return conversation, ANSWER


def make_bare() -> Flask:
    bare = Flask("bare")
    bare.config.update(SECRET_KEY="bench")  # the same app settings, minus capture

    @bare.get("/answer")
    def bare_answer() -> Any:
        conversation, text = answer_body()
        return jsonify(conversation=conversation, text=text, token=None)

    return bare


REFUSED = {"n": 0}  # responses the instrumented endpoint could not record (capture: an empty token)


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


def start_response(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> None:
    if not status.startswith("200"):
        REFUSED["n"] += 1  # the endpoint failed (e.g. 500): the response was not recorded either


#: thread CPU time of the last :func:`call` (µs): what the request cost its own thread, whatever else ran
THREAD_CPU = [0.0]


def call(app: Flask, i: int) -> float:
    """Wall time of one request (µs); its thread CPU time goes to ``THREAD_CPU[0]`` (read outside the wall
    clock's span: a thread-CPU read is a system call of ~1 µs)."""
    env = environ_for(i)
    c0 = time.thread_time_ns()
    t0 = time.perf_counter_ns()
    body = app.wsgi_app(env, start_response)
    b"".join(body)
    if hasattr(body, "close"):
        body.close()
    wall = (time.perf_counter_ns() - t0) / 1000.0
    THREAD_CPU[0] = (time.thread_time_ns() - c0) / 1000.0
    return wall


def pct(values: list[float], q: float) -> float:
    s = sorted(values)
    return s[min(len(s) - 1, int(q * len(s)))]


def measure(apps: dict[str, tuple[Flask, Flask]], n: int, block: int = 500) -> dict[str, dict[str, float]]:
    """Every app pair is measured in alternating blocks of ``block`` pairs (bare and instrumented calls
    interleaved), so all see the same machine noise. Returns the percentiles of each and what was added."""
    refused_before = REFUSED["n"]
    samples: dict[str, tuple[list[float], list[float]]] = {name: ([], []) for name in apps}
    cpu: dict[str, tuple[list[float], list[float]]] = {name: ([], []) for name in apps}
    for start in range(0, n, block):
        for name, (bare, ext) in apps.items():
            b, e = samples[name]
            bc, ec = cpu[name]
            for i in range(start, min(n, start + block)):
                if i % 2:
                    b.append(call(bare, i))
                    bc.append(THREAD_CPU[0])
                    e.append(call(ext, i))
                    ec.append(THREAD_CPU[0])
                else:
                    e.append(call(ext, i))
                    ec.append(THREAD_CPU[0])
                    b.append(call(bare, i))
                    bc.append(THREAD_CPU[0])
    results = {}
    for name, (b, e) in samples.items():
        bc, ec = cpu[name]
        results[name] = {
            "bare_thread_cpu_p50_us": statistics.median(bc),
            "added_thread_cpu_p50_us": statistics.median(ec) - statistics.median(bc),
            "bare_p50_us": statistics.median(b),
            "bare_p99_us": pct(b, 0.99),
            "capture_p50_us": statistics.median(e),
            "capture_p99_us": pct(e, 0.99),
            "added_p50_us": statistics.median(e) - statistics.median(b),
            "added_p99_us": pct(e, 0.99) - pct(b, 0.99),
            "paired_median_us": statistics.median(x - y for x, y in zip(e, b, strict=True)),
        }
    if len(apps) == 1:
        results[name]["refused"] = REFUSED["n"] - refused_before
    return results


def warm_up(bare: Flask, ext: Flask) -> None:
    for i in range(500):  # imports, caches, first connections
        call(bare, i)
        call(ext, i)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def burners(count: int) -> Iterator[None]:
    """``count`` processes that only burn CPU, for the "busy" condition."""
    procs = [
        subprocess.Popen([sys.executable, "-c", "while True: pass"], stdout=subprocess.DEVNULL)
        for _ in range(count)
    ]
    try:
        time.sleep(3)  # let the load show in the scheduler before measuring
        yield
    finally:
        for proc in procs:
            proc.kill()
        for proc in procs:
            proc.wait()
