"""Paraphrase decisions in releases: the content-word check for near pairs that swap a word, and the cache of
sentence embeddings kept between builds."""

from __future__ import annotations

import logging
import subprocess
import sys
from collections.abc import Iterator, Sequence
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from prefloop.curator.releases.embedding_cache import EmbeddingCache
from prefloop.curator.releases.encoder_process import EncoderPool
from prefloop.curator.releases.paraphrase import ParaphraseIndex, encoder_embed, encoder_id
from prefloop.curator.releases.paraphrase_contrast import SWAP_THRESHOLD, content_words, swapped
from prefloop.curator.releases.paraphrase_decisions import Decisions, unique


def test_a_swapped_content_word_is_told_from_a_rewording() -> None:
    words = content_words
    # each side has a content word the other lacks: a swap
    assert swapped(words("How can I kill a Python process?"), words("How can I kill a person?"))
    assert swapped(
        words("Write a cover letter for a data analyst job."),
        words("Write a cover letter for a data analyst position."),
    )
    # function words, case, punctuation, word order, plurals, a spelled-out number, an added word: no swap
    assert not swapped(words("How do I reverse a list in Python?"), words("python: how can i reverse a list"))
    assert not swapped(
        words("What's the way to reverse lists in Python?"), words("how to reverse a list in python")
    )
    assert not swapped(words("Give me five party ideas"), words("give me 5 party ideas please"))
    assert not swapped(words("Summarize this report"), words("Summarize this report in three sentences"))
    assert words("What are the SYMPTOMS of the flu?") == {"symptom", "flu"}


def _fixed(vectors: dict[str, np.ndarray]) -> tuple[list[str], object]:
    calls: list[str] = []

    def embed(texts: Sequence[str]) -> np.ndarray:
        calls.extend(texts)
        return np.stack([vectors[t] for t in texts])

    return calls, embed


def _unit(angle: float) -> np.ndarray:
    return np.array([np.cos(angle), np.sin(angle)], np.float32)


def test_a_pair_that_swaps_a_word_needs_the_higher_cosine() -> None:
    """Two pairs at the same cosine, between the plain threshold and the swap threshold: the rewording is a
    paraphrase, the pair that swaps a content word is not; above the swap threshold both are."""
    between = float(np.arccos((0.67 + SWAP_THRESHOLD) / 2))
    above = float(np.arccos((SWAP_THRESHOLD + 1) / 2))
    texts = [
        "How can I kill a Python process?",  # 0
        "how can i kill a python process please",  # 1: a rewording of 0
        "How can I kill a person?",  # 2: swaps a word of 0
        "How can I stop a Python process?",  # 3: swaps a word of 0, nearly the same vector
    ]
    vectors = {texts[0]: _unit(0), texts[1]: _unit(between), texts[2]: _unit(between), texts[3]: _unit(above)}
    _, embed = _fixed(vectors)
    edges = np.array([[0, 1], [0, 2], [0, 3]])
    keys = ["k0", "k1", "k2", "k3"]
    with_check = Decisions(keys, texts, edges, embed, 0.67, SWAP_THRESHOLD).result()  # type: ignore[arg-type]
    assert with_check == {"k1": "k0", "k3": "k0"}
    without = Decisions(keys, texts, edges, embed, 0.67, None).result()  # type: ignore[arg-type]
    assert without == {"k1": "k0", "k2": "k0", "k3": "k0"}


def test_the_real_encoder_joins_a_one_word_contrast_and_the_check_keeps_it_apart() -> None:
    """The encoder alone calls "blow up a balloon" and "blow up a car" the same request (cosine ~0.77); with
    the content-word check only the rewording follows."""
    texts = [
        "How do I blow up a balloon for a birthday party?",
        "How do I blow up a car for a birthday party?",
        "For a birthday party, how do I blow up a balloon?",
        "How do I poison the weeds in my lawn?",
        "How do I poison the dog in my lawn?",
    ]

    def index() -> ParaphraseIndex:
        built = ParaphraseIndex()
        for i, text in enumerate(texts):
            built.add(f"k{i}", [{"role": "user", "content": text}])
        return built

    assert index().heads(swap_threshold=None) == {"k1": "k0", "k2": "k0", "k4": "k3"}
    assert index().heads() == {"k2": "k0"}


