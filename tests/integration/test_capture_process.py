"""Capture in separate app processes against the real broker: SIGKILL while Kafka is down, a dead gunicorn
worker's leftovers, the disk budget over HTTP, and a broker stop in the middle of 20,000 events.

The Kafka clients run in child processes (as in production): the test process only stops/starts the
broker and reads the topic once the broker is back. Child programs: ``python -m
tests.integration.test_capture_process {serve|stream} '<json options>'``.
"""

from __future__ import annotations

import base64
import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
SECRET = "process-test-secret"


# --- child programs ------------------------------------------------------------------------------------
def create_app(options: dict[str, Any] | None = None) -> Any:
    """The assistant: GET /chat records a response and returns its token; the user is the X-User header.
    Options come from ``options`` or the PREFLOOP_TEST_APP JSON environment variable (gunicorn factory)."""
    from flask import Flask, jsonify, request

    from prefloop.capture import FeedbackCapture

    opts = options if options is not None else json.loads(os.environ["PREFLOOP_TEST_APP"])
    app = Flask("assistant")
    app.config.update(SECRET_KEY=SECRET, **opts)
    capture = FeedbackCapture(app, user_loader=lambda: request.headers.get("X-User"))

    @app.get("/chat")
    def chat() -> Any:
        token = capture.response_shown(
            conversation_id=request.args["conversation"],
            context=[{"role": "user", "content": "hello?"}],
            text="hi there",
            model="m-1",
        )
        return jsonify(token=str(token), event_id=token.event_id, pid=os.getpid())

    @app.post("/show")
    def show() -> Any:
        """response_shown(**body) for the known argument names; ``random_text: n`` makes an incompressible
        text of n characters, ``big_context: n`` a context of n characters (the host's long history)."""
        args = {k: v for k, v in request.get_json(force=True).items() if k in SHOW_ARGS}
        if "random_text" in args:
            n = args.pop("random_text")
            args["text"] = base64.b64encode(os.urandom(n))[:n].decode()
        if "big_context" in args:
            size = args.pop("big_context")
            args["context"] = [{"role": "user", "content": "q" * 90_000} for _ in range(size // 90_000)] + [
                {"role": "user", "content": "and?"}
            ]
        token = capture.response_shown(**args)
        return jsonify(
            token=str(token), event_id=token.event_id, recorded=token.recorded, reason=token.reason
        )

    return app


SHOW_ARGS = {
    "conversation_id",
    "context",
    "text",
    "model",
    "response_id",
    "generation",
    "regenerates",
    "prompt_source",
    "system_prompt_version",
    "locale",
    "random_text",
    "big_context",
}


def serve(options: dict[str, Any]) -> None:
    from werkzeug.serving import make_server

    server = make_server("127.0.0.1", 0, create_app(options), threaded=True)
    print(f"port {server.server_port}", flush=True)
    server.serve_forever()


def create_wsgi_app(options: dict[str, Any]) -> Any:
    """The same assistant as a plain WSGI app behind CaptureMiddleware (the user is the X-User header)."""
    from urllib.parse import parse_qs

    from prefloop.capture import CaptureMiddleware

    def assistant(environ: dict[str, Any], start_response: Any) -> list[bytes]:
        core = environ["prefloop.capture"]
        conversation = parse_qs(environ.get("QUERY_STRING", "")).get("conversation", ["conv-1"])[0]
        token = core.response_shown(
            environ.get("HTTP_X_USER"),
            conversation_id=conversation,
            context=[{"role": "user", "content": "hello?"}],
            text="hi there",
            model="m-1",
        )
        data = json.dumps({"token": str(token), "event_id": token.event_id, "pid": os.getpid()}).encode()
        start_response("200 OK", [("Content-Type", "application/json"), ("Content-Length", str(len(data)))])
        return [data]

    return CaptureMiddleware(
        assistant,
        user_loader=lambda environ: environ.get("HTTP_X_USER"),
        config={"PREFLOOP_CAPTURE_SECRET_KEY": SECRET, "PREFLOOP_CAPTURE_APP_ID": "assistant", **options},
    )


def serve_wsgi(options: dict[str, Any]) -> None:
    from werkzeug.serving import make_server

    server = make_server("127.0.0.1", 0, create_wsgi_app(options), threaded=True)
    print(f"port {server.server_port}", flush=True)
    server.serve_forever()


def stream(options: dict[str, Any]) -> None:
    """Submit ``total`` feedback events through a Publisher; report progress; flush when told to."""
    from prefloop.capture import Publisher
    from prefloop.schemas.events import parse_event
    from tests.factories import EventFactory

    factory = EventFactory()
    total, conversations = options["total"], options["conversations"]
    pub = Publisher(spool_dir=options["spool"], kafka_bootstrap=options["bootstrap"], topic=options["topic"])
    with open(options["ids"], "w") as ids:
        for i in range(total):
            event = parse_event(factory.feedback(f"r{i}", conversation_id=f"conv-{i % conversations}"))
            ids.write(f"{event.conversation_id} {event.event_id}\n")
            pub.submit(event)
            if i % 500 == 499:
                pub._writer.flush(10)  # bounded queue: let the writer catch up, events go to disk
                print(f"progress {i + 1}", flush=True)
    pub._writer.flush(10)
    shipped = pub.metrics.value("prefloop_capture_events_shipped_total")
    print(f"submitted {shipped:.0f} {pub.pending_bytes()}", flush=True)
    sys.stdin.readline()  # the test says: the broker is back
    ok = pub.flush(180)
    print(f"flushed {ok} {pub.metrics.value('prefloop_capture_events_shipped_total'):.0f}", flush=True)
    pub.shutdown()


# --- helpers for the tests -----------------------------------------------------------------------------
def broker(action: str) -> None:
    proc = subprocess.run(
        [str(ROOT / "deploy/local/kafka"), action], capture_output=True, text=True, timeout=120
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr


class Child:
    def __init__(self, mode: str, options: dict[str, Any], log: Path | None = None) -> None:
        """``log``: the child's stderr (its log lines) goes to this file."""
        self.log = log
        stderr = open(log, "ab") if log is not None else subprocess.DEVNULL  # noqa: SIM115
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "tests.integration.test_capture_process", mode, json.dumps(options)],
            cwd=ROOT,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=stderr,
            text=True,
        )
        if log is not None:
            stderr.close()  # type: ignore[union-attr]

    def log_text(self) -> str:
        return self.log.read_text(errors="replace") if self.log is not None else ""

    def line(self, prefix: str, timeout: float = 60) -> str:
        deadline = time.monotonic() + timeout
        assert self.proc.stdout is not None
        while time.monotonic() < deadline:
            text = self.proc.stdout.readline()
            if not text:
                raise AssertionError(f"child exited ({self.proc.wait()}) before printing {prefix!r}")
            if text.startswith(prefix):
                return text[len(prefix) :].strip()
        raise AssertionError(f"no {prefix!r} from the child within {timeout} s")

    def kill(self) -> None:
        if self.proc.poll() is None:
            os.kill(self.proc.pid, signal.SIGKILL)
        self.proc.wait(10)
        for stream_ in (self.proc.stdin, self.proc.stdout):
            if stream_ is not None:
                stream_.close()


