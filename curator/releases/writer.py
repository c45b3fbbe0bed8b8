"""Incremental, byte-stable writers: Parquet and JSONL per split, and the ``datasets`` DatasetDict.

Rows arrive in a fixed order and are flushed in fixed-size batches, so the same rows always give the same row
groups and bytes. Nothing written carries a clock time or a random id: Parquet is written with fixed settings
and no pandas metadata; the DatasetDict is built from Arrow files memory-mapped from disk (never loaded whole)
and saved with a fingerprint derived from the data's hash instead of a random one.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
from collections.abc import Iterable
from pathlib import Path
from typing import IO, Any

import pyarrow as pa
import pyarrow.parquet as pq

from curator.releases.rows import SCHEMA

__all__ = ["BATCH_ROWS", "SplitWriters", "write_dataset_dict"]

BATCH_ROWS = 5000

_PARQUET_OPTIONS: dict[str, Any] = {
    "compression": "zstd",
    "compression_level": 3,
    "version": "2.6",
    "use_dictionary": True,
    "write_statistics": True,
    "data_page_version": "1.0",
    "store_schema": True,
}


class _Split:
    def __init__(self, root: Path, staging: Path, name: str) -> None:
        self.name = name
        self.rows: list[dict[str, Any]] = []
        self.count = 0
        self.parquet = pq.ParquetWriter(root / "data" / f"{name}.parquet", SCHEMA, **_PARQUET_OPTIONS)
        self.jsonl: IO[str] = open(root / "data" / f"{name}.jsonl", "w", encoding="utf-8", newline="\n")  # noqa: SIM115
        self.arrow_path = staging / f"{name}.arrow"
        self.arrow_sink = pa.OSFile(str(self.arrow_path), "wb")
        self.arrow = pa.ipc.new_stream(self.arrow_sink, SCHEMA)

    def add(self, row: dict[str, Any]) -> None:
        self.rows.append(row)
        if len(self.rows) >= BATCH_ROWS:
            self.flush()

    def flush(self) -> None:
        if not self.rows:
            return
        batch = pa.RecordBatch.from_pylist(self.rows, schema=SCHEMA)
        self.parquet.write_batch(batch, row_group_size=BATCH_ROWS)
        self.arrow.write_batch(batch)
        dumps = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode
        self.jsonl.write("".join(dumps(r) + "\n" for r in self.rows))
        self.count += len(self.rows)
        self.rows = []

    def close(self) -> None:
        self.flush()
        self.parquet.close()
        self.jsonl.close()
        self.arrow.close()
        self.arrow_sink.close()


class SplitWriters:
    """Parquet + JSONL under ``<root>/data/`` and an Arrow stream under ``staging`` for each split."""

    def __init__(self, root: Path, staging: Path, splits: Iterable[str]) -> None:
        (root / "data").mkdir(parents=True, exist_ok=True)
        staging.mkdir(parents=True, exist_ok=True)
        self.splits = {name: _Split(root, staging, name) for name in splits}

    def add(self, split: str, row: dict[str, Any]) -> None:
        self.splits[split].add(row)

    def close(self) -> dict[str, Path]:
        for split in self.splits.values():
            split.close()
        return {name: s.arrow_path for name, s in self.splits.items()}

    def abort(self) -> None:
        for split in self.splits.values():
            with contextlib.suppress(Exception):
                split.close()


def _file_digest(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def write_dataset_dict(arrow_files: dict[str, Path], out: Path, description: str, license_: str) -> None:
    """``DatasetDict.save_to_disk(out)`` from the per-split Arrow streams, with content-derived fingerprints."""
    import datasets

    datasets.disable_progress_bars()
    try:
        splits = {}
        for name, path in sorted(arrow_files.items()):
            info = datasets.DatasetInfo(description=description, license=license_)
            ds = datasets.Dataset.from_file(str(path), info=info, split=name, in_memory=False)
            # from_file would fingerprint the (temporary) path; the data's hash is stable
            ds._fingerprint = _file_digest(path)[:16]
            splits[name] = ds
        datasets.DatasetDict(splits).save_to_disk(str(out))
    finally:
        datasets.enable_progress_bars()
