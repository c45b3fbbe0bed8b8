"""File sources: the capture spool (embedded mode) and a JSONL file (``prefloop ingest --file``).

Both read complete ``\\n``-terminated lines from a byte position kept in ``source_offsets``, in the same
transaction as the events they carry, so a crash re-reads at most one uncommitted batch (and ingest is
idempotent anyway). The spool layout is the contract in DEVELOPERS.md ("The capture spool").
"""

from __future__ import annotations

import fcntl
import logging
import os
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import delete, select

from prefloop.curator import messages as msg
from prefloop.curator.ingest.decode import RawRecord
from prefloop.curator.store.models import SourceOffset
from prefloop.schemas.errors import PrefloopError

__all__ = ["FileShorterThanRead", "FileSource", "IngestTotals", "SpoolSource", "read_lines", "writer_alive"]

log = logging.getLogger(__name__)

_SEGMENT_SUFFIX = ".jsonl"


@dataclass
class IngestTotals:
    records: int = 0
    inserted: int = 0
    duplicates: int = 0
    dead_letters: int = 0
    #: records of forgotten users, dropped at ingest
    forgotten: int = 0
    batches: int = 0
    groups_paired: int = 0
    pairs: dict[str, int] = field(default_factory=dict)
    #: byte the run started at (where an earlier run of the same file stopped; 0 for a file not read before)
    start_byte: int = 0
    #: bytes read by this run (0: an earlier run already read the file to its end)
    bytes_read: int = 0

    def add(self, result: Any) -> None:
        self.records += result.records
        self.inserted += result.write.inserted
        # repeats of stored events plus repeats inside the batch itself (not the records of forgotten users)
        self.forgotten += result.write.forgotten
        self.duplicates += result.records - len(result.dead) - result.write.inserted - result.write.forgotten
        self.dead_letters += len(result.dead)
        self.batches += 1
        self.add_pairing(result.pairing)

    def add_pairing(self, pairing: Any) -> None:
        self.groups_paired += pairing.groups
        for status, n in pairing.pairs.by_status.items():
            self.pairs[status] = self.pairs.get(status, 0) + n


def read_lines(
    path: Path, position: int, max_bytes: int, *, final: bool, label: str
) -> tuple[list[RawRecord], int]:
    """Complete lines of ``path`` from byte ``position`` (at most about ``max_bytes``) and the new position.

    A trailing line without ``\\n`` is left unread unless ``final`` (a user's file may lack the last newline;
    in the spool it is a torn or in-progress write).
    """
    with path.open("rb") as fh:
        fh.seek(position)
        data = fh.read(max_bytes)
        at_eof = fh.read(1) == b""
    end = data.rfind(b"\n") + 1
    if final and at_eof and end < len(data):
        end = len(data)
    if end == 0 and len(data) == max_bytes and not at_eof:
        raise ValueError(f"{path}: a line at byte {position} is longer than {max_bytes} bytes")
    records = []
    offset = position
    for line in data[:end].split(b"\n"):
        start = offset
        offset += len(line) + 1
        if line.strip():
            records.append(RawRecord(value=line.rstrip(b"\r"), source=f"{label}@{start}"))
    return records, position + end


def writer_alive(writer_dir: Path) -> bool:
    """Whether the writer owning ``writer_dir`` still holds its ``lock`` (flock). No lock file: treat as alive."""
    lock = writer_dir / "lock"
    try:
        fd = os.open(lock, os.O_RDONLY)
    except FileNotFoundError:
        return True
    try:
        fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
    except BlockingIOError:
        return True
    else:
        fcntl.flock(fd, fcntl.LOCK_UN)
        return False
    finally:
        os.close(fd)


def _positions(session: Any, prefix: str) -> dict[str, int]:
    rows = session.execute(
        select(SourceOffset.source, SourceOffset.position).where(SourceOffset.source.startswith(prefix))
    )
    return dict(rows.all())


class FileShorterThanRead(PrefloopError):
    """The file is shorter than the bytes an earlier run read from it: truncated or replaced."""

    def __init__(self, path: Path, size: int, position: int) -> None:
        super().__init__(msg.INGEST_SHORTER.format(path=path, size=size, position=position))
        self.size, self.position = size, position


