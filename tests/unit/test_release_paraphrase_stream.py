"""Paraphrase candidates found beside the release's ordered pass, a batch of prompts at a time: the same pairs
as finding them all first, the same release, and no lookup that waits for the end when it need not."""

from __future__ import annotations

import functools
import json
import threading
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import delete

from prefloop.curator.releases import BuildOptions, build_release, pin_eval
from prefloop.curator.releases import build as build_module
from prefloop.curator.releases.months import month_bounds
from prefloop.curator.releases.paraphrase import NUM_PERM, ParaphraseIndex, candidates
from prefloop.curator.releases.paraphrase_decisions import Decisions
from prefloop.curator.releases.paraphrase_stream import (
    CandidateFinder,
    _prompts,
    orders_like_python,
    paraphrase_heads,
    streamed_candidates,
)
from prefloop.curator.store import Store
from prefloop.curator.store.models import Pair, PromptGroup, Release, ReleasedPair, ReleasedPrompt
from tests.unit.release_factories import SmallTaxonomy, add_pairs
from tests.unit.test_release_dedup import LOOSE, ORIGINALS, REWORDED, _add_prompts

NONE = np.empty((0, 2), np.int64)


@st.composite
def _signature_sets(draw: st.DrawFn) -> tuple[np.ndarray, int, np.ndarray | None, int, float]:
    """Signatures over a small alphabet (so that buckets are shared), where the anchors end, sides or none, a
    batch size and a candidate threshold."""
    n = draw(st.integers(0, 120))
    alphabet = draw(st.integers(1, 4))
    seed = draw(st.integers(0, 2**32 - 1))
    rng = np.random.default_rng(seed)
    sigs = rng.integers(0, alphabet, (n, NUM_PERM)).astype(np.uint32)
    first_new = draw(st.integers(0, n))
    sides = rng.integers(0, 3, n) if draw(st.booleans()) else None
    batch = draw(st.integers(1, 40))
    threshold = draw(st.sampled_from([0.0, 0.35, 0.6, 1.0]))
    return sigs, first_new, sides, batch, threshold


@settings(max_examples=300, deadline=None)
@given(_signature_sets())
def test_candidates_found_a_batch_at_a_time_are_the_candidates_found_at_once(
    case: tuple[np.ndarray, int, np.ndarray | None, int, float],
) -> None:
    sigs, first_new, sides, batch, threshold = case
    at_once = candidates(sigs, first_new, threshold, sides)
    streamed = streamed_candidates(sigs, first_new, threshold, sides, batch)
    assert streamed.shape == at_once.shape
    assert (streamed == at_once).all()


def _embed_by_words(texts: Sequence[str]) -> np.ndarray:
    """A stand-in encoder: a text's vector is its normalized bag of words (alike texts, high cosine)."""
    vectors = np.zeros((len(texts), 64), np.float32)
    for i, text in enumerate(texts):
        for word in text.lower().replace("?", " ").replace(".", " ").replace(",", " ").split():
            vectors[i, hash(word) % 64] += 1.0
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    return vectors / np.maximum(norms, 1e-9)


def test_the_finder_with_the_swap_floor_finds_what_the_index_finds() -> None:
    """Texts, sides, anchors and the content-word floor: the finder's batches give the index's decisions."""
    texts = [*ORIGINALS, *REWORDED, *(f"How do I fix error {i} in my python code today?" for i in range(30))]
    sides = {f"k{i:03d}": "test" if i % 3 == 0 else "train" for i in range(len(texts))}
    anchors = 4
    index = ParaphraseIndex()
    for i, text in enumerate(texts):
        index.add(f"k{i:03d}", [{"role": "user", "content": text}], anchor=i < anchors)
    expected = index.decide(embed=_embed_by_words, side=sides.__getitem__).result()
    for batch in (1, 3, 7, 100):
        keys: list[str] = []
        found: list[str] = []
        finder = CandidateFinder(keys, found, sides.__getitem__)
        rows = [(f"k{i:03d}", [{"role": "user", "content": t}]) for i, t in enumerate(texts)]
        edges = [finder.add(rows[s : min(s + batch, anchors)], anchor=True) for s in range(0, anchors, batch)]
        edges += [finder.add(rows[s : s + batch]) for s in range(anchors, len(rows), batch)]
        decided = Decisions(keys, found, np.concatenate(edges), _embed_by_words, 0.67, 0.87).result()
        assert decided == expected and expected  # something to decide, decided alike


