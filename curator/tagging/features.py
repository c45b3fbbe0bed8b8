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
    """Named word lists; :meth:`features` names the lists a text touches and the (hazard, context) pairs."""

    def __init__(self, lists: dict[str, list[str]]) -> None:
        self._exact: dict[str, frozenset[str]] = {}
        self._prefix: dict[str, tuple[str, ...]] = {}
        self._phrases: dict[str, tuple[str, ...]] = {}
        for name, words in lists.items():
            words = [str(w).lower().strip() for w in words]
            self._exact[name] = frozenset(w for w in words if " " not in w and not w.endswith("*"))
            self._prefix[name] = tuple(w[:-1] for w in words if " " not in w and w.endswith("*"))
            self._phrases[name] = tuple(f" {w.rstrip('*')}" for w in words if " " in w)

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
        padded = " " + " ".join(words) + " "
        found = []
        for name, exact in self._exact.items():
            prefix = self._prefix[name]
            if (
                any(w in exact for w in words)
                or (prefix and any(w.startswith(prefix) for w in words))
                or any(ph in padded for ph in self._phrases[name])
            ):
                found.append(f"feat_{name}")
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
