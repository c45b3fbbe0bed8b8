"""Duplicate prompts in releases: the near-duplicate key (placeholders, case, punctuation) and what a build
leaves out because of it."""

from __future__ import annotations

import unicodedata
from pathlib import Path
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from prefloop.curator.releases import BuildOptions, GatePolicy, build_release, rows
from prefloop.curator.releases.rows import normalized_text, prompt_fingerprint
from prefloop.curator.releases.splits import split_for
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


def _normalized_by_regex(text: str) -> str:
    """The Unicode path of :func:`normalized_text`, for every text (the reference of the ASCII path)."""
    text = unicodedata.normalize("NFKC", text)
    text = rows._PLACEHOLDER.sub(rows._placeholder, text)
    return " ".join(rows._NON_WORD.sub(" ", text.casefold()).split())


_ASCII_PIECES = st.one_of(
    st.text(st.characters(max_codepoint=127), max_size=12),
    st.sampled_from(
        ["[PERSON_1]", "<EMAIL_ADDRESS_2>", "<LOCATION>", "[A_B_3]", "[note]", "<3", "a_b", "\t\x1f"]
    ),
)


@given(st.lists(st.one_of(_ASCII_PIECES, st.text(max_size=6)), max_size=8))
def test_the_ascii_path_normalizes_as_the_unicode_path(pieces: list[str]) -> None:
    text = "".join(pieces)
    assert normalized_text(text) == _normalized_by_regex(text)


def test_ascii_text_is_normalized_without_the_unicode_regex(monkeypatch: Any) -> None:
    class Refused:
        def sub(self, *args: object) -> str:
            raise AssertionError("the Unicode regular expression ran on ASCII text")

    monkeypatch.setattr(rows, "_NON_WORD", Refused())
    assert normalized_text("Hello, [PERSON_12]!\tIt's 2 o'clock_now?") == (
        "hello placeholder_person it s 2 o clock_now"
    )


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


# --- paraphrases (MinHash candidates, the encoder decides): a reworded prompt goes where the earlier one went --------------------------------
ORIGINALS = [
    "Summarize the plot of Romeo and Juliet in three sentences.",
    "What's the difference between a list and a tuple in Python?",
    "Write a polite email asking my landlord to fix the heating.",
    "How many calories are in an avocado?",
    "Give me five ideas for a child's birthday party.",
    "Explain how photosynthesis works to a ten-year-old.",
]
REWORDED = [
    "In three sentences, summarize the plot of Romeo and Juliet.",
    "In Python, what is the difference between a tuple and a list?",
    "Draft a polite email asking my landlord to fix the heating, please.",
    "how many calories does an avocado have",
    "Give me 5 ideas for a kid's birthday party!",
    "Explain how photosynthesis works to a 10 year old.",
]


def test_shared_words_make_a_candidate_and_the_encoder_decides() -> None:
    """Word overlap alone would call these the same request; the sentence encoder does not."""
    from prefloop.curator.releases.paraphrase import ParaphraseIndex

    texts = [
        "How do I kill a Python process on Linux?",
        "How do I kill a neighbour on Linux?",
        "On Linux, how can I kill a Python process?",
    ]
    index = ParaphraseIndex()
    for i, text in enumerate(texts):
        index.add(f"k{i}", [{"role": "user", "content": text}])
    assert index.heads() == {"k2": "k0"}
    assert index.encoded == 3  # all three were candidates of each other


def test_only_pairs_that_would_land_apart_are_decided_in_the_background() -> None:
    """With a side per prompt (the split it lands in by itself), a pair on one side is not even embedded;
    a pair across sides is decided by the real encoder in the background thread, and looking up the later
    prompt waits for it."""
    from prefloop.curator.releases.paraphrase import ParaphraseIndex

    texts = {
        "k0": "How do I kill a Python process on Linux?",
        "k1": "How do I kill a neighbour on Linux?",
        "k2": "On Linux, how can I kill a Python process?",
    }

    def index() -> ParaphraseIndex:
        built = ParaphraseIndex()
        for key, text in texts.items():
            built.add(key, [{"role": "user", "content": text}])
        return built

    same = index().decide(side=lambda key: "train")
    assert same.get("k2") is None and same.encoded == 0 and dict(same) == {}
    apart = index().decide(side={"k0": "train", "k1": "train", "k2": "test"}.__getitem__)
    assert apart.get("k2") == "k0" and apart.get("k1") is None  # the neighbour is kept apart
    assert apart.encoded == 3 and dict(apart) == {"k2": "k0"}


