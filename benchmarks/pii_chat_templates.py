"""The shapes of evaluation set 3 (chat): how people write to an assistant about their own lives, and ordinary
replies that name public figures, places and products. Each template writes one labelled text into a ``Builder``.

Labels follow docs/privacy.md: a private person's name (full, first alone, surname with a title) is ``PERSON``; a
street address with its postcode and city is one ``STREET_ADDRESS``; a city where a private person lives, comes
from, moves or travels to is ``LOCATION``; public figures, countries, cities named generically, organisations and
products are ``keep`` spans.
"""

from __future__ import annotations

import random

from benchmarks.pii_chat_values import Values
from benchmarks.pii_mimesis_values import Builder

PUBLIC = (
    "Ruth Bader Ginsburg", "Yuri Gagarin", "Chimamanda Ngozi Adichie", "Haruki Murakami", "Katherine Johnson",
    "David Attenborough", "Zaha Hadid", "Gustav Mahler", "Rafael Nadal", "Simone Biles", "Toni Morrison",
    "Akira Kurosawa", "Wangari Maathai", "Dmitri Mendeleev", "Jane Goodall", "Bob Marley", "Ernest Hemingway",
    "Lin-Manuel Miranda", "Hedy Lamarr", "Enzo Ferrari", "Astrid Lindgren", "Fernando Pessoa", "Kofi Annan",
    "Tim Berners-Lee", "Grace Hopper", "Pelé", "Maria Montessori", "Claude Monet", "Gregor Mendel", "Dolly Parton",
)  # fmt: skip
PUBLIC_WORK = {
    "Ruth Bader Ginsburg": "dissents", "Yuri Gagarin": "flight", "Chimamanda Ngozi Adichie": "novels",
    "Haruki Murakami": "novels", "Katherine Johnson": "orbital calculations", "David Attenborough": "documentaries",
    "Zaha Hadid": "buildings", "Gustav Mahler": "symphonies", "Rafael Nadal": "clay-court record",
    "Simone Biles": "vault routines", "Toni Morrison": "novels", "Akira Kurosawa": "films",
    "Wangari Maathai": "tree-planting movement", "Dmitri Mendeleev": "periodic table", "Jane Goodall": "chimpanzee research",
    "Bob Marley": "albums", "Ernest Hemingway": "short stories", "Lin-Manuel Miranda": "musicals",
    "Hedy Lamarr": "frequency-hopping patent", "Enzo Ferrari": "racing team", "Astrid Lindgren": "children's books",
    "Fernando Pessoa": "heteronyms", "Kofi Annan": "time at the UN", "Tim Berners-Lee": "first web browser",
    "Grace Hopper": "compiler work", "Pelé": "World Cups", "Maria Montessori": "teaching method",
    "Claude Monet": "water lilies", "Gregor Mendel": "pea experiments", "Dolly Parton": "songwriting",
}  # fmt: skip
PLACES = (
    "Lisbon",
    "Kyoto",
    "Marrakesh",
    "Reykjavík",
    "Cape Town",
    "Vancouver",
    "Seville",
    "Tallinn",
    "Hanoi",
    "Oaxaca",
)
COUNTRIES = (
    "Portugal",
    "Japan",
    "Morocco",
    "Iceland",
    "Vietnam",
    "Mexico",
    "Estonia",
    "Canada",
    "Chile",
    "Norway",
)
PRODUCTS = ("AirPods Pro", "Kindle Paperwhite", "Notion", "Obsidian", "Garmin Forerunner", "Dyson V15", "Canva",
            "Steam Deck", "Figma", "Duolingo", "Thermomix", "Roomba", "Slack", "Xbox Series S")  # fmt: skip
