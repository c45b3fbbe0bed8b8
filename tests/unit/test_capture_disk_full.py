"""A spool disk that is full (ENOSPC from write(2)): clicks are refused with 503 and never acknowledged,
responses wait in memory and reach the disk once writes work again, ``/status`` says so, the log says it once
(not once a retry), and no empty segment file is left per retry. The failure is injected at the system call
for the spool segment's file descriptor only; everything above it is the real extension and writer thread.
(Found by filling a real 256 KB tmpfs under the example app: 253 empty segments and 254 log lines in 4 min.)"""

from __future__ import annotations

import errno
import logging
import os
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from prefloop.capture.publisher import spool as spool_module
from prefloop.capture.publisher.spool import list_segments, list_writers
from tests.unit.test_capture_extension import Host


class FullDisk:
    """``os.write`` on the spool's current segment raises ENOSPC while ``full`` is set."""

    def __init__(self, host: Host, monkeypatch: pytest.MonkeyPatch) -> None:
        self.full = False
        self.refused = 0
        segments = host.capture.core(host.app).publisher._writer.writer
        real_write = os.write

        def write(fd: int, data: bytes | memoryview) -> int:
            if self.full and fd == segments._fd:
                self.refused += 1
                raise OSError(errno.ENOSPC, "No space left on device")
            return real_write(fd, data)

        monkeypatch.setattr(spool_module.os, "write", write)


@pytest.fixture()
def host(tmp_path: Path) -> Iterator[Host]:
    h = Host(tmp_path)
    yield h
    h.capture.shutdown(app=h.app)


def _wait(predicate: object, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():  # type: ignore[operator]
            return
        time.sleep(0.05)
    raise AssertionError("timed out")


def test_a_full_disk_refuses_clicks_keeps_responses_and_says_so_once(
    host: Host, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="prefloop.capture")
    disk = FullDisk(host, monkeypatch)
    first = host.show("c-0")
    assert host.post("feedback", {"token": first, "rating": 1}).status_code == 200  # the disk works
    disk.full = True
    tokens = [host.show(f"c-{i}") for i in range(1, 6)]  # recorded in memory: the host's page is not broken
    assert all(tokens)
    refused = host.post("feedback", {"token": first, "rating": -1, "idempotency_key": "k-1"})
    assert refused.status_code == 503 and refused.json["error"] == "spool_write_failed"
    _wait(lambda: disk.refused >= 4)  # the writer keeps retrying the queued responses
    status = host.client.get("/prefloop/status").json
    assert status["status"] == "degraded" and "spool_write_failing" in status["problems"]
    failed_lines = [r for r in caplog.records if "spool write failed" in r.getMessage()]
    assert len(failed_lines) == 1, [r.getMessage() for r in failed_lines]  # not one per retry
    assert "No space left on device" in failed_lines[0].getMessage()
    (writer_dir,) = list_writers(host.spool)
    assert len(list_segments(writer_dir)) == 1  # a fresh segment cannot cure a full disk: none was made

    disk.full = False
    assert host.post("feedback", {"token": first, "rating": -1, "idempotency_key": "k-1"}).status_code == 200
    events = host.events()
    shown = {e["response_id"] for e in events if e["type"] == "response"}
    assert {t.response_id for t in tokens} <= shown  # every response queued while the disk was full
    assert [e["rating"] for e in events if e["type"] == "feedback"] == [1, -1]  # the refused click only once
    assert host.client.get("/prefloop/status").json["status"] == "ok"
    assert any("spool writes work again" in r.getMessage() for r in caplog.records)
