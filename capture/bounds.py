"""How deep a caller's value may nest before capture validates or serializes it.

pydantic's serializer recurses once per level (``generation`` keeps provider-specific keys as given), so a
deeply nested value is refused here with a clear reason first. The same bound on JSON text (the endpoint
bodies) is :func:`prefloop.schemas.limits.json_too_deep`, checked before parsing.
"""

from __future__ import annotations

from collections.abc import Mapping

from prefloop.schemas.limits import MAX_JSON_DEPTH, json_too_deep

__all__ = ["MAX_NESTING", "json_too_deep", "value_too_deep"]

#: Deepest nesting accepted in an endpoint body or a ``response_shown`` value (the v1 event bound).
MAX_NESTING = MAX_JSON_DEPTH


def value_too_deep(value: object, limit: int = MAX_NESTING) -> bool:
    """True when ``value`` (dicts, lists, tuples) nests more than ``limit`` containers deep, or holds more
    than a million items (a cycle, or far more than any real value). Iterative: never exhausts the stack."""
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
        if seen > 1_000_000:
            return True
        stack.extend((child, depth + 1) for child in children)
    return False
