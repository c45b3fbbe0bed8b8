"""People's names from name lists (1990 US Census first names and frequent surnames).

The NER model misses many names, especially single first names and names it has not seen. This recognizer
finds census first names written as names (``Georgina``, ``Nina Patel``), with guards for the ways such words
appear without naming anyone: common words that are also names (``Will``, ``May``, ``Grace``), sentence starts,
headline-cased lines, code, and place or organisation names (``Jordan river``, ``Madison Avenue``).
It scores below the NER model's places, so where the model calls a word a place, the model wins.
"""

from __future__ import annotations

import functools
import re
from importlib import resources
from typing import TYPE_CHECKING, ClassVar

from spacy.lang.en.stop_words import STOP_WORDS

from prefloop.curator.scrub.recognizers.base import Recognizer
from prefloop.curator.scrub.recognizers.ner import code_regions
from prefloop.curator.scrub.recognizers.wordlists import COMMON_WORDS, NOT_PII, PLACE_NAMES
from prefloop.curator.scrub.types import PiiSpan

if TYPE_CHECKING:
    from spacy.tokens import Doc

__all__ = ["PLACE_OR_ORGANISATION_AFTER", "NameListRecognizer", "census_first_names"]

_WORD = re.compile(r"[^\W\d_](?:[\w-]|['’](?!s\b))*")
_NAME_VERBS = frozenset(
    """
    is was has had and or said says told asked wants wanted will would can could did does went came
    lives lived works worked called wrote knows knew thinks thought loves loved likes liked
    """.split()  # noqa: SIM905
)
#: Words after a name-like word that make it a place or an organisation's name ("Jordan river", "Madison Avenue").
PLACE_OR_ORGANISATION_AFTER = re.compile(
    r"\s+(?:[Rr]iver|[Vv]alley|[Ss]ea|[Ll]ake|Street|St\.?|Avenue|Ave\.?|Road|Rd\.?|Boulevard|Blvd\.?|Lane|Drive|"
    r"Square|County|City|Island|Bay|Mountains?|University|College|School|Hospital|Airport|Station|Bridge|"
    r"Inc\.?|Ltd\.?|LLC|Corp\.?|Company|Group|Bank|Hotel|Center|Centre|Foundation|Institute|Museum|Stadium)\b"
)
_SENTENCE_END = frozenset(".!?\n:;\"'“”([{-*>")


class NameListRecognizer(Recognizer):
    """Census first names (plus a following surname or capitalised word) as PERSON."""

    NAME = "person_names"
    ENTITY_TYPES = ("PERSON",)
    FIRST_SCORE = 0.61
    PLACE_SCORE = 0.55
    FULL_SCORE = 0.7
    FIRST_NAMES_FILE: ClassVar[str] = "first_names.txt"
    LAST_NAMES_FILE: ClassVar[str] = "last_names.txt"

    def __init__(self, name: str | None = None) -> None:
        super().__init__(name)
        self._first: frozenset[str] = frozenset()
        self._last: frozenset[str] = frozenset()

    def load(self) -> None:
        if self._loaded:
            return
        self._first = _read_list(self.FIRST_NAMES_FILE) - COMMON_WORDS - {w.lower() for w in NOT_PII}
        self._last = _read_list(self.LAST_NAMES_FILE)
        self._loaded = True

    def analyze(self, text: str, doc: Doc | None = None) -> list[PiiSpan]:
        if not self._loaded:
            self.load()
        lowercase_text = not any(ch.isupper() for ch in text)
        words = list(_WORD.finditer(text))
        regions: list[tuple[int, int]] | None = None
        spans: list[PiiSpan] = []
        index = 0
        while index < len(words):
            match = words[index]
            word = match.group()
            index += 1
            if len(word) < 3 or not self._is_first(word.lower()):
                continue
            if not lowercase_text and not all(p[:1].isupper() and p[1:].islower() for p in word.split("-")):
                continue
            if PLACE_OR_ORGANISATION_AFTER.match(text, match.end()):
                continue
            following = words[index] if index < len(words) else None
            has_surname = following is not None and self._is_surname(text, match, following, lowercase_text)
            if (
                lowercase_text
                and not has_surname
                and (len(word) < 4 or word in STOP_WORDS or word in PLACE_NAMES)
            ):
                continue
            if not has_surname and (
                _headline(text, match) or not self._plausible_single(text, match, following)
            ):
                continue
            if has_surname and PLACE_OR_ORGANISATION_AFTER.match(text, following.end()):  # type: ignore[union-attr]
                continue
            if not has_surname and text[max(0, match.start() - 4) : match.start()].lower() == "the ":
                continue  # "the Hope diamond"
            if regions is None:
                regions = code_regions(text)
            if any(a <= match.start() < b for a, b in regions):
                continue
            if has_surname:
                assert following is not None
                spans.append(PiiSpan("PERSON", match.start(), following.end(), self.FULL_SCORE, self.name))
                index += 1
            else:
                score = self.PLACE_SCORE if word.lower() in PLACE_NAMES else self.FIRST_SCORE
                spans.append(PiiSpan("PERSON", match.start(), match.end(), score, self.name))
        return spans

    def _is_first(self, lower: str) -> bool:
        """A census first name, or a hyphenated one whose parts all are (``anne-marie``)."""
        if lower in self._first:
            return True
        parts = lower.split("-")
        return len(parts) > 1 and all(part in self._first for part in parts)

    def _is_surname(self, text: str, first: re.Match[str], nxt: re.Match[str], lowercase_text: bool) -> bool:
        gap = text[first.end() : nxt.start()]
        if gap not in (" ", "\t"):
            return False
        word = nxt.group()
        lower = word.lower()
        if lower in COMMON_WORDS or word in NOT_PII:
            return False
        if lowercase_text:
            return lower in self._last or (
                len(lower) > 2 and lower not in STOP_WORDS and lower not in _NAME_VERBS
            )
        return word[0].isupper() and (word[1:].islower() or lower in self._last) and len(word) > 1

    def _plausible_single(self, text: str, match: re.Match[str], following: re.Match[str] | None) -> bool:
        """A lone first name counts mid-sentence, or at a sentence start when a verb follows it."""
        before = text[: match.start()].rstrip(" \t")
        if not before or before[-1] in _SENTENCE_END:
            if text[match.end() : match.end() + 1] in (":", ","):
                return True
            return following is not None and following.group().lower() in _NAME_VERBS
        return True


def _headline(text: str, match: re.Match[str]) -> bool:
    """Whether the word sits in a line written in title case (a headline, a title): capitals say nothing."""
    line_start = text.rfind("\n", 0, match.start()) + 1
    line_end = text.find("\n", match.end())
    return _title_case_line(text, line_start, len(text) if line_end < 0 else line_end)


@functools.lru_cache(maxsize=1024)
def _title_case_line(text: str, start: int, end: int) -> bool:
    """Asked once per line, not once per name on it (a line of thousands of names)."""
    words = [w for w in text[start:end].split() if not w.endswith(",")]
    return len(words) >= 4 and sum(w[:1].isupper() for w in words) * 10 >= len(words) * 8


@functools.cache
def census_first_names() -> frozenset[str]:
    """The census first names that are not also common English words (``Will``, ``May``...)."""
    return _read_list(NameListRecognizer.FIRST_NAMES_FILE) - COMMON_WORDS


def _read_list(filename: str) -> frozenset[str]:
    data = resources.files("prefloop.curator.scrub").joinpath("data", filename).read_text(encoding="utf-8")
    return frozenset(line.strip() for line in data.splitlines() if line.strip() and not line.startswith("#"))
