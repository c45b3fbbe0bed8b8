"""Cue-based recognizers: names introduced by the words people use to give them (places:
:mod:`~prefloop.curator.scrub.recognizers.place_cues`)."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from spacy.lang.en.stop_words import STOP_WORDS

from prefloop.curator.scrub.recognizers.base import CaseFreePrecheck, Recognizer
from prefloop.curator.scrub.recognizers.names import census_first_names
from prefloop.curator.scrub.recognizers.wordlists import COMMON_WORDS, NOT_PII, RELATIONS
from prefloop.curator.scrub.types import PiiSpan
from prefloop.curator.scrub.vocab import fold, given_names, surnames

if TYPE_CHECKING:
    from spacy.tokens import Doc

__all__ = ["NOT_NAME_WORDS", "PersonCueRecognizer", "lower_name_end"]

#: English greetings among the cues; one greets someone only where a sentence, line or clause starts.
_GREETING = re.compile(r"hi|hello|hey|dear")
#: The words before a greeting that make it part of a noun phrase instead ("a", "the", "my", "her", "some", "his").
_INSIDE_PHRASE = re.compile(
    r"\b(?i:a|an|the|my|our|your|his|her|their|its|this|that|some|any|no|every)[ \t]+\Z"
)


def _after_determiner(text: str, position: int) -> bool:
    """Whether an article or determiner and blanks end at ``position``: :data:`_INSIDE_PHRASE` searched from the
    determiner's longest reach only (from the text's start, each of a long text's greetings cost a pass over it)."""
    blank = position
    while blank > 0 and text[blank - 1] in " \t":
        blank -= 1
    return _INSIDE_PHRASE.search(text, max(0, blank - len("every")), position) is not None


