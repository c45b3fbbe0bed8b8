"""The policy of docs/privacy.md applied to candidate names and places: mask what the evidence says is private.

The language model and the name lists say *a person* or *a place*; they cannot say *private*. This module decides,
per candidate, from the text around it:

* places: countries, states, provinces and large regions are never masked; another place is masked when a person
  is tied to it (``I live in``, ``we moved from X to Y``, a name or pronoun in the same sentence before a
  preposition) or when a cue recognizer found it;
* people: a name is masked on evidence — a cue (title, greeting, "my name is", a relation such as "my manager"),
  contact details in the same paragraph, a form or CSV field, the same name found with evidence elsewhere — or when
  it reads as a private full name (a known given name or surname) in a paragraph with no sign of a public role
  (no year, no "president", "novel", "won"...). A word that only opens a sentence is never a name by itself.

``SUMMARY`` is the one-paragraph form the dataset card prints.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from spacy.lang.en.stop_words import STOP_WORDS

from prefloop.curator.scrub.recognizers.wordlists import NOT_PII, PLACE_NAMES, RELATIONS
from prefloop.curator.scrub.types import PiiSpan
from prefloop.curator.scrub.vocab import fold, given_names, public_places, surnames, titles

__all__ = ["SUMMARY", "WEAK_RECOGNIZERS", "apply_policy"]

SUMMARY = (
    "Masked (docs/privacy.md): private people's names (full or partial), e-mail addresses (all but obvious "
    "placeholders such as user@ or you@), phone numbers, card numbers, IBANs, SSNs, IP addresses, exact addresses "
    "and places tied to a person, dates of birth, secrets and credentials, personal URLs. Kept: countries, states "
    "and provinces, cities named generically, public figures in their public role, organisations, products, "
    "technical terms and ordinary words."
)

#: Recognizers whose hits are only candidates: the model and the name lists find *a* name or place.
WEAK_RECOGNIZERS = frozenset(
    {
        "spacy_ner",
        "person_names",
        "country",
        "person_cue:weak",
        "given_names",
        "location_cue:weak",
    }
)
#: Candidates kept only on evidence of their own: known given names of any language (``recognizers/given.py``).
_EVIDENCE_ONLY = frozenset({"given_names"})
_CONTACT_TYPES = frozenset(
    {
        "EMAIL_ADDRESS",
        "PHONE_NUMBER",
        "STREET_ADDRESS",
        "IBAN_CODE",
        "CREDIT_CARD",
        "US_SSN",
        "DATE_OF_BIRTH",
        "URL",
    }
)
_YEAR = re.compile(r"\b(?:1[0-9]{3}|20[0-2][0-9])s?\b")
_MONTH = (
    r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sep(?:t(?:ember)?)?|"
    r"oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?"
)
#: A calendar date of this century, day, month and year: a booking, a deadline, an appointment — no sign of history.
_CALENDAR_DATE = re.compile(
    rf"\b(?:\d{{1,2}}[./-]\d{{1,2}}[./-]20\d\d|20\d\d[./-]\d{{1,2}}[./-]\d{{1,2}}|"
    rf"\d{{1,2}}(?:st|nd|rd|th)?[ \t]+(?:of[ \t]+)?{_MONTH},?[ \t]+20\d\d|"
    rf"{_MONTH}[ \t]+\d{{1,2}}(?:st|nd|rd|th)?,?[ \t]+20\d\d)\b",
    re.IGNORECASE,
)


def _history_year(text: str, start: int, end: int) -> bool:
    """A year in ``text[start:end]`` that is not part of a calendar date of this century ("in 1965", "the 1990s",
    but not "on 12 March 2026" nor "2026-03-12")."""
    for year in _YEAR.finditer(text, start, end):
        window_start = max(0, year.start() - 24)
        dates = _CALENDAR_DATE.finditer(text, window_start, min(len(text), year.end() + 8))
        if not any(d.start() <= year.start() and year.end() <= d.end() for d in dates):
            return True
    return False


#: Words of a public role. Everyday senses of the same words are left out, since private chat is full of them:
#: "won't", "book a table", "a queen room", "customer service representative", "order history", "in general",
#: "play with", "a quote for the roof", "coach tickets" (issue 14, session 9).
_PUBLIC_CONTEXT = re.compile(
    r"\b(?:president|chancellor|prime minister|minister|(?:king|queen)(?![ \t-]*(?:size|sized|beds?|rooms?|suites?|mattress))|"
    r"emperor|empress|pope|saint|senator|governor|mayor|"
    r"(?<!service )(?<!sales )(?<!support )(?<!customer )(?<!account )representative|congress\w*|parliament|politician|"
    r"(?-i:General(?=[ \t]+[A-Z]))|author|novel\w*|poet|poem(?![ \t]+(?:for|to)\b)|"
    r"painter|painting|composer|symphony|scientist|physicist|chemist|philosopher|actor|actress|singer|rapper|band|"
    r"album|song(?![ \t]+(?:for|to)\b)|film|movie|"
    r"book(?![ \t]+(?:a|an|the|me|us|him|her|them|it|my|our|your|his|their|two|three|four|five|\d+|for|in|at|online|"
    r"tickets?|tables?|flights?|rooms?|seats?|appointments?|club)\b)|"
    r"chapter|artist|artwork|portrait|director|nobel|prize|award|won(?!['’]t)|wins|champion\w*|olympic\w*|world cup|grand slam|"
    r"published|wrote|painted|composed|discovered|invented|founded|founder|elected|reigned|ruled|"
    r"(?<!order )(?<!medical )(?<!purchase )(?<!search )(?<!browser )(?<!browsing )(?<!credit )(?<!payment )"
    r"(?<!chat )(?<!call )(?<!work )(?<!rental )(?<!account )(?<!message )(?<!family )history|"
    r"historical|century|biography|famous|celebrity|leadership|influenced|legacy|theory|essay|dynasty|empire|"
    r"revolution|war|battle|mission|character|(?:a|the|this|that|his|her|their|school|stage)[ \t]+play|plays?[ \t]+by|"
    r"tragedy|opera|ceo|billionaire|inventor|mathematician|"
    r"astronaut|explorer|footballer|tennis|athlete|coach(?![ \t]+(?:trip|tickets?|station|travel|journey|ride|seats?|bus|to))|"
    r"chess|wikipedia|quotes?[ \t]+(?:by|from|of)|quoted|famous[ \t]+quotes?|"
    r"(?:famous|inaugural|victory|acceptance|campaign|nobel|historic)[ \t]+speech|speech(?:es)?[ \t]+(?:by|of)|"
    r"gave[ \t]+a[ \t]+speech)\b",
    re.IGNORECASE,
)
_RELATION = rf"(?:my|our|his|her|their|your)\s+(?:[\w'’]+\s+)?(?:{RELATIONS})"
_CUE_BEFORE = re.compile(
    rf"(?:\b(?:dear|hi|hello|hey|thanks|thank you|cheers|regards|sincerely|attn:?|cc:?|from:|to:|name:|"
    rf"my name is|my name's|i am|i'm|this is|call me|signed|ask|tell|told|meet|met|contact|email|e-mail|text|"
    rf"thank|mention|remind|reminder for|note for|"
    rf"call|invite|remind|reply to|write to|note to|letter to|message to|married|dating|named|called|"
    rf"(?:card|message|note|letter|e-?mail|text|reply|toast|invitation|apology|gift|present|voicemail)\s+(?:to|for)|"
    rf"follow up with|commenter|user|customer|patient|client|employee|reader|listener|viewer|subscriber|"
    rf"tenant|applicant|guest|resident|participant|volunteer|(?:assistant|secretary|aide) to)|"
    rf"{_RELATION})\s*,?\s*$",
    re.IGNORECASE,
)
#: Cues of the writer's own dealings with the person: contacting them, plans and occasions with or for them, things
#: done for them ("tell", "coffee with", "pick up", "a poem for", "a reservation for", "addressed to"). Such a cue is
#: outweighed only by a public-role word right beside the name (``_private_person``).
_PERSONAL_CUE_BEFORE = re.compile(
    r"\b(?:ask|tell|text|call|invite|remind|reminder\s+for|email|e-mail|thank|thank\s+you|thanks|reply\s+to|"
    r"write\s+to|note\s+to|letter\s+to|message\s+to|my\s+name\s+is|my\s+name's|call\s+me|follow\s+up\s+with|"
    r"(?:card|message|note|letter|e-?mail|text|reply|toast|invitation|apology|gift|present|voicemail|poem|speech|"
    r"surprise|party|cake|playlist|eulogy|wishes)\s+(?:to|for)|"
    r"(?:lunch|dinner|breakfast|brunch|coffee|drinks|tea|date|playdate|sleepover|catch[ -]?up|hang[ -]?out|"
    r"meet[ -]?up|call|chat|1:1|one-on-one|appointment|session|sync|walk)\s+with|"
    r"pick(?:ing)?\s+up|drop(?:ping)?\s+off|babysit(?:ting)?|look(?:ing)?\s+after|take\s+care\s+of|"
    r"(?:reservation|booking|appointment|table|room|order|delivery|parcel|package)\s+for|on\s+behalf\s+of|"
    r"addressed\s+to|(?:booked|reserved|registered|it's|it\s+is)\s+under)\s*,?\s*$",
    re.IGNORECASE,
)
#: A verb in a ``_NAME_VERB_AFTER`` match (not the colon of a label, nor "and" of a list).
_VERB = re.compile(r"\b(?!and\b)[a-z]", re.IGNORECASE)
#: How near a public-role word must stand to a name with a personal cue to make it a public figure's ("Tell Sarah
#: I loved the film" is no film of Sarah's; "President X", "X, the author" are).
_PUBLIC_WORD_REACH = 15
_NAME_VERB_AFTER = re.compile(
    r"\s*(?:[,:]|(?:(?:just|really|always|never|still|also|finally|already|only|often|usually|actually|then|"
    r"suddenly|probably|sometimes|even)\s+)?(?:is|was|has|had|and|said|says|told|asked|wants|wanted|thinks|thought|keeps|lives|lived|works|"
    r"worked|called|texted|emailed|wrote|sent|agreed|replied|will|won't|can't|doesn't|didn't|shouted|spent|gave|"
    r"went|came|left|met|loves|likes|hates|needs)\b)",
    re.IGNORECASE,
)
_PRIVATE_ROLE_BEFORE = re.compile(
    r"\b(?:(?:assistant|secretary|aide) to|commenter|customer|patient|client|employee|tenant|applicant|guest|"
    r"resident|participant|volunteer|subscriber)\s*,?\s*$",
    re.IGNORECASE,
)
_RELATION_ANYWHERE = re.compile(r"\b" + _RELATION + r"\b", re.IGNORECASE)
_MY_RELATION_BEFORE = re.compile(rf"\b(?:my|our)\s+(?:[\w'’]+\s+)?(?:{RELATIONS})\s*,?\s*$", re.IGNORECASE)
#: A relation right after the name: "Dana is my sister", "Dana (my flatmate)", "Dana, who is our childminder".
_RELATION_AFTER = re.compile(
    rf"[ \t]*(?:,[ \t]*|\([ \t]*|[ \t]+(?:is|was|who[ \t]+is|who['’]s|who[ \t]+was)[ \t]+|['’]s[ \t]+)"
    rf"{_RELATION}\b",
    re.IGNORECASE,
)
#: Everyday occasions of a person's own life after the name: "Dana's baby shower", "Dana is coming over".
_EVERYDAY_AFTER = re.compile(
    r"(?:['’]s[ \t]+(?:wedding|baby[ \t]+shower|hen[ \t]+(?:do|party|night)|stag[ \t]+(?:do|party)|"
    r"leaving[ \t]+(?:do|party|card|drinks)|farewell[ \t]+(?:party|card|drinks)|retirement[ \t]+(?:do|party|card)|"
    r"housewarming|christening|surgery|operation|appointment|shift|rent|deposit|homework|school[ \t]+run|"
    r"sleepover|playdate|train)"
    r"|(?:[ \t]+(?:is|was|will[ \t]+be|has|had|just|still|finally))*[ \t]+(?:coming|came|comes)[ \t]+(?:over|round|to[ \t]+stay)"
    r"|(?:[ \t]+(?:is|was|will[ \t]+be|has|had|just|still|finally))*[ \t]+(?:staying|sleeping|slept|stayed)[ \t]+over"
    r"|(?:[ \t]+(?:is|was|will[ \t]+be|has|had|just|still|finally))*[ \t]+(?:moving|moved|moves)[ \t]+(?:in|out)\b"
    r"|(?:[ \t]+(?:is|was|will[ \t]+be|has|had|just|still|finally))*[ \t]+(?:dropping|dropped|popping|popped)[ \t]+(?:by|in|round|over))",
    re.IGNORECASE,
)
#: Signs that a text is about someone's own affairs (a record, an account, a customer conversation): a bare name
#: in such a text is taken as private; in a text with none of these nor contact details nor a cue, it is not.
_PRIVATE_AFFAIRS = re.compile(
    r"\b(?:(?:my|your|our|his|her|their|the)\s+(?:\w+\s+)?(?:account|order|booking|reservation|appointment|"
    r"file|records?|claim|application|ticket|subscription|name|beneficiar\w*|guardian|patient|client|customer|"
    r"user|member|guest|tenant|applicant|employee|commenter|follower|payment|invoice|delivery|parcel)|"
    r"follow(?:ing)? up with|name on the|\b(?:i|we)\s+(?:\w+\s+)?(?:met|meet|dated|married|visited|hired|invited|"
    r"texted|emailed)\b|^\s*(?:user|customer|client|agent|bot|me|operator)\s*:)",
    re.IGNORECASE | re.MULTILINE,
)
_PERSON_TIE = re.compile(r"\b(?:i|i'm|i've|i'll|we|we're|we've|my|our|me|us)\b", re.IGNORECASE)
_GREETING_BEFORE = re.compile(r"\b(?:dear|hi|hello|hey|regards|thanks|cheers)\b[^\n]{0,3}$", re.IGNORECASE)
_PLACE_BEFORE = re.compile(r"\b(?:in|to|from|at|near|via|into)\s+$", re.IGNORECASE)
_LANDMARK_FIRST = frozenset(
    "lake mount mt river saint st fort port cape isla lac monte loch glen sierra rio san santa sankt".split()  # noqa: SIM905
)
_PLACE_PREPOSITION = re.compile(
    r"\b(?:in|to|from|at|near|into|of|towards?|via)\s+(?:the\s+)?$", re.IGNORECASE
)
_INTERJECTIONS = frozenset(
    [
        "oh",
        "um",
        "uh",
        "ah",
        "eh",
        "hm",
        "hmm",
        "well",
        "yes",
        "no",
        "okay",
        "ok",
        "sure",
        "right",
        "wow",
        "hey",
        "yeah",
        "nope",
        "alas",
    ]
)
_SENTENCE_BREAK = re.compile(r"[.!?](?=\s)|\n")
_WORD = re.compile(r"[^\W\d_][\w'’-]*")
_PARAGRAPH = re.compile(r"\n\s*\n")
_NOT_A_NAME_WORD = frozenset({"the", "a", "an", "this", "that", "these", "those", "it", "its"})
#: Greetings, sign-offs, thanks and the word "address" of the evaluation locales' languages, which the model
#: sometimes takes for a name (folded).
_SIGN_OFF_WORDS = frozenset(
    """
    grussen grusse gruss gruß saludos cordialement regards groeten groet hilsen terveisin pozdrawiam salutations
    saluti atenciosamente atentamente cumprimentos cheers thanks best sincerely hallo hola ciao bonjour hej
    danke merci grazie gracias obrigado obrigada bedankt dankjewel dziekuje dzieki tack takk kiitos tesekkurler
    valeu adresse l'adresse indirizzo l'indirizzo direccion endereco adres adressen adresa adresi
    """.split()  # noqa: SIM905
)


def apply_policy(text: str, spans: Sequence[PiiSpan]) -> list[PiiSpan]:
    """``spans`` minus the weak PERSON and LOCATION candidates the policy keeps (see the module docstring)."""
    if not any(s.type in ("PERSON", "LOCATION") for s in spans):
        return list(spans)
    contact = [s for s in spans if s.type in _CONTACT_TYPES]
    candidates = [(s.start, s.end) for s in spans if s.type == "PERSON"]
    strong_names = {
        fold(text[s.start : s.end])
        for s in spans
        if s.type == "PERSON" and not _weak(s) and not _public_role(text, s, contact, candidates)
    }
    strong_parts = {part for name in strong_names for part in name.split() if len(part) > 2}
    model_places = [(s.start, s.end) for s in spans if s.type == "LOCATION" and s.recognizer == "spacy_ner"]
    cued_places = [
        (s.start, s.end) for s in spans if s.type in ("LOCATION", "STREET_ADDRESS") and not _weak(s)
    ]
    private_context = bool(contact or strong_names or cued_places) or bool(
        _RELATION_ANYWHERE.search(text) or _PRIVATE_AFFAIRS.search(text)
    )
    # longer candidates first, so the words of a full name kept as public also keep its parts ("Taylor's Version")
    public_words: set[str] = set()
    kept_as_public: list[tuple[int, int]] = []
    dropped: set[int] = set()
    untied: list[int] = []
    for index in sorted(range(len(spans)), key=lambda i: spans[i].start - spans[i].end):
        span = spans[index]
        value = text[span.start : span.end]
        if span.type == "LOCATION":
            if _public_place(value):
                dropped.add(index)
            elif _weak(span) and not _place_tied_to_person(text, span, spans):
                dropped.add(index)
                if span.recognizer == "location_cue:weak":
                    untied.append(index)  # a place after a cue of travel: whose travel is decided below
        elif span.type == "PERSON" and _weak(span):
            folded_words = [fold(w.strip(".,'’")) for w in value.split()]
            if _public_use(text, span):
                # "a huge X fan", "a song by X": people have fans and works in a public role
                dropped.add(index)
                if len(folded_words) > 1:
                    kept_as_public.append((span.start, span.end))
                    public_words.update(w for w in folded_words if len(w) > 2)
            elif any(a < span.end and span.start < b for a, b in cued_places):
                dropped.add(index)  # "lives in San Giuseppe Vesuviano": the cue says place
            elif span.recognizer in ("person_names", "spacy_ner") and (
                (folded_words and all(w in public_words for w in folded_words))
                or any(a <= span.start and span.end <= b for a, b in kept_as_public)
            ):
                dropped.add(
                    index
                )  # part of a longer candidate judged not private (a cue of its own still counts)
            elif not _private_person(
                text,
                span,
                value,
                contact,
                strong_parts,
                any(a < span.end and span.start < b for a, b in model_places),
                private_context,
                evidence_only=span.recognizer in _EVIDENCE_ONLY,
                others=candidates,
            ):
                dropped.add(index)
                if len(folded_words) > 1 and span.recognizer not in _EVIDENCE_ONLY:
                    # judged not private on the whole text; a candidate without evidence of its own says nothing
                    kept_as_public.append((span.start, span.end))
                    public_words.update(w for w in folded_words if len(w) > 2)
        elif (
            span.type == "PERSON"
            and span.recognizer.startswith("person_cue")
            and _public_role(text, span, contact, candidates)
        ):
            dropped.add(index)  # "Mr. Darcy" in a novel's summary, "Mr. Scaringe also founded..."
    # a place the private people of the text travel to is theirs too ("Dana is flying back to Porto")
    people = [span for index, span in enumerate(spans) if span.type == "PERSON" and index not in dropped]
    for index in untied:
        if _tied_to_private_person(text, spans[index], people, private_context):
            dropped.discard(index)
    dropped_names = {(spans[i].start, spans[i].end) for i in dropped if spans[i].type == "PERSON"}
    kept = [span for index, span in enumerate(spans) if index not in dropped]
    return kept + _co_actors(text, kept, dropped_names, kept_as_public)


def _co_actors(
    text: str,
    kept: Sequence[PiiSpan],
    candidates: set[tuple[int, int]],
    public: Sequence[tuple[int, int]] = (),
) -> list[PiiSpan]:
    """Lone names that do something with, or to, a private person or their contact details in the same sentence.

    "Klimek shouted at Katie", "Robert had given Chise his address: ...": the people of an everyday scene with a
    private person or a private address in it are private too. A word counts when the model or the lists proposed it as a person
    (``candidates``) or it is a given name of any language (libpostal), is capitalised, and is the subject of a
    verb or right after one; never in a sentence about a public role. A text that changes only because of this
    already had a private name masked in it, so ordinary texts cannot change through it.
    """
    found: list[PiiSpan] = []
    for person in kept:
        if person.type != "PERSON" and person.type not in _CONTACT_TYPES:
            continue
        sentence_start = person.start - len(_sentence_before(text, person.start))
        following = _SENTENCE_BREAK.search(text, person.end)
        sentence_end = following.start() if following else len(text)
        if _public_paragraph(text, sentence_start, sentence_end):
            continue  # the people of a sentence about a public role
        for word in _LONE_WORD.finditer(text, sentence_start, sentence_end):
            start, end = word.span()
            value = word.group()
            folded = fold(value)
            if (
                not (value[0].isupper() and value[1:].islower())
                or any(s.start < end and start < s.end for s in (*kept, *found))
                or any(a <= start and end <= b for a, b in public)
                or ((start, end) not in candidates and folded not in given_names())
                or value in NOT_PII
                or folded in STOP_WORDS
                or folded in _INTERJECTIONS
                or folded in _SIGN_OFF_WORDS
                or folded in _NOT_A_NAME_WORD
                or _public_place(value)
            ):
                continue
            if (
                _NAME_VERB_AFTER.match(text, end)
                or _PAST_AFTER.match(text, end)
                or _VERB_BEFORE.search(text, max(0, start - 30), start)
            ):
                found.append(PiiSpan("PERSON", start, end, 0.6, "person_co_actor"))
    return found


_LONE_WORD = re.compile(r"(?<![\w'’-])[^\W\d_]{2,}(?![\w'’-])")
#: A verb in the past tense right after a name makes it the subject ("Ingeborg yelled at ...").
_PAST_AFTER = re.compile(r"[ \t]+(?:had[ \t]+)?[^\W\d_]{2,}ed\b", re.IGNORECASE)
#: A verb right before a name makes it the verb's object ("shouted at Katie", "had given Chise").
_VERB_BEFORE = re.compile(
    r"\b(?:\w+ed|gave|given|told|sent|met|saw|asked|called|texted|emailed|hugged|thanked|at|to|with)\s+$",
    re.IGNORECASE,
)


_PUBLIC_USE_AFTER = re.compile(
    r"(?:['’]s)?[ \t]+(?:fans?|fandom|fan[ \t]+club|concerts?|tour|albums?|songs?|lyrics|biopic|discography|"
    r"filmography|novels?|paintings?|memoir|autobiography|documentary|records)\b",
    re.IGNORECASE,
)
_PUBLIC_USE_BEFORE = re.compile(
    r"\b(?:(?:a|the|big|huge|great|biggest)[ \t]+fans?[ \t]+of|(?:concert|songs?|album|books?|novels?|films?|movies?|"
    r"paintings?|poems?|music|quotes?|works?|essays?|plays?)[ \t]+by|written[ \t]+by|directed[ \t]+by|painted[ \t]+by|"
    r"composed[ \t]+by|sung[ \t]+by|performed[ \t]+by|starring|biography[ \t]+of|the[ \t]+life[ \t]+of)[ \t]+$",
    re.IGNORECASE,
)


#: Attitudes people hold towards public figures, by full name.
_ADMIRED_BEFORE = re.compile(
    r"\b(?:obsessed[ \t]+with|inspired[ \t]+by|admires?|admired|idoli[sz]es?|idoli[sz]ed|looks?[ \t]+up[ \t]+to|"
    r"looked[ \t]+up[ \t]+to|worships?|a[ \t]+fan[ \t]+of)[ \t]+$",
    re.IGNORECASE,
)


def _public_use(text: str, span: PiiSpan) -> bool:
    """The name is used as a public figure's is: someone has fans, concerts, songs or novels, or is quoted by work."""
    before = text[max(0, span.start - 40) : span.start]
    if _relation_before(before):
        return False
    if len(text[span.start : span.end].split()) > 1 and _ADMIRED_BEFORE.search(before):
        return True  # "obsessed with Simone Biles"; a first name alone ("obsessed with Sarah") may be anyone
    return bool(_PUBLIC_USE_AFTER.match(text, span.end) or _PUBLIC_USE_BEFORE.search(before))


