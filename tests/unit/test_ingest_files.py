"""File sources: `prefloop ingest --file`, the embedded spool reader, purge, and the CLI end to end."""

from __future__ import annotations

import fcntl
import json
import os
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from sqlalchemy import func, select

from prefloop.curator.ingest import FileSource, RawRecord, SpoolSource, read_lines, writer_alive
from prefloop.curator.ingest.purge import blank_payload, purge
from prefloop.curator.pairing import load_policy
from prefloop.curator.pipeline import Curator
from prefloop.curator.store.models import (
    DeadLetter,
    EventRow,
    Pair,
    PromptGroup,
    ResponseRow,
    SourceOffset,
    utcnow,
)
from tests.factories import EventFactory

GOOD = "Use xs.reverse() to reverse in place, or xs[::-1] to get a reversed copy of the list."
BAD = "Python lists cannot be reversed; convert the list to a string and read it backwards instead."


def lines(events: list[dict[str, Any]]) -> bytes:
    return b"".join(json.dumps(e).encode() + b"\n" for e in events)


def choices(f: EventFactory, n_users: int = 2) -> list[dict[str, Any]]:
    out = []
    for u in range(n_users):
        r1, r2 = f.response(f"c{u}", f"u{u}", text=GOOD), f.response(f"c{u}", f"u{u}", text=BAD)
        out += [r1, r2, f.choice(r1["response_id"], r2["response_id"], "a", f"c{u}", f"u{u}")]
    return out


def count(store: Any, model: Any) -> int:
    with store.session() as s:
        return int(s.execute(select(func.count()).select_from(model)).scalar_one())


@pytest.fixture()
def curator(store: Any) -> Curator:
    return Curator(store, load_policy(), require_scrub=False)


def test_read_lines_keeps_torn_tail_unless_final(tmp_path: Path) -> None:
    p = tmp_path / "x.jsonl"
    p.write_bytes(b'{"a":1}\n\n{"b":2}\n{"c":')
    recs, pos = read_lines(p, 0, 1 << 20, final=False, label="x")
    assert [r.value for r in recs] == [b'{"a":1}', b'{"b":2}'] and pos == 17
    assert [r.source for r in recs] == ["x@0", "x@9"]
    recs, pos = read_lines(p, pos, 1 << 20, final=True, label="x")
    assert [r.value for r in recs] == [b'{"c":'] and pos == p.stat().st_size


def test_file_ingest_is_resumable_and_idempotent(store: Any, curator: Curator, tmp_path: Path) -> None:
    f = EventFactory()
    events = choices(f)
    path = tmp_path / "events.jsonl"
    path.write_bytes(lines(events[:3]) + b"not json\n")
    first = FileSource(curator, path).run()
    assert first.inserted == 3 and first.dead_letters == 1
    path.write_bytes(path.read_bytes() + lines(events[3:]).rstrip(b"\n"))  # appended, no final newline
    second = FileSource(curator, path).run()
    assert second.records == 3 and second.inserted == 3  # resumed after what the first run stored
    assert count(store, EventRow) == 6 and count(store, DeadLetter) == 1
    with store.session() as s:
        pair = s.execute(select(Pair)).scalar_one()
        offset = s.execute(select(SourceOffset.position)).scalar_one()
    assert pair.status == "accepted" and offset == path.stat().st_size
    assert FileSource(curator, path).run().records == 0


def _writer(spool: Path, name: str, segments: dict[int, bytes]) -> Path:
    d = spool / name
    d.mkdir(parents=True)
    (d / "lock").touch()
    for seq, data in segments.items():
        (d / f"{seq:020d}.jsonl").write_bytes(data)
    return d


@pytest.fixture()
def held_lock() -> Iterator[Any]:
    fds: list[int] = []

    def hold(writer: Path) -> None:
        fd = os.open(writer / "lock", os.O_RDWR)
        fcntl.flock(fd, fcntl.LOCK_EX)
        fds.append(fd)

    yield hold
    for fd in fds:
        os.close(fd)


def test_spool_reads_every_writer_and_deletes_only_finished_segments(
    store: Any, curator: Curator, tmp_path: Path, held_lock: Any
) -> None:
    f = EventFactory()
    events = choices(f, n_users=3)
    spool = tmp_path / "spool"
    live = _writer(spool, "host-1-aaa", {1: lines(events[:3]), 2: lines(events[3:5]) + b'{"torn'})
    dead = _writer(spool, "host-2-bbb", {7: lines(events[5:]) + b'{"killed mid-wr'})
    held_lock(live)
    assert writer_alive(live) and not writer_alive(dead)
    totals = SpoolSource(curator, spool).run_once()
    assert totals.inserted == 9 and totals.dead_letters == 0
    # live writer: the finished older segment goes, the current one stays (it may still grow)
    assert sorted(p.name for p in live.glob("*.jsonl")) == [f"{2:020d}.jsonl"]
    # dead writer: fully read, its torn last line can never complete
    assert list(dead.glob("*.jsonl")) == []
    with (live / f"{2:020d}.jsonl").open("ab") as fh:
        fh.write(b'",' + b"\n")  # the torn line completes as garbage: a dead letter, not a stuck reader
        fh.write(lines([*events[8:], f.feedback(events[0]["response_id"], 1, "c0", "u0")]))
    again = SpoolSource(curator, spool).run_once()
    assert again.dead_letters == 1 and again.inserted == 1
    assert count(store, EventRow) == 10
    with store.session() as s:
        assert s.execute(select(Pair.status)).scalar_one() == "accepted"
        sources = set(s.execute(select(SourceOffset.source)).scalars())
    assert sources == {f"spool:host-1-aaa/{2:020d}"}


