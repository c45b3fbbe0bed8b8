"""spaCy's stop-word lists read on their own: the same words, without the language packages' import cost."""

from __future__ import annotations

import importlib
import json
import subprocess
import sys

import pytest

from prefloop.curator.spacy_words import stop_words

LANGUAGES = ("en", "fr", "es", "it", "pt", "nl", "de", "pl", "sv", "da", "nb", "tr")


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_lists_are_spacy_s_own(language: str) -> None:
    module = importlib.import_module(f"spacy.lang.{language}.stop_words")
    assert stop_words(language) == frozenset(module.STOP_WORDS)
    assert len(stop_words(language)) > 50


def test_a_language_spacy_lacks_is_a_clear_error() -> None:
    with pytest.raises(ModuleNotFoundError, match="no stop-word list for 'xx-nope'"):
        stop_words("xx-nope")


def test_loading_the_scrubber_s_recognizers_imports_no_other_language_package() -> None:
    """French's package alone took 5 s to import (its tokenizer exceptions), in every process that scrubs: the
    Slack bot's first resolved pair with a remark waited for it past its client's timeout."""
    code = (
        "import sys, prefloop.curator.scrub.recognizers, prefloop.curator.releases.paraphrase_contrast as p; "
        "p._function_words(); "
        "import json; print(json.dumps(sorted(m for m, mod in list(sys.modules.items()) "
        "if m.startswith('spacy.lang.') and m.count('.') == 2 and hasattr(mod, '__path__'))))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=True
    )
    languages = {name.split(".")[2] for name in json.loads(out.stdout)}  # the packages, not shared modules
    assert not languages & (set(LANGUAGES) - {"en"}), (
        languages
    )  # (``xx``, spaCy's multi-language one, is cheap)
