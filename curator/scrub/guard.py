"""The last guard at the exits (docs/privacy.md): what must never leave, checked again right before it would.

Independent of the scrubber's main pass: its own patterns and checksums, no language model, no shared recognizer
code, so one bug cannot hide a value from both. It looks for e-mail addresses, phone numbers, payment card
numbers, IBANs, US SSNs, IP addresses and keys/tokens, and replaces each by ``[<TYPE>_0]`` (0: caught at the exit).
Every catch is counted (``prefloop_exit_guard_catches_total{exit, type}``) and logged with the pair id and the
type, never the value. The count should stay at zero: a catch is a scrubber miss to fix.

``guard_text`` is the plain function; ``ExitGuard`` binds an exit name (``slack``, ``release``) and does the
counting and logging.
"""

from __future__ import annotations

import ipaddress
import logging
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from prefloop.curator.scrub import messages as msg

__all__ = ["ExitGuard", "GuardResult", "GuardedRow", "guard_text"]

log = logging.getLogger(__name__)

_PLACEHOLDER_LOCALS = frozenset(
    "user username you your yourname your.name name me someone email test example noreply no-reply".split()  # noqa: SIM905
)
_SECRET = re.compile(
    r"-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?-----[\s\S]*?(?:-----END [A-Z0-9 ]*-----|\Z)"
    r"|\b(?:AKIA|ASIA)[0-9A-Z]{16}\b|\bgh[pousr]_[A-Za-z0-9]{36,}|\bgithub_pat_\w{22,}|\bglpat-[\w-]{20,}"
    r"|\bxox[abposre]-[A-Za-z0-9-]{10,}|\bsk-(?:ant-|proj-)?[A-Za-z0-9_-]{20,}|\b[sr]k_live_[A-Za-z0-9]{16,}"
    r"|\bAIza[0-9A-Za-z_-]{35}|\bhf_[A-Za-z0-9]{30,}|\bnpm_[A-Za-z0-9]{36}|\bpypi-AgE[\w-]{50,}"
    r"|\bSG\.[\w-]{22}\.[\w-]{43}|\be[wy][A-Za-z0-9_-]{10,}\.e[wy][A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]*"
    r"|\b(?:postgres(?:ql)?|mysql|mongodb(?:\+srv)?|rediss?|amqps?)://[^\s:/@]+:[^\s@/]+@[^\s\"'<>]+"
)
_SECRET_HINT = re.compile(
    r"PRIVATE KEY|AKIA|ASIA|gh[pousr]_|github_pat_|glpat-|xox|sk-|k_live_|AIza|hf_|npm_|pypi-|SG\.|://|"
    r"e[wy][A-Za-z0-9_-]{10,}\.e[wy]"
)
#: A substring of every match of ``_SECRET_HINT`` (one per alternative; ``e[wy]...\.e[wy]`` holds ``.ew`` or
#: ``.ey``): plain substring tests are ~20x cheaper than scanning the text with the regex, so a text holding none
#: of them skips the scan (tests/unit/test_scrub_guard.py checks the list against the regex).
_SECRET_MARKS = (
    "PRIVATE KEY", "AKIA", "ASIA", "ghp_", "gho_", "ghu_", "ghs_", "ghr_", "github_pat_", "glpat-", "xox", "sk-",
    "k_live_", "AIza", "hf_", "npm_", "pypi-", "SG.", "://", ".ew", ".ey",
)  # fmt: skip
#: ``_SECRET_MARKS`` grouped by one character each of them holds, rarely seen in prose (a text without
#: that character holds none of its group: one ``memchr`` instead of a substring search per mark).
#: (tests/unit/test_scrub_guard.py checks that every mark is in a group and holds its key.)
_MARK_GROUPS = tuple(
    (key, tuple(m for m in _SECRET_MARKS if next(k for k in "_:-xA." if k in m) == key)) for key in "_:-xA."
)
_DIGIT = re.compile(r"\d")
_ASCII_DIGITS = "0123456789"
_EMAIL_LOCAL = re.compile(r"[\w.+%'-]{1,64}$")
_EMAIL_DOMAIN = re.compile(r"(?:[A-Za-z0-9-]{1,63}\.)+[A-Za-z]{2,24}(?![\w-])")
#: Digit-led values, tried only where a digit run starts (found by ``_DIGIT_RUN``).
_NUMBERED = re.compile(
    r"(?P<IBAN_CODE>[A-Z]{2}\d{2}(?: ?[A-Z0-9]{4}){2,7}(?: ?[A-Z0-9]{1,4})?\b)"
    r"|(?P<US_SSN>\d{3}-\d{2}-\d{4}(?![\w-]))"
    r"|(?P<CREDIT_CARD>\d{4}(?:[ -]?\d{4}){2}[ -]?\d{1,7}(?![\w-])|\d{4}[ -]\d{6}[ -]\d{4,5}(?![\w-]))"
    r"|(?P<PHONE_NUMBER>(?:\+|00)\d{1,3}[ .-]?(?:\(\d{1,5}\)[ .-]?)?\d{1,5}(?:[ .-]?\d{2,5}){1,4}(?![\w-])"
    r"|\(\d{2,5}\)[ .-]?\d{3,5}[ .-]?\d{3,5}(?![\w-])|\d{3}[.-]\d{3}[.-]\d{4}(?![\w.-]))"
    r"|(?P<IP_ADDRESS>(?:\d{1,3}\.){3}\d{1,3}(?![\w.:])|(?:[0-9A-Fa-f]{1,4}:){2,7}[0-9A-Fa-f:]*[0-9A-Fa-f](?![\w:]))"
)
#: Where a numbered value may start: a digit run of 3+ (or ``+``/``(``/two capitals before digits, or hex and
#: colons for IPv6), not inside a word.
_START = re.compile(
    r"(?<![\w.+:-])(?:\+|\(|[A-Z]{2}(?=\d\d)|[0-9A-Fa-f]{1,4}(?=:[0-9A-Fa-f]{0,4}:)|\d(?=[\d .()/-]{6}))"
)


