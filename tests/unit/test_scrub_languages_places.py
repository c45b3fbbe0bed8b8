"""People and places in other languages' chat, and a person's own places (issue 14, session 10).

Each group has its opposite error beside it: public figures, generic cities, countries and ordinary words of the
same languages stay as they are. The texts are written for this file (real spaCy model); none comes from an
evaluation set or from the development texts of ``benchmarks/data/pii_dev/``.
"""

from __future__ import annotations

import pytest

from prefloop.curator.scrub import Scrubber


@pytest.fixture(scope="module")
def scrubber() -> Scrubber:
    return Scrubber()


def _masked(scrubber: Scrubber, text: str, value: str) -> bool:
    return value not in scrubber.scrub_text(text).text


@pytest.mark.parametrize(
    ("text", "name"),
    [
        # a name right after or before a relation, in each language
        ("Ma belle-sœur Ambre ne répond plus à mes messages.", "Ambre"),
        ("Mon voisin Gaspard Lefebvre fait du bruit tous les soirs.", "Lefebvre"),
        ("Mi cuñada Itziar quiere montar un negocio, ¿por dónde empieza?", "Itziar"),
        ("Mis vecinos Anselmo y Rocío tienen un perro que ladra.", "Anselmo"),
        ("La mia coinquilina Ludovica non lava mai i piatti.", "Ludovica"),
        ("O meu sogro Adelino faz anos amanhã, que lhe ofereço?", "Adelino"),
        ("Mijn schoonmoeder Gerda komt dit weekend logeren.", "Gerda"),
        ("Meine Nachbarin Hildegard Vogt hat mein Paket angenommen.", "Vogt"),
        ("Hannelore, meine Kollegin, hat heute Geburtstag.", "Hannelore"),
        # one's own name, given in the language of the text
        ("Bonjour, je m'appelle Anaïs Robert et je cherche un stage.", "Robert"),
        ("Hola, me llamo Nerea Goikoetxea y necesito ayuda con un contrato.", "Goikoetxea"),
        ("Buongiorno, mi chiamo Ottavio Ferri e scrivo per un reclamo.", "Ferri"),
        ("Olá, chamo-me Leonor Brandão e tenho uma dúvida.", "Brandão"),
        ("Goedemiddag, ik heet Maarten Visser en ik zoek een huurwoning.", "Visser"),
        ("Guten Tag, ich heiße Ulrike Brandt und habe eine Frage.", "Brandt"),
        ("Ciao, sono Ludovica e ho bisogno di un consiglio.", "Ludovica"),
        ("Hoi, ik ben Wouter en ik zoek een kamer.", "Wouter"),
        # a plan or a message with or for someone
        ("Je déjeune avec Clémence demain, une idée de restaurant ?", "Clémence"),
        ("Quiero escribir una carta para Remedios, mi antigua profesora.", "Remedios"),
        ("Kannst du eine Nachricht an Gudrun formulieren?", "Gudrun"),
        # a capitalised name after a plan with someone, whether or not a list knows it (not in German)
        ("Ce soir je dîne avec Ysaline, une idée de vin ?", "Ysaline"),
    ],
)
def test_names_of_other_languages_after_their_cues_are_masked(
    scrubber: Scrubber, text: str, name: str
) -> None:
    assert _masked(scrubber, text, name)


@pytest.mark.parametrize(
    ("text", "place"),
    [
        # where the writer lives, was born, grew up, works, studies or moves to
        ("J'habite à Montbéliard et je cherche un club de tennis.", "Montbéliard"),
        ("J'ai grandi à Saint-Brieuc, au bord de la mer.", "Saint-Brieuc"),
        ("Vivo en Alcorcón desde hace poco y no conozco a nadie.", "Alcorcón"),
        ("Nací en Ponferrada pero me crié en Astorga.", "Astorga"),
        ("Abito a Sesto San Giovanni con due coinquilini.", "Sesto San Giovanni"),
        ("Moro em Guimarães e trabalho em Braga.", "Guimarães"),
        ("Ik woon in Hilversum en ik werk in Almere.", "Almere"),
        ("Ich wohne in Wolfenbüttel und suche einen Zahnarzt.", "Wolfenbüttel"),
        ("Ich komme aus Pforzheim, lebe aber seit Jahren woanders.", "Pforzheim"),
        ("Ich wohne in Kassel und arbeite in Fulda.", "Fulda"),
        ("Ik woon in Breda en werk in Oosterhout.", "Oosterhout"),
        # where the writer's relations live
        ("Mes beaux-parents vivent à Lisieux, c'est loin pour Noël.", "Lisieux"),
        ("Mi abuela vive en Tomelloso y ya no puede conducir.", "Tomelloso"),
        ("Mijn ouders wonen in Harderwijk en willen verhuizen.", "Harderwijk"),
        ("Meine Schwester studiert in Greifswald und vermisst uns.", "Greifswald"),
    ],
)
def test_a_person_s_own_places_in_other_languages_are_masked(
    scrubber: Scrubber, text: str, place: str
) -> None:
    assert _masked(scrubber, text, place)