def test_an_encoder_failure_reaches_the_lookup_instead_of_hanging() -> None:
    from prefloop.curator.releases.paraphrase import ParaphraseIndex
    from prefloop.curator.tagging.errors import ModelError

    def broken(texts: Any) -> Any:
        raise ModelError("the encoder file is damaged", value="model.onnx")

    built = ParaphraseIndex()
    for i, text in enumerate(
        ["How do I kill a Python process on Linux?", "On Linux, how can I kill a Python process?"]
    ):
        built.add(f"k{i}", [{"role": "user", "content": text}])
    decisions = built.decide(embed=broken)
    try:
        decisions.get("k1")
    except ModelError as exc:
        assert "damaged" in str(exc)
    else:
        raise AssertionError("the lookup returned although the encoder failed")


def _add_prompts(store: Store, texts: list[str], month: str, first: int) -> dict[str, str]:
    """One prompt group (2 pairs) per text; returns text -> group key."""
    from sqlalchemy import select

    from prefloop.curator.store.models import Pair

    keys = {}
    for i, text in enumerate(texts):
        ids = add_pairs(store, 1, month=month, prefix=f"p{first + i}", first=first + i)
        with store.session() as session:
            for pair in session.scalars(select(Pair).where(Pair.pair_id.in_(ids))):
                pair.prompt = [{"role": "user", "content": text}]
                keys[text] = pair.group_key
    return keys


def _splits(path: Path) -> dict[str, str]:
    import pyarrow.parquet as pq

    return {
        g: split
        for split in ("train", "test")
        for g in pq.read_table(path / "data" / f"{split}.parquet").column("prompt_group").to_pylist()
    }


def _build_month(store: Store, root: Path, month: str, paraphrase: bool = True) -> Any:
    opts = BuildOptions(
        month=month, root=root, progress=False, test_share=0.5, policy=LOOSE, paraphrase=paraphrase
    )
    return build_release(store, opts, taxonomy=SmallTaxonomy())


def test_a_reworded_prompt_goes_to_the_split_of_the_prompt_it_rewords(store: Store, tmp_path: Path) -> None:
    originals = _add_prompts(store, ORIGINALS, "2026-10", 0)
    reworded = _add_prompts(store, REWORDED, "2026-10", 100)
    result = _build_month(store, tmp_path / "on", "2026-10")
    splits = _splits(result.path)
    followed = result.manifest.counts["paraphrase_followed_split"]
    # only a rewording whose own split differs from its twin's has anything to follow; every one of those is
    # recognised and moved, and nothing else is
    apart = [
        split_for(originals[a], 0, 0.5) != split_for(reworded[b], 0, 0.5)
        for a, b in zip(ORIGINALS, REWORDED, strict=True)
    ]
    assert followed == sum(apart) >= 2
    same = [splits[originals[a]] == splits[reworded[b]] for a, b in zip(ORIGINALS, REWORDED, strict=True)]
    assert all(same) and len(splits) == 12  # nothing is left out, every rewording is with its twin
    assert {splits[originals[t]] for t in ORIGINALS} == {"train", "test"}  # different prompts still split
    assert f"moved to its split ({followed} prompts)" in (result.path / "README.md").read_text()
    off = _build_month(store, tmp_path / "off", "2026-10", paraphrase=False)
    assert off.manifest.counts["paraphrase_followed_split"] == 0
    assert "paraphrases are not detected" in (off.path / "README.md").read_text()


def test_rewordings_of_the_frozen_evaluation_set_are_left_out(store: Store, tmp_path: Path) -> None:
    from prefloop.curator.releases import pin_eval

    october = _add_prompts(store, ORIGINALS, "2026-10", 0)
    oct_ = _build_month(store, tmp_path, "2026-10")
    test_prompts = {t for t in ORIGINALS if _splits(oct_.path)[october[t]] == "test"}
    assert test_prompts and pin_eval(store, "2026-10", "test") == len(test_prompts)
    november = _add_prompts(store, REWORDED, "2026-11", 100)
    nov = _build_month(store, tmp_path, "2026-11")
    shipped = _splits(nov.path)
    for original, reworded in zip(ORIGINALS, REWORDED, strict=True):
        if november[reworded] in shipped and original in test_prompts:
            raise AssertionError(f"{reworded!r} rewords a frozen evaluation prompt and shipped")
    removed = nov.manifest.counts.get("removed_paraphrase_of_frozen_eval", 0)
    assert removed >= 2 * (len(test_prompts) - 1)  # pairs; at most one rewording missed
    assert set(shipped.values()) <= {"train"}  # the rest follow October's train prompts
    # the sentence embeddings are kept beside the releases (for the next month), not inside one
    assert list((tmp_path / ".embeddings").glob("*/*.npz"))
    assert not list(nov.path.rglob("*.npz")) and not list(oct_.path.rglob("*.npz"))


