"""The paraphrase candidates of a release build, found beside the ordered pass instead of before it.

:meth:`ParaphraseIndex.decide` needs every prompt's signature before it finds a pair: at 500k prompt groups that
is ~40 s before the first row is written. Here a thread reads the prompts in the order the pass reads them
(anchors first, then the month's groups in group-key order) and finds each batch's pairs as it comes:

- Each band's buckets are kept as a sorted array of bucket keys with each bucket's first prompt
  (:class:`Buckets`). A new prompt pairs with its bucket's first prompt, or, in a bucket new in its batch, with
  the batch's first prompt of that bucket: exactly the pairs :func:`_band_pairs` gives over all prompts at once,
  because prompts come in position order and a bucket's first prompt is its lowest position.
- Every pair of a prompt has that prompt as its later side, so it is found in the prompt's own batch; the
  filters (:func:`kept_pairs`, :func:`without_far_swaps`) look at one pair at a time; so a batch's pairs, each
  batch de-duplicated, are :func:`candidates`' pairs whose later prompt is in the batch.

The pairs go to :class:`Decisions` as they are found; a lookup waits until the thread has read its key (or
passed it: keys read in the database's order, compared in Python's when the two agree, see
:func:`orders_like_python`). The result is the same mapping as with every candidate found first.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

import numpy as np
from sqlalchemy import Text, cast, func, select, text
from sqlalchemy.orm import Session

from prefloop.curator.releases.months import month_bounds
from prefloop.curator.releases.paraphrase import (
    BANDS,
    CANDIDATE_THRESHOLD,
    NUM_PERM,
    THRESHOLD,
    band_keys,
    kept_pairs,
    prompt_text,
    prompt_words,
    signatures,
    without_far_swaps,
)
from prefloop.curator.releases.paraphrase_contrast import SWAP_CANDIDATE_THRESHOLD, SWAP_THRESHOLD
from prefloop.curator.releases.paraphrase_decisions import Decisions, Embed
from prefloop.curator.store import Store
from prefloop.curator.store.models import Pair, ReleasedPrompt

__all__ = [
    "BATCH",
    "Buckets",
    "CandidateFinder",
    "orders_like_python",
    "paraphrase_heads",
    "streamed_candidates",
]

#: Prompts read per batch (a batch's signatures and pairs are computed at once).
BATCH = 20_000


class Buckets:
    """Each band's LSH buckets so far: the bucket keys, sorted, and each bucket's first (lowest) position."""

    def __init__(self) -> None:
        self._keys = [np.empty(0, np.uint64) for _ in range(BANDS)]
        self._heads = [np.empty(0, np.int64) for _ in range(BANDS)]

    def add(self, sigs: np.ndarray, first: int) -> list[np.ndarray]:
        """Add the prompts at positions ``first, first + 1, ...`` (after every prompt added before); per band,
        the (head, member) pairs whose member is one of them."""
        out = []
        positions = np.arange(first, first + len(sigs), dtype=np.int64)
        for band in range(BANDS):
            keys = band_keys(sigs, band)
            order = np.argsort(keys, kind="stable")
            ordered = keys[order]
            new_run = np.ones(len(order), bool)
            new_run[1:] = ordered[1:] != ordered[:-1]
            heads = positions[order[np.maximum.accumulate(np.where(new_run, np.arange(len(order)), 0))]]
            known, known_heads = self._keys[band], self._heads[band]
            at = np.searchsorted(known, ordered)
            found = np.zeros(len(order), bool)
            inside = at < len(known)
            found[inside] = known[at[inside]] == ordered[inside]
            heads[found] = known_heads[at[found]]
            member = found | ~new_run
            out.append(np.stack([heads[member], positions[order[member]]], axis=1))
            fresh = new_run & ~found
            if fresh.any():
                self._keys[band] = np.insert(known, at[fresh], ordered[fresh])
                self._heads[band] = np.insert(known_heads, at[fresh], positions[order[fresh]])
        return out


class CandidateFinder:
    """Prompts added a batch at a time (anchors first): their signatures, sides and the candidate pairs whose
    later prompt is in the batch, as :meth:`ParaphraseIndex.decide` would find them over all prompts."""

    def __init__(
        self,
        keys: list[str],
        texts: list[str],
        side: Callable[[str], str] | None = None,
        threshold: float = CANDIDATE_THRESHOLD,
        swap_candidate: float | None = SWAP_CANDIDATE_THRESHOLD,
    ) -> None:
        self.keys, self.texts, self._side = keys, texts, side
        self._threshold, self._swap_candidate = threshold, swap_candidate
        self._buckets = Buckets()
        self._sigs = np.empty((0, NUM_PERM), np.uint32)
        self._sides = np.empty(0, np.int64)
        self._names: dict[str, int] = {}
        self.first_new = 0  # the anchors' count, fixed by the first batch that is not anchors
        self._month_started = False

    def add(
        self, rows: Sequence[tuple[str, Sequence[Mapping[str, Any]] | None]], anchor: bool = False
    ) -> np.ndarray:
        """Add (key, prompt) rows; the (earlier, later) candidate positions whose later prompt is one of them
        (none for anchors: two anchors are never a pair)."""
        first = len(self.keys)
        self.keys.extend(key for key, _ in rows)
        self.texts.extend(prompt_text(prompt) for _, prompt in rows)
        return self.add_signatures(signatures([prompt_words(prompt) for _, prompt in rows]), first, anchor)

    def add_signatures(self, sigs: np.ndarray, first: int, anchor: bool) -> np.ndarray:
        """:meth:`add`'s work once the batch's keys, texts and signatures are known."""
        if not anchor and not self._month_started:
            self._month_started, self.first_new = True, first
        self._sigs = _appended(self._sigs, sigs, first)
        if self._side is not None:
            names = self._names
            batch = np.fromiter(
                (names.setdefault(self._side(k), len(names)) for k in self.keys[first : first + len(sigs)]),
                np.int64,
                len(sigs),
            )
            self._sides = _appended(self._sides, batch, first)
        pairs = self._buckets.add(sigs, first)
        if anchor:
            return np.empty((0, 2), np.int64)
        end = first + len(sigs)
        sigs_so_far = self._sigs[:end]
        sides = self._sides[:end] if self._side is not None else None
        edges = kept_pairs(pairs, sigs_so_far, self.first_new, self._threshold, sides)
        if self._swap_candidate is not None:
            edges = without_far_swaps(edges, sigs_so_far, self.texts, self._swap_candidate)
        return edges


def _appended(array: np.ndarray, rows: np.ndarray, at: int) -> np.ndarray:
    """``array[:at]`` followed by ``rows``, growing ``array`` by doubling (what lies past the end is junk)."""
    need = at + len(rows)
    if len(array) < need:
        grown = np.empty((max(need, 2 * len(array)), *array.shape[1:]), array.dtype)
        grown[:at] = array[:at]
        array = grown
    array[at:need] = rows
    return array


def streamed_candidates(
    sigs: np.ndarray,
    first_new: int = 0,
    threshold: float = CANDIDATE_THRESHOLD,
    sides: np.ndarray | None = None,
    batch: int = BATCH,
) -> np.ndarray:
    """:func:`candidates`' pairs (sorted, each once), found ``batch`` signatures at a time as the build finds
    them (no content-word floor: the pairs' texts are not given)."""
    keys = [str(i) for i in range(len(sigs))]
    side = None if sides is None else (lambda key: str(sides[int(key)]))
    finder = CandidateFinder(keys, [""] * len(sigs), side, threshold, swap_candidate=None)
    found = []
    for start in range(0, first_new, batch):  # the anchors: buckets only
        finder.add_signatures(sigs[start : min(start + batch, first_new)], start, anchor=True)
    for start in range(first_new, len(sigs), batch):
        found.append(finder.add_signatures(sigs[start : start + batch], start, anchor=False))
    edges = np.concatenate(found) if found else np.empty((0, 2), np.int64)
    return edges[np.lexsort((edges[:, 1], edges[:, 0]))] if len(edges) else edges


def orders_like_python(session: Session) -> bool:
    """Whether the database orders ``pairs.group_key`` as Python orders strings (code points; UTF-8 bytes):
    SQLite's default collation, or PostgreSQL's "C"/"POSIX". Anything else: False (lookups of keys the
    candidates never read then wait for the end of the candidates, and are still right)."""
    dialect = session.get_bind().dialect.name
    if dialect == "sqlite":
        return True
    if dialect != "postgresql":
        return False
    column = session.execute(
        text(
            "SELECT collation_name FROM information_schema.columns "
            "WHERE table_schema = current_schema() AND table_name = 'pairs' AND column_name = 'group_key'"
        )
    ).scalar()
    if column is not None:
        return str(column) in ("C", "POSIX")
    database = session.execute(
        text("SELECT datcollate FROM pg_database WHERE datname = current_database()")
    ).scalar()
    return str(database) in ("C", "POSIX")


def _prompts(session: Session, *where: Any, join_released: bool = False) -> Any:
    """(group key, prompt JSON) of the accepted pairs' prompt groups, in group-key order (one per group)."""
    query = select(Pair.group_key, func.min(cast(Pair.prompt, Text))).where(Pair.status == "accepted", *where)
    if join_released:
        query = query.join(ReleasedPrompt, ReleasedPrompt.group_key == Pair.group_key)
    return session.execute(
        query.group_by(Pair.group_key).order_by(Pair.group_key).execution_options(yield_per=BATCH)
    )


def _batches(rows: Iterable[tuple[str, str | None]], skip: set[str], size: int) -> Iterable[list[Any]]:
    batch: list[Any] = []
    for key, prompt in rows:
        if key not in skip:
            batch.append((key, json.loads(prompt) if prompt else []))
            if len(batch) >= size:
                yield batch
                batch = []
    if batch:
        yield batch


def paraphrase_heads(
    store: Store,
    month: str,
    embed: Embed,
    side: Callable[[str], str] | None = None,
    batch: int | None = None,
) -> Decisions:
    """For ``month``'s release: group key -> the earlier prompt it paraphrases, found and decided in the
    background (:class:`Decisions`; close it when done). Prompts first shipped in an earlier month are anchors
    (compared against, never moved); then the month's groups in key order. ``side``: see
    :meth:`ParaphraseIndex.decide`; ``batch``: prompts per batch (default :data:`BATCH`)."""
    size = batch or BATCH
    keys: list[str] = []
    texts: list[str] = []

    def find(decisions: Decisions) -> None:
        start, end = month_bounds(month)
        finder = CandidateFinder(keys, texts, side)
        with store.sessions() as session:
            decisions.set_byte_order(orders_like_python(session))
            earlier: set[str] = set()
            anchors = _prompts(session, ReleasedPrompt.first_release < month, join_released=True)
            for rows in _batches(anchors, set(), size):
                earlier.update(key for key, _ in rows)
                finder.add(rows, anchor=True)
                if decisions.stopped:
                    return
            decisions.feed(np.empty((0, 2), np.int64), len(keys) - 1, read=list(earlier))
            read: list[str] = []  # the month's keys read since the last batch, anchors included
            month_rows = _prompts(session, Pair.formed_at >= start, Pair.formed_at < end)
            for rows in _batches(_reading(month_rows, read), earlier, size):
                edges = finder.add(rows)
                decisions.feed(edges, len(keys) - 1, read=list(read), last=read[-1])
                del read[:]
                if decisions.stopped:
                    return

    return Decisions(keys, texts, np.empty((0, 2), np.int64), embed, THRESHOLD, SWAP_THRESHOLD, source=find)


def _reading(rows: Iterable[Any], read: list[str]) -> Iterable[tuple[str, str | None]]:
    for key, prompt in rows:
        read.append(key)
        yield key, prompt
