"""Whether a candidate name is a private person's (docs/privacy.md, "How a name counts as private")."""

from __future__ import annotations

import re
from bisect import bisect_left
from collections.abc import Sequence

from spacy.lang.en.stop_words import STOP_WORDS

from prefloop.curator.scrub.policy.public import (
    PUBLIC_WORD_REACH,
    history_year,
    public_context,
    public_paragraph,
    public_place,
    public_word_of,
)
from prefloop.curator.scrub.policy.text import (
    opens_sentence,
    paragraph,
    relation_before,
    sentence,
    sentence_before,
    sentence_end,
    title_before,
    word_before,
)
from prefloop.curator.scrub.policy.words import (
    ACQUAINTANCE_AFTER,
    AND_I_AFTER,
    CLAUSE_OPENS,
    CONTACT_TYPES,
    CUE_BEFORE,
    EVERYDAY_AFTER,
    INTERJECTIONS,
    LANDMARK_FIRST,
    LONE_WORD,
    MY_RELATION_BEFORE,
    NAME_VERB_AFTER,
    NOT_A_NAME_WORD,
    PAST_AFTER,
    PERSONAL_CUE_BEFORE,
    PLACE_BEFORE,
    PRIVATE_ROLE_BEFORE,
    PUBLIC_IN_OTHER_LANGUAGES,
    RELATION_AFTER,
    REQUEST_ABOUT_BEFORE,
    SIGN_OFF_WORDS,
    VERB,
    VERB_BEFORE,
    WITH_WRITER_AFTER,
    WITH_WRITER_BEFORE,
    WRITER_IN_OTHER_LANGUAGES,
)
from prefloop.curator.scrub.ranges import containment, union
from prefloop.curator.scrub.recognizers.languages import possessive_before_relation
from prefloop.curator.scrub.recognizers.names import census_first_names
from prefloop.curator.scrub.recognizers.wordlists import NOT_PII, PLACE_NAMES
from prefloop.curator.scrub.types import PiiSpan
from prefloop.curator.scrub.vocab import fold, given_names, surnames
from prefloop.curator.spacy_words import stop_words