def test_the_release_is_the_same_with_one_or_two_encoder_processes(sqlite_url: str, tmp_path: Path) -> None:
    """The encoder's processes share its work, not its decisions: one month built from two copies of one
    store, with one process and with two, gives the same data files to the byte."""
    import shutil

    one = Store(sqlite_url)
    _add_prompts(one, ORIGINALS, "2026-10", 0)
    _add_prompts(one, REWORDED, "2026-10", 100)
    add_pairs(one, 150, month="2026-10", prefix="How do I", first=200)  # near each other: many candidates
    one.dispose()
    copy = tmp_path / "copy.db"
    shutil.copy(sqlite_url.removeprefix("sqlite:///"), copy)
    built = {}
    for processes, url in ((1, sqlite_url), (2, f"sqlite:///{copy}")):
        store = Store(url)
        opts = BuildOptions(
            month="2026-10",
            root=tmp_path / str(processes),
            progress=False,
            test_share=0.5,
            policy=LOOSE,
            paraphrase=True,
            encoder_processes=processes,
        )
        result = build_release(store, opts, taxonomy=SmallTaxonomy())
        store.dispose()
        built[processes] = (
            {f.path: f.sha256 for f in result.manifest.files if f.path.startswith(("data/", "dataset/"))},
            result.manifest.counts,
        )
    assert built[1] == built[2] and len(built[1][0]) >= 6
    assert built[1][1]["paraphrase_followed_split"] >= 2


# --- migration 0012: fingerprints recorded before placeholders were read by type ---------------------------
PLACEHOLDER_PROMPTS = [
    "Hi [PERSON_1], please call [PERSON_2] at [PHONE_NUMBER_1] today.",
    "Plain prompt, no names.",
]


def _legacy_fingerprint(text: str) -> str:
    """What the build recorded before revision 0012: ``[PERSON_1]`` read as the word ``person_1``."""
    import re

    return prompt_fingerprint(
        _user(re.sub(r"\[([A-Z][A-Z0-9_]*?_\d+)\]", lambda m: m.group(1).lower(), text))
    )


def test_the_migration_recomputes_old_fingerprints_of_released_prompts_with_placeholders(
    store: Store, tmp_path: Path
) -> None:
    from alembic import command
    from sqlalchemy import select, update

    from prefloop.curator.store import upgrade
    from prefloop.curator.store.engine import alembic_config
    from prefloop.curator.store.models import ReleasedPrompt

    october = _add_prompts(store, PLACEHOLDER_PROMPTS, "2026-10", 0)
    _build_month(store, tmp_path, "2026-10", paraphrase=False)
    # the store as a release built before the fix left it: at 0011, with the old fingerprints
    command.downgrade(alembic_config(store.url), "0011_signal_kind_outcomes")
    with store.session() as s:
        for text, key in october.items():
            s.execute(
                update(ReleasedPrompt)
                .where(ReleasedPrompt.group_key == key)
                .values(fingerprint=_legacy_fingerprint(text))
            )
    upgrade(store.url)
    with store.session() as s:
        stored = dict(s.execute(select(ReleasedPrompt.group_key, ReleasedPrompt.fingerprint)).all())
    named, plain = PLACEHOLDER_PROMPTS
    assert _legacy_fingerprint(named) != prompt_fingerprint(_user(named))  # the test has something to fix
    assert stored[october[named]] == prompt_fingerprint(_user(named))
    assert stored[october[plain]] == prompt_fingerprint(_user(plain))
    # November: the same prompt with its placeholders renumbered is a prompt October shipped
    renumbered = "Hi [PERSON_2], please call [PERSON_1] at [PHONE_NUMBER_3] today."
    _add_prompts(store, [renumbered, "How do I repot a cactus?"], "2026-11", 100)
    november = _build_month(store, tmp_path, "2026-11", paraphrase=False)
    assert november.manifest.counts["removed_duplicate_of_earlier_release_groups"] == 1


def test_the_migration_says_in_offline_sql_what_it_cannot_do(tmp_path: Path, capsys: Any) -> None:
    from prefloop.curator.store import upgrade

    upgrade(f"sqlite:///{tmp_path / 'x.db'}", "0011_signal_kind_outcomes:head", sql=True)
    out = capsys.readouterr().out
    assert "0012_refingerprint_placeholders: released_prompts.fingerprint of prompts with scrubber" in out
