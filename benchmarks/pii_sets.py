"""The PII benchmark's data sets, loaded into one shape (``Case``), with the policy's labels (docs/privacy.md).

* ``handwritten`` — set 4, **development data since session 13** (an evaluation set and the headline until session
  12; retired by the lead, its per-text misses read to find classes): ``benchmarks/data/pii_handwritten/eval_handwritten.txt``,
  chat texts written one by one by hand (no generator, templates or value pools) in 20 languages by someone who
  had not seen the scrubber, its lists or the other sets, and frozen before any tuning on it (sha256 in
  ``tests/unit/test_pii_handwritten.py``). About 265 texts hold private values, marked inline ``⟦TAG|value⟧``;
  about 160 hold none, only confusers marked ``KEEP`` (public figures, countries, cities named generically,
  placeholders), and must come back unchanged. Identifiers the policy does not list (national ID, passport,
  account and record numbers, user names, plates) are ``NOT_SCORED``.
* ``handwritten2`` — evaluation set 5: ``benchmarks/data/pii_handwritten2/eval_handwritten2.txt``, the same format
  and tags as set 4 and loaded by the same function, written one by one by another author who had read neither the
  scrubber nor set 4's texts, in genres set 4 may not emphasise (support tickets, tenancy, school and pharmacy
  messages, group chats, forwarded e-mail chains, CSV/JSON/YAML/.env/SQL pastes, stack traces, git and ssh
  configs) and frozen before any scoring (sha256 in ``tests/unit/test_pii_handwritten2.py``). 200 texts hold 813
  private values; 125 hold none and must come back unchanged.
* ``handwritten3`` — evaluation set 6: ``benchmarks/data/pii_handwritten3/eval_handwritten3.txt``, the same format
  and function again, written one by one by a third author who had read neither the scrubber nor the texts of
  sets 4 and 5, weighted toward what is hardest and most common in real chats (names of many origins, places tied
  to a person, dates of birth, phones, IBANs and cards, secrets in configs and logs) in 16 languages, and frozen
  before any scoring (sha256 in ``tests/unit/test_pii_handwritten3.py``). 174 texts hold 728 private values; 90
  hold none and must come back unchanged.
* ``mimesis`` — evaluation set 2: ``benchmarks/data/pii/eval_mimesis.jsonl``, generated once by
  ``benchmarks/pii_mimesis.py`` and frozen before tuning.
* ``chat`` — evaluation set 3: ``benchmarks/data/pii/eval_chat.jsonl``, chat messages from hand-written value pools
  and templates (``benchmarks/pii_chat.py``), a third origin, frozen before tuning.
* ``presidio_research`` — evaluation set 1: presidio-research's ``generated_large.json`` (MIT), relabelled to the
  policy by template (below); the scrubber's rules were tuned on it in earlier work, so it is no longer unseen.
* ``assistant`` — the hand-written development cases (``assistant_cases.yaml``).
* ``ordinary`` — the preservation set: 600 assistant turns of Anthropic HH-RLHF (``ordinary_hh_rlhf.jsonl``, MIT)
  and hand-written ordinary replies (``ordinary_replies.yaml``). Nothing in them is private: every text must come
  back unchanged.
* ``ordinary_prompts`` — the second preservation set, of another origin, frozen before tuning: MT-bench and
  Vicuna-bench turns (Apache-2.0) and XSTest's safe prompts (CC-BY-4.0), built once by
  ``benchmarks/pii_ordinary_prompts.py`` (``ordinary_prompts.jsonl``). Every text must come back unchanged.

Relabelling of set 1 (by template, never by looking at the scrubber's output): countries are kept (``KEEP``),
except inside an address block where they are neither rewarded nor counted (``NOT_SCORED``); a city is private
where the text ties it to a person or an address, and kept where it is named generically (templates 110, 115,
119: a song's city and street, a band's home city, where an organisation celebrates) or tied to a public figure
(178, the Princess Royal); dates of birth are scored where the text says they are one (61, 76), not in template 79; people
named in a public role (performers, authors, directors and producers in templates 95, 99, 101-106, 109, 111, 113,
115, 122, an organisation's founders in 120, a politician quoted in 181, and the admired performer of 108) are
kept; a title alone (``prefix_male``) is not scored, as the source
already does for ``prefix_female``.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path

import yaml

DATA = Path(__file__).parent / "data" / "pii"
HANDWRITTEN = Path(__file__).parent / "data" / "pii_handwritten" / "eval_handwritten.txt"
HANDWRITTEN2 = Path(__file__).parent / "data" / "pii_handwritten2" / "eval_handwritten2.txt"
HANDWRITTEN3 = Path(__file__).parent / "data" / "pii_handwritten3" / "eval_handwritten3.txt"
NOT_SCORED = "NOT_SCORED"
KEEP = "KEEP"
_GOLD_TYPES = {
    "PERSON": "PERSON",
    "ADDRESS": "STREET_ADDRESS",
    "LOCATION": "LOCATION",
    "CREDIT_CARD": "CREDIT_CARD",
    "PHONE_NUMBER": "PHONE_NUMBER",
    "EMAIL_ADDRESS": "EMAIL_ADDRESS",
    "US_SSN": "US_SSN",
    "IBAN_CODE": "IBAN_CODE",
    "IP_ADDRESS": "IP_ADDRESS",
}
_GENERIC_CITY_TEMPLATES = frozenset({110, 115, 119, 178})
_DOB_TEMPLATES = frozenset({61, 76})
#: Templates whose people are named in a public role (performers, authors, directors, producers of songs, films
#: and novels; an organisation's founders; a quoted politician): kept by the policy. In 108 only the admired
#: performer (``{{person}}``) is.
_PUBLIC_ROLE_TEMPLATES = frozenset({95, 99, 101, 102, 103, 104, 105, 106, 109, 111, 113, 115, 120, 122, 181})
_TAG = re.compile(r"\{\{(\w+)\}\}")
_MARK = re.compile(r"\[\[([A-Z_]+):(.*?)\]\]", re.DOTALL)
#: Set 4's inline marks ``⟦TAG|value⟧`` and what each tag stands for.
_HAND_MARK = re.compile(r"⟦([A-Z]+)\|([^⟦⟧]*)⟧")
HANDWRITTEN_TAGS = {
    "P": "PERSON",
    "E": "EMAIL_ADDRESS",
    "T": "PHONE_NUMBER",
    "A": "STREET_ADDRESS",
    "L": "LOCATION",
    "D": "DATE_OF_BIRTH",
    "C": "CREDIT_CARD",
    "I": "IBAN_CODE",
    "S": "US_SSN",
    "IP": "IP_ADDRESS",
    "K": "SECRET",
    "U": "URL",
    "X": KEEP,
    "N": NOT_SCORED,
}
_RECORD = "@@@ "


@dataclass(frozen=True)
class Case:
    """One text; ``gold`` holds (type, start, end) with type ``KEEP`` for what must stay, ``NOT_SCORED`` for
    what counts neither way."""

    text: str
    gold: tuple[tuple[str, int, int], ...]
    source: str
    shape: str = ""
    lang: str = ""


def load_presidio_research(limit: int | None = None) -> list[Case]:
    records = json.loads((DATA / "generated_large.json").read_text(encoding="utf-8"))
    cases = []
    for record in records[:limit]:
        tags = _TAG.findall(record["masked"])
        spans = sorted(record["spans"], key=lambda s: s["start_position"])
        in_block = "\n" in record["masked"] and "street_name" in record["masked"]
        gold = []
        for index, span in enumerate(spans):
            tag = tags[index] if len(tags) == len(spans) else ""
            kind = _GOLD_TYPES.get(span["entity_type"], NOT_SCORED)
            if tag == "country":
                kind = NOT_SCORED if in_block else KEEP
            elif tag in ("city", "street_name") and record["template_id"] in _GENERIC_CITY_TEMPLATES:
                kind = KEEP
            elif tag == "prefix_male":
                kind = NOT_SCORED  # a title names no one (prefix_female is not scored in the source either)
            elif kind == "PERSON" and (
                record["template_id"] in _PUBLIC_ROLE_TEMPLATES
                or (record["template_id"] == 108 and tag == "person")
            ):
                kind = KEEP
            elif tag == "date_of_birth":
                kind = "DATE_OF_BIRTH" if record["template_id"] in _DOB_TEMPLATES else NOT_SCORED
            gold.append((kind, span["start_position"], span["end_position"]))
        cases.append(Case(record["full_text"], tuple(gold), "presidio_research", str(record["template_id"])))
    return cases


def unmark(
    marked: str, pattern: re.Pattern[str], kinds: dict[str, str] | None = None
) -> tuple[str, tuple[tuple[str, int, int], ...]]:
    """The text without its inline marks, and the (type, start, end) of each marked value in it.

    ``pattern`` has two groups, the tag and the value; ``kinds`` maps tags to types (the tag is the type when
    None). A tag ``kinds`` does not know raises ``ValueError``."""
    text, gold, position, length = [], [], 0, 0
    for match in pattern.finditer(marked):
        tag, value = match.group(1), match.group(2)
        if kinds is not None and tag not in kinds:
            raise ValueError(f"unknown tag {tag!r} in {match.group()!r}: use one of {', '.join(kinds)}")
        text.append(marked[position : match.start()])
        length += match.start() - position
        gold.append((kinds[tag] if kinds is not None else tag, length, length + len(value)))
        text.append(value)
        length += len(value)
        position = match.end()
    text.append(marked[position:])
    return "".join(text), tuple(gold)


def load_assistant_cases() -> list[Case]:
    marked = yaml.safe_load((DATA / "assistant_cases.yaml").read_text(encoding="utf-8"))["cases"]
    return [Case(*unmark(item, _MARK), "assistant") for item in marked]


def handwritten_records(path: Path = HANDWRITTEN) -> list[tuple[int, str, str, str]]:
    """Set 4's records as written: (line of the header, language, shape, marked text).

    A record starts at a line ``@@@ <language> <shape>``; its text is every line up to the next header, less
    the trailing blank lines. Lines before the first header are comments."""
    records: list[tuple[int, str, str, str]] = []
    lines: list[str] = []
    header: tuple[int, str, str] | None = None

    def close() -> None:
        while lines and not lines[-1].strip():
            lines.pop()
        if header is not None:
            records.append((*header, "\n".join(lines)))

    for number, line in enumerate(path.read_text(encoding="utf-8").split("\n"), start=1):
        if line.startswith(_RECORD):
            close()
            fields = line[len(_RECORD) :].split()
            if len(fields) != 2:
                raise ValueError(f"{path.name}:{number}: a header is '@@@ <language> <shape>', not {line!r}")
            header, lines = (number, fields[0], fields[1]), []
        elif header is not None:
            lines.append(line)
    close()
    return records


def load_handwritten(
    limit: int | None = None, path: Path = HANDWRITTEN, source: str = "handwritten"
) -> list[Case]:
    """A set in set 4's format (``path``: set 4 by default, ``HANDWRITTEN2`` for set 5, ``HANDWRITTEN3`` for set
    6), its cases named ``source``."""
    cases = []
    for number, lang, shape, marked in handwritten_records(path):
        try:
            text, gold = unmark(marked, _HAND_MARK, HANDWRITTEN_TAGS)
        except ValueError as error:
            raise ValueError(f"{path.name}:{number}: {error}") from None
        if "⟦" in text or "⟧" in text:
            raise ValueError(f"{path.name}:{number}: a mark is not closed or holds another mark")
        cases.append(Case(text, gold, source, shape, lang))
    return cases[:limit] if limit else cases


def load_mimesis(limit: int | None = None) -> list[Case]:
    return _load_generated("eval_mimesis.jsonl", "mimesis", limit)


def load_chat(limit: int | None = None) -> list[Case]:
    return _load_generated("eval_chat.jsonl", "chat", limit)


def _load_generated(name: str, source: str, limit: int | None) -> list[Case]:
    cases = []
    with (DATA / name).open(encoding="utf-8") as handle:
        for line in handle:
            record = json.loads(line)
            gold = [(s["type"], s["start"], s["end"]) for s in record["spans"]]
            gold += [(KEEP, k["start"], k["end"]) for k in record["keep"]]
            cases.append(Case(record["text"], tuple(gold), source, record["shape"]))
    return cases[:limit] if limit else cases


def load_ordinary(limit: int | None = None) -> list[Case]:
    cases = []
    with (DATA / "ordinary_hh_rlhf.jsonl").open(encoding="utf-8") as handle:
        for line in handle:
            cases.append(Case(json.loads(line)["text"], (), "ordinary", "hh_rlhf"))
    replies = yaml.safe_load((DATA / "ordinary_replies.yaml").read_text(encoding="utf-8"))["replies"]
    written = [Case(r["text"], (), "ordinary", r["kind"]) for r in replies]
    if limit:
        return cases[: max(0, limit - len(written))] + written
    return cases + written


def load_ordinary_prompts(limit: int | None = None) -> list[Case]:
    with (DATA / "ordinary_prompts.jsonl").open(encoding="utf-8") as handle:
        records = [json.loads(line) for line in handle]
    return [Case(r["text"], (), "ordinary_prompts", r["source"]) for r in records[:limit]]
