"""The release's single ordered pass over the month's pairs (by prompt group, then pair id): each group's fate
(its split, or why it is left out: frozen evaluation prompt, duplicate of an earlier release, exact or near
duplicate, paraphrase of a frozen evaluation prompt), duplicate pairs within a group, and each kept row through
the last PII guard to the split writers."""

from __future__ import annotations

import functools
from collections.abc import Mapping, Sequence
from datetime import UTC
from typing import Any

from prefloop.curator.releases.gates import GateTally
from prefloop.curator.releases.months import month_bounds
from prefloop.curator.releases.options import BuildOptions
from prefloop.curator.releases.rows import (
    exact_key,
    messages_json,
    parse_prompt,
    prompt_fingerprint,
    release_lines,
    str_list,
)
from prefloop.curator.releases.splits import SPLITS, split_for
from prefloop.curator.releases.writer import SplitWriters
from prefloop.curator.scrub.guard import ExitGuard

__all__ = ["RELEASE_GUARD", "OrderedPass", "hazard_codes", "split_of"]


#: The last guard before a release is written (docs/privacy.md); catches are counted and logged, never shown.
RELEASE_GUARD = ExitGuard("release")


def split_of(released: Any, month: str, options: BuildOptions, key: str) -> str:
    """Where the prompt group ``key`` lands by itself: the split it shipped in (earlier months keep theirs),
    "" when it is in the frozen evaluation set, else its split by key (:func:`split_for`)."""
    shipped = released.by_key.get(key)
    if shipped is None:
        return split_for(key, options.seed, options.test_share)
    if shipped[1] < month and (key in released.pinned_keys or shipped[0] not in SPLITS):
        return ""
    return str(shipped[0])