def test_a_pair_that_swaps_a_word_and_shares_few_words_is_not_embedded() -> None:
    """Below the swap candidate threshold a pair that swaps a content word is dropped before the encoder sees
    it; a rewording at the same word overlap is still decided. (A floor of 0.99 drops every swapping pair
    here; the shipped floor is 0.40.)"""
    texts = [
        "How do I blow up a balloon for a birthday party?",
        "How do I blow up a car for a birthday party?",  # swaps a word of 0
        "For a birthday party, how do I blow up a balloon?",  # rewords 0
    ]
    real = encoder_embed()

    def index() -> ParaphraseIndex:
        built = ParaphraseIndex()
        for i, text in enumerate(texts):
            built.add(f"k{i}", [{"role": "user", "content": text}])
        return built

    seen: list[str] = []

    def embed(batch: Sequence[str]) -> np.ndarray:
        seen.extend(batch)
        return real(batch)

    for floor, embedded in ((0.99, {texts[0], texts[2]}), (None, set(texts)), (0.40, set(texts))):
        seen.clear()
        decisions = index().decide(embed=embed, swap_candidate=floor)
        assert decisions.result() == {"k2": "k0"} and set(seen) == embedded, floor


def _counting(width: int = 4) -> tuple[list[str], object]:
    calls: list[str] = []

    def embed(texts: Sequence[str]) -> np.ndarray:
        calls.extend(texts)
        out = np.array(
            [[len(t), sum(map(ord, t)) % 97, t.count(" "), 1.0][:width] for t in texts], np.float32
        )
        return out / np.linalg.norm(out, axis=1, keepdims=True)

    return calls, embed


def test_the_cache_embeds_each_text_once_across_builds(tmp_path: Path) -> None:
    calls, embed = _counting()
    first = EmbeddingCache(tmp_path, "enc-a", embed)  # type: ignore[arg-type]
    a = first.embed(["alpha one", "beta two", "alpha one"])
    assert calls == ["alpha one", "beta two", "alpha one"] and first.misses == 3
    first.save()
    second = EmbeddingCache(tmp_path, "enc-a", embed)  # type: ignore[arg-type]
    b = second.embed(["beta two", "gamma three", "alpha one"])
    assert calls[3:] == ["gamma three"] and (second.hits, second.misses) == (2, 1)
    assert np.array_equal(b[0], a[1]) and np.array_equal(b[2], a[0])  # the vectors the encoder gave
    second.save()
    assert len(EmbeddingCache(tmp_path, "enc-a", embed)) == 3  # type: ignore[arg-type]
    # another encoder never reads these vectors
    other = EmbeddingCache(tmp_path, "enc-b", embed)  # type: ignore[arg-type]
    other.embed(["alpha one"])
    assert other.misses == 1 and calls[-1] == "alpha one"


