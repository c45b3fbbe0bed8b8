"""`prefloop ingest`: an all-invalid or empty file is not a success; `--strict` stores nothing when any line is
invalid; `--json` prints the totals. Through the console entry point (`main`), on a real SQLite store."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from prefloop.curator.cli import main
from prefloop.curator.store import Store, upgrade
from prefloop.curator.store.models import DeadLetter, EventRow
from tests.factories import EventFactory


@pytest.fixture()
def db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    url = f"sqlite:///{tmp_path / 'ingest.db'}"
    upgrade(url)
    for name in [k for k in os.environ if k.startswith("PREFLOOP_")]:
        monkeypatch.delenv(name)
    monkeypatch.setenv("PREFLOOP_DATABASE_URL", url)
    monkeypatch.chdir(tmp_path)
    return url


def _count(url: str, model: Any) -> int:
    store = Store(url)
    try:
        with store.session() as s:
            return int(s.scalar(select(func.count()).select_from(model)) or 0)
    finally:
        store.dispose()


def _write(path: Path, lines: list[str]) -> Path:
    path.write_text("".join(line + "\n" for line in lines), encoding="utf-8")
    return path


def _events(n: int) -> list[str]:
    f = EventFactory()
    return [json.dumps(f.response(f"c{i}", f"u{i}", text=f"answer number {i}")) for i in range(n)]


def test_strict_stores_nothing_when_one_line_is_invalid_and_lists_it(
    db: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = _write(tmp_path / "mixed.jsonl", [*_events(3), '{"type": "feedback"}', *_events(1)])
    assert main(["ingest", "--strict", "--no-tag", "--file", str(path)]) == 1
    err = capsys.readouterr().err
    assert f"{path}:4: invalid event" in err
    assert "1 of 5 line(s) are not valid v1 events, so nothing was stored (--strict)" in err
    assert _count(db, EventRow) == 0 and _count(db, DeadLetter) == 0
    # without --strict the valid lines are stored, the invalid one kept as a dead letter, and that is a success
    assert main(["ingest", "--no-tag", "--json", "--file", str(path)]) == 0
    totals = json.loads(capsys.readouterr().out)
    assert totals["ok"] is True and totals["inserted"] == 4 and totals["dead_letters"] == 1
    assert _count(db, EventRow) == 4 and _count(db, DeadLetter) == 1


def test_strict_passes_a_clean_file(db: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = _write(tmp_path / "clean.jsonl", _events(2))
    assert main(["ingest", "--strict", "--no-tag", "--json", "--file", str(path)]) == 0
    assert json.loads(capsys.readouterr().out)["inserted"] == 2


def test_an_all_invalid_file_is_not_a_success(
    db: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = _write(tmp_path / "junk.jsonl", ["not json", "[1, 2]", '{"type": "nope"}'])
    assert main(["ingest", "--no-tag", "--file", str(path)]) == 1
    err = capsys.readouterr().err
    assert "none of its 3 line(s) is a valid v1 event" in err and "Traceback" not in err
    assert _count(db, DeadLetter) == 3  # kept, with their reasons


@pytest.mark.parametrize("content", ["", "\n\n  \n"])
def test_an_empty_file_is_not_a_success(
    db: str, tmp_path: Path, capsys: pytest.CaptureFixture[str], content: str
) -> None:
    path = tmp_path / "empty.jsonl"
    path.write_text(content, encoding="utf-8")
    assert main(["ingest", "--no-tag", "--file", str(path)]) == 1
    assert "holds no events" in capsys.readouterr().err


def test_a_rerun_reads_only_what_was_appended_and_says_when_there_is_nothing_new(
    db: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = _write(tmp_path / "events.jsonl", _events(3))
    assert main(["ingest", "--no-tag", "--file", str(path)]) == 0
    capsys.readouterr()
    size = path.stat().st_size
    assert main(["ingest", "--no-tag", "--json", "--file", str(path)]) == 0  # read to its end: not a failure
    out = capsys.readouterr()
    totals = json.loads(out.out)
    assert (totals["records"], totals["bytes_read"], totals["start_byte"], totals["ok"]) == (0, 0, size, True)
    assert main(["ingest", "--no-tag", "--file", str(path)]) == 0
    err = capsys.readouterr().err
    assert f"nothing new; an earlier ingest already read all {size} bytes" in err and "--from-start" in err
    with path.open("a", encoding="utf-8") as fh:  # appended lines are read by the next run, and only they
        fh.write(_events(5)[4] + "\n")
    assert main(["ingest", "--no-tag", "--json", "--file", str(path)]) == 0
    totals = json.loads(capsys.readouterr().out)
    assert (totals["records"], totals["inserted"], totals["start_byte"]) == (1, 1, size)
    assert main(["ingest", "--no-tag", "--json", "--from-start", "--file", str(path)]) == 0
    totals = json.loads(capsys.readouterr().out)
    assert (totals["records"], totals["inserted"], totals["duplicates"], totals["start_byte"]) == (4, 0, 4, 0)
    assert _count(db, EventRow) == 4


def test_a_rerun_of_an_all_invalid_file_still_fails(
    db: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = _write(tmp_path / "junk.jsonl", ["not json", '{"type": "nope"}'])
    assert main(["ingest", "--no-tag", "--file", str(path)]) == 1
    capsys.readouterr()
    assert main(["ingest", "--no-tag", "--file", str(path)]) == 1  # the same file, the same verdict
    err = capsys.readouterr().err
    assert "nothing new" in err and "none of its 2 line(s) is a valid v1 event" in err
    assert _count(db, DeadLetter) == 2  # not stored twice


def test_a_file_shorter_than_what_was_read_before_is_refused_with_the_way_out(
    db: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = _write(tmp_path / "events.jsonl", _events(3))
    assert main(["ingest", "--no-tag", "--file", str(path)]) == 0
    before = path.stat().st_size
    _write(path, _events(1))  # replaced by a shorter file
    capsys.readouterr()
    assert main(["ingest", "--no-tag", "--file", str(path)]) == 1
    err = capsys.readouterr().err
    assert f"fewer than the {before} an earlier ingest of it read" in err and "--from-start" in err
    assert "Traceback" not in err and err.count("\n") == 1
    assert main(["ingest", "--no-tag", "--from-start", "--file", str(path)]) == 0


def test_the_summary_says_where_the_records_of_an_erased_user_went(
    db: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    f = EventFactory()
    kept = [json.dumps(f.response("c1", "u_kept", text="kept answer"))]
    erased = [json.dumps(f.response(f"c{i}", "u_gone", text=f"gone {i}")) for i in range(2, 5)]
    path = _write(tmp_path / "first.jsonl", [*kept, *erased])
    assert main(["ingest", "--no-tag", "--file", str(path)]) == 0
    assert "erased users" not in capsys.readouterr().err  # nobody forgotten yet: no clause
    assert main(["forget", "--user", "u_gone", "--yes"]) == 0
    capsys.readouterr()
    assert main(["ingest", "--no-tag", "--from-start", "--file", str(path)]) == 0
    err = capsys.readouterr().err
    assert "0 new event(s), 1 already stored" in err
    assert "; 3 record(s) of erased users dropped" in err
