"""Check a JSONL file of v1 events without storing anything (``prefloop ingest --strict`` runs it first)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from itertools import islice
from pathlib import Path

from prefloop.curator.ingest.decode import RawRecord, decode_records

__all__ = ["FileCheck", "check_file", "has_lines"]

_BATCH_LINES = 5000


@dataclass
class FileCheck:
    """``lines``: the non-blank lines; ``invalid``: (line number, reason) of each line that is not an event."""

    lines: int = 0
    invalid: list[tuple[int, str]] = field(default_factory=list)


def _records(path: Path) -> Iterator[RawRecord]:
    with path.open("rb") as fh:
        for number, line in enumerate(fh, start=1):
            if line.strip():
                yield RawRecord(value=line.rstrip(b"\r\n"), source=str(number))


def check_file(path: Path) -> FileCheck:
    """Decode every line as the ingest path would, in batches; nothing is written anywhere."""
    result = FileCheck()
    records = _records(path)
    while batch := list(islice(records, _BATCH_LINES)):
        result.lines += len(batch)
        _good, dead = decode_records(batch)
        result.invalid.extend((int(item.record.source), item.reason) for item in dead)
    return result


def has_lines(path: Path) -> bool:
    """True when ``path`` has a line that is not blank (reads only up to the first one)."""
    return next(_records(path), None) is not None
