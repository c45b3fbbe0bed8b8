"""Limits checked before anything is parsed or serialized: how deep a JSON body or a caller's value nests.

``json.loads`` and pydantic's serializer recurse once per level: a body of 100,000 ``[`` raises
``RecursionError`` deep inside the parser. These checks are linear scans that never recurse, so hostile input
is refused with a clear answer before the parser sees it.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

__all__ = ["MAX_NESTING", "json_too_deep", "value_too_deep"]

#: Deepest nesting accepted in an endpoint body or a ``response_shown`` value (bodies are flat objects;
#: ``generation`` may hold small provider-specific structures).
MAX_NESTING = 32

_STRING = re.compile(rb'"(?:[^"\\]|\\.)*"', re.DOTALL)
_BRACKETS = re.compile(rb"[\[\]{}]")
_OPEN = frozenset(b"[{")


def json_too_deep(raw: bytes, limit: int = MAX_NESTING) -> bool:
    """True when the JSON text ``raw`` opens more than ``limit`` arrays/objects inside one another.

    Brackets inside strings do not count. Cheap when the body is small or flat: a body with at most
    ``limit`` opening brackets in total cannot nest deeper, and is not scanned further."""
    if raw.count(b"[") + raw.count(b"{") <= limit:
        return False
    depth = 0
    for match in _BRACKETS.finditer(_STRING.sub(b'""', raw)):
        if match.group()[0] in _OPEN:
            depth += 1
            if depth > limit:
                return True
        else:
            depth -= 1
    return False


def value_too_deep(value: object, limit: int = MAX_NESTING) -> bool:
    """True when ``value`` (dicts, lists, tuples) nests more than ``limit`` containers deep, or contains
    itself. Iterative, so a pathological value cannot exhaust the stack here."""
    stack: list[tuple[object, int]] = [(value, 0)]
    seen = 0
    while stack:
        item, depth = stack.pop()
        if isinstance(item, Mapping):
            children = list(item.values())
        elif isinstance(item, list | tuple):
            children = list(item)
        else:
            continue
        if depth + 1 > limit:
            return True
        seen += len(children)
        if seen > 1_000_000:  # a cycle, or far more than any real value holds
            return True
        stack.extend((child, depth + 1) for child in children)
    return False
