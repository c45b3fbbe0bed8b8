"""Where a street line can start: a house number next to a street word of any language (``12 Elm Street``,
``Hauptstraße 5``, ``rue de Rivoli 3``), a PO box, a military address. The patterns, and the search for candidate
lines in the windows around digits and street words; :mod:`~prefloop.curator.scrub.recognizers.address` decides
which candidates are addresses and grows them over the lines after them."""

from __future__ import annotations

import re

from spacy.lang.en.stop_words import STOP_WORDS

from prefloop.curator.scrub.ranges import union
from prefloop.curator.scrub.recognizers.base import ascii_lowered
from prefloop.curator.scrub.vocab import concatenated_suffixes, street_prefixes, street_suffixes, trie_pattern

__all__ = ["AMBIGUOUS_SUFFIX", "street_lines"]

_EN_SUFFIX = (
    r"street|st|avenue|ave|av|road|rd|boulevard|blvd|lane|ln|drive|dr|court|ct|way|place|pl|terrace|ter|"
    r"circle|cir|parkway|pkwy|highway|hwy|square|sq|crescent|cres|close|trail|trl|row|hill|grove|gardens|"
    r"park|walk|alley|loop|plaza|pike|mews|expressway|freeway|turnpike|causeway|esplanade|embankment|quay|"
    r"wharf|green|heights|estates|ridge|view|point|crossing|junction|meadows"
)
_CORE_SUFFIXES = frozenset(_EN_SUFFIX.split("|"))
#: Every other street type written after the name (USPS Publication 28 and libpostal, all suffix languages):
#: a line ending in one of these (``661 Drumaroad Bend``, ``Nyár köz 276``) counts only with a postcode, unit or
#: state after it, or a cue before it, as these words are ordinary words too (``Bend``, ``Key``, ``Run``).
_EXTENDED_SUFFIX = trie_pattern(w for w in street_suffixes() - _CORE_SUFFIXES if w.replace("-", "").isalpha())
AMBIGUOUS_SUFFIX = frozenset(
    """
    st dr way place pl row hill grove park walk loop view point green close court ct ridge heights
    crossing junction meadows estates gardens square sq circle cir terrace ter
    """.split()  # noqa: SIM905
)
_FOREIGN_PREFIX = (
    r"rue|avenue|av\.|avda\.?|boulevard|bd\.?|chemin|allée|allee|impasse|quai|place|via|viale|vicolo|piazza|"
    r"corso|calle|avenida|paseo|carrer|camino|plaza|rua|travessa|praça|largo|estrada|ulica|ul\.|aleja|al\.|"
    r"strada|str\.|utca|út|ulice|cesta|bulevar|caddesi|sokak|odos|plac|náměstí|leoforos"
)
_FOREIGN_SUFFIX = (
    r"straße|strasse|str\.|weg|gasse|platz|allee|ring|damm|ufer|chaussee|steig|pfad|markt|straat|laan|"
    r"gracht|plein|dijk|kade|singel|steeg|gade|vej|stræde|torv|gatan|gata|gaten|gate|vägen|vegen|veien|"
    r"väg|vei|gränd|stig|tie|katu|polku|kuja|kaari|väylä|utca|útja|út|tér|körút|sor|ulice|iela|gatve|tänav|"
    r"maantee|sokak|caddesi|bulvarı|straße"
)
_FOREIGN_PREFIX += "|" + trie_pattern(
    w
    for w in street_prefixes()
    if len(w) >= 4 and w.replace(".", "").isalpha() and w not in STOP_WORDS  # "most" is a bridge in Czech
)
_FOREIGN_SUFFIX += "|" + trie_pattern(concatenated_suffixes())
#: A house number, with a second number or a letter after a slash or hyphen ("12/3", "12-14", "48/C"), a letter, or
#: the suffixes of French ("4 bis", "7 ter") and Dutch ("263-II", "12-hs", "41-bis") numbers.
_NUMBER = (
    r"\d{1,5}[A-Za-z]?(?:[-/](?:\d{1,4}[A-Za-z]?|[A-Za-z](?![\w])))?"
    r"(?:-(?:I{1,3}|IV|hs|h|bis|ter)\b|[ \t]+(?:bis|ter|quater)\b)?"
)
_WORD = r"(?:[^\W\d_][\w'’.-]*|\d{1,4}(?:st|nd|rd|th))"
_SP = r"[ \t]+"
_UNIT_FIRST = r"(?:(?:apt\.?|apartment|suite|ste\.?|unit|flat)[ \t]*\d{1,5}[A-Za-z]?,?[ \t]+)?"