def _public_role(
    text: str, span: PiiSpan, contact: Sequence[PiiSpan], others: Sequence[tuple[int, int]] = ()
) -> bool:
    """A cue-found name in a public role, with no contact details, relation or greeting: in a paragraph about a public
    role ("Mr. Darcy" in a novel's summary, "— Albert Einstein" under a quote); after a personal cue ("my name is",
    "booked under"), only by a public-role word right beside it that no other name stands nearer to ("My name is
    Dana and I loved the film" keeps no one public)."""
    para_start, para_end = _paragraph(text, span.start, span.end)
    if any(para_start <= c.start < para_end for c in contact):
        return False
    before = text[max(0, span.start - 40) : span.start]
    if _relation_before(before) or _GREETING_BEFORE.search(before.rstrip(" .").rsplit(" ", 1)[0] + " "):
        return False
    if not _title_before(before) and _PERSONAL_CUE_BEFORE.search(before):
        return _public_word_of(text, span, _sentence(text, span.start, span.end), others, _PUBLIC_WORD_REACH)
    return bool(_PUBLIC_CONTEXT.search(text, para_start, para_end))  # a year alone does not outweigh a cue


def _public_word_of(
    text: str,
    span: PiiSpan,
    scope: tuple[int, int],
    others: Sequence[tuple[int, int]],
    reach: int | None = None,
) -> bool:
    """A public-role word in ``text[scope]`` (within ``reach`` characters of the name, if given) that belongs to this
    name: no other candidate name is nearer to it ("... and my favourite singer is Kylie Minogue": the singer is
    Kylie Minogue)."""
    for word in _PUBLIC_CONTEXT.finditer(text, *scope):
        mine = _gap(span.start, span.end, *word.span())
        if reach is not None and mine > reach:
            continue
        if not any(
            _gap(a, b, *word.span()) < mine
            for a, b in others
            if (b <= span.start or a >= span.end) and scope[0] <= a < scope[1]
        ):
            return True
    return False


