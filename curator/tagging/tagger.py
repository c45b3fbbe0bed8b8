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
from collections.abc import Iterable, Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any, ClassVar

import spacy
from spacy.language import Language

from prefloop.curator.tagging import messages
from prefloop.curator.tagging.conversation import Conversation, user_turns
from prefloop.curator.tagging.encoder import ENCODER_ID, SentenceEncoder
from prefloop.curator.tagging.errors import ModelError
from prefloop.curator.tagging.features import Lexicon, encoder_text, model_text
from prefloop.curator.tagging.head import CONSULT_AT, HEAD_FILE, HEAD_WEIGHT, Head, blend, consult
from prefloop.curator.tagging.model import HARMFUL, labels_for
from prefloop.curator.tagging.rules import RuleSet
from prefloop.curator.tagging.tags import Tags, decide
from prefloop.curator.tagging.taxonomy import Taxonomy

__all__ = ["DEFAULT_MODEL_DIR", "LEXICON_FILE", "THRESHOLDS_FILE", "Tagger"]

DEFAULT_MODEL_DIR = Path(__file__).parent / "model"
THRESHOLDS_FILE = "thresholds.json"
#: The lexicon a model was trained with is stored beside it, so features at tagging time match training.
LEXICON_FILE = "lexicon.yaml"


class Tagger:
    """Tags conversations with a tactic and hazards. Build it with :meth:`load`; it is safe to share."""

    #: Recorded with every group's tags and in release manifests. 2.0: the sentence encoder joined the words.
    VERSION: ClassVar[str] = "2.0"
    _loaded: ClassVar[dict[tuple[str, str], Tagger]] = {}
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
    ) -> None:
        self._nlp = nlp
        self._head = head
        self._encoder = encoder
        enc = (meta or {}).get("encoder") or {}
        self._weight = float(enc.get("weight", HEAD_WEIGHT))
        self._consult_at = float(enc.get("consult_at", CONSULT_AT))
        self._rules = RuleSet.load(nlp.vocab)
        self._lexicon = lexicon or Lexicon.load()
        self.thresholds = dict(thresholds)
        self.taxonomy = taxonomy
        self.meta = dict(meta or {})

    @classmethod
    def load(cls, model_dir: Path | str | None = None, taxonomy: Taxonomy | None = None) -> Tagger:
        """The tagger for ``model_dir`` (default: the packaged model), loaded on first use and then reused."""
        path = Path(model_dir) if model_dir is not None else DEFAULT_MODEL_DIR
        key = (str(path.resolve()), taxonomy.path if taxonomy is not None else "")
        with cls._lock:
            if key not in cls._loaded:
                cls._loaded[key] = cls._read(path, taxonomy or Taxonomy.load())
            return cls._loaded[key]

    @classmethod
    def _read(cls, path: Path, taxonomy: Taxonomy) -> Tagger:
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
            encoder = SentenceEncoder.load()
        return cls(nlp, meta["thresholds"], taxonomy, meta, lexicon, head, encoder)

    def tag(self, conversation: Conversation) -> Tags:
        """Tags of one prompt string or ``[{"role", "content"}, ...]`` conversation (last user turn = prompt)."""
        return next(self.tag_many([conversation], batch_size=1))

    def tag_many(self, conversations: Iterable[Conversation], batch_size: int = 128) -> Iterator[Tags]:
        """Tags of many conversations, in order. Raises :class:`InputError` on the first malformed one."""
        it = iter(conversations)
        while chunk := list(itertools.islice(it, batch_size)):
            yield from self._tag_chunk(chunk, batch_size)

    def _tag_chunk(self, chunk: list[Conversation], batch_size: int) -> list[Tags]:
        turns = [user_turns(c) for c in chunk]
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
        self._blend_head(turns, cats)
        hazards = self.taxonomy.hazard_names
        tags = [
            decide(cats[i], self._rules.scores(doc), self.thresholds, hazards, first.get(i))
            for i, doc in enumerate(docs)
        ]
        return [replace(t, codes=self.taxonomy.codes_for(t.hazards)) for t in tags]

    def _blend_head(self, turns: list[list[str]], cats: list[dict[str, float]]) -> None:
        """Blend the embedding classifier's scores into ``cats`` where the bag-of-words scores leave doubt."""
        if self._head is None or self._encoder is None:
            return
        asked = [i for i, c in enumerate(cats) if consult(c, self._consult_at)]
        if not asked:
            return
        scores = self._head.label_scores(self._encoder.encode([encoder_text(turns[i]) for i in asked]))
        for i, head_scores in zip(asked, scores, strict=True):
            cats[i] = blend(cats[i], head_scores, self._weight)

    def explain(self, conversation: Conversation) -> dict[str, Any]:
        """Raw model scores and the rule hits behind a conversation's tags (for debugging rules)."""
        turns = user_turns(conversation)
        doc = self._nlp(model_text(turns, self._lexicon))
        out: dict[str, Any] = {"cats": dict(doc.cats), "rules": [h.__dict__ for h in self._rules.hits(doc)]}
        if self._head is not None and self._encoder is not None:
            (out["head"],) = self._head.label_scores(self._encoder.encode([encoder_text(turns)]))
            out["consulted"] = consult(out["cats"], self._consult_at)
        return out
