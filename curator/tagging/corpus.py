"""The training corpus: labelled examples from the committed files under ``curator/tagging/corpus/``.

Two kinds of files are read:

* ``authored/*.txt`` — examples written for prefloop. A line ``## tactic=<name|none> hazards=<a,b|none>`` opens a
  section; every other non-empty line that does not start with ``#`` is one example. `` ||| `` separates the user
  turns of a conversation (the last turn is the prompt).
* ``sources/`` — public data sets copied as published, labelled by :mod:`curator.tagging.sources`.

Each example gets a stable split (``train`` / ``dev`` / ``test``) from a hash of its normalised text, so the split
does not move when examples are added, and duplicates across sources are dropped.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from curator.tagging import messages
from curator.tagging.errors import CorpusError

__all__ = ["DEFAULT_CORPUS_DIR", "Example", "load_corpus", "parse_authored", "split_of"]

DEFAULT_CORPUS_DIR = Path(__file__).parent / "corpus"
TURN_SEPARATOR = " ||| "
_HEADER = re.compile(r"^##\s*tactic=(\S+)\s+hazards=(\S+)\s*$")
#: Fractions of examples held out for threshold calibration (dev) and for the benchmark (test).
DEV_SHARE = 0.15
TEST_SHARE = 0.20


@dataclass(frozen=True)
class Example:
    """One labelled conversation. ``turns`` are the user turns, oldest first; the last is the prompt."""

    turns: tuple[str, ...]
    tactic: str | None
    hazards: tuple[str, ...]
    source: str
    subset: str = ""
    meta: dict[str, str] = field(default_factory=dict, compare=False, hash=False)

    @property
    def harmful(self) -> bool:
        return self.tactic is not None and self.tactic != "edge_case"

    @property
    def key(self) -> str:
        return " ".join(" ".join(t.lower().split()) for t in self.turns)

    @property
    def split(self) -> str:
        return split_of(self.key)


def split_of(key: str) -> str:
    """The stable split of an example key: ``train``, ``dev`` or ``test``."""
    digest = hashlib.sha256(key.encode("utf-8")).digest()
    u = int.from_bytes(digest[:8], "big") / 2**64
    if u < TEST_SHARE:
        return "test"
    if u < TEST_SHARE + DEV_SHARE:
        return "dev"
    return "train"


def _parse_labels(raw: str, path: Path, lineno: int, known: set[str] | None) -> tuple[str, ...]:
    if raw == "none":
        return ()
    names = tuple(n for n in raw.split(",") if n)
    if known is not None:
        for name in names:
            if name not in known:
                raise CorpusError(messages.CORPUS_UNKNOWN_LABEL.format(name=name, path=path, line=lineno), value=name)
    return names


def parse_authored(
    path: Path, tactics: set[str] | None = None, hazards: set[str] | None = None
) -> Iterator[Example]:
    """Yield the examples of one authored ``.txt`` file (format in the module docstring)."""
    section: tuple[str | None, tuple[str, ...]] | None = None
    for lineno, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        line = line.strip()
        if not line:
            continue
        header = _HEADER.match(line)
        if header:
            tactic_raw, hazards_raw = header.groups()
            tactic = None if tactic_raw == "none" else tactic_raw
            if tactic is not None and tactics is not None and tactic not in tactics:
                raise CorpusError(
                    messages.CORPUS_UNKNOWN_LABEL.format(name=tactic, path=path, line=lineno), value=tactic
                )
            section = (tactic, _parse_labels(hazards_raw, path, lineno, hazards))
            continue
        if line.startswith("#"):
            continue
        if section is None:
            raise CorpusError(messages.CORPUS_NO_SECTION.format(path=path, line=lineno), value=line)
        turns = tuple(t.strip() for t in line.split(TURN_SEPARATOR.strip()) if t.strip())
        yield Example(turns=turns, tactic=section[0], hazards=section[1], source=f"authored/{path.name}")


def load_corpus(
    corpus_dir: Path | str | None = None, tactics: set[str] | None = None, hazards: set[str] | None = None
) -> list[Example]:
    """All labelled examples of a corpus directory, de-duplicated by normalised text (first one wins)."""
    from curator.tagging import sources

    root = Path(corpus_dir) if corpus_dir is not None else DEFAULT_CORPUS_DIR
    if not root.is_dir():
        raise CorpusError(messages.CORPUS_MISSING.format(path=root), value=str(root))
    found: list[Example] = []
    for path in sorted((root / "authored").glob("*.txt")):
        found.extend(parse_authored(path, tactics, hazards))
    found.extend(sources.load_public(root / "sources"))
    seen: set[str] = set()
    unique: list[Example] = []
    for ex in found:
        if ex.key in seen:
            continue
        seen.add(ex.key)
        unique.append(ex)
    if not unique:
        raise CorpusError(messages.CORPUS_EMPTY.format(path=root), value=str(root))
    return unique