def _gap(a: int, b: int, c: int, d: int) -> int:
    """Characters between the ranges [a, b) and [c, d) (0 when they touch or overlap)."""
    return max(0, c - b, a - d)


def _public_paragraph(text: str, start: int, end: int) -> bool:
    """A public-role word or a year in ``text[start:end]``."""
    return bool(_PUBLIC_CONTEXT.search(text, start, end) or _history_year(text, start, end))


def _weak(span: PiiSpan) -> bool:
    return span.recognizer in WEAK_RECOGNIZERS


def _public_place(value: str) -> bool:
    folded = fold(value.strip(" .,;:"))
    for conjunction in (" and", " &", " or"):
        folded = folded.removesuffix(conjunction)  # the model's cut of "Bosnia and Herzegovina"
    if folded in public_places():
        return True
    head, _, last = folded.rpartition(" ")
    return last in ("state", "province", "region", "county", "land") and head in public_places()


def _sentence_before(text: str, start: int) -> str:
    window = text[max(0, start - 160) : start]
    breaks = list(_SENTENCE_BREAK.finditer(window))
    return window[breaks[-1].end() :] if breaks else window


def _place_tied_to_person(text: str, span: PiiSpan, spans: Sequence[PiiSpan]) -> bool:
    before = _sentence_before(text, span.start)
    if not _PLACE_PREPOSITION.search(before):
        return False
    sentence_start = span.start - len(before)
    person_before = any(
        s.type == "PERSON" and not _weak(s) and sentence_start <= s.start < span.start for s in spans
    )
    if _PERSON_TIE.search(before):
        return True
    if not person_before:
        return False
    para_start, para_end = _paragraph(text, span.start, span.end)
    return not _public_paragraph(text, para_start, para_end)  # a historical figure's places stay


