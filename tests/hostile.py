"""Hostile records for the curator's boundaries: hypothesis strategies and a fixed set of known killers.

Every generated free text starts with :data:`MARK`, so a test can check that no user text reached a log.
"""

from __future__ import annotations

import json
from typing import Any

from hypothesis import strategies as st

from tests.factories import EventFactory

__all__ = ["MARK", "hostile_records", "known_killers", "nested"]

MARK = "zq-user-text-"

#: every code point, lone surrogates and NUL included
_ANY_CHAR = st.characters(codec=None, exclude_categories=())
_texts = st.text(_ANY_CHAR, max_size=40).map(lambda t: MARK + t)
_odd = st.sampled_from(["\x00", "\ud800", "\udfff", "\ud83d", "\ufeff", "\u2028", "\\", '"', "\x7f"])
_hostile_text = st.lists(st.one_of(_texts, _odd), min_size=1, max_size=6).map(lambda xs: MARK + "".join(xs))
_junk_value: st.SearchStrategy[Any] = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**30), max_value=10**30),
    st.floats(allow_nan=False, allow_infinity=False),
    _hostile_text,
    st.lists(st.integers(), max_size=3),
    st.dictionaries(_hostile_text, st.integers(), max_size=2),
)


def nested(depth: int, opener: str = "[") -> bytes:
    closer = "]" if opener == "[" else "}"
    inner = '{"a":' if opener == "{" else "["
    return (inner * depth + "1" + closer * depth).encode()


@st.composite
def _event(draw: st.DrawFn) -> bytes:
    f = EventFactory(app_id=draw(st.sampled_from(["app", "app-2"])))
    conv = "conv-" + str(draw(st.integers(0, 3)))
    user = "u_" + str(draw(st.integers(0, 3)))
    kind = draw(st.sampled_from(["response", "feedback", "edit", "choice", "regenerate"]))
    if kind == "response":
        event = f.response(
            conv,
            user,
            prompt=draw(_hostile_text),
            text=draw(_hostile_text),
            response_id=f"r{draw(st.integers(0, 5))}",
        )
    elif kind == "feedback":
        event = f.feedback(f"r{draw(st.integers(0, 5))}", -1, conv, user, comment=draw(_hostile_text))
    elif kind == "edit":
        event = f.edit(f"r{draw(st.integers(0, 5))}", draw(_hostile_text), conv, user)
    elif kind == "choice":
        event = f.choice("r1", "r2", draw(st.sampled_from(["a", "b", "tie"])), conv, user)
    else:
        event = f.regenerate(f"r{draw(st.integers(0, 5))}", conv, user)
    # sometimes a wrong or extra field, a provider extra, or an unknown top-level field
    if draw(st.booleans()):
        event[draw(st.sampled_from(sorted(event)))] = draw(_junk_value)
    if kind == "response" and isinstance(event.get("generation"), dict) and draw(st.booleans()):
        event["generation"] = {**event["generation"], draw(_hostile_text): draw(_junk_value)}
    if draw(st.booleans()):
        event[draw(_hostile_text)] = draw(_junk_value)
    text = json.dumps(event, ensure_ascii=draw(st.booleans()))
    # numbers JSON does not have, spliced in where a number goes
    if draw(st.integers(0, 5)) == 0:
        bad = draw(st.sampled_from(["NaN", "Infinity", "-Infinity", "1e400", "-1e999"]))
        text = text[:-1] + f', "x": {bad}}}'
    return text.encode("utf-8", "surrogatepass")


def hostile_records() -> st.SearchStrategy[bytes]:
    """One record value: mostly events with hostile texts and fields, some not events at all."""
    return st.one_of(
        _event(),
        _event(),
        _event(),
        st.binary(max_size=64),
        st.integers(30, 3000).map(nested),
        st.integers(30, 3000).map(lambda d: nested(d, "{")),
        _event().map(lambda b: b[: len(b) // 2]),
        st.just(b""),
        st.just(b"null"),
        st.just(b"[]"),
    )


def known_killers(f: EventFactory) -> dict[str, bytes]:
    """The records the issue reproduced as stopping the curator for good, by name."""
    r = f.response("conv-k", "u_k", prompt="Say hi", text="Hi", response_id="rk1")
    nul = f.feedback("rk1", -1, "conv-k", "u_k", comment=MARK + "nul \x00 in a comment")
    lone = f.feedback("rk1", -1, "conv-k", "u_k2", comment=MARK + "lone \ud800 surrogate")
    inf = f.response("conv-k", "u_k", prompt="Say hi", text="Hello", response_id="rk2")
    inf_text = json.dumps(inf)[:-1] + ', "generation": {"x": 1e400}}'
    nan_text = json.dumps(f.feedback("rk1", 1, "conv-k", "u_k3"))[:-1] + ', "score": NaN}'
    huge = f.response("conv-k", "u_k", prompt="Say hi", text="A" * 100, response_id="rk3")
    # just under the broker's 1 MiB limit (over the 1,000,000-byte event limit): dead-lettered as too_large; its
    # dead letter (the same bytes plus headers) would be over the limit
    huge["padding"] = MARK + "x" * (1_048_400 - len(json.dumps(huge)))
    # forged dates: a year-9999 event would never be purged and would land in no release
    future = {**f.feedback("rk1", -1, "conv-k", "u_k4"), "occurred_at": "9999-12-31T23:59:59Z"}
    past = {**f.feedback("rk1", 1, "conv-k", "u_k5"), "occurred_at": "0001-01-01T00:00:00Z"}
    return {
        "response": json.dumps(r).encode(),
        "nul_comment": json.dumps(nul).encode(),
        "lone_surrogate": json.dumps(lone).encode(),
        "inf_generation": inf_text.encode(),
        "nan_field": nan_text.encode(),
        "deep_array": nested(100_000),
        "deep_object": nested(100_000, "{"),
        "near_broker_limit": json.dumps(huge).encode(),
        "far_future": json.dumps(future).encode(),
        "far_past": json.dumps(past).encode(),
    }