def http(method: str, url: str, user: str, body: dict[str, Any] | None = None) -> tuple[int, dict[str, Any]]:
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(
        url, data=data, method=method, headers={"X-User": user, "Content-Type": "application/json"}
    )
    try:
        with urllib.request.urlopen(req, timeout=30) as resp:
            return resp.status, json.loads(resp.read())
    except urllib.error.HTTPError as err:
        with err:
            return err.code, json.loads(err.read())


def metrics_text(base: str) -> str:
    with urllib.request.urlopen(f"{base}/prefloop/metrics", timeout=10) as resp:
        return str(resp.read().decode())


def kafka_clients() -> Any:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        import kafka
        import kafka.admin
    return kafka


@pytest.fixture()
def topic(kafka_bootstrap: str) -> Iterator[str]:
    """A fresh 3-partition topic; no admin client stays open across broker stops."""
    kafka = kafka_clients()
    name = f"test-capture-{uuid.uuid4().hex[:10]}"
    admin = kafka.KafkaAdminClient(bootstrap_servers=kafka_bootstrap, client_id="prefloop-capture-tests")
    try:
        admin.create_topics([kafka.admin.NewTopic(name, num_partitions=3, replication_factor=1)])
    finally:
        admin.close()
    yield name
    admin = kafka.KafkaAdminClient(bootstrap_servers=kafka_bootstrap, client_id="prefloop-capture-tests")
    try:
        admin.delete_topics([name])
    finally:
        admin.close()


