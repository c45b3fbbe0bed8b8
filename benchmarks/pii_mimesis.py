"""Build the second PII evaluation set (``benchmarks/data/pii/eval_mimesis.jsonl``): another generator, other shapes.

Run once from the repository root (``mimesis`` is a dev dependency)::

    python -m benchmarks.pii_mimesis [--seed 20261206] [--out benchmarks/data/pii/eval_mimesis.jsonl]

The set was written and frozen before the scrubber was tuned against it (see ``docs/privacy.md`` and
``benchmarks/data/pii/README.md``). Values come from ``mimesis`` (names, streets, cities, postcodes, phone numbers
and companies of 20 locales); identifiers without a mimesis provider (IBAN, US SSN, keys and tokens) are built here
with their real structure and checksums. The templates are shapes the first set (presidio-research) does not have:
e-mail signatures, web forms, CSV / JSON / log pastes, config files with credentials, multi-turn pastes, names
with particles and hyphens, a full name reused later as the first name alone or title + surname, national phone
and address formats, values followed by punctuation. Confusers that must stay unchanged (public figures,
countries and states, cities named generically, organisations, products, code identifiers, technical words,
historical dates) are marked as ``keep`` spans.

Each line: ``{"id", "shape", "locale", "text", "spans": [{"type", "start", "end"}], "keep": [{"kind", "start",
"end"}]}``; offsets are Python string indices into ``text``.
"""

from __future__ import annotations

import argparse
import base64
import json
import random
import string
from collections.abc import Callable
from pathlib import Path
from typing import Any

OUT = Path(__file__).parent / "data" / "pii" / "eval_mimesis.jsonl"
LOCALES = (
    "en", "en-gb", "en-au", "en-ca", "de", "de-at", "de-ch", "fr", "es", "es-mx", "it", "nl", "nl-be", "pt",
    "pt-br", "pl", "sv", "da", "no", "fi", "cs", "hu", "tr",
)  # fmt: skip

PUBLIC_FIGURES = (
    "Angela Merkel", "Albert Einstein", "Marie Curie", "Nelson Mandela", "Barack Obama", "Abraham Lincoln",
    "Winston Churchill", "Mahatma Gandhi", "Frida Kahlo", "Leonardo da Vinci", "Ludwig van Beethoven",
    "Wolfgang Amadeus Mozart", "Isaac Newton", "Charles Darwin", "Ada Lovelace", "Alan Turing", "Serena Williams",
    "Lionel Messi", "Cristiano Ronaldo", "Taylor Swift", "Beyoncé", "Elon Musk", "Bill Gates", "Steve Jobs",
    "Oprah Winfrey", "Martin Luther King Jr.", "Queen Elizabeth II", "Napoleon Bonaparte", "Julius Caesar",
    "Cleopatra", "William Shakespeare", "Jane Austen", "Vincent van Gogh", "Pablo Picasso", "Simone de Beauvoir",
    "Gabriel García Márquez", "Emmanuel Macron", "Justin Trudeau", "Jacinda Ardern", "Greta Thunberg",
    "Stephen Hawking", "Nikola Tesla", "Florence Nightingale", "Galileo Galilei", "Karl Marx", "Sigmund Freud",
    "Rosa Parks", "Malala Yousafzai", "Usain Bolt", "Roger Federer", "Michael Jordan", "Meryl Streep",
    "Tom Hanks", "Agatha Christie", "J. K. Rowling", "George Washington", "Joan of Arc", "Confucius",
)  # fmt: skip
COUNTRIES = (
    "Hungary", "United States", "Germany", "France", "Brazil", "Japan", "Canada", "Mexico", "India", "Kenya",
    "Portugal", "the Netherlands", "Poland", "Sweden", "Norway", "Turkey", "Australia", "New Zealand", "Spain",
    "Italy", "Egypt", "Argentina", "South Korea", "Vietnam", "Ireland", "Switzerland", "Greece", "Chile",
)  # fmt: skip
STATES = (
    "California", "Texas", "Bavaria", "Ontario", "Quebec", "New South Wales", "Catalonia", "Lombardy", "Florida",
    "Queensland", "Saxony", "Andalusia", "British Columbia", "Victoria", "New York State", "Tuscany",
)  # fmt: skip
GENERIC_CITIES = (
    "Paris", "London", "Tokyo", "Rome", "Berlin", "Madrid", "Lisbon", "Vienna", "Prague", "Budapest", "Amsterdam",
    "New York", "Chicago", "Toronto", "Sydney", "Istanbul", "Barcelona", "Venice", "Kyoto", "Cairo",
)  # fmt: skip
ORGS = (
    "Google", "Microsoft", "the Red Cross", "UNESCO", "the World Health Organization", "NASA", "Amazon",
    "the European Union", "Siemens", "Toyota", "the United Nations", "Wikipedia", "OpenAI", "Mozilla", "IKEA",
)  # fmt: skip
PRODUCTS = (
    "iPhone 15", "Lego", "PlayStation 5", "Kindle", "Tesla Model 3", "Excel", "Photoshop", "Raspberry Pi",
    "ThinkPad", "Nintendo Switch", "Spotify", "Instant Pot", "Airbnb", "WhatsApp", "Zoom",
)  # fmt: skip
TECH = (
    "GPU", "Training", "Kubernetes", "PostgreSQL", "TensorFlow", "Docker", "Redis", "Transformer", "Gradient",
    "Provide", "Explain", "Parse", "Deploy", "Kafka", "React", "Terraform", "NumPy", "Markdown", "Regex",
)  # fmt: skip
CODE_IDS = (
    "getUserName", "parse_json", "MAX_RETRIES", "UserProfile", "fetchOrders()", "self.session", "HttpClient",
    "load_config", "ORDER_STATUS", "isValidEmail", "customer_id", "AddressBook", "sendMessage", "RateLimiter",
)  # fmt: skip
HISTORY = (
    "July 20, 1969", "1066", "9 November 1989", "June 6, 1944", "1492", "14 July 1789", "the 4th of July 1776",
    "April 15, 1912", "11 September 2001", "1815", "August 1945", "October 1917",
)  # fmt: skip
PARTICLES = (
    "van", "van der", "van den", "de", "de la", "del", "da", "dos", "das", "ter", "ten", "von", "von der", "zu",
    "di", "du", "le", "bin", "binti", "ibn", "al-", "Mac", "O'", "St.", "della", "af", "av",
)  # fmt: skip
TITLES_EN = ("Mr.", "Mrs.", "Ms.", "Dr.", "Prof.", "Mx.")
TITLES_OTHER = (
    "Herr",
    "Frau",
    "Monsieur",
    "Madame",
    "Señor",
    "Señora",
    "Signora",
    "Dott.",
    "Sra.",
    "Sr.",
    "Pan",
    "Pani",
)


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
        f, last_ = _ascii(first).lower(), _ascii(last).lower().replace(" ", "").replace("'", "")
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