class OrderedPass:
    """The single ordered pass: group fate (split or removal reason), duplicate pairs, rows to the writers."""

    def __init__(
        self,
        month: str,
        options: BuildOptions,
        released: Any,
        writers: SplitWriters,
        heads: Mapping[str, str] | None = None,
    ) -> None:
        self.month, self.options, self.released, self.writers = month, options, released, writers
        #: group key -> the earlier prompt it paraphrases (:class:`Decisions`: looked up in the pass's order;
        #: not tested for truth, which would wait for every decision before the first row)
        self.heads: Mapping[str, str] = {} if heads is None else heads
        self.tally = GateTally()
        self.new_prompts: list[tuple[str, str, str]] = []
        self.seen_fp: set[str] = set()
        self.seen_raw: set[bytes] = set()
        self.group: str | None = None
        self.split: str | None = None
        self.pair_keys: set[bytes] = set()
        self._reason = ""
        self._prompt_json: str | None = None
        self._prompt: list[dict[str, str]] = []
        self._prompt_out = "[]"
        self._codes: dict[tuple[str, ...], dict[str, list[str]]] = {}
        #: every pair fed (shipped or left out): recorded as taken by this month
        self.taken: list[str] = []
        #: shipped pairs formed before the month (ready after their own month's release)
        self.late = 0
        self._month_start = month_bounds(month)[0]

    def _decide(self, key: str, prompt: list[dict[str, Any]]) -> str | None:
        fp = prompt_fingerprint(prompt)
        raw = exact_key(*(f"{m.get('role')}\x01{m.get('content')}" for m in prompt or []))
        prior = self.released.by_key.get(key)
        pinned = key in self.released.pinned_keys or fp in self.released.pinned_fps
        if pinned and not (prior is not None and prior[1] == self.month):
            return self._remove("frozen_eval_prompt")
        if prior is not None and prior[1] < self.month:
            if prior[0] not in SPLITS:
                return self._remove("frozen_eval_prompt")
            self.tally.seen_prompts += 1
            self.seen_fp.add(fp)
            self.seen_raw.add(raw)
            return prior[0]
        other = self.released.prior_fps.get(fp)
        if other is not None and other != key:
            return self._remove("duplicate_of_earlier_release")
        if raw in self.seen_raw:
            return self._remove("exact_duplicate_prompt")
        if fp in self.seen_fp:
            return self._remove("near_duplicate_prompt")
        follow = self._paraphrase_split(key)
        if follow == "":
            return self._remove("paraphrase_of_frozen_eval")
        self.seen_fp.add(fp)
        self.seen_raw.add(raw)
        split = (
            prior[0]
            if prior is not None
            else follow or split_for(key, self.options.seed, self.options.test_share)
        )
        if prior is None:
            self.new_prompts.append((key, fp, split))
        self.tally.new_prompts += 1
        return split

    def _paraphrase_split(self, key: str) -> str | None:
        """The split of the earlier prompt ``key`` paraphrases ("" when that one is in the frozen evaluation
        set, None when it paraphrases none), so a reworded prompt never lands on the other side of the split."""
        head = self.heads.get(key)
        if head is None:
            return None
        split = split_of(self.released, self.month, self.options, head)
        if split:
            self.tally.paraphrase_followed += 1
        return split

    def _remove(self, reason: str) -> str | None:
        self.tally.removed[reason + "_groups"] += 1
        self._reason = reason
        return None

    def feed_many(self, rows: Sequence[Any]) -> None:
        """:meth:`feed` for a batch of rows (a partition of the stream), in order: the same decisions, counts
        and lines; the per-pair work (counting, rendering the line) is done column by column."""
        if not rows:
            return
        columns = dict(zip(rows[0]._fields, map(list, zip(*rows, strict=True)), strict=True))
        self.taken += columns["pair_id"]
        keep: list[int] = []
        splits: list[str] = []
        prompts: list[str] = []
        removed = self.tally.removed
        for i, (group, prompt_json, chosen, rejected) in enumerate(
            zip(
                columns["group_key"],
                columns["prompt_json"],
                columns["chosen"],
                columns["rejected"],
                strict=True,
            )
        ):
            if prompt_json != self._prompt_json:
                self._prompt_json = prompt_json
                self._prompt = parse_prompt(prompt_json)
                self._prompt_out = messages_json(RELEASE_GUARD.messages(columns["pair_id"][i], self._prompt))
            if group != self.group:
                self.group = group
                self.pair_keys = set()
                self.split = self._decide(group, self._prompt)
                if self.split is not None:
                    self.tally.prompts[self.split] += 1
            if self.split is None:
                removed[self._reason] += 1
                continue
            key = exact_key(chosen, rejected)
            if key in self.pair_keys:
                removed["duplicate_pair"] += 1
                continue
            self.pair_keys.add(key)
            keep.append(i)
            splits.append(self.split)
            prompts.append(self._prompt_out)
        if not keep:
            return
        if len(keep) < len(rows):
            columns = {name: [values[i] for i in keep] for name, values in columns.items()}
        hazards = list(map(_str_list, columns["hazards_json"]))
        checks = list(map(_str_list, columns["checks_json"]))
        reviewed = [r is not None and r != "null" for r in columns["review_json"]]
        self.tally.add_many(splits, columns, hazards, checks, reviewed)
        start = self._month_start
        self.late += sum(
            1
            for formed in columns["formed_at"]
            if (formed if formed.tzinfo else formed.replace(tzinfo=UTC)) < start
        )
        chosen, rejected = columns["chosen"], columns["rejected"]
        for i, pair_id in enumerate(columns["pair_id"]):
            guarded = RELEASE_GUARD.texts(pair_id, [chosen[i], rejected[i]])
            if guarded[0] is not chosen[i] or guarded[1] is not rejected[i]:
                if chosen is columns["chosen"]:
                    chosen, rejected = list(chosen), list(rejected)
                chosen[i], rejected[i] = guarded
        guarded_columns = {**columns, "chosen": chosen, "rejected": rejected}
        codes = [self._codes_for(h) for h in hazards]
        lines = release_lines(guarded_columns, prompts, hazards, checks, reviewed, codes)
        add = self.writers.add
        for split, line in zip(splits, lines, strict=True):
            add(split, line)

    def _codes_for(self, hazards: Sequence[str]) -> dict[str, list[str]]:
        codes = self._codes.get(tuple(hazards))
        if codes is None:
            codes = self._codes[tuple(hazards)] = hazard_codes().codes_for(hazards)
        return codes

    def feed(self, pair: Any) -> None:
        """One row of the stream (:meth:`feed_many` of one)."""
        self.feed_many([pair])


@functools.lru_cache(maxsize=4096)
def _str_list(text: str | None) -> list[str]:
    """:func:`str_list`, once per distinct stored text (hazard and check lists repeat; never mutated)."""
    return str_list(text)


@functools.cache
def hazard_codes() -> Any:
    """The packaged harm taxonomy, whose hazards carry their AILuminate and Llama Guard codes (read once)."""
    from prefloop.curator.tagging.taxonomy import Taxonomy

    return Taxonomy.load()
