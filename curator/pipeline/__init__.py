"""The curator pipeline (ingest -> store -> pair -> scrub/tag -> route) and the adapters between store and core."""

from __future__ import annotations

from prefloop.curator.pipeline.core import BatchResult, Curator, PairingResult, load_tagger
from prefloop.curator.pipeline.store_pairs import SaveStats, save_drafts
from prefloop.curator.pipeline.views import load_groups

__all__ = [
    "BatchResult",
    "Curator",
    "PairingResult",
    "SaveStats",
    "load_groups",
    "load_tagger",
    "save_drafts",
]