ORGS = (
    "the Red Cross",
    "UNESCO",
    "Greenpeace",
    "the BBC",
    "NASA",
    "Médecins Sans Frontières",
    "IKEA",
    "Lufthansa",
)
TEAMS = (
    "accounts",
    "the design team",
    "legal",
    "IT support",
    "the warehouse",
    "HR",
    "the Leeds office",
    "sales",
)
RELATIONS = ("landlord", "neighbour", "sister-in-law", "flatmate", "manager", "physio", "son's teacher", "babysitter",
             "cousin", "ex", "accountant", "colleague", "dentist", "wife", "boyfriend", "client")  # fmt: skip


def t_one_liner(b: Builder, v: Values, r: random.Random) -> None:
    """Everyday one-liners about a private person, with no title or relation word in front of the name."""
    name = v.full() if r.random() < 0.6 else v.first()
    pattern = r.randrange(8)
    if pattern == 0:
        b.pii("PERSON", name).add(
            f" from {r.choice(TEAMS)} will join the call at {r.randint(1, 5)}, can you add her to the invite?"
        )
    elif pattern == 1:
        b.add("how do I tell ").pii("PERSON", name).add(
            " that I can't cover his shift on Saturday without sounding rude"
        )
    elif pattern == 2:
        b.pii("PERSON", name).add(
            " keeps parking in front of our garage. write a polite note i can leave on the car"
        )
    elif pattern == 3:
        b.add("Summarise this for ").pii("PERSON", name).add(
            f": the {r.choice(['boiler', 'roof', 'fence'])} repair is booked for Tuesday and costs £{r.randint(80, 400)}."
        )
    elif pattern == 4:
        b.add("Is it weird that ").pii("PERSON", name).add(" hasn't replied to my message for three days?")
    elif pattern == 5:
        b.add("Write a birthday card message for ").pii("PERSON", name).add(
            ", she's turning 40 and loves gardening"
        )
    elif pattern == 6:
        b.add("Can you help me reply to ").pii("PERSON", name).add(
            "? She asked whether the kids can stay over on Friday."
        )
    else:
        b.pii("PERSON", name).add(
            " and I split the rent 60/40, how much do I owe if the rent went up to 1450 a month?"
        )


def t_relation(b: Builder, v: Values, r: random.Random) -> None:
    """A person named after who they are to the writer."""
    name, relation = v.full() if r.random() < 0.5 else v.first(), r.choice(RELATIONS)
    pattern = r.randrange(4)
    if pattern == 0:
        b.add(f"My {relation} ").pii("PERSON", name).add(
            " wants the deposit back by the end of the month. What are my options?"
        )
    elif pattern == 1:
        b.add(f"draft an apology to my {relation}, ").pii("PERSON", name).add(", for missing the appointment")
    elif pattern == 2:
        b.add("I'm worried about ").pii("PERSON", name).add(
            f", my {relation}. He's been really down since the move."
        )
    else:
        b.add(f"Our {relation} ").pii("PERSON", name).add(
            " said we can pay in two instalments - how do I confirm that in writing?"
        )


def t_group_chat(b: Builder, v: Values, r: random.Random) -> None:
    """A pasted group-chat export: dated lines, speakers by name, an address or phone number inside."""
    people = [v.full() for _ in range(r.randint(2, 3))]
    b.add(
        r.choice(
            ["Can you summarise this chat?\n\n", "who agreed to bring what?\n", "Translate to English:\n"]
        )
    )
    day = r.randint(1, 28)
    lines = [
        ("ok who's driving on Saturday", None),
        ("I can take 3 people, pick up from mine: ", "STREET_ADDRESS"),
        ("call me if you get lost ", "PHONE_NUMBER"),
        ("I'll bring the salad and the speaker", None),
        ("great, see you all there", None),
    ]
    for index, (line, kind) in enumerate(lines):
        speaker = people[index % len(people)]
        b.add(f"[{day:02d}/0{r.randint(1, 9)}/2026, {r.randint(8, 22)}:{r.randint(10, 59)}] ").pii(
            "PERSON", speaker
        ).add(": " + line)
        if kind == "STREET_ADDRESS":
            b.pii(kind, v.address())
        elif kind == "PHONE_NUMBER":
            b.pii(kind, v.phone())
        b.add("\n")