def test_purge_blanks_old_raw_text_and_leaves_scrubbed_pairs(store: Any, curator: Curator) -> None:
    f = EventFactory()
    events = [*choices(f), f.feedback("r1", -1, reason="incorrect", comment="my email is a@b.c")]
    curator.process([RawRecord(json.dumps(e).encode(), "t") for e in events])
    with store.session() as s:
        for p in s.execute(select(Pair)).scalars():
            p.scrubbed = True  # as the scrubber would have left it
    result = purge(store, utcnow() + timedelta(days=1))
    assert result.events == 7 and result.responses == 4 and result.groups == 1 and result.pairs == 0
    with store.session() as s:
        payloads = [e.payload for e in s.execute(select(EventRow)).scalars()]
        assert all(e.purged_at is not None for e in s.execute(select(EventRow)).scalars())
        assert s.execute(select(func.count()).where(ResponseRow.text.is_not(None))).scalar_one() == 0
        assert s.execute(select(PromptGroup.context)).scalar_one() == [{"role": "user", "content": ""}]
        pair = s.execute(select(Pair)).scalar_one()
    texts = [p.get("text") for p in payloads if p["type"] == "response"]
    assert texts == [""] * 4
    assert [p.get("comment") for p in payloads if p["type"] == "feedback"] == [""]
    assert pair.chosen == GOOD  # pairs keep their (scrubbed) text
    # new evidence on purged responses never rewrites the pair
    curator.process([RawRecord(json.dumps(f.choice("r1", "r2", "b", "c9", "u9")).encode(), "t")])
    with store.session() as s:
        assert s.execute(select(Pair)).scalar_one().conflicts == 0
    assert purge(store, utcnow() + timedelta(days=1)).events == 1


def test_blank_payload_keeps_ids_and_ratings() -> None:
    p = {
        "type": "feedback",
        "event_id": "e",
        "rating": -1,
        "comment": "hi",
        "context": [{"role": "user", "content": "x"}],
    }
    assert blank_payload(p) == {**p, "comment": "", "context": [{"role": "user", "content": ""}]}


def test_cli_ingest_list_export_and_purge(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from prefloop.curator.cli import cli

    monkeypatch.setenv("PREFLOOP_DATABASE_URL", f"sqlite:///{tmp_path / 'p.db'}")
    f = EventFactory()
    path = tmp_path / "events.jsonl"
    path.write_bytes(lines(choices(f, n_users=3)) + b"[]\n")
    runner = CliRunner()
    res = runner.invoke(cli, ["ingest", "--file", str(path), "--no-tag"])
    assert res.exit_code == 0, res.output
    assert "9 new event(s)" in res.output and "1 invalid" in res.output and "accepted 1" in res.output
    res = runner.invoke(cli, ["pairs", "list", "--status", "accepted"])
    assert res.exit_code == 0 and "accepted" in res.output and "strong_signal" in res.output
    out = tmp_path / "pairs.jsonl"
    res = runner.invoke(cli, ["pairs", "export", "--status", "accepted", "--out", str(out)])
    assert res.exit_code == 0, res.output
    [row] = [json.loads(line) for line in out.read_text().splitlines()]
    assert row["prompt"] == [{"role": "user", "content": "How do I sort a list?"}]
    assert row["chosen"][0]["role"] == "assistant" and row["rejected"][0]["role"] == "assistant"
    assert row["metadata"]["status"] == "accepted" and row["metadata"]["scrubber_version"]
    assert row["metadata"]["models"] == {"chosen": "model-x", "rejected": "model-x"}
    # the factory's events happened on 2026-10-05
    res = runner.invoke(cli, ["purge", "--days", "36500"])
    assert res.exit_code == 0 and ": 0 event(s)" in res.output
    res = runner.invoke(cli, ["purge", "--dry-run", "--days", "1"])
    assert res.exit_code == 0 and "would purge 9 event(s)" in res.output
    res = runner.invoke(cli, ["purge", "--days", "1"])
    assert res.exit_code == 0 and ": 9 event(s), 6 response(s), 1 prompt group(s)" in res.output
    res = runner.invoke(cli, ["ingest", "--file", str(tmp_path / "missing.jsonl")])
    assert res.exit_code != 0 and "no such file" in res.output
