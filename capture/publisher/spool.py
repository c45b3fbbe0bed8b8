"""The on-disk spool: the layout is the contract between capture and the curator (see DEVELOPERS.md).

::

    <root>/<writer>/lock                     flock()ed by the live writer process
    <root>/<writer>/<20-digit seq>.jsonl     segments: one v1 wire-JSON event per line, "\\n"-terminated
    <root>/<writer>/cursor                   "<seq> <byte offset>": how far the Kafka sender has shipped

Plain file I/O only; no threads here. :class:`SegmentWriter` is driven by one writer thread; the functions
below are what the sender (and tests) use to read.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import os
import secrets
import shutil
import socket
from dataclasses import dataclass
from pathlib import Path

__all__ = [
    "Cursor",
    "SegmentWriter",
    "complete_lines",
    "list_segments",
    "list_writers",
    "pending_bytes",
    "read_cursor",
    "remove_writer_dir",
    "segment_name",
    "try_lock",
    "write_cursor",
]

SEGMENT_SUFFIX = ".jsonl"
LOCK_NAME = "lock"
CURSOR_NAME = "cursor"


def segment_name(seq: int) -> str:
    return f"{seq:020d}{SEGMENT_SUFFIX}"


@dataclass(frozen=True, order=True)
class Cursor:
    """Everything before byte ``offset`` of segment ``seq`` (and every earlier segment) is shipped."""

    seq: int = 0
    offset: int = 0


def list_writers(root: Path) -> list[Path]:
    """Every writer directory under ``root`` (live or dead), sorted by name."""
    try:
        return sorted(p for p in root.iterdir() if p.is_dir() and not p.name.startswith("."))
    except FileNotFoundError:
        return []


def list_segments(writer_dir: Path) -> list[tuple[int, Path]]:
    """``(seq, path)`` of each segment, in sequence order."""
    out = []
    try:
        names = os.listdir(writer_dir)
    except FileNotFoundError:
        return []
    for name in names:
        if name.endswith(SEGMENT_SUFFIX) and len(name) == 20 + len(SEGMENT_SUFFIX):
            stem = name[:20]
            if stem.isdigit():
                out.append((int(stem), writer_dir / name))
    out.sort()
    return out


def read_cursor(writer_dir: Path) -> Cursor:
    try:
        text = (writer_dir / CURSOR_NAME).read_text("ascii").split()
        return Cursor(int(text[0]), int(text[1]))
    except (FileNotFoundError, IndexError, ValueError):
        return Cursor()


def write_cursor(writer_dir: Path, cursor: Cursor) -> None:
    """Replace the cursor atomically (write a temporary file, rename it over the old one)."""
    tmp = writer_dir / f"{CURSOR_NAME}.tmp"
    tmp.write_text(f"{cursor.seq} {cursor.offset}\n", "ascii")
    os.replace(tmp, writer_dir / CURSOR_NAME)


def try_lock(writer_dir: Path) -> int | None:
    """Take the writer's lock without waiting. Returns the open fd (keep it open to hold the lock) or None
    when a live process holds it (or the directory vanished)."""
    try:
        fd = os.open(writer_dir / LOCK_NAME, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
    except (FileNotFoundError, NotADirectoryError):
        return None
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError as exc:
        os.close(fd)
        if exc.errno in (errno.EWOULDBLOCK, errno.EAGAIN, errno.EACCES):
            return None
        raise
    return fd


def remove_writer_dir(writer_dir: Path) -> None:
    shutil.rmtree(writer_dir, ignore_errors=True)


#: where records Kafka refused for good wait for an operator (prefloop.capture.publisher.setaside)
SET_ASIDE_DIR = ".set-aside"


def set_aside_bytes(root: Path) -> int:
    """Bytes of the records set aside under ``root`` (they count against the disk budget until an operator
    sends or drops them)."""
    total = 0
    with contextlib.suppress(FileNotFoundError):
        for entry in os.scandir(root / SET_ASIDE_DIR):
            if entry.name.endswith(".jsonl"):
                with contextlib.suppress(FileNotFoundError):
                    total += entry.stat().st_size
    return total


def pending_bytes(root: Path) -> int:
    """Bytes on disk not yet shipped, over every writer under ``root`` (cursor-aware; in embedded mode,
    where nothing writes a cursor, every byte of every segment counts until the curator deletes it), plus
    the records set aside."""
    total = set_aside_bytes(root)
    for writer_dir in list_writers(root):
        cursor = read_cursor(writer_dir)
        for seq, path in list_segments(writer_dir):
            if seq < cursor.seq:
                continue
            try:
                size = path.stat().st_size
            except FileNotFoundError:
                continue
            total += max(0, size - cursor.offset) if seq == cursor.seq else size
    return total


def complete_lines(path: Path, offset: int, max_bytes: int, max_events: int) -> tuple[list[bytes], int, bool]:
    """Read whole lines of ``path`` from ``offset``: at most ``max_events`` lines and about ``max_bytes``
    bytes (always at least one line if one is complete). Returns ``(lines without "\\n", new offset,
    at_eof)``; ``at_eof`` is True when nothing complete is left after ``new offset`` (a torn tail may be)."""
    try:
        with open(path, "rb") as fh:
            fh.seek(offset)
            data = fh.read(max_bytes)
            at_eof = len(data) < max_bytes
            if not at_eof and b"\n" not in data:  # one line longer than max_bytes: read it whole
                data += fh.readline()
                at_eof = fh.read(1) == b""
    except FileNotFoundError:
        return [], offset, True
    end = data.rfind(b"\n")
    if end < 0:
        return [], offset, at_eof
    lines = data[:end].split(b"\n")
    if len(lines) > max_events:
        lines = lines[:max_events]
        return lines, offset + sum(len(line) + 1 for line in lines), False
    return lines, offset + end + 1, at_eof


class SegmentWriter:
    """Appends batches of complete lines to this process's writer directory.

    Creating it makes ``<root>/<host>-<pid>-<random>/``, takes the lock (held until :meth:`close`) and opens
    segment 1. :meth:`write` either writes the whole batch or raises ``OSError`` with the file as it was
    (a failed write is truncated away, so a torn line never sits in the middle of a segment).
    """

    def __init__(self, root: Path, segment_max_bytes: int, sync_dirs: bool = False) -> None:
        self.root = root
        self.segment_max_bytes = segment_max_bytes
        self.sync_dirs = sync_dirs
        root.mkdir(parents=True, exist_ok=True)
        host = socket.gethostname().replace("-", "_")[:40] or "host"
        name = f"{host}-{os.getpid()}-{secrets.token_hex(4)}"
        # locked under a hidden name first, so no other process can see it unlocked and adopt it
        staging = root / f".new-{name}"
        staging.mkdir()
        lock_fd = try_lock(staging)
        if lock_fd is None:  # pragma: no cover - the name is fresh and random
            raise RuntimeError(f"could not lock fresh spool directory {staging}")
        self.dir = root / name
        os.rename(staging, self.dir)
        self._lock_fd: int | None = lock_fd
        self.seq = 0
        self.size = 0
        #: a failed write left a partial line that could not be truncated away
        self._torn = False
        self._fd: int | None = None
        self._open_next()

    @property
    def path(self) -> Path:
        return self.dir / segment_name(self.seq)

    def _open_next(self) -> None:
        self.seq += 1
        self._fd = os.open(self.path, os.O_WRONLY | os.O_CREAT | os.O_APPEND | os.O_CLOEXEC, 0o644)
        self.size = 0
        self._torn = False
        if self.sync_dirs:
            self._sync_dir()

    def _sync_dir(self) -> None:
        fd = os.open(self.dir, os.O_RDONLY | os.O_DIRECTORY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)

    def write(self, data: bytes) -> None:
        """Write ``data`` (whole lines) with write(2) into the page cache. Rolls to a new segment first
        when the current one is past its size limit."""
        if self._fd is None:
            raise OSError(errno.EBADF, "spool writer is closed")
        if self.size >= self.segment_max_bytes or self._torn:
            self.roll()
        fd = self._fd
        view = memoryview(data)
        written = 0
        try:
            while written < len(data):
                written += os.write(fd, view[written:])
        except OSError:
            if written:
                try:
                    os.ftruncate(fd, self.size)
                except OSError:  # the torn line stays at this segment's end: the next write starts a new one
                    self._torn = True
            raise
        self.size += written

    def sync(self) -> None:
        """fdatasync the current segment (the data reaches the disk, not only the page cache)."""
        if self._fd is not None:
            os.fdatasync(self._fd)

    def roll(self) -> None:
        if self._fd is not None:
            if self.sync_dirs:
                os.fdatasync(self._fd)
            os.close(self._fd)
        self._open_next()

    def close(self) -> None:
        """Close the segment and release the lock (the directory stays: it may hold unshipped events)."""
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None
        if self._lock_fd is not None:
            os.close(self._lock_fd)
            self._lock_fd = None

    def abandon_after_fork(self) -> None:
        """In a forked child: close the inherited descriptors. The parent keeps its segment and its flock
        (a flock belongs to the open file description the parent still holds); the child must not keep a
        copy, or a dead parent's directory would look alive for as long as the child runs."""
        for fd in (self._fd, self._lock_fd):
            if fd is not None:
                with contextlib.suppress(OSError):
                    os.close(fd)
        self._fd = self._lock_fd = None
