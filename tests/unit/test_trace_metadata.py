"""``trace_id`` and ``metadata`` on events (v1.1, additive): bounded at the schema, recorded by capture, stored,
carried into the pair and out into the release rows, so feedback joins the app's traces."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
import pytest
from flask import Flask

from prefloop.capture import FeedbackCapture
from prefloop.curator.ingest import RawRecord
from prefloop.curator.pairing import load_policy
from prefloop.curator.pipeline import Curator
from prefloop.curator.releases import BuildOptions, GatePolicy, build_release
from prefloop.curator.store import Store
from prefloop.curator.store.models import EventRow, Pair, ResponseRow
from prefloop.schemas.errors import EventValidationError
from prefloop.schemas.events import MAX_METADATA_KEYS, MAX_METADATA_VALUE_CHARS, parse_event
from tests.factories import EventFactory
from tests.spool import spool_events
from tests.unit.release_factories import SmallTaxonomy

OTEL = "4bf92f3577b34da6a3ce929d0e0e4736"
LANGFUSE = "lf-7d2c1e0a-0f4b-4c55-9e0e-2b1f1c3d4e5f"
GOOD = "Use xs.reverse() to reverse in place, or xs[::-1] to get a reversed copy of the list."
BAD = "Python lists cannot be reversed; convert the list to a string and read it backwards instead."


def test_events_take_a_trace_id_and_a_small_metadata_map() -> None:
    f = EventFactory()
    event = parse_event(f.response(trace_id=OTEL, metadata={"arm": "b", "route": "/chat"}))
    assert event.trace_id == OTEL and event.metadata == {"arm": "b", "route": "/chat"}
    assert json.loads(event.to_json())["metadata"] == {"arm": "b", "route": "/chat"}
    plain = parse_event(f.feedback("r1", 1))  # v1.0 events: both absent, nothing else changes
    assert plain.trace_id is None and plain.metadata is None and "trace_id" not in plain.to_json()
    assert parse_event(f.feedback("r1", 1, trace_id=LANGFUSE)).trace_id == LANGFUSE


@pytest.mark.parametrize(
    ("extra", "field"),
    [
        ({"metadata": {f"k{i}": "v" for i in range(MAX_METADATA_KEYS + 1)}}, "metadata"),
        ({"metadata": {"arm": "x" * (MAX_METADATA_VALUE_CHARS + 1)}}, "metadata.arm"),
        ({"metadata": {"has space": "v"}}, "metadata.has space"),
        ({"metadata": {"": "v"}}, "metadata."),
        ({"metadata": {"n": 3}}, "metadata.n"),
        ({"metadata": {"nested": {"a": "b"}}}, "metadata.nested"),
        ({"metadata": ["arm", "b"]}, "metadata"),
        ({"trace_id": "not a trace id"}, "trace_id"),
        ({"trace_id": "x" * 129}, "trace_id"),
    ],
)
def test_out_of_bounds_trace_ids_and_metadata_are_refused_by_name(extra: dict[str, Any], field: str) -> None:
    with pytest.raises(EventValidationError) as info:
        parse_event(EventFactory().response(**extra))
    assert any(e.path.startswith(field) for e in info.value.errors), info.value.errors


def _capture(tmp_path: Path) -> tuple[Flask, Any]:
    app = Flask("assistant")
    app.config.update(SECRET_KEY="trace-secret", PREFLOOP_CAPTURE_SPOOL_DIR=str(tmp_path / "spool"))
    return app, FeedbackCapture(app, user_loader=lambda: "alice")


def test_a_trace_id_goes_from_response_shown_to_the_release_row(store: Store, tmp_path: Path) -> None:
    app, capture = _capture(tmp_path)
    context = [{"role": "user", "content": "How do I reverse a list in Python?"}]
    with app.test_request_context():
        a = capture.response_shown(
            conversation_id="c-1",
            context=context,
            text=GOOD,
            model="m-1",
            trace_id=OTEL,
            metadata={"arm": "a"},
        )
        b = capture.response_shown(
            conversation_id="c-1",
            context=context,
            text=BAD,
            model="m-2",
            trace_id=LANGFUSE,
            metadata={"arm": "b"},
        )
    assert a.recorded and b.recorded
    client = app.test_client()
    for user_trace in ("t-click-1", "t-click-2"):  # two clicks (a trace of the browser's own, too)
        r = client.post(
            "/prefloop/choice", json={"token_a": a, "token_b": b, "preferred": "a", "trace_id": user_trace}
        )
        assert r.status_code == 200, r.json
    assert capture.flush(5, app=app)
    events = spool_events(tmp_path / "spool")
    capture.shutdown(app=app)
    assert [e.get("trace_id") for e in events] == [OTEL, LANGFUSE, "t-click-1", "t-click-2"]

    result = Curator(store, load_policy(), require_scrub=False).process(
        [RawRecord(json.dumps(e).encode(), source=f"spool@{n}") for n, e in enumerate(events)]
    )
    assert not result.dead
    with store.session() as session:
        assert {r.trace_id: r.meta for r in session.query(ResponseRow)} == {
            OTEL: {"arm": "a"},
            LANGFUSE: {"arm": "b"},
        }
        assert sorted(t for (t,) in session.query(EventRow.trace_id) if t) == sorted(
            [OTEL, LANGFUSE, "t-click-1", "t-click-2"]
        )
        pair = session.query(Pair).one()
        assert pair.meta["trace_ids"] == {"chosen": OTEL, "rejected": LANGFUSE}
        pair.status, pair.scrubbed = "accepted", True  # as routing and the scrubber would leave it
    month = events[0]["occurred_at"][:7]
    built = build_release(
        store,
        BuildOptions(
            month=month, root=tmp_path / "rel", progress=False, policy=GatePolicy(min_pairs_warning=1)
        ),
        taxonomy=SmallTaxonomy(),
    )
    rows = [
        r for s in ("train", "test") for r in pq.read_table(built.path / "data" / f"{s}.parquet").to_pylist()
    ]
    assert [(r["chosen_trace_id"], r["rejected_trace_id"], json.loads(r["metadata"])) for r in rows] == [
        (OTEL, LANGFUSE, {"chosen": {"arm": "a"}, "rejected": {"arm": "b"}})
    ]
