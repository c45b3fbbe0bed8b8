"""The tagger: spaCy rules, a bag-of-words classifier and a sentence-embedding classifier, loaded once per process.

The bag-of-words classifier (spaCy ``textcat_multilabel``) reads every prompt. When it sees any sign of harm,
injection or an edge case, the prompt is also embedded by the sentence encoder and scored by the embedding
classifier, and the two sets of scores are blended (:mod:`prefloop.curator.tagging.head`). A model trained with
``--no-encoder`` has no embedding classifier and uses the bag-of-words scores alone.
"""

from __future__ import annotations

import itertools
import json
import threading
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, ClassVar

import numpy as np
import spacy
from spacy.language import Language

from prefloop.curator.tagging import messages
from prefloop.curator.tagging.conversation import Conversation, user_turns
from prefloop.curator.tagging.encoder import ENCODER_ID, SentenceEncoder
from prefloop.curator.tagging.errors import ModelError
from prefloop.curator.tagging.features import Lexicon, encoder_text, model_text
from prefloop.curator.tagging.head import (
    CONSULT_AT,
    HEAD_FILE,
    HEAD_WEIGHT,
    READER_CONSULT_AT,
    Head,
    blend,
    consult,
)
from prefloop.curator.tagging.injection_reader import READER_FILE, InjectionReader
from prefloop.curator.tagging.model import HARMFUL, labels_for
from prefloop.curator.tagging.rules import RuleSet
from prefloop.curator.tagging.tags import Tags, decide
from prefloop.curator.tagging.taxonomy import Taxonomy
from prefloop.curator.tagging.windows import Pooling, pooled_max, windows

__all__ = ["DEFAULT_MODEL_DIR", "LEXICON_FILE", "THRESHOLDS_FILE", "Reading", "Tagger"]

DEFAULT_MODEL_DIR = Path(__file__).parent / "model"
THRESHOLDS_FILE = "thresholds.json"
#: The lexicon a model was trained with is stored beside it, so features at tagging time match training.
LEXICON_FILE = "lexicon.yaml"


@dataclass(frozen=True)
class Reading:
    """What the words and the rules say about one conversation, before the encoder and the injection reader."""

    turns: list[str]
    #: The bag-of-words scores (a multi-turn conversation: its recent turns and its last turn combined).
    cats: dict[str, float]
    rules: dict[str, float]
    #: The ``harmful`` score of the first user turn alone (multi-turn conversations only).
    first_turn_harm: float | None


