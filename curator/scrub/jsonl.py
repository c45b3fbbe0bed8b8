"""Scrub a JSONL file: each line gains ``scrubbed`` (text with placeholders) and ``pii`` (offset records).

Plain functions over files; ``prefloop.curator.cli.scrub`` is the click adapter. Work is done in chunks of lines, in this
process or in a pool of worker processes (each loading its own spaCy model once); output order equals input
order. Bad lines either stop the run (``on_error="fail"``, nothing is written) or are skipped and reported with
their line numbers (``on_error="skip"``). No line is dropped without being counted.
"""

from __future__ import annotations

import json
import multiprocessing
import os
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from itertools import islice
from pathlib import Path
from typing import Any, Literal

from prefloop.curator.scrub import messages
from prefloop.curator.scrub.engine import DEFAULT_MODEL, Scrubber
from prefloop.curator.scrub.errors import ScrubInputError
from prefloop.curator.scrub.placeholders import PlaceholderMap

__all__ = ["ScrubFileReport", "scrub_jsonl"]

OnError = Literal["skip", "fail"]
CHUNK_LINES = 256


@dataclass
class ScrubFileReport:
    """What a run did: lines written, bad lines skipped (with their errors), spans found per type."""

    written: int = 0
    skipped: list[ScrubInputError] = field(default_factory=list)
    entities: dict[str, int] = field(default_factory=dict)

    @property
    def spans(self) -> int:
        return sum(self.entities.values())


def scrub_jsonl(
    src: str | Path,
    dst: str | Path,
    *,
    field_name: str = "text",
    on_error: OnError = "fail",
    processes: int = 1,
    batch_size: int = 64,
    model: str = DEFAULT_MODEL,
    recognizers_yaml: str | Path | None = None,
    scrubber: Scrubber | None = None,
    on_progress: Callable[[int], None] | None = None,
    on_skip: Callable[[ScrubInputError], None] | None = None,
) -> ScrubFileReport:
    """Scrub ``field_name`` of every JSON line of ``src`` into ``dst`` (written atomically on success).

    ``scrubber`` is used as is when given (single process); otherwise each process builds one from ``model``
    and ``recognizers_yaml``. ``on_progress(n)`` is called after every ``n`` input lines.
    """
    report = ScrubFileReport()
    dst = Path(dst)
    handle, tmp_name = tempfile.mkstemp(prefix=f".{dst.name}.", suffix=".tmp", dir=dst.parent or Path("."))
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            for chunk in _process(
                Path(src), field_name, processes, batch_size, model, recognizers_yaml, scrubber
            ):
                for _line, record, error in chunk:
                    if error is not None:
                        if on_error == "fail":
                            raise error
                        report.skipped.append(error)
                        if on_skip is not None:
                            on_skip(error)
                        continue
                    for item in record["pii"]:
                        report.entities[item["type"]] = report.entities.get(item["type"], 0) + 1
                    out.write(json.dumps(record, ensure_ascii=False) + "\n")
                    report.written += 1
                if on_progress is not None:
                    on_progress(len(chunk))
        os.replace(tmp_name, dst)
    except BaseException:
        Path(tmp_name).unlink(missing_ok=True)
        raise
    return report


Row = tuple[int, Any, "ScrubInputError | None"]


def _process(
    src: Path,
    field_name: str,
    processes: int,
    batch_size: int,
    model: str,
    recognizers_yaml: str | Path | None,
    scrubber: Scrubber | None,
) -> Iterator[list[Row]]:
    chunks = _read_chunks(src)
    if processes <= 1 or scrubber is not None:
        local = scrubber or _build(model, recognizers_yaml)
        for chunk in chunks:
            yield _scrub_chunk(local, chunk, field_name, batch_size)
        return
    # spawn, not fork: a forked child inherits the locks other threads of this process hold at that instant
    # (Kafka clients' I/O threads, a web server's pool) and can wait on one of them forever
    with multiprocessing.get_context("spawn").Pool(
        processes,
        initializer=_init_worker,
        initargs=(model, str(recognizers_yaml) if recognizers_yaml else None),
    ) as pool:
        jobs = ((chunk, field_name, batch_size) for chunk in chunks)
        yield from pool.imap(_worker_chunk, jobs, chunksize=1)


def _read_chunks(src: Path) -> Iterator[list[tuple[int, bytes]]]:
    with src.open("rb") as lines:
        numbered = enumerate(lines, start=1)
        while chunk := list(islice(numbered, CHUNK_LINES)):
            yield chunk


def _scrub_chunk(
    scrubber: Scrubber, chunk: list[tuple[int, bytes]], field_name: str, batch_size: int
) -> list[Row]:
    parsed: list[Row] = [(number, *_parse(number, line, field_name)) for number, line in chunk]
    good = [row for row in parsed if row[2] is None]
    texts = [row[1][field_name] for row in good]
    for (_, record, _), text, spans in zip(
        good, texts, scrubber.analyze_many(texts, batch_size), strict=True
    ):
        record["scrubbed"] = PlaceholderMap().apply(text, spans)
        record["pii"] = [span.to_dict() for span in spans]
    return parsed


def _parse(number: int, raw: bytes, field_name: str) -> tuple[Any, ScrubInputError | None]:
    try:
        line = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        reason = messages.REASON_NOT_UTF8.format(position=exc.start)
        return None, ScrubInputError(number, reason, field_name)
    try:
        record = json.loads(line)
    except json.JSONDecodeError as exc:
        reason = messages.REASON_NOT_JSON.format(error=exc.msg)
        return None, ScrubInputError(number, reason, field_name)
    if not isinstance(record, dict):
        reason = messages.REASON_NOT_OBJECT.format(kind=type(record).__name__)
        return None, ScrubInputError(number, reason, field_name)
    if field_name not in record:
        return None, ScrubInputError(
            number, messages.REASON_MISSING_FIELD.format(field=field_name), field_name
        )
    if not isinstance(record[field_name], str):
        kind = type(record[field_name]).__name__
        reason = messages.REASON_NOT_STRING.format(field=field_name, kind=kind)
        return None, ScrubInputError(number, reason, field_name)
    return record, None


def _build(model: str, recognizers_yaml: str | Path | None) -> Scrubber:
    return Scrubber.from_yaml(recognizers_yaml, model=model) if recognizers_yaml else Scrubber(model)


_WORKER: Scrubber | None = None


def _init_worker(model: str, recognizers_yaml: str | None) -> None:
    global _WORKER
    _WORKER = _build(model, recognizers_yaml)


def _worker_chunk(job: tuple[list[tuple[int, bytes]], str, int]) -> list[Row]:
    assert _WORKER is not None, "worker not initialised"
    chunk, field_name, batch_size = job
    return _scrub_chunk(_WORKER, chunk, field_name, batch_size)