#: Subject pronouns: in a text about someone's own affairs, "she's moving to X" ties the place to a private person.
_SUBJECT_PRONOUN = re.compile(r"\b(?:he|she|they)(?:['’](?:s|re|ll|d|ve))?\b", re.IGNORECASE)


def _tied_to_private_person(
    text: str, span: PiiSpan, people: Sequence[PiiSpan], private_context: bool
) -> bool:
    """A private person (one the policy keeps masked) or, in a text about someone's own affairs, a subject pronoun
    before a preposition and the place, in its sentence; not in a sentence about a public role."""
    before = _sentence_before(text, span.start)
    if not _PLACE_PREPOSITION.search(before):
        return False
    sentence_start = span.start - len(before)
    if not any(sentence_start <= p.start < span.start for p in people) and not (
        private_context and _SUBJECT_PRONOUN.search(before)
    ):
        return False
    return not _public_paragraph(text, *_sentence(text, span.start, span.end))


def _sentence(text: str, start: int, end: int) -> tuple[int, int]:
    """The bounds of the sentence holding ``text[start:end]``."""
    following = _SENTENCE_BREAK.search(text, end)
    return start - len(_sentence_before(text, start)), following.start() if following else len(text)


def _paragraph(text: str, start: int, end: int) -> tuple[int, int]:
    para_start = max((m.end() for m in _PARAGRAPH.finditer(text, 0, start)), default=0)
    following = _PARAGRAPH.search(text, end)
    return para_start, following.start() if following else len(text)