class PersonCueRecognizer(Recognizer):
    """Names after cues people use to give one: titles, ``my name is``, greetings and sign-offs."""

    NAME = "person_cue"
    ENTITY_TYPES = ("PERSON",)
    SCORE = 0.75
    _UPPER = r"[A-ZÀ-ÖØ-ÞĀĂĄĆĈĊČĎĐĒĔĖĘĚĜĞĠĢĤĦĨĪĬĮİĴĶĹĻĽĿŁŃŅŇŊŌŎŐŒŔŖŘŚŜŞŠŢŤŦŨŪŬŮŰŲŴŶŸŹŻŽ]"
    _LOWER = r"[a-zß-öø-ÿā-žſ'’]"
    _WORD = rf"{_UPPER}(?:['’]{_UPPER})?{_LOWER}+(?:-{_UPPER}?{_LOWER}+)*"
    _NAME = rf"{_WORD}(?:[ \t]+(?:{_UPPER}\.|{_WORD})){{0,3}}"
    #: Honorifics that cue a name, in the languages of libpostal's personal titles the scrubber sees most.
    _TITLES = (
        r"Mr|Mrs|Ms|Mx|Miss|Dr|Prof|Sir|Madam|Mme|Mlle|Herr|Frau|Fr|Hr|Fru|Señor|Señora|Señorita|Sr|Sra|Srta|"
        r"Don|Doña|Dom|Dona|Signor|Signora|Sig|Sig\.ra|Dott|Dott\.ssa|Monsieur|Madame|Mademoiselle|Pan|Pani|"
        r"Meneer|Mevrouw|Dhr|Mevr|Ing|Mag|Doc|Lic"
    )
    #: Sign-offs after which the next line is the writer's name, in the languages of the evaluation locales.
    _SIGN_OFFS = (
        r"regards|thanks|thank you|cheers|best|sincerely|yours|best wishes|all the best|"
        r"mit freundlichen grüßen|mit freundlichen grüssen|freundliche grüße|viele grüße|liebe grüße|grüße|grüsse|"
        r"beste grüße|cordialement|bien à vous|bien cordialement|amicalement|salutations|saludos|atentamente|"
        r"un saludo|cordiales saludos|cordiali saluti|distinti saluti|saluti|un caro saluto|atenciosamente|"
        r"cumprimentos|abraços|met vriendelijke groet|vriendelijke groeten|groeten|groet|med vänliga hälsningar|"
        r"med vänlig hälsning|hälsningar|vänliga hälsningar|med venlig hilsen|venlig hilsen|hilsen|mvh|"
        r"med vennlig hilsen|vennlig hilsen|ystävällisin terveisin|terveisin|pozdrawiam|z poważaniem|"
        r"s pozdravem|s úctou|üdvözlettel|tisztelettel|saygılarımla|iyi çalışmalar|selamlar"
    )
    #: Greetings and salutations of the languages of the evaluation locales ("Hallo", "Cześć", "Lieber", "Prezado").
    _GREETINGS = (
        r"hallo|hola|salut|ciao|hoi|hej|hei|moin|servus|cześć|czesc|oi|olá|merhaba|selam|bonjour|bonsoir|"
        r"buongiorno|buonasera|buenos días|buenas tardes|goedemorgen|goedemiddag|ahoj|szia|tere|hallå|tjena|"
        r"liebe|lieber|sehr geehrte|sehr geehrter|geachte|estimado|estimada|querido|querida|caro|cara|prezado|"
        r"prezada|kära|kære|kjære|rakas|drogi|droga|szanowny|szanowna|sayın|sevgili"
    )
    _PARTICLE = r"(?:van|von|de|da|di|du|del|della|dos|das|ter|ten|af|av|bin|ibn)[ \t]+|(?:al|el)-"
    PATTERN = re.compile(
        rf"(?:\b(?:{_TITLES})\.?[ \t]+(?P<titled>(?:{_PARTICLE})?{_NAME})"
        rf"|(?P<mailbox>{_NAME})[ \t]*<[^<>\s@]+@"
        rf"|(?:^|\n)[ \t]*(?P<vocative>{_WORD}),[ \t]+(?=(?i:can|could|would|will|please|i|we|you|thanks|thank|do|did|are|is)\b)"
        rf"|\b(?i:name is|name's|name:|i am|i'm|this is|call me|calls me|called|signed|dear|hi|hello|hey|{_GREETINGS}|ask|"
        r"told|tell|met|meet|with|thanks|thank you|thank|contact|cc|attn:?|from:|to:|by|note to|reply to|"
        r"reminder for|remind|mention|write to|letter to|invite)[ \t]+"
        rf"(?!(?:Mr|Mrs|Ms|Mx|Miss|Dr|Prof|Sir|Madam)\b)(?P<cued>{_NAME})"
        rf"|(?i:{_SIGN_OFFS}),?[ \t]*\n+[ \t]*(?P<signed>{_NAME})"
        rf"|(?:\n[ \t]*\n|[—–]|--)[ \t]*(?P<alone>{_NAME})[ \t.!]*\s*\Z"
        rf"|\b(?i:my name is|my name's)[ \t]+(?P<lower>[a-z][a-z'-]+(?:[ \t]+[a-z][a-z'-]+)?)"
        rf"|\b(?i:booked|reserved|registered|filed|listed|it's|it is|is it)[ \t]+under[ \t]+(?P<record>{_NAME})"
        rf"|\b(?i:assistant|secretary|deputy|aide)[ \t]+to[ \t]+(?P<role>{_NAME})"
        rf"|(?P<possessor>{_NAME})['’]s[ \t]+(?:(?i:home|e-?mail|postal|mailing|billing|new|old|current|private|"
        r"mobile|cell|work)[ \t]+)?(?i:address|phone|number|e-?mail|birthday|date of birth)\b)"
    )
    PRECHECK = re.compile(
        r"\b(?:Mr|Mrs|Ms|Mx|Miss|Dr|Prof|Sir|Madam|Mme|Mlle|Herr|Frau|Fr|Hr|Fru|Señora?|Sra?|Srta|Don|Doña|Dom|Dona|"
        r"Signora?|Sig|Dott|Monsieur|Madame|Mademoiselle|Pan|Pani|Meneer|Mevrouw|Dhr|Mevr|Ing|Mag|Doc|Lic)\b|name|i am|i'm|this is|call|signed|dear|"
        r"\bhi\b|hello|hey|\b(?:hallo|hola|salut|ciao|hoi|hej|hei|moin|servus|cze\w+|oi|olá|merhaba|selam|bon\w+|buon\w+|"
        r"buen\w+|goede\w+|ahoj|szia|tere|hallå|tjena|lieber?|sehr|geachte|estimad[oa]|querid[oa]|car[oa]|prezad[oa]|"
        r"kära|kære|kjære|rakas|drog[ia]|szanown[ya]|sayın|sevgili)\b|"
        r"\d[:.]\d\d(?:[:.]\d\d)?\s*(?:[ap]\.?m\.?)?(?:\]|\s+[-–])|regards|thank|cheers|best|sincerely|yours|ask|told|tell|met|meet|with|contact|cc|attn|remind|"
        r"grüß|grüss|cordial|salut|saludo|atentamente|atenciosamente|cumprimentos|abraços|groet|hälsning|hilsen|"
        r"mvh|terveisin|pozdraw|poważaniem|pozdravem|úctou|üdvözlettel|tisztelettel|saygı|çalışmalar|selamlar|"
        r"amicalement|bien à vous|<[^<>\s@]+@|(?:^|\n)[ \t]*[A-ZÀ-Þ][\w'’-]*,|"
        r"from:|to:|by|\n[ \t]*\n|[—–]|--|under|assistant|secretary|deputy|aide|['’]s[ \t]|\n[ \t]*[^\W\d_]+[ \t]*:",
        re.IGNORECASE,
    )
    _precheck = CaseFreePrecheck(PRECHECK)

    #: In a text written all in lower case, the name after a title or a strong cue is lower case too.
    LOWER = re.compile(
        r"(?:\b(?:mr|mrs|ms|mx|dr|prof)\.?|\b(?:dear|hi|hello|hey|my name is|my name's|call me|signed|this is))[ \t]+"
        r"(?P<name>[^\W\d_][\w'’-]+(?:[ \t]+[^\W\d_][\w'’-]+)?)"
    )

    #: In a text typed all in lower case, the person one asks the assistant to contact ("tell jess i'm late").
    LOWER_ADDRESSEE = re.compile(
        r"\b(?:tell|ask|text|msg|message|call|ring|remind|invite|email|e-mail|ping|dm|thank|reply to|write to|"
        r"note to|msg to|message to|apologi[sz]e to|say sorry to|say to)[ \t]+"
        r"(?P<name>[^\W\d_][\w'’-]+(?:[ \t]+[^\W\d_][\w'’-]+){0,3})"
    )

    def _lower_addressees(self, text: str) -> list[PiiSpan]:
        """A known given name after a verb of contacting or a relation, in an all-lower-case text ("tell jess",
        "my sister-in-law gudrun"); known surnames and particles after it extend it ("ask itziar de la fuente")."""
        spans = []
        starts = [m.start("name") for m in self.LOWER_ADDRESSEE.finditer(text)]
        starts += [m.end() + 1 for m in self.RELATION.finditer(text) if text[m.end() : m.end() + 1] == " "]
        for start in starts:
            end = lower_name_end(text, start)
            if end is not None:
                spans.append(PiiSpan("PERSON", start, end, self.SCORE, self.name))
        return spans

    def _lower_related(self, text: str) -> list[PiiSpan]:
        """In a text with capitals, a known given name typed in lower case right after a relation ("my brother
        tobias"): the relation says person, the lists say name."""
        spans = []
        for relation in self.RELATION.finditer(text):
            start = relation.end() + 1
            if text[relation.end() : start] == " " and text[start : start + 1].islower():
                end = lower_name_end(text, start)
                if end is not None:
                    spans.append(PiiSpan("PERSON", start, end, self.SCORE, self.name))
        return spans

    def _lower_case(self, text: str, all_lower: bool) -> list[PiiSpan]:
        spans = self._lower_addressees(text) if all_lower else []
        for match in self.LOWER.finditer(text):
            start = match.start("name")
            words = match.group("name").split()
            if not all_lower and (not words[0].islower() or fold(words[0]) not in given_names()):
                continue  # in a mixed-case text, only a known first name written in lower case
            while words and (words[-1] in NOT_NAME_WORDS or words[-1] in STOP_WORDS):
                words.pop()
            if words and words[0] not in NOT_NAME_WORDS and words[0] not in STOP_WORDS:
                spans.append(PiiSpan("PERSON", start, start + len(" ".join(words)), self.SCORE, self.name))
        return spans

    #: "my sister-in-law Hedda", "our new childminder Elowen Prys"; "Quintus Albery, my physiotherapist".
    RELATION = re.compile(rf"\b(?:my|our)[ \t]+(?:[\w'’-]+[ \t]+)?(?:{RELATIONS})(?![\w'’-])", re.IGNORECASE)
    NAME_AFTER_RELATION = re.compile(rf"[ \t]*,?[ \t]+(?P<name>{_NAME})")
    NAME_BEFORE_RELATION = re.compile(rf"(?<![\w'’-])(?P<name>{_NAME}),[ \t]+\Z")

    def _related(self, text: str) -> list[PiiSpan]:
        """Names right after or right before a relation ("my landlord X", "X, my landlord")."""
        spans = []
        for relation in self.RELATION.finditer(text):
            found = [self.NAME_AFTER_RELATION.match(text, relation.end())]
            found.append(
                self.NAME_BEFORE_RELATION.search(text, max(0, relation.start() - 80), relation.start())
            )
            for match in found:
                if match is None:
                    continue
                start, end = match.span("name")
                words = text[start:end].split()
                if words and words[-1].endswith(("'s", "’s")):
                    words[-1] = words[-1][:-2]
                while words and (words[-1] in NOT_PII or words[-1].lower() in NOT_NAME_WORDS):
                    words.pop()
                if words and words[0] not in NOT_PII and words[0].lower() not in NOT_NAME_WORDS:
                    end = start + len(" ".join(words))
                    spans.append(PiiSpan("PERSON", start, end, self.SCORE, self.name))
        return spans

    def analyze(self, text: str, doc: Doc | None = None) -> list[PiiSpan]:
        lowered = text.lower()
        related: list[PiiSpan] = []
        if "my" in lowered or "our" in lowered:
            related = self._related(text) + (self._lower_related(text) if text != lowered else [])
        if not self._precheck(text):
            return related
        spans = related
        for match in self.PATTERN.finditer(text):
            group = next(
                g
                for g in (
                    "titled",
                    "mailbox",
                    "vocative",
                    "cued",
                    "signed",
                    "alone",
                    "lower",
                    "record",
                    "role",
                    "possessor",
                )
                if match.group(g)
            )
            cue = match.group(0)[: match.start(group) - match.start()].strip().lower()
            start, end = match.span(group)
            words = text[start:end].split()
            if words and words[-1].endswith(("'s", "’s")):
                words[-1] = words[-1][:-2]
            while words and (words[-1] in NOT_PII or words[-1].lower() in NOT_NAME_WORDS):
                words.pop()
            if not words or words[0] in NOT_PII or words[0].lower() in NOT_NAME_WORDS:
                continue
            if cue == "called" and _THING_CALLED.search(text, max(0, match.start() - 30), match.start(group)):
                continue  # "a village called Bibury", "a band called Blur": the name of a place or a thing
            if group == "cued" and _GREETING.fullmatch(cue) and _after_determiner(text, match.start()):
                continue  # "a Hello Kitty cake", "the Hey Duggee theme": a greeting inside a noun phrase greets no one
            end = start + len(" ".join(words)) if "\t" not in text[start:end] else end
            # a name whose address or phone is given, or someone's assistant, is a name; whether private is the
            # policy's call (contact details nearby: yes; "Minnie Mouse's home address?" alone: no)
            weak = group in ("vocative", "role", "possessor") or (
                group == "cued" and cue.rstrip(":") in _WEAK_CUES
            )
            spans.append(
                PiiSpan("PERSON", start, end, self.SCORE, f"{self.name}:weak" if weak else self.name)
            )
        spans.extend(self._lower_case(text, text == text.lower()))
        spans.extend(self._speakers(text))
        spans.extend(self._export_senders(text))
        return spans

    #: A line opening with one capitalised word and a colon, then speech: a turn of a transcript.
    SPEAKER = re.compile(rf"^[ \t]*(?P<label>{_UPPER}{_LOWER}+)[ \t]*:(?=[ \t]*\S)", re.MULTILINE)

    #: A line of a messenger export: a timestamp, then the sender and a colon ("[03/11/26, 18:42] Ana Lima: ...",
    #: "03.11.26, 18:42 - Ana Lima: ...", "[18:42] Ana: ..."). Whatever stands between the time and the colon is who
    #: sent the message.
    EXPORT_LINE = re.compile(
        r"^[ \t]*(?:\[[^\]\n]{0,24}?\d{1,2}[:.]\d{2}(?:[:.]\d{2})?(?:[ \t]*[AaPp]\.?[Mm]\.?)?\][ \t]*"
        r"|\d{1,4}[./-]\d{1,2}[./-]\d{1,4},?[ \t]+\d{1,2}[:.]\d{2}(?:[:.]\d{2})?(?:[ \t]*[AaPp]\.?[Mm]\.?)?[ \t]+[-–][ \t]+)"
        rf"(?P<sender>{_UPPER}[\w'’.-]*(?:[ \t]+[\w'’.-]+){{0,3}}?)[ \t]*:(?=[ \t])",
        re.MULTILINE,
    )

    def _export_senders(self, text: str) -> list[PiiSpan]:
        """The senders of a pasted messenger export (two or more timestamped lines): people by construction."""
        if text.count(":") < 4:
            return []
        lines = list(self.EXPORT_LINE.finditer(text))
        if len(lines) < 2:
            return []
        return [
            PiiSpan("PERSON", *m.span("sender"), self.SCORE, self.name)
            for m in lines
            if _sender_is_a_person(m.group("sender"))
        ]

    def _speakers(self, text: str) -> list[PiiSpan]:
        """The speakers of a transcript whose turns are labelled with people's names ("Kalman: Who are you?").

        A transcript is two or more turns by two or more labels, one of them a common first name (the census
        list; libpostal's list of every language also holds "Con" and "Will"); its labels are
        then the names of the people talking (a chat log, a conversation pasted from a messenger). "Pro:" /
        "Con:", "Input:" / "Output:" name no one and make no transcript.
        """
        if text.count(":") < 2:
            return []
        turns = [
            m
            for m in self.SPEAKER.finditer(text)
            if m.group("label") not in NOT_PII
            and m.group("label").lower() not in NOT_NAME_WORDS
            and m.group("label").lower() not in STOP_WORDS
        ]
        labels = {fold(m.group("label")) for m in turns}
        if len(turns) < 2 or len(labels) < 2 or not labels & census_first_names():
            return []
        return [PiiSpan("PERSON", *m.span("label"), self.SCORE, self.name) for m in turns]


