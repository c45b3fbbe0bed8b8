"""Pattern recognizers and validators, one table per entity type (no spaCy model needed)."""

from __future__ import annotations

import pytest

from prefloop.curator.scrub.recognizers import (
    CreditCardRecognizer,
    DateOfBirthRecognizer,
    EmailRecognizer,
    IbanRecognizer,
    IpAddressRecognizer,
    LocationCueRecognizer,
    PersonalUrlRecognizer,
    PersonCueRecognizer,
    PhoneRecognizer,
    Recognizer,
    SecretsRecognizer,
    StreetAddressRecognizer,
    UsSsnRecognizer,
)
from prefloop.curator.scrub.recognizers.validators import iban_ok, luhn_ok, ssn_ok


def found(recognizer: Recognizer, text: str) -> list[str]:
    recognizer.load()
    return [text[s.start : s.end] for s in recognizer.analyze(text) if s.score >= 0.5]


@pytest.mark.parametrize(
    ("recognizer", "text", "expected"),
    [
        (EmailRecognizer(), "write to ana.lopez+tax@proton.me today", ["ana.lopez+tax@proton.me"]),
        (EmailRecognizer(), "docs use user@example.com", []),
        (EmailRecognizer(), "npm i pkg@1.2.3 and @types/node", []),
        (CreditCardRecognizer(), "card 4539 5787 6362 1486 expires", ["4539 5787 6362 1486"]),
        (CreditCardRecognizer(), "amex 3714-496353-98431", ["3714-496353-98431"]),  # Amex groups 4-6-5
        (CreditCardRecognizer(), "order 4539578763621487 (bad checksum)", []),
        (CreditCardRecognizer(), "timestamp 1700000000000000", []),
        (UsSsnRecognizer(), "SSN 219-09-9998 please", ["219-09-9998"]),
        (UsSsnRecognizer(), "order 219099998 shipped", []),
        (UsSsnRecognizer(), "my social security number is 219099998", ["219099998"]),
        (UsSsnRecognizer(), "area 666-12-3456 is never issued", []),
        (UsSsnRecognizer(), "T +351 29 6766 3275 or +351 296 76 6327", []),
        (UsSsnRecognizer(), "call 0 219 09 9998 5 today", []),
        (UsSsnRecognizer(), "SSN: 219 09 9998.", ["219 09 9998"]),
        (IbanRecognizer(), "IBAN DE89 3704 0044 0532 0130 00.", ["DE89 3704 0044 0532 0130 00"]),
        (IbanRecognizer(), "lower gb82west12345698765432 ok", ["gb82west12345698765432"]),
        (IbanRecognizer(), "DE89 3704 0044 0532 0130 01 has a bad checksum", []),
        (IpAddressRecognizer(), "ssh to 203.0.113.57 fails", ["203.0.113.57"]),
        (IpAddressRecognizer(), "v6 2001:db8:85a3::8a2e:370:7334 here", ["2001:db8:85a3::8a2e:370:7334"]),
        (IpAddressRecognizer(), "bind 0.0.0.0 and 127.0.0.1", []),
        (IpAddressRecognizer(), "upgrade to version 1.2.3.4 now", []),
        (IpAddressRecognizer(), "kernel release is 5.15.0.105", []),
        (IpAddressRecognizer(), "at 10:30:00 sharp", []),
        (PhoneRecognizer(), "call me at (312) 846-2210 tonight", ["(312) 846-2210"]),
        (PhoneRecognizer(), "office +41 79 555 12 34", ["+41 79 555 12 34"]),
        (PhoneRecognizer(), "reach me on 020 7946 0321", ["020 7946 0321"]),
        (PhoneRecognizer(), "fax 833.719.3994x1887", ["833.719.3994x1887"]),
        # the area code before a slash (German, Austrian), and what only looks like it
        (PhoneRecognizer(), "ruf mich an: 089/2345678", ["089/2345678"]),
        (PhoneRecognizer(), "Tel. 0711/987654-12", ["0711/987654-12"]),
        (PhoneRecognizer(), "see the 2023/2024 season, pages 012/345", []),
        (PhoneRecognizer(), "released 2024-03-15, build 20240315.1", []),
        (PhoneRecognizer(), "SSN 219-09-9998", []),
        (PhoneRecognizer(), "we sold 1234567 units", []),
        (DateOfBirthRecognizer(), "I was born on 14 March 1991.", ["14 March 1991"]),
        (DateOfBirthRecognizer(), "DOB: 1987-06-02", ["1987-06-02"]),
        (DateOfBirthRecognizer(), "cutoff = '2023-12-31'", []),
        (PersonalUrlRecognizer(), 'File "/home/mkowalczyk/etl/run.py"', ["/home/mkowalczyk"]),
        (PersonalUrlRecognizer(), r"PS C:\Users\JSantos\app>", [r"C:\Users\JSantos"]),
        (PersonalUrlRecognizer(), "see https://docs.python.org/3/library/re.html", []),
        (PersonalUrlRecognizer(), "cd /home/runner/work", []),
        (
            PersonalUrlRecognizer(),
            "profile https://www.linkedin.com/in/rachel-nguyen",
            ["https://www.linkedin.com/in/rachel-nguyen"],
        ),
        (PersonCueRecognizer(), "Hi, my name is Sarah Connolly and", ["Sarah Connolly"]),
        (PersonCueRecognizer(), "ask Dr. Patel about it", ["Patel"]),
        (PersonCueRecognizer(), "Hello World program", []),
        (PersonCueRecognizer(), "Hey, the invoice was wrong again.\n\nPriya\n", ["Priya"]),
        (PersonCueRecognizer(), "Fix this bug please.\n\nThanks", []),
        (
            LocationCueRecognizer(),
            "My friend lives in Poggiovalle Di Borgorose",
            ["Poggiovalle Di Borgorose"],
        ),
        (LocationCueRecognizer(), "I'm in Troubelice, at the conference", ["Troubelice"]),
        (
            StreetAddressRecognizer(),
            "ship to 4417 Maple Ridge Drive, Apt 12B, Columbus, OH 43215.",
            ["4417 Maple Ridge Drive, Apt 12B, Columbus, OH 43215"],
        ),
        (
            StreetAddressRecognizer(),
            "Address: Bahnhofstrasse 21, 8001 Zürich",
            ["Bahnhofstrasse 21, 8001 Zürich"],
        ),
        (
            StreetAddressRecognizer(),
            "sent to PSC 8950, Box 4847\nAPO AP 62737",
            ["PSC 8950, Box 4847\nAPO AP 62737"],
        ),
        (
            StreetAddressRecognizer(),
            "Jane Roe\n73 Wilgenblik 87\nSuite 271\nSoest\nPeru 38267",
            ["73 Wilgenblik 87\nSuite 271\nSoest\nPeru 38267"],
        ),
        (StreetAddressRecognizer(), "fails on Windows 11, error code 1603.", []),
        (StreetAddressRecognizer(), "an Musterstraße 12, 10115 Berlin.", ["Musterstraße 12, 10115 Berlin"]),
        (
            StreetAddressRecognizer(),
            "to Flat 2, 14 High Street, Oxford OX1 4AA please",
            ["Flat 2, 14 High Street, Oxford OX1 4AA"],
        ),
        (
            StreetAddressRecognizer(),
            "to 123 Main St, Toronto, ON M5V 2T6 by Monday",
            ["123 Main St, Toronto, ON M5V 2T6"],
        ),
        (StreetAddressRecognizer(), "landed on July 20, 1969, after", []),
        (PhoneRecognizer(), "my account number is 12345678, sort code 20-00-00", []),
        (PersonCueRecognizer(), "The patient, Mr. Jorge Ramírez, was seen", ["Jorge Ramírez"]),
        (StreetAddressRecognizer(), "take 3 easy steps and 2 Close calls", []),
    ],
)
def test_recognizer_table(recognizer: Recognizer, text: str, expected: list[str]) -> None:
    assert found(recognizer, text) == expected


