"""The recognizer contract and the regex-based building block most recognizers share."""

from __future__ import annotations

import re
from abc import ABC, abstractmethod
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, ClassVar

from prefloop.curator.scrub.types import PiiSpan

if TYPE_CHECKING:
    from spacy.tokens import Doc

__all__ = ["CaseFreePrecheck", "PatternRecognizer", "Recognizer", "ascii_lowered", "has_context"]


class Recognizer(ABC):
    """Finds one kind of PII. Subclasses set ``NAME`` and ``ENTITY_TYPES``; constructors may override defaults.

    ``load()`` does any expensive set-up once (compiling, reading lists); the engine calls it before first use.
    ``analyze(text, doc)`` returns spans in any order; ``doc`` is the spaCy ``Doc`` for ``text`` when
    ``NEEDS_NLP`` is true, else ``None``. The engine skips spaCy (``doc`` is ``None``) for texts without a capital
    letter, and for texts over ``Scrubber.LONG_TEXT`` passes an object with the ``Doc``'s ``text`` and ``ents``
    only. Overlaps between recognizers are resolved by the engine.
    """

    NAME: ClassVar[str] = "recognizer"
    ENTITY_TYPES: ClassVar[tuple[str, ...]] = ()
    NEEDS_NLP: ClassVar[bool] = False

    def __init__(self, name: str | None = None) -> None:
        self.name = name or self.NAME
        self._loaded = False

    def load(self) -> None:
        """Prepare expensive state once; safe to call repeatedly."""
        self._loaded = True

    @abstractmethod
    def analyze(self, text: str, doc: Doc | None = None) -> list[PiiSpan]:
        """Return the spans of ``text`` this recognizer is responsible for."""


