"""The spaCy pipeline behind the tagger: a blank English tokenizer plus ``textcat_multilabel``.

The classifier predicts one score per label: every hazard, ``harmful`` (any tactic but ``edge_case``), and the
tactics the model learns (prompt_injection, social_engineering, gradual_escalation, edge_case). ``direct_request``
is what a harmful prompt is when no other tactic applies, so it needs no label of its own.
"""

from __future__ import annotations

from typing import Any

import spacy
from spacy.language import Language

__all__ = ["ARCHITECTURES", "HARMFUL", "MODEL_TACTICS", "build_pipeline", "labels_for"]

HARMFUL = "harmful"
MODEL_TACTICS = ("prompt_injection", "social_engineering", "gradual_escalation", "edge_case")

_BOW: dict[str, Any] = {
    "@architectures": "spacy.TextCatBOW.v3",
    "exclusive_classes": False,
    "ngram_size": 2,
    "no_output_layer": False,
    "length": 2**16,
}
ARCHITECTURES: dict[str, dict[str, Any]] = {
    "bow": _BOW,
    "ensemble": {
        "@architectures": "spacy.TextCatEnsemble.v2",
        "linear_model": _BOW,
        "tok2vec": {
            "@architectures": "spacy.HashEmbedCNN.v2",
            "pretrained_vectors": None,
            "width": 64,
            "depth": 2,
            "embed_size": 2000,
            "window_size": 1,
            "maxout_pieces": 3,
            "subword_features": True,
        },
    },
}


def labels_for(hazards: list[str]) -> list[str]:
    return [*hazards, HARMFUL, *MODEL_TACTICS]


def build_pipeline(labels: list[str], arch: str = "ensemble") -> Language:
    nlp = spacy.blank("en")
    textcat = nlp.add_pipe("textcat_multilabel", config={"model": ARCHITECTURES[arch], "threshold": 0.5})
    for label in labels:
        textcat.add_label(label)  # type: ignore[attr-defined]
    return nlp