_STREET_LINE = re.compile(
    rf"(?P<en>\b{_UNIT_FIRST}(?:{_NUMBER}{_SP})?{_NUMBER},?{_SP}(?P<en_name>(?:{_WORD}{_SP}){{0,4}}?{_WORD}{_SP})"
    rf"(?P<en_sfx>{_EN_SUFFIX})\b\.?(?:{_SP}{_NUMBER}\b\.?)?)"
    rf"|(?P<ext>\b{_UNIT_FIRST}(?:{_NUMBER}{_SP})?{_NUMBER},?{_SP}(?:{_WORD}{_SP}){{0,4}}?{_WORD}{_SP}(?:{_EXTENDED_SUFFIX})\b\.?"
    rf"|(?<![\w.])[^\W\d_][\w'’-]+(?:{_SP}{_WORD}){{0,2}}{_SP}(?:{_EXTENDED_SUFFIX}){_SP}{_NUMBER}\b\.?)"
    rf"|(?P<fp>\b{_UNIT_FIRST}(?:{_NUMBER}{_SP})?(?:{_NUMBER},?{_SP})?(?<![\w])(?:{_FOREIGN_PREFIX}){_SP}"
    rf"(?:{_WORD}{_SP}){{0,4}}?{_WORD}(?:,?{_SP}{_NUMBER}\b\.?|(?=[ \t]*(?:\n|,|$))))"
    rf"|(?P<gen>\b{_UNIT_FIRST}(?:{_NUMBER}{_SP})?{_NUMBER}{_SP}(?:{_WORD}{_SP}){{0,3}}{_WORD},?{_SP}{_NUMBER}\b\.?"
    rf"|(?<![\w.])[^\W\d_][\w'’-]+(?:{_SP}{_WORD}){{0,2}}{_SP}{_NUMBER}\b\.?(?=[ \t]*(?:\n|,|$)))"
    rf"|(?P<block>\b{_NUMBER}{_SP}(?:{_NUMBER}{_SP})?(?:{_WORD}{_SP}){{0,3}}{_WORD}[ \t]*(?=\n))"
    rf"|(?P<named>\b[A-Z][\w'’-]+(?:[ ][A-Z][\w'’-]+)?[ ](?:Street|Avenue|Road|Boulevard|Lane|Drive|Parkway|Terrace)\b)"
    r"|(?P<box>\b(?:P\.?\s?O\.?\s?Box|Post(?:al)?\s+Office\s+Box|Postbox|Postfach|Boîte\s+postale)\s+\d{1,6})"
    r"|(?P<mil>\b(?:PSC|Unit|CMR)\s+\d{3,5},?\s+Box\s+\d{3,5}(?:\s*\n?\s*(?:APO|FPO|DPO)\s+(?:AA|AE|AP)\s+\d{5})?"
    r"|\b(?:USNS|USS|USNV|USCGC|USNC)\s+(?:[^\W\d_][\w'-]*\s?){1,3}\s*\n?\s*(?:APO|FPO|DPO)\s+(?:AA|AE|AP)\s+\d{5})",
    re.IGNORECASE,
)
_STREET_LINE_LOWERED = ascii_lowered(_STREET_LINE)
#: Street words that end in a suffix (Hauptstraße, Lozerlaan); searched only around a suffix hit, as the
#: pattern is costly to try at every position.
_SUFFIX_HIT = re.compile(rf"(?:{_FOREIGN_SUFFIX})\.?(?![^\W\d_])", re.IGNORECASE)
_SUFFIX_LINE = re.compile(
    rf"(?P<fs>\b{_UNIT_FIRST}(?:{_NUMBER}{_SP})?(?:{_NUMBER}{_SP})?\b(?:{_WORD}[- \t]){{0,3}}[^\W\d_]*"
    rf"(?:{_FOREIGN_SUFFIX})\.?(?:,?{_SP}{_NUMBER}\b\.?)?)",
    re.IGNORECASE,
)
_DIGITS = re.compile(r"\d+")
_NAMED = re.compile(r"(?:Street|Avenue|Road|Boulevard|Lane|Drive|Parkway|Terrace)\b")


def _windows(text: str, before: int = 80, after: int = 60) -> list[tuple[int, int]]:
    """Merged character windows around digit runs (and street words): the only places a street line can be."""
    anchors = [m.span() for m in _DIGITS.finditer(text)] + [m.span() for m in _NAMED.finditer(text)]
    return union((max(0, start - before), min(len(text), end + after)) for start, end in anchors)


def street_lines(text: str) -> list[re.Match[str]]:
    """Candidate street lines in ``text``, by start position (a match may be tried and rejected later)."""
    matches = []
    # on ASCII text, where a street line starts is found in the lower-cased text (cheaper than IGNORECASE); the
    # match itself is then taken from the text at that start, with the same pattern and bounds as before
    lowered = text.lower() if _STREET_LINE_LOWERED is not None and text.isascii() else None
    for window_start, window_end in _windows(text):
        position = window_start
        while True:
            if lowered is not None and _STREET_LINE_LOWERED is not None:
                found = _STREET_LINE_LOWERED.search(lowered, position, window_end)
                match = _STREET_LINE.match(text, found.start(), window_end) if found else None
            else:
                match = _STREET_LINE.search(text, position, window_end)
            if match is None:
                break
            matches.append(match)
            position = match.start() + 1
        for hit in _SUFFIX_HIT.finditer(text, window_start, window_end):
            position = max(window_start, hit.start() - 60)
            while (match := _SUFFIX_LINE.search(text, position, min(window_end, hit.end() + 16))) is not None:
                if match.start() > hit.start():
                    break
                if hit.start() < match.end():
                    matches.append(match)  # every start that reaches the hit: the shortest plausible one wins
                position = match.start() + 1
    matches.sort(key=lambda m: (m.start(), -m.end()))
    return matches
