"""Known given names of any language as candidates that count only on evidence of their own.

The census list (``person_names``) and the language model make the ordinary candidates; they miss given names of
other languages ("Oksana", "Itziar") and, in a text typed all in lower case, every name the model would have found
by its capital. This recognizer proposes the given names libpostal lists for every language (and the census
names), capitalised in a cased text, lower case in an all-lower-case one, with a following surname. The policy
(``prefloop.curator.scrub.policy``) keeps such a candidate only on evidence of its own — a cue, a dealing with the
writer, a relation or an everyday occasion — or as the subject of a verb, so a word that is also a given name
("Con:", "Nike") does not become a person by being one.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from spacy.lang.en.stop_words import STOP_WORDS

from prefloop.curator.scrub.recognizers.base import Recognizer
from prefloop.curator.scrub.recognizers.cues import NOT_NAME_WORDS, PersonCueRecognizer, lower_name_end
from prefloop.curator.scrub.recognizers.names import PLACE_OR_ORGANISATION_AFTER
from prefloop.curator.scrub.recognizers.wordlists import COMMON_WORDS, NOT_PII, RELATIONS
from prefloop.curator.scrub.types import PiiSpan
from prefloop.curator.scrub.vocab import fold, given_names, public_places, surnames
from prefloop.curator.spacy_words import stop_words

if TYPE_CHECKING:
    from spacy.tokens import Doc

__all__ = ["GivenNameRecognizer"]

_UPPER = PersonCueRecognizer._UPPER
_LOWER = r"[a-zß-öø-ÿā-žſ]"
#: A capitalised word and, if one follows, a second (a surname).
_CASED = re.compile(
    rf"(?<![\w'’-])(?P<first>{_UPPER}{_LOWER}+(?:-{_UPPER}{_LOWER}+)?)"
    rf"(?:[ \t]+(?P<last>{_UPPER}{_LOWER}+(?:-{_UPPER}?{_LOWER}+)*))?(?![\w-])"
)
_LOWER_WORD = re.compile(r"(?<![\w'’-])[^\W\d_][\w'’-]{2,}")
_RELATION_WORD = re.compile(rf"(?:{RELATIONS})$")
#: Words a sentence may open with in the languages of the chat the scrubber sees (spaCy's stop-word lists): no given
#: name a list lacks ("Als Peter", "Ayer Gómez" are not names).
_OTHER_STOP_WORDS = frozenset(
    fold(word)
    for language in ("fr", "es", "it", "pt", "nl", "de", "pl", "sv", "da", "nb", "tr")
    for word in stop_words(language)
)


class GivenNameRecognizer(Recognizer):
    """Given names of any language (libpostal and census lists), with a following surname: evidence-only
    candidates (see the module docstring)."""

    NAME = "given_names"
    ENTITY_TYPES = ("PERSON",)
    SCORE = 0.6

    def analyze(self, text: str, doc: Doc | None = None) -> list[PiiSpan]:
        if text == text.lower():
            return self._lower(text)
        spans = []
        position = 0
        while match := _CASED.search(text, position):
            # a word that is no given name is passed over alone: the next may start a name ("Ayer Remedios Castañeda")
            position = match.end("first")
            first = match.group("first")
            folded = fold(first)
            last = match.group("last")
            # a given name the lists lack ("Femke", "Begoña") before a surname they hold ("Jansen") is one too
            known = folded in given_names() or (
                last is not None
                and fold(last) in surnames()
                and folded not in surnames()  # "Tesla Model", "Skoda Octavia": a brand before a word
                and folded not in _OTHER_STOP_WORDS
            )
            if (
                len(folded) < 3
                or not known
                or folded in COMMON_WORDS
                or folded in STOP_WORDS
                or folded in NOT_NAME_WORDS
                or first in NOT_PII
                or _RELATION_WORD.match(folded)
                or folded in public_places()
            ):
                continue
            if PLACE_OR_ORGANISATION_AFTER.match(text, match.end("first")) or (
                match.group("last") and PLACE_OR_ORGANISATION_AFTER.match(text, match.end("last"))
            ):
                continue  # "Gordon Street", "Victoria Station"
            end = match.end("first")
            if (
                last
                and last not in NOT_PII
                and fold(last) not in COMMON_WORDS
                and fold(last) not in STOP_WORDS
            ):
                end = match.end("last")
            if folded in given_names() or end == match.end("last"):
                spans.append(PiiSpan("PERSON", match.start("first"), end, self.SCORE, self.name))
                position = match.end()
        return spans

    def _lower(self, text: str) -> list[PiiSpan]:
        """In an all-lower-case text: each known given name, extended over known surnames and particles."""
        spans = []
        for word in _LOWER_WORD.finditer(text):
            end = lower_name_end(text, word.start())
            if end is not None:
                spans.append(PiiSpan("PERSON", word.start(), end, self.SCORE, self.name))
        return spans