@pytest.mark.parametrize(
    ("text", "kept"),
    [
        # public figures, generic cities, countries and regions
        ("Qui a écrit Les Misérables ? Victor Hugo ?", "Victor Hugo"),
        ("Que faut-il visiter à Lyon en deux jours ?", "Lyon"),
        ("J'habite en France depuis dix ans.", "France"),
        ("¿Qué novelas escribió Isabel Allende?", "Isabel Allende"),
        ("Cosa vedere a Firenze in un weekend?", "Firenze"),
        ("Quem foi Fernando Pessoa?", "Fernando Pessoa"),
        ("Wie groot is Rotterdam eigenlijk?", "Rotterdam"),
        ("Wer war Willy Brandt?", "Willy Brandt"),
        # words after the cues that name no one and no place
        ("Je prépare un gâteau pour Noël, une recette ?", "Noël"),
        ("Ich arbeite in Teilzeit und möchte mehr verdienen.", "Teilzeit"),
        ("Ich komme aus Versehen immer zu spät.", "Versehen"),
        ("Meine Schwester Geburtstag feiern wir am Samstag.", "Geburtstag"),
        ("Bonjour, ma sœur arrive demain.", "Bonjour"),
        ("Wir gehen heute Abend Essen mit Freunden.", "Freunden"),
        ("J'ai rendez-vous avec Pôle emploi jeudi, que dois-je apporter ?", "Pôle"),
        ("Mañana tengo una cita con Hacienda por la declaración.", "Hacienda"),
    ],
)
def test_public_and_ordinary_words_of_other_languages_stay(scrubber: Scrubber, text: str, kept: str) -> None:
    assert kept in scrubber.scrub_text(text).text


@pytest.mark.parametrize(
    ("text", "values"),
    [
        ("mon frère théo habite à vannes depuis septembre", ("théo", "vannes")),
        ("mi prima itziar vive en logroño", ("itziar", "logroño")),
        ("ich wohne in lüneburg, wie komme ich nach hamburg", ("lüneburg",)),
        ("mijn collega wouter woont in delft", ("delft",)),
    ],
)
def test_all_lower_case_chat_of_other_languages(
    scrubber: Scrubber, text: str, values: tuple[str, ...]
) -> None:
    scrubbed = scrubber.scrub_text(text).text
    assert all(value not in scrubbed for value in values)


@pytest.mark.parametrize(
    "text",
    [
        "je travaille à la maison trois jours par semaine",
        "vivo en un piso compartido y es caro",
        "ich wohne in der nähe vom bahnhof",
    ],
)
def test_lower_case_cues_before_ordinary_words_change_nothing(scrubber: Scrubber, text: str) -> None:
    assert scrubber.scrub_text(text).text == text


@pytest.mark.parametrize(
    ("text", "place"),
    [
        ("Whitby is where I grew up, so I know the cliffs well.", "Whitby"),
        ("Matlock, where my grandparents live, has a lovely park.", "Matlock"),
        ("My hometown, Bridport, has a market every Saturday.", "Bridport"),
        ("I grew up in a little village called Wootton Bassett.", "Wootton Bassett"),
        ("Our flat in Walthamstow has no lift.", "Walthamstow"),
        ("We stayed at my uncle's place in Portishead last summer.", "Portishead"),
        ("I lived in Crewe for six years after uni.", "Crewe"),
        ("Back home in Ballina we never locked the door.", "Ballina"),
        ("My in-laws in Stornoway are coming for the holidays.", "Stornoway"),
        ("My cousins in Tralee keep sending me photos.", "Tralee"),
    ],
)
def test_a_person_s_own_places_in_english_are_masked(scrubber: Scrubber, text: str, place: str) -> None:
    assert _masked(scrubber, text, place)


@pytest.mark.parametrize(
    ("text", "kept"),
    [
        ("Paris is where the Louvre is.", "Paris"),
        ("There is a village called Bibury in the Cotswolds that tourists love.", "Bibury"),
        ("The train from London to York takes two hours.", "York"),
        ("Edinburgh, where the festival is held, gets crowded in August.", "Edinburgh"),
    ],
)
def test_generic_places_in_english_stay(scrubber: Scrubber, text: str, kept: str) -> None:
    assert kept in scrubber.scrub_text(text).text


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("i'm from carlisle originally and miss it", "carlisle"),
        ("we lived in kettering till i was ten", "kettering"),
        ("Can you draft a birthday message for my sister imogen? She loves cats.", "imogen"),
        ("Please remind my colleague henrik about the deadline.", "henrik"),
    ],
)
def test_lower_case_names_and_places_in_english(scrubber: Scrubber, text: str, value: str) -> None:
    assert _masked(scrubber, text, value)


@pytest.mark.parametrize(
    "text",
    [
        "i'm from around here so i know the buses",
        "i'm from hr, can you explain the new leave policy",
        "My sister will pick me up at six.",
        "My friend and I are planning a trip.",
    ],
)
def test_lower_case_cues_before_ordinary_english_words_change_nothing(scrubber: Scrubber, text: str) -> None:
    assert scrubber.scrub_text(text).text == text


def test_a_place_named_after_the_word_for_it_is_a_place_not_a_person(scrubber: Scrubber) -> None:
    scrubbed = scrubber.scrub_text("I live in a hamlet called Nether Wallop, so the post is slow.").text
    assert scrubbed == "I live in a hamlet called [LOCATION_1], so the post is slow."
