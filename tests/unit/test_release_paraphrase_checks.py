"""Paraphrase decisions in releases: the content-word check for near pairs that swap a word, and the cache of
sentence embeddings kept between builds."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pytest

from prefloop.curator.releases.embedding_cache import EmbeddingCache
from prefloop.curator.releases.paraphrase import ParaphraseIndex, encoder_embed, encoder_id
from prefloop.curator.releases.paraphrase_contrast import SWAP_THRESHOLD, content_words, swapped
from prefloop.curator.releases.paraphrase_decisions import Decisions


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


def test_the_encoder_process_gives_the_encoders_vectors_and_says_when_it_is_gone() -> None:
    from prefloop.curator.releases.encoder_process import EncoderProcess
    from prefloop.schemas.errors import ReleaseError

    texts = ["How do I reverse a list in Python?", "What is the capital of Australia?"]
    worker = EncoderProcess()
    try:
        assert np.allclose(worker.embed(texts), encoder_embed()(texts), atol=1e-6)
        assert worker.embed([]).shape[0] == 0
        worker._process.kill()  # the worker dies (out of memory, killed by an operator)
        worker._process.join()
        with pytest.raises(ReleaseError, match="encoder's process stopped"):
            worker.embed(texts)
    finally:
        worker.close()
    assert not worker._process.is_alive()
