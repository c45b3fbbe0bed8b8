"""Street addresses: a street line (number + street name, PO box, military address) plus the lines after it.

A *street line* is anchored on something addresses have and prose rarely does: a house number next to a street
word (``12 Elm Street``, ``Hauptstraße 5``, ``rue de Rivoli 3``), a PO box, or a military ``PSC/Unit ... APO``
address. From there the span grows over the following comma- or newline-separated segments while they look
like address parts (unit, city, region, postcode, country) and stops at the first one that reads like prose.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from spacy.lang.en.stop_words import STOP_WORDS

from prefloop.curator.scrub.recognizers.address_parts import (
    closing,
    floor_segment,
    unit_before,
    unit_before_dot,
    unit_or_side_words,
    unit_segment,
)
from prefloop.curator.scrub.recognizers.base import Recognizer
from prefloop.curator.scrub.recognizers.street_lines import AMBIGUOUS_SUFFIX, street_lines
from prefloop.curator.scrub.types import PiiSpan
from prefloop.curator.scrub.vocab import (
    fold,
    public_places,
)
from prefloop.curator.spacy_words import stop_words

if TYPE_CHECKING:
    from spacy.tokens import Doc

__all__ = ["StreetAddressRecognizer"]

_UNIT = re.compile(
    r"^(?:apt\.?|apartment|suite|ste\.?|unit|flat|room|rm\.?|floor|fl\.?|building|bldg\.?|#)\s*[\w-]{1,6}\.?$",
    re.IGNORECASE,
)
#: Words that may stand before a postcode (Brazil's CEP, Germany's PLZ, India's PIN, Spain's and Mexico's CP).
_POSTCODE_WORD = r"(?:(?:cep|plz|pin|cp|c\.p\.|zip|postcode|post code|postal code)[ \t]*:?[ \t]*)?"
_POSTCODE = re.compile(
    "^"
    + _POSTCODE_WORD
    + r"(?:[A-Z]{1,2}\d[A-Z\d]?\s*\d[A-Z]{2}|[A-Z]\d[A-Z]\s?\d[A-Z]\d|[A-Z]{1,2}-?\d{3,6}|\d{3,6}(?:-\d{3,4})?"
    r"|\d{2,3}\s\d{2,3})$",
    re.IGNORECASE,
)
_STOPWORDS = frozenset(
    """
    a an the and or but to of for from in on at by with as is are was were be been am i me my we our you
    your he she it they them his her their this that these those please thanks thank can could would
    should will shall may might must do does did have has had not no yes so if then than when where what
    which who why how last next night today tomorrow yesterday there here call me send sent arrived
    deliver delivered update change moved move office letter package order after before about just also
    very ist är est è é jest adresse adressen adres address indirizzo dirección endereço
    """.split()  # noqa: SIM905
)
_SEGMENT_SPLIT = re.compile(r"(\s*(?:\n|,)(?:[ \t]*(?:>|\?+|\||\*|•|-)(?=[ \t\w]))?\s*)")
_POSTCODE_CUE = re.compile(
    r"\b(?:zip|zip code|zipcode|postcode|postal code|post code|plz)(?:\s+is|\s*:|\s*=)?\s*"
    r"(?P<code>[A-Z]{1,2}\d[A-Z\d]?\s?\d[A-Z]{2}|[A-Z]\d[A-Z]\s?\d[A-Z]\d|\d{4,6}(?:-\d{4})?)\b",
    re.IGNORECASE,
)
_CALENDAR = re.compile(
    r"\b(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sep(?:t(?:ember)?)?|"
    r"oct(?:ober)?|nov(?:ember)?|dec(?:ember)?|monday|tuesday|wednesday|thursday|friday|saturday|sunday|"
    r"chapter|section|table|figure|page|version|step|part|level|room|row|line|item|issue|week|day|year)\b",
    re.IGNORECASE,
)
_STRUCTURED = re.compile(
    r"^(?:apt\.?|apartment|suite|ste\.?|unit|flat|room|floor|#)\s*[\w-]{1,6}|\b\d{4,6}(?:-\d{3,4})?$|^\d{4,5}\s|"
    r"^\d{3}\s\d{2}\s|^\d{2}-\d{3}\s|^\d{4,5}-\d{3}\s|^\d{4}\s?[A-Z]{2}\s|^[A-Z]{1,3}-\d{4,5}\s|"
    r"^[A-Z]{1,2}\d[A-Z\d]?\s\d[A-Z\d]{2}\s|"
    r"\b[A-Z]{1,2}\d[A-Z\d]?\s*\d[A-Z]{2}$|\b[A-Z]\d[A-Z]\s?\d[A-Z]\d$",
    re.IGNORECASE,
)
_CUE_BEFORE = re.compile(
    r"(?:address(?:es)?|lives?|living|located|meet(?:ing)?|office|offices|sent|send|send it|ship|shipped|deliver|"
    r"delivered|moved|move|resides?|corner of|visit us|find us|stay(?:ing)?|it'?s|is)\b[^.\n]{0,30}?(?:\bat|\bto|\bin|:|is)?"
    r"\s*$",
    re.IGNORECASE,
)
#: An address line right under contact lines (a signature, a form): an e-mail or a phone label above it.
_CONTACT_BEFORE = re.compile(
    r"(?:@[\w.-]+\.[A-Za-z]{2,}|\b(?:tel|phone|mobile|cell|fax|m|t)\b\.?:?[^\n]*\d)[^\n]*\n[ \t]*$", re.I
)
#: Empty-value markers of form and spreadsheet exports (pandas writes a missing field as "nan"): part of no address,
#: and no reason to stop one.
_MISSING = frozenset({"nan", "NaN", "None", "null", "NULL"})
#: Particles of street names after people ("Carry van Bruggenweg", "Jacob van Lennepkade").
_NAME_PARTICLES = frozenset(
    {"van", "von", "der", "den", "ter", "ten", "de", "da", "di", "del", "della", "dos"}
)
#: Function words of the other languages of chat (spaCy's lists): in lower case, no part of a street's name.
_OTHER_STOP_WORDS = frozenset(
    word
    for language in ("fr", "es", "it", "pt", "nl", "de", "pl", "sv", "da", "nb")
    for word in stop_words(language)
    if len(word) > 2
)
_STATE_ZIP = re.compile(r"^(?:[A-Z]{2}|[A-Z][a-z]+(?: [A-Z][a-z]+)?)\.?\s+\d{5}(?:-\d{4})?$")


_NAMED_PART = r"(?:The[ \t]+)?[A-Z][\w'’-]*(?:[ \t]+(?:[A-Z][\w'’-]*|on|upon|in|under|next|the|de|la|le)){0,4}(?<![a-z][ \t]the)"
#: An address given as one with no number or street word — a house's name and its village ("My address is Ivy
#: Cottage, Much Wenlock"): the capitalised parts after "my/our ... address is" or an "Address:" label.
_NAMED_ADDRESS = re.compile(
    r"(?:\b(?i:(?:my|our|his|her|their|the)[ \t]+(?:(?:home|postal|new|old|current|delivery|mailing|billing)[ \t]+)?"
    r"address[ \t]+is)|(?:^|\n)[ \t]*(?i:address|adresse|anschrift|dirección|indirizzo|endereço|adres)[ \t]*:)[ \t]+"
    rf"(?P<address>{_NAMED_PART}(?:,[ \t]*{_NAMED_PART}){{0,2}})"
)


class StreetAddressRecognizer(Recognizer):
    """Street addresses anchored on a street line, extended over the address lines that follow it."""

    NAME = "street_address"
    ENTITY_TYPES = ("STREET_ADDRESS",)
    SCORE = 0.8
    MAX_SEGMENTS = 6
    MAX_SEGMENT_WORDS = 5
    PRECHECK = re.compile(
        r"\d|(?:Street|Avenue|Road|Boulevard|Lane|Drive|Parkway|Terrace)\b|(?i:address|adresse|anschrift|dirección|"
        r"indirizzo|endereço|adres)"
    )

    def analyze(self, text: str, doc: Doc | None = None) -> list[PiiSpan]:
        if not self.PRECHECK.search(text):
            return []
        lowercase_text = not any(ch.isupper() for ch in text)
        spans: list[PiiSpan] = []
        for match in street_lines(text):
            if any(s.start <= match.start() < s.end for s in spans):
                continue
            if not self._plausible(match, lowercase_text):
                continue
            start, end = match.span()
            end, structured = self._extend(text, match.end(), lowercase_text)
            if _group(match, "block") and not (
                structured
                and (_line_start(text, start) or _CUE_BEFORE.search(text, max(0, start - 60), start))
            ):
                continue  # a number-led line with no street word: an address only above a postcode or unit line
            if (
                (_group(match, "gen") or _group(match, "ext") or _group(match, "named"))
                and not structured
                and not _CUE_BEFORE.search(text, max(0, start - 60), start)
                and not (
                    _line_start(text, start) and _CONTACT_BEFORE.search(text, max(0, start - 120), start)
                )
            ):
                continue
            start, end = self._trim(text, start, end)
            if end > start and all(end <= s.start or start >= s.end for s in spans):
                spans.append(PiiSpan("STREET_ADDRESS", start, end, self.SCORE, self.name))
        for match in _NAMED_ADDRESS.finditer(text):
            start, end = match.span("address")
            if " " not in match.group("address"):
                continue  # "my new address is Eugene and ...": one word is no house's name and place
            if all(end <= s.start or start >= s.end for s in spans):
                spans.append(PiiSpan("STREET_ADDRESS", start, end, self.SCORE, self.name))
        for match in _POSTCODE_CUE.finditer(text):
            start, end = match.span("code")
            if all(end <= s.start or start >= s.end for s in spans):
                spans.append(PiiSpan("STREET_ADDRESS", start, end, self.SCORE, self.name))
        return spans

    def _plausible(self, match: re.Match[str], lowercase_text: bool) -> bool:
        value = match.group()
        if not any(ch.isdigit() for ch in value) and not (_group(match, "mil") or _group(match, "named")):
            return False
        if _group(match, "en"):
            words = match.group("en_name").split()
            if any(word.lower() in _STOPWORDS for word in words):
                return False
            if not lowercase_text:
                if not all(word[0].isupper() or not word[0].isalpha() for word in words):
                    return False
                suffix = match.group("en_sfx")
                if suffix.lower() in AMBIGUOUS_SUFFIX and not suffix[0].isupper():
                    return False
        if _group(match, "gen") and _CALENDAR.search(value):
            return False  # "July 20, 1969"
        if (
            _group(match, "fp")
            or _group(match, "fs")
            or _group(match, "gen")
            or _group(match, "named")
            or _group(match, "ext")
        ):
            words = re.findall(r"[^\W\d_][\w'’.-]*", value)
            content = [
                w
                for w in words
                if w.lower()
                not in ("de", "la", "le", "du", "des", "del", "di", "da", "do", "bis", "ter", "quater")
            ]
            checked = [w for w in content if not (len(w) == 1 and w.isupper())]  # "92/A": the number's letter
            if any(w.lower() in _STOPWORDS for w in checked):
                return False
            if _group(match, "fs") and any(
                w.lower() in _OTHER_STOP_WORDS and w[0].islower() and w.lower() not in _NAME_PARTICLES
                for w in checked
            ):
                return (
                    False  # "pakket moest naar Prinsengracht 41": the street line starts at the street's name
                )
            if not lowercase_text and not any(w[0].isupper() for w in words):
                return False
        return True

    def _extend(self, text: str, end: int, lowercase_text: bool) -> tuple[int, bool]:
        """Grow ``end`` over following address segments (unit, city, region, postcode, country).

        Also says whether a structured part (unit, postcode, state + ZIP) was among them.
        """
        structured = False
        for taken in range(self.MAX_SEGMENTS):
            if (
                text.startswith(".", end)
                and _SEGMENT_SPLIT.match(text, end + 1)
                and unit_before_dot(text, end)
            ):
                end += 1  # the dot of an abbreviation closing a part ("2.º izq., 41001 Sevilla")
            sep = _SEGMENT_SPLIT.match(text, end)
            sep_end = sep.end() if sep else end
            if sep is None:
                # same line, space-separated: only a unit or capitalised place words may follow
                sep_end = end + (len(text[end:]) - len(text[end:].lstrip(" ")))
                if sep_end == end:
                    break
            line_end = _next_break(text, sep_end)
            segment = text[sep_end:line_end]
            if sep is None:
                segment = _leading_place_words(
                    segment, lowercase_text, _NUMBER_BEFORE.search(text, 0, end) is not None
                )
            # an address in brackets, or between separators on one line ("(12 Elm St, Leeds LS6 1AA)",
            # "Name · 12 Elm St, Leeds LS6 1AA · 0113 ..."), ends at the closing bracket or the next separator
            closed = closing(segment)
            if closed is not None:
                segment, last = segment[:closed], True
            else:
                last = False
            segment = segment.rstrip(" .")
            if segment and not self._is_address_part(segment, lowercase_text):
                segment = self._address_prefix(
                    segment, lowercase_text, taken > 0 and sep is not None and "\n" in sep.group()
                )
                if segment:  # "Oxford OX1 4AA please": keep the address part, and stop there
                    structured = structured or bool(_STRUCTURED.search(segment))
                    end = sep_end + len(segment)
                break
            if not segment:
                break
            structured = structured or bool(_STRUCTURED.search(segment))
            end = sep_end + len(segment)
            if last:
                break
        return end, structured

    def _is_address_part(self, segment: str, lowercase_text: bool) -> bool:
        if (
            len(segment) > 48
            or sum(ch.isdigit() for ch in segment) > 8
            or any(c in _PROVINCE_CODE.sub("", segment) for c in "@\\/;!?()")
            or (":" in segment and not unit_segment(segment))
        ):
            return False
        words = [w for w in segment.split() if w not in _MISSING]
        segment = " ".join(words)
        segment = _PROVINCE_CODE.sub(
            "", segment
        )  # "Bologna (BO)", "Niterói - RJ": a region's code ends a line
        words = segment.split()
        if not segment:
            return True
        if (
            _UNIT.match(segment)
            or _POSTCODE.match(segment)
            or _STATE_ZIP.match(segment)
            or unit_segment(segment)
            or floor_segment(segment)
            or (len(words) <= 2 and all(fold(w.strip(".")) in unit_or_side_words() for w in words))
        ):
            return True
        if len(words) > self.MAX_SEGMENT_WORDS or any(
            w.lower() in _STOPWORDS and not w.isupper() for w in words
        ):
            return False
        alpha_words = [w for w in words if not _POSTCODE.match(w) and not any(ch.isdigit() for ch in w)]
        if not alpha_words:
            return True
        if lowercase_text:
            return True
        return all(
            w[0].isupper() or w.lower() in ("de", "la", "le", "of", "del", "am", "an", "der")
            for w in alpha_words
        )

    def _address_prefix(self, segment: str, lowercase_text: bool, own_line: bool = False) -> str:
        """The longest run of leading words of ``segment`` that reads as an address part before prose.

        The part ends in a postcode ("Oxford OX1 4AA please"), is a postcode on a line of its own below other
        address lines (``own_line``: "\\n 56139 last night"), or is a country or state closing the address
        ("\\n Thailand for this card").
        """
        words = segment.split(" ")
        for size in range(len(words) - 1, 0, -1):
            prefix = " ".join(words[:size]).rstrip(" .")
            rest = words[size]
            if not rest[:1].isalpha():
                continue  # digits running on (a phone number): not an address tail
            if not any(ch.isalpha() for ch in prefix):
                if own_line and _POSTCODE.match(prefix) and len(prefix.replace(" ", "")) >= 4:
                    return prefix
                continue  # a bare number in prose ("12 Elm St, 5 minutes away")
            if _STRUCTURED.search(prefix) and self._is_address_part(prefix, lowercase_text):
                return prefix
            if rest[:1].islower() and fold(prefix) in public_places():
                return prefix
        return ""

    @staticmethod
    def _trim(text: str, start: int, end: int) -> tuple[int, int]:
        while end > start and text[end - 1] in " ,\n\t":
            end -= 1
        return start, end


_BREAK = re.compile(r"[\n,!?;]|\.(?=\s|$)")
_ABBREVIATION = re.compile(r"\b(?:apt|ste|st|no|u|ave|rd|blvd|dr|fl|rm|bldg|mt|ft|p\.o)$", re.IGNORECASE)


#: A region's or province's code closing a city line: "Bologna (BO)", "Niterói - RJ".
_PROVINCE_CODE = re.compile(r"(?:[ \t]+\([A-Z]{2}\)|[ \t]+[-–][ \t]+[A-Z]{2})$")


def _line_start(text: str, start: int) -> bool:
    return not text[text.rfind("\n", 0, start) + 1 : start].strip(" \t>*•-")


def _group(match: re.Match[str], name: str) -> str | None:
    return match.groupdict().get(name)


def _next_break(text: str, start: int) -> int:
    """End of the segment starting at ``start``: the next newline, comma or sentence end."""
    for match in _BREAK.finditer(text, start):
        if match.group() == "." and (
            _ABBREVIATION.search(text, max(start, match.start() - 5), match.start())
            or unit_before(text, max(start, match.start() - 12), match.start())
        ):
            continue
        return match.start()
    return len(text)


_PLACE_WORD = re.compile(r"([^\W\d_][\w'’-]*)\.?(?:\s+|$)")


_NUMBER_BEFORE = re.compile(r"\d(?:[^\W\d_]{1,3})?\.?[º°ª]?\Z")


def _leading_place_words(segment: str, lowercase_text: bool, after_number: bool = False) -> str:
    """The unit or run of capitalised words at the start of a same-line continuation."""
    unit = re.match(r"(?:apt\.?|apartment|suite|ste\.?|unit|flat|#)\s*[\w-]{1,6}", segment, re.IGNORECASE)
    if unit:
        return unit.group()
    unit = re.match(r"[^\W\d_]{1,12}\.?:?[ \t]*[\w-]{1,6}", segment)
    if unit and unit_segment(unit.group()):
        return unit.group()
    floor = re.match(r"[A-Z][ \t]+\d{1,4}\b", segment)  # a staircase and a door ("21 B 14")
    if floor:
        return floor.group()
    word = re.match(r"([^\W\d_]+)\.?", segment)  # the floor word after its number ("2e étage", "3.º dcha.")
    if (
        after_number
        and word
        and len(word.group(1)) > 1
        and word.group(1).lower() not in STOP_WORDS
        and fold(word.group(1)) in unit_or_side_words()
    ):
        return word.group()
    if lowercase_text:
        return ""
    end = 0
    for word in list(_PLACE_WORD.finditer(segment))[:3]:
        if word.start() != end or not word.group()[0].isupper() or word.group(1).lower() in _STOPWORDS:
            break  # capitals of any script ("ÖSTERSKÄR", "ΠΑΦΟΣ"), not only A-Z
        end = word.end()
    return segment[:end].rstrip()
