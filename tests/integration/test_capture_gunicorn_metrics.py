"""``<prefix>/metrics`` under gunicorn with several workers and prometheus_client's multiprocess mode: whichever
worker answers the scrape reports what all workers counted, including a worker that was SIGKILLed since; with
Kafka, what the workers' sender processes shipped is counted once."""

from __future__ import annotations

import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest

from tests.integration.test_capture_process import topic  # noqa: F401 - the fixture

ROOT = Path(__file__).resolve().parents[2]
APP = "tests.integration.test_capture_process:create_app()"
# what docs/capture.md tells gunicorn users to put in their config: forget a dead worker's live gauges
CONFIG = """
from prometheus_client import multiprocess


def child_exit(server, worker):
    multiprocess.mark_process_dead(worker.pid)
"""

pytestmark = [pytest.mark.integration, pytest.mark.timeout(180)]


def _call(base: str, method: str, path: str, user: str, body: dict[str, Any] | None = None) -> Any:
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(
        base + path, data=data, method=method, headers={"X-User": user, "Content-Type": "application/json"}
    )
    with urllib.request.urlopen(req, timeout=30) as resp:
        raw = resp.read()
    return raw if path.endswith("/metrics") else json.loads(raw)


def _sample(text: bytes, name: str, labels: str = "") -> float:
    match = re.search(rb"^" + re.escape(f"{name}{labels}".encode()) + rb" (\S+)$", text, re.M)
    assert match, f"{name}{labels} not in the exposition"
    return float(match.group(1))


def _click(base: str, i: int) -> int:
    """One response shown and one thumbs-up on it; returns the pid of the worker that showed it."""
    user = f"user-{i % 5}"
    shown = _call(base, "GET", f"/chat?conversation=conv-{i}", user)
    answer = _call(base, "POST", "/prefloop/feedback", user, {"token": shown["token"], "rating": 1})
    assert answer["ok"] is True
    return int(shown["pid"])


def _scrapes(
    base: str, n: int, name: str = "prefloop_capture_events_accepted_total"
) -> list[tuple[float, ...]]:
    """``n`` concurrent scrapes (so several workers answer): (feedback accepted, responses accepted), or the
    value of ``name`` when it has no labels."""

    def one(_: int) -> tuple[float, ...]:
        text = _call(base, "GET", "/prefloop/metrics", "ops")
        if not name.startswith("prefloop_capture_events_accepted"):
            return (_sample(text, name),)
        return _sample(text, name, '{type="feedback"}'), _sample(text, name, '{type="response"}')

    with ThreadPoolExecutor(n) as pool:
        return list(pool.map(one, range(n)))


def _settle(base: str, expected: tuple[float, ...], timeout: float = 10.0) -> None:
    """Wait until a scrape shows ``expected`` (or give up quietly: the assertion after it says what was seen)."""
    deadline = time.monotonic() + timeout
    while _scrapes(base, 1)[0] != expected and time.monotonic() < deadline:
        time.sleep(0.05)


@pytest.mark.parametrize("mode", ["embedded", "kafka"])
def test_metrics_add_up_every_worker_of_a_gunicorn_server(
    mode: str, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    prom = tmp_path / "prometheus"
    prom.mkdir()
    (tmp_path / "gunicorn.conf.py").write_text(CONFIG)
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    options = {
        "PREFLOOP_CAPTURE_SPOOL_DIR": str(tmp_path / "spool"),
        "PREFLOOP_CAPTURE_RATE_LIMIT_PER_MINUTE": 0,
    }
    if mode == "kafka":  # each worker ships from a sender process of its own (the default)
        options["PREFLOOP_CAPTURE_KAFKA_BOOTSTRAP"] = request.getfixturevalue("kafka_bootstrap")
        options["PREFLOOP_CAPTURE_KAFKA_TOPIC"] = request.getfixturevalue("topic")
    env = {**os.environ, "PREFLOOP_TEST_APP": json.dumps(options), "PROMETHEUS_MULTIPROC_DIR": str(prom)}
    cmd = [sys.executable, "-m", "gunicorn", "--preload", "-w", "3", "-b", f"127.0.0.1:{port}"]
    cmd += ["-c", str(tmp_path / "gunicorn.conf.py"), "--graceful-timeout", "5", APP]
    master = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                _call(base, "GET", "/prefloop/status", "ops")
                break
            except (urllib.error.URLError, ConnectionError):
                assert master.poll() is None and time.monotonic() < deadline, "gunicorn did not start"
                time.sleep(0.2)

        with ThreadPoolExecutor(6) as pool:  # concurrent clicks: sync workers take them in turn
            pids = set(pool.map(lambda i: _click(base, i), range(40)))
        assert len(pids) >= 2, "the clicks should have reached several workers"
        # a response is counted when the spool writer takes it, a few ms after /chat answers: wait for the last
        _settle(base, (40.0, 40.0))
        assert set(_scrapes(base, 9)) == {(40.0, 40.0)}  # every scrape, whichever worker: all of them
        if mode == "kafka":  # 80 events shipped by three sender processes, each counted once
            deadline = time.monotonic() + 60
            while (shipped := _scrapes(base, 1, "prefloop_capture_events_shipped_total")[0][0]) < 80:
                assert time.monotonic() < deadline, shipped
                time.sleep(0.5)
            assert set(_scrapes(base, 9, "prefloop_capture_events_shipped_total")) == {(80.0,)}

        # a worker dies without a word; gunicorn starts another; what it counted is still counted
        os.kill(sorted(pids)[0], signal.SIGKILL)
        with ThreadPoolExecutor(6) as pool:
            list(pool.map(lambda i: _click(base, i), range(40, 50)))
        _settle(base, (50.0, 50.0))
        assert set(_scrapes(base, 9)) == {(50.0, 50.0)}
        text = _call(base, "GET", "/prefloop/metrics", "ops")
        assert _sample(text, "prefloop_capture_queue_depth") >= 0  # live gauges: summed over live workers
    finally:
        master.send_signal(signal.SIGTERM)
        try:
            _, err = master.communicate(timeout=30)
        except subprocess.TimeoutExpired:
            master.kill()
            _, err = master.communicate()
    assert b"Traceback" not in err, err.decode(errors="replace")[-3000:]