def t_delivery(b: Builder, v: Values, r: random.Random) -> None:
    """An address and a phone number given in a chat message, one line or a few."""
    pattern = r.randrange(4)
    if pattern == 0:
        b.add("can you write to the courier that the parcel should go to ").pii(
            "STREET_ADDRESS", v.address()
        ).add(" and not my old place, my number is ").pii("PHONE_NUMBER", v.phone())
    elif pattern == 1:
        b.add("Fix the grammar: The new adress is ").pii("STREET_ADDRESS", v.address()).add(
            ", ring twice because the bell is broken."
        )
    elif pattern == 2:
        name = v.full()
        b.add("Format this as a shipping label:\n").pii("PERSON", name).add("\n").pii(
            "STREET_ADDRESS", v.address("\n")
        ).add("\ntel ").pii("PHONE_NUMBER", v.phone())
    else:
        b.add("We moved! From next week we're at ").pii("STREET_ADDRESS", v.address()).add(
            ". Write a short message for the family group."
        )


def t_phone_shapes(b: Builder, v: Values, r: random.Random) -> None:
    """Phone numbers in the shapes people type: spaced, dotted, slashed, with (0), extensions, after a word."""
    phone = v.phone()
    pattern = r.randrange(5)
    if pattern == 0:
        b.add("text me on ").pii("PHONE_NUMBER", phone).add(" when you land")
    elif pattern == 1:
        b.add("Her mobile is ").pii("PHONE_NUMBER", phone).add(r.choice([".", ";", " (after 6pm)", "!", ""]))
    elif pattern == 2:
        b.add("Rewrite politely: if the plumber doesn't come tomorrow call ").pii("PHONE_NUMBER", phone).add(
            " and complain"
        )
    elif pattern == 3:
        b.add("is ").pii("PHONE_NUMBER", phone).add(" a mobile or a landline?")
    else:
        name = v.first()
        b.add("Save this contact for me: ").pii("PERSON", name).add(" – ").pii("PHONE_NUMBER", phone)


def t_booking(b: Builder, v: Values, r: random.Random) -> None:
    """Reservations and appointments under a name."""
    name = v.full()
    pattern = r.randrange(3)
    if pattern == 0:
        b.add(f"Write an email to the restaurant: table for {r.randint(2, 8)} on Friday at 8, under ").pii(
            "PERSON", name
        ).add(", phone ").pii("PHONE_NUMBER", v.phone())
    elif pattern == 1:
        b.add("The booking is in the name of ").pii("PERSON", name).add(
            " but I want to change the date, what should I say?"
        )
    else:
        b.add("Reminder for the vet: Biscuit's appointment, owner ").pii("PERSON", name).add(
            ", contact "
        ).pii("EMAIL_ADDRESS", v.email(*name.split(" ", 1)))


def t_places(b: Builder, v: Values, r: random.Random) -> None:
    """Where a private person lives, comes from, moves or travels: a fine-grained place tied to them."""
    a, c = v.city(), v.city()
    while c == a:
        c = v.city()
    pattern = r.randrange(4)
    if pattern == 0:
        b.add("I grew up in ").pii("LOCATION", a).add(" but moved to ").pii("LOCATION", c).add(
            " for work, how do I make friends at 35?"
        )
    elif pattern == 1:
        b.add("my mum lives in ").pii("LOCATION", a).add(
            ", what's a good day trip from there with a wheelchair?"
        )
    elif pattern == 2:
        b.add("We're driving from ").pii("LOCATION", a).add(" to ").pii("LOCATION", c).add(
            " tomorrow with two kids. Any tips for the drive?"
        )
    else:
        name = v.first()
        b.pii("PERSON", name).add(" is flying back to ").pii("LOCATION", a).add(
            " on Sunday, write a goodbye note from the team"
        )


