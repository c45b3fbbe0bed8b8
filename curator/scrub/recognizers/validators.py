"""Checksums and range rules that turn a digit pattern into a real identifier (or not)."""

from __future__ import annotations

import ipaddress
import re

__all__ = [
    "PLACEHOLDER_EMAIL_LOCAL_PARTS",
    "card_issuer_ok",
    "iban_ok",
    "ip_ok",
    "is_placeholder_email",
    "luhn_ok",
    "ssn_ok",
]

_NON_ALNUM = re.compile(r"[^0-9A-Za-z]")

#: IBAN length per country (ISO 13616 registry, common countries).
IBAN_LENGTHS: dict[str, int] = {
    "AD": 24, "AE": 23, "AL": 28, "AT": 20, "AZ": 28, "BA": 20, "BE": 16, "BG": 22, "BH": 22, "BR": 29,
    "BY": 28, "CH": 21, "CR": 22, "CY": 28, "CZ": 24, "DE": 22, "DK": 18, "DO": 28, "EE": 20, "EG": 29,
    "ES": 24, "FI": 18, "FO": 18, "FR": 27, "GB": 22, "GE": 22, "GI": 23, "GL": 18, "GR": 27, "GT": 28,
    "HR": 21, "HU": 28, "IE": 22, "IL": 23, "IQ": 23, "IS": 26, "IT": 27, "JO": 30, "KW": 30, "KZ": 20,
    "LB": 28, "LC": 32, "LI": 21, "LT": 20, "LU": 20, "LV": 21, "MC": 27, "MD": 24, "ME": 22, "MK": 19,
    "MR": 27, "MT": 31, "MU": 30, "NL": 18, "NO": 15, "PK": 24, "PL": 28, "PS": 29, "PT": 25, "QA": 29,
    "RO": 24, "RS": 22, "SA": 24, "SC": 31, "SE": 24, "SI": 19, "SK": 24, "SM": 27, "ST": 25, "SV": 28,
    "TL": 23, "TN": 24, "TR": 26, "UA": 29, "VA": 22, "VG": 24, "XK": 20,
}  # fmt: skip


def luhn_ok(value: str) -> bool:
    """Luhn (mod 10) checksum over the digits of ``value``."""
    digits = [int(ch) for ch in value if ch.isdigit()]
    if len(digits) < 12:
        return False
    total = 0
    for index, digit in enumerate(reversed(digits)):
        if index % 2 == 1:
            digit *= 2
            if digit > 9:
                digit -= 9
        total += digit
    return total % 10 == 0


def card_issuer_ok(value: str) -> bool:
    """The digits start with a card network's prefix and have that network's length."""
    digits = "".join(ch for ch in value if ch.isdigit())
    n = len(digits)
    if len(set(digits)) <= 1:
        return False
    two, four = int(digits[:2]), int(digits[:4])
    if digits[0] == "4":  # Visa
        return n in (13, 16, 19)
    if 51 <= two <= 55 or 2221 <= four <= 2720:  # Mastercard
        return n == 16
    if two in (34, 37):  # American Express
        return n == 15
    if digits.startswith(("6011", "65")) or 644 <= int(digits[:3]) <= 649 or two == 62:  # Discover, UnionPay
        return 16 <= n <= 19
    if two == 35:  # JCB
        return 16 <= n <= 19
    if two in (36, 38, 39) or 300 <= int(digits[:3]) <= 305:  # Diners Club
        return 14 <= n <= 19
    if digits[0] == "5" or digits[0] == "6":  # Maestro
        return 12 <= n <= 19
    return False


def ssn_ok(value: str) -> bool:
    """US SSN structure rules: area not 000/666/9xx, group not 00, serial not 0000, not a known dummy."""
    digits = "".join(ch for ch in value if ch.isdigit())
    if len(digits) != 9:
        return False
    area, group, serial = digits[:3], digits[3:5], digits[5:]
    if area in ("000", "666") or area[0] == "9" or group == "00" or serial == "0000":
        return False
    if len(set(digits)) == 1 or digits in ("078051120", "219099999"):
        return False
    separators = [ch for ch in value if not ch.isdigit()]
    return len(set(separators)) <= 1


def iban_ok(value: str) -> bool:
    """ISO 13616 IBAN: known country length and mod-97 checksum equal to 1."""
    compact = _NON_ALNUM.sub("", value).upper()
    expected = IBAN_LENGTHS.get(compact[:2])
    if expected is None or len(compact) != expected or not compact[2:4].isdigit():
        return False
    rearranged = compact[4:] + compact[:4]
    number = "".join(str(int(ch, 36)) for ch in rearranged)
    return int(number) % 97 == 1


def ip_ok(value: str) -> bool:
    """A real IPv4/IPv6 address that is not loopback or unspecified (``127.0.0.1``, ``::1``, ``0.0.0.0``)."""
    try:
        address = ipaddress.ip_address(value)
    except ValueError:
        return False
    return not (address.is_loopback or address.is_unspecified)


#: Local parts of e-mail addresses that name nobody (docs/privacy.md): left alone on any domain.
PLACEHOLDER_EMAIL_LOCAL_PARTS: frozenset[str] = frozenset(
    """
    user username user.name user_name you your yourname your.name your_name your-name yourmail youremail name
    me someone somebody anyone email mail e-mail test tester foo bar foobar example sample demo noreply
    no-reply no_reply donotreply do-not-reply firstname.lastname first.last firstname lastname
    """.split()  # noqa: SIM905
)


def is_placeholder_email(value: str) -> bool:
    """Whether ``value`` is an obvious placeholder address (``user@...``, ``you@...``, ``name@domain``)."""
    local = value.rsplit("@", 1)[0].casefold()
    return local in PLACEHOLDER_EMAIL_LOCAL_PARTS
