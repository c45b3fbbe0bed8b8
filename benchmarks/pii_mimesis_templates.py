"""The templates of evaluation set 2: each takes (builder, values, rng) and writes one text with its labels."""

from __future__ import annotations

import random
import string

from benchmarks.pii_mimesis_secrets import make_jwe, make_jwt, make_private_key, make_token, random_chars
from benchmarks.pii_mimesis_values import Builder, Values, ascii_only
from benchmarks.pii_mimesis_vocab import (
    CODE_IDS,
    COUNTRIES,
    GENERIC_CITIES,
    HISTORY,
    ORGS,
    PRODUCTS,
    PUBLIC_FIGURES,
    STATES,
    TECH,
)

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
                "SECRET", random_chars(rng, 32, string.ascii_letters + string.digits)
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
    db_pw = random_chars(rng, rng.randint(10, 18), string.ascii_letters + string.digits + "!#%")
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
        b.add("      - CALLBACK_URL=https://hooks.acme.dev/notify?token=").pii(
            "SECRET", random_chars(rng, 40)
        ).add("\n")
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
    slug = f"{ascii_only(first).lower()}-{ascii_only(last).lower().replace(' ', '-')}"
    b.add("Improve my profile summary: ").pii(
        "URL", f"https://www.linkedin.com/in/{slug}-{rng.randint(10, 999)}"
    )
    b.add(". The reset link they sent was ").add("https://app.acme.io/reset?token=").pii(
        "SECRET", random_chars(rng, 40)
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
