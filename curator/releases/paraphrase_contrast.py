"""The second check of paraphrase detection: near pairs that swap a content word.

The sentence encoder reads "How can I kill a Python process?" and "How can I kill a person?" as close (most of
their words and all of their shape are shared), yet they ask different things. What gives such a pair away is
lexical: each side has a content word the other lacks ("python", "process" / "person"). A real rewording may
swap words too ("job" / "position", "Explain how to" / "Tell me how to"), so a swap does not reject a pair; it
asks for more agreement: a pair that swaps content words is a paraphrase only at cosine >=
:data:`SWAP_THRESHOLD` instead of the plain threshold. Pairs that only add or drop words, or change word order,
case, punctuation or function words, keep the plain threshold.

Content words are the normalized words (the fingerprint's view) that are not English function words (spaCy's
stop-word list, which holds the numbers spelled out) or numbers in digits, with a plural ``s`` taken off. :data:`SWAP_THRESHOLD` was chosen on the development set only
(``python -m benchmarks.paraphrase`` prints the choice; docs/perf/paraphrase.md).
"""

from __future__ import annotations

from functools import lru_cache

from prefloop.curator.releases.rows import normalized_text
from prefloop.curator.spacy_words import stop_words

__all__ = ["SWAP_CANDIDATE_THRESHOLD", "SWAP_THRESHOLD", "content_words", "swapped"]

#: Cosine from which a candidate pair whose sides each have a content word the other lacks is a paraphrase: the
#: best F1 on the development set with word-swapping paraphrases and one-word contrasts (0.01 grid).
SWAP_THRESHOLD = 0.87
#: Estimated Jaccard similarity (MinHash, as for candidates) from which a candidate pair that swaps a content
#: word is handed to the encoder at all: the highest of 0.35, 0.40, ... that keeps >= 98 % of the extended
#: development set's paraphrases that the check accepts (the candidate threshold's rule). Pairs of prompts that
#: share fewer words seldom reach :data:`SWAP_THRESHOLD`; on the release benchmark's month they are ~80 % of
#: the encoder's work.
SWAP_CANDIDATE_THRESHOLD = 0.40


#: Words that frame a request rather than say what it is about ("Explain how to ...", "Give me step-by-step
#: instructions to ...", "What's the best way to ..."): a rewording swaps them freely.
REQUEST_WORDS = frozenset(
    """answer ask best blog create describe detail detailed develop easiest easy explain give good guide help idea
    instruction know like need outline plan please post provide question quick quickly show simple start step
    strategy task teach tell tip tutorial walk want way write""".split()  # noqa: SIM905 (a word list)
)


@lru_cache(maxsize=1)
def _function_words() -> frozenset[str]:
    return stop_words("en") | REQUEST_WORDS | {"s", "t", "d", "ll", "m", "re", "ve"}


def _stem(word: str) -> str:
    if len(word) > 4 and word.endswith("ies"):
        return word[:-3] + "y"
    if len(word) > 3 and word.endswith("s") and not word.endswith("ss"):
        return word[:-1]
    return word


def content_words(text: str) -> frozenset[str]:
    """The content words of ``text``: normalized, function words left out, a plural ``s`` taken off."""
    stop = _function_words()
    stems = (_stem(w) for w in normalized_text(text).split() if w not in stop and not w.isdigit())
    return frozenset(w for w in stems if w not in stop)


def swapped(a: frozenset[str], b: frozenset[str]) -> bool:
    """Whether each side has a content word the other lacks (a substitution, not only an addition)."""
    return bool(a - b) and bool(b - a)