def t_ids(b: Builder, v: Values, r: random.Random) -> None:
    """Account and identity numbers pasted into a chat."""
    pattern = r.randrange(4)
    if pattern == 0:
        b.add("Is this IBAN valid? ").pii("IBAN_CODE", v.iban())
    elif pattern == 1:
        b.add("I accidentally posted my card number ").pii("CREDIT_CARD", v.card()).add(
            " in a group chat, what do I do?"
        )
    elif pattern == 2:
        b.add("fill in the form for me: name ").pii("PERSON", v.full()).add(", SSN ").pii(
            "US_SSN", v.ssn()
        ).add(", DOB ").pii("DATE_OF_BIRTH", v.birthdate())
    else:
        name = v.full()
        b.add("Send the refund to ").pii("PERSON", name).add(", IBAN ").pii("IBAN_CODE", v.iban()).add(
            ", thanks"
        )


def t_email(b: Builder, v: Values, r: random.Random) -> None:
    """E-mail addresses in the middle of a request."""
    first, last = v.first(), v.last()
    pattern = r.randrange(3)
    if pattern == 0:
        b.add("cc ").pii("EMAIL_ADDRESS", v.email(first, last)).add(" and ").pii(
            "EMAIL_ADDRESS", v.email()
        ).add(" on the reply please")
    elif pattern == 1:
        b.add("Why does Outlook bounce my mail to ").pii("EMAIL_ADDRESS", v.email(first, last)).add("?")
    else:
        b.add("Draft a follow-up to ").pii("PERSON", f"{first} {last}").add(" (").pii(
            "EMAIL_ADDRESS", v.email(first, last)
        ).add(") about the invoice")


_LOCAL = {
    "de-de": ("Hallo ", ", kannst du das Paket bei ", " abholen? Die Adresse ist ", ". Danke!"),
    "fr-fr": ("Salut ", ", tu peux récupérer le colis chez ", " ? L'adresse : ", ". Merci !"),
    "es-es": ("Hola ", ", ¿puedes recoger el paquete en casa de ", "? La dirección es ", ". ¡Gracias!"),
    "it-it": ("Ciao ", ", puoi ritirare il pacco da ", "? L'indirizzo è ", ". Grazie!"),
    "nl-nl": ("Hoi ", ", kun jij het pakketje ophalen bij ", "? Het adres is ", ". Dank je!"),
    "pl-pl": ("Cześć ", ", możesz odebrać paczkę od ", "? Adres: ", ". Dzięki!"),
    "pt-br": ("Oi ", ", você pode pegar a encomenda com ", "? O endereço é ", ". Valeu!"),
    "sv-se": ("Hej ", ", kan du hämta paketet hos ", "? Adressen är ", ". Tack!"),
    "tr-tr": ("Merhaba ", ", paketi ", " adresinden alabilir misin? Adres: ", ". Teşekkürler!"),
}


def t_local_language(b: Builder, v: Values, r: random.Random) -> None:
    """A short message in the locale's language, pasted for translation."""
    hello, pickup, addr, thanks = _LOCAL.get(v.locale.code, _LOCAL["de-de"])
    b.add("translate this to English: ").add(hello).pii("PERSON", v.first()).add(pickup).pii(
        "PERSON", v.full()
    ).add(addr)
    b.pii("STREET_ADDRESS", v.address()).add(thanks)


def t_lowercase(b: Builder, v: Values, r: random.Random) -> None:
    """Typed fast on a phone: lower case throughout."""
    first = v.first().lower()
    pattern = r.randrange(3)
    if pattern == 0:
        b.add("tell ").pii("PERSON", first).add(" im at ").pii("STREET_ADDRESS", v.address().lower()).add(
            " by 7 and to bring the charger"
        )
    elif pattern == 1:
        b.add("hey can u write a msg to ").pii("PERSON", first).add(" saying sorry about last night lol")
    else:
        b.add("whats the best way to ask ").pii("PERSON", f"{first} {v.last().lower()}").add(
            " for the money back, its been 2 months"
        )