class FileSource:
    """One JSONL file of v1 events. ``run()`` loads it through the curator, resuming where a previous run
    stopped (so lines appended since are read); ``from_start`` reads it from its first line again (events
    already stored count as repeats). Invalid lines are stored as dead letters with their reason."""

    def __init__(
        self, curator: Any, path: Path, *, batch_bytes: int = 4 << 20, from_start: bool = False
    ) -> None:
        self.curator = curator
        self.path = Path(path)
        self.key = f"file:{self.path.resolve()}"[-300:]
        self.batch_bytes = batch_bytes
        self.from_start = from_start

    def read_before(self) -> int:
        """The byte an earlier run stopped at (0 when the file was never read or ``from_start``)."""
        if self.from_start:
            return 0
        with self.curator.store.session() as session:
            return _positions(session, self.key).get(self.key, 0)

    def run(self) -> IngestTotals:
        """Load what was not read yet; :class:`FileShorterThanRead` when the file lost bytes already read."""
        position = self.read_before()
        size = self.path.stat().st_size
        if position > size:
            raise FileShorterThanRead(self.path, size, position)
        totals = IngestTotals(start_byte=position, bytes_read=size - position)
        while position < size:
            records, new = read_lines(self.path, position, self.batch_bytes, final=True, label=self.key)
            result = self.curator.process(records, keep_dead_letters=True, offsets={self.key: new})
            totals.add(result)
            position = new
        totals.add_pairing(self.curator.pair_dirty())
        return totals


class SpoolSource:
    """The capture spool in embedded mode: every writer's segments, in order."""

    def __init__(
        self, curator: Any, spool_dir: Path, *, batch_bytes: int = 4 << 20, metrics: Any = None
    ) -> None:
        self.curator = curator
        self.spool_dir = Path(spool_dir)
        self.batch_bytes = batch_bytes
        #: a :class:`prefloop.curator.metrics.CuratorMetrics` to record each batch in, or None
        self.metrics = metrics

    def _process(self, batch: list[RawRecord], offsets: dict[str, int]) -> Any:
        started = time.monotonic()
        result = self.curator.process(batch, keep_dead_letters=True, offsets=offsets)
        if self.metrics is not None:
            self.metrics.consumed(result.records)
            self.metrics.observe_batch(result, time.monotonic() - started)
        return result

    def _segments(self) -> Iterator[tuple[Path, list[Path]]]:
        if not self.spool_dir.is_dir():
            return
        for writer in sorted(
            p for p in self.spool_dir.iterdir() if p.is_dir() and not p.name.startswith(".")
        ):
            segs = sorted(p for p in writer.iterdir() if p.suffix == _SEGMENT_SUFFIX and p.stem.isdigit())
            if segs:
                yield writer, segs

    @staticmethod
    def _key(segment: Path) -> str:
        return f"spool:{segment.parent.name}/{segment.stem}"

    def run_once(self) -> IngestTotals:
        """Ingest every complete line the spool holds now, then delete segments that are done."""
        totals = IngestTotals()
        with self.curator.store.session() as session:
            positions = _positions(session, "spool:")
        batch: list[RawRecord] = []
        offsets: dict[str, int] = {}
        pending = 0
        for _writer, segs in self._segments():
            for seg in segs:
                key = self._key(seg)
                pos = positions.get(key, 0)
                while True:
                    records, new = read_lines(seg, pos, self.batch_bytes, final=False, label=key)
                    if new == pos:
                        break
                    batch.extend(records)
                    offsets[key] = new
                    pending += new - pos
                    pos = positions[key] = new
                    if pending >= self.batch_bytes:
                        totals.add(self._process(batch, offsets))
                        batch, offsets, pending = [], {}, 0
        if offsets:
            totals.add(self._process(batch, offsets))
        self._collect(positions)
        return totals

    def _collect(self, positions: dict[str, int]) -> None:
        """Delete segments fully ingested whose writer moved on to a later segment or is gone."""
        done: list[str] = []
        for writer, segs in self._segments():
            alive = writer_alive(writer)
            for i, seg in enumerate(segs):
                key = self._key(seg)
                size = seg.stat().st_size
                pos = positions.get(key, 0)
                later = i < len(segs) - 1
                if pos >= size and (later or not alive):
                    seg.unlink()
                    done.append(key)
                elif not alive and not later and pos < size:
                    # a dead writer's torn last line: nothing more will come
                    tail = seg.read_bytes()[pos:]
                    if b"\n" not in tail:
                        log.warning("dropping a torn write of %d bytes at the end of %s", len(tail), seg)
                        seg.unlink()
                        done.append(key)
        if done:
            with self.curator.store.session() as session:
                session.execute(delete(SourceOffset).where(SourceOffset.source.in_(done)))