def consume(bootstrap: str, topic: str, want: set[str], timeout: float = 90.0) -> list[dict[str, Any]]:
    """Records of ``topic`` in partition order, read until every id in ``want`` arrived (or timeout)."""
    kafka = kafka_clients()
    consumer = kafka.KafkaConsumer(
        topic, bootstrap_servers=bootstrap, auto_offset_reset="earliest", enable_auto_commit=False
    )
    out: list[dict[str, Any]] = []
    missing = set(want)
    deadline = time.monotonic() + timeout
    try:
        while missing and time.monotonic() < deadline:
            for records in consumer.poll(timeout_ms=500).values():
                for r in records:
                    value = json.loads(r.value)
                    assert r.key == value["conversation_id"].encode()
                    out.append(value)
                    missing.discard(value["event_id"])
    finally:
        consumer.close()
    return out


def first_arrivals(records: list[dict[str, Any]]) -> dict[str, list[str]]:
    """The event ids of each conversation in the order they first arrived (partition order; at-least-once
    delivery may repeat one later)."""
    arrived: dict[str, list[str]] = {}
    seen: set[str] = set()
    for r in records:
        if r["event_id"] not in seen:
            seen.add(r["event_id"])
            arrived.setdefault(r["conversation_id"], []).append(r["event_id"])
    return arrived


def app_options(tmp_path: Path, bootstrap: str, topic: str, **extra: Any) -> dict[str, Any]:
    return {
        "PREFLOOP_CAPTURE_SPOOL_DIR": str(tmp_path / "spool"),
        "PREFLOOP_CAPTURE_KAFKA_BOOTSTRAP": bootstrap,
        "PREFLOOP_CAPTURE_KAFKA_TOPIC": topic,
        "PREFLOOP_CAPTURE_RATE_LIMIT_PER_MINUTE": 0,
        **extra,
    }


# --- the tests -------------------------------------------------------------------------------------------
@pytest.mark.integration
@pytest.mark.timeout(240)
def test_sigkill_while_kafka_is_down_then_a_new_process_ships_everything_acknowledged(
    kafka_bootstrap: str, topic: str, tmp_path: Path
) -> None:
    options = app_options(tmp_path, kafka_bootstrap, topic)
    acked: set[str] = set()
    first = Child("serve", options)
    stopped = False
    try:
        base = f"http://127.0.0.1:{first.line('port ')}"
        broker("stop")
        stopped = True
        for i in range(100):
            status, shown = http("GET", f"{base}/chat?conversation=conv-{i % 7}", "alice")
            assert status == 200
            status, body = http(
                "POST", f"{base}/prefloop/feedback", "alice", {"token": shown["token"], "rating": 1}
            )
            assert status == 200, body
            acked.add(body["event_id"])
        first.kill()  # SIGKILL: no atexit, no flush
        broker("start")
        stopped = False
        second = Child("serve", options)  # adopts the dead process's spool directory and ships it
        try:
            second.line("port ")
            records = consume(kafka_bootstrap, topic, acked)
        finally:
            second.kill()
    finally:
        first.kill()
        if stopped:
            broker("start")
    arrived = {r["event_id"] for r in records}
    assert acked <= arrived, f"{len(acked - arrived)} acknowledged clicks lost"


@pytest.mark.integration
@pytest.mark.timeout(240)
def test_a_killed_gunicorn_worker_leaves_nothing_behind(
    kafka_bootstrap: str, topic: str, tmp_path: Path
) -> None:
    """gunicorn --preload with 2 workers: a SIGKILLed worker's spool is adopted by the living."""
    options = app_options(tmp_path, kafka_bootstrap, topic)
    with socket.socket() as probe:  # a free port for gunicorn
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    env = {**os.environ, "PREFLOOP_TEST_APP": json.dumps(options)}
    cmd = [
        sys.executable,
        "-m",
        "gunicorn",
        "--preload",
        "-w",
        "2",
        "-b",
        f"127.0.0.1:{port}",
        "--graceful-timeout",
        "5",
        "tests.integration.test_capture_process:create_app()",
    ]
    master = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    stopped = False
    acked: dict[int, set[str]] = {}
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                http("GET", f"{base}/chat?conversation=warmup", "bob")
                break
            except OSError:
                assert time.monotonic() < deadline, "gunicorn did not start"
                time.sleep(0.2)
        broker("stop")
        stopped = True
        for i in range(120):
            _, shown = http("GET", f"{base}/chat?conversation=conv-{i % 5}", "bob")
            status, body = http(
                "POST", f"{base}/prefloop/feedback", "bob", {"token": shown["token"], "rating": -1}
            )
            assert status == 200, body
            acked.setdefault(shown["pid"], set()).add(body["event_id"])
        assert len(acked) == 2, "expected both workers to have served clicks"
        victim = next(iter(acked))
        os.kill(victim, signal.SIGKILL)
        broker("start")
        stopped = False
        want = set().union(*acked.values())
        records = consume(kafka_bootstrap, topic, want, timeout=120)
    finally:
        if stopped:
            broker("start")
        master.send_signal(signal.SIGTERM)
        master.wait(30)
    arrived = {r["event_id"] for r in records}
    assert acked[victim] <= arrived, "the killed worker's acknowledged clicks were not shipped"
    assert want <= arrived


