"""Capture under the faults of issue 16, in real app processes against the real broker: a full spool never
breaks the host's page, an event over the size limit is refused at the call site, a record Kafka refuses is
set aside while everything after it ships, a killed sidecar is restarted, a dead process's spool ships before
the newer events of the same conversation, and tokens are bound to their app and to a past issue time.

The apps are the child programs of ``test_capture_process`` (``serve``); their log lines go to a file the
tests read (no traceback, no user text, one line per interval).
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.integration import test_capture_process as process_tests
from tests.integration.test_capture_process import (
    SECRET,
    Child,
    app_options,
    broker,
    consume,
    first_arrivals,
    http,
    kafka_clients,
    metrics_text,
)

pytestmark = pytest.mark.integration
topic = process_tests.topic  # the fixture: a fresh 3-partition topic per test


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def metric(base: str, sample: str) -> float:
    """The value of one exposed sample line (``name{labels}``), 0.0 when absent."""
    for line in metrics_text(base).splitlines():
        if line.startswith(sample + " "):
            return float(line.rsplit(" ", 1)[1])
    return 0.0


def status(base: str) -> dict[str, Any]:
    code, body = http("GET", f"{base}/prefloop/status", "anyone")
    assert code == 200
    return body


def click(base: str, user: str, conversation: str) -> tuple[str, str]:
    """Show a response and vote on it: (response event id, acknowledged feedback event id)."""
    code, shown = http("GET", f"{base}/chat?conversation={conversation}", user)
    assert code == 200 and shown["token"], shown
    code, body = http("POST", f"{base}/prefloop/feedback", user, {"token": shown["token"], "rating": 1})
    assert code == 200, body
    return shown["event_id"], body["event_id"]


def assert_clean_log(text: str, *secrets: str) -> None:
    assert "Traceback" not in text, text[-3000:]
    for secret in secrets:
        assert secret not in text


@pytest.mark.timeout(120)
def test_a_full_spool_never_breaks_the_hosts_page(tmp_path: Path) -> None:
    """Kafka unreachable, spool budget tiny: /chat keeps answering 200; the responses past the budget get an
    empty token, are counted, logged once, and the status view says why (today /chat answered 500)."""
    options = app_options(
        tmp_path, f"127.0.0.1:{free_port()}", "unused", PREFLOOP_CAPTURE_SPOOL_MAX_BYTES=20_000
    )
    child = Child("serve", options, log=tmp_path / "app.log")
    try:
        base = f"http://127.0.0.1:{child.line('port ')}"
        answers = [http("GET", f"{base}/chat?conversation=conv-{i % 5}", "dora") for i in range(250)]
        assert {code for code, _ in answers} == {200}
        degraded = [body for _, body in answers if body["token"] == ""]
        assert degraded, "the budget was never reached"
        view = status(base)
        assert view["status"] == "degraded" and "spool_full" in view["problems"]
        assert view["degraded"]["counts"] == {"spool_full": len(degraded)}
        assert metric(base, 'prefloop_capture_degraded_total{reason="spool_full"}') == len(degraded)
        log = child.log_text()
    finally:
        child.kill()
    assert log.count("did not record a response") == 1  # once per interval, however many
    assert_clean_log(log)


@pytest.mark.timeout(180)
def test_an_event_over_the_size_limit_is_refused_at_the_call_site_and_later_clicks_ship(
    kafka_bootstrap: str, topic: str, tmp_path: Path
) -> None:
    """A 1.2 MB history passed to response_shown: today it is accepted and then blocks every later click in
    the sender; now it is refused where it is made (empty token, reason event_too_large)."""
    child = Child("serve", app_options(tmp_path, kafka_bootstrap, topic), log=tmp_path / "app.log")
    try:
        base = f"http://127.0.0.1:{child.line('port ')}"
        code, big = http(
            "POST",
            f"{base}/show",
            "erin",
            {"conversation_id": "conv-big", "big_context": 1_200_000, "text": "a", "model": "m"},
        )
        assert code == 200 and big["token"] == "" and big["reason"] == "event_too_large"
        acked = set()
        for i in range(10):
            acked.update(click(base, "erin", f"conv-{i % 3}"))
        records = consume(kafka_bootstrap, topic, acked, timeout=60)
        log = child.log_text()
    finally:
        child.kill()
    assert acked <= {r["event_id"] for r in records}
    assert "PREFLOOP_CAPTURE_MAX_EVENT_BYTES" in log  # the one log line says which limit
    assert_clean_log(log, "q" * 100)


def create_small_topic(bootstrap: str, max_bytes: int) -> str:
    kafka = kafka_clients()
    name = f"test-capture-small-{uuid.uuid4().hex[:10]}"
    admin = kafka.KafkaAdminClient(bootstrap_servers=bootstrap, client_id="prefloop-capture-tests")
    try:
        admin.create_topics(
            [
                kafka.admin.NewTopic(
                    name,
                    num_partitions=3,
                    replication_factor=1,
                    topic_configs={"max.message.bytes": str(max_bytes)},
                )
            ]
        )
    finally:
        admin.close()
    return name


@pytest.mark.timeout(180)
@pytest.mark.parametrize("refused_by", ["broker", "client"])
def test_a_record_kafka_refuses_is_set_aside_and_everything_after_it_ships(
    kafka_bootstrap: str, topic: str, tmp_path: Path, refused_by: str
) -> None:
    """A 90 KB response under capture's limit, but over what this Kafka takes (a topic with
    max.message.bytes=20000, or a producer with max_request_size=50000): today the sender retries it
    forever and nothing after it ships; now it is moved to .set-aside and the rest ships."""
    if refused_by == "broker":
        options = app_options(tmp_path, kafka_bootstrap, create_small_topic(kafka_bootstrap, 20_000))
    else:
        options = app_options(
            tmp_path, kafka_bootstrap, topic, PREFLOOP_CAPTURE_KAFKA_OPTIONS={"max_request_size": 50_000}
        )
    target = options["PREFLOOP_CAPTURE_KAFKA_TOPIC"]
    child = Child("serve", options, log=tmp_path / "app.log")
    try:
        base = f"http://127.0.0.1:{child.line('port ')}"
        code, big = http(
            "POST",
            f"{base}/show",
            "fred",
            {
                "conversation_id": "conv-1",
                "random_text": 90_000,
                "context": [{"role": "user", "content": "?"}],
                "model": "m",
            },
        )
        assert code == 200 and big["token"], big
        acked = set()
        for i in range(10):
            acked.update(click(base, "fred", f"conv-{i % 3}"))
        records = consume(kafka_bootstrap, target, acked, timeout=90)
        assert acked <= {r["event_id"] for r in records}
        assert big["event_id"] not in {r["event_id"] for r in records}
        kept = tmp_path / "spool" / ".set-aside"
        deadline = time.monotonic() + 30
        while not list(kept.glob(f"*-{big['event_id']}.jsonl")):
            assert time.monotonic() < deadline, "the refused record was not set aside"
            time.sleep(0.2)
        (path,) = kept.glob(f"*-{big['event_id']}.jsonl")
        assert json.loads(path.read_bytes())["event_id"] == big["event_id"]  # kept whole for an operator
        # the sidecar reports its counters to the app process on its own schedule: wait for the report
        assert eventually(lambda: status(base)["sender"].get("set_aside") == 1), status(base)["sender"]
        assert metric(base, 'prefloop_capture_events_set_aside_total{reason="MessageSizeTooLargeError"}') == 1
        log = child.log_text()
    finally:
        child.kill()
    assert big["event_id"] in log and "moved it to" in log
    assert_clean_log(log, json.loads(path.read_bytes())["text"][:40])

    # the operator lists it, sends it again while the limit still refuses it (it stays), raises the limit
    # (or uses a producer without the small one) and sends it: it arrives whole and the file is gone
    spool = tmp_path / "spool"
    listed = set_aside_cli(spool, "list", "--json")
    assert listed.returncode == 0
    assert [r["event_id"] for r in json.loads(listed.stdout)["set_aside"]] == [big["event_id"]]
    env = {"PREFLOOP_CAPTURE_KAFKA_BOOTSTRAP": kafka_bootstrap, "PREFLOOP_CAPTURE_KAFKA_TOPIC": target}
    if refused_by == "broker":
        again = set_aside_cli(spool, "send", env=env)
        assert again.returncode == 1 and "MessageSizeTooLargeError" in again.stderr, again.stderr
        assert path.exists()
        raise_topic_limit(kafka_bootstrap, target, 1_000_000)
    sent = set_aside_cli(spool, "send", env=env)
    assert sent.returncode == 0 and "sent 1 record(s)" in sent.stdout, sent.stderr
    assert not path.exists()
    arrived = consume(kafka_bootstrap, target, {big["event_id"]}, timeout=60)
    assert [len(r["text"]) for r in arrived if r["event_id"] == big["event_id"]] == [90_000]
    assert json.loads(set_aside_cli(spool, "list", "--json").stdout) == {"set_aside": []}


def set_aside_cli(spool: Path, *args: str, env: dict[str, str] | None = None) -> Any:
    return subprocess.run(
        [sys.executable, "-m", "prefloop.capture.setaside", "--spool", str(spool), *args],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, **(env or {})},
        check=False,
    )


def raise_topic_limit(bootstrap: str, name: str, max_bytes: int) -> None:
    kafka = kafka_clients()
    admin = kafka.KafkaAdminClient(bootstrap_servers=bootstrap, client_id="prefloop-capture-tests")
    try:
        admin.alter_configs(
            [kafka.admin.ConfigResource("TOPIC", name, configs={"max.message.bytes": str(max_bytes)})]
        )
    finally:
        admin.close()


def children_of(pid: int) -> list[int]:
    """Child processes of ``pid``, whichever of its threads started them."""
    out = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        try:
            out.extend(int(x) for x in (task / "children").read_text().split())
        except FileNotFoundError:  # a thread that ended while we looked
            continue
    return out


def eventually(check: Callable[[], bool], timeout: float = 30.0) -> bool:
    """Poll ``check`` until it holds or ``timeout`` seconds pass (the sidecar works on its own schedule)."""
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.1)
    return True


def only_child(pid: int, timeout: float = 30.0) -> int:
    """The one child process of ``pid``, waiting for it to be (re)started (the sidecar starts in the background)."""
    assert eventually(lambda: len(children_of(pid)) == 1, timeout), f"children of {pid}: {children_of(pid)}"
    (child,) = children_of(pid)
    return child


@pytest.mark.timeout(180)
def test_a_killed_sidecar_is_restarted_logged_counted_and_ships(
    kafka_bootstrap: str, topic: str, tmp_path: Path
) -> None:
    """SIGKILL the sender child: today nothing restarts it and clicks pile up on disk unshipped."""
    child = Child("serve", app_options(tmp_path, kafka_bootstrap, topic), log=tmp_path / "app.log")
    try:
        base = f"http://127.0.0.1:{child.line('port ')}"
        acked = set(click(base, "gina", "conv-0"))
        sidecar = only_child(child.proc.pid)
        os.kill(sidecar, signal.SIGKILL)
        for i in range(20):
            acked.update(click(base, "gina", f"conv-{i % 4}"))
        records = consume(kafka_bootstrap, topic, acked, timeout=90)
        assert acked <= {r["event_id"] for r in records}
        # the killed child is reaped and exactly one new sidecar runs
        assert eventually(
            lambda: (
                children_of(child.proc.pid) not in ([], [sidecar]) and len(children_of(child.proc.pid)) == 1
            )
        )
        new = only_child(child.proc.pid)
        assert new != sidecar
        view = status(base)["sender"]
        assert view["restarts"] == 1 and view["up"] and view["pid"] == new
        assert metric(base, "prefloop_capture_sender_restarts_total") == 1
        assert metric(base, "prefloop_capture_sender_up") == 1
        log = child.log_text()
    finally:
        child.kill()
    assert f"sender sidecar (pid {sidecar}) died (killed by SIGKILL)" in log
    assert_clean_log(log)


@pytest.mark.timeout(300)
def test_after_sigkill_and_restart_with_kafka_down_the_dead_spool_ships_first(
    kafka_bootstrap: str, topic: str, tmp_path: Path
) -> None:
    """Kafka down; process A takes clicks and is SIGKILLed; process B (same spool) takes more clicks in the
    same conversations; Kafka comes back. Every conversation must arrive in the order the clicks were made:
    all of A's, then B's (today B shipped its own first)."""
    options = app_options(tmp_path, kafka_bootstrap, topic)
    expected: dict[str, list[str]] = {}
    first = Child("serve", options)
    second: Child | None = None
    stopped = False
    try:
        base = f"http://127.0.0.1:{first.line('port ')}"
        broker("stop")
        stopped = True
        for i in range(30):
            conv = f"conv-{i % 3}"
            expected.setdefault(conv, []).extend(click(base, "hank", conv))
        first.kill()
        second = Child("serve", options)
        base = f"http://127.0.0.1:{second.line('port ')}"
        for i in range(30):
            conv = f"conv-{i % 3}"
            expected.setdefault(conv, []).extend(click(base, "hank", conv))
        broker("start")
        stopped = False
        want = {e for ids in expected.values() for e in ids}
        records = consume(kafka_bootstrap, topic, want, timeout=120)
    finally:
        first.kill()
        if second is not None:
            second.kill()
        if stopped:
            broker("start")
    assert first_arrivals(records) == expected


@pytest.mark.timeout(120)
def test_tokens_are_bound_to_their_app_and_never_issued_in_the_future(tmp_path: Path) -> None:
    """Two apps sharing a SECRET_KEY must not accept each other's tokens; a token whose issue time lies in
    the future (a server with a wrong clock, or a forged time) is refused, so it cannot live forever."""
    from prefloop.capture.tokens import Pseudonymizer, TokenSigner, derive_key

    a = Child(
        "serve", {"PREFLOOP_CAPTURE_SPOOL_DIR": str(tmp_path / "a"), "PREFLOOP_CAPTURE_APP_ID": "chat-a"}
    )
    b = Child(
        "serve", {"PREFLOOP_CAPTURE_SPOOL_DIR": str(tmp_path / "b"), "PREFLOOP_CAPTURE_APP_ID": "chat-b"}
    )
    try:
        base_a = f"http://127.0.0.1:{a.line('port ')}"
        base_b = f"http://127.0.0.1:{b.line('port ')}"
        _, shown = http("GET", f"{base_a}/chat?conversation=conv-1", "ivy")
        code, body = http(
            "POST", f"{base_b}/prefloop/feedback", "ivy", {"token": shown["token"], "rating": 1}
        )
        assert code == 403 and body["error"] == "invalid_token"
        code, _ = http("POST", f"{base_a}/prefloop/feedback", "ivy", {"token": shown["token"], "rating": 1})
        assert code == 200  # the same token at the app that issued it
        user = Pseudonymizer(derive_key(SECRET, "user"))("ivy")
        signer = TokenSigner(derive_key(SECRET, "token"), 0, "chat-a")
        future = signer.issue("r-9", "conv-1", user, now=time.time() + 3600)
        code, body = http("POST", f"{base_a}/prefloop/feedback", "ivy", {"token": future, "rating": 1})
        assert code == 403 and "future" in body["fields"][0]["reason"]
        present = signer.issue("r-9", "conv-1", user)
        code, _ = http("POST", f"{base_a}/prefloop/feedback", "ivy", {"token": present, "rating": 1})
        assert code == 200
    finally:
        a.kill()
        b.kill()