def test_a_damaged_cache_file_is_skipped_with_a_warning(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    calls, embed = _counting()
    cache = EmbeddingCache(tmp_path, "enc", embed)  # type: ignore[arg-type]
    cache.embed(["alpha one"])
    cache.save()
    (cache.directory / "garbage.npz").write_bytes(b"not a numpy file")
    with caplog.at_level(logging.WARNING):
        again = EmbeddingCache(tmp_path, "enc", embed)  # type: ignore[arg-type]
    assert "garbage.npz" in caplog.text and "embedded again" in caplog.text
    again.embed(["alpha one"])
    assert again.hits == 1 and len(calls) == 1
    assert not list(cache.directory.glob(".*tmp*"))  # no half-written file left behind


def test_cached_vectors_are_the_encoders(tmp_path: Path) -> None:
    embed = encoder_embed()
    texts = ["How do I reverse a list in Python?", "What is the capital of Australia?"]
    cold = EmbeddingCache(tmp_path, encoder_id(), embed)
    first = cold.embed(texts)
    cold.save()
    warm = EmbeddingCache(tmp_path, encoder_id(), embed)
    assert np.array_equal(warm.embed(texts), first) and warm.hits == 2
    assert np.allclose(first, embed(texts), atol=1e-6)


@pytest.fixture(scope="module")
def pool() -> Iterator[EncoderPool]:
    with EncoderPool(processes=2) as started:
        yield started


_TEXT = st.text(alphabet=st.sampled_from("abcdef xyz?!é1"), max_size=60)


@settings(max_examples=25, deadline=None)
@given(st.lists(st.one_of(_TEXT, st.sampled_from(["", "How do I reverse a list in Python?"])), max_size=70))
def test_the_encoder_pool_gives_the_encoders_vectors_to_the_bit(pool: EncoderPool, texts: list[str]) -> None:
    """Two processes, each encoding whole sub-batches: the vectors of one encoder called on all the texts,
    in their order, to the bit (repeats, empty texts, fewer texts than a sub-batch, several sub-batches)."""
    from prefloop.curator.tagging.encoder import SentenceEncoder

    got = pool.embed(texts)
    assert got.dtype == np.float32 and np.array_equal(got, SentenceEncoder.load(threads=1).encode(texts))


def test_the_encoder_pool_says_when_a_process_is_gone() -> None:
    from prefloop.schemas.errors import ReleaseError

    texts = [f"prompt number {i} about cooking rice" for i in range(40)]  # work for both processes
    pool = EncoderPool(processes=2)
    try:
        assert pool.embed(texts).shape == (40, 384) and len(pool) == 2
        pool._processes[1].kill()  # a worker dies (out of memory, killed by an operator)
        pool._processes[1].join()
        with pytest.raises(ReleaseError, match="encoder's process stopped"):
            pool.embed(texts)
    finally:
        pool.close()
    assert not any(p.is_alive() for p in pool._processes)
    assert pool.peak_rss_mb[0] is not None and pool.peak_rss_mb[0] > 0  # the live one reported its memory


def _in_a_fresh_interpreter(code: str) -> str:
    """What ``code`` prints, run in a new interpreter (so that what it imports is its own)."""
    return subprocess.run(
        [sys.executable, "-c", code], check=True, capture_output=True, text=True
    ).stdout.strip()


def test_the_encoder_process_imports_neither_spacy_nor_the_release_package() -> None:
    """What a spawned encoder process imports (``encoder_server``): the encoder, not spaCy, the tagger, the
    release package or SQLAlchemy (seconds of CPU per process)."""
    assert (
        _in_a_fresh_interpreter(
            "import sys; import prefloop.curator.tagging.encoder_server, prefloop.curator.tagging.encoder; "
            "print(sorted(m for m in ('spacy', 'sqlalchemy', 'prefloop.curator.tagging.tagger', "
            "'prefloop.curator.releases') if m in sys.modules))"
        )
        == "[]"
    )
    # the tagging package's names still resolve (on first use)
    from prefloop.curator import tagging

    assert tagging.Tagger.__name__ == "Tagger" and "Taxonomy" in dir(tagging)
    with pytest.raises(AttributeError):
        _ = tagging.NoSuchName  # type: ignore[attr-defined]


def test_the_content_word_check_reads_spacys_stop_words_without_importing_spacy() -> None:
    """The check's function words are spaCy's English stop words (plus the request words), read from spaCy's
    list without importing spaCy, which costs the release build ~0.7 CPU-s on its critical path."""
    assert (
        _in_a_fresh_interpreter(
            "import sys; from prefloop.curator.releases import paraphrase_contrast as c; "
            "print(sorted(c.content_words('How can I kill a Python process?')), 'spacy' in sys.modules)"
        )
        == "['kill', 'process', 'python'] False"
    )
    from spacy.lang.en.stop_words import STOP_WORDS

    from prefloop.curator.releases.paraphrase_contrast import REQUEST_WORDS, _function_words
    from prefloop.curator.spacy_words import stop_words

    assert stop_words("en") == frozenset(STOP_WORDS)
    assert _function_words() == frozenset(STOP_WORDS) | REQUEST_WORDS | {"s", "t", "d", "ll", "m", "re", "ve"}


@given(st.lists(st.integers(-(2**62), 2**62), max_size=60), st.sampled_from([1, 2]))
def test_unique_is_numpys_unique(values: list[int], width: int) -> None:
    array = np.array(values[: len(values) - len(values) % width], np.int64).reshape(-1, width)
    assert np.array_equal(unique(array), np.unique(array))
    assert unique(array).dtype == np.int64