def _sender_is_a_person(sender: str) -> bool:
    """A full name ("Ana Lima") or a given name ("Ana"); a log's component ("Server", "INFO") is neither."""
    words = sender.split()
    if sender.lower() in _NOT_SENDERS or sender in NOT_PII:
        return False
    if len(words) > 1:
        return all(w[0].isupper() for w in words)
    return fold(sender) in given_names() and fold(sender) not in COMMON_WORDS


_PARTICLES = frozenset("van von de da di du del della dos das der den ter ten la le af av bin ibn".split())  # noqa: SIM905
_RELATION_WORD = re.compile(rf"(?:{RELATIONS})$")
_NAME_WORD = re.compile(r"[^\W\d_][\w'’-]*")


def lower_name_end(text: str, start: int) -> int | None:
    """Where a lower-case name starting at ``start`` ends: a known given name (no common word, stop word or
    relation), extended over known surnames and particles; ``None`` if no name starts there."""
    words = []
    position = start
    for _ in range(4):
        match = _NAME_WORD.match(text, position)
        if match is None:
            break
        words.append(match)
        gap = _GAP.match(text, match.end())
        if gap is None:
            break
        position = gap.end()
    if not words:
        return None
    first = fold(words[0].group())
    if (
        len(first) < 3
        or first not in given_names()
        or first in COMMON_WORDS
        or first in STOP_WORDS
        or first in NOT_NAME_WORDS
        or _RELATION_WORD.match(first)
    ):
        return None
    end = words[0].end()
    taken = 1
    while taken < len(words):
        word = fold(words[taken].group())
        if word in _PARTICLES and taken + 1 < len(words):
            if fold(words[taken + 1].group()) in _PARTICLES:
                taken += 1
                continue
            taken += 2
            end = words[taken - 1].end()
        elif len(word) > 2 and word in surnames() and word not in STOP_WORDS and word not in COMMON_WORDS:
            end = words[taken].end()
            taken += 1
        else:
            break
    return end