def t_forward(b: Builder, v: Values, r: random.Random) -> None:
    """A message someone received, pasted with its sign-off."""
    name = v.full()
    b.add(r.choice(["What does this mean?\n\n> ", "Help me answer this:\n\n> ", "is this a scam?\n\n> "]))
    b.add(
        r.choice(
            [
                "Hi, just checking the flat is still available. ",
                "Your parcel could not be delivered today. ",
                "Thanks for the lovely evening! ",
            ]
        )
    )
    b.add("Best, ").pii("PERSON", name).add(" | ").pii("PHONE_NUMBER", v.phone())


def t_mixed(b: Builder, v: Values, r: random.Random) -> None:
    """A private person and a public figure in one request: the first masked, the second kept."""
    public, name = r.choice(PUBLIC), v.first()
    pattern = r.randrange(3)
    if pattern == 0:
        b.add("my daughter ").pii("PERSON", name).add(" is obsessed with ").keep_("PUBLIC", public).add(
            ", any books for a 10 year old?"
        )
    elif pattern == 1:
        b.add("Write a toast for ").pii("PERSON", v.full()).add("'s retirement, she's a huge ").keep_(
            "PUBLIC", public
        ).add(" fan")
    else:
        b.add("Settle an argument: ").pii("PERSON", name).add(" says ").keep_("PUBLIC", public).add(
            " was born in the 1930s, is that right?"
        )


def t_ordinary_public(b: Builder, v: Values, r: random.Random) -> None:
    """An ordinary reply about a public figure's work: nothing private, everything stays."""
    public = r.choice(PUBLIC)
    surname = public.split()[-1]
    pattern = r.randrange(3)
    if pattern == 0:
        b.add("A good place to start with ").keep_("PUBLIC", public).add(f" is the {PUBLIC_WORK[public]}. ")
        b.add("Many readers find that ").keep_("PUBLIC", surname).add(
            "'s later work makes more sense once you know the early pieces."
        )
    elif pattern == 1:
        b.add("Sure! Here are three facts about ").keep_("PUBLIC", public).add(
            f":\n1. Their {PUBLIC_WORK[public]} are still widely discussed.\n2. "
        )
        b.add("They gave many interviews.\n3. ").keep_("PUBLIC", surname).add(
            " influenced a whole generation."
        )
    else:
        b.add("If you liked ").keep_("PUBLIC", public).add(", you might also enjoy ").keep_(
            "PUBLIC", r.choice(PUBLIC)
        ).add(" — both are known for bold ideas.")


def t_ordinary_places(b: Builder, v: Values, r: random.Random) -> None:
    """An ordinary reply about places, products and organisations."""
    pattern = r.randrange(3)
    if pattern == 0:
        b.add("For three days in ").keep_("CITY", r.choice(PLACES)).add(
            ", book a food tour on day one and keep day three free. "
        )
        b.add("Trains from the airport run every 20 minutes; ").keep_("COUNTRY", r.choice(COUNTRIES)).add(
            " accepts cards almost everywhere."
        )
    elif pattern == 1:
        b.add("Both the ").keep_("PRODUCT", r.choice(PRODUCTS)).add(" and the ").keep_(
            "PRODUCT", r.choice(PRODUCTS)
        )
        b.add(" go on sale in November; check the return policy before you buy.")
    else:
        b.add("You can volunteer with ").keep_("ORG", r.choice(ORGS)).add(" in ").keep_(
            "CITY", r.choice(PLACES)
        ).add("; the application takes about a week.")


TEMPLATES = {
    "one_liner": (t_one_liner, 60),
    "relation": (t_relation, 40),
    "group_chat": (t_group_chat, 30),
    "delivery": (t_delivery, 50),
    "phone_shapes": (t_phone_shapes, 45),
    "booking": (t_booking, 30),
    "places": (t_places, 35),
    "ids": (t_ids, 30),
    "email": (t_email, 25),
    "local_language": (t_local_language, 40),
    "lowercase": (t_lowercase, 25),
    "forward": (t_forward, 30),
    "mixed": (t_mixed, 30),
    "ordinary_public": (t_ordinary_public, 50),
    "ordinary_places": (t_ordinary_places, 30),
}
