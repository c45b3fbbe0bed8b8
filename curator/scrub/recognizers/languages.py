"""People and places in the chat of fourteen languages besides English, by the words that give them.

The other cue recognizers read English: "my sister X", "my name is X", "I live in X". People write to an assistant
in their own language too, and there the same structures say the same thing: "ma sœur Camille", "me llamo Lucía",
"abito a Monza", "mijn ouders wonen in Zwolle". This recognizer holds, per language, the complete small word
classes those structures are built from — possessives, relations (family by blood and marriage, household,
friends, work, the people whose services one uses), ways of giving one's name, plans and messages with or for
someone, verbs of living, being born, growing up, working, studying and moving in the first person and after a
relation, and the prepositions of place — and proposes:

* PERSON: a name right after or before a relation ("mon collègue Thibault Marchand", "Camille, ma sœur"), after
  one's own name is given ("je m'appelle", "me llamo", "ich heiße"; "sono", "ik ben" only before a known given
  name), after a plan or a message with or for someone ("dîner avec", "un regalo para", "Nachricht an") when the
  first word is a known given name;
* LOCATION: the place where the writer lives, was born, grew up, works, studies or moves to ("j'habite à",
  "nací en", "ik woon in", "ich komme aus"), and where the writer's relations do ("mes parents vivent à",
  "meine Eltern leben in", "mi abuela en Cuenca").

Since scrubber 2.8 the same classes are held for Swedish, Danish, Norwegian, Polish, Czech, Catalan, Romanian and
Russian (with relations whose possessive follows them, "broren min", "sora mea"), and a move's second place is
taken with its first ("von Gotha nach Jena", "z Radomia do Płocka"). Travel alone ("je vais à Paris") is not among them: a trip names no one's home, and the policy keeps generic
cities. In German, where every noun is capitalised, a name after a relation must be a known given name or follow
a title, and a place after a verb must not be one of the nouns those verbs take ("in Teilzeit", "aus Versehen").
In a text typed all in lower case the same cues count, with one word (two for names such as "san sebastián")
as the place and a known given name as the person.

These are cues, not candidates: their spans are masked like the English cues' (``person_cue``, ``location_cue``),
without the English public-role words, which say nothing in these languages.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from prefloop.curator.scrub.recognizers.base import Recognizer
from prefloop.curator.scrub.recognizers.cues import PersonCueRecognizer, lower_name_end
from prefloop.curator.scrub.recognizers.language_words import LANGUAGES
from prefloop.curator.scrub.recognizers.place_cues import LocationCueRecognizer
from prefloop.curator.scrub.recognizers.wordlists import NOT_PII, PLACE_NAMES
from prefloop.curator.scrub.types import PiiSpan
from prefloop.curator.scrub.vocab import fold, given_names, public_places, surnames, titles

if TYPE_CHECKING:
    from spacy.tokens import Doc

__all__ = ["LANGUAGES", "LanguageCueRecognizer"]


#: A name of one to four capitalised words, in Latin, Greek or Cyrillic script ("Алексей", "Ondřej Dvořák").
_UPPER = PersonCueRecognizer._UPPER[:-1] + "Α-ΩΆ-ΏА-ЯЁ]"
_LOWER = PersonCueRecognizer._LOWER[:-1] + "α-ωά-ώа-яё]"
_WORD = rf"{_UPPER}(?:['’]{_UPPER})?{_LOWER}+(?:-{_UPPER}?{_LOWER}+)*"
_NAME = rf"{_WORD}(?:[ \t]+(?:{_UPPER}\.|{_WORD})){{0,3}}"
_PLACE = LocationCueRecognizer._PLACE
_LOWER_WORD = r"[^\W\d_][\w'’-]*"
#: A word of one or two adjectives between a possessive and the relation ("ma petite sœur", "mi querido amigo").
_ADJECTIVE = r"(?:[^\W\d_][\w'’-]*\s+)?"


def _alternation(field: str) -> str:
    return "|".join(value for language in LANGUAGES.values() if (value := getattr(language, field)))


_POSSESSIVE = (
    rf"(?<![\w'’-])(?:(?i:{_alternation('possessives')})\s+{_ADJECTIVE}(?i:{_alternation('relations')})"
    rf"|(?i:{_alternation('owned_relations')}))(?![\w'’-])"
)
_RELATION = re.compile(_POSSESSIVE)
_POSSESSIVE_ALONE = re.compile(rf"(?i:{_alternation('possessives')})")


def possessive_before_relation(text: str, start: int, end: int) -> bool:
    """Whether ``text[start:end]`` is the possessive of a relation in these languages, or the two ("Mia" of "Mia
    madre", "Mein Bruder")."""
    return bool(
        (_POSSESSIVE_ALONE.fullmatch(text, start, end) and _RELATION.match(text, start))
        or _RELATION.fullmatch(text, start, end)
    )


_NAME_AFTER = re.compile(rf"[ \t]*,?[ \t]+(?P<name>{_NAME})")
_LOWER_NAME_AFTER = re.compile(r"[ \t]*,?[ \t]+(?=[^\W\d_])")
_NAME_BEFORE = re.compile(rf"(?<![\w'’-])(?P<name>{_NAME}),[ \t]+\Z")
_INTRO = re.compile(rf"(?<![\w'’-])(?i:{_alternation('intros')})[ \t]+(?P<name>{_NAME})")
_WEAK_INTRO = re.compile(
    rf"(?:^|[,.!?;:]|\b(?i:hola|ciao|olá|ola|hoi|hallo|salut|bonjour|buongiorno|buenos días|bom dia|moin|servus|"
    rf"hey|hi))[ \t]*(?i:{_alternation('weak_intros')})[ \t]+(?P<name>{_NAME})",
    re.MULTILINE,
)
_PLAN = re.compile(rf"(?<![\w'’-])(?i:{_alternation('plans')})[ \t]+(?P<name>{_NAME})")
_ARTICLE = r"(?:(?i:o|a|os|as|el|la|los|las|il|lo|het|de|der|die|das|dem|den)[ \t]+|(?i:l)['’])?"


#: A capitalised German time word after "im"/"am"/"nächsten" between a verb and its place ("wir ziehen im Herbst
#: von ... nach ...").
_TIME_NOUN = (
    r"(?:Frühling|Frühjahr|Sommer|Herbst|Winter|Januar|Februar|März|April|Mai|Juni|Juli|August|September|Oktober|"
    r"November|Dezember|Montag|Dienstag|Mittwoch|Donnerstag|Freitag|Samstag|Sonntag|Wochenende|Jahr|Monat|Woche)"
)


def _longest_first(alternation: str) -> str:
    """The alternatives of ``alternation`` (split at its top level) with those of several words first, so that one
    language's "in der Nähe von" is tried before another's "in"."""
    parts, depth, start = [], 0, 0
    for index, char in enumerate(alternation):
        if char in "([":
            depth += 1
        elif char in ")]":
            depth -= 1
        elif char == "|" and depth == 0:
            parts.append(alternation[start:index])
            start = index + 1
    parts.append(alternation[start:])
    return "|".join(sorted(parts, key=lambda part: not (" " in part or "[ \\t]" in part)))


def _before_place(field: str) -> str:
    """A preposition of ``field`` and the space after it, or an elided "d'" ("d'Annecy")."""
    return rf"(?:(?i:{_longest_first(_alternation(field))})[ \t]+|(?i:d)['’])"


_PLACE_FIRST = re.compile(
    rf"(?<![\w'’-])(?i:{_alternation('verbs_first')})(?:[ \t]+(?:[a-zß-ÿ]+|{_TIME_NOUN})){{0,3}}?[ \t]+"
    rf"{_before_place('places_after')}{_ARTICLE}(?P<place>{_PLACE})"
)
_PLACE_RELATION = re.compile(
    rf"{_POSSESSIVE}(?:[ \t]+{_NAME})?(?:[ \t]*,?[ \t]+(?i:{_alternation('relatives')}))?[ \t]+"
    rf"(?i:{_alternation('verbs_third')})[ \t]+{_before_place('places_after')}{_ARTICLE}(?P<place>{_PLACE})"
)
_RELATION_AT = re.compile(
    rf"{_POSSESSIVE}[ \t]+{_before_place('relation_places_after')}{_ARTICLE}(?P<place>{_PLACE})"
)
#: All-lower-case forms of the place cues: the place is one word, or two after a word that opens place names.
_LOWER_PLACE = re.compile(
    rf"(?<![\w'’-])(?:(?:{_alternation('verbs_first')})|{_POSSESSIVE}(?:[ \t]+{_LOWER_WORD})?"
    rf"(?:[ \t]+(?:{_alternation('relatives')}))?[ \t]+(?:{_alternation('verbs_third')}))[ \t]+"
    rf"(?:{_longest_first(_alternation('places_after'))})[ \t]+(?P<place>{_LOWER_WORD}(?:[ \t]+{_LOWER_WORD})?)"
)
#: "From" before the place a move or trip starts at, and "to" before the place it ends at, in these languages: the
#: second place of "von Fulda nach Erfurt", "z Kielc do Opola" is tied to the same person as the first.
_FROM_BEFORE = re.compile(
    r"(?<![\w'’-])(?i:de|desde|da|dal|dalla|von|vom|van|uit|fra|från|z|ze|из|din|de la|des de)[ \t]+"
    rf"{_ARTICLE}\Z|(?<![\w'’-])(?i:d)['’]\Z"
)
_THEN_TO = re.compile(
    r"[ \t]+(?i:à|a|au|en|nach|naar|para|pra|til|till|do|în|la|в|во|на|hasta|até|ao|al|fino a|bis|in)[ \t]+"
    rf"{_ARTICLE}(?P<place>{_PLACE})"
)
#: Words that follow those cues but are no name: holidays, months and days of these languages (folded).
_NOT_NAMES = frozenset(
    """
    noel paques natale pasqua navidad pascua natal pascoa kerst kerstmis pasen weihnachten ostern silvester
    janvier fevrier mars avril mai juin juillet aout septembre octobre novembre decembre enero febrero marzo
    abril mayo junio julio agosto septiembre octubre noviembre diciembre gennaio febbraio aprile maggio giugno
    luglio settembre ottobre dicembre janeiro fevereiro marco maio junho julho setembro outubro dezembro
    januari februari maart juni juli augustus oktober december januar februar marz juni juli august oktober
    dezember lundi mardi mercredi jeudi vendredi samedi dimanche lunes martes miercoles jueves viernes sabado
    domingo lunedi martedi mercoledi giovedi venerdi sabato domenica segunda terca quarta quinta sexta
    maandag dinsdag woensdag donderdag vrijdag zaterdag zondag montag dienstag mittwoch donnerstag freitag
    samstag sonntag
    """.split()  # noqa: SIM905
)
#: Capitalised German nouns those verbs take that are no place ("in Teilzeit", "aus Versehen"), folded.
_NOT_PLACES = frozenset(
    """
    teilzeit vollzeit schicht schichten homeoffice elternzeit kurzarbeit rente angst armut frieden ruhe miete
    untermiete urlaub zukunft vergangenheit realitat wirklichkeit beziehung ehe familie gemeinschaft wg
    wohngemeinschaft stadt dorf grossstadt kleinstadt nahe ausland inland osten westen norden suden versehen
    spass interesse neugier liebe gewohnheit erfahrung uberzeugung zeit arbeit schule uni universitat praxis
    """.split()  # noqa: SIM905
)
#: Lower-case words after a place cue that are no place: articles, pronouns, adverbs and the places everyone has.
_NOT_PLACES_LOWER = frozenset(
    """
    le la les l un une des du de d ce cet cette ces mon ma mes ton ta tes son sa ses notre nos votre vos leur
    leurs ici la-bas maison ville campagne banlieue centre colocation couple famille bureau teletravail distance
    ligne el los las unos unas mi mis tu tus su sus casa aqui alli alla ciudad pueblo campo pareja familia
    remoto linea il lo gli i uno una mio mia miei mie qui qua li citta paese campagna coppia famiglia o a os as
    um uma uns umas meu minha aqui ali la cidade centro het een mijn thuis hier daar dorp centrum buurt der die
    das den dem des ein eine einem einer einen mein meine dort da hause zentrum nahe teilzeit vollzeit en in
    the a an my our home work school
    """.split()  # noqa: SIM905
)


#: Words that are no trigger: English words, and pieces of the cues that say nothing alone ("c'est" -> "c").
_NOT_TRIGGERS = frozenset(
    """
    a an in on of to for with at by is it me my our date party email mail message weekend app session call
    walk chat sync dinner lunch coffee drinks tea card letter note gift present speech cake surprise invite
    danke essen treffen termin urlaub per man so da die we as o os i la le de en brief dire sage rede tour
    name com week end di es
    """.split()  # noqa: SIM905
)


def _triggers(*fields: str) -> frozenset[str]:
    """The words of ``fields``' cues, one of which every text a cue of those fields matches holds."""
    words = {w for field in fields for w in re.findall(r"[^\W\d_]+", _alternation(field).lower())}
    return frozenset(w for w in words if len(w) > 1) - _NOT_TRIGGERS


#: A text none of whose words is among a cue's words is not searched for that cue (most English texts: none).
_POSSESSIVE_WORDS = _triggers("possessives", "owned_relations")
_INTRO_WORDS = _triggers("intros", "weak_intros")
_PLAN_WORDS = _triggers("plans")
_VERB_WORDS = _triggers("verbs_first")
_TOKEN = re.compile(r"[^\W\d_]+")
#: Lower-case words of these languages that libpostal's given names also hold ("les", "con", "una", "esta").
_NOT_LOWER_NAMES = frozenset(
    """
    les des con esta este per una uno mora sol luz paz fe mar rosa flor qui que est une pour avec dans sur pas
    plus tout bien che non sono vive abita com para mas mais muito die het een niet voor met naar der das und
    ist hat nicht mit auch
    """.split()  # noqa: SIM905
)


class LanguageCueRecognizer(Recognizer):
    """People and places given by the cues of French, Spanish, Italian, Portuguese, Dutch, German, Swedish,
    Danish, Norwegian, Polish, Czech, Catalan, Romanian and Russian chat (see the module docstring)."""

    NAME = "language_cue"
    ENTITY_TYPES = ("PERSON", "LOCATION")
    PERSON_SCORE = 0.75
    PLACE_SCORE = 0.72

    def analyze(self, text: str, doc: Doc | None = None) -> list[PiiSpan]:
        words = set(_TOKEN.findall(text.lower()))
        possessive = not words.isdisjoint(_POSSESSIVE_WORDS)
        verb = not words.isdisjoint(_VERB_WORDS)
        if not (
            possessive or verb or not words.isdisjoint(_INTRO_WORDS) or not words.isdisjoint(_PLAN_WORDS)
        ):
            return []
        lower = text == text.lower()
        spans = self._people(text, lower, words, possessive)
        if possessive or verb:
            spans += self._lower_places(text) if lower else self._places(text, possessive, verb)
        return spans

    def _people(self, text: str, lower: bool, words: set[str], possessive: bool) -> list[PiiSpan]:
        spans: list[PiiSpan] = []
        for relation in _RELATION.finditer(text) if possessive else ():
            german = _is_german_relation(relation.group())
            after = _NAME_AFTER.match(text, relation.end())
            if after and not lower and _a_name(after.group("name"), strict=german):
                spans.append(self._person(text, *after.span("name"), trim=german))
            elif gap := _LOWER_NAME_AFTER.match(text, relation.end()):
                start = gap.end()
                word = _TOKEN.match(text, start)
                if (
                    text[start].islower()
                    and word is not None
                    and fold(word.group()) not in _NOT_LOWER_NAMES
                    and (end := lower_name_end(text, start)) is not None
                ):
                    spans.append(PiiSpan("PERSON", start, end, self.PERSON_SCORE, self.name))
            before = _NAME_BEFORE.search(text, max(0, relation.start() - 80), relation.start())
            if before and _a_name(before.group("name"), strict=True):
                spans.append(self._person(text, *before.span("name"), trim=True))
        for pattern, strict in ((_INTRO, False), (_WEAK_INTRO, True), (_PLAN, False)):
            if words.isdisjoint(_PLAN_WORDS if pattern is _PLAN else _INTRO_WORDS):
                continue
            for match in pattern.finditer(text):
                # a capitalised word after a plan with someone is a name; but in German every noun is capitalised,
                # and one has appointments with offices too ("rendez-vous avec Pôle emploi", "cita con Hacienda")
                strict = strict or (
                    pattern is _PLAN
                    and bool(_GERMAN_PLAN.match(match.group()) or _APPOINTMENT.match(match.group()))
                )
                if _a_name(match.group("name"), strict=strict, given_only=strict):
                    spans.append(self._person(text, *match.span("name"), trim=strict))
        return spans

    def _person(self, text: str, start: int, end: int, *, trim: bool) -> PiiSpan:
        """The name at ``text[start:end]``; with ``trim``, less the capitalised words after it that no name list
        holds ("Katrin Geburtstag": a German noun; "Giulia Bernardi" keeps a known surname)."""
        words = text[start:end].split()
        while trim and len(words) > 1 and not _name_word(words[-1]):
            words.pop()
        return PiiSpan("PERSON", start, start + len(" ".join(words)), self.PERSON_SCORE, self.name)

    def _places(self, text: str, possessive: bool, verb: bool) -> list[PiiSpan]:
        spans = []
        patterns = ((_PLACE_FIRST,) if verb else ()) + ((_PLACE_RELATION, _RELATION_AT) if possessive else ())
        for pattern in patterns:
            for match in pattern.finditer(text):
                start, end = match.span("place")
                words = text[start:end].split()
                while words and (words[-1] in NOT_PII or fold(words[-1]) in _NOT_NAMES):
                    words.pop()
                if not words or fold(words[0]) in _NOT_PLACES or words[0] in NOT_PII:
                    continue
                if len(words[0]) <= 3 and words[0].isupper():
                    continue  # "in IT", "bei SAP"
                spans.append(
                    PiiSpan("LOCATION", start, start + len(" ".join(words)), self.PLACE_SCORE, self.name)
                )
                then = _THEN_TO.match(text, start + len(" ".join(words)))
                if then and _FROM_BEFORE.search(text, max(0, start - 12), start):
                    place = text[then.start("place") : then.end("place")].split()
                    while place and (place[-1] in NOT_PII or fold(place[-1]) in _NOT_NAMES):
                        place.pop()
                    if place and fold(place[0]) not in _NOT_PLACES and place[0] not in NOT_PII:
                        start = then.start("place")
                        spans.append(
                            PiiSpan(
                                "LOCATION", start, start + len(" ".join(place)), self.PLACE_SCORE, self.name
                            )
                        )
        return spans

    def _lower_places(self, text: str) -> list[PiiSpan]:
        spans = []
        for match in _LOWER_PLACE.finditer(text):
            start, end = match.span("place")
            words = text[start:end].split()
            if fold(words[0]) in _NOT_PLACES_LOWER or fold(words[0]) in _NOT_NAMES:
                continue
            if len(words) == 2 and fold(words[0]) not in _TWO_WORD_PLACE_FIRST:
                words.pop()
            spans.append(
                PiiSpan("LOCATION", start, start + len(" ".join(words)), self.PLACE_SCORE, self.name)
            )
        return spans


#: First words of two-word place names in these languages ("san sebastián", "la coruña", "den haag").
_TWO_WORD_PLACE_FIRST = frozenset(
    "san santa santo saint sainte st sankt bad den porto puerto ciudad villa castel borgo nova novo".split()  # noqa: SIM905
)
_GERMAN_RELATION = re.compile(
    rf"(?i:{LANGUAGES['de'].possessives})\s+{_ADJECTIVE}(?i:{LANGUAGES['de'].relations})$"
)


_GERMAN_PLAN = re.compile(rf"(?i:{LANGUAGES['de'].plans})[ \t]")
_APPOINTMENT = re.compile(r"(?i:rendez-vous|rdv|cita|appuntamento|afspraak|encontro)\s")


def _is_german_relation(relation: str) -> bool:
    return bool(_GERMAN_RELATION.search(relation))


def _name_word(word: str) -> bool:
    folded = fold(word.strip(".,'’"))
    return folded in given_names() or folded in surnames() or "-" in word


def _a_name(value: str, *, strict: bool, given_only: bool = False) -> bool:
    """Whether ``value`` (capitalised words after a cue) is a name: its first word not a holiday, month, day or
    software name; with ``strict`` (German nouns, weak cues) a known given name first, or a title."""
    words = value.split()
    first = words[0].strip(".,")
    folded = fold(first)
    if first in NOT_PII or folded in _NOT_NAMES or folded in public_places() or folded in PLACE_NAMES:
        return False
    if not strict:
        return True
    if folded.rstrip(".") in titles() and len(words) > 1 and not given_only:
        return True  # "meinen Vermieter Herrn Albrecht"
    return any(part in given_names() for part in folded.split("-")[:1])