@dataclass(frozen=True)
class GuardResult:
    """``text`` with what was caught replaced, and the catches as (type, start, end) into the original."""

    text: str
    catches: list[tuple[str, int, int]] = field(default_factory=list)


def guard_text(text: str) -> GuardResult:
    """Find what must never leave in ``text`` and replace it by ``[<TYPE>_0]``."""
    if not text:
        return GuardResult(text)
    catches: list[tuple[str, int, int]] = []
    if _may_hold_secret(text) and _SECRET_HINT.search(text):
        catches += [("SECRET", m.start(), m.end()) for m in _SECRET.finditer(text)]
    at = text.find("@")
    while at > 0:
        local, domain = _EMAIL_LOCAL.search(text, max(0, at - 64), at), _EMAIL_DOMAIN.match(text, at + 1)
        if local and domain and (local.start() == 0 or not re.match(r"[\w.+-]", text[local.start() - 1])):
            value = text[local.start() : domain.end()]
            if _valid("EMAIL_ADDRESS", value):
                catches.append(("EMAIL_ADDRESS", local.start(), domain.end()))
        at = text.find("@", at + 1)
    for anchor in _START.finditer(text) if _has_digit(text) else ():
        match = _NUMBERED.match(text, anchor.start())
        if match and match.lastgroup and _valid(match.lastgroup, match.group()):
            catches.append((match.lastgroup, match.start(), match.end()))
    catches = _non_overlapping(catches)
    if not catches:
        return GuardResult(text)
    pieces, position = [], 0
    for kind, start, end in catches:
        pieces.append(text[position:start])
        pieces.append(f"[{kind}_0]")
        position = end
    pieces.append(text[position:])
    return GuardResult("".join(pieces), catches)


def _may_hold_secret(text: str) -> bool:
    """``any(mark in text for mark in _SECRET_MARKS)``, by groups (``_MARK_GROUPS``)."""
    return any(key in text and any(map(text.__contains__, group)) for key, group in _MARK_GROUPS)


def _nothing_to_look_at(text: str) -> bool:
    """True when :func:`guard_text` would return ``text`` unchanged by its pre-checks alone: no secret mark, no
    ``@``, no digit (the exit guards' common case, answered without building a result)."""
    return "@" not in text and not _has_digit(text) and not _may_hold_secret(text)


