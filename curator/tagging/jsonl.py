"""Tag a JSONL file line by line (the core of ``prefloop tag``).

Every input line produces exactly one output line with ``tags`` added, in order. A line that cannot be read or
tagged stops the run with an :class:`InputError` that names the line, so nothing is dropped silently.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from prefloop.curator.tagging import messages
from prefloop.curator.tagging.conversation import user_turns
from prefloop.curator.tagging.errors import InputError
from prefloop.curator.tagging.tagger import Tagger
from prefloop.schemas.text import has_unstorable

__all__ = ["TagFileReport", "tag_jsonl"]


@dataclass(frozen=True)
class TagFileReport:
    lines: int
    harmful: int
    by_tactic: dict[str, int]


def _records(fh: IO[bytes], path: str, field: str) -> Iterator[tuple[int, dict[str, Any]]]:
    for lineno, data in enumerate(fh, start=1):
        try:
            raw = data.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise InputError(
                messages.LINE_NOT_UTF8.format(line=lineno, path=path, offset=exc.start),
                value=data[:200],
                line=lineno,
            ) from exc
        if not raw.strip():
            raise InputError(
                messages.LINE_NOT_JSON.format(line=lineno, path=path, reason="empty line"),
                value=raw,
                line=lineno,
            )
        try:
            record = json.loads(raw)
        except json.JSONDecodeError as exc:
            raise InputError(
                messages.LINE_NOT_JSON.format(line=lineno, path=path, reason=exc.msg), value=raw, line=lineno
            ) from exc
        if not isinstance(record, dict):
            raise InputError(
                messages.LINE_NOT_OBJECT.format(line=lineno, path=path, field=field), raw, lineno
            )
        if field not in record:
            raise InputError(messages.LINE_NO_FIELD.format(line=lineno, path=path, field=field), raw, lineno)
        try:
            user_turns(record[field])
        except InputError as exc:
            raise InputError(
                messages.LINE_BAD_FIELD.format(line=lineno, path=path, reason=exc),
                value=record[field],
                line=lineno,
            ) from exc
        yield lineno, record


def tag_jsonl(
    src: Path | str, dst: Path | str, tagger: Tagger, field: str = "prompt", batch_size: int = 128
) -> TagFileReport:
    """Read ``src`` (JSONL), add ``tags`` to each object, write ``dst``. ``dst`` appears only when all lines worked."""
    src_p, dst_p = Path(src), Path(dst)
    tmp = dst_p.with_name(dst_p.name + ".partial")
    by_tactic: dict[str, int] = {}
    count = harmful = 0
    try:
        with src_p.open("rb") as fin, tmp.open("w", encoding="utf-8") as fout:
            batch: list[dict[str, Any]] = []

            def flush() -> None:
                nonlocal count, harmful
                for record, tags in zip(
                    batch, tagger.tag_many([r[field] for r in batch], batch_size), strict=True
                ):
                    record["tags"] = tags.to_dict()
                    line = json.dumps(record, ensure_ascii=False)
                    if has_unstorable(line):  # a lone surrogate from a JSON escape: UTF-8 cannot carry it
                        line = json.dumps(record)  # written as the escape it was read from
                    fout.write(line + "\n")
                    count += 1
                    harmful += tags.harmful
                    key = tags.tactic or "benign"
                    by_tactic[key] = by_tactic.get(key, 0) + 1
                batch.clear()

            for _lineno, record in _records(fin, str(src_p), field):
                batch.append(record)
                if len(batch) >= batch_size:
                    flush()
            flush()
        os.replace(tmp, dst_p)
    finally:
        if tmp.exists():
            tmp.unlink()
    return TagFileReport(lines=count, harmful=harmful, by_tactic=by_tactic)
