"""Recognizers: each finds one kind of PII. ``default_recognizers()`` is the set ``Scrubber()`` uses."""

from __future__ import annotations

from prefloop.curator.scrub.recognizers.address import StreetAddressRecognizer
from prefloop.curator.scrub.recognizers.base import PatternRecognizer, Recognizer
from prefloop.curator.scrub.recognizers.cues import PersonCueRecognizer
from prefloop.curator.scrub.recognizers.fields import FieldRecognizer
from prefloop.curator.scrub.recognizers.given import GivenNameRecognizer
from prefloop.curator.scrub.recognizers.languages import LanguageCueRecognizer
from prefloop.curator.scrub.recognizers.names import NameListRecognizer
from prefloop.curator.scrub.recognizers.ner import NerRecognizer
from prefloop.curator.scrub.recognizers.patterns import (
    CreditCardRecognizer,
    DateOfBirthRecognizer,
    EmailRecognizer,
    IbanRecognizer,
    IpAddressRecognizer,
    PersonalUrlRecognizer,
    UsSsnRecognizer,
)
from prefloop.curator.scrub.recognizers.phone import PhoneRecognizer
from prefloop.curator.scrub.recognizers.place_cues import LocationCueRecognizer
from prefloop.curator.scrub.recognizers.places import CountryRecognizer
from prefloop.curator.scrub.recognizers.secrets import SecretsRecognizer

__all__ = [
    "BUILTIN",
    "CountryRecognizer",
    "CreditCardRecognizer",
    "DateOfBirthRecognizer",
    "EmailRecognizer",
    "FieldRecognizer",
    "GivenNameRecognizer",
    "IbanRecognizer",
    "IpAddressRecognizer",
    "LanguageCueRecognizer",
    "LocationCueRecognizer",
    "NameListRecognizer",
    "NerRecognizer",
    "PatternRecognizer",
    "PersonCueRecognizer",
    "PersonalUrlRecognizer",
    "PhoneRecognizer",
    "Recognizer",
    "SecretsRecognizer",
    "StreetAddressRecognizer",
    "UsSsnRecognizer",
    "default_recognizers",
]

#: Built-in recognizer classes by their ``NAME`` (what YAML's ``use:`` refers to). ``CountryRecognizer`` is not
#: among them: countries are not personal data (docs/privacy.md); it stays importable for custom sets.
BUILTIN: dict[str, type[Recognizer]] = {
    cls.NAME: cls
    for cls in (
        SecretsRecognizer,
        EmailRecognizer,
        PersonalUrlRecognizer,
        CreditCardRecognizer,
        IbanRecognizer,
        UsSsnRecognizer,
        IpAddressRecognizer,
        PhoneRecognizer,
        DateOfBirthRecognizer,
        StreetAddressRecognizer,
        FieldRecognizer,
        PersonCueRecognizer,
        LanguageCueRecognizer,
        GivenNameRecognizer,
        LocationCueRecognizer,
        NameListRecognizer,
        NerRecognizer,
    )
}


def default_recognizers() -> list[Recognizer]:
    """A fresh instance of every built-in recognizer."""
    return [cls() for cls in BUILTIN.values()]
