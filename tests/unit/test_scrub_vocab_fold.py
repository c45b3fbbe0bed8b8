"""`fold` (the case- and diacritic-folded form every name and street list is matched in) is the same function on
every text, whichever path computes it."""

from __future__ import annotations

import unicodedata

from hypothesis import given
from hypothesis import strategies as st

from prefloop.curator.scrub.vocab import fold


def _by_definition(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch)).replace("ß", "ss")


@given(st.text(max_size=40) | st.text(st.characters(max_codepoint=127), max_size=40))
def test_fold_is_casefold_nfkd_without_combining_marks(text: str) -> None:
    assert fold(text) == _by_definition(text)


def test_fold_examples() -> None:
    assert [fold(w) for w in ("Müller", "JOSÉ", "Straße", "O'Brien", "ĳssel")] == [
        "muller",
        "jose",
        "strasse",
        "o'brien",
        "ijssel",
    ]