def _private_person(
    text: str,
    span: PiiSpan,
    value: str,
    contact: Sequence[PiiSpan],
    strong_parts: set[str],
    model_place: bool = False,
    private_context: bool = True,
    *,
    evidence_only: bool = False,
    others: Sequence[tuple[int, int]] = (),
) -> bool:
    """Whether a weak candidate name is a private person's (the module docstring); with ``evidence_only`` (a
    known given name of any language) only on evidence of its own, as the subject of a verb, or when the same name
    was found with evidence elsewhere."""
    words = value.split()
    if not words or value in NOT_PII or words[0].lower() in _NOT_A_NAME_WORD or _public_place(value):
        return False
    folded_words = [fold(w.strip(".,'’")) for w in words]
    if any(w in _SIGN_OFF_WORDS for w in folded_words):
        return False
    if len(words) == 1 and (folded_words[0] in STOP_WORDS or folded_words[0] in _INTERJECTIONS):
        return False  # "Well, ...", "Oh, ..."
    if folded_words[0] in _LANDMARK_FIRST and len(words) > 1:
        return False  # "Lake Mývatn", "Mount Kenya"
    # the same name, or a part of it, was found with evidence elsewhere in the text
    if any(w in strong_parts for w in folded_words):
        return True
    before = text[max(0, span.start - 40) : span.start]
    if (evidence_only and model_place) or (
        value.lower() in PLACE_NAMES and (evidence_only or _PLACE_BEFORE.search(before))
    ):
        return False  # "We drove to Florence": a place that is also a given name
    # a title that is also an English word ("me": libpostal's "Maître") is none before a candidate without evidence
    titled = _title_before(before) and not (evidence_only and _word_before(before) in STOP_WORDS)
    # evidence of the writer's own dealings with the person (a personal cue, a dealing, a relation or an everyday
    # occasion after the name) is outweighed only by a public-role word right beside the name that no other name
    # stands nearer to; a title or another cue, by a public role anywhere in the paragraph, as before
    personal = not titled and bool(
        _PERSONAL_CUE_BEFORE.search(before)
        or _with_the_writer(text, span)
        or _RELATION_AFTER.match(text, span.end)
        or _EVERYDAY_AFTER.match(text, span.end)
    )
    own = personal or titled or bool(_CUE_BEFORE.search(before))
    after = _NAME_VERB_AFTER.match(text, span.end)
    verb_after = bool(after)
    if evidence_only and not own and (len(words) > 1 or not (after and _VERB.search(after.group()))):
        return (
            False  # a given name alone as the subject of a verb still counts, as the census list's names do
        )
    para_start, para_end = _paragraph(text, span.start, span.end)
    if not evidence_only and any(para_start <= c.start < para_end for c in contact):
        return True
    if personal:
        public = _public_word_of(
            text, span, _sentence(text, span.start, span.end), others, _PUBLIC_WORD_REACH
        )
    else:
        public = bool(_PUBLIC_CONTEXT.search(text, para_start, para_end))
    # a relation outweighs a public role; for a candidate without evidence of its own, only the writer's relation
    # ("my uncle X"; "his uncle Claudius" in a play's summary is no one's private relation)
    related = _relation_before(before) and not (evidence_only and not _MY_RELATION_BEFORE.search(before))
    if public and not related:
        return False
    if (
        not personal
        and _history_year(text, para_start, para_end)
        and not related
        and not _PRIVATE_ROLE_BEFORE.search(before)
    ):
        return False  # a year outweighs a cue, but not a private role ("the assistant to X ... in 1965")
    if own:
        return True
    if not private_context and (len(words) > 1 or folded_words[0] not in given_names()):
        return False  # a full name or surname in a text with nothing private about anyone: no evidence
    place_name = value.lower() in PLACE_NAMES
    if model_place and (place_name or not verb_after):
        return False  # the model reads it as a place ("Paris is lovely"): a first name only with a cue
    if len(words) == 1 and place_name and (not verb_after or _PLACE_BEFORE.search(before)):
        return False  # "Rome to Florence takes...": a place, not the given name
    known_given = folded_words[0] in given_names() and (
        len(words) > 1 or (folded_words[0] not in STOP_WORDS and folded_words[0] not in _INTERJECTIONS)
    )
    known_surname = folded_words[-1] in surnames()
    if len(words) >= 2:
        return known_given or known_surname
    # a single word: a known first name used as one (mid-sentence, or before a verb), not merely opening a sentence;
    # a known surname only as the subject of a verb ("Klimek shouted")
    if verb_after:
        return known_given or known_surname
    return known_given and not _opens_sentence(text, span.start)


