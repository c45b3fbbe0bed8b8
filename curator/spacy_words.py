"""spaCy's stop-word lists, read without importing their language packages.

Each list is a plain module of words (``spacy/lang/<code>/stop_words.py``), but importing it runs its package's
``__init__`` first, which imports spaCy and the language's tokenizer rules: about 0.7 s for English and 5 s for
French, whose tokenizer exceptions compile one very large regular expression. The scrubber reads the lists of
eleven languages at import, so every process that scrubs (the curator, the Slack bot's first resolved pair, the
CLI) paid that. Here each module file is run on its own; a list whose module is already imported is taken as it is.
"""

from __future__ import annotations

import importlib.util
import sys
from functools import cache
from pathlib import Path

__all__ = ["stop_words"]


@cache
def stop_words(language: str) -> frozenset[str]:
    """spaCy's stop words of ``language`` (its code: ``"en"``, ``"fr"``, ...)."""
    name = f"spacy.lang.{language}.stop_words"
    module = sys.modules.get(name)
    if module is None:
        package = importlib.util.find_spec("spacy")
        if package is None or package.origin is None:
            raise ModuleNotFoundError("No module named 'spacy'", name="spacy")
        path = Path(package.origin).parent / "lang" / language / "stop_words.py"
        spec = importlib.util.spec_from_file_location(f"_prefloop_spacy_{language}_stop_words", path)
        if spec is None or spec.loader is None or not path.is_file():
            raise ModuleNotFoundError(f"spaCy has no stop-word list for {language!r} ({path})", name=name)
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
    return frozenset(module.STOP_WORDS)
