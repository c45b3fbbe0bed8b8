"""Pattern recognizers with validators: e-mail, card, SSN, IBAN, IP, URL and date of birth."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, ClassVar

from prefloop.curator.scrub.recognizers.base import PatternRecognizer
from prefloop.curator.scrub.recognizers.validators import (
    PLACEHOLDER_EMAIL_LOCAL_PARTS,
    card_issuer_ok,
    iban_ok,
    ip_ok,
    is_placeholder_email,
    luhn_ok,
    ssn_ok,
)
from prefloop.curator.scrub.types import PiiSpan

if TYPE_CHECKING:
    from spacy.tokens import Doc

__all__ = [
    "CreditCardRecognizer",
    "DateOfBirthRecognizer",
    "EmailRecognizer",
    "IbanRecognizer",
    "IpAddressRecognizer",
    "PersonalUrlRecognizer",
    "UsSsnRecognizer",
]

_VERSION_CONTEXT = re.compile(
    r"(?<![A-Za-z])(?:version|ver\.?|v|==|>=|<=|~=|@|release|build)\s*$", re.IGNORECASE
)


_VERSION_WORDS = re.compile(
    r"\b(?:version|versions|release|kernel|build|firmware|patch|upgrade|update|sdk|api level)\b",
    re.IGNORECASE,
)


class EmailRecognizer(PatternRecognizer):
    """RFC 5322-ish addresses with a real-looking TLD, on any domain (docs/privacy.md): only a local part that
    names nobody (``user@``, ``you@``, ``name@``...; ``PLACEHOLDER_LOCAL_PARTS``) is left alone."""

    NAME = "email"
    ENTITY_TYPE = "EMAIL_ADDRESS"
    PRECHECK = "@"
    PATTERN = (
        r"(?<![\w.+:/-])[A-Za-z0-9](?:[A-Za-z0-9._%+'-]{0,62}[A-Za-z0-9_%+-])?"
        r"@(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,24}(?![\w-])"
    )
    SCORE = 0.95
    PLACEHOLDER_LOCAL_PARTS: ClassVar[frozenset[str]] = PLACEHOLDER_EMAIL_LOCAL_PARTS

    def validate(self, value: str) -> bool:
        return not is_placeholder_email(value)


class CreditCardRecognizer(PatternRecognizer):
    """13-19 digits, optionally grouped by spaces or dashes (4-4-4-4, or 4-6-5 / 4-6-4 for Amex and Diners), with a network prefix and a valid Luhn checksum."""

    NAME = "credit_card"
    ENTITY_TYPE = "CREDIT_CARD"
    PRECHECK = r"\d{4}"
    PATTERN = (
        r"(?<![\w.,/-])(?:\d{4}([ -])\d{6}\1\d{4,5}|(?:\d{4}[ -]?){2,3}\d{1,7}(?:[ -]\d{1,4})?)"
        r"(?![\w/-]|\.\d|,\d)"
    )
    SCORE = 0.9

    def validate(self, value: str) -> bool:
        return luhn_ok(value) and card_issuer_ok(value)


class UsSsnRecognizer(PatternRecognizer):
    """``123-45-6789`` (or spaced); nine bare digits only next to SSN context words.

    Not inside a longer number: after a ``+`` (an international phone prefix: ``+351 99 6766 3275``) or another
    digit group, or before one. The SSA's never-issued areas and groups are refused by ``ssn_ok``.
    """

    NAME = "us_ssn"
    ENTITY_TYPE = "US_SSN"
    PRECHECK = r"\d{3}"
    PATTERN = r"(?<![\w.+-])(?<!\d )(?<!\+ )(\d{3}([- ]?)\d{2}\2\d{4})(?![\w-]|\.\d| \d)"
    GROUP = 1
    SCORE = 0.85
    CONTEXT = ("ssn", "social security", "social", "ss#", "ss #", "taxpayer", "tin")
    CONTEXT_SCORE = 0.95

    def validate(self, value: str) -> bool:
        return ssn_ok(value)

    def analyze(self, text: str, doc: Doc | None = None) -> list[PiiSpan]:
        spans = super().analyze(text, doc)
        # bare nine-digit numbers are order numbers as often as SSNs: keep them only with context
        return [s for s in spans if not text[s.start : s.end].isdigit() or s.score >= self.CONTEXT_SCORE]


class IbanRecognizer(PatternRecognizer):
    """IBANs, compact or in groups of four, any case; validated by country length and mod-97."""

    NAME = "iban"
    ENTITY_TYPE = "IBAN_CODE"
    PRECHECK = r"[A-Za-z]{2}\d{2}"
    PATTERN = r"(?<![\w])[A-Za-z]{2}\d{2}(?:[ ]?[A-Za-z0-9]{4}){2,7}(?:[ ]?[A-Za-z0-9]{1,4})?(?!\w)"
    SCORE = 0.95

    def validate(self, value: str) -> bool:
        return iban_ok(value)


class IpAddressRecognizer(PatternRecognizer):
    """IPv4 and IPv6 addresses (validated by ``ipaddress``), but not version numbers like ``v1.2.3.4``."""

    NAME = "ip_address"
    ENTITY_TYPE = "IP_ADDRESS"
    PRECHECK = r"\d\.\d|[0-9A-Fa-f]:[0-9A-Fa-f:]"
    PATTERN = (
        r"(?<![\w.:])(?:"
        r"(?:\d{1,3}\.){3}\d{1,3}"
        r"|(?:[0-9A-Fa-f]{1,4}:){7}[0-9A-Fa-f]{1,4}"
        r"|(?:[0-9A-Fa-f]{1,4}:){1,7}:(?:[0-9A-Fa-f]{1,4}(?::[0-9A-Fa-f]{1,4}){0,6})?"
        r"|::(?:[0-9A-Fa-f]{1,4}(?::[0-9A-Fa-f]{1,4}){0,6})"
        r")(?![\w:]|\.\d)"
    )
    SCORE = 0.9

    def validate(self, value: str) -> bool:
        return ip_ok(value) and (value.count(":") >= 2 or "." in value)

    def reject(self, text: str, start: int, end: int) -> bool:
        if _VERSION_CONTEXT.search(text[max(0, start - 12) : start]) or text[end : end + 1] == "-":
            return True
        return "." in text[start:end] and bool(_VERSION_WORDS.search(text[max(0, start - 80) : start]))


class PersonalUrlRecognizer(PatternRecognizer):
    """URLs that identify a person: embedded credentials, personal query values, profile pages, home paths.

    Plain URLs (documentation, products) are not PII and are left alone. Database connection strings with a
    password are the secrets recognizer's job.
    """

    NAME = "personal_url"
    ENTITY_TYPE = "URL"
    PRECHECK = r"://|[/\\](?:home|Users|users)[/\\]|(?:linkedin|facebook|instagram|twitter|x)\.com/"
    PATTERN = (
        r"(?:"
        # scheme://user:password@host/... (not database schemes; see SecretsRecognizer)
        r"\b(?:https?|ftp|sftp|ssh|smb)://[^\s/:@]+:[^\s/@]+@[^\s\"'<>)]+"
        # profile pages
        r"|\b(?:https?://)?(?:www\.)?(?:linkedin\.com/in|facebook\.com|instagram\.com|twitter\.com|x\.com)"
        r"/(?!(?:home|login|share|sharer|intent|search|explore|help|about|privacy|settings|hashtag)\b)"
        r"[A-Za-z0-9_.-]{2,}/?"
        # URLs carrying a personal value in the query
        r"|\bhttps?://[^\s\"'<>]*[?&](?:email|e-mail|mail|user|username|name|phone|ssn|dob)=[^\s&\"'<>]{2,}"
        r"[^\s\"'<>)]*"
        # home directories: /home/alice, /Users/alice, C:\Users\alice (the part up to the user name)
        r"|(?:\b[A-Za-z]:)?[\\/](?:home|Users|users)[\\/](?!(?:shared|public|default|runner|ubuntu|user|"
        r"username|me|you|your_?name|<[^>]*>|\$\w+|\{[^}]*\})(?=[\\/\s]|$))[A-Za-z][A-Za-z0-9._-]{1,31}"
        r")"
    )
    SCORE = 0.85


_MONTH = (
    r"(?:Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?|Sep(?:t(?:ember)?)?|"
    r"Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)\.?"
)


#: Month names of the evaluation locales' other languages (German, Spanish, French, Italian, Portuguese, Dutch,
#: Polish in the genitive, Turkish), for dates written out ("3 de marzo de 1985", "12. März 1985").
_MONTH_OTHER = (
    r"(?:januar|jänner|februar|märz|maerz|mai|juni|juli|oktober|dezember|enero|febrero|marzo|abril|mayo|junio|"
    r"julio|agosto|septiembre|setiembre|octubre|noviembre|diciembre|janvier|février|fevrier|mars|avril|juin|"
    r"juillet|août|aout|septembre|octobre|novembre|décembre|decembre|gennaio|febbraio|aprile|maggio|giugno|luglio|"
    r"settembre|ottobre|dicembre|janeiro|fevereiro|março|marco|maio|junho|julho|setembro|outubro|novembro|"
    r"dezembro|januari|februari|maart|mei|augustus|stycznia|lutego|marca|kwietnia|maja|czerwca|lipca|sierpnia|"
    r"września|wrzesnia|października|pazdziernika|listopada|grudnia|ocak|şubat|subat|mart|nisan|mayıs|mayis|"
    r"haziran|temmuz|ağustos|agustos|eylül|eylul|ekim|kasım|kasim|aralık|aralik)"
)


class DateOfBirthRecognizer(PatternRecognizer):
    """A calendar date right after birth context (``born``, ``DOB``, ``date of birth``, ``birthday``, and the
    date-of-birth labels of the evaluation locales' languages: ``Geburtsdatum``, ``fecha de nacimiento``...).

    Every way a full date is written counts: day, month and year with ``/ . -`` or spaces in either order, the
    month as a number, a name or an abbreviation, with "the" and "of", a two- or four-digit year; a format hint in
    brackets ("Date of birth (DD/MM/YYYY): ...") or a weekday may stand between. Dates without such context (release
    dates, timestamps in code) are not personal and are left alone.
    """

    NAME = "date_of_birth"
    ENTITY_TYPE = "DATE_OF_BIRTH"
    #: Every cue word of ``PATTERN`` begins with one of these (a test keeps the two in step).
    PRECHECK = (
        r"(?i)born|birth|\bdob\b|\bd\.o\.b|geburt|geb\.|geboren|nacimiento|nascita|naissance|née?\b|nascimento|"
        r"geboort|urodz|födelse|fødsels|doğum|syntym|\bnat[oa]\b|\bnaci|\bnasc|föddes|\bfödd|\bfødt|syntyi"
    )
    FLAGS = re.IGNORECASE
    PATTERN = (
        r"(?:\bborn(?:\s+(?:on|in))?|\bbirth\s*(?:date|day)|\bbirthday(?:\s+is)?|\bdate\s+of\s+birth|\bd\.?o\.?b\.?|"
        r"\bgeburtsdatum|\bgeboren(?:\s+am)?|\bgeb\.|\bfecha\s+de\s+nacimiento|\bnacid[oa](?:\s+el)?|"
        r"\bdata\s+di\s+nascita|\bnat[oa]\s+il|\bdate\s+de\s+naissance|\bnée?(?:\s+le)?|"
        r"\bdata\s+de\s+nascimento|\bnascid[oa](?:\s+em)?|\bgeboortedatum|\bgeboren\s+op|\bdata\s+urodzenia|"
        r"\burodzon[ya]|\bfödelsedatum|\bfødselsdato|\bdoğum\s+tarihi|\bsyntymäaika|\bgeburtstag|"
        # the past tense of being born, with the words before a date ("nació el", "nasceu em", "urodziła się")
        r"\bnaci[óo](?:\s+el)?|\bnasceu(?:\s+(?:em|a|no\s+dia))?|\burodził[ao]?\s+się|\bföddes|\bfödd(?:\s+den)?|"
        r"\bfødt(?:\s+den)?|\bsyntyi|"
        # a birthplace between the word and the date ("nato a Treviso il", "née à Nantes le", "nacido en Jaén el")
        r"\b(?:nat[oa]|née?|nacid[oa]|nascid[oa])\s+(?:a|ad|à|en|em|in)\s+[^\W\d_][\w'’-]*(?:\s+[^\W\d_][\w'’-]*){0,2}"
        r"\s+(?:il|le|el|em|on))"
        r"(?:\s*\([^()\n]{1,24}\))?"
        r"(?:[\s.,;\"']*(?:it'?s|it is|is|was|on|:|-|=)(?:[\s\"']*(?=\d)|(?=\s)))?\s*(?:the\s+)?"
        r"(?:(?:mon|tue|wed|thu|fri|sat|sun)[a-z]*\.?,?\s+(?:the\s+)?)?"
        r"(?P<date>"
        r"\d{1,2}[/.-]\d{1,2}[/.-](?:\d{4}|\d{2})"
        r"|\d{4}[/.-]\d{1,2}[/.-]\d{1,2}"
        r"|\d{1,2}\s+\d{1,2}\s+\d{4}"
        rf"|{_MONTH}\s+(?:the\s+)?\d{{1,2}}(?:st|nd|rd|th)?,?\s+(?:\d{{4}}|'?\d{{2}})"
        rf"|\d{{1,2}}(?:st|nd|rd|th)?\.?\s*(?:of\s+|-)?{_MONTH}[,-]?\s*(?:\d{{4}}|'?\d{{2}})"
        rf"|\d{{1,2}}\.?\s+(?:de\s+)?{_MONTH_OTHER}\s+(?:de\s+)?\d{{4}}"
        r")(?![\d:])"
    )
    GROUP = "date"
    SCORE = 0.9
