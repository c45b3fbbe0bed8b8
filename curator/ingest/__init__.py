"""Ingest: validate events, store them idempotently, and feed the pipeline from Kafka, the spool or a file."""

from __future__ import annotations

from prefloop.curator.ingest.decode import DeadLetterItem, Decoded, RawRecord, decode_records
from prefloop.curator.ingest.files import FileSource, IngestTotals, SpoolSource, read_lines, writer_alive
from prefloop.curator.ingest.writer import WriteResult, write_batch

__all__ = [
    "DeadLetterItem",
    "Decoded",
    "FileSource",
    "IngestTotals",
    "RawRecord",
    "SpoolSource",
    "WriteResult",
    "decode_records",
    "read_lines",
    "write_batch",
    "writer_alive",
]
