"""A Kafka client that cannot reach its broker leaves no thread behind (kafka-python 3.0 leaks its I/O thread).

The attempts run in a child process: pytest's log capture keeps the library's log records, which hold the
refused connections' sockets open until the session ends and then reports them as unclosed.
"""

from __future__ import annotations

import subprocess
import sys

import pytest

ATTEMPTS = """
import threading, warnings
from kafka.errors import KafkaError
from prefloop.curator.kafka_clients import new_admin, new_consumer
warnings.simplefilter("ignore", ResourceWarning)  # kafka-python drops a refused socket unclosed
nobody = {"bootstrap_servers": "127.0.0.1:1", "bootstrap_timeout_ms": 300, "request_timeout_ms": 1000}
build = {"admin": lambda: new_admin(**nobody), "consumer": lambda: new_consumer("events", **nobody)}[%r]
for _ in range(3):
    try:
        build()
    except KafkaError:
        pass
    else:
        raise SystemExit("a client to a port nobody listens on started")
print(sorted(t.name for t in threading.enumerate()))
"""


@pytest.mark.parametrize("kind", ["admin", "consumer"])
def test_a_client_that_cannot_start_raises_and_leaves_no_io_thread(kind: str) -> None:
    child = subprocess.run(
        [sys.executable, "-c", ATTEMPTS % kind], capture_output=True, text=True, timeout=60, check=False
    )
    assert child.returncode == 0, child.stderr[-2000:]
    assert child.stdout.strip() == "['MainThread']"