def _source_that_stops(keys: list[str], byte_order: bool, release: threading.Event) -> Any:
    def source(decisions: Decisions) -> None:
        decisions.set_byte_order(byte_order)
        keys.extend(["b", "d"])
        decisions.feed(NONE, 1, read=["b", "d"], last="d")
        release.wait(30)  # the rest of the month is still being read

    return source


def _unused(texts: Sequence[str]) -> np.ndarray:
    raise AssertionError("nothing to embed")


def test_a_late_group_the_candidates_passed_is_answered_at_once() -> None:
    """A late pair's group that is in neither the month's query nor the anchors: once the candidates have read
    past its key, its lookup answers "no paraphrase" without waiting for the rest of the month."""
    release = threading.Event()
    keys: list[str] = []
    texts = ["", ""]
    decisions = Decisions(keys, texts, NONE, _unused, 0.67, source=_source_that_stops(keys, True, release))
    try:
        t0 = time.perf_counter()
        assert decisions.get("c") is None and decisions.get("b") is None and decisions.get("a") is None
        assert time.perf_counter() - t0 < 10 and not release.is_set()
        later: list[str | None] = []
        waiting = threading.Thread(target=lambda: later.append(decisions.get("e")))
        waiting.start()
        waiting.join(0.5)
        assert waiting.is_alive() and not later  # "e" comes after "d": not read yet, so it waits
        release.set()
        waiting.join(30)
        assert later == [None] and decisions.result() == {}
    finally:
        release.set()
        decisions.close(wait=True)


def test_without_byte_order_a_key_never_read_waits_for_the_end_and_is_still_answered() -> None:
    """When the database's order may not be Python's, "passed" is not concluded from a comparison: the lookup
    waits for the candidates' end (slower, still right)."""
    release = threading.Event()
    keys: list[str] = []
    decisions = Decisions(
        keys, ["", ""], NONE, _unused, 0.67, source=_source_that_stops(keys, False, release)
    )
    try:
        assert decisions.get("b") is None  # read: answered at once
        answer: list[str | None] = []
        waiting = threading.Thread(target=lambda: answer.append(decisions.get("c")))
        waiting.start()
        waiting.join(0.5)
        assert waiting.is_alive()
        release.set()
        waiting.join(30)
        assert answer == [None]
    finally:
        release.set()
        decisions.close(wait=True)


def test_a_failure_while_finding_candidates_reaches_the_lookup() -> None:
    def broken(decisions: Decisions) -> None:
        raise RuntimeError("the month's query failed")

    decisions = Decisions([], [], NONE, _unused, 0.67, source=broken)
    with pytest.raises(RuntimeError, match="query failed"):
        decisions.get("anything")


def test_both_databases_order_group_keys_as_python_does(store: Store) -> None:
    """SQLite, and the local PostgreSQL (initdb --no-locale: collation C), order keys by bytes."""
    keys = ["a", "B", "_x", "ab", "a-b", "é", "Z9", "0"]
    with store.session() as session:
        assert orders_like_python(session)
    with store.session() as session:
        for key in keys:
            session.add(PromptGroup(key=key, context=[{"role": "user", "content": key}], app_id="app"))
    ids = []
    for i, key in enumerate(keys):
        ids += add_pairs(store, 1, month="2026-10", prefix=f"order{i}", group_key=key)
    with store.session() as session:
        start, end = month_bounds("2026-10")
        read = [k for k, _ in _prompts(session, Pair.formed_at >= start, Pair.formed_at < end)]
    assert read == sorted(keys) and len(ids) == 2 * len(keys)


