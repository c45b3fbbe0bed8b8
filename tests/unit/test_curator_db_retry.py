"""The curator's database retry: one line when the database goes away (naming a full disk when that is why), at
most one a minute while it stays away, one when it is back; the batch is retried, never dropped."""

from __future__ import annotations

import logging
import os
from types import SimpleNamespace
from typing import Any

import pytest
from sqlalchemy.exc import OperationalError

from prefloop.curator.ingest import kafka as kafka_source
from prefloop.curator.ingest.kafka import KafkaSource


class _DiskFull(Exception):
    """What psycopg raises for ``could not extend file ...: No space left on device``."""

    sqlstate = "53100"


class _Engine:
    def __init__(self) -> None:
        self.disposed = 0

    def dispose(self) -> None:
        self.disposed += 1


def _source(engine: _Engine) -> KafkaSource:
    curator = SimpleNamespace(store=SimpleNamespace(engine=engine))
    return KafkaSource(
        curator, bootstrap="127.0.0.1:1", topic="t", dlq_topic="t.dlq", group="g", retry_max_s=0.001
    )


def _failing(times: int, orig: Exception) -> Any:
    calls = {"n": 0}

    def fn() -> str:
        calls["n"] += 1
        if calls["n"] <= times:
            raise OperationalError("COPY events ...", {}, orig)
        return "stored"

    return fn


def test_a_full_database_disk_is_named_retried_and_its_recovery_logged(
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.INFO, logger="prefloop")
    engine = _Engine()
    assert _source(engine)._with_db_retry(_failing(30, _DiskFull("no space"))) == "stored"
    lines = [r.getMessage() for r in caplog.records if r.name == kafka_source.__name__]
    # 30 failures within a second: the first is logged, the rest are not (once a minute), then the recovery
    assert len(lines) == 2, lines
    assert "SQLSTATE 53100" in lines[0] and "out of disk" in lines[0] and "free space" in lines[0]
    assert "back after 30 retries" in lines[1]
    assert engine.disposed == 30


def test_the_retry_line_repeats_once_a_minute_while_the_database_stays_away(
    caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    caplog.set_level(logging.INFO, logger="prefloop")
    ticks = iter(range(0, 10_000, 25))  # 25 s between attempts
    monkeypatch.setattr(kafka_source.time, "monotonic", lambda: float(next(ticks)))
    assert _source(_Engine())._with_db_retry(_failing(10, ConnectionRefusedError("refused"))) == "stored"
    lines = [r.getMessage() for r in caplog.records if r.name == kafka_source.__name__]
    retry = [line for line in lines if line.startswith("database unavailable")]
    # attempts at 0, 25, ..., 225 s: logged at 0, 75, 150 and 225 s (60 s apart at least)
    assert len(retry) == 4 and "out of disk" not in retry[0] and "ConnectionRefusedError" in retry[0]
    assert lines[-1].startswith("database back after 10 retries")


@pytest.mark.parametrize("debug", [False, True])
def test_kafka_pythons_slow_step_warning_is_shown_only_with_debug(
    debug: bool, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    from click.testing import CliRunner

    from prefloop.curator.cli import cli

    for name in [n for n in os.environ if n.startswith("PREFLOOP_")]:
        monkeypatch.delenv(name)
    result = CliRunner().invoke(cli, [*(["--debug"] if debug else []), "settings"])
    assert result.exit_code == 0, result.output
    caplog.set_level(logging.WARNING, logger="kafka")
    selector = logging.getLogger("kafka.net.selector")
    selector.warning("Task <Task> ran for 0.111s (>0.100s threshold). It is blocking the event loop")
    selector.warning("Selector got READ event without reader...")
    shown = [r.getMessage() for r in caplog.records if r.name == "kafka.net.selector"]
    assert "Selector got READ event without reader..." in shown
    assert any("threshold" in line for line in shown) is debug
