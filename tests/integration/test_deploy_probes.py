"""The long-running roles as an operator runs them, each a real process: the bot under gunicorn on the
configured interface, and the health/readiness probes of the bot, the curator and the scheduler."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from prometheus_client.parser import text_string_to_metric_families

from prefloop.curator.store import Store
from prefloop.slackbot.emulator import SlackEmulator
from prefloop.slackbot.simulate import SignedClient, make_review_pairs
from tests.integration.test_curator_kafka import (
    close,
    curator_env,
    produce,
    start_curator,
    stderr_of,
    trace,
    wait_for,
)

pytestmark = pytest.mark.integration

SECRET = "3c1d0e6b7a58f2c4d9e8a7b6c5d4e3f2"


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket() as s:
        s.bind((host, 0))
        return int(s.getsockname()[1])


def get(url: str) -> tuple[int, dict[str, str], bytes]:
    try:
        with urllib.request.urlopen(url, timeout=5) as resp:
            return resp.status, dict(resp.headers), resp.read()
    except urllib.error.HTTPError as exc:
        return exc.code, dict(exc.headers), exc.read()


def answers(url: str) -> bool:
    try:
        get(url)
        return True
    except OSError:
        return False


def prefloop(env: dict[str, str], *args: str) -> subprocess.Popen[bytes]:
    log = tempfile.TemporaryFile()  # noqa: SIM115 - closed with the process object
    proc = subprocess.Popen(
        [sys.executable, "-m", "prefloop.curator.cli", *args], env=env, stderr=log, stdout=log
    )
    proc.log = log  # type: ignore[attr-defined]
    return proc


def base_env(url: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PREFLOOP_")}
    env["PREFLOOP_DATABASE_URL"] = url
    return env


@pytest.fixture()
def emulator() -> Iterator[SlackEmulator]:
    with SlackEmulator(usergroups={"S0REVIEW": ["U1", "U2", "U3"]}) as emu:
        yield emu


def test_the_bot_runs_under_gunicorn_on_the_configured_interface(
    postgres_url: str, emulator: SlackEmulator
) -> None:
    """PREFLOOP_SLACK_HOST/PORT pick the interface: here 127.0.0.2, so 127.0.0.1 must NOT answer. The bot
    serves signed Slack requests, its probes and metrics, posts review pairs, and stops cleanly on SIGTERM."""
    port = free_port("127.0.0.2")
    env = base_env(postgres_url) | {
        "PREFLOOP_SLACK_HOST": "127.0.0.2",
        "PREFLOOP_SLACK_PORT": str(port),
        "PREFLOOP_SLACK_BOT_TOKEN": "xoxb-test",
        "PREFLOOP_SLACK_SIGNING_SECRET": SECRET,
        "PREFLOOP_SLACK_API_URL": emulator.url,
        "PREFLOOP_SLACK_REVIEWER_GROUP": "S0REVIEW",
    }
    store = Store(postgres_url)
    make_review_pairs(store, 2)
    store.dispose()
    proc = prefloop(env, "slackbot", "serve", "--interval", "1")
    base = f"http://127.0.0.2:{port}"
    try:
        wait_for(lambda: answers(base + "/healthz") or proc.poll() is not None, 60, "the bot's port")
        assert proc.poll() is None, stderr_of(proc)
        status, headers, _ = get(base + "/healthz")
        assert status == 200 and headers.get("Server", "").startswith("gunicorn")
        assert not answers(f"http://127.0.0.1:{port}/healthz")  # bound to the configured interface only
        status, _, body = get(base + "/readyz")
        ready = json.loads(body)
        assert status == 200 and ready["ok"] and ready["outbox_worker"] == "running", ready
        client, forger = SignedClient(base, SECRET), SignedClient(base, "not-the-secret")
        try:
            code, text = client.send(
                json.dumps({"type": "url_verification", "challenge": "c-123"}), "application/json"
            )
            assert code == 200 and "c-123" in text
            assert forger.send(json.dumps({"type": "x"}), "application/json")[0] == 401
        finally:
            client.close()
            forger.close()
        wait_for(lambda: len(emulator.calls_to("chat.postMessage")) >= 2, 60, "the review posts")

        def sent() -> float:
            _, _, raw = get(base + "/metrics")
            samples = {
                s.labels["status"]: s.value
                for fam in text_string_to_metric_families(raw.decode())
                for s in fam.samples
                if s.name == "prefloop_slack_outbox_messages"
            }
            return samples.get("sent", 0.0)

        wait_for(lambda: sent() >= 2, 30, "the outbox counts in /metrics")
        t0 = time.monotonic()
        proc.send_signal(signal.SIGTERM)
        proc.wait(40)
        assert proc.returncode == 0, stderr_of(proc)
        assert time.monotonic() - t0 < 30
    finally:
        close(proc)


def test_the_bot_refuses_to_start_without_a_signing_secret(postgres_url: str) -> None:
    env = base_env(postgres_url) | {
        "PREFLOOP_SLACK_BOT_TOKEN": "xoxb-x",
        "PREFLOOP_SLACK_REVIEWER_GROUP": "S1",
    }
    done = subprocess.run(
        [sys.executable, "-m", "prefloop.curator.cli", "slackbot", "serve", "--port", str(free_port())],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode != 0
    assert "PREFLOOP_SLACK_SIGNING_SECRET" in done.stderr
    assert "Traceback" not in done.stderr and "Booting worker" not in done.stderr


def _probe(port: int, path: str) -> tuple[int, dict[str, Any]]:
    status, _, body = get(f"http://127.0.0.1:{port}{path}")
    return status, json.loads(body)


def test_curator_probes_say_whether_it_consumes_and_how_far_behind(
    kafka_bootstrap: str, kafka_topic: str, dlq_topic: str, postgres_url: str
) -> None:
    events, _ = trace(20)
    produce(kafka_bootstrap, kafka_topic, events)
    port = free_port()
    env = curator_env(postgres_url, kafka_bootstrap, kafka_topic, dlq_topic, f"g-{uuid.uuid4().hex[:8]}")
    proc = start_curator(env, "--metrics-port", str(port), "--metrics-addr", "127.0.0.1")
    try:
        wait_for(lambda: answers(f"http://127.0.0.1:{port}/healthz") or proc.poll() is not None, 60, "probes")
        assert proc.poll() is None, stderr_of(proc)
        assert _probe(port, "/healthz")[0] == 200
        seen: dict[str, Any] = {}

        def consuming() -> bool:
            status, report = _probe(port, "/readyz")
            seen.update(report)
            return status == 200 and report["partitions"] != [] and report["lag_total"] == 0

        wait_for(consuming, 90, "the curator to consume its partitions and catch up")
        assert seen["ok"] and seen["consuming"] and seen["mode"] == "kafka"
        assert seen["database"] == "ok" and seen["last_poll_age_s"] < 30
        assert sorted(seen["partitions"]) == sorted(int(p) for p in seen["lag"])
        _, _, raw = get(f"http://127.0.0.1:{port}/metrics")
        lags = [
            s.value
            for fam in text_string_to_metric_families(raw.decode())
            for s in fam.samples
            if s.name == "prefloop_curator_consumer_lag"
        ]
        assert lags and sum(lags) == seen["lag_total"]
        assert get(f"http://127.0.0.1:{port}/nope")[0] == 404
        proc.send_signal(signal.SIGTERM)
        proc.wait(60)
        assert proc.returncode == 0, stderr_of(proc)
    finally:
        close(proc)


def test_scheduler_probes_report_the_next_run(postgres_url: str) -> None:
    port = free_port()
    proc = prefloop(
        base_env(postgres_url), "scheduler", "run", "--metrics-port", str(port), "--metrics-addr", "127.0.0.1"
    )
    try:
        wait_for(lambda: answers(f"http://127.0.0.1:{port}/healthz") or proc.poll() is not None, 60, "probes")
        assert proc.poll() is None, stderr_of(proc)
        report: dict[str, Any] = {}

        def ready() -> bool:
            status, body = _probe(port, "/readyz")
            report.update(body)
            return status == 200

        wait_for(ready, 30, "the scheduler to be ready")
        assert report["running"] and report["next_run_time"].startswith(("20",))
        t0 = time.monotonic()
        proc.send_signal(signal.SIGTERM)  # a container stop: exits at once, not after the kill timeout
        proc.wait(30)
        assert proc.returncode == 0, stderr_of(proc)
        assert time.monotonic() - t0 < 15
    finally:
        close(proc)


def test_a_role_started_before_the_migration_waits_for_it(tmp_path: Path) -> None:
    """As in compose, where every service starts at once: the scheduler waits (--wait) for `db upgrade`."""
    url = f"sqlite:///{tmp_path / 'fresh.db'}"
    port = free_port()
    proc = prefloop(base_env(url), "scheduler", "run", "--wait", "300", "--metrics-port", str(port))
    try:
        wait_for(lambda: "waiting for the migrated database" in stderr_of(proc), 30, "the scheduler to wait")
        assert proc.poll() is None, stderr_of(proc)
        upgrade = subprocess.run(
            [sys.executable, "-m", "prefloop.curator.cli", "db", "upgrade"],
            env=base_env(url),
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert upgrade.returncode == 0, upgrade.stderr
        wait_for(
            lambda: answers(f"http://127.0.0.1:{port}/readyz") and _probe(port, "/readyz")[0] == 200,
            120,
            "the scheduler to be ready after the migration",
        )
        proc.send_signal(signal.SIGTERM)
        proc.wait(30)
        assert proc.returncode == 0, stderr_of(proc)
    finally:
        close(proc)
