"""Harm tagging: tactic x hazard tags for prompts and conversations.

Public surface::

    from prefloop.curator.tagging import Tagger, Taxonomy, Tags, train

    tagger = Tagger.load()                      # the packaged model, loaded once per process
    tags = tagger.tag("How do I kill a Python process?")
    tags.tactic, tags.hazards, tags.scores, tags.harmful

Nothing is loaded at import time.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from prefloop.curator.tagging.errors import (
        CorpusError,
        InputError,
        ModelError,
        TaggingError,
        TaxonomyError,
    )
    from prefloop.curator.tagging.jsonl import TagFileReport, tag_jsonl
    from prefloop.curator.tagging.tagger import Tagger
    from prefloop.curator.tagging.tags import Tags
    from prefloop.curator.tagging.taxonomy import Category, Subcategory, Taxonomy
    from prefloop.curator.tagging.training import TrainReport, train

#: Public name -> the submodule that defines it. Imported on first use (PEP 562), so importing one submodule
#: (the sentence encoder, in the release build's encoder process) does not import spaCy and the tagger.
_WHERE = {
    "Category": "taxonomy",
    "CorpusError": "errors",
    "InputError": "errors",
    "ModelError": "errors",
    "Subcategory": "taxonomy",
    "TagFileReport": "jsonl",
    "Tagger": "tagger",
    "TaggingError": "errors",
    "Tags": "tags",
    "Taxonomy": "taxonomy",
    "TaxonomyError": "errors",
    "TrainReport": "training",
    "tag_jsonl": "jsonl",
    "train": "training",
}

__all__ = [
    "Category",
    "CorpusError",
    "InputError",
    "ModelError",
    "Subcategory",
    "TagFileReport",
    "Tagger",
    "TaggingError",
    "Tags",
    "Taxonomy",
    "TaxonomyError",
    "TrainReport",
    "tag_jsonl",
    "train",
]


def __getattr__(name: str) -> Any:
    module = _WHERE.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{module}"), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