_GAP = re.compile(r"[ \t]+")


#: Places and things named by "called": what follows names no person ("a village called Bibury").
_THING_CALLED = re.compile(
    r"\b(?:town|village|city|suburb|hamlet|place|area|neighbou?rhood|district|island|street|road|river|lake|"
    r"mountain|pub|bar|restaurant|caf[eé]|shop|store|hotel|company|firm|startup|brand|band|group|app|game|film|"
    r"movie|book|novel|song|album|show|series|podcast|website|channel|club|team|school|church)s?[ \t]+called[ \t]+$",
    re.IGNORECASE,
)


#: Senders of an export that are no one: the exporting user and the messenger itself.
_NOT_SENDERS = frozenset({"you", "me", "system", "whatsapp", "telegram", "signal", "bot", "admin", "unknown"})

#: Cue words that precede names and much else ("by Gallup", "with PyTorch"): their hits go through the policy.
_WEAK_CUES = frozenset(
    "by with ask told tell met meet contact thanks thank you called calls me i am i'm this is from to cc mention invite remind".split()  # noqa: SIM905
) | {
    "thank you",
    "i am",
    "this is",
    "calls me",
    "note to",
    "reply to",
    "reminder for",
    "write to",
    "letter to",
}


#: Words that follow a cue but name no one ("Hi everyone", "Dear hiring manager").
NOT_NAME_WORDS = frozenset(
    """
    the a an and or but not so very just really also here there sorry glad happy trying looking working
    using writing getting going new interested wondering curious sure fine good great ok okay back done
    everyone all team guys folks world friends again human humans assistant bot there hiring manager managers customer customers support colleague colleagues friend valued recruiter committee admissions landlord neighbor neighbour user users reader readers sirs partner partners apt apartment suite unit flat street st road rd avenue ave lane drive box mundo monde welt mondo wereld świecie
    """.split()  # noqa: SIM905
)