class Tagger:
    """Tags conversations with a tactic and hazards. Build it with :meth:`load`; it is safe to share."""

    #: Recorded with every group's tags and in release manifests: the loaded model's ``tagger_version`` (this class
    #: default is what ``prefloop tagger train`` writes). 2.0: the sentence encoder joined the words; 2.1: the
    #: character n-gram injection reader joined them (issue 15).
    VERSION: str = "2.0"
    _loaded: ClassVar[dict[tuple[str, str, int], Tagger]] = {}
    _lock: ClassVar[threading.Lock] = threading.Lock()

    def __init__(
        self,
        nlp: Language,
        thresholds: dict[str, float],
        taxonomy: Taxonomy,
        meta: dict[str, Any] | None = None,
        lexicon: Lexicon | None = None,
        head: Head | None = None,
        encoder: SentenceEncoder | None = None,
        reader: InjectionReader | None = None,
    ) -> None:
        self._nlp = nlp
        self._reader = reader
        self._reader_consult_at = float(
            ((meta or {}).get("injection_reader") or {}).get("consult_at", READER_CONSULT_AT)
        )
        self._head = head
        self._encoder = encoder
        enc = (meta or {}).get("encoder") or {}
        self._weight = float(enc.get("weight", HEAD_WEIGHT))
        self._consult_at = float(enc.get("consult_at", CONSULT_AT))
        #: Session 12: how a prompt longer than the encoder's window is read (None: its first window only).
        self._long: Pooling | None = enc.get("long_prompts")
        self._rules = RuleSet.load(nlp.vocab)
        self._lexicon = lexicon or Lexicon.load()
        self.thresholds = dict(thresholds)
        self.taxonomy = taxonomy
        self.meta = dict(meta or {})
        self.VERSION = str(self.meta.get("tagger_version") or type(self).VERSION)

    @classmethod
    def load(
        cls,
        model_dir: Path | str | None = None,
        taxonomy: Taxonomy | None = None,
        *,
        encoder_threads: int = 0,
    ) -> Tagger:
        """The tagger for ``model_dir`` (default: the packaged model), loaded on first use and then reused.
        ``encoder_threads``: the sentence encoder's onnxruntime threads (0: one per core; the same embeddings)."""
        path = Path(model_dir) if model_dir is not None else DEFAULT_MODEL_DIR
        key = (str(path.resolve()), taxonomy.path if taxonomy is not None else "", encoder_threads)
        with cls._lock:
            if key not in cls._loaded:
                cls._loaded[key] = cls._read(path, taxonomy or Taxonomy.load(), encoder_threads)
            return cls._loaded[key]

    @classmethod
    def _read(cls, path: Path, taxonomy: Taxonomy, encoder_threads: int = 0) -> Tagger:
        th_path = path / THRESHOLDS_FILE
        if not th_path.is_file() or not (path / "config.cfg").is_file():
            raise ModelError(messages.MODEL_MISSING.format(path=path), value=str(path))
        try:
            meta = json.loads(th_path.read_text(encoding="utf-8"))
            nlp = spacy.load(path)
        except (OSError, ValueError) as exc:
            raise ModelError(messages.MODEL_MISSING.format(path=path) + f" ({exc})", value=str(path)) from exc
        trained = set(nlp.get_pipe("textcat_multilabel").labels)  # type: ignore[attr-defined]
        missing = sorted(set(labels_for(taxonomy.hazard_names)) - trained)
        if missing:
            raise ModelError(
                messages.MODEL_LABELS.format(path=path, missing=", ".join(missing)), value=missing
            )
        lexicon = Lexicon.load(path / LEXICON_FILE) if (path / LEXICON_FILE).is_file() else None
        head = encoder = None
        if meta.get("encoder"):
            if meta["encoder"].get("id") != ENCODER_ID or not (path / HEAD_FILE).is_file():
                raise ModelError(
                    messages.MODEL_ENCODER.format(path=path, found=meta["encoder"].get("id")), str(path)
                )
            head = Head.load(path / HEAD_FILE)
            if set(head.labels) != trained:
                raise ModelError(messages.MODEL_ENCODER.format(path=path, found="other labels"), str(path))
            encoder = SentenceEncoder.load(threads=encoder_threads)
        reader = None
        if meta.get("injection_reader"):
            if not (path / READER_FILE).is_file():
                raise ModelError(
                    messages.READER_INVALID.format(path=path / READER_FILE, reason="missing"), str(path)
                )
            reader = InjectionReader.load(path / READER_FILE)
        return cls(nlp, meta["thresholds"], taxonomy, meta, lexicon, head, encoder, reader)

    def tag(self, conversation: Conversation) -> Tags:
        """Tags of one prompt string or ``[{"role", "content"}, ...]`` conversation (last user turn = prompt)."""
        return next(self.tag_many([conversation], batch_size=1))

    def tag_many(self, conversations: Iterable[Conversation], batch_size: int = 128) -> Iterator[Tags]:
        """Tags of many conversations, in order. Raises :class:`InputError` on the first malformed one."""
        it = iter(conversations)
        while chunk := list(itertools.islice(it, batch_size)):
            yield from self._tag_chunk(chunk, batch_size)

    def read(self, conversations: Sequence[Conversation], batch_size: int = 128) -> list[Reading]:
        """What the words and the rules say about each conversation (no encoder, no injection reader)."""
        turns = [user_turns(c) for c in conversations]
        docs = list(self._nlp.pipe((model_text(t, self._lexicon) for t in turns), batch_size=batch_size))
        cats = [dict(d.cats) for d in docs]
        multi = [i for i, t in enumerate(turns) if len(t) > 1]
        first: dict[int, float] = {}
        if multi:
            # a conversation is as harmful as its recent turns read together or its last turn read alone, its
            # hazards are what both readings agree on, and its first turn alone tells whether it started
            # harmless (gradual escalation)
            lasts = self._nlp.pipe(
                (model_text(turns[i][-1:], self._lexicon) for i in multi), batch_size=batch_size
            )
            firsts = self._nlp.pipe(
                (model_text(turns[i][:1], self._lexicon) for i in multi), batch_size=batch_size
            )
            for i, last, head in zip(multi, lasts, firsts, strict=True):
                cats[i][HARMFUL] = max(cats[i].get(HARMFUL, 0.0), last.cats.get(HARMFUL, 0.0))
                for key in self.taxonomy.hazard_names:
                    cats[i][key] = (cats[i].get(key, 0.0) + last.cats.get(key, 0.0)) / 2
                first[i] = head.cats.get(HARMFUL, 0.0)
        return [
            Reading(turns[i], cats[i], self._rules.scores(doc), first.get(i)) for i, doc in enumerate(docs)
        ]

    def reader_scores(self, readings: Sequence[Reading]) -> list[float | None]:
        """The injection reader's score of each reading (None for all when the model has no reader)."""
        if self._reader is None:
            return [None] * len(readings)
        return [float(s) for s in self._reader.predict([encoder_text(r.turns) for r in readings])]

    def consults(self, reading: Reading, reader: float | None, reader_at: float | None = None) -> bool:
        """Whether the encoder is asked about ``reading``: the words see something, or the injection reader's
        score reaches ``reader_at`` (default: the model's setting)."""
        at = self._reader_consult_at if reader_at is None else reader_at
        return self._head is not None and consult(reading.cats, self._consult_at, reader=reader, reader_at=at)

    def reader_decides(self, reader: float | None) -> bool:
        """Whether the injection reader's score alone already makes the prompt an injection (it reaches the
        ``prompt_injection`` threshold, which words and rules can only raise): tactic and ``harmful`` are then
        settled without the encoder, so tagging does not ask it (only the hazards of such a prompt come from the
        words alone)."""
        return reader is not None and reader >= self.thresholds.get("prompt_injection", 0.5)

    def asks_encoder(self, reading: Reading, reader: float | None) -> bool:
        """Whether tagging embeds ``reading``: the encoder is consulted (:meth:`consults`) and the reader has not
        already decided (:meth:`reader_decides`)."""
        return self.consults(reading, reader) and not self.reader_decides(reader)

    def cats(
        self,
        reading: Reading,
        head_scores: Mapping[str, float] | None,
        reader: float | None,
        reader_at: float | None = None,
    ) -> dict[str, float]:
        """The model scores of one reading: the words' blended with the embedding classifier's ``head_scores``
        when the encoder is consulted (:meth:`consults`)."""
        if head_scores is not None and self.consults(reading, reader, reader_at):
            return blend(reading.cats, head_scores, self._weight)
        return reading.cats

    def decide(
        self,
        reading: Reading,
        head_scores: Mapping[str, float] | None,
        reader: float | None,
        thresholds: Mapping[str, float] | None = None,
        reader_at: float | None = None,
    ) -> Tags:
        """The tags of one reading, given the embedding classifier's scores (used when :meth:`consults`) and the
        injection reader's score; ``thresholds`` default to the model's."""
        cats = self.cats(reading, head_scores, reader, reader_at)
        hazards = self.taxonomy.hazard_names
        tags = decide(
            cats, reading.rules, thresholds or self.thresholds, hazards, reading.first_turn_harm, reader
        )
        return replace(tags, codes=self.taxonomy.codes_for(tags.hazards))

    @property
    def has_encoder(self) -> bool:
        return self._head is not None

    def head_scores(self, embeddings: np.ndarray) -> list[dict[str, float]] | None:
        """The embedding classifier's scores of ``embeddings`` (None when the model has no encoder)."""
        return None if self._head is None else self._head.label_scores(embeddings)

    def _tag_chunk(self, chunk: list[Conversation], batch_size: int) -> list[Tags]:
        readings = self.read(chunk, batch_size)
        reader = self.reader_scores(readings)
        heads: list[dict[str, float] | None] = [None] * len(readings)
        asked = [i for i, r in enumerate(readings) if self.asks_encoder(r, reader[i])]
        if asked and self._encoder is not None and self._head is not None:
            for i, scores in zip(
                asked, self._read_long([encoder_text(readings[i].turns) for i in asked]), strict=True
            ):
                heads[i] = scores
        return [self.decide(r, h, s) for r, h, s in zip(readings, heads, reader, strict=True)]

    def _read_long(self, texts: Sequence[str]) -> list[dict[str, float]]:
        """The embedding classifier's scores of ``texts``; with ``long_prompts`` set, a text longer than the
        encoder's window scores the per-label max over its windows (:mod:`~prefloop.curator.tagging.windows`)."""
        assert self._encoder is not None and self._head is not None
        if self._long is None:
            return self._head.label_scores(self._encoder.encode(texts))
        wins = [windows(t, self._long) for t in texts]
        scores = self._head.label_scores(self._encoder.encode([w for ws in wins for w in ws]))
        at = list(itertools.accumulate((len(ws) for ws in wins), initial=0))
        return [pooled_max(scores[a:b]) for a, b in itertools.pairwise(at)]

    def explain(self, conversation: Conversation) -> dict[str, Any]:
        """Raw model scores and the rule hits behind a conversation's tags (for debugging rules)."""
        turns = user_turns(conversation)
        doc = self._nlp(model_text(turns, self._lexicon))
        out: dict[str, Any] = {"cats": dict(doc.cats), "rules": [h.__dict__ for h in self._rules.hits(doc)]}
        reader = None
        if self._reader is not None:
            reader = out["injection_reader"] = float(self._reader.predict([encoder_text(turns)])[0])
        if self._head is not None and self._encoder is not None:
            (out["head"],) = self._read_long([encoder_text(turns)])
            out["consulted"] = consult(
                out["cats"], self._consult_at, reader=reader, reader_at=self._reader_consult_at
            )
        return out
