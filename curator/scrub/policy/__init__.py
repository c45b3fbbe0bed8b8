"""The policy of docs/privacy.md applied to candidate names and places: mask what the evidence says is private.

The language model and the name lists say *a person* or *a place*; they cannot say *private*. This package decides,
per candidate, from the text around it:

* places: countries, states, provinces and large regions are never masked; another place is masked when a person
  is tied to it (``I live in``, ``we moved from X to Y``, a name or pronoun in the same sentence before a
  preposition) or when a cue recognizer found it;
* people: a name is masked on evidence — a cue (title, greeting, "my name is", a relation such as "my manager"),
  contact details in the same paragraph, a form or CSV field, the same name found with evidence elsewhere — or when
  it reads as a private full name (a known given name or surname) in a paragraph with no sign of a public role
  (no year, no "president", "novel", "won"...). A word that only opens a sentence is never a name by itself.

``SUMMARY`` is the one-paragraph form the dataset card prints. The parts, by role: ``words`` (the words and patterns
read as evidence), ``text`` (a candidate's sentence and paragraph), ``public`` (signs of a public role), ``people``
and ``places`` (the decisions on a name and on a place); ``apply_policy`` here runs them over one text's candidates.
"""

from __future__ import annotations

from collections.abc import Sequence

from prefloop.curator.scrub.policy.people import co_actors, private_person
from prefloop.curator.scrub.policy.places import place_tied_to_person, tied_to_private_person
from prefloop.curator.scrub.policy.public import public_place, public_role, public_use
from prefloop.curator.scrub.policy.words import (
    CONTACT_TYPES,
    EVIDENCE_ONLY,
    PRIVATE_AFFAIRS,
    RELATION_ANYWHERE,
    WEAK_RECOGNIZERS,
    weak,
)
from prefloop.curator.scrub.types import PiiSpan
from prefloop.curator.scrub.vocab import fold

__all__ = ["SUMMARY", "WEAK_RECOGNIZERS", "apply_policy"]

SUMMARY = (
    "Masked (docs/privacy.md): private people's names (full or partial), e-mail addresses (all but obvious "
    "placeholders such as user@ or you@), phone numbers, card numbers, IBANs, SSNs, IP addresses, exact addresses "
    "and places tied to a person, dates of birth, secrets and credentials, personal URLs. Kept: countries, states "
    "and provinces, cities named generically, public figures in their public role, organisations, products, "
    "technical terms and ordinary words."
)


def apply_policy(text: str, spans: Sequence[PiiSpan]) -> list[PiiSpan]:
    """``spans`` minus the weak PERSON and LOCATION candidates the policy keeps (see the package docstring)."""
    if not any(s.type in ("PERSON", "LOCATION") for s in spans):
        return list(spans)
    contact = [s for s in spans if s.type in CONTACT_TYPES]
    candidates = [(s.start, s.end) for s in spans if s.type == "PERSON"]
    strong_names = {
        fold(text[s.start : s.end])
        for s in spans
        if s.type == "PERSON" and not weak(s) and not public_role(text, s, contact, candidates)
    }
    strong_parts = {part for name in strong_names for part in name.split() if len(part) > 2}
    model_places = [(s.start, s.end) for s in spans if s.type == "LOCATION" and s.recognizer == "spacy_ner"]
    cued_places = [
        (s.start, s.end) for s in spans if s.type in ("LOCATION", "STREET_ADDRESS") and not weak(s)
    ]
    private_context = bool(contact or strong_names or cued_places) or bool(
        RELATION_ANYWHERE.search(text) or PRIVATE_AFFAIRS.search(text)
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
            if public_place(value):
                dropped.add(index)
            elif weak(span) and not place_tied_to_person(text, span, spans):
                dropped.add(index)
                if span.recognizer == "location_cue:weak":
                    untied.append(index)  # a place after a cue of travel: whose travel is decided below
        elif span.type == "PERSON" and weak(span):
            folded_words = [fold(w.strip(".,'’")) for w in value.split()]
            if public_use(text, span):
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
            elif not private_person(
                text,
                span,
                value,
                contact,
                strong_parts,
                any(a < span.end and span.start < b for a, b in model_places),
                private_context,
                evidence_only=span.recognizer in EVIDENCE_ONLY,
                others=candidates,
            ):
                dropped.add(index)
                if len(folded_words) > 1 and span.recognizer not in EVIDENCE_ONLY:
                    # judged not private on the whole text; a candidate without evidence of its own says nothing
                    kept_as_public.append((span.start, span.end))
                    public_words.update(w for w in folded_words if len(w) > 2)
        elif (
            span.type == "PERSON"
            and span.recognizer.startswith("person_cue")
            and public_role(text, span, contact, candidates)
        ):
            dropped.add(index)  # "Mr. Darcy" in a novel's summary, "Mr. Scaringe also founded..."
    # a place the private people of the text travel to is theirs too ("Dana is flying back to Porto")
    people = [span for index, span in enumerate(spans) if span.type == "PERSON" and index not in dropped]
    for index in untied:
        if tied_to_private_person(text, spans[index], people, private_context):
            dropped.discard(index)
    dropped_names = {(spans[i].start, spans[i].end) for i in dropped if spans[i].type == "PERSON"}
    kept = [span for index, span in enumerate(spans) if index not in dropped]
    return kept + co_actors(text, kept, dropped_names, kept_as_public)
