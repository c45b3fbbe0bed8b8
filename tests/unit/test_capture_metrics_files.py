"""A scrape in prometheus_client's multiprocess mode survives a worker's unreadable metrics file.

A worker killed between creating its file and sizing it leaves an empty file behind for good; prometheus_client's
own collector then raises on every scrape (the app's ``/metrics`` answers 500 until someone deletes the file).
Multiprocess mode is fixed when prometheus_client is imported, so each case runs in a fresh interpreter.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

SCRAPE = """
import json, logging, sys
from prefloop.capture.metrics import CaptureMetrics, multiprocess_mode
logging.basicConfig(stream=sys.stderr, level=logging.WARNING, format="%(message)s")
assert multiprocess_mode()
metrics = CaptureMetrics()
metrics.count_accepted("feedback", 3)
bad = sys.argv[1]
with open(bad, "wb") as f:
    f.write(bytes.fromhex(sys.argv[2]))
first = metrics.render().decode()
second = metrics.render().decode()
print(json.dumps({"first": first, "second": second}))
"""


def _scrape(folder: Path, bad_name: str, content: bytes) -> tuple[dict[str, str], str]:
    env = {**os.environ, "PROMETHEUS_MULTIPROC_DIR": str(folder)}
    done = subprocess.run(
        [sys.executable, "-c", SCRAPE, str(folder / bad_name), content.hex()],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout), done.stderr


@pytest.mark.parametrize(
    "content",
    [
        b"",  # created, never sized: the worker died in between
        b"\x00\x00",  # shorter than the header
        (4096).to_bytes(4, "little") + b"\x00" * 4 + b"\xff" * 40,  # a header claiming more than is there
    ],
    ids=["empty", "short", "garbled"],
)
def test_an_unreadable_worker_file_costs_its_own_values_not_the_scrape(
    tmp_path: Path, content: bytes
) -> None:
    scrape, log = _scrape(tmp_path, "counter_999999.db", content)

    for text in (scrape["first"], scrape["second"]):
        assert 'prefloop_capture_events_accepted_total{type="feedback"} 3.0' in text
    # the operator learns which file and what to do, once, without a traceback
    assert log.count("counter_999999.db cannot be read") == 1
    assert "Traceback" not in log