def _has_digit(text: str) -> bool:
    """``_DIGIT.search(text)``, answered by substring tests for ASCII text (``\\d`` is any Unicode digit)."""
    if text.isascii():
        return any(map(text.__contains__, _ASCII_DIGITS))
    return _DIGIT.search(text) is not None


def _non_overlapping(catches: list[tuple[str, int, int]]) -> list[tuple[str, int, int]]:
    kept: list[tuple[str, int, int]] = []
    for catch in sorted(catches, key=lambda c: (c[1], -c[2])):
        if not kept or catch[1] >= kept[-1][2]:
            kept.append(catch)
    return kept


def _valid(kind: str, value: str) -> bool:
    if kind == "EMAIL_ADDRESS":
        return value.rsplit("@", 1)[0].casefold() not in _PLACEHOLDER_LOCALS
    if kind == "IBAN_CODE":
        return _mod97(value)
    if kind == "CREDIT_CARD":
        return _luhn(value)
    if kind == "US_SSN":
        area, group, serial = value.split("-")
        return area not in ("000", "666") and area[0] != "9" and group != "00" and serial != "0000"
    if kind == "PHONE_NUMBER":
        return 8 <= sum(ch.isdigit() for ch in value) <= 15
    if kind == "IP_ADDRESS":
        try:
            address = ipaddress.ip_address(value)
        except ValueError:
            return False
        return not (address.is_loopback or address.is_unspecified)
    return True


def _luhn(value: str) -> bool:
    digits = [int(ch) for ch in value if ch.isdigit()]
    if not 13 <= len(digits) <= 19 or len(set(digits)) == 1:
        return False
    total = sum(d if i % 2 == 0 else (d * 2 - 9 if d > 4 else d * 2) for i, d in enumerate(reversed(digits)))
    return total % 10 == 0


def _mod97(value: str) -> bool:
    compact = value.replace(" ", "")
    if not 15 <= len(compact) <= 34:
        return False
    number = "".join(str(int(ch, 36)) for ch in compact[4:] + compact[:4])
    return int(number) % 97 == 1


class ExitGuard:
    """``guard_text`` for one exit, with a Prometheus counter and a log line per catch (never the value)."""

    def __init__(self, exit_name: str, registry: Any = None) -> None:
        self.exit = exit_name
        self.counts: Counter[str] = Counter()
        self._counter = _catch_counter(registry)

    def texts(self, pair_id: str, texts: Sequence[str]) -> list[str]:
        """``texts`` of one pair, each guarded; catches counted and logged."""
        out = []
        for text in texts:
            if _nothing_to_look_at(text):
                out.append(text)
                continue
            result = guard_text(text)
            for kind, _, _ in result.catches:
                self.counts[kind] += 1
                self._counter.labels(exit=self.exit, type=kind).inc()
                log.warning(msg.GUARD_CAUGHT, self.exit, kind, pair_id)
            out.append(result.text)
        return out

    def messages(self, pair_id: str, messages: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
        """Chat messages (``content``) guarded, other keys kept."""
        contents = self.texts(pair_id, [str(m.get("content") or "") for m in messages])
        return [
            {**m, "content": c} if (m.get("content") or "") != c else m
            for m, c in zip(messages, contents, strict=True)
        ]


_COUNTERS: dict[int, Any] = {}


def _catch_counter(registry: Any) -> Any:
    """One ``prefloop_exit_guard_catches_total`` per registry (the default one unless given)."""
    from prometheus_client import REGISTRY, Counter

    registry = registry if registry is not None else REGISTRY
    if id(registry) not in _COUNTERS:
        _COUNTERS[id(registry)] = Counter(
            "prefloop_exit_guard_catches",
            "Values the last guard caught at an exit (a scrubber miss), by exit and type.",
            ["exit", "type"],
            registry=registry,
        )
    return _COUNTERS[id(registry)]


class GuardedRow:
    """A read-only row (a SQLAlchemy result row, a model) with some attributes replaced by their guarded text."""

    def __init__(self, row: Any, **replaced: str) -> None:
        self._row = row
        self._replaced = replaced

    def __getattr__(self, name: str) -> Any:
        if name in self._replaced:
            return self._replaced[name]
        return getattr(self._row, name)
