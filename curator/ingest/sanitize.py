"""Text the store can keep: PostgreSQL refuses NUL (U+0000) in ``text`` and ``jsonb``, and no UTF-8 encoder
accepts a lone surrogate (``"\\ud800"`` in JSON decodes to one). Both are replaced with U+FFFD, the Unicode
replacement character, before anything reaches the database; every other character is kept as received. The
text rule itself lives in :mod:`prefloop.schemas.text` (the tagger reads prompts by the same rule).
"""

from __future__ import annotations

import math
from typing import Any

from prefloop.schemas.text import REPLACEMENT, has_unstorable, storable_text

__all__ = ["REPLACEMENT", "finite_json", "has_unstorable", "storable", "storable_text"]


def storable(value: Any) -> Any:
    """``value`` (parsed JSON) with every string, keys included, made storable. Iterative: no recursion limit."""
    if isinstance(value, str):
        return storable_text(value)
    if not isinstance(value, dict | list):
        return value
    root: list[Any] = [value]
    stack: list[tuple[Any, Any, Any]] = [(root, 0, value)]
    while stack:
        parent, slot, item = stack.pop()
        if isinstance(item, dict):
            copy: Any = {}
            for k, v in item.items():
                key = storable_text(k) if isinstance(k, str) else k
                copy[key] = v
                stack.append((copy, key, v))
        elif isinstance(item, list):
            copy = list(item)
            stack.extend((copy, i, v) for i, v in enumerate(item))
        elif isinstance(item, str):
            copy = storable_text(item)
        else:
            copy = item
        parent[slot] = copy
    return root[0]


def finite_json(value: Any) -> bool:
    """False when ``value`` (parsed JSON) holds a float that is infinite or NaN (``1e400``, ``NaN``): JSON has no
    such numbers, and PostgreSQL's ``jsonb`` refuses what Python would write for them."""
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, float):
            if not math.isfinite(item):
                return False
        elif isinstance(item, dict):
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return True
