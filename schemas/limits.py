"""Bounds on JSON text checked before it is parsed: how deeply arrays and objects nest.

Python's ``json`` module recurses once per level, so a record of 100,000 ``[`` raises ``RecursionError`` from
inside the parser (not the ``ValueError`` callers expect). :func:`json_too_deep` looks at the brackets only,
without recursing, so a consumer can refuse such a record with a reason before the parser sees it.
"""

from __future__ import annotations

import re

__all__ = ["MAX_JSON_DEPTH", "json_too_deep"]

#: The deepest nesting of arrays/objects a v1 event may have. An event nests three levels (event, context list,
#: message); ``generation`` may carry small provider-specific structures below that.
MAX_JSON_DEPTH = 32

#: A JSON string (its brackets do not count) or one bracket.
_TOKENS = re.compile(rb'"(?:[^"\\]|\\.)*"|[\[\]{}]', re.DOTALL)


def json_too_deep(raw: bytes, limit: int = MAX_JSON_DEPTH) -> bool:
    """True when ``raw`` opens more than ``limit`` arrays/objects inside one another (brackets inside strings
    do not count). Linear, never recursive; text with at most ``limit`` opening brackets is not scanned."""
    if raw.count(b"[") + raw.count(b"{") <= limit:
        return False
    depth = 0
    for token in _TOKENS.finditer(raw):
        first = token.group()[0]
        if first in b"[{":
            depth += 1
            if depth > limit:
                return True
        elif first in b"]}":
            depth -= 1
    return False
