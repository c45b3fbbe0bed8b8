"""Duplicate prompts in releases: the near-duplicate key (placeholders, case, punctuation) and what a build
leaves out because of it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from prefloop.curator.releases import BuildOptions, GatePolicy, build_release
from prefloop.curator.releases.rows import prompt_fingerprint
from prefloop.curator.scrub import Scrubber
from prefloop.curator.store import Store
from tests.unit.release_factories import SmallTaxonomy, add_pairs

LOOSE = GatePolicy(min_pairs_warning=10)
TYPES = ("PERSON", "EMAIL_ADDRESS", "PHONE_NUMBER", "LOCATION", "IBAN_CODE", "US_SSN")


def _user(text: str) -> list[dict[str, Any]]:
    return [{"role": "user", "content": text}]


def test_prompts_differing_only_in_placeholder_numbers_are_near_duplicates() -> None:
    a = prompt_fingerprint(_user("Write to [PERSON_1] at [EMAIL_ADDRESS_1] about [PERSON_2]."))
    b = prompt_fingerprint(_user("write to [PERSON_3] at [EMAIL_ADDRESS_2] about [PERSON_1]"))
    assert a == b
    # the older <TYPE_n> form means the same
    assert prompt_fingerprint(_user("Write to <PERSON_1> at <EMAIL_ADDRESS> about <PERSON_7>.")) == a
    # the type still counts: a name is not an e-mail address, and a placeholder is not a missing word
    assert prompt_fingerprint(_user("Write to [EMAIL_ADDRESS_1] at [EMAIL_ADDRESS_1] about [PERSON_2].")) != a
    assert prompt_fingerprint(_user("Write to at [EMAIL_ADDRESS_1] about [PERSON_2].")) != a
    # brackets that are not placeholders stay text
    assert prompt_fingerprint(_user("see [NOTE] and [PERSON]")) != prompt_fingerprint(_user("see and"))


def test_the_scrubbers_own_placeholders_are_recognised() -> None:
    """The real scrubber numbers placeholders by first appearance in a pair: the same prompt after another
    person was named earlier gets another number, and is still the same prompt."""
    scrubber = Scrubber()
    prompt = "Please send the invoice to sarah.connolly@mailbox.org today."
    alone = scrubber.scrub_texts_consistently([prompt])[-1]
    after = scrubber.scrub_texts_consistently(["Earlier I wrote to tom.becker@mailbox.org.", prompt])[-1]
    assert "[EMAIL_ADDRESS_1]" in alone and "[EMAIL_ADDRESS_2]" in after
    assert prompt_fingerprint(_user(alone)) == prompt_fingerprint(_user(after))


@given(
    st.lists(
        st.tuples(st.sampled_from(TYPES), st.integers(1, 99), st.integers(1, 99)), min_size=1, max_size=6
    ),
    st.text(alphabet="abc xyz,.", max_size=12),
)
def test_renumbering_placeholders_never_changes_the_key(slots: list[tuple[str, int, int]], glue: str) -> None:
    first = glue.join(f"[{t}_{n}]" for t, n, _ in slots)
    second = glue.join(f"[{t}_{m}]" for t, _, m in slots)
    assert prompt_fingerprint(_user("ask " + first)) == prompt_fingerprint(_user("ask " + second))


def test_a_build_leaves_out_prompts_that_differ_only_in_placeholder_numbers(
    store: Store, tmp_path: Path
) -> None:
    add_pairs(store, 6, prefix="Hi [PERSON_1], from [PERSON_2]")
    add_pairs(store, 6, prefix="Hi [PERSON_2], from [PERSON_1]")  # the same prompts, placeholders renumbered
    add_pairs(store, 6, prefix="Hi [LOCATION_1], from [PERSON_2]")  # another type in the slot: other prompts
    opts = BuildOptions(month="2026-10", root=tmp_path, progress=False, test_share=0.3, policy=LOOSE)
    result = build_release(store, opts, taxonomy=SmallTaxonomy())
    counts = result.manifest.counts
    assert counts["removed_near_duplicate_prompt"] == 12 and counts["pairs"] == 24
