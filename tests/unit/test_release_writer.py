"""The release's split writers: batches are written by a background thread, in order, and its errors reach the
build instead of being lost with the thread."""

from __future__ import annotations

import threading
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from prefloop.curator.releases import writer
from prefloop.curator.releases.writer import SplitWriters


def _line(i: int) -> str:
    return f'{{"pair_id":"p{i:05d}","prompt_group":"g{i // 3}","prompt":[],"chosen":[],"rejected":[]}}\n'


def _writer_threads() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name == "release-writer"]


def test_every_split_gets_its_rows_in_order_across_many_batches(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(writer, "BATCH_ROWS", 7)  # many batches queued while the thread writes
    writers = SplitWriters(tmp_path, ["train", "test"])
    lines = {"train": [], "test": []}  # type: dict[str, list[str]]
    for i in range(200):
        split = "test" if i % 5 == 0 else "train"
        lines[split].append(_line(i))
        writers.add(split, _line(i))
    fingerprints = writers.close()
    assert not _writer_threads()
    for split, expected in lines.items():
        jsonl = (tmp_path / "jsonl" / f"{split}.jsonl").read_text(encoding="utf-8")
        assert jsonl == "".join(expected)
        ids = [f"p{int(line[13:18]):05d}" for line in expected]
        assert pq.read_table(tmp_path / "data" / f"{split}.parquet").column("pair_id").to_pylist() == ids
        with pa.ipc.open_stream(tmp_path / "dataset" / split / "data-00000-of-00001.arrow") as stream:
            assert stream.read_all().column("pair_id").to_pylist() == ids
        assert len(fingerprints[split]) == 16
    # the same rows in one batch give the same bytes: the thread does not change what is written
    monkeypatch.setattr(writer, "BATCH_ROWS", 10_000)
    again = SplitWriters(tmp_path / "again", ["train", "test"])
    for i in range(200):
        again.add("test" if i % 5 == 0 else "train", _line(i))
    assert again.close() == fingerprints


def test_a_batch_that_cannot_be_written_fails_the_build_not_silently(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(writer, "BATCH_ROWS", 2)
    writers = SplitWriters(tmp_path, ["train"])
    writers.add("train", _line(0))
    writers.add("train", '{"pair_id": 17}\n')  # not the schema: Arrow refuses it in the writer thread
    with pytest.raises(pa.ArrowInvalid):
        for i in range(1, 1000):  # a later add raises it (or close, if the thread is slower than the adds)
            writers.add("train", _line(i))
        writers.close()
    writers.abort()
    assert not _writer_threads()
