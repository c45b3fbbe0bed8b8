"""The on-disk spool format (the contract the curator reads) and its low-level reader/writer."""

from __future__ import annotations

import os
from pathlib import Path

from prefloop.capture.publisher.spool import (
    Cursor,
    SegmentWriter,
    complete_lines,
    list_segments,
    list_writers,
    pending_bytes,
    read_cursor,
    segment_name,
    try_lock,
    write_cursor,
)


def test_writer_makes_a_locked_directory_with_numbered_segments(tmp_path: Path) -> None:
    w = SegmentWriter(tmp_path, segment_max_bytes=8)
    try:
        assert list_writers(tmp_path) == [w.dir]
        name = w.dir.name
        host, pid, rand = name.rsplit("-", 2)
        assert pid == str(os.getpid()) and len(rand) == 8 and host
        assert try_lock(w.dir) is None  # the live writer holds it
        w.write(b'{"a":1}\n')
        w.write(b'{"a":2}\n')  # segment 1 reached 8 bytes: rolls first
        assert [seq for seq, _ in list_segments(w.dir)] == [1, 2]
        assert (w.dir / segment_name(1)).read_bytes() == b'{"a":1}\n'
        assert segment_name(2) == "00000000000000000002.jsonl"
    finally:
        w.close()
    fd = try_lock(w.dir)  # free once the writer closed: a new process could adopt it
    assert fd is not None
    os.close(fd)


def test_complete_lines_ignores_a_torn_tail(tmp_path: Path) -> None:
    seg = tmp_path / segment_name(1)
    seg.write_bytes(b'{"n":1}\n{"n":2}\n{"n":3')
    lines, offset, at_eof = complete_lines(seg, 0, 1 << 20, 100)
    assert lines == [b'{"n":1}', b'{"n":2}']
    assert offset == 16 and at_eof
    assert complete_lines(seg, offset, 1 << 20, 100) == ([], 16, True)


def test_complete_lines_respects_count_and_byte_limits(tmp_path: Path) -> None:
    seg = tmp_path / segment_name(1)
    seg.write_bytes(b"".join(b'{"n":%d}\n' % i for i in range(10)))
    lines, offset, at_eof = complete_lines(seg, 0, 1 << 20, 3)
    assert lines == [b'{"n":0}', b'{"n":1}', b'{"n":2}'] and offset == 24 and not at_eof
    lines, offset2, at_eof = complete_lines(seg, offset, 20, 100)  # 20 bytes: two whole lines
    assert lines == [b'{"n":3}', b'{"n":4}'] and offset2 == 40 and not at_eof
    big = tmp_path / segment_name(2)
    big.write_bytes(b"x" * 50 + b"\n")
    assert complete_lines(big, 0, 10, 100) == ([b"x" * 50], 51, True)  # one line longer than the limit


def test_cursor_round_trip_and_default(tmp_path: Path) -> None:
    assert read_cursor(tmp_path) == Cursor(0, 0)
    write_cursor(tmp_path, Cursor(3, 120))
    assert read_cursor(tmp_path) == Cursor(3, 120)
    assert (tmp_path / "cursor").read_text() == "3 120\n"
    assert not (tmp_path / "cursor.tmp").exists()


def test_pending_bytes_counts_what_is_after_each_cursor(tmp_path: Path) -> None:
    a = tmp_path / "h-1-aaaaaaaa"
    b = tmp_path / "h-2-bbbbbbbb"
    for d in (a, b):
        d.mkdir()
    (a / segment_name(1)).write_bytes(b"x" * 100)
    (a / segment_name(2)).write_bytes(b"y" * 50)
    write_cursor(a, Cursor(2, 20))  # segment 1 fully shipped (not yet deleted), 20 bytes of segment 2
    (b / segment_name(1)).write_bytes(b"z" * 10)  # no cursor: embedded mode, all of it pending
    (tmp_path / ".new-h-3-cccccccc").mkdir()  # a writer being created is not listed
    assert pending_bytes(tmp_path) == 30 + 10
    assert list_writers(tmp_path) == [a, b]
