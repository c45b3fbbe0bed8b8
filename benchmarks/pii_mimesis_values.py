"""Values of evaluation set 2: the labelled-text builder and one locale's random values (mimesis, IBANs)."""

from __future__ import annotations

import argparse
import json
import random
import string
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

from benchmarks.pii_mimesis_vocab import PARTICLES, TITLES_EN, TITLES_OTHER


class Builder:
    """Accumulates text with labelled spans."""

    def __init__(self) -> None:
        self.parts: list[str] = []
        self.length = 0
        self.spans: list[dict[str, Any]] = []
        self.keep: list[dict[str, Any]] = []

    def add(self, text: str) -> Builder:
        self.parts.append(text)
        self.length += len(text)
        return self

    def pii(self, kind: str, value: str) -> Builder:
        self.spans.append({"type": kind, "start": self.length, "end": self.length + len(value)})
        return self.add(value)

    def keep_(self, kind: str, value: str) -> Builder:
        self.keep.append({"kind": kind, "start": self.length, "end": self.length + len(value)})
        return self.add(value)

    def text(self) -> str:
        return "".join(self.parts)


def build_set(
    seed: int,
    templates: Mapping[str, tuple[Callable[[Builder, Any, random.Random], None], int]],
    locales: Sequence[Any],
    values: Callable[[random.Random, Any], Any],
    code: Callable[[Any], str] = str,
) -> list[dict[str, Any]]:
    """Every template its number of times, each with one locale's values, drawn from one seeded generator."""
    rng = random.Random(seed)
    records = []
    for shape, (template, count) in templates.items():
        for index in range(count):
            locale = rng.choice(locales)
            builder = Builder()
            template(builder, values(rng, locale), rng)
            records.append(labelled_record(shape, index, code(locale), builder))
    return records


def labelled_record(shape: str, index: int, locale: str, builder: Builder) -> dict[str, Any]:
    """One line of a generated set: the text and its labels, checked to cover non-blank values."""
    text = builder.text()
    for span in builder.spans + builder.keep:
        assert text[span["start"] : span["end"]].strip(), (shape, span)
    return {
        "id": f"{shape}-{index:03d}",
        "shape": shape,
        "locale": locale,
        "text": text,
        "spans": builder.spans,
        "keep": builder.keep,
    }