def _found_first(store: Store, month: str, embed: Any, side: Any, batch: int | None = None) -> Decisions:
    """The candidates found before the stream, every one at once (the build before session 13)."""
    index = ParaphraseIndex()
    start, end = month_bounds(month)
    with store.sessions() as session:
        earlier = set()
        for key, text in _prompts(session, ReleasedPrompt.first_release < month, join_released=True):
            earlier.add(key)
            index.add(key, json.loads(text) if text else [], anchor=True)
        for key, text in _prompts(session, Pair.formed_at >= start, Pair.formed_at < end):
            if key not in earlier:
                index.add(key, json.loads(text) if text else [])
    return index.decide(embed, side=side)


def _another_accepted_pair(store: Store, like: str, pair_id: str) -> str:
    """Another pair on ``like``'s prompt, formed the same day, accepted after its month's release."""
    with store.session() as session:
        pair = session.get(Pair, like)
        assert pair is not None
        values = {c.key: getattr(pair, c.key) for c in Pair.__table__.columns}
        session.add(Pair(**{**values, "pair_id": pair_id, "chosen": pair.chosen + " Reviewed later."}))
    return pair_id


def _forget_release(store: Store, month: str) -> None:
    with store.session() as session:
        session.execute(delete(ReleasedPair).where(ReleasedPair.month == month))
        session.execute(delete(ReleasedPrompt).where(ReleasedPrompt.first_release == month))
        session.execute(delete(Release).where(Release.month == month))


def _build(store: Store, root: Path, month: str) -> Any:
    opts = BuildOptions(month=month, root=root, progress=False, test_share=0.5, policy=LOOSE, paraphrase=True)
    return build_release(store, opts, taxonomy=SmallTaxonomy())


def _data(result: Any) -> tuple[dict[str, str], dict[str, Any]]:
    files = {
        f.path: f.sha256 for f in result.manifest.files if f.path.startswith(("data/", "jsonl/", "dataset/"))
    }
    return files, result.manifest.counts


def test_the_release_is_the_same_as_with_every_candidate_found_first(
    store: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A month with anchors (prompts shipped in October, some pinned as frozen evaluation), rewordings of them,
    many near prompts, and late pairs (one on an October prompt, one of a group October never shipped: in
    neither November's query nor the anchors): built with the candidates found first and found beside the
    stream in batches of 3, the data files are the same to the byte."""
    october = _add_prompts(store, ORIGINALS, "2026-10", 0)
    add_pairs(store, 20, month="2026-10", prefix="How do I fix my python code", first=300)
    monkeypatch.setattr(build_module, "paraphrase_heads", functools.partial(paraphrase_heads, batch=3))
    oct_ = _build(store, tmp_path, "2026-10")
    assert pin_eval(store, "2026-10", "test") >= 1
    _add_prompts(store, REWORDED, "2026-11", 100)
    add_pairs(store, 20, month="2026-11", prefix="How do I fix my python code", first=400)
    # late: formed in October after its release, accepted since; a new group, and a pair on an October prompt
    late_new = add_pairs(store, 1, month="2026-10", prefix="How do I fix my python code late", first=900)
    late_old = _another_accepted_pair(store, "p0-2026-10-00000-0", "late-on-p0")
    assert oct_.manifest.counts["pairs"] > 0 and late_new and late_old

    monkeypatch.setattr(build_module, "paraphrase_heads", _found_first)
    first = _data(_build(store, tmp_path / "first", "2026-11"))
    _forget_release(store, "2026-11")  # the same store state again: built as the first revision again
    monkeypatch.setattr(build_module, "paraphrase_heads", functools.partial(paraphrase_heads, batch=3))
    streamed = _data(_build(store, tmp_path / "streamed", "2026-11"))
    assert streamed == first
    counts = first[1]
    assert counts["paraphrase_followed_split"] + counts.get("removed_paraphrase_of_frozen_eval", 0) >= 2
    assert counts["late_pairs"] >= 2 and october
