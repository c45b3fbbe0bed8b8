"""Harm tagging: tactic x hazard tags for prompts and conversations.

Public surface::

    from prefloop.curator.tagging import Tagger, Taxonomy, Tags, train

    tagger = Tagger.load()                      # the packaged model, loaded once per process
    tags = tagger.tag("How do I kill a Python process?")
    tags.tactic, tags.hazards, tags.scores, tags.harmful

Nothing is loaded at import time.
"""

from __future__ import annotations

from prefloop.curator.tagging.errors import CorpusError, InputError, ModelError, TaggingError, TaxonomyError
from prefloop.curator.tagging.jsonl import TagFileReport, tag_jsonl
from prefloop.curator.tagging.tagger import Tagger
from prefloop.curator.tagging.tags import Tags
from prefloop.curator.tagging.taxonomy import Category, Subcategory, Taxonomy
from prefloop.curator.tagging.training import TrainReport, train

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