@pytest.mark.integration
@pytest.mark.timeout(180)
def test_disk_budget_full_answers_503_says_why_and_loses_nothing(
    kafka_bootstrap: str, topic: str, tmp_path: Path
) -> None:
    options = app_options(tmp_path, kafka_bootstrap, topic, PREFLOOP_CAPTURE_SPOOL_MAX_BYTES=20_000)
    child = Child("serve", options)
    accepted: set[str] = set()
    stopped = False
    try:
        base = f"http://127.0.0.1:{child.line('port ')}"
        _, shown = http("GET", f"{base}/chat?conversation=conv-1", "carol")
        broker("stop")
        stopped = True
        refusal = None
        for _ in range(500):
            status, body = http(
                "POST", f"{base}/prefloop/feedback", "carol", {"token": shown["token"], "rating": 1}
            )
            if status != 200:
                refusal = (status, body)
                break
            accepted.add(body["event_id"])
        assert refusal is not None and accepted, "the budget was never reached"
        status, body = refusal
        assert status == 503 and body["error"] == "spool_full"
        assert "PREFLOOP_CAPTURE_SPOOL_MAX_BYTES" in body["detail"]
        text = metrics_text(base)
        assert "prefloop_capture_spool_full 1.0" in text
        assert 'prefloop_capture_events_rejected_total{reason="spool_full"} 1.0' in text
        broker("start")
        stopped = False
        deadline = time.monotonic() + 90
        while "prefloop_capture_spool_full 0.0" not in metrics_text(base):
            assert time.monotonic() < deadline, "the spool never drained"
            time.sleep(0.5)
        status, body = http(
            "POST", f"{base}/prefloop/feedback", "carol", {"token": shown["token"], "rating": -1}
        )
        assert status == 200  # accepting again
        accepted.add(body["event_id"])
        records = consume(kafka_bootstrap, topic, accepted)
    finally:
        child.kill()
        if stopped:
            broker("start")
    assert accepted <= {r["event_id"] for r in records}


@pytest.mark.integration
@pytest.mark.timeout(360)
def test_broker_stopped_mid_stream_every_event_arrives_in_conversation_order(
    kafka_bootstrap: str, topic: str, tmp_path: Path
) -> None:
    total, conversations = 20_000, 50
    ids_file = tmp_path / "ids.txt"
    child = Child(
        "stream",
        {
            "spool": str(tmp_path / "spool"),
            "bootstrap": kafka_bootstrap,
            "topic": topic,
            "ids": str(ids_file),
            "total": total,
            "conversations": conversations,
        },
    )
    stopped = False
    try:
        while int(child.line("progress ")) < 6_000:
            pass
        broker("stop")  # the sender is shipping right now
        stopped = True
        shipped, pending = map(int, child.line("submitted ", timeout=120).split())
        assert shipped < total and pending > 0  # the rest waits on disk
        broker("start")
        stopped = False
        assert child.proc.stdin is not None
        child.proc.stdin.write("go\n")
        child.proc.stdin.flush()
        ok, shipped_after = child.line("flushed ", timeout=200).split()
        assert ok == "True" and int(shipped_after) >= total
    finally:
        child.kill()
        if stopped:
            broker("start")
    expected: dict[str, list[str]] = {}
    for line in ids_file.read_text().splitlines():
        conv, event_id = line.split()
        expected.setdefault(conv, []).append(event_id)
    want = {e for ids in expected.values() for e in ids}
    records = consume(kafka_bootstrap, topic, want, timeout=120)
    assert len({r["event_id"] for r in records}) == total
    assert first_arrivals(records) == expected


if __name__ == "__main__":
    {"serve": serve, "serve_wsgi": serve_wsgi, "stream": stream}[sys.argv[1]](json.loads(sys.argv[2]))