def has_context(text: str, start: int, end: int, words: re.Pattern[str] | None, window: int = 40) -> bool:
    """True when ``words`` matches within ``window`` characters before ``start`` (or just after ``end``)."""
    if words is None:
        return False
    before = text[max(0, start - window) : start]
    after = text[end : end + window // 2]
    return bool(words.search(before) or words.search(after))


#: A pattern is rewritten by ``ascii_lowered`` only when every escape in it keeps its meaning in lower case (no
#: ``\W``, ``\x41``, ``\N{...}``) and it sets no inline flags. A letter of any script, ``[^\W\d_]``, is ``[a-z]``
#: in a lower-cased ASCII text.
_UNSAFE_TO_LOWER = re.compile(r"\\[^bdswtnrf.\-\\/\[\](){}|?*+^$&~# '\":=<>@!%,;_]|\(\?[a-zA-OQ-Z-]+[:)]")
_ESCAPE_OR_TEXT = re.compile(r"\\.|\(\?P<\w+>|[^\\(]+|\(", re.DOTALL)


def ascii_lowered(pattern: re.Pattern[str]) -> re.Pattern[str] | None:
    """For a case-insensitive ``pattern``, a case-sensitive one that matches ``text.lower()`` where ``pattern``
    matches ``text``, at the same offsets, for every ASCII ``text``; ``None`` when the rewrite is not known to be safe.

    Python's ``re`` folds the case of every character it compares under ``IGNORECASE``, at every position of a long
    alternation; on ASCII text, where only the letters A-Z have another case, lower-casing text and pattern once is
    cheaper. Escapes and group names are kept as they are.
    """
    source = pattern.pattern.replace(r"[^\W\d_]", "[a-z]")
    if not pattern.flags & re.IGNORECASE or _UNSAFE_TO_LOWER.search(source):
        return None
    source = _ESCAPE_OR_TEXT.sub(
        lambda m: m.group() if m.group().startswith(("\\", "(?P<")) else m.group().lower(), source
    )
    return re.compile(source, pattern.flags & ~re.IGNORECASE)


class CaseFreePrecheck:
    """Whether a case-insensitive ``pattern`` occurs in a text (``pattern.search(text) is not None``), asked of the
    lower-cased text with ``ascii_lowered(pattern)`` when the text is ASCII, as the pattern is otherwise."""

    def __init__(self, pattern: re.Pattern[str]) -> None:
        self.pattern = pattern
        self.lowered = ascii_lowered(pattern)

    def __call__(self, text: str) -> bool:
        if self.lowered is not None and text.isascii():
            return self.lowered.search(text.lower()) is not None
        return self.pattern.search(text) is not None


class PatternRecognizer(Recognizer):
    """Regex candidates, an optional validator, and an optional context boost.

    A candidate (``group`` of each match of ``PATTERN``) is kept when ``validate(value)`` is true; it gets
    ``SCORE``, raised to ``CONTEXT_SCORE`` when one of ``CONTEXT`` words is near. Candidates scoring below
    ``MIN_SCORE`` are dropped, so a pattern that is only trustworthy near context sets ``MIN_SCORE`` above
    ``SCORE``. ``PRECHECK`` is a cheap substring/regex test run on the whole text first.
    """

    ENTITY_TYPE: ClassVar[str] = ""
    PATTERN: ClassVar[str] = ""
    FLAGS: ClassVar[int] = 0
    GROUP: ClassVar[int | str] = 0
    PRECHECK: ClassVar[str | None] = None
    SCORE: ClassVar[float] = 0.6
    CONTEXT: ClassVar[Sequence[str]] = ()
    CONTEXT_SCORE: ClassVar[float] = 0.9
    MIN_SCORE: ClassVar[float] = 0.0

    def __init__(
        self,
        name: str | None = None,
        *,
        entity_type: str | None = None,
        pattern: str | None = None,
        score: float | None = None,
        context: Sequence[str] | None = None,
        min_score: float | None = None,
        validator: Callable[[str], bool] | None = None,
        flags: int | None = None,
    ) -> None:
        super().__init__(name)
        self.entity_type = entity_type or self.ENTITY_TYPE
        self.pattern = pattern or self.PATTERN
        self.score = self.SCORE if score is None else score
        self.context = tuple(self.CONTEXT if context is None else context)
        self.min_score = self.MIN_SCORE if min_score is None else min_score
        self.flags = self.FLAGS if flags is None else flags
        self._validator = validator
        self._regex: re.Pattern[str] | None = None
        self._precheck: re.Pattern[str] | None = None
        self._context_re: re.Pattern[str] | None = None

    @property
    def entity_types(self) -> tuple[str, ...]:
        return (self.entity_type,)

    def load(self) -> None:
        if self._loaded:
            return
        self._regex = re.compile(self.pattern, self.flags)
        self._precheck = re.compile(self.PRECHECK) if self.PRECHECK else None
        if self.context:
            alternatives = "|".join(re.escape(word) for word in self.context)
            self._context_re = re.compile(rf"(?<![a-z])(?:{alternatives})(?![a-z])", re.IGNORECASE)
        self._loaded = True

    def validate(self, value: str) -> bool:
        """Whether a candidate is a real value of this type (checksum, ranges...). Default: the validator, if any."""
        return self._validator(value) if self._validator is not None else True

    def reject(self, text: str, start: int, end: int) -> bool:
        """Whether the surroundings show the candidate is not PII (a version string, code...). Default: never."""
        return False

    def analyze(self, text: str, doc: Doc | None = None) -> list[PiiSpan]:
        if not self._loaded:
            self.load()
        assert self._regex is not None
        if self._precheck is not None and not self._precheck.search(text):
            return []
        spans = []
        for match in self._regex.finditer(text):
            start, end = match.span(self.GROUP)
            if start < 0 or start == end:
                continue
            value = text[start:end]
            if not self.validate(value) or self.reject(text, start, end):
                continue
            score = self.score
            if self._context_re is not None and has_context(text, start, end, self._context_re):
                score = max(score, self.CONTEXT_SCORE)
            if score < self.min_score:
                continue
            spans.append(PiiSpan(self.entity_type, start, end, score, self.name))
        return spans
