"""What the classifier reads: the recent user turns plus lexicon feature tokens (see ``lexicon.yaml``)."""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path

import yaml

from prefloop.curator.tagging import messages
from prefloop.curator.tagging.errors import TaxonomyError
from prefloop.schemas.events import MAX_TEXT_CHARS

__all__ = [
    "DEFAULT_LEXICON_PATH",
    "MAX_CONTEXT_TURNS",
    "MAX_TURN_CHARS",
    "Lexicon",
    "encoder_text",
    "model_text",
]

DEFAULT_LEXICON_PATH = Path(__file__).with_name("lexicon.yaml")
#: How many user turns (the prompt and the ones before it) the classifier reads.
MAX_CONTEXT_TURNS = 3
#: The most of each turn the classifiers read: the product's own limit on one message, so nothing the curator
#: receives is cut, while a longer text passed to the public API stays under spaCy's limit of a million characters.
MAX_TURN_CHARS = MAX_TEXT_CHARS
_QUOTES = str.maketrans({"\u2019": "'", "\u2018": "'", "\u201c": '"', "\u201d": '"'})
#: Lists that describe the setting of a request rather than a harm; each is paired with every hazard list found.
CONTEXT_LISTS = frozenset({"person", "intent", "tech", "everyday", "games_fiction"})
_WORD = re.compile(r"[a-z0-9][a-z0-9+&'\-]*")


class Lexicon:
    """Named word lists; :meth:`features` names the lists a text touches and the (hazard, context) pairs.

    A list entry is a word (``poison``), a word beginning (``explos*``) or a phrase (``how to kill``). The entries of
    every list are indexed together, so a text's distinct words are looked up once each (and their beginnings once
    per prefix length) instead of each list scanning every word (the same features; issue 15, session 9).
    """

    def __init__(self, lists: dict[str, list[str]]) -> None:
        self._names = list(lists)
        #: word -> the lists (by position) holding it; word beginning -> its lists; per list its phrases
        self._words: dict[str, set[int]] = {}
        self._prefixes: dict[str, set[int]] = {}
        self._phrases: list[tuple[str, ...]] = []
        for i, words in enumerate(lists.values()):
            words = [str(w).lower().strip() for w in words]
            for w in words:
                if " " in w:
                    continue
                index = self._prefixes if w.endswith("*") else self._words
                index.setdefault(w[:-1] if w.endswith("*") else w, set()).add(i)
            self._phrases.append(tuple(f" {w.rstrip('*')}" for w in words if " " in w))
        self._prefix_lengths = sorted({len(p) for p in self._prefixes})

    @classmethod
    def load(cls, path: Path | str | None = None) -> Lexicon:
        p = Path(path) if path is not None else DEFAULT_LEXICON_PATH
        try:
            data = yaml.safe_load(p.read_text(encoding="utf-8"))
        except (OSError, yaml.YAMLError) as exc:
            raise TaxonomyError(messages.TAXONOMY_INVALID.format(path=p, reason=exc), value=str(p)) from exc
        if not isinstance(data, dict) or not all(isinstance(v, list) for v in data.values()):
            raise TaxonomyError(
                messages.TAXONOMY_INVALID.format(path=p, reason="expected name: [words]"), str(p)
            )
        return cls(data)

    def features(self, text: str) -> list[str]:
        """``feat_<name>`` for every list with a word or phrase in ``text`` (lower-cased), in list order."""
        words = _WORD.findall(text)
        touched: set[int] = set()
        for w in set(words):
            touched.update(self._words.get(w, ()))
            for n in self._prefix_lengths:
                if n > len(w):
                    break
                touched.update(self._prefixes.get(w[:n], ()))
        padded = " " + " ".join(words) + " "
        for i, phrases in enumerate(self._phrases):
            if i not in touched and any(ph in padded for ph in phrases):
                touched.add(i)
        found = [f"feat_{name}" for i, name in enumerate(self._names) if i in touched]
        hazards = [f for f in found if f[5:] not in CONTEXT_LISTS]
        contexts = [f for f in found if f[5:] in CONTEXT_LISTS]
        return found + [f"{h}__{c[5:]}" for h in hazards for c in contexts]


def _recent(turns: Sequence[str]) -> str:
    """The last :data:`MAX_CONTEXT_TURNS` turns, each cut to :data:`MAX_TURN_CHARS`, spacing collapsed, one line each."""
    return "\n".join(" ".join(t[:MAX_TURN_CHARS].split()) for t in turns[-MAX_CONTEXT_TURNS:])


def model_text(turns: Sequence[str], lexicon: Lexicon | None = None) -> str:
    """The recent user turns, lower-cased, one line each, then their lexicon features."""
    text = _recent(turns).lower().translate(_QUOTES)
    if lexicon is None:
        return text
    return text + "\n" + " ".join(lexicon.features(text))


def encoder_text(turns: Sequence[str]) -> str:
    """What the sentence encoder reads: the recent user turns as written, one line each (it lower-cases itself)."""
    return _recent(turns).translate(_QUOTES)
