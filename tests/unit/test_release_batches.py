"""The release's batch path renders and counts exactly what the one-row definitions do: ``release_lines`` gives
``release_line``'s bytes and ``GateTally.add_many`` the counts (and counter key order) of ``add`` pair by pair,
for any values a projected row can hold."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from types import SimpleNamespace
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from prefloop.curator.releases.gates import GateTally
from prefloop.curator.releases.rows import release_line, release_lines

# texts with quotes, backslashes, control characters, non-ASCII and astral characters: what JSON escaping meets
_TEXT = st.text(st.characters(exclude_categories=("Cs",)), max_size=40)
_FEW = st.sampled_from([None, "", "a", "m-a", 'q"uote', "ü\n\x01"])
_JSON = st.sampled_from(
    [None, "null", "{}", "[]", '{"a": 1}', '["x", "y"]', '[{"reviewer": "r1", "side": "chosen"}]']
)
_FLOAT = st.one_of(
    st.none(),
    st.floats(allow_nan=False, allow_infinity=False),
    st.sampled_from([0.0, 1.0, 0.67, 1e-05, 1e16]),
)
_MOMENT = st.builds(
    lambda s, tz: datetime(2026, 10, 1, tzinfo=UTC).replace(tzinfo=tz) + timedelta(seconds=s),
    st.integers(-(10**6), 10**7),
    st.sampled_from([UTC, None, timezone(timedelta(hours=-5))]),
)
_LIST = st.lists(st.sampled_from(["violence", "privacy", "hate", 'we"ird', "ü"]), max_size=3, unique=True)

_ROW = st.fixed_dictionaries(
    {
        "pair_id": _TEXT,
        "group_key": _TEXT,
        "chosen": _TEXT,
        "rejected": _TEXT,
        "source": _FEW,
        "kind": _FEW,
        "chosen_model": _FEW,
        "rejected_model": _FEW,
        "chosen_human_written": st.booleans(),
        "generation_json": _JSON,
        "signals_json": _JSON,
        "strength": _FLOAT,
        "conflicts": st.one_of(st.none(), st.integers(0, 5)),
        "votes_json": _JSON,
        "review_votes_json": _JSON,
        "remarks_json": _JSON,
        "agreement": _FLOAT,
        "tactic": _FEW,
        "tags_json": _JSON,
        "rubric_version": _FEW,
        "scrubber_version": _FEW,
        "policy_version": _FEW,
        "tagger_version": _FEW,
        "formed_at": _MOMENT,
        "chosen_trace_id": st.one_of(st.none(), _TEXT),
        "rejected_trace_id": st.one_of(st.none(), _TEXT),
        "metadata_json": _JSON,
        "scrubbed": st.booleans(),
        "quorum_policy": _FEW,
        "first_two_agree": st.one_of(st.none(), st.booleans()),
        "reviewer_votes": st.one_of(st.none(), st.integers(0, 4)),
        # per row, not columns of the projection
        "prompt": _TEXT,
        "hazards": _LIST,
        "checks": _LIST,
        "reviewed": st.booleans(),
        "codes": st.sampled_from([None, {}, {"ailuminate": ["S1", "S2"], "llama_guard": ["S9"]}]),
        "split": st.sampled_from(["train", "test"]),
    }
)


def _columns(rows: list[dict[str, Any]]) -> dict[str, list[Any]]:
    return {name: [r[name] for r in rows] for name in rows[0]}


@given(st.lists(_ROW, min_size=1, max_size=12))
def test_release_lines_are_release_line_of_each_row(rows: list[dict[str, Any]]) -> None:
    expected = [
        release_line(SimpleNamespace(**r), r["prompt"], r["hazards"], r["checks"], r["reviewed"], r["codes"])
        for r in rows
    ]
    c = _columns(rows)
    assert release_lines(c, c["prompt"], c["hazards"], c["checks"], c["reviewed"], c["codes"]) == expected


@given(st.lists(_ROW, min_size=1, max_size=12))
def test_add_many_counts_what_add_counts_pair_by_pair(rows: list[dict[str, Any]]) -> None:
    one = GateTally()
    for r in rows:
        one.add(SimpleNamespace(**r), r["split"], r["hazards"], r["checks"], r["reviewed"])
    many = GateTally()
    c = _columns(rows)
    many.add_many(c["split"], c, c["hazards"], c["checks"], c["reviewed"])
    assert many == one
    for name, value in vars(one).items():  # the same key order: cards list counters as counted
        if isinstance(value, dict):
            assert list(getattr(many, name).items()) == list(value.items()), name
