"""Phone numbers: a permissive digit-group pattern, validated by the ``phonenumbers`` library."""

from __future__ import annotations

import re
from collections.abc import Sequence
from itertools import chain
from typing import TYPE_CHECKING, ClassVar

import phonenumbers

from prefloop.curator.scrub.recognizers.base import Recognizer, has_context
from prefloop.curator.scrub.recognizers.validators import card_issuer_ok, luhn_ok
from prefloop.curator.scrub.types import PiiSpan

if TYPE_CHECKING:
    from spacy.tokens import Doc

__all__ = ["PhoneRecognizer"]

_CANDIDATE = re.compile(
    r"(?<![\w.+/:-])"
    r"(?:(?:\+|00)\d{1,3}[\s.-]?)?"
    r"(?:\(\d{1,5}\)[\s.-]?)?"
    r"\d{1,12}(?:(?:[ .-]| ?- ?)\d{1,8}){0,5}"
    r"(?P<ext>\s*(?:x|ext\.?|extension)\s*\d{1,6})?"
    r"(?!\w|/|:\w|-\d|\.\d|,\d)"
)
#: German and Austrian numbers write the area code before a slash ("089/2345678", "0711/987654-12").
_SLASHED = re.compile(
    r"(?<![\w.+/:-])0\d{2,4}/\d{3,9}(?:-\d{1,5})?(?P<ext>\s*(?:x|ext\.?|extension)\s*\d{1,6})?(?![\w/]|[.,]\d)"
)
_DATE_LIKE = re.compile(
    r"^(?:\d{4}[-. ]\d{1,2}[-. ]\d{1,2}|\d{1,2}[-. ]\d{1,2}[-. ]\d{2,4}|(?:19|20)\d{2}\s*-\s*(?:19|20)\d{2})$"
)
_SSN_SHAPE = re.compile(r"^\d{3}-\d{2}-\d{4}$|^\d+\.\d+$")
#: Numbers introduced as something else: account, order, invoice, ticket, sort code...
_OTHER_NUMBER_BEFORE = re.compile(
    r"\b(?:account|acct|order|invoice|ticket|reference|ref|tracking|customer|member|membership|policy|case|"
    r"booking|confirmation|serial|sort\s+code|routing|iban|bic|swift|isbn|pin|otp|code)\b"
    r"(?:\s+(?:number|no\.?|num|#|id|code))?\s*(?:is|was|:|=|#)?\s*$",
    re.IGNORECASE,
)
_NANP_SHAPE = re.compile(r"^(?:\+?1[\s.-]?)?(?:\(\d{3}\)\s?|\d{3}[\s.-])\d{3}[\s.-]\d{4}")
_VERSION_BEFORE = re.compile(
    r"(?<![A-Za-z])(?:version|ver\.?|v|==|>=|<=|~=|release|build|port|pid|id|#|no\.?)\s*$", re.IGNORECASE
)


