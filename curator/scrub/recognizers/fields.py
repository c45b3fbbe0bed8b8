"""Values of personal fields in forms, key-value pastes, JSON and CSV/TSV tables (``Last name: van Dalen``).

A field's name is the evidence (docs/privacy.md: "a form or CSV field"): ``name``, ``first_name``, ``Nachname``,
``phone``, ``street``, ``city``, ``zip``, ``date of birth``... in English and the main European languages. The
value after ``Key:``, ``Key =``, ``"key": "..."``, or in the column of a table whose header names the field, is
masked with the field's type, whatever its shape.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from prefloop.curator.scrub.recognizers.base import Recognizer
from prefloop.curator.scrub.types import PiiSpan

if TYPE_CHECKING:
    from spacy.tokens import Doc

__all__ = ["FieldRecognizer", "field_type"]

#: Personal field names, one word each (lower case), and multi-word ones (matched with spaces, ``_``, ``-``,
#: camelCase or nothing between their words).
_SINGLE = {
    "PERSON": "name fullname firstname forename lastname surname cardholder beneficiary recipient addressee "
    "patient nome cognome vorname nachname prénom prenom nom nombre apellido apellidos voornaam achternaam naam "
    "imię imie nazwisko jméno příjmení förnamn efternamn fornavn etternavn efternavn etunimi sukunimi név "
    "vezetéknév keresztnév soyad",
    "PHONE_NUMBER": "phone telephone tel mobile cell cellphone fax telefon telefono téléphone handy",
    "STREET_ADDRESS": "address street addr address1 address2 postcode zip zipcode plz adresse anschrift straße "
    "strasse indirizzo dirección direccion calle rua morada endereço adres straat ulica adresa osoite cím",
    "LOCATION": "city town ort stadt wohnort ville ciudad città citta cidade stad miasto město kaupunki",
    "DATE_OF_BIRTH": "dob birthdate birthday geburtsdatum",
}
_PHRASES = {
    "PERSON": "full name|first name|given name|last name|family name|middle name|maiden name|customer name|"
    "contact name|account holder|card holder|user name",
    "PHONE_NUMBER": "phone number|mobile number|phone no|tel no|contact number",
    "STREET_ADDRESS": "street address|address line|address line 1|address line 2|post code|postal code|zip code|"
    "home address|billing address|shipping address|delivery address",
    "DATE_OF_BIRTH": "date of birth|birth date|date de naissance",
}
_FIELDS: dict[str, str] = {}
for _type, _names in _SINGLE.items():
    _FIELDS.update(dict.fromkeys(_names.split(), _type))
for _type, _names in _PHRASES.items():
    _FIELDS.update(dict.fromkeys(_names.split("|"), _type))
_FIELDS["user name"] = "PERSON"

_KEY_VALUE = re.compile(
    r"(?im)^[ \t>*•-]*\"?(?P<key>[A-Za-zÀ-ž][\w .'-]{0,30}?)\"?[ \t]*(?::|=|\t)[ \t]*\"?"
    r"(?P<value>[^\s\"{}\[\],][^\n\"{}\[\]]{0,70}?)\"?[ \t]*,?[ \t]*$"
)
_JSON_PAIR = re.compile(r"\"(?P<key>[A-Za-z][\w .-]{0,30})\"\s*:\s*\"(?P<value>[^\"\n]{1,80})\"")
_DELIMITERS = (",", ";", "\t", "|")
_PLACEHOLDER = re.compile(
    r"^(?:<[^>]*>|\{\{?[^}]*\}\}?|\$\{?\w+\}?|\[[^\]]*\]|x+|\.+|-+|_+|\?+|n/?a|none|null|nil|true|false|"
    r"string|str|int|text|required|optional|your[ _-]?\w+|example|sample|test|tbd|todo|\*+|%\w)$",
    re.IGNORECASE,
)


_NAME_LIKE = re.compile(r"^[^\W\d_][^\d_/@:.=<>{}()]*$")


def _plausible(kind: str, value: str) -> bool:
    """A real value for the field: no placeholder; a name or city is written as one (``my-service`` is not)."""
    if not value or _PLACEHOLDER.match(value) or "://" in value:
        return False
    if kind in ("PERSON", "LOCATION"):
        return bool(_NAME_LIKE.match(value)) and any(word[:1].isupper() for word in value.split())
    if kind in ("PHONE_NUMBER", "DATE_OF_BIRTH"):
        return sum(ch.isdigit() for ch in value) >= 3  # "Phone: ask at the desk" holds no number
    return any(ch.isalnum() for ch in value)


def field_type(key: str) -> str | None:
    """The entity type of a field called ``key`` (``Last name``, ``first_name``, ``E-Mail``...), if personal."""
    normalized = re.sub(r"[_\-.]+", " ", re.sub(r"(?<=[a-z])(?=[A-Z])", " ", key.strip())).strip().lower()
    normalized = re.sub(r"\s+", " ", normalized)
    if normalized in _FIELDS:
        return _FIELDS[normalized]
    if normalized.replace(" ", "") in _FIELDS:
        return _FIELDS[normalized.replace(" ", "")]
    words = normalized.split()
    if len(words) > 3:
        return None  # a field label is short: "TechRadar's review of the latest iPhone:" is prose
    if len(words) > 1 and words[-1] in ("name", "surname", "phone", "address", "city", "zip", "postcode"):
        return _FIELDS.get(words[-1])  # "Customer name", "billing address", "home phone"
    return None


class FieldRecognizer(Recognizer):
    """Values of personal fields: ``Key: value`` lines, JSON ``"key": "value"``, and table columns by header."""

    NAME = "fields"
    ENTITY_TYPES = ("PERSON", "PHONE_NUMBER", "STREET_ADDRESS", "LOCATION", "DATE_OF_BIRTH")
    SCORE = 0.8
    PRECHECK = re.compile(r"[:=\t;,|]")

    def analyze(self, text: str, doc: Doc | None = None) -> list[PiiSpan]:
        if not self.PRECHECK.search(text):
            return []
        spans: list[PiiSpan] = []
        for pattern in (_KEY_VALUE, _JSON_PAIR):
            for match in pattern.finditer(text):
                kind = field_type(match.group("key"))
                if kind is None:
                    continue
                start, end = match.span("value")
                value = text[start:end].rstrip(" \t,;.")
                if not _plausible(kind, value):
                    continue
                spans.append(PiiSpan(kind, start, start + len(value), self.SCORE, self.name))
        spans.extend(self._tables(text))
        return spans

    def _tables(self, text: str) -> list[PiiSpan]:
        spans: list[PiiSpan] = []
        lines = text.split("\n")
        offsets = [0]
        for line in lines:
            offsets.append(offsets[-1] + len(line) + 1)
        index = 0
        while index < len(lines):
            header = lines[index]
            delimiter = next((d for d in _DELIMITERS if header.count(d) >= 2), None)
            columns = (
                {i: field_type(c.strip(" \"'")) for i, c in enumerate(header.split(delimiter))}
                if delimiter
                else {}
            )
            columns = {i: t for i, t in columns.items() if t}
            if not delimiter or not columns:
                index += 1
                continue
            width = header.count(delimiter) + 1
            row = index + 1
            while row < len(lines) and lines[row].count(delimiter) + 1 == width:
                position = offsets[row]
                for column, cell in enumerate(lines[row].split(delimiter)):
                    kind = columns.get(column)
                    stripped = cell.strip(" \"'")
                    if kind and _plausible(kind, stripped):
                        start = position + cell.index(stripped)
                        spans.append(PiiSpan(kind, start, start + len(stripped), self.SCORE, self.name))
                    position += len(cell) + 1
                row += 1
            index = row
        return spans
