"""Events Kafka refuses for good (larger than the broker accepts, a record it calls invalid) are moved out of
the shipping path into ``<spool_dir>/.set-aside/``, so one bad record never blocks the events after it.

Each file holds the one wire line as it was spooled, named after the writer directory and the event id; an
operator can inspect it, and ship it by hand after raising the broker's limit. The spool's readers (the
sender, the curator in embedded mode, the disk budget) skip directories whose name starts with a dot.
The log line names the event id, its size and Kafka's reason, never the event's text.
"""

from __future__ import annotations

import hashlib
import os
import re
import warnings
from pathlib import Path

with warnings.catch_warnings():
    warnings.simplefilter("ignore", DeprecationWarning)
    from kafka.errors import (
        CorruptRecordError,
        InvalidRecordError,
        InvalidTimestampError,
        MessageSizeTooLargeError,
        RecordListTooLargeError,
    )

__all__ = ["RECORD_ERRORS", "SET_ASIDE_DIR", "event_id_of", "set_aside"]

SET_ASIDE_DIR = ".set-aside"
#: Errors Kafka gives for one record that no retry will change.
RECORD_ERRORS: tuple[type[BaseException], ...] = (
    MessageSizeTooLargeError,
    RecordListTooLargeError,
    CorruptRecordError,
    InvalidRecordError,
    InvalidTimestampError,
)
_EVENT_ID = re.compile(rb'"event_id":"([0-9a-fA-F-]{36})"')


def event_id_of(line: bytes) -> str | None:
    """The ``event_id`` at the head of a wire line (the canonical form puts it first), if there is one."""
    match = _EVENT_ID.search(line, 0, 200)
    return match.group(1).decode("ascii") if match else None


def set_aside(root: Path, writer_dir: Path, line: bytes) -> Path:
    """Write ``line`` to ``<root>/.set-aside/<writer>-<event id>.jsonl`` (idempotent: the same line sent
    again replaces its own file) and return the path."""
    target = root / SET_ASIDE_DIR
    target.mkdir(parents=True, exist_ok=True)
    name = event_id_of(line) or hashlib.sha256(line).hexdigest()[:32]
    path = target / f"{writer_dir.name}-{name}.jsonl"
    tmp = path.with_suffix(".tmp")
    with open(tmp, "wb") as fh:
        fh.write(line + b"\n")
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, path)
    return path
