"""Vocabularies from complete sources (``curator/scrub/data/``): libpostal's dictionaries, USPS suffixes, census names.

Each loader reads its files once (cached) and returns lower-cased forms. Provenance and licences:
``data/libpostal/README.md`` (MIT), ``data/usps_street_suffixes.txt`` (USPS Publication 28), ``data/LICENSE.names``.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Iterator
from functools import cache
from importlib import resources
from typing import Any

__all__ = [
    "PUBLIC_REGIONS",
    "fold",
    "given_names",
    "public_places",
    "street_prefixes",
    "street_suffixes",
    "surnames",
    "titles",
    "trie_pattern",
    "unit_words",
]

#: Languages whose street type follows the name (``Hauptstraße``, ``Elm Street``, ``Nyár köz``).
_SUFFIX_LANGUAGES = frozenset("af da de en et fi gsw hu is lb lt lv nb nl sv tr".split())  # noqa: SIM905
_CITIES_IN_TOPONYMS = frozenset({"melbourne", "melb", "kowloon", "kln", "hong kong island"})
#: Continents and large regions: never personal (docs/privacy.md), and not in the toponym lists.
PUBLIC_REGIONS: frozenset[str] = frozenset(
    {
        "africa", "america", "americas", "antarctica", "arctic", "asia", "australia", "europe", "eurasia",
        "oceania", "scandinavia", "balkans", "caribbean", "mediterranean", "baltics", "benelux", "midwest",
        "middle east", "far east", "latin america", "north america", "south america", "central america",
        "central asia", "southeast asia", "east asia", "west africa", "east africa", "southern africa",
        "north africa", "sub-saharan africa", "western europe", "eastern europe", "northern europe",
        "southern europe", "new england", "pacific northwest", "silicon valley", "bavaria", "saxony",
        "lower saxony", "hesse", "thuringia", "brandenburg", "north rhine-westphalia", "rhineland-palatinate",
        "baden-württemberg", "catalonia", "andalusia", "galicia", "basque country", "castile", "valencia region",
        "lombardy", "tuscany", "sicily", "sardinia", "piedmont", "veneto", "brittany", "normandy", "provence",
        "burgundy", "alsace", "flanders", "wallonia", "tyrol", "carinthia", "styria", "lapland", "siberia",
    }
)  # fmt: skip


def trie_pattern(words: Iterable[str]) -> str:
    """One regex alternation for ``words``, nested by shared prefixes (``st(?:r(?:eet)?)?``).

    Matches the same strings as ``a|b|c...`` with the longer word tried first, but in time that grows with the
    word's length, not with the number of words: Python's ``re`` tries a flat alternation branch by branch.
    """
    trie: dict[str, Any] = {}
    for word in words:
        node = trie
        for ch in word:
            node = node.setdefault(ch, {})
        node[""] = {}

    def build(node: dict[str, Any]) -> str:
        branches = [re.escape(ch) + build(child) for ch, child in sorted(node.items()) if ch]
        if not branches:
            return ""
        body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
        return f"(?:{body})?" if "" in node else body

    return build(trie)


def fold(text: str) -> str:
    """Case- and diacritic-folded form (``Müller`` -> ``muller``, ``JOSÉ`` -> ``jose``)."""
    if text.isascii():  # most words: nothing to decompose, and casefold() of ASCII is lower()
        return text.lower()
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch)).replace("ß", "ss")


def _lines(*parts: str) -> Iterator[str]:
    data = resources.files("prefloop.curator.scrub").joinpath("data", *parts).read_text(encoding="utf-8")
    for line in data.splitlines():
        if line.strip() and not line.startswith("#"):
            yield line


def _entries(name: str, languages: Iterable[str] | None = None) -> Iterator[tuple[str, list[str]]]:
    """(language, forms) of a ``language<TAB>canonical|synonym...`` file."""
    wanted = set(languages) if languages is not None else None
    for line in _lines("libpostal", name):
        language, _, forms = line.partition("\t")
        if wanted is None or language in wanted:
            yield language, [f.strip().lower() for f in forms.split("|") if f.strip()]


@cache
def street_suffixes() -> frozenset[str]:
    """Street types written after the name: English (libpostal and USPS) and the other suffix languages."""
    words = {f for _, forms in _entries("street_types.txt", _SUFFIX_LANGUAGES) for f in forms}
    words |= {f for line in _lines("usps_street_suffixes.txt") for f in line.lower().split("|")}
    return frozenset(w.rstrip(".") for w in words if len(w.rstrip(".")) >= 2 and " " not in w)


@cache
def street_prefixes() -> frozenset[str]:
    """Street types written before the name (``rue``, ``via``, ``calle``, ``ulica``...), single words."""
    languages = {language for language, _ in _entries("street_types.txt")} - _SUFFIX_LANGUAGES
    words = {f for _, forms in _entries("street_types.txt", languages) for f in forms}
    return frozenset(w for w in words if len(w.rstrip(".")) >= 2 and " " not in w)


@cache
def concatenated_suffixes() -> frozenset[str]:
    """Endings that make a word a street name (``-straße``, ``-gatan``, ``-vej``, ``-laan``)."""
    words = {f for _, forms in _entries("concatenated_suffixes_separable.txt") for f in forms}
    words |= {f for _, forms in _entries("concatenated_suffixes_inseparable.txt") for f in forms}
    return frozenset(w for w in words if len(w) >= 3 and not w.endswith("."))


@cache
def unit_words() -> frozenset[str]:
    """Unit, floor and building words (``apt``, ``suite``, ``étage``, ``piso``, ``whg``)."""
    words: set[str] = set()
    for name in ("unit_types_numbered.txt", "level_types_numbered.txt", "building_types.txt"):
        words |= {f.rstrip(".") for _, forms in _entries(name) for f in forms if " " not in f}
    return frozenset(w for w in words if len(w) >= 2)


@cache
def titles() -> frozenset[str]:
    """Personal titles of every language, without their dots (``mr``, ``frau``, ``dott``, ``señora``)."""
    words = {f.rstrip(".") for _, forms in _entries("personal_titles.txt") for f in forms}
    words |= {"mr", "mrs", "ms", "mx", "miss", "dr", "prof", "sir", "madam", "mme", "mlle", "herr", "frau"}
    return frozenset(w for w in words if w)


@cache
def given_names() -> frozenset[str]:
    """First names: libpostal's list (many languages) and the 1990 US Census list, folded."""
    names = {fold(line.strip()) for line in _lines("libpostal", "given_names.txt")}
    names |= {fold(line.strip()) for line in _lines("first_names.txt")}
    return frozenset(n for n in names if len(n) >= 2)


@cache
def surnames() -> frozenset[str]:
    """Surnames: libpostal's list (many languages, with particles) and the US Census list, folded."""
    names = {fold(line.strip()) for line in _lines("libpostal", "surnames.txt")}
    names |= {fold(line.strip()) for line in _lines("last_names.txt")}
    return frozenset(n for n in names if len(n) >= 2)


@cache
def public_places() -> frozenset[str]:
    """Countries, states, provinces and large regions, folded: never masked on their own (docs/privacy.md)."""
    from prefloop.curator.scrub.recognizers.places import COUNTRIES

    names = {fold(c) for c in COUNTRIES} | set(PUBLIC_REGIONS)
    # the English list is states, provinces and territories; the other languages' lists also hold cities
    for _, forms in _entries("toponyms.txt", {"en"}):
        names |= {fold(f) for f in forms if len(f) > 3 and f not in _CITIES_IN_TOPONYMS}
    names |= {"the " + n for n in list(names)}
    names |= {
        "united states",
        "the united states",
        "usa",
        "u.s.",
        "us",
        "uk",
        "u.k.",
        "eu",
        "the netherlands",
    }
    return frozenset(names)
