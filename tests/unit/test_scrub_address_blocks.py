"""Address blocks as forms, spreadsheets and other scripts write them (issue 14, session 7).

Each row is a class of address the recognizer missed before: an exported form's empty fields ("nan"), a postcode
on its own line before the sentence goes on, a country closing the block before prose, place lines in capitals of
other scripts, Greek and Cyrillic street types, and a number-led street line with no street word above a postcode
line. The values are invented.
"""

from __future__ import annotations

import pytest

from prefloop.curator.scrub import Scrubber
from prefloop.curator.scrub.recognizers import StreetAddressRecognizer


def found(text: str) -> list[str]:
    recognizer = StreetAddressRecognizer()
    recognizer.load()
    return [text[s.start : s.end] for s in recognizer.analyze(text)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # an exported form's empty region field, then the postcode
        ("Ship it to 14 Birchwood Road\nDunmore, nan 41207", ["14 Birchwood Road\nDunmore, nan 41207"]),
        (
            "Ship it to 14 Birchwood Road\nDunmore\n, NaN\n 41207",
            ["14 Birchwood Road\nDunmore\n, NaN\n 41207"],
        ),
        # a postcode on a line of its own, the sentence going on after it
        (
            "The parcel went to 8 Larkspur Lane\nHollowell\n, KY\n 40311 on Monday.",
            ["8 Larkspur Lane\nHollowell\n, KY\n 40311"],
        ),
        # a country closing the block, then prose
        (
            "Bill to 22 Quarry Road\n Apt. 4\n Tresco\n Portugal for this order",
            ["22 Quarry Road\n Apt. 4\n Tresco\n Portugal"],
        ),
        # place words in capitals of other scripts after a unit on the same line
        ("send it to 5 Harbour Street Suite 12 ÅLESUND Norway", ["5 Harbour Street Suite 12 ÅLESUND Norway"]),
        ("send it to 5 Harbour Street Apt. 3 ΛΑΡΝΑΚΑ LA", ["5 Harbour Street Apt. 3 ΛΑΡΝΑΚΑ LA"]),
        # street types of Greek and Cyrillic script (libpostal el, ru, uk, bg, sr, be)
        ("Το σπίτι μου είναι στην οδός Ερμού 22, Αθήνα", ["οδός Ερμού 22, Αθήνα"]),
        ("Доставка: улица Садовая 14", ["улица Садовая 14"]),
        ("please use Λεωφόρος Β. Κηφισίας 140 for the parcel", ["Λεωφόρος Β. Κηφισίας 140"]),
        # a number-led street line with no street word, above a postcode line
        (
            "Ms. Ivo Brandl\n17 44 Kato Petralona\nMarlow\n, nan\n Greece 11852",
            ["17 44 Kato Petralona\nMarlow\n, nan\n Greece 11852"],
        ),
    ],
)
def test_address_blocks_are_masked_whole(text: str, expected: list[str]) -> None:
    assert found(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "Step 3 Preheat Oven\nBake for 25 minutes.",  # a numbered step: no postcode line below it
        "1 Introduction\n2 Related Work\n3 Methods",  # a table of contents
        "We moved to 12 Elm Street, 2019 was a big year.",  # a year after the address is not its postcode
        "Chapter 12 The Long Road\n1998 was the year it all changed.",  # a year at a line start, prose after it
        "Add 2 Large Eggs\n250 g flour",
    ],
)
def test_lines_that_only_look_like_address_blocks_are_not_addresses(text: str) -> None:
    assert found(text) in ([], ["12 Elm Street"])


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # unit words of any language libpostal lists, with or without a dot or colon, before the postcode line
        (
            "L'indirizzo è Via dei Sabbioni 22, int. 4, 40128 Bologna (BO).",
            ["Via dei Sabbioni 22, int. 4, 40128 Bologna (BO)"],
        ),
        ("Adressen är Tallvägen 9, lgh 1201, 752 36 Uppsala.", ["Tallvägen 9, lgh 1201, 752 36 Uppsala"]),
        # house-number suffixes of French and Dutch addresses
        (
            "Het adres is Prinsengracht 263-II, 1016 GV Amsterdam.",
            ["Prinsengracht 263-II, 1016 GV Amsterdam"],
        ),
        ("L'adresse : 4 bis, impasse des Noyers, 49100 Angers.", ["4 bis, impasse des Noyers, 49100 Angers"]),
        # a postcode after its country's word (CEP, PLZ, PIN) and a state's code after a dash
        (
            "O endereço é Rua das Laranjeiras, 540, apto 82, CEP 22240-003, Rio de Janeiro - RJ.",
            ["Rua das Laranjeiras, 540, apto 82, CEP 22240-003, Rio de Janeiro - RJ"],
        ),
    ],
)
def test_addresses_of_other_countries_are_masked_with_their_unit_postcode_and_city(
    text: str, expected: list[str]
) -> None:
    assert found(text) == expected


def test_thanks_and_the_word_address_of_other_languages_are_no_one() -> None:
    scrubbed = Scrubber().scrub_text("Die Adresse ist Amselweg 12b, 33602 Bielefeld. Danke!").text
    assert scrubbed == "Die Adresse ist [STREET_ADDRESS_1]. Danke!"