class PhoneRecognizer(Recognizer):
    """Numbers of 7-15 digits that ``phonenumbers`` accepts for one of ``REGIONS``.

    A number valid in some region scores ``SCORE``; one that is only *possible* counts when it is shaped like a
    phone number (``+`` prefix, ``(area)`` code, US 3-3-4 groups) or has phone context nearby. Date-shaped
    and version-shaped digit groups are rejected.
    """

    NAME = "phone"
    ENTITY_TYPES = ("PHONE_NUMBER",)
    REGIONS: ClassVar[tuple[str, ...]] = (
        "US", "GB", "DE", "FR", "IT", "ES", "NL", "BE", "CH", "AT", "AU", "IN", "BR", "MX", "SE", "DK",
        "NO", "FI", "PL", "IE", "NZ", "ZA", "JP", "PT", "IL", "HU", "GR", "CZ",
    )  # fmt: skip
    CONTEXT: ClassVar[tuple[str, ...]] = (
        "phone", "call", "tel", "telephone", "mobile", "cell", "cellphone", "fax", "office", "text me",
        "sms", "whatsapp", "contact", "reach me", "number", "landline", "dial", "ring", "home", "work",
        "answering", "answer", "reach", "voicemail", "hotline", "telefon", "téléphone", "tél", "mob",
    )  # fmt: skip
    SCORE = 0.75
    SHAPED_SCORE = 0.65
    CONTEXT_SCORE = 0.9
    MIN_DIGITS = 7
    #: Without phone words nearby, shorter numbers (``1234 5678``) are as often amounts or codes.
    NO_CONTEXT_MIN_DIGITS = 9
    MAX_DIGITS = 15

    def __init__(self, name: str | None = None, *, regions: Sequence[str] | None = None) -> None:
        super().__init__(name)
        self.regions = tuple(regions) if regions is not None else self.REGIONS
        self._context_re: re.Pattern[str] | None = None

    def load(self) -> None:
        words = "|".join(re.escape(word) for word in self.CONTEXT)
        self._context_re = re.compile(rf"(?<![a-z])(?:{words})(?![a-z])", re.IGNORECASE)
        self._loaded = True

    def analyze(self, text: str, doc: Doc | None = None) -> list[PiiSpan]:
        if not self._loaded:
            self.load()
        spans: list[PiiSpan] = []
        for match in chain(_CANDIDATE.finditer(text), _SLASHED.finditer(text) if "/" in text else ()):
            start, end = match.span()
            value = match.group()
            core = value[: match.start("ext") - start] if match.group("ext") else value
            digits = sum(ch.isdigit() for ch in core)
            if not self.MIN_DIGITS <= digits <= self.MAX_DIGITS:
                continue
            if (
                _DATE_LIKE.match(core.strip())
                or _SSN_SHAPE.match(core)
                or _VERSION_BEFORE.search(text[max(0, start - 10) : start])
                or _OTHER_NUMBER_BEFORE.search(text[max(0, start - 40) : start])
                or ("." in core and any(len(g) < 2 for g in re.split(r"[.\s()+-]+", core) if g))
                or (digits >= 13 and luhn_ok(core) and card_issuer_ok(core))
            ):
                continue  # a date, an SSN, or a version number (dotted groups of one digit)
            score = self._score(text, start, end, value, core)
            if score > 0:
                spans.append(PiiSpan("PHONE_NUMBER", start, end, score, self.name))
        return spans

    def _score(self, text: str, start: int, end: int, value: str, core: str) -> float:
        valid, possible = self._check(value)
        context = has_context(text, start, end, self._context_re, window=48)
        formatted = not core.isdigit()
        if not possible:
            # any national format: "+CC" and grouped digits, or grouped digits right after a phone word
            international = core.startswith(("+", "00")) and formatted
            return self.SHAPED_SCORE if international or (context and formatted) else 0.0
        shaped = core.startswith(("+", "(")) or bool(_NANP_SHAPE.match(core))
        if context:
            return self.CONTEXT_SCORE if (valid or formatted) else 0.0
        if valid and formatted and sum(ch.isdigit() for ch in core) >= self.NO_CONTEXT_MIN_DIGITS:
            return self.SCORE
        if shaped:
            return self.SHAPED_SCORE
        return 0.0

    def _check(self, value: str) -> tuple[bool, bool]:
        """(valid in some region, possible in some region)."""
        possible = False
        regions: Sequence[str | None] = (None,) if value.lstrip().startswith(("+", "00")) else self.regions
        candidate = "+" + value.lstrip()[2:] if value.lstrip().startswith("00") else value
        for region in regions:
            try:
                number = phonenumbers.parse(candidate, region)
            except phonenumbers.NumberParseException:
                continue
            if phonenumbers.is_valid_number(number):
                return True, True
            if not possible:
                reason = phonenumbers.is_possible_number_with_reason(number)
                possible = reason in (
                    phonenumbers.ValidationResult.IS_POSSIBLE,
                    phonenumbers.ValidationResult.IS_POSSIBLE_LOCAL_ONLY,
                )
        return False, possible
