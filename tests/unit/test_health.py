"""Liveness/readiness as plain functions, and the ops server that serves them over real HTTP."""

from __future__ import annotations

import json
import urllib.error
import urllib.request

from prefloop.curator.health import ConsumerState, consumer_liveness, consumer_readiness, scheduler_readiness
from prefloop.curator.ops_server import OpsServer
from prefloop.curator.store import Store
from prefloop.slackbot.ops import bot_readiness


def test_a_consumer_that_polls_is_ready_and_reports_its_lag() -> None:
    state = ConsumerState(started_at=0.0)
    state.polled((0, 1, 2), now=100.0)
    assert consumer_readiness(state, now=100.0)[1]["lag_total"] is None  # assigned, lag not measured yet
    state.set_lag({0: 5, 2: 7})
    assert consumer_readiness(state, now=100.0)[1]["lag_total"] is None  # partition 1's lag still unknown
    state.set_lag({0: 5, 1: 0, 2: 7})
    ok, detail = consumer_readiness(state, now=101.0)
    assert ok and detail["consuming"]
    assert detail["lag"] == {"0": 5, "1": 0, "2": 7} and detail["lag_total"] == 12
    assert detail["partitions"] == [0, 1, 2] and detail["last_poll_age_s"] == 1.0


def test_a_revoked_partition_leaves_the_lag_report() -> None:
    state = ConsumerState(started_at=0.0)
    state.polled((0, 1), now=1.0)
    state.set_lag({0: 3, 1: 4})
    state.polled((1,), now=2.0)
    assert consumer_readiness(state, now=2.0)[1]["lag"] == {"1": 4}


def test_not_ready_before_the_first_poll_after_a_stale_poll_or_while_the_database_fails() -> None:
    state = ConsumerState(started_at=0.0)
    assert not consumer_readiness(state, now=1.0)[0]  # still loading the models
    assert consumer_liveness(state, now=1.0)[0]
    state.polled((0,), now=10.0)
    assert not consumer_readiness(state, now=41.0)[0]
    state.polled((0,), now=50.0)
    state.db_failed("OperationalError", now=50.0)
    ok, detail = consumer_readiness(state, now=60.0)
    assert not ok and detail["database"] == "failing for 10s (OperationalError)"
    assert consumer_liveness(state, now=1000.0)[0]  # waiting for the database: a restart would not help
    state.db_ok()
    assert not consumer_liveness(state, now=1000.0)[0]  # stuck for 950 s for another reason
    state.polled((0,), now=1001.0)
    assert consumer_readiness(state, now=1001.0)[0]


def test_a_stopped_consumer_is_not_ready() -> None:
    state = ConsumerState(started_at=0.0)
    state.polled((0,), now=1.0)
    state.stopped = True
    assert not consumer_readiness(state, now=1.0)[0]


def test_scheduler_is_ready_with_a_next_run() -> None:
    assert scheduler_readiness(True, "2027-01-01 02:00:00+00:00") == (
        True,
        {"running": True, "next_run_time": "2027-01-01 02:00:00+00:00"},
    )
    assert not scheduler_readiness(True, None)[0]
    assert not scheduler_readiness(False, "x")[0]


def _get(url: str) -> tuple[int, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=5) as resp:
            return resp.status, resp.read()
    except urllib.error.HTTPError as exc:
        body = exc.read()
        exc.close()
        return exc.code, body


def test_ops_server_serves_probes_metrics_and_a_failing_probe_as_503() -> None:
    def boom() -> tuple[bool, dict[str, object]]:
        raise ConnectionRefusedError("database away")

    server = OpsServer(0, "127.0.0.1", metrics=lambda: b"m 1\n", live=lambda: (True, {"x": 1}), ready=boom)
    try:
        base = f"http://127.0.0.1:{server.port}"
        assert _get(base + "/healthz") == (200, b'{"ok": true, "x": 1}')
        status, body = _get(base + "/readyz")
        assert status == 503 and json.loads(body) == {"ok": False, "error": "ConnectionRefusedError"}
        assert _get(base + "/metrics") == (200, b"m 1\n")
        assert _get(base + "/other")[0] == 404
    finally:
        server.close()


def test_bot_is_not_ready_when_its_store_does_not_answer() -> None:
    """A real store URL on a port where nothing listens: the probe reports the error, never a 500/traceback."""
    from prefloop.curator.ops_server import json_probe

    store = Store("postgresql+psycopg://u:p@127.0.0.1:9/none?connect_timeout=2")
    try:
        status, body = json_probe(lambda: bot_readiness(store, outbox_alive=True))
    finally:
        store.dispose()
    assert status == 503 and json.loads(body) == {"ok": False, "error": "OperationalError"}


def test_the_image_healthcheck_probes_the_role_pid_1_runs() -> None:
    from prefloop.curator.cli.health import probe_url, role_argv
    from prefloop.curator.settings import Settings

    s = Settings.load({}, metrics_port=9400, slack_port=3000)

    def cmdline(*words: str) -> bytes:  # as /proc/1/cmdline holds it
        return b"".join(w.encode() + b"\x00" for w in words)

    venv = ("/opt/prefloop/bin/python", "/opt/prefloop/bin/prefloop")
    assert role_argv(cmdline(*venv, "curator", "run", "--wait", "300")) == ["curator", "run", "--wait", "300"]
    assert role_argv(cmdline("python", "-m", "prefloop.curator.cli", "scheduler", "run")) == [
        "scheduler",
        "run",
    ]
    assert role_argv(b"/bin/bash\0") == []
    assert probe_url(["curator", "run"], s) == "http://127.0.0.1:9400/healthz"
    assert probe_url(["curator", "run", "--metrics-port", "9500"], s) == "http://127.0.0.1:9500/healthz"
    assert probe_url(["scheduler", "run", "--metrics-port=9600"], s) == "http://127.0.0.1:9600/healthz"
    assert probe_url(["slackbot", "serve", "--wait", "300"], s) == "http://127.0.0.1:3000/healthz"
    assert probe_url(["slackbot", "serve", "--socket-mode"], s) is None
    assert probe_url(["db", "upgrade"], s) is None
    assert probe_url(["curator", "run"], Settings.load({})) is None  # no metrics port: nothing to probe
