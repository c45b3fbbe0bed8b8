"""The training corpus: labelled examples from the committed files under ``curator/tagging/corpus/``.

Two kinds of files are read:

* ``authored/*.txt`` — examples written for prefloop. A line ``## tactic=<name|none> hazards=<a,b|none>`` opens a
  section; every other non-empty line that does not start with ``#`` is one example. `` ||| `` separates the user
  turns of a conversation (the last turn is the prompt).
* ``authored/*.yaml`` — templated examples: request frames x requests, expanded by :func:`expand_templates`.
* ``sources/`` — public data sets copied as published, labelled by :mod:`prefloop.curator.tagging.sources`.

Each example gets a stable split (``train`` / ``test``) and a cross-validation fold from a hash of its normalised
text (or of its template group), so neither moves when examples are added; duplicates across sources are dropped.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from prefloop.curator.tagging import messages
from prefloop.curator.tagging.errors import CorpusError

__all__ = [
    "DEFAULT_CORPUS_DIR",
    "FOLDS",
    "Example",
    "expand_templates",
    "fold_of",
    "load_corpus",
    "parse_authored",
    "split_of",
]

DEFAULT_CORPUS_DIR = Path(__file__).parent / "corpus"
TURN_SEPARATOR = " ||| "
_HEADER = re.compile(r"^##\s*tactic=(\S+)\s+hazards=(\S+)\s*$")
#: Share of examples held out for the benchmark (never trained on, never used for calibration).
TEST_SHARE = 0.20
#: Folds of the training split; thresholds are calibrated on out-of-fold predictions.
FOLDS = 4


@dataclass(frozen=True)
class Example:
    """One labelled conversation. ``turns`` are the user turns, oldest first; the last is the prompt."""

    turns: tuple[str, ...]
    tactic: str | None
    hazards: tuple[str, ...]
    source: str
    subset: str = ""
    group: str = ""  # examples sharing a group (variants of one templated request) share a split
    meta: dict[str, str] = field(default_factory=dict, compare=False, hash=False)

    @property
    def harmful(self) -> bool:
        return self.tactic is not None and self.tactic != "edge_case"

    @property
    def key(self) -> str:
        return " ".join(" ".join(t.lower().split()) for t in self.turns)

    @property
    def split(self) -> str:
        return split_of(self.group or self.key)

    @property
    def fold(self) -> int:
        return fold_of(self.group or self.key)


def _unit(key: str, salt: str = "") -> float:
    digest = hashlib.sha256((salt + key).encode("utf-8")).digest()
    return int.from_bytes(digest[:8], "big") / 2**64


def split_of(key: str) -> str:
    """The stable split of an example key: ``train`` or ``test``."""
    return "test" if _unit(key) < TEST_SHARE else "train"


def fold_of(key: str) -> int:
    """The stable cross-validation fold (0..FOLDS-1) of an example key."""
    return int(_unit(key, "fold:") * FOLDS)


def _parse_labels(raw: str, path: Path, lineno: int, known: set[str] | None) -> tuple[str, ...]:
    if raw == "none":
        return ()
    names = tuple(n for n in raw.split(",") if n)
    if known is not None:
        for name in names:
            if name not in known:
                raise CorpusError(
                    messages.CORPUS_UNKNOWN_LABEL.format(name=name, path=path, line=lineno), value=name
                )
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


def _pick(item: str, salt: str, n: int, k: int) -> list[int]:
    """``k`` distinct indices in ``range(n)``, chosen deterministically from ``item``."""
    start = int.from_bytes(hashlib.sha256(f"{salt}:{item}".encode()).digest()[:4], "big")
    step = 1 + start % max(1, n - 1) if n > 1 else 1
    picked: list[int] = []
    i = start % n
    while len(picked) < min(k, n):
        if i not in picked:
            picked.append(i)
        i = (i + step) % n
        if len(picked) < min(k, n) and i == start % n:
            i = (i + 1) % n
    return picked


def _fill(frame: str, x: str) -> str:
    return frame.replace("{X}", x[:1].upper() + x[1:]).replace("{x}", x)


def expand_templates(path: Path) -> Iterator[Example]:
    """Yield the examples of a templates YAML file (see ``authored/templates.yaml`` for the format).

    Every request is combined with ``per_item`` frames of its kind. Harmful requests also get one prompt-injection
    and one social-engineering wrapping for about a quarter of the items each; benign requests get a harmless
    "for my novel / I'm a nurse" framing (still benign) and an injection wrapping (prompt_injection, no hazard)
    for a few items, so these cues are learned as cues and not as harm.
    """
    import yaml

    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    frames: dict[str, list[str]] = data["frames"]
    per_item = int(data.get("per_item", 2))
    source = f"authored/{path.name}"
    for group in data["sets"]:
        tactic = None if group["tactic"] == "none" else str(group["tactic"])
        hazards = () if group["hazards"] == "none" else tuple(str(group["hazards"]).split(","))
        for kind in ("ask", "write"):
            for item in group.get(kind) or []:
                for i in _pick(item, kind, len(frames[kind]), per_item):
                    yield Example((_fill(frames[kind][i], item),), tactic, hazards, source, group=item)
                if kind != "ask":
                    continue
                bucket = _pick(item, "wrap", 8, 1)[0]
                if tactic is None and bucket == 0:
                    frame = frames["fiction_benign"][_pick(item, "fb", len(frames["fiction_benign"]), 1)[0]]
                    yield Example((_fill(frame, item),), None, (), source, group=item)
                elif bucket in (1, 2) if tactic is not None else bucket == 1:
                    frame = frames["injection"][_pick(item, "inj", len(frames["injection"]), 1)[0]]
                    yield Example((_fill(frame, item),), "prompt_injection", hazards, source, group=item)
                elif tactic is not None and bucket in (3, 4):
                    frame = frames["social"][_pick(item, "soc", len(frames["social"]), 1)[0]]
                    yield Example((_fill(frame, item),), "social_engineering", hazards, source, group=item)
    for combo in data.get("combos") or []:
        tactic = None if combo["tactic"] == "none" else str(combo["tactic"])
        hazards = () if combo["hazards"] == "none" else tuple(str(combo["hazards"]).split(","))
        ((slot, values),) = combo["slots"].items()
        for pattern in combo["patterns"]:
            for value in values:
                text = pattern.replace("{" + slot + "}", str(value))
                yield Example((text,), tactic, hazards, source, group=f"{slot}={value}")


def _excluded(path: Path) -> Iterator[str]:
    """Keys of rows left out of the corpus (``labels/excluded.tsv``: sha1 of the key, then why), matched by key."""
    if not path.is_file():
        return
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            yield line.split("\t", 1)[0]


def load_corpus(
    corpus_dir: Path | str | None = None, tactics: set[str] | None = None, hazards: set[str] | None = None
) -> list[Example]:
    """All labelled examples of a corpus directory, de-duplicated by normalised text (first one wins)."""
    from prefloop.curator.tagging import sources

    root = Path(corpus_dir) if corpus_dir is not None else DEFAULT_CORPUS_DIR
    if not root.is_dir():
        raise CorpusError(messages.CORPUS_MISSING.format(path=root), value=str(root))
    found: list[Example] = []
    for path in sorted((root / "authored").glob("*.txt")):
        found.extend(parse_authored(path, tactics, hazards))
    for path in sorted((root / "authored").glob("*.yaml")):
        found.extend(expand_templates(path))
    found.extend(sources.load_public(root / "sources"))
    seen: set[str] = set(_excluded(root / "labels" / "excluded.tsv"))
    unique: list[Example] = []
    for ex in found:
        if ex.key in seen or hashlib.sha1(ex.key.encode("utf-8")).hexdigest() in seen:
            continue
        seen.add(ex.key)
        unique.append(ex)
    if not unique:
        raise CorpusError(messages.CORPUS_EMPTY.format(path=root), value=str(root))
    return unique