@pytest.mark.parametrize(
    ("text", "provider"),
    [
        ('api_key="sk-proj-4fGh7Kq9XzL2mN8pR3tV6wY1bC5dE0aJ"', "openai_key"),
        ("AWS_ACCESS_KEY_ID=AKIA4QWERTYUIOPASDF2", "aws_access_key"),
        ("token ghp_R8tYx2KqL9mZ4vN7bW1cP3sD6fH0jA5eU8iO", "github_token"),
        ("xoxb-2847561093-4829105736-Hk8sLq2WmZp9Yt4RcVn3BxJe", "slack_token"),
        ("-----BEGIN RSA PRIVATE KEY-----\nMIIEow\n-----END RSA PRIVATE KEY-----", "private_key"),
        ("eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NSJ9.SflKxwRJSMeKKF2QT4fwpMeJf36", "jwt"),
        ("postgresql://admin:Tr0ub4dor3x@db.internal:5432/orders", "connection_string"),
        ("password=Winter2024!x; user=reporting", "password_value"),
        ("Authorization: Basic YWRtaW46cGFzc3dvcmQxMjM=", "basic_auth"),
    ],
)
def test_secrets_are_found_by_the_right_rule(text: str, provider: str) -> None:
    recognizer = SecretsRecognizer()
    recognizer.load()
    rules = {s.recognizer.split(":", 1)[1] for s in recognizer.analyze(text)}
    assert provider in rules


@pytest.mark.parametrize(
    "text",
    [
        'api_key = "<YOUR_API_KEY>"',
        "password=${DB_PASSWORD}",
        'token = os.environ["TOKEN"]',
        'secret_name = "production-database"',
        "the password is stored in the vault",
    ],
)
def test_placeholder_secrets_are_not_secrets(text: str) -> None:
    recognizer = SecretsRecognizer()
    recognizer.load()
    assert recognizer.analyze(text) == []


def test_validators() -> None:
    assert luhn_ok("4539578763621486") and not luhn_ok("4539578763621487")
    assert iban_ok("GB82 WEST 1234 5698 7654 32") and not iban_ok("GB82 WEST 1234 5698 7654 33")
    assert not iban_ok("XX82WEST12345698765432")  # unknown country
    assert ssn_ok("219-09-9998") and not ssn_ok("000-12-3456") and not ssn_ok("219-09 9998")
