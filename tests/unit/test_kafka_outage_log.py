"""kafka-python's lines while the broker is away become three lines of the curator's own (issue 16).

The records are kafka-python 3.0's own texts, as a stopped broker makes them (see
tests/integration/test_curator_kafka.py for the real broker stopped under a running curator)."""

from __future__ import annotations

import io
import logging

import pytest

from prefloop.curator.cli import kafka_log
from prefloop.curator.cli.kafka_log import BrokerOutageLog

DISCONNECTED = (
    "kafka.net.transport",
    logging.ERROR,
    "<KafkaTCPTransport [127.0.0.1:19092<-58974]>: socket disconnected",
)
REFUSED = ("kafka.net.manager", logging.ERROR, "Connection failed: KafkaConnectionError: 111 ECONNREFUSED")
NO_NODE = ("kafka.cluster", logging.WARNING, "No node available for metadata refresh - backoff/retry")
CONNECTED = (
    "kafka.net.connection",
    logging.INFO,
    "<KafkaConnection node_id=1 broker_version=(4, 1)>: Connected",
)
NOT_AUTHORIZED = ("kafka.cluster", logging.ERROR, "Topic prefloop.events is not authorized for this client")
GROUP_JOIN = ("kafka.coordinator", logging.INFO, "Successfully joined group prefloop-curator")


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def record(name: str, level: int, text: str, exc: BaseException | None = None) -> logging.LogRecord:
    exc_info = (type(exc), exc, exc.__traceback__) if exc is not None else None
    return logging.LogRecord(name, level, "kafka.py", 1, text, None, exc_info)


class Said:
    """The lines the filter wrote, as of each reading."""

    def __init__(self, caplog: pytest.LogCaptureFixture) -> None:
        self.caplog = caplog

    def __eq__(self, other: object) -> bool:
        return self.lines == other

    def __getitem__(self, index: int) -> str:
        return self.lines[index]

    @property
    def lines(self) -> list[str]:
        return [r.getMessage() for r in self.caplog.records if r.name == "prefloop.curator.kafka"]


@pytest.fixture()
def said(caplog: pytest.LogCaptureFixture) -> Said:
    caplog.set_level(logging.INFO, logger="prefloop.curator.kafka")
    return Said(caplog)


def test_an_outage_is_one_line_then_one_a_minute_then_one_when_back(said: Said) -> None:
    clock = Clock()
    outage = BrokerOutageLog(clock=clock)
    kept = []
    for second in range(150):  # two of kafka-python's lines a second for two and a half minutes
        clock.now = 1000.0 + second
        kept += [
            outage.filter(record(*DISCONNECTED if second == 0 else REFUSED)),
            outage.filter(record(*NO_NODE)),
        ]
    assert not any(kept)
    assert said == [
        kafka_log.KAFKA_DOWN.format(seconds=5, reason="socket disconnected"),
        kafka_log.KAFKA_STILL_DOWN.format(seconds=65, lines=120),
        kafka_log.KAFKA_STILL_DOWN.format(seconds=125, lines=120),
    ]
    clock.now = 1200.0
    assert outage.filter(record(*CONNECTED)) is False
    assert said[-1] == kafka_log.KAFKA_BACK.format(seconds=200)
    assert not outage.outage
    assert outage.filter(record(*NO_NODE)) is True  # after the return, kafka-python's lines are its own again


def test_a_dropped_idle_connection_that_reconnects_says_nothing(said: Said) -> None:
    clock = Clock()
    outage = BrokerOutageLog(clock=clock)
    assert outage.filter(record(*DISCONNECTED)) is False
    clock.now += 0.5
    assert outage.filter(record(*CONNECTED)) is False
    clock.now += 3600
    assert outage.filter(record(*DISCONNECTED)) is False
    clock.now += 1  # a second failure before confirm_s: still only suspected
    assert outage.filter(record(*REFUSED)) is False
    assert said == []


def test_a_suspicion_without_failures_for_a_minute_is_forgotten(said: Said) -> None:
    clock = Clock()
    outage = BrokerOutageLog(clock=clock)
    outage.filter(record(*DISCONNECTED))
    clock.now += 61  # no reconnect was needed (nothing to send), and no failure since
    outage.filter(record(*REFUSED))
    clock.now += 2
    outage.filter(record(*REFUSED))
    assert said == []  # 63 s after the first failure, but only 2 s into this one
    clock.now += 3
    outage.filter(record(*REFUSED))
    assert said == [kafka_log.KAFKA_DOWN.format(seconds=5, reason="111 ECONNREFUSED")]


def test_other_kafka_errors_pass_unchanged_and_its_info_lines_do_not(said: Said) -> None:
    clock = Clock()
    outage = BrokerOutageLog(clock=clock)
    assert outage.filter(record(*NOT_AUTHORIZED)) is True
    assert outage.filter(record(*NO_NODE)) is True  # said briefly at start-up, not during an outage
    assert outage.filter(record(*GROUP_JOIN)) is False
    assert outage.filter(record("prefloop.curator.ingest.kafka", logging.WARNING, "dead-lettered x")) is True
    assert outage.filter(record("kafkaesque", logging.INFO, "not kafka-python's: Connected")) is True
    for _ in range(2):  # in an outage too: an authorisation error is never held back
        outage.filter(record(*REFUSED))
        clock.now += 5
    assert outage.outage and outage.filter(record(*NOT_AUTHORIZED)) is True
    assert said == [kafka_log.KAFKA_DOWN.format(seconds=5, reason="111 ECONNREFUSED")]


def test_a_socket_error_logged_with_its_traceback_is_held_back(said: Said) -> None:
    clock = Clock()
    outage = BrokerOutageLog(clock=clock)
    try:
        raise ConnectionResetError(104, "Connection reset by peer")
    except ConnectionResetError as exc:
        reset = record("kafka.net.transport", logging.ERROR, "<KafkaTCPTransport>: Error while reading", exc)
    assert outage.filter(reset) is False
    assert outage.outage
    assert (
        outage.filter(record("kafka.net.transport", logging.ERROR, "Error", ValueError("not a socket")))
        is True
    )


def test_installed_on_every_handler_a_record_counts_once() -> None:
    root = logging.getLogger("prefloop-tests-outage-root")
    streams = [io.StringIO(), io.StringIO()]
    for stream in streams:
        root.addHandler(logging.StreamHandler(stream))
    root.propagate = False
    try:
        kafka_log.install(root)
        assert logging.getLogger("kafka.net.connection").level == logging.INFO  # its "Connected" reaches us
        filters = {id(f) for h in root.handlers for f in h.filters}
        assert len(filters) == 1
        outage = root.handlers[0].filters[0]
        assert isinstance(outage, BrokerOutageLog)
        for _ in range(3):
            rec = record(*REFUSED)
            assert [h.filter(rec) for h in root.handlers] == [False, False]
        assert outage._held == 3  # not 6
        kafka_log.install(root)  # again: still one filter a handler
        assert all(len(h.filters) == 1 for h in root.handlers)
        kafka_log.uninstall()
        assert all(not h.filters for h in root.handlers)
        assert logging.getLogger("kafka.net.connection").level == logging.NOTSET
    finally:
        kafka_log.uninstall()
        for handler in list(root.handlers):
            root.removeHandler(handler)