#: Verbs of dealings between people who know each other: one owes, texts, lends, covers a shift for the other.
_DEALINGS = (
    r"(?:owe|owes|owed|lent|lend|lends|borrowed|borrow|paid|pay|pays|texted|texts|text|messaged|messages|"
    r"emailed|emails|rang|called|calls|invited|invites|hired|fired|told|tells|asked|asks|promised|sent|send|sends|"
    r"gave|give|gives|helped|helps|visited|visits|replied|reply|answered|picked|pick|dropped|drop|drove|drive|"
    r"covered|covering|cover|covers|ghosted|ignored|ignores|blocked|shouted|yelled|lied|owes|split|splits|share|"
    r"shares|shared|babysat|babysits|dumped|left|joined|joins|join|joining|waiting|waited|invoiced|charged|"
    r"kicked|bullied|bullies|annoys|annoyed|upset|hurt|keeps|kept|parked|parks|parking|moved|lives|lived|stays|"
    r"stayed|hasn't|haven't|didn't|doesn't|won't|can't)"
)
#: The name with the writer: "X and I", "me and X", "X owes me", "X hasn't replied to my message", "I owe X".
_AND_I_AFTER = re.compile(r"[ \t]+and[ \t]+(?:I|me)\b")
#: Where a clause opens: "X and I" is a subject there ("…, so X and I split it"), not an object ("is X and I").
_CLAUSE_OPENS = re.compile(
    r"(?:^|[,;:(]|\b(?:and|but|so|because|when|if|that|since|after|before|while))[ \t]*$", re.I
)
_WITH_WRITER_AFTER = re.compile(
    rf"(?:(?:[ \t]+(?:has|had|have|is|was|will|just|still|never|already|finally|always|also|really|now|then|"
    rf"wants[ \t]+to|needs[ \t]+to|has[ \t]+to|is[ \t]+going[ \t]+to))*[ \t]+{_DEALINGS}\b"
    rf"[^.!?\n]{{0,40}}?\b(?:me|us|my|our|mine|ours|I|we)\b)",
    re.IGNORECASE,
)
_WITH_WRITER_BEFORE = re.compile(
    rf"(?:\b(?:me|I)[ \t]+and[ \t]+$|\b(?:I|we)(?:['’](?:ll|ve|d|m))?(?:[ \t]+[a-z]+){{0,2}}?[ \t]+{_DEALINGS}"
    rf"(?:[ \t]+(?:to|for|with|from|on|up|off))?(?:[ \t]+[^\W\d_][\w'’-]*)?[ \t]+$)",
    re.IGNORECASE,
)


