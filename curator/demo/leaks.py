"""The leak check (issue 5): no personal value the demo injected into a prompt may reach Slack or a release.

Slack is checked through the emulator's record of every Web API call the bot made; a release through every
text file it holds (JSONL rows, dataset card, changelog, manifest) and its Parquet rows.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

__all__ = ["LeakReport", "find_leaks", "release_texts"]

_TEXT_SUFFIXES = {".jsonl", ".json", ".md", ".txt", ".csv"}


@dataclass
class LeakReport:
    checked_values: int
    slack_calls: int
    release_files: int
    #: (where, value) for every injected value found
    found: list[tuple[str, str]] = field(default_factory=list)

    @property
    def clean(self) -> bool:
        return not self.found


def release_texts(root: Path) -> Iterable[tuple[str, str]]:
    """``(file, text)`` for every text file of a release, and each Parquet file's rows as JSON."""
    for path in sorted(p for p in root.rglob("*") if p.is_file()):
        if path.suffix in _TEXT_SUFFIXES:
            yield str(path), path.read_text(encoding="utf-8", errors="replace")
        elif path.suffix == ".parquet":
            import json

            import pyarrow.parquet as pq

            rows = pq.read_table(path).to_pylist()
            yield str(path), json.dumps(rows, ensure_ascii=False, default=str)


def find_leaks(values: Iterable[str], slack_payloads: list[str], release_root: Path | None) -> LeakReport:
    """Look for each of ``values`` (case-insensitive) in every Slack payload and release file."""
    wanted = sorted({v for v in values if v})
    files = list(release_texts(release_root)) if release_root is not None and release_root.exists() else []
    report = LeakReport(len(wanted), len(slack_payloads), len(files))
    for value in wanted:
        needle = value.casefold()
        if any(needle in p.casefold() for p in slack_payloads):
            report.found.append(("slack", value))
        for name, text in files:
            if needle in text.casefold():
                report.found.append((name, value))
    return report
