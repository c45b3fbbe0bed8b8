"""Cue-based place recognition: the places a private person lives in, comes from, grew up in or moves to, by the
words people use to give them (the people themselves: :mod:`~prefloop.curator.scrub.recognizers.cues`)."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from spacy.lang.en.stop_words import STOP_WORDS

from prefloop.curator.scrub.recognizers.base import CaseFreePrecheck, Recognizer
from prefloop.curator.scrub.recognizers.cues import PersonCueRecognizer
from prefloop.curator.scrub.recognizers.wordlists import NOT_PII, RELATIONS
from prefloop.curator.scrub.types import PiiSpan
from prefloop.curator.scrub.vocab import fold, public_places

if TYPE_CHECKING:
    from spacy.tokens import Doc

__all__ = ["LocationCueRecognizer"]


class LocationCueRecognizer(Recognizer):
    """Places after phrases that introduce where someone lives, is, or travels (``I live in Arona``).

    Catches towns the NER model does not know; only capitalised words (or a fully lower-case text's words right
    after a strong cue) count, and software names are excluded.
    """

    NAME = "location_cue"
    ENTITY_TYPES = ("LOCATION",)
    SCORE = 0.62
    #: Capitals of Latin-1, Latin Extended-A (``Č``, ``Ł``, ``Ő``...), Greek and Cyrillic.
    _UPPER = PersonCueRecognizer._UPPER[:-1] + "Α-ΩА-Я]"
    _PLACE = (
        rf"(?:{_UPPER}[\w'’-]*(?:[ \t]+(?:(?:de|del|la|le|di|da|nad|pod|am|an|der|sur|en|on)[ \t]+)?"
        rf"{_UPPER}[\w'’-]*){{0,3}})"
    )
    #: In a text written all in lower case, one or two words right after a strong cue ("grew up in grasse").
    LOWER_PLACE = re.compile(
        r"\b(?:lives?|lived|living|moved(?:[ \t]+here)?|born|grew[ \t]+up|originally|reside|relocated|"
        r"(?:i['’]?m|i[ \t]+am|we['’]?re|we[ \t]+are)(?=[ \t]+(?:originally[ \t]+)?from\b))"
        r"(?:[ \t]+(?:back|here|there|now|currently|originally|down|up|out|over|away))?[ \t]+(?:in|at|from|to|near)[ \t]+"
        r"(?P<place>[^\W\d_][\w'’-]*(?:[ \t]+[^\W\d_][\w'’-]*)?)"
    )
    PATTERN = re.compile(
        r"\b(?i:lives?|lived|living|moved(?:[ \t]+here)?|move|moving|moves|settled|born|grew[ \t]+up|based|located|staying|stay|i'?m|i[ \t]+am|"
        r"we're|we[ \t]+are|arrived|arriving|travel(?:l?ing)?|flying|flew|fly|trip|visit(?:ing)?|originally|reside|relocat\w*|"
        r"coming|going|headed|heading|home[ \t]+city|hometown|city[ \t]+of|town[ \t]+of|where:|"
        r"(?:holiday|vacation|honeymoon|studying|studies|works|working|commutes|commuting)(?=[ \t]+(?:in|at|to|near)\b)|"
        r"(?:flight|train|bus|ferry|drive|ride|commute|commuted|commuting)(?=[ \t]+(?:to|from)\b)|work(?=[ \t]+in\b)|"
        r"raised|back[ \t]+home(?=[ \t]+(?:in|near)\b)|home(?=[ \t]+(?:in|near)\b))"
        r"(?:[ \t]+(?i:back|here|there|now|currently|down|up|out|over|away))?[ \t]+(?i:in|at|from|to|near|of)?[ \t]*"
        rf"(?P<place>{_PLACE})"
    )
    #: Where the writer's relations live or come from: "my parents in Leeds", "our son who lives near Graz".
    RELATION_PLACE = re.compile(
        rf"\b(?i:my|our)[ \t]+(?:[\w'’-]+[ \t]+)?(?i:(?:{RELATIONS})s?|in-laws|grandparents|relatives|family|folks|"
        rf"children)(?:['’]s|[ \t]+(?:(?i:who|that)[ \t]+)?(?i:lives?|lived|is|are|was|were|stays?|works?|worked|"
        rf"stud(?:y|ies|ied)))?(?:[ \t]+(?i:originally|still|now|currently|also))?[ \t]+(?i:in|near|from)[ \t]+"
        rf"(?P<place>{_PLACE})"
    )
    #: A relation's home by the possessive: "at my sister's near Truro", "at their gran's in Dunoon", "my in-laws' in
    #: Hexham" (the relations of the writer or of the people the text is about).
    POSSESSIVE_HOME = re.compile(
        rf"\b(?i:my|our|his|her|their)[ \t]+(?:[\w-]+[ \t]+)?(?i:(?:{RELATIONS})s?|gran|in-laws|grandparents|folks)"
        rf"(?:['’]s|(?<=s)['’])[ \t]+(?:(?i:place|house|home|flat|farm|cottage)[ \t]+)?(?i:in|near|(?:just[ \t]+)?outside)"
        rf"[ \t]+(?P<place>{_PLACE})"
    )
    #: A place near which someone lives, by a distance or a side: "we live about twenty minutes from Stroud", "I live
    #: just outside Bicester", "my parents live a few miles north of Ripon", "based on the outskirts of Kendal".
    _NEAR_CUE = (
        r"\b(?i:live|lives|lived|living|based|settled|grew[ \t]+up|moved|moving)(?:[ \t]+(?i:just|right|only|about|"
        r"around|roughly|some|a|an|few|couple|of|half|\d+|one|two|three|four|five|six|seven|eight|nine|ten|fifteen|"
        r"twenty|thirty|forty|fifty))*?[ \t]+(?i:(?:minutes?|mins?|miles?|kms?|kilomet(?:re|er)s?|hours?|hrs?)"
        r"(?:['’]?[ \t]+(?:drive|walk|ride))?[ \t]+(?:away[ \t]+)?(?:from|outside|(?:north|south|east|west)[ \t]+of)|outside|"
        r"on[ \t]+the[ \t]+(?:outskirts|edge)[ \t]+of|(?:north|south|east|west|north-east|north-west|south-east|"
        r"south-west)[ \t]+of|close[ \t]+to|next[ \t]+to)[ \t]+"
    )
    NEAR_PLACE = re.compile(_NEAR_CUE + rf"(?P<place>{_PLACE})")
    LOWER_NEAR = re.compile(_NEAR_CUE + r"(?P<place>[^\W\d_][\w'’-]*(?:[ \t]+[^\W\d_][\w'’-]*)?)")
    #: Where the writer or a relation works, teaches, volunteers or studies, or a child goes to school: "I teach at a
    #: primary school in Keighley", "I volunteer at the food bank in Grimsby", "our son goes to school in Thame".
    WORK_AT = re.compile(
        rf"\b(?:I|[Ww]e|(?i:my|our)[ \t]+[\w'’-]+)(?:['’]m|['’]re|[ \t]+(?i:am|are|is))?(?:[ \t]+(?i:still|now|currently|"
        rf"also|just))?[ \t]+(?:(?i:work|works|worked|working|teach|teaches|taught|teaching|volunteer|volunteers|"
        rf"volunteered|volunteering|study|studies|studied|studying)(?:[ \t]+(?i:part-time|full-time|as[ \t]+an?[ \t]+"
        rf"[\w-]+))?[ \t]+(?i:at|for)[ \t]+(?:[\w'’&-]+[ \t]+){{0,4}}?|(?i:go|goes|went|going|attend|attends|"
        rf"attended)[ \t]+(?i:to[ \t]+)?(?:(?i:a|the|primary|secondary|high|boarding|nursery|sixth-form)[ \t]+)*"
        rf"(?i:school|uni|university|college|nursery|kindergarten|preschool|church)[ \t]+)(?i:in|near|outside)[ \t]+"
        rf"(?P<place>{_PLACE})"
    )
    #: Where the writer is: "Here in Tromsø the sun doesn't set": at a sentence's start, with the writer in it.
    HERE_IN = re.compile(
        rf"(?:^|(?<=[.!?\n]))[ \t]*(?i:(?:out|over|back|down|up)[ \t]+)?(?i:here)[ \t]+in[ \t]+(?P<place>{_PLACE})"
    )
    #: Where someone's home, school or work is: "my flat in Leeds", "our house near Hexham", "my aunt's place in
    #: Tenby", "my old school in Rochdale". A favourite place or a place in a queue names no one's home.
    HOME_PLACE = re.compile(
        rf"\b(?i:my|our)[ \t]+(?:[\w-]+['’]s?[ \t]+)?(?:(?i:new|old|current|first|family|own|childhood|rented|"
        rf"little|tiny|small)[ \t]+)?(?i:house|home|flat|apartment|place|office|school|uni|university|college|"
        rf"workplace|job|street|neighbou?rhood|village|town)[ \t]+(?i:in|near|just[ \t]+outside|outside|"
        rf"on[ \t]+the[ \t]+outskirts[ \t]+of)[ \t]+(?P<place>{_PLACE})"
    )
    #: One's own town named after the word for it: "my hometown, Ludlow", "my home town of Tralee".
    HOMETOWN = re.compile(
        rf"\b(?i:my|our|his|her|their)[ \t]+(?i:home[ \t]?town|home[ \t]+city|birthplace|native[ \t]+(?:town|city|"
        rf"village))(?:[ \t]*,|[ \t]+(?i:of|is|was))[ \t]+(?P<place>{_PLACE})"
    )
    #: The place before the cue: "Harrogate is where I grew up", "Keswick, where my parents live, ...".
    WHERE_AFTER = re.compile(
        rf"(?P<place>{_PLACE})(?:[ \t]*,|[ \t]+(?:is|was))[ \t]+where[ \t]+(?:I|we|(?i:my|our)[ \t]+[\w'’-]+)"
        rf"(?:[ \t]+[a-z]+){{0,2}}?[ \t]+(?i:live|lives|lived|grew[ \t]+up|was[ \t]+born|were[ \t]+born|work|works|"
        rf"worked|study|studies|studied|moved|stay|stays|stayed|come[ \t]+from|came[ \t]+from|am[ \t]+from|"
        rf"are[ \t]+from|is[ \t]+from)\b"
    )
    #: A place named after the word for it, where one lives or comes from: "I live in a village called Ashwell".
    CALLED = re.compile(
        rf"\b(?i:live|lives|lived|living|grew[ \t]+up|born|raised|moved|moving|come[ \t]+from|comes[ \t]+from|"
        rf"came[ \t]+from|i['’]m[ \t]+from|work|works|worked|working|study|studies|studying)\b[^.!?\n]{{0,40}}?"
        rf"\b(?i:town|village|city|suburb|hamlet|place|area|neighbou?rhood|district|island)[ \t]+(?i:called|named)"
        rf"[ \t]+(?P<place>{_PLACE})"
    )
    #: The second place of "from X to Y": the person's when the policy ties the route to someone ("we moved from
    #: Leeds to Carpi", not "the train from London to York").
    FROM_TO = re.compile(rf"\bfrom[ \t]+{_PLACE}[ \t]+to[ \t]+(?P<second>{_PLACE})")
    #: In a text written all in lower case, a place after a cue of travel ("flying back to lisbon on friday"): one
    #: or two words, then tied to someone by the policy like the capitalised ones.
    LOWER_TRAVEL = re.compile(
        r"\b(?:fly|flying|flew|flight|trip|visit|visiting|travel(?:l?ing)?|heading|headed|arriving|arrived|"
        r"driving|drive|holiday|vacation|honeymoon)(?:[ \t]+(?:back|home|out|over|down|up))?[ \t]+"
        r"(?:from[ \t]+[^\W\d_][\w'’-]*(?:[ \t]+[^\W\d_][\w'’-]*)??[ \t]+to|to|in|from)[ \t]+"
        r"(?P<place>[^\W\d_][\w'’-]*(?:[ \t]+[^\W\d_][\w'’-]*)?)"
    )
    #: The first place of a lower-case route after a cue of travel ("driving from leeds to ...").
    LOWER_ROUTE_START = re.compile(
        r"\b(?:fly|flying|flew|flight|trip|travel(?:l?ing)?|heading|headed|driving|drive)"
        r"(?:[ \t]+(?:back|home|out|over|down|up))?[ \t]+from[ \t]+(?P<place>[^\W\d_][\w'’-]*(?:[ \t]+[^\W\d_][\w'’-]*)?)"
        r"(?=[ \t]+to\b)"
    )
    PRECHECK = re.compile(
        r"live|living|move|moving|settled|born|grew|based|located|stay|i'?m|i am|we'?re|arriv|travel|fly|flew|flight|"
        r"trip|visit|originally|resid|relocat|coming|going|head|home|city|town|where:|driv|holiday|vacation|honeymoon|"
        r"stud|work|commut|train|bus|ferry|ride|raised",
        re.IGNORECASE,
    )
    _precheck = CaseFreePrecheck(PRECHECK)

    def analyze(self, text: str, doc: Doc | None = None) -> list[PiiSpan]:
        lowered = text.lower()
        matches = (
            [(m, "relation") for p in (self.RELATION_PLACE, self.HOME_PLACE) for m in p.finditer(text)]
            if "my " in lowered or "our " in lowered
            else []
        )
        if "where" in lowered:
            matches += [(m, "relation") for m in self.WHERE_AFTER.finditer(text)]
        if "town" in lowered or "city" in lowered or "birthplace" in lowered:
            matches += [(m, "relation") for m in self.HOMETOWN.finditer(text)]
        if "called" in lowered or "named" in lowered:
            matches += [(m, "relation") for m in self.CALLED.finditer(text)]
        lower = text == lowered
        if "'" in text or "’" in text:
            matches += [(m, "relation") for m in self.POSSESSIVE_HOME.finditer(text)]
        if any(w in lowered for w in _NEAR_VERBS):
            near = (self.LOWER_NEAR if lower else self.NEAR_PLACE).finditer(text)
            matches += [(m, "relation") for m in near if not _GENERIC_BEFORE.search(text, 0, m.start())]
        if any(w in lowered for w in _WORK_WORDS):
            matches += [(m, "relation") for m in self.WORK_AT.finditer(text)]
        if "here in" in lowered:
            matches += [
                (m, "relation")
                for m in self.HERE_IN.finditer(text)
                if _WRITER.search(text[m.end() :].split(".", 1)[0].split("?", 1)[0].split("!", 1)[0])
            ]
        if self._precheck(text):
            # "how many people live in Paris", "the best area to stay in Lisbon": a general question, no one's place
            matches += [
                (m, "place")
                for m in self.PATTERN.finditer(text)
                if not _GENERIC_BEFORE.search(text, max(0, m.start() - 60), m.start())
            ]
            matches += [(m, "second") for m in self.FROM_TO.finditer(text)]
            if lower:
                matches += [(m, "place") for m in self.LOWER_PLACE.finditer(text)]
                matches += [(m, "place") for m in self.LOWER_TRAVEL.finditer(text)]
                matches += [(m, "place") for m in self.LOWER_ROUTE_START.finditer(text)]
        spans: dict[tuple[int, int], PiiSpan] = {}
        for match, group in matches:
            start, end = match.span("place" if group == "relation" else group)
            words = text[start:end].split()
            while words and (_not_place(words[-1]) or (lower and words[-1] in _NOT_PLACE_LOWER)):
                words.pop()
            if not words or (
                (_not_place(words[0]) and not _opens_place_name(words))
                or (lower and words[0] in _NOT_PLACE_LOWER)
            ):
                continue
            if (
                lower
                and len(words) == 2
                and words[0] not in _TWO_WORD_PLACE_FIRST
                and fold(" ".join(words)) not in public_places()
            ):
                words.pop()  # "lisbon tomorrow", "porto friday": one word unless the two are one name
            end = start + len(" ".join(words))
            # the second place of a route is the person's only when the policy ties the route to someone ("we moved
            # from Leeds to Carpi"; not "the train from London to York")
            strong = group == "relation" or bool(
                _STRONG_PLACE_CUE.search(match.group(0)[: start - match.start()])
            )
            if (start, end) not in spans or strong:
                # one span per place: two cues of the same place ("my friend lives in X") give it once, strong if any is
                spans[start, end] = PiiSpan(
                    "LOCATION", start, end, self.SCORE, self.name if strong else f"{self.name}:weak"
                )
        return list(spans.values())


#: Place cues that tie the place to someone by themselves ("grew up in", "Where:"); the others ("trip to",
#: "flying to") go through the policy's check for a person in the sentence.
_STRONG_PLACE_CUE = re.compile(
    r"(?i:lives?|lived|living|born|grew[ \t]+up|raised|hometown|home[ \t]+city|back[ \t]+home|moved|move|moving|moves|"
    r"settled|relocat\w*|originally|reside|where:|based|staying|stay)"
)


#: Words before a cue of living or staying that make it general: people at large ("how many people actually live
#: in"), or the place one might choose ("the best area to stay in", "a good place to live in").
_GENERIC_BEFORE = re.compile(
    r"(?i:\b(?:people|residents|inhabitants|locals|everyone|everybody|anyone|anybody|nobody|tourists|visitors|"
    r"families|expats)(?:[ \t]+(?:actually|still|really|now|usually|who|that|can|could|would))*"
    r"|\b(?:place|places|city|cities|town|towns|area|areas|part|parts|neighbou?rhoods?|districts?|where|best|good|"
    r"nice|safe|safest|cheap|cheapest|expensive|easy|hard|better)[ \t]+to)[ \t]+$"
)
#: Cue words that let the distance, workplace and school searches run.
_NEAR_VERBS = ("live", "living", "based", "settled", "grew up", "moved", "moving")
_WORK_WORDS = (
    "work",
    "teach",
    "taught",
    "volunteer",
    "stud",
    "school",
    "uni",
    "college",
    "nursery",
    "church",
)
#: The writer in the rest of a "Here in ..." sentence.
_WRITER = re.compile(r"\b(?:I|I['’](?:m|ve|ll|d)|(?i:we|we['’](?:re|ve|ll|d)|my|our|me|us))\b")

#: Lower-case words after a travel cue that are no place: where one goes every day, and verbs ("flying to see").
_NOT_PLACE_LOWER = frozenset(
    """
    bed work school class church town home hospital uni college office gym airport station shop shops store
    around nowhere outside hr it support sales marketing accounts
    market beach park pub bar party dinner lunch breakfast practice training sleep there here tomorrow tonight
    today weekend week morning evening afternoon night soon asap now see visit meet pick get grab buy check do
    go have make take find watch collect drop attend catch stay spend study celebrate help be my our his her
    their your a an the this that some somewhere anywhere everywhere abroad overseas europe asia africa america
    """.split()  # noqa: SIM905
)
#: First words of two-word place names ("new york", "san sebastián", "rio de", "hong kong").
_TWO_WORD_PLACE_FIRST = frozenset(
    """
    new san santa santo los las st saint sankt port fort el la le rio sao são hong kuala buenos tel abu costa
    palma porto puerto mont mount lake cape west east north south upper lower great little ho ciudad
    """.split()  # noqa: SIM905
)


def _opens_place_name(words: list[str]) -> bool:
    """A capitalised English function word before another capitalised word opens a place's name ("Much Hadham",
    "Over Wallop", "Nether Stowey"); "The", "My", a weekday or a month do not."""
    first = words[0]
    return (
        len(words) > 1
        and first[:1].isupper()
        and first[1:].islower()
        and first not in NOT_PII
        and first.capitalize() not in _NOT_PLACE
        and words[1][:1].isupper()
        and not _not_place(words[1])
    )


def _not_place(word: str) -> bool:
    return word in NOT_PII or word.capitalize() in _NOT_PLACE or word.lower() in STOP_WORDS


_NOT_PLACE = frozenset(
    """
    I The A An This That My Our Your Monday Tuesday Wednesday Thursday Friday Saturday Sunday Mondays Tuesdays
    Wednesdays Thursdays Fridays Saturdays Sundays Weekends January
    February March April May June July August September October November December Country Club Street
    Road Avenue Here There Home Work School Office Year Grade Class Form Room Ward
    """.split()  # noqa: SIM905
)
