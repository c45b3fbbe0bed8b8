"""Harm tagging: tactic x hazard tags for prompts and conversations.

Public surface::

    from curator.tagging import Tagger, Taxonomy, Tags, train

    tagger = Tagger.load()                      # the packaged model, loaded once per process
    tags = tagger.tag("How do I kill a Python process?")
    tags.tactic, tags.hazards, tags.scores, tags.harmful

Nothing is loaded at import time.
"""

from __future__ import annotations

from curator.tagging.errors import CorpusError, InputError, ModelError, TaggingError, TaxonomyError
from curator.tagging.jsonl import TagFileReport, tag_jsonl
from curator.tagging.tagger import Tagger
from curator.tagging.tags import Tags
from curator.tagging.taxonomy import Category, Subcategory, Taxonomy
from curator.tagging.training import TrainReport, train

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
