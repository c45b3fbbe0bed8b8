"""Names and places: spaCy NER with precision filters, and cue-based person names (``my name is ...``)."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import TYPE_CHECKING, ClassVar

from prefloop.curator.scrub.recognizers.base import Recognizer
from prefloop.curator.scrub.recognizers.wordlists import COMMON_WORDS, NOT_PII
from prefloop.curator.scrub.types import PiiSpan

if TYPE_CHECKING:
    from spacy.tokens import Doc

__all__ = ["NerRecognizer", "code_regions"]

_NATURAL_FEATURE = re.compile(
    r"\s*(?:river|valley|sea|lake|ocean|mountains?|desert|delta|basin|gulf|bay|strait|rift|canal|falls)\b",
    re.IGNORECASE,
)
#: Last words of public landmarks and natural features: where they are is not about anyone.
_LANDMARK_LAST = re.compile(
    r"\b(?:Sea|Ocean|River|Lake|Mountains?|Mount|Valley|Desert|Gulf|Bay|Strait|Canal|Falls|Tower|Bridge|"
    r"Cathedral|Museum|Palace|Castle|Temple|Monument|Statue|Wall|Park|Forest|Island|Islands|Peninsula)$"
)
_FEATURE_BEFORE = re.compile(r"\b(?:river|lake|mount|mt\.?|sea|gulf of|bay of|strait of)\s+$", re.IGNORECASE)
_BAD_CHARS = re.compile(r"[\d@/\\_=<>{}\[\]()#$%^*|`~+;]")
_FENCE = re.compile(r"```.*?(?:```|\Z)|`[^`\n]+`", re.DOTALL)
_CODE_LINE = re.compile(
    r"^[ \t]*(?:(?:def|class|import|from|return|if|for|while|const|let|var|function|public|private|#include|"
    r"SELECT|INSERT|UPDATE|print|console\.log)\b|[\w.\[\]]+\s*[+\-*/]?=\s*\S|[}\])]|@\w+)|[;{]\s*$|\)\s*:\s*$",
    re.MULTILINE,
)
_STRING_LITERAL = re.compile(r"\"[^\"\n]*\"|'[^'\n]*'")


def code_regions(text: str) -> list[tuple[int, int]]:
    """Character ranges of ``text`` that are code: fenced/inline backticks and lines that read like code."""
    regions = [m.span() for m in _FENCE.finditer(text)] if "`" in text else []
    for match in _CODE_LINE.finditer(text):
        line_start = text.rfind("\n", 0, match.start()) + 1
        line_end = text.find("\n", match.end())
        regions.append((line_start, len(text) if line_end < 0 else line_end))
    return regions


def _inside(start: int, end: int, regions: Iterable[tuple[int, int]]) -> bool:
    return any(a <= start and end <= b for a, b in regions)


class NerRecognizer(Recognizer):
    """PERSON and LOCATION from the spaCy ``Doc``, minus software names, natural features and code.

    Inside code, a name counts only when it sits in a string literal (``author = "Jane Roe"``).
    """

    NAME = "spacy_ner"
    ENTITY_TYPES = ("PERSON", "LOCATION")
    NEEDS_NLP = True
    LABELS: ClassVar[dict[str, str]] = {"PERSON": "PERSON", "GPE": "LOCATION", "LOC": "LOCATION"}
    SCORES: ClassVar[dict[str, float]] = {"PERSON": 0.7, "LOCATION": 0.6}

    def __init__(self, name: str | None = None, *, labels: dict[str, str] | None = None) -> None:
        super().__init__(name)
        self.labels = dict(self.LABELS if labels is None else labels)

    def analyze(self, text: str, doc: Doc | None = None) -> list[PiiSpan]:
        if doc is None or not doc.ents:
            return []
        regions: list[tuple[int, int]] | None = None
        spans = []
        for ent in doc.ents:
            entity_type = self.labels.get(ent.label_)
            if entity_type is None:
                continue
            start, end = _trim_entity(text, ent.start_char, ent.end_char)
            value = text[start:end]
            if len(value) < 2 or value in NOT_PII or _BAD_CHARS.search(value) or not value[0].isalpha():
                continue
            if entity_type == "PERSON" and value[0].islower() and any(ch.isupper() for ch in text):
                continue  # a cased text writes names capitalised
            if entity_type == "PERSON" and value.lower() in COMMON_WORDS and _sentence_start(text, start):
                continue  # "Mark the grace period as optional"
            if entity_type == "LOCATION" and len(value) <= 3 and value.isupper():
                continue  # "GB", "MB", "AWS": units and acronyms far more often than places
            if entity_type == "LOCATION" and (
                _NATURAL_FEATURE.match(text, end)
                or _FEATURE_BEFORE.search(text[max(0, start - 12) : start])
                or _LANDMARK_LAST.search(value)
            ):
                continue
            if regions is None:
                regions = code_regions(text)
            if regions and _inside(start, end, regions):
                literals = [
                    m.span() for a, b in regions for m in _STRING_LITERAL.finditer(text, a, b) if m.end() <= b
                ]
                if entity_type != "PERSON" or not _inside(start, end, literals) or " " not in value:
                    continue
            if entity_type == "PERSON" and any(ch.isupper() for ch in text):
                # a name is capitalised words (and particles): a proposal running over lower-case words is cut to
                # its capitalised runs ("Je m'appelle Margaux et j'hésite entre" -> "Je", "Margaux")
                for run_start, run_end in _capitalised_runs(text, start, end):
                    spans.append(
                        PiiSpan(entity_type, run_start, run_end, self.SCORES[entity_type], self.name)
                    )
                continue
            spans.append(PiiSpan(entity_type, start, end, self.SCORES[entity_type], self.name))
        return spans


#: Lower-case words that stand inside names: particles of many languages.
_PARTICLES = frozenset(
    """
    van von der den de del della dei degli di da das dos do du des la le le ter ten te zu af av bin ibn al el y i e
    mac mc ni nic ua bint
    """.split()  # noqa: SIM905
)
_NAME_TOKEN = re.compile(r"\S+")


def _capitalised_runs(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """``text[start:end]`` whole unless most of its words are lower case (particles aside); then its runs of
    capitalised words (particles inside a run kept, at its edges dropped)."""
    tokens = [m.span() for m in _NAME_TOKEN.finditer(text, start, end)]
    lower = sum(text[a].islower() and text[a:b].lower() not in _PARTICLES for a, b in tokens)
    if lower * 2 <= len(tokens):
        return [(start, end)]  # "Mia madre", "Dante nel Paradiso": judged whole, as the model proposed them
    runs: list[list[tuple[int, int]]] = [[]]
    for a, b in tokens:
        word = text[a:b]
        if word[0].isupper() or (word.lower() in _PARTICLES and runs[-1]):
            runs[-1].append((a, b))
        elif runs[-1]:
            runs.append([])
    result = []
    for run in runs:
        while run and text[run[-1][0] : run[-1][1]].lower() in _PARTICLES:
            run.pop()
        if run:
            a, b = _trim_entity(text, run[0][0], run[-1][1])
            if b - a >= 2:
                result.append((a, b))
    return result


def _sentence_start(text: str, start: int) -> bool:
    before = text[:start].rstrip(" \t\"'“(")
    return not before or before[-1] in ".!?\n:;"


def _trim_entity(text: str, start: int, end: int) -> tuple[int, int]:
    """Cut at a line break; drop a trailing possessive and surrounding punctuation that spaCy sometimes includes."""
    newline = text.find("\n", start, end)
    if newline > start:
        end = newline  # a name does not run over a line break ("Jantsa Jant\nTel")
    value = text[start:end]
    for suffix in ("'s", "’s"):
        if value.endswith(suffix):
            end -= len(suffix)
    while end > start and not text[end - 1].isalnum():
        end -= 1
    while start < end and not text[start].isalnum():
        start += 1
    return start, end
