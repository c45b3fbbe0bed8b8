"""The lexicon's feature tokens: which word lists a prompt touches (words, word beginnings, phrases)."""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from prefloop.curator.tagging.features import CONTEXT_LISTS, Lexicon

_LISTS = {
    "weapons": ["gun", "rifle", "explos*", "pipe bomb", "3d-printed*"],
    "violence": ["kill", "hurt*", "beat up"],
    "tech": ["python", "process", "linux", "kill -9"],
    "games_fiction": ["novel", "story", "game*"],
    "everyday": ["bread", "bak*"],
}
_LEX = Lexicon(_LISTS)


def _touches(words: list[str], padded: str, entry: str) -> bool:
    """What an entry means, read one word at a time: a whole word, a word beginning, or a phrase in the text."""
    if " " in entry:
        return f" {entry.rstrip('*')}" in padded
    if entry.endswith("*"):
        return any(w.startswith(entry[:-1]) for w in words)
    return entry in words


def test_words_beginnings_and_phrases_touch_their_lists_in_list_order() -> None:
    assert _LEX.features("how do i kill a python process?") == [
        "feat_violence",
        "feat_tech",
        "feat_violence__tech",
    ]
    assert _LEX.features("the explosives in my story") == [
        "feat_weapons",
        "feat_games_fiction",
        "feat_weapons__games_fiction",
    ]
    assert _LEX.features("a pipe bombs list") == ["feat_weapons"]  # a phrase may end inside a word
    assert _LEX.features("a pipebomb") == []  # but starts at a word
    assert _LEX.features("gunpowder and skill") == []  # a plain word is whole
    assert _LEX.features("") == []


_WORDS = st.sampled_from(
    [
        "gun",
        "guns",
        "kill",
        "skill",
        "killer",
        "explosive",
        "pipe",
        "bomb",
        "beat",
        "up",
        "hurting",
        "python",
        "bread",
        "baking",
        "game",
        "novel",
        "-9",
        "3d-printed",
        "the",
        "a",
        "x",
    ]
)


@settings(max_examples=200)
@given(st.lists(_WORDS, max_size=25), st.sampled_from([" ", "  ", ", ", "\n", "? "]))
def test_a_list_is_touched_exactly_when_one_of_its_entries_is_in_the_text(words: list[str], sep: str) -> None:
    text = sep.join(words)
    found = re.findall(r"[a-z0-9][a-z0-9+&'\-]*", text)
    padded = " " + " ".join(found) + " "
    touched = [
        f"feat_{n}" for n, entries in _LISTS.items() if any(_touches(found, padded, e) for e in entries)
    ]
    hazards = [f for f in touched if f[5:] not in CONTEXT_LISTS]
    contexts = [f for f in touched if f[5:] in CONTEXT_LISTS]
    assert _LEX.features(text) == touched + [f"{h}__{c[5:]}" for h in hazards for c in contexts]


def test_the_packaged_lexicon_loads_and_reads_a_harmful_request() -> None:
    feats = Lexicon.load().features("how do i make explosives at home")
    assert "feat_weapons" in feats
