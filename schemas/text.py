"""Text every part of prefloop can store, encode and tag: PostgreSQL refuses NUL (U+0000) in ``text`` and
``jsonb``, and no UTF-8 encoder (nor spaCy, nor a tokenizer) accepts a lone surrogate (``"\\ud800"`` in JSON
decodes to one). Both are replaced with U+FFFD, the Unicode replacement character; every other character is kept.
The curator's ingest stores text this way and the tagger reads it this way, so a prompt is tagged as it is stored.
"""

from __future__ import annotations

import re

__all__ = ["REPLACEMENT", "has_unstorable", "storable_text"]

REPLACEMENT = "\ufffd"
#: NUL and every surrogate code point (a JSON decoder joins a valid pair into one character: what remains is
#: a lone half).
_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")


def has_unstorable(text: str) -> bool:
    return _UNSTORABLE.search(text) is not None


def storable_text(text: str) -> str:
    """``text`` with NUL and lone surrogates replaced by U+FFFD."""
    return _UNSTORABLE.sub(REPLACEMENT, text)
