"""Events Kafka refuses for good (larger than the broker accepts, a record it calls invalid) are moved out of
the shipping path into ``<spool_dir>/.set-aside/``, so one bad record never blocks the events after it.

Each file holds the one wire line as it was spooled, named after the writer directory and the event id. The
spool's readers (the sender, the curator in embedded mode) skip directories whose name starts with a dot; the
disk budget counts these files until they are sent or dropped. The log line names the event id, its size and
Kafka's reason, never the event's text.

An operator lists, sends (after raising the broker's or the producer's limit) or drops them with
``python -m prefloop.capture.setaside`` (:mod:`prefloop.capture.setaside`).
"""

from __future__ import annotations

import hashlib
import os
import re
import warnings
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from prefloop.capture.publisher.spool import SET_ASIDE_DIR

with warnings.catch_warnings():
    warnings.simplefilter("ignore", DeprecationWarning)
    from kafka.errors import (
        CorruptRecordError,
        InvalidRecordError,
        InvalidTimestampError,
        MessageSizeTooLargeError,
        RecordListTooLargeError,
    )

__all__ = [
    "RECORD_ERRORS",
    "SET_ASIDE_DIR",
    "SendReport",
    "SetAside",
    "drop",
    "event_id_of",
    "list_set_aside",
    "send",
    "set_aside",
]
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


@dataclass(frozen=True)
class SetAside:
    """One record waiting in ``.set-aside``."""

    path: Path
    event_id: str
    size: int  #: bytes of the wire line


@dataclass
class SendReport:
    sent: list[str] = field(default_factory=list)
    #: event id -> why Kafka (or the connection) refused it; the record stays set aside
    refused: dict[str, str] = field(default_factory=dict)


def list_set_aside(root: Path) -> list[SetAside]:
    """The records set aside under spool ``root``, oldest event first."""
    folder = Path(root) / SET_ASIDE_DIR
    if not folder.is_dir():
        return []
    found = []
    for path in folder.glob("*.jsonl"):
        try:
            line = path.read_bytes().rstrip(b"\n")
        except FileNotFoundError:  # sent or dropped meanwhile
            continue
        found.append(SetAside(path, event_id_of(line) or path.stem, len(line)))
    return sorted(found, key=lambda r: (r.event_id, r.path.name))


def send(root: Path, producer: Any, topic: str, timeout: float = 30.0) -> SendReport:
    """Send every record set aside under ``root`` to ``topic`` (keyed by conversation, as the sender keys it);
    delete each one Kafka acknowledged."""
    from prefloop.capture.publisher.sender import conversation_key

    report = SendReport()
    for record in list_set_aside(root):
        line = record.path.read_bytes().rstrip(b"\n")
        try:
            producer.send(topic, key=conversation_key(line) or None, value=line).get(timeout=timeout)
        except Exception as exc:  # refused again, or no broker: it stays, and the report says why
            report.refused[record.event_id] = f"{type(exc).__name__}: {exc}"[:300]
            continue
        record.path.unlink(missing_ok=True)
        report.sent.append(record.event_id)
    return report


def drop(root: Path, event_ids: Sequence[str] | None) -> list[str]:
    """Delete the named records (every record when ``event_ids`` is None); returns the ids deleted."""
    wanted = None if event_ids is None else set(event_ids)
    dropped = []
    for record in list_set_aside(root):
        if wanted is None or record.event_id in wanted:
            record.path.unlink(missing_ok=True)
            dropped.append(record.event_id)
    return dropped