def _ascii(text: str) -> str:
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


def _b64url(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def _rand(rng: random.Random, n: int, alphabet: str = string.ascii_letters + string.digits) -> str:
    return "".join(rng.choice(alphabet) for _ in range(n))


def make_jwt(rng: random.Random, name: str) -> str:
    """A JWT; half of them with headers/payloads that do not start with ``eyJ`` (whitespace, key order)."""
    header = rng.choice(
        ['{"alg":"HS256","typ":"JWT"}', '{ "alg": "RS256", "typ": "JWT" }', '{\n  "alg": "ES256"\n}']
    )
    payload = rng.choice(
        [
            json.dumps(
                {
                    "sub": str(rng.randint(1000, 99999)),
                    "name": name,
                    "iat": rng.randint(1600000000, 1800000000),
                }
            ),
            json.dumps({"sub": str(rng.randint(1000, 99999)), "name": name}, indent=2),
            '{ "email_verified": true, "sub": "' + _rand(rng, 12) + '" }',
        ]
    )
    signature = _b64url(bytes(rng.randrange(256) for _ in range(32)))
    return f"{_b64url(header.encode())}.{_b64url(payload.encode())}.{signature}"


def make_jwe(rng: random.Random) -> str:
    header = _b64url(b'{"alg":"RSA-OAEP","enc":"A256GCM"}')
    return ".".join(
        [
            header,
            _rand(rng, 342, string.ascii_letters + string.digits + "-_"),
            _rand(rng, 16, string.ascii_letters + string.digits + "-_"),
            _rand(rng, 120, string.ascii_letters + string.digits + "-_"),
            _rand(rng, 22, string.ascii_letters + string.digits + "-_"),
        ]
    )


def make_private_key(rng: random.Random) -> str:
    kind = rng.choice(["RSA ", "EC ", "OPENSSH ", "", "ENCRYPTED "])
    body = "\n".join(
        _rand(rng, 64, string.ascii_letters + string.digits + "+/") for _ in range(rng.randint(3, 6))
    )
    return f"-----BEGIN {kind}PRIVATE KEY-----\n{body}\n-----END {kind}PRIVATE KEY-----"


def make_token(rng: random.Random) -> tuple[str, str]:
    """(label, token) in the shapes a maintained secret scanner covers."""
    hexd, alnum = "0123456789abcdef", string.ascii_letters + string.digits
    options: list[tuple[str, Callable[[], str]]] = [
        ("AWS access key", lambda: "AKIA" + _rand(rng, 16, string.ascii_uppercase + "234567")),
        ("AWS secret key", lambda: _rand(rng, 40, alnum + "+/")),
        ("GitHub token", lambda: rng.choice(["ghp_", "gho_", "ghs_", "ghu_"]) + _rand(rng, 36)),
        ("GitHub fine-grained token", lambda: "github_pat_" + _rand(rng, 22) + "_" + _rand(rng, 59)),
        ("GitLab token", lambda: "glpat-" + _rand(rng, 20, alnum + "-_")),
        (
            "Slack bot token",
            lambda: f"xoxb-{rng.randint(10**10, 10**11)}-{rng.randint(10**12, 10**13)}-{_rand(rng, 24)}",
        ),
        ("Stripe key", lambda: rng.choice(["sk_live_", "rk_live_"]) + _rand(rng, 24)),
        ("Google API key", lambda: "AIza" + _rand(rng, 35, alnum + "-_")),
        ("SendGrid key", lambda: "SG." + _rand(rng, 22, alnum + "-_") + "." + _rand(rng, 43, alnum + "-_")),
        ("Twilio key", lambda: "SK" + _rand(rng, 32, hexd)),
        ("npm token", lambda: "npm_" + _rand(rng, 36)),
        ("PyPI token", lambda: "pypi-AgEIcHlwaS5vcmc" + _rand(rng, 60, alnum + "-_")),
        ("OpenAI key", lambda: "sk-proj-" + _rand(rng, 48, alnum + "-_")),
        ("Anthropic key", lambda: "sk-ant-api03-" + _rand(rng, 93, alnum + "-_") + "AA"),
        ("Hugging Face token", lambda: "hf_" + _rand(rng, 34)),
        ("Shopify token", lambda: "shpat_" + _rand(rng, 32, hexd)),
        ("DigitalOcean token", lambda: "dop_v1_" + _rand(rng, 64, hexd)),
        ("Databricks token", lambda: "dapi" + _rand(rng, 32, hexd)),
        ("Vault token", lambda: "hvs." + _rand(rng, 90, alnum + "_-")),
        ("Postman key", lambda: "PMAK-" + _rand(rng, 24, hexd) + "-" + _rand(rng, 34, hexd)),
        ("Grafana token", lambda: "glsa_" + _rand(rng, 32) + "_" + _rand(rng, 8, hexd)),
        ("New Relic key", lambda: "NRAK-" + _rand(rng, 27, string.ascii_uppercase + string.digits)),
        ("age key", lambda: "AGE-SECRET-KEY-1" + _rand(rng, 58, string.ascii_uppercase + string.digits)),
        ("Mailchimp key", lambda: _rand(rng, 32, hexd) + "-us" + str(rng.randint(1, 20))),
        ("Square token", lambda: "sq0atp-" + _rand(rng, 22, alnum + "-_")),
        ("Linear key", lambda: "lin_api_" + _rand(rng, 40)),
        (
            "Discord bot token",
            lambda: (
                _rand(rng, 24, alnum) + "." + _rand(rng, 6, alnum + "-_") + "." + _rand(rng, 27, alnum + "-_")
            ),
        ),
        ("Heroku API key", lambda: "-".join(_rand(rng, n, hexd) for n in (8, 4, 4, 4, 12))),
        ("Azure storage key", lambda: _rand(rng, 86, alnum + "+/") + "=="),
        ("Telegram bot token", lambda: f"{rng.randint(10**8, 10**10)}:AA{_rand(rng, 33, alnum + '-_')}"),
        ("Alibaba key", lambda: "LTAI" + _rand(rng, 20)),
        ("Doppler token", lambda: "dp.pt." + _rand(rng, 43)),
    ]
    label, make = rng.choice(options)
    return label, make()


# -- templates ---------------------------------------------------------------------------------------------
# Each takes (builder, values, rng) and writes one text.


def t_signature(b: Builder, v: Values, rng: random.Random) -> None:
    first, last = v.first(), v.last()
    b.add(
        rng.choice(
            [
                "Can you make this e-mail sound friendlier?\n\n",
                "Please shorten my reply:\n\n",
                "Translate this into English:\n\n",
            ]
        )
    )
    b.add("Hi team,\n\nthe report for ").keep_("COUNTRY", rng.choice(COUNTRIES)).add(" is attached; the ")
    b.keep_("TECH", rng.choice(TECH)).add(" numbers are final.\n\n")
    b.add(
        rng.choice(
            [
                "Best regards,\n",
                "Kind regards,\n",
                "Mit freundlichen Grüßen\n",
                "Cordialement,\n",
                "Saludos,\n",
                "Cheers,\n",
            ]
        )
    )
    b.pii("PERSON", f"{first} {last}").add("\n")
    b.add(f"{v.job()} | {v.company()}\n")
    b.add(rng.choice(["Tel: ", "Phone: ", "T ", "Tel. ", "Office: "])).pii("PHONE_NUMBER", v.phone()).add(
        "\n"
    )
    if rng.random() < 0.5:
        b.add(rng.choice(["Mobile: ", "M: ", "Cell: ", "Handy: "])).pii("PHONE_NUMBER", v.phone()).add("\n")
    b.pii("EMAIL_ADDRESS", v.email_for(first, last)).add("\n")
    b.pii("STREET_ADDRESS", v.full_address())


def t_form(b: Builder, v: Values, rng: random.Random) -> None:
    first, last = v.first(), rng.choice([v.last(), v.particle_last(), v.double_last()])
    b.add(
        rng.choice(
            [
                "Check this form for mistakes:\n",
                "Is everything filled in correctly?\n",
                "Convert this to JSON:\n",
            ]
        )
    )
    fields: list[tuple[str, str, str | None]] = [
        ("First name", first, "PERSON"),
        ("Last name", last, "PERSON"),
        ("Date of birth", v.birthdate(), "DATE_OF_BIRTH"),
        ("Street", v.street(), "STREET_ADDRESS"),
        ("Postcode", v.postcode(), "STREET_ADDRESS"),
        ("City", v.city(), "STREET_ADDRESS"),
        ("Country", rng.choice(COUNTRIES), "keep"),
        ("Phone", v.phone(), "PHONE_NUMBER"),
        ("E-mail", v.email_for(first, last), "EMAIL_ADDRESS"),
    ]
    if rng.random() < 0.5:
        fields.append(("IBAN", v.iban(), "IBAN_CODE"))
    if rng.random() < 0.3:
        fields.append(("Card number", v.card(), "CREDIT_CARD"))
    sep = rng.choice([": ", ":\t", " = ", ": "])
    for label, value, kind in fields:
        b.add(label + sep)
        if kind == "keep":
            b.keep_("COUNTRY", value)
        elif kind:
            b.pii(kind, value)
        b.add("\n")


def t_csv(b: Builder, v: Values, rng: random.Random) -> None:
    b.add(
        rng.choice(["Why does pandas read this CSV wrong?\n", "Dedupe these rows:\n", "Sort by last name:\n"])
    )
    delim = rng.choice([",", ";", "\t", "|"])
    b.add(delim.join(["id", "first_name", "last_name", "email", "phone", "city"]) + "\n")
    for index in range(rng.randint(2, 4)):
        first, last = v.first(), v.last()
        b.add(f"{index + 1}{delim}").pii("PERSON", first).add(delim).pii("PERSON", last).add(delim)
        b.pii("EMAIL_ADDRESS", v.email_for(first, last)).add(delim).pii("PHONE_NUMBER", v.phone()).add(delim)
        b.pii("LOCATION", v.city()).add("\n")
    b.add("df = pd.read_csv('customers.csv', sep=" + repr(delim) + ")  # ").keep_(
        "CODE", rng.choice(CODE_IDS)
    )


def t_json(b: Builder, v: Values, rng: random.Random) -> None:
    b.add(
        rng.choice(
            [
                "Validate this JSON against the schema:\n",
                "Why does json.loads fail here?\n",
                "Write a TypeScript type for:\n",
            ]
        )
    )
    first, last = v.first(), v.last()
    b.add('{\n  "customer": {\n    "name": "').pii("PERSON", f"{first} {last}").add('",\n')
    b.add('    "email": "').pii("EMAIL_ADDRESS", v.email_for(first, last)).add('",\n')
    b.add('    "phone": "').pii("PHONE_NUMBER", v.phone()).add('",\n')
    b.add('    "address": {"street": "').pii("STREET_ADDRESS", v.street()).add('", "zip": "')
    b.pii("STREET_ADDRESS", v.postcode()).add('", "city": "').pii("STREET_ADDRESS", v.city()).add('"},\n')
    if rng.random() < 0.5:
        b.add('    "payment": {"iban": "').pii("IBAN_CODE", v.iban()).add('"},\n')
    else:
        b.add('    "card": "').pii("CREDIT_CARD", v.card()).add('",\n')
    b.add('    "plan": "').keep_("PRODUCT", rng.choice(PRODUCTS)).add('",\n    "last_login_ip": "')
    b.pii("IP_ADDRESS", v.ipv4()).add('"\n  }\n}')


def t_log(b: Builder, v: Values, rng: random.Random) -> None:
    b.add(
        rng.choice(
            ["What does this log say went wrong?\n", "Explain these errors:\n", "Summarise this log:\n"]
        )
    )
    first, last = v.first(), v.last()
    email = v.email_for(first, last)
    for _ in range(rng.randint(2, 4)):
        hh, mm, ss = rng.randint(0, 23), rng.randint(0, 59), rng.randint(0, 59)
        stamp = f"2024-0{rng.randint(1, 9)}-1{rng.randint(0, 9)}T{hh:02d}:{mm:02d}:{ss:02d}Z"
        kind = rng.random()
        b.add(f"{stamp} {rng.choice(['INFO', 'WARN', 'ERROR'])} ")
        if kind < 0.3:
            b.add("auth: login failed for user=").pii("EMAIL_ADDRESS", email).add(" from ")
            b.pii("IP_ADDRESS", rng.choice([v.ipv4(), v.ipv6()])).add("\n")
        elif kind < 0.55:
            b.add("GET /api/v1/orders?access_token=").pii(
                "SECRET", _rand(rng, 32, string.ascii_letters + string.digits)
            )
            b.add(" 401 client=").pii("IP_ADDRESS", v.ipv4()).add("\n")
        elif kind < 0.8:
            b.add("mailer: sent receipt to ").pii("PERSON", f"{first} {last}").add(" <").pii(
                "EMAIL_ADDRESS", email
            )
            b.add(">\n")
        else:
            b.add("sms: delivery failed to ").pii("PHONE_NUMBER", v.phone()).add(": carrier timeout\n")
    b.add(f"{rng.choice(['pod', 'worker'])}-{rng.randint(1, 9)} restarted by ").keep_("TECH", "Kubernetes")


def t_config(b: Builder, v: Values, rng: random.Random) -> None:
    b.add(
        rng.choice(
            [
                "My app can't connect, here is the config:\n",
                "Convert this .env to YAML:\n",
                "Why is docker compose failing?\n",
            ]
        )
    )
    style = rng.choice(["env", "yaml", "ini", "compose"])
    db_pw = _rand(rng, rng.randint(10, 18), string.ascii_letters + string.digits + "!#%")
    label, token = make_token(rng)
    user = v.username()
    host = rng.choice(["db.internal", "10.0.3.12", "postgres", "mysql.prod.local"])
    if style == "env":
        b.add("DATABASE_URL=").pii("SECRET", f"postgres://{user}:{db_pw}@{host}:5432/app").add("\n")
        b.add(f"{label.upper().replace(' ', '_').replace('-', '_')}=").pii("SECRET", token).add("\n")
        b.add("DEBUG=false\nADMIN_EMAIL=").pii("EMAIL_ADDRESS", v.email_for(v.first(), v.last())).add("\n")
    elif style == "yaml":
        b.add("database:\n  host: db.internal\n  user: app\n  password: ").pii("SECRET", db_pw).add("\n")
        b.add("auth:\n  jwt: ").pii("SECRET", make_jwt(rng, f"{v.first()} {v.last()}")).add("\n")
        b.add(f'  {label.lower().replace(" ", "_")}: "').pii("SECRET", token).add('"\n')
    elif style == "ini":
        b.add("[smtp]\nserver = smtp.mailgun.org\nusername = ").pii(
            "EMAIL_ADDRESS", v.email_for(v.first(), v.last())
        )
        b.add("\npassword = ").pii("SECRET", db_pw).add("\n\n[api]\nsecret_key = ").pii("SECRET", token).add(
            "\n"
        )
    else:
        b.add("services:\n  web:\n    environment:\n      - POSTGRES_PASSWORD=").pii("SECRET", db_pw).add(
            "\n"
        )
        b.add("      - API_TOKEN=").pii("SECRET", token).add("\n")
        b.add("      - CALLBACK_URL=https://hooks.acme.dev/notify?token=").pii("SECRET", _rand(rng, 40)).add(
            "\n"
        )
    if rng.random() < 0.3:
        b.add("\nand the deploy key:\n").pii("SECRET", make_private_key(rng))
    if rng.random() < 0.25:
        b.add("\nthe token from the login response: ").pii("SECRET", make_jwe(rng))


def t_multiturn(b: Builder, v: Values, rng: random.Random) -> None:
    first, last = rng.choice(
        [(v.first(), v.last()), (v.hyphen_first(), v.last()), (v.first(), v.particle_last())]
    )
    title = v.title()
    surname_only = last.split()[-1] if last.split()[0].islower() and rng.random() < 0.3 else last
    b.add("Here is my chat with support, can you tell me if they answered my question?\n\n")
    b.add("User: Hello, my name is ").pii("PERSON", f"{first} {last}").add(" and my order never arrived.\n")
    b.add("Agent: Sorry to hear that, ").pii("PERSON", first).add(". Can you confirm the delivery address?\n")
    b.add("User: It's ").pii("STREET_ADDRESS", v.full_address()).add(".\n")
    b.add("Agent: Thank you, ").pii("PERSON", f"{title} {surname_only}").add(
        ". And a phone number for the courier?\n"
    )
    b.add("User: ").pii("PHONE_NUMBER", v.phone()).add(rng.choice([".", "!", " - thanks.", ";", ")"])).add(
        "\n"
    )
    b.add("Agent: Noted. Your refund will go to the card ending in 4421.\n")
    b.add("User: Thanks! By the way, is the ").keep_("PRODUCT", rng.choice(PRODUCTS)).add(" back in stock?")


def t_particles(b: Builder, v: Values, rng: random.Random) -> None:
    first = rng.choice([v.first(), v.hyphen_first()])
    last = rng.choice([v.particle_last(), v.double_last(), v.last()])
    b.add(rng.choice(["Write a thank-you note to ", "Draft a reminder for ", "Help me reply to "]))
    b.pii("PERSON", f"{first} {last}").add(rng.choice([", who", " - she", " (he", ": they"]))
    b.add(" helped me move last week.")
    b.add(rng.choice([" Start with 'Dear ", " Open with 'Hello "])).pii("PERSON", first).add("'")
    b.add(rng.choice([" and mention ", " and thank "])).pii("PERSON", f"{v.first()} {v.particle_last()}")
    b.add(rng.choice([" too.", " as well!", ", her partner."]))


def t_partial(b: Builder, v: Values, rng: random.Random) -> None:
    first, last = v.first(), v.last()
    title = v.title()
    b.add("My manager ").pii("PERSON", f"{first} {last}").add(" keeps scheduling meetings at 7am. ")
    b.add(rng.choice(["Yesterday ", "Today ", "Again "])).pii("PERSON", first).add(" told me that ")
    b.pii("PERSON", f"{title} {last}").add(" from HR agreed. How do I tell ")
    b.pii("PERSON", last if rng.random() < 0.5 else first).add(" politely that it does not work for me?")
    if rng.random() < 0.5:
        b.add(" I read that ").keep_("PUBLIC_FIGURE", rng.choice(PUBLIC_FIGURES)).add(
            " also hated early meetings."
        )


def t_phone_formats(b: Builder, v: Values, rng: random.Random) -> None:
    lead = rng.choice(
        [
            "Call me back on ",
            "My new number is ",
            "You can reach my mum at ",
            "Text ",
            "Whatsapp: ",
            "Fax it to ",
        ]
    )
    b.add(lead).pii("PHONE_NUMBER", v.phone())
    b.add(
        rng.choice([": I'm usually in after six.", ", thanks!", ". Ask for ", "; or e-mail ", " (mobile)."])
    )
    if b.parts[-1].startswith(". Ask"):
        b.pii("PERSON", v.first()).add(".")
    elif b.parts[-1].startswith("; or"):
        first, last = v.first(), v.last()
        b.pii("EMAIL_ADDRESS", v.email_for(first, last)).add(".")


def t_address_prose(b: Builder, v: Values, rng: random.Random) -> None:
    b.add(
        rng.choice(
            [
                "Please send the parcel to ",
                "We moved! The new address is ",
                "Deliver to ",
                "Invoice address: ",
            ]
        )
    )
    b.pii("STREET_ADDRESS", v.full_address()).add(rng.choice([".", " - thanks!", ";", ". Ring twice.", ""]))
    if rng.random() < 0.5:
        b.add(" It's the flat above the ").keep_(
            "ORG", rng.choice(["IKEA", "Starbucks", "Deutsche Bank", "Carrefour"])
        )
        b.add(" branch.")


def t_moving(b: Builder, v: Values, rng: random.Random) -> None:
    b.add(rng.choice(["I'm moving from ", "We are relocating from ", "My sister moved from "]))
    b.pii("LOCATION", v.city()).add(" to ").pii("LOCATION", v.city())
    b.add(rng.choice([" in ", " next month, in ", " this summer ("])).keep_("STATE", rng.choice(STATES))
    b.add(rng.choice(["", ")"]) + ". What paperwork do I need? Is it like ")
    b.keep_("CITY", rng.choice(GENERIC_CITIES)).add(" where you register within two weeks?")


def t_money(b: Builder, v: Values, rng: random.Random) -> None:
    first, last = v.first(), v.last()
    b.add("The bank rejected my transfer to ").pii("PERSON", f"{first} {last}").add(", IBAN ")
    b.pii("IBAN_CODE", v.iban()).add(rng.choice([". Why?", "; what's wrong with it?", " - is it valid?"]))
    if rng.random() < 0.5:
        b.add(" I paid with card ").pii("CREDIT_CARD", v.card()).add(rng.choice([".", ",", " (visa)."]))
    if rng.random() < 0.3:
        b.add(" My SSN is ").pii("US_SSN", v.ssn()).add(" if that matters.")


def t_birth(b: Builder, v: Values, rng: random.Random) -> None:
    first, last = v.first(), v.last()
    b.add("Fill in the insurance letter for ").pii("PERSON", f"{first} {last}").add(", born ")
    b.pii("DATE_OF_BIRTH", v.birthdate()).add(", policy holder since ").keep_(
        "HISTORY", str(rng.randint(1995, 2020))
    )
    b.add(". Her home is ").pii("STREET_ADDRESS", v.full_address()).add(".")


def t_network(b: Builder, v: Values, rng: random.Random) -> None:
    b.add("My home server at ").pii("IP_ADDRESS", v.ipv4()).add(" can't reach ").pii("IP_ADDRESS", v.ipv6())
    b.add(rng.choice([". ", ", ", "; "])).add("Using ").keep_(
        "TECH", rng.choice(["Docker", "Kubernetes", "Redis", "PostgreSQL"])
    )
    b.add(" on a ").keep_("PRODUCT", "Raspberry Pi").add(". SSH as ").pii("URL", f"/home/{v.username()}").add(
        "/.ssh/id_ed25519 fails."
    )


def t_urls(b: Builder, v: Values, rng: random.Random) -> None:
    first, last = v.first(), v.last()
    slug = f"{_ascii(first).lower()}-{_ascii(last).lower().replace(' ', '-')}"
    b.add("Improve my profile summary: ").pii(
        "URL", f"https://www.linkedin.com/in/{slug}-{rng.randint(10, 999)}"
    )
    b.add(". The reset link they sent was ").add("https://app.acme.io/reset?token=").pii(
        "SECRET", _rand(rng, 40)
    )
    b.add(" and it expired. My login is ").pii("EMAIL_ADDRESS", v.email_for(first, last)).add(".")


def t_secrets_chat(b: Builder, v: Values, rng: random.Random) -> None:
    label, token = make_token(rng)
    b.add(
        rng.choice(
            [
                f"I accidentally pushed my {label}: ",
                f"Is this {label} still valid? ",
                f"Rotate this {label} for me: ",
            ]
        )
    )
    b.pii("SECRET", token).add(rng.choice(["", ".", " - help!", "?"]))
    if rng.random() < 0.5:
        b.add(" Also this JWT: ").pii("SECRET", make_jwt(rng, f"{v.first()} {v.last()}"))


def t_hyphen_greeting(b: Builder, v: Values, rng: random.Random) -> None:
    first, last = v.hyphen_first(), rng.choice([v.last(), v.double_last()])
    b.add(rng.choice(["Dear ", "Hello ", "Hi "])).pii("PERSON", f"{first} {last}").add(",\n\n")
    b.add("thank you for your order of the ").keep_("PRODUCT", rng.choice(PRODUCTS)).add(". ")
    b.add("It ships from our warehouse in ").keep_("COUNTRY", rng.choice(COUNTRIES)).add(" tomorrow.\n\n")
    b.add("Regards,\n").pii("PERSON", f"{v.first()} {v.last()}")
    b.add("\nMake this sound less robotic.")


# -- confusers (no private value) ----------------------------------------------------------------------------


def t_public(b: Builder, v: Values, rng: random.Random) -> None:
    figure, other = rng.sample(PUBLIC_FIGURES, 2)
    b.add(rng.choice(["Compare the leadership styles of ", "Write a short essay on ", "Who influenced "]))
    b.keep_("PUBLIC_FIGURE", figure).add(" and ").keep_("PUBLIC_FIGURE", other).add("?")
    b.add(" Focus on ").keep_("COUNTRY", rng.choice(COUNTRIES)).add(" and what happened in ")
    b.keep_("HISTORY", rng.choice(HISTORY)).add(".")


def t_places(b: Builder, v: Values, rng: random.Random) -> None:
    city, city2 = rng.sample(GENERIC_CITIES, 2)
    b.add("Plan a week in ").keep_("COUNTRY", rng.choice(COUNTRIES)).add(": is ").keep_("CITY", city)
    b.add(" or ").keep_("CITY", city2).add(" better in spring? We also like ").keep_(
        "STATE", rng.choice(STATES)
    )
    b.add(". ").keep_("ORG", rng.choice(ORGS)).add(" says the museums are free on Sundays.")


def t_code(b: Builder, v: Values, rng: random.Random) -> None:
    ident, ident2 = rng.sample(CODE_IDS, 2)
    b.add("Why does ").keep_("CODE", ident).add(" return None here?\n```python\n")
    b.add("def handler(event):\n    # Parse the JSON data\n    data = json.loads(event['body'])\n")
    b.add("    user = ").keep_("CODE", ident2).add("\n    return user\n```\nI run it on a ")
    b.keep_("TECH", rng.choice(TECH)).add(" node with ").keep_("PRODUCT", "Excel").add(" exports as input.")


def t_tech(b: Builder, v: Values, rng: random.Random) -> None:
    tech = rng.sample(TECH, 3)
    b.keep_("TECH", tech[0]).add(rng.choice([" the difference between ", " me how ", ": "])).keep_(
        "TECH", tech[1]
    )
    b.add(" and ").keep_("TECH", tech[2]).add(" work, with an example from ").keep_(
        "ORG", rng.choice(ORGS)
    ).add(".")


TEMPLATES: dict[str, tuple[Callable[[Builder, Values, random.Random], None], int]] = {
    "signature": (t_signature, 50),
    "form": (t_form, 45),
    "csv": (t_csv, 30),
    "json": (t_json, 30),
    "log": (t_log, 30),
    "config": (t_config, 45),
    "multiturn": (t_multiturn, 40),
    "particles": (t_particles, 40),
    "partial_names": (t_partial, 35),
    "phone_formats": (t_phone_formats, 45),
    "address_prose": (t_address_prose, 45),
    "moving": (t_moving, 25),
    "money": (t_money, 35),
    "birth": (t_birth, 20),
    "network": (t_network, 20),
    "urls": (t_urls, 20),
    "secrets_chat": (t_secrets_chat, 40),
    "hyphen_greeting": (t_hyphen_greeting, 25),
    "confuser_public": (t_public, 35),
    "confuser_places": (t_places, 30),
    "confuser_code": (t_code, 30),
    "confuser_tech": (t_tech, 25),
}


def build(seed: int) -> list[dict[str, Any]]:
    rng = random.Random(seed)
    records = []
    for shape, (template, count) in TEMPLATES.items():
        for index in range(count):
            locale = rng.choice(LOCALES)
            builder = Builder()
            template(builder, Values(rng, locale), rng)
            text = builder.text()
            for span in builder.spans:
                assert text[span["start"] : span["end"]].strip(), (shape, span)
            records.append(
                {
                    "id": f"{shape}-{index:03d}",
                    "shape": shape,
                    "locale": locale,
                    "text": text,
                    "spans": builder.spans,
                    "keep": builder.keep,
                }
            )
    return records


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seed", type=int, default=20261206)
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args(argv)
    records = build(args.seed)
    with args.out.open("w", encoding="utf-8") as handle:
        for record in records:
            handle.write(json.dumps(record, ensure_ascii=False) + "\n")
    spans = sum(len(r["spans"]) for r in records)
    keep = sum(len(r["keep"]) for r in records)
    print(json.dumps({"texts": len(records), "spans": spans, "keep": keep, "out": str(args.out)}))


if __name__ == "__main__":
    main()
