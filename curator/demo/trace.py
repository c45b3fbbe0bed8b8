"""The public trace the demo replays: a slice of Anthropic's hh-rlhf (harmless-base, test split), shipped in
``curator/demo/data/hh_rlhf/`` with its MIT license.

Each hh-rlhf record is two transcripts that share everything but the last assistant turn. The demo turns one
record into one :class:`Conversation`: the earlier turns are the context, the last human turn is the prompt,
and the two recorded final answers are what the demo "model" can say (``better`` is the one hh-rlhf's raters
chose). Some prompts get realistic personal data injected (:data:`PII_PEOPLE`) so the scrubber has work and
the demo can prove none of it reached Slack or the release.
"""

from __future__ import annotations

import gzip
import json
import random
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from prefloop.curator.demo import messages
from prefloop.curator.demo.errors import DemoError

__all__ = [
    "DATA_DIR",
    "PII_PEOPLE",
    "TRACE_FILE",
    "Conversation",
    "Person",
    "inject_pii",
    "load_trace",
    "parse_transcript",
]

DATA_DIR = Path(__file__).parent / "data" / "hh_rlhf"
TRACE_FILE = DATA_DIR / "harmless-base_test.first620.jsonl.gz"

_TURN = re.compile(r"\n\n(Human|Assistant): ")
_ROLES = {"Human": "user", "Assistant": "assistant"}


@dataclass(frozen=True)
class Person:
    """A made-up person whose details the demo writes into prompts (phone numbers are in the fictional
    555-01xx range)."""

    name: str
    email: str
    phone: str

    @property
    def values(self) -> tuple[str, str, str]:
        return (self.name, self.email, self.phone)


#: Made-up people; how they are written into a prompt is one of :data:`_PII_TEMPLATES`.
PII_PEOPLE: tuple[Person, ...] = (
    Person("Maria Gonzalez", "maria.gonzalez84@gmail.com", "415-555-0132"),
    Person("Samuel Adeyemi", "sam.adeyemi@protonmail.com", "+1 (312) 555-0199"),
    Person("Lucia Ferraro", "lucia.ferraro@hotmail.com", "+1 (503) 555-0172"),
    Person("Owen Gallagher", "owen.gallagher@icloud.com", "718-555-0164"),
    Person("Priya Raman", "priya.raman@outlook.com", "(212) 555-0187"),
    Person("Daniel Okafor", "daniel.okafor@yahoo.com", "646-555-0143"),
)

_PII_TEMPLATES: tuple[str, ...] = (
    "My name is {name}, you can reach me at {email} or {phone}. {prompt}",
    "I am {name} and my number is {phone}, email {email}. {prompt}",
    "{prompt} My name is {name}. Email: {email}. Phone: {phone}.",
    "This is {name}, {email}, cell {phone}. {prompt}",
)


@dataclass
class Conversation:
    """One replayed conversation: the context before the prompt, the prompt, the two recorded answers."""

    index: int
    history: list[dict[str, str]]
    prompt: str
    better: str
    worse: str
    pii: list[str] = field(default_factory=list)

    @property
    def context(self) -> list[dict[str, str]]:
        """What the model answers: the history and the prompt (ends with the user's message)."""
        return [*self.history, {"role": "user", "content": self.prompt}]


def parse_transcript(text: str) -> list[dict[str, str]]:
    """``"\\n\\nHuman: ...\\n\\nAssistant: ..."`` -> ``[{"role": "user", ...}, {"role": "assistant", ...}]``."""
    parts = _TURN.split(text)
    if parts[0].strip():
        raise DemoError(messages.BAD_TRANSCRIPT.format(start=parts[0][:60]), value=text[:200])
    turns = []
    for role, content in zip(parts[1::2], parts[2::2], strict=True):
        turns.append({"role": _ROLES[role], "content": content.strip()})
    return turns


def _conversation(index: int, record: dict[str, str]) -> Conversation | None:
    chosen = parse_transcript(record["chosen"])
    rejected = parse_transcript(record["rejected"])
    if len(chosen) < 2 or chosen[-1]["role"] != "assistant" or rejected[-1]["role"] != "assistant":
        return None
    if chosen[:-1] != rejected[:-1] or chosen[-2]["role"] != "user":
        return None
    better, worse = chosen[-1]["content"], rejected[-1]["content"]
    if not better or not worse or better == worse or not chosen[-2]["content"]:
        return None
    return Conversation(index, chosen[:-2], chosen[-2]["content"], better, worse)


def _records(path: Path) -> Iterator[dict[str, str]]:
    try:
        with gzip.open(path, "rt", encoding="utf-8") as fh:
            for line in fh:
                if line.strip():
                    yield json.loads(line)
    except OSError as exc:
        raise DemoError(messages.TRACE_UNREADABLE.format(path=path, error=exc), value=str(path)) from exc


def inject_pii(conv: Conversation, person: Person, template: int) -> Conversation:
    """``conv`` with ``person``'s name, email and phone written into its prompt (template ``template``)."""
    text = _PII_TEMPLATES[template % len(_PII_TEMPLATES)].format(
        name=person.name, email=person.email, phone=person.phone, prompt=conv.prompt
    )
    return Conversation(conv.index, conv.history, text, conv.better, conv.worse, list(person.values))


def load_trace(
    n: int, *, seed: int = 0, pii_share: float = 0.08, path: Path = TRACE_FILE
) -> list[Conversation]:
    """``n`` conversations from the shipped slice, in file order, ``pii_share`` of them with injected PII
    (at least one when ``n`` > 0). Deterministic for a seed."""
    if n < 1:
        raise DemoError(messages.BAD_COUNT.format(n=n), value=n)
    out: list[Conversation] = []
    for i, record in enumerate(_records(path)):
        conv = _conversation(i, record)
        if conv is not None:
            out.append(conv)
        if len(out) == n:
            break
    if len(out) < n:
        raise DemoError(messages.TRACE_TOO_SHORT.format(n=n, have=len(out), path=path), value=n)
    rng = random.Random(seed)
    k = max(1, round(n * pii_share))
    for j, pos in enumerate(sorted(rng.sample(range(n), k))):
        out[pos] = inject_pii(out[pos], PII_PEOPLE[j % len(PII_PEOPLE)], j)
    return out