def private_person(
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
    """Whether a weak candidate name is a private person's (docs/privacy.md); with ``evidence_only`` (a known given
    name of any language) only on evidence of its own, as the subject of a verb, or when the same name was found
    with evidence elsewhere."""
    words = value.split()
    if not words or value in NOT_PII or words[0].lower() in NOT_A_NAME_WORD or public_place(value):
        return False
    folded_words = [fold(w.strip(".,'’")) for w in words]
    if any(w in SIGN_OFF_WORDS for w in folded_words):
        return False
    if len(words) == 1 and (folded_words[0] in STOP_WORDS or folded_words[0] in INTERJECTIONS):
        return False  # "Well, ...", "Oh, ..."
    cued = span.recognizer.startswith(("person_cue", "language_cue"))
    if not cued and function_words_only(words):
        return False  # "Mijn", "Det", "Hänen", "Il suo", "Jag har blivit": capitalised function words of a language
    if (
        value[:1].isupper()
        and ARTICLE_BEFORE.search(text, max(0, span.start - 40), span.start)
        and (noun := NOUN_AFTER.match(text, span.end))
        and noun.group(1) not in STOP_WORDS
        and noun.group(1) not in _OTHER_FUNCTION_WORDS
    ):
        return False  # "a Hello Kitty cake", "the Peppa Pig theme": a name inside a noun phrase names a thing
    if not cued and possessive_before_relation(text, span.start, span.end):
        return False  # "Mia madre", "Mein Bruder": a relation or its possessive in another language
    if GERMAN_CONTRACTION_BEFORE.search(text, max(0, span.start - 8), span.start):
        return False  # "im Sommer", "am Montag", "beim Bäcker": a German noun after a contracted article
    if folded_words[0] in LANDMARK_FIRST and len(words) > 1:
        return False  # "Lake Mývatn", "Mount Kenya"
    # the same name, or a part of it, was found with evidence elsewhere in the text
    if any(w in strong_parts for w in folded_words):
        return True
    before = text[max(0, span.start - 40) : span.start]
    if (evidence_only and model_place) or (
        value.lower() in PLACE_NAMES and (evidence_only or PLACE_BEFORE.search(before))
    ):
        return False  # "We drove to Florence": a place that is also a given name
    # a title that is also an English word ("me": libpostal's "Maître") is none before a candidate without evidence
    titled = title_before(before) and not (evidence_only and word_before(before) in STOP_WORDS)
    # evidence of the writer's own dealings with the person (a personal cue, a dealing, a relation or an everyday
    # occasion after the name) is outweighed only by a public-role word right beside the name that no other name
    # stands nearer to; a title or another cue, by a public role anywhere in the paragraph, as before
    personal = not titled and bool(
        PERSONAL_CUE_BEFORE.search(before)
        or with_the_writer(text, span)
        or RELATION_AFTER.match(text, span.end)
        or EVERYDAY_AFTER.match(text, span.end)
    )
    own = personal or titled or bool(CUE_BEFORE.search(before))
    if evidence_only and not own and len(words) > 1:
        # a known given name and a capitalised surname in a paragraph where the writer speaks in the first person of
        # another language ("Femke Jansen komt morgen langs", "Jürgen Hollweg hat mir ... geschickt"): a person the
        # writer deals with, unless a public role or work of those languages stands in the paragraph ("les chansons
        # d'Édith Piaf"); an English public role in the paragraph outweighs it below, as it does a cue
        scope = paragraph(text, span.start, span.end)
        own = bool(WRITER_IN_OTHER_LANGUAGES.search(text, *scope)) and not PUBLIC_IN_OTHER_LANGUAGES.search(
            text, *scope
        )
    after = NAME_VERB_AFTER.match(text, span.end)
    verb_after = bool(after)
    if evidence_only and not own and (len(words) > 1 or not (after and VERB.search(after.group()))):
        return (
            False  # a given name alone as the subject of a verb still counts, as the census list's names do
        )
    para_start, para_end = paragraph(text, span.start, span.end)
    if not evidence_only and any(para_start <= c.start < para_end for c in contact):
        return True
    if personal:
        public = public_word_of(text, span, sentence(text, span.start, span.end), others, PUBLIC_WORD_REACH)
    else:
        public = public_context(text, para_start, para_end)
    # a relation outweighs a public role; for a candidate without evidence of its own, only the writer's relation
    # ("my uncle X"; "his uncle Claudius" in a play's summary is no one's private relation)
    related = relation_before(before) and not (evidence_only and not MY_RELATION_BEFORE.search(before))
    if public and not related:
        return False
    if (
        not personal
        and history_year(text, para_start, para_end)
        and not related
        and not PRIVATE_ROLE_BEFORE.search(before)
    ):
        return False  # a year outweighs a cue, but not a private role ("the assistant to X ... in 1965")
    if own:
        return True
    if len(words) > 1 and REQUEST_ABOUT_BEFORE.search(before):
        return False  # "Tell me about Angela Merkel and what my teacher ...": a request about someone, not a dealing
    if not private_context and (len(words) > 1 or folded_words[0] not in given_names()):
        return False  # a full name or surname in a text with nothing private about anyone: no evidence
    place_name = value.lower() in PLACE_NAMES
    if model_place and (place_name or not verb_after):
        return False  # the model reads it as a place ("Paris is lovely"): a first name only with a cue
    if len(words) == 1 and place_name and (not verb_after or PLACE_BEFORE.search(before)):
        return False  # "Rome to Florence takes...": a place, not the given name
    known_given = folded_words[0] in given_names() and (
        len(words) > 1 or (folded_words[0] not in STOP_WORDS and folded_words[0] not in INTERJECTIONS)
    )
    known_surname = folded_words[-1] in surnames()
    if len(words) >= 2:
        return known_given or known_surname
    # a single word: a known first name used as one (mid-sentence, or before a verb), not merely opening a sentence;
    # a known surname only as the subject of a verb ("Klimek shouted")
    if verb_after:
        return known_given or known_surname
    return known_given and not opens_sentence(text, span.start)


#: Function words of the languages of chat other than English (spaCy's lists), folded.
_OTHER_FUNCTION_WORDS = frozenset(
    fold(word)
    for language in ("fr", "es", "it", "pt", "nl", "de", "pl", "sv", "da", "nb", "fi", "cs", "ro", "ca", "tr")
    for word in stop_words(language)
)
#: An English article, with at most one capitalised word after it, right before a candidate.
ARTICLE_BEFORE = re.compile(r"(?<![\w'’-])(?:a|an|the|A|An|The)[ \t]+(?:[A-Z][\w'’-]*[ \t]+)?\Z")
#: A lower-case word right after a candidate: the noun the phrase is about, unless it is a function word of English or
#: another language ("vi a Iñaki Zubizarreta en el gimnasio": Spanish "a" before a person).
NOUN_AFTER = re.compile(r"[ \t]+([a-z]+)\b")
#: A German preposition fused with its article ("im", "am", "zum", "beim"): what follows is a noun, not a person.
GERMAN_CONTRACTION_BEFORE = re.compile(
    r"(?<![\w'’-])(?:im|vom|zum|zur|beim|ins|ans|aufs|(?<!\bI )(?<!\bi )am)[ \t]+\Z"  # not English "I am"
)


def function_words_only(words: Sequence[str]) -> bool:
    """Whether a candidate is a function word of another language and nothing but function words or lower-case words
    after it ("Mijn", "Il suo", "Il medico di base"); a word that is also an English given name ("Mia", "Ed") or a
    longer given name of any language is not one."""
    if not words or fold(words[0].strip(".,'’")) not in _OTHER_FUNCTION_WORDS:
        return False
    for word in words:
        folded = fold(word.strip(".,'’"))
        if word[:1].islower() and len(words) > 1:
            continue  # "Il medico di base", "Su médico de cabecera": a function word and lower-case words
        if folded not in _OTHER_FUNCTION_WORDS or folded in census_first_names():
            return False
        if len(words) == 1 and len(folded) > 2 and folded in given_names():
            return False
    return True


def with_the_writer(text: str, span: PiiSpan) -> bool:
    """The person deals with the writer in this sentence ("X and I split the rent", "I still owe X £20"), or is an
    acquaintance named by where they are from ("X from accounts", "X from next door").

    Dealings of this kind (owing, lending, texting, covering a shift, parking in front of our garage) are had with
    people one knows, not with public figures; admiring, reading, quoting or asking about someone is not one.
    """
    before = sentence_before(text, span.start)
    if (AND_I_AFTER.match(text, span.end) and CLAUSE_OPENS.search(before)) or ACQUAINTANCE_AFTER.match(
        text, span.end
    ):
        return True
    return bool(WITH_WRITER_AFTER.match(text, span.end) or WITH_WRITER_BEFORE.search(before))


def co_actors(
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

    Each word is looked at once, however many private people share its sentence (a text of thousands of names
    with no sentence break is one sentence: looking at it once per person took hours for 20 KB). The result is
    in the order of the people's sentences, then of the text, as it always was.
    """
    sentences: list[tuple[int, int]] = []
    for person in kept:
        if person.type != "PERSON" and person.type not in CONTACT_TYPES:
            continue
        sentence_start = person.start - len(sentence_before(text, person.start))
        end = sentence_end(text, person.end)
        if not public_paragraph(text, sentence_start, end):  # not the people of a public role's sentence
            sentences.append((sentence_start, end))
    if not sentences:
        return []
    taken = bytearray(len(text))  # the characters of the kept spans: a word touching one is not looked at
    for span in kept:
        taken[span.start : span.end] = b"\x01" * (span.end - span.start)
    inside_public = containment(public)
    found: dict[int, PiiSpan] = {}
    for low, high in union(sentences):
        for word in LONE_WORD.finditer(text, low, high):
            start, end = word.span()
            value = word.group()
            folded = fold(value)
            if (
                not (value[0].isupper() and value[1:].islower())
                or taken.find(1, start, end) != -1
                or inside_public(start, end)
                or ((start, end) not in candidates and folded not in given_names())
                or value in NOT_PII
                or folded in STOP_WORDS
                or folded in INTERJECTIONS
                or folded in SIGN_OFF_WORDS
                or folded in NOT_A_NAME_WORD
                or public_place(value)
            ):
                continue
            if (
                NAME_VERB_AFTER.match(text, end)
                or PAST_AFTER.match(text, end)
                or VERB_BEFORE.search(text, max(0, start - 30), start)
            ):
                found[start] = PiiSpan("PERSON", start, end, 0.6, "person_co_actor")
    starts = sorted(found)
    ordered: list[PiiSpan] = []
    for low, high in sentences:  # each found word once, under the first person whose sentence holds it
        for index in range(bisect_left(starts, low), bisect_left(starts, high)):
            if starts[index] in found:
                ordered.append(found.pop(starts[index]))
    return ordered