#: Where acquaintances are from: a department, the team, next door, work, school, the gym (lower case; "from
#: Apple" or "from Nazareth" are proper names and say nothing).
_ACQUAINTANCE_AFTER = re.compile(
    r"[ \t]+from[ \t]+(?:(?:the|our|my)[ \t]+)?(?:(?:accounts|legal|sales|marketing|finance|support|payroll|reception|"
    r"admin|facilities|engineering|design|ops|operations|security|compliance|procurement|office|team|department|"
    r"next[ \t]+door|upstairs|downstairs|work|school|church|gym|club|class|uni|college|nursery|daycare|choir|"
    r"playgroup|book[ \t]+club)\b|(?:IT|HR|QA)\b)"
)


def _with_the_writer(text: str, span: PiiSpan) -> bool:
    """The person deals with the writer in this sentence ("X and I split the rent", "I still owe X £20"), or is an
    acquaintance named by where they are from ("X from accounts", "X from next door").

    Dealings of this kind (owing, lending, texting, covering a shift, parking in front of our garage) are had with
    people one knows, not with public figures; admiring, reading, quoting or asking about someone is not one.
    """
    before = _sentence_before(text, span.start)
    if (_AND_I_AFTER.match(text, span.end) and _CLAUSE_OPENS.search(before)) or _ACQUAINTANCE_AFTER.match(
        text, span.end
    ):
        return True
    return bool(_WITH_WRITER_AFTER.match(text, span.end) or _WITH_WRITER_BEFORE.search(before))


def _title_before(before: str) -> bool:
    return _word_before(before) in titles()


def _word_before(before: str) -> str:
    """The last word of ``before`` (lower case), before an optional dot and spaces."""
    match = _LAST_WORD.search(before)
    return match.group(1).lower() if match else ""


_LAST_WORD = re.compile(r"([^\W\d_]+)\.?\s+$")


def _relation_before(before: str) -> bool:
    return bool(re.search(_RELATION + r"\s*,?\s*$", before, re.IGNORECASE))


def _opens_sentence(text: str, start: int) -> bool:
    before = text[:start].rstrip(" \t\"'“‘(*->")
    return not before or before[-1] in ".!?\n:"