def generate(
    argv: list[str] | None,
    description: str,
    seed: int,
    out: Path,
    build: Callable[[int], list[dict[str, Any]]],
) -> None:
    """The command line of a set generator: ``--seed``, ``--out``; builds the set and writes it."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--seed", type=int, default=seed)
    parser.add_argument("--out", type=Path, default=out)
    args = parser.parse_args(argv)
    write_set(build(args.seed), args.out)


def write_set(records: list[dict[str, Any]], out: Path) -> None:
    """Write a generated set as JSON lines and print its size as one JSON object."""
    with out.open("w", encoding="utf-8") as handle:
        for record in records:
            handle.write(json.dumps(record, ensure_ascii=False) + "\n")
    spans = sum(len(r["spans"]) for r in records)
    keep = sum(len(r["keep"]) for r in records)
    print(json.dumps({"texts": len(records), "spans": spans, "keep": keep, "out": str(out)}))


class Values:
    """Random values of one locale."""

    def __init__(self, rng: random.Random, locale: str) -> None:
        from mimesis import Address, Finance, Internet, Payment, Person
        from mimesis.locales import Locale

        seed = rng.randrange(2**31)
        self.rng = rng
        self.locale = locale
        loc = Locale(locale)
        self.person = Person(loc, seed=seed)
        self.address = Address(loc, seed=seed + 1)
        self.finance = Finance(loc, seed=seed + 2)
        self.internet = Internet(seed=seed + 3)
        self.payment = Payment(seed=seed + 4)
        self.en_person = Person(Locale("en"), seed=seed + 5)

    # -- people
    def first(self) -> str:
        return self.person.first_name()

    def last(self) -> str:
        return self.person.last_name()

    def hyphen_first(self) -> str:
        return f"{self.first()}-{self.first()}"

    def particle_last(self) -> str:
        particle = self.rng.choice(PARTICLES)
        last = self.last()
        if particle.endswith(("-", "'")):
            return particle + last
        if particle == "Mac":
            return "Mac" + last
        if self.rng.random() < 0.3:
            particle = particle[0].upper() + particle[1:]
        return f"{particle} {last}"

    def double_last(self) -> str:
        return f"{self.last()}{self.rng.choice(['-', ' '])}{self.last()}"

    def title(self) -> str:
        return self.rng.choice(TITLES_EN if self.rng.random() < 0.7 else TITLES_OTHER)

    # -- contact
    def phone(self) -> str:
        return self.person.phone_number()

    def email_for(self, first: str, last: str) -> str:
        domains = (
            "gmail.com", "outlook.com", "web.de", "orange.fr", "libero.it", "seznam.cz", "example.com", "example.org",
            "example.net", "mail.com", "yahoo.co.uk", "proton.me", "firma.de", "uni-koeln.de", "company.io",
        )  # fmt: skip
        f, last_ = ascii_only(first).lower(), ascii_only(last).lower().replace(" ", "").replace("'", "")
        local = self.rng.choice(
            [
                f"{f}.{last_}",
                f"{f[0]}{last_}",
                f"{f}_{last_}{self.rng.randint(1, 99)}",
                f"{last_}.{f}",
                f"{f}{last_[:3]}",
            ]
        )
        return f"{local}@{self.rng.choice(domains)}"

    def email(self) -> str:
        return self.person.email()

    def street(self) -> str:
        return self.address.address()

    def city(self) -> str:
        return self.address.city()

    def postcode(self) -> str:
        return self.address.postal_code()

    def full_address(self) -> str:
        sep = self.rng.choice([", ", "\n"])
        if self.locale in ("en", "en-ca", "en-au"):
            region = self.address.state(abbr=True)
            return f"{self.street()}{sep}{self.city()}, {region} {self.postcode()}"
        return f"{self.street()}{sep}{self.postcode()} {self.city()}"

    def company(self) -> str:
        return self.finance.company()

    def job(self) -> str:
        return self.en_person.occupation()

    def birthdate(self) -> str:
        year, month, day = self.rng.randint(1940, 2008), self.rng.randint(1, 12), self.rng.randint(1, 28)
        months = (
            "January February March April May June July August September October November December".split()  # noqa: SIM905
        )
        return self.rng.choice(
            [
                f"{day:02d}.{month:02d}.{year}",
                f"{year}-{month:02d}-{day:02d}",
                f"{month}/{day}/{year}",
                f"{day} {months[month - 1]} {year}",
                f"{months[month - 1]} {day}, {year}",
            ]
        )

    # -- identifiers
    def card(self) -> str:
        return self.payment.credit_card_number()

    def iban(self) -> str:
        return make_iban(self.rng)

    def ssn(self) -> str:
        rng = self.rng
        area = rng.choice([a for a in range(1, 900) if a != 666])
        return f"{area:03d}-{rng.randint(1, 99):02d}-{rng.randint(1, 9999):04d}"

    def ipv4(self) -> str:
        while True:
            ip = self.internet.ip_v4()
            if not ip.startswith(("127.", "0.")):
                return ip

    def ipv6(self) -> str:
        return self.internet.ip_v6()

    def username(self) -> str:
        return self.person.username(mask="l_d")


def ascii_only(text: str) -> str:
    import unicodedata

    return "".join(
        ch for ch in unicodedata.normalize("NFKD", text) if ch.isascii() and (ch.isalnum() or ch in " -'")
    )


IBAN_SPECS = {
    "DE": "8n10n", "FR": "5n5n11c2n", "GB": "4a6n8n", "NL": "4a10n", "ES": "4n4n1n1n10n", "IT": "1a5n5n12c",
    "BE": "3n7n2n", "AT": "5n11n", "CH": "5n12c", "PL": "8n16n", "PT": "4n4n11n2n", "SE": "3n16n1n",
    "DK": "4n9n1n", "NO": "4n6n1n", "FI": "3n11n", "IE": "4a6n8n", "CZ": "4n6n10n", "HU": "3n4n1n15n1n",
    "TR": "5n1n16c", "GR": "3n4n16c", "LU": "3n13c", "RO": "4a16c", "HR": "7n10n", "SI": "5n8n2n",
}  # fmt: skip


def make_iban(rng: random.Random) -> str:
    country = rng.choice(sorted(IBAN_SPECS))
    spec = IBAN_SPECS[country]
    bban = ""
    number = ""
    for ch in spec:
        if ch.isdigit():
            number += ch
            continue
        pool = {"n": string.digits, "a": string.ascii_uppercase, "c": string.ascii_uppercase + string.digits}[
            ch
        ]
        bban += "".join(rng.choice(pool) for _ in range(int(number)))
        number = ""
    rearranged = bban + country + "00"
    check = 98 - int("".join(str(int(c, 36)) for c in rearranged)) % 97
    iban = f"{country}{check:02d}{bban}"
    style = rng.random()
    if style < 0.5:
        return " ".join(iban[i : i + 4] for i in range(0, len(iban), 4))
    if style < 0.6:
        return iban.lower()
    return iban
