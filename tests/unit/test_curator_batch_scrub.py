"""Pairs scrubbed together (``Scrubber.scrub_pairs``, what the curator's pairing calls) come out exactly as one
``scrub_pair`` per pair, and the curator stores the same pairs either way (real scrubber, real stores)."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import delete, select, update

from benchmarks.pairing_trace import TraceBuilder, load_rows
from benchmarks.pii_sets import load_mimesis, load_ordinary
from prefloop.curator.ingest import RawRecord
from prefloop.curator.pairing import load_policy
from prefloop.curator.pipeline import Curator, load_tagger
from prefloop.curator.scrub import Scrubber
from prefloop.curator.store.models import Pair, PromptGroup

#: PII-rich texts of the scrubber's second evaluation set (e-mail signatures, forms, pastes, names with
#: particles...) and ordinary replies, so pairs share names, partial names and values across their texts.
POOL = [c.text for c in load_mimesis()[::6]] + [c.text for c in load_ordinary()[::40]]


@pytest.fixture(scope="module")
def scrubber() -> Scrubber:
    return Scrubber()


class OnePairAtATime:
    """The real scrubber seen through ``scrub_pair`` only: the curator's per-pair path."""

    def __init__(self, scrubber: Scrubber) -> None:
        self.VERSION = scrubber.VERSION
        self.scrub_pair = scrubber.scrub_pair


def _prompt(indices: list[int]) -> list[dict[str, str]]:
    roles = ("user", "assistant")
    return [{"role": roles[(len(indices) - 1 - k) % 2], "content": POOL[i]} for k, i in enumerate(indices)]


texts = st.integers(0, len(POOL) - 1)
pairs = st.lists(st.tuples(st.lists(texts, min_size=1, max_size=3), texts, texts), min_size=1, max_size=8)


@settings(max_examples=25)  # each example runs spaCy on up to 40 texts twice
@given(pairs)
def test_scrub_pairs_equals_scrub_pair_for_each(scrubber: Scrubber, drawn: list[Any]) -> None:
    batch = [(_prompt(prompt), POOL[chosen], POOL[rejected]) for prompt, chosen, rejected in drawn]
    assert scrubber.scrub_pairs(batch) == [scrubber.scrub_pair(*pair) for pair in batch]


def test_a_large_batch_across_spacy_batches_equals_scrub_pair_for_each(scrubber: Scrubber) -> None:
    n = len(POOL)
    # every text as a prompt, answers shared between neighbouring pairs, a prompt message without content
    batch = [(_prompt([i, (i + 7) % n]), POOL[(i + 1) % n], POOL[(i + 2) % n]) for i in range(n)] + [
        ([{"role": "user"}], POOL[0], POOL[1])
    ]
    assert len({t for p in batch for t in (p[1], p[2])}) > 2 * Scrubber.DEFAULT_BATCH_SIZE
    assert scrubber.scrub_pairs(batch) == [scrubber.scrub_pair(*pair) for pair in batch]
    assert scrubber.scrub_pairs([]) == []


def _trace(n_events: int) -> list[RawRecord]:
    builder = TraceBuilder(3)
    builder.app_id = "batch-scrub"
    events = builder.build(load_rows("all"))[:n_events]
    return [RawRecord(json.dumps(e).encode(), source=f"test@{i}") for i, e in enumerate(events)]


def _pairs(store: Any) -> list[tuple[Any, ...]]:
    with store.session() as s:
        rows = s.execute(
            select(
                Pair.pair_id,
                Pair.status,
                Pair.prompt,
                Pair.chosen,
                Pair.rejected,
                Pair.pii_counts,
                Pair.scrubbed,
                Pair.scrubber_version,
            ).order_by(Pair.pair_id)
        ).all()
    return [tuple(r) for r in rows]


def test_the_curator_stores_the_same_pairs_scrubbed_together_or_one_by_one(
    scrubber: Scrubber, store: Any
) -> None:
    Curator(store, load_policy(), scrubber=scrubber).process(_trace(400))
    together = _pairs(store)
    with store.session() as s:  # the same groups paired again from scratch, one scrub_pair call per pair
        s.execute(delete(Pair))
        s.execute(update(PromptGroup).values(dirty=True))
    Curator(store, load_policy(), scrubber=OnePairAtATime(scrubber)).pair_dirty()  # type: ignore[arg-type]
    assert sum(1 for row in together if row[6]) >= 20  # pairs reached review/accepted and were scrubbed
    assert together == _pairs(store)


def _rows(store: Any) -> list[Any]:
    with store.session() as s:
        return list(
            s.execute(
                select(
                    Pair.pair_id,
                    Pair.status,
                    Pair.route_reasons,
                    Pair.tags,
                    Pair.prompt,
                    Pair.chosen,
                    Pair.rejected,
                    Pair.pii_counts,
                ).order_by(Pair.pair_id)
            ).all()
        )


def test_pairs_scrubbed_while_their_prompts_are_tagged_are_scrubbed_as_after_tagging(
    scrubber: Scrubber, store: Any
) -> None:
    tagger = load_tagger()
    Curator(store, load_policy(), scrubber=scrubber, tagger=tagger).process(_trace(400))
    beside = _rows(store)
    with store.session() as s:  # the same groups tagged and paired again without a scrubber
        s.execute(delete(Pair))
        s.execute(update(PromptGroup).values(dirty=True, tags=None))
    Curator(store, load_policy(), tagger=tagger, require_scrub=False).pair_dirty()
    plain = _rows(store)
    assert [r[:4] for r in beside] == [r[:4] for r in plain]  # the same pairs, routes and tags
    assert any(r.tags and r.tags.get("harmful") for r in plain)
    visible = [r for r in plain if r.status in ("review", "accepted")]
    assert len(visible) >= 20
    expected = {r.pair_id: scrubber.scrub_pair(r.prompt, r.chosen, r.rejected) for r in visible}
    for got, raw in zip(beside, plain, strict=True):
        if got.pair_id in expected:
            want = expected[got.pair_id]
            assert (got.prompt, got.chosen, got.rejected) == (want.prompt, want.chosen, want.rejected)
            assert got.pii_counts == want.entities
        else:
            assert (got.prompt, got.chosen, got.rejected, got.pii_counts) == (
                raw.prompt,
                raw.chosen,
                raw.rejected,
                {},
            )
