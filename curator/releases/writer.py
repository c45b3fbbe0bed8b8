"""Incremental, byte-stable writers: Parquet, JSONL and the ``datasets`` DatasetDict, per split.

``data/`` holds only the Parquet files and ``jsonl/`` the JSON lines, so each folder loads on its own with
``load_dataset(<format>, data_dir=...)`` (a folder mixing both is read as one format and fails).

Rows arrive as JSONL lines in a fixed order and are flushed in fixed-size batches: the lines are written as
they are and parsed by Arrow's JSON reader into the Parquet and Arrow batches, so the three formats agree and
the same rows always give the same row groups and bytes. Nothing written carries a clock time or a random id: Parquet is written with fixed settings
and no pandas metadata; the DatasetDict's Arrow files are streamed straight into ``dataset/<split>/`` (the
layout ``save_to_disk`` writes) and its JSON files come from ``datasets`` itself, with a fingerprint derived
from the data's hash instead of a random one. Nothing is held in memory beyond a few batches.

Batches are parsed, compressed and written by one background thread (Arrow, zstd, hashing and file writes
release the GIL), so the build's ordered pass composes the next rows on one core while the last batch is
written on the other; one thread and one queue keep every split's batches in order, so the bytes do not depend
on timing. An error in the thread is raised by the next :meth:`SplitWriters.add` or by
:meth:`SplitWriters.close`.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import json
import queue
import shutil
import tempfile
import threading
from collections.abc import Iterable
from pathlib import Path
from typing import IO, Any

import pyarrow as pa
import pyarrow.json as pa_json
import pyarrow.parquet as pq

from prefloop.curator.releases.rows import SCHEMA

__all__ = ["BATCH_ROWS", "DATASET_DIR", "JSONL_DIR", "PARQUET_DIR", "SplitWriters", "finish_dataset_dict"]

BATCH_ROWS = 5000
#: Batches waiting for the writer thread at most (memory: a few MB each).
QUEUED_BATCHES = 4
DATASET_DIR = "dataset"
#: Parquet only: ``load_dataset("parquet", data_dir="data")`` reads every file of a folder as Parquet.
PARQUET_DIR = "data"
#: The JSON lines, in a folder of their own (``load_dataset("json", data_dir="jsonl")``).
JSONL_DIR = "jsonl"
_ARROW_FILE = "data-00000-of-00001.arrow"

_PARQUET_OPTIONS: dict[str, Any] = {
    "compression": "zstd",
    "compression_level": 3,
    "version": "2.6",
    "use_dictionary": True,
    "write_statistics": True,
    "data_page_version": "1.0",
    "store_schema": True,
}


def _parse(text: bytes) -> pa.RecordBatch:
    """JSONL lines -> one record batch of :data:`SCHEMA` (Arrow's C++ JSON reader, single-threaded so the
    result never depends on thread timing)."""
    table = pa_json.read_json(
        io.BytesIO(text),
        read_options=pa_json.ReadOptions(use_threads=False, block_size=max(len(text) + 1, 1 << 20)),
        parse_options=pa_json.ParseOptions(explicit_schema=SCHEMA, unexpected_field_behavior="error"),
    )
    return table.combine_chunks().to_batches()[0]


class _Split:
    def __init__(self, root: Path, name: str) -> None:
        self.name = name
        self.rows: list[str] = []
        self.count = 0
        self.parquet = pq.ParquetWriter(root / PARQUET_DIR / f"{name}.parquet", SCHEMA, **_PARQUET_OPTIONS)
        self.jsonl: IO[bytes] = open(root / JSONL_DIR / f"{name}.jsonl", "wb")  # noqa: SIM115
        arrow_dir = root / DATASET_DIR / name
        arrow_dir.mkdir(parents=True, exist_ok=True)
        self.arrow_path = arrow_dir / _ARROW_FILE
        self.arrow_sink = pa.OSFile(str(self.arrow_path), "wb")
        self.arrow = pa.ipc.new_stream(self.arrow_sink, SCHEMA)
        self.digest = hashlib.sha256()

    def take(self) -> bytes | None:
        """The queued lines as one UTF-8 block (None when there are none), counted."""
        if not self.rows:
            return None
        data = "".join(self.rows).encode()
        self.count += len(self.rows)
        self.rows = []
        return data

    def write(self, data: bytes) -> None:
        """Write one block of lines to the three files (in the writer thread)."""
        batch = _parse(data)
        self.parquet.write_batch(batch, row_group_size=BATCH_ROWS)
        self.arrow.write_batch(batch)
        self.jsonl.write(data)
        self.digest.update(data)

    def close(self) -> None:
        self.parquet.close()
        self.jsonl.close()
        self.arrow.close()
        self.arrow_sink.close()


_STOP = None


class SplitWriters:
    """``data/<split>.parquet``, ``jsonl/<split>.jsonl`` and ``dataset/<split>/*.arrow`` under ``root``, written
    by a background thread (see the module docstring)."""

    def __init__(self, root: Path, splits: Iterable[str]) -> None:
        for folder in (PARQUET_DIR, JSONL_DIR):
            (root / folder).mkdir(parents=True, exist_ok=True)
        self.splits = {name: _Split(root, name) for name in splits}
        self._queue: queue.Queue[tuple[_Split, bytes] | None] = queue.Queue(maxsize=QUEUED_BATCHES)
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._run, name="release-writer", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while (item := self._queue.get()) is not _STOP:
            if self._error is None:  # after an error, only drain (the build fails at the next add)
                try:
                    item[0].write(item[1])
                except BaseException as exc:
                    self._error = exc

    def _raise(self) -> None:
        if self._error is not None:
            raise self._error

    def add(self, split: str, line: str) -> None:
        """Queue one JSONL line (see :func:`prefloop.curator.releases.rows.release_line`) for ``split``."""
        target = self.splits[split]
        target.rows.append(line)
        if len(target.rows) >= BATCH_ROWS:
            self._raise()
            self._queue.put((target, target.take()))  # type: ignore[arg-type]

    def _finish(self) -> None:
        for split in self.splits.values():
            data = split.take()
            if data is not None:
                self._queue.put((split, data))
        self._queue.put(_STOP)
        self._thread.join()

    def close(self) -> dict[str, str]:
        """Write what is queued, close every file; returns each split's content fingerprint (a hash of its
        rows)."""
        self._finish()
        try:
            self._raise()
        finally:
            for split in self.splits.values():
                split.close()
        return {name: s.digest.hexdigest()[:16] for name, s in self.splits.items()}

    def abort(self) -> None:
        if self._thread.is_alive():
            for split in self.splits.values():
                split.rows = []
            with contextlib.suppress(Exception):
                self._finish()
        for split in self.splits.values():
            with contextlib.suppress(Exception):
                split.close()


def finish_dataset_dict(root: Path, fingerprints: dict[str, str], description: str, license_: str) -> None:
    """Write the DatasetDict's JSON files next to the Arrow files, as ``save_to_disk`` would.

    ``datasets`` writes them for an empty DatasetDict of the same schema (so their format is the library's
    own); the per-split ``_fingerprint`` is then set to the data's hash."""
    import datasets
    from datasets.table import InMemoryTable

    out = root / DATASET_DIR
    datasets.disable_progress_bars()
    try:
        empty = InMemoryTable(SCHEMA.empty_table())
        info = datasets.DatasetInfo(
            description=description, license=license_, features=datasets.Features.from_arrow_schema(SCHEMA)
        )
        template = datasets.DatasetDict(
            {name: datasets.Dataset(empty, info=info.copy(), split=name) for name in sorted(fingerprints)}
        )
        with tempfile.TemporaryDirectory(prefix="prefloop-dsd-") as tmp:
            template.save_to_disk(tmp)
            shutil.copyfile(Path(tmp) / "dataset_dict.json", out / "dataset_dict.json")
            for name, fingerprint in fingerprints.items():
                shutil.copyfile(Path(tmp) / name / "dataset_info.json", out / name / "dataset_info.json")
                state = json.loads((Path(tmp) / name / "state.json").read_text(encoding="utf-8"))
                state["_fingerprint"] = fingerprint
                state["_data_files"] = [{"filename": _ARROW_FILE}]
                (out / name / "state.json").write_text(
                    json.dumps(state, indent=2, sort_keys=True), encoding="utf-8"
                )
    finally:
        datasets.enable_progress_bars()
