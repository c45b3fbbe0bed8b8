"""Splits by prompt group, stable across months.

A prompt group's split is a pure function of its key and the release seed, so the same prompt lands in the same
split every month. A prompt that was already shipped keeps the split it was shipped in (recorded in
``released_prompts``), even if the seed or the test share changed since; a prompt pinned into the frozen
evaluation set is never shipped for training again.
"""

from __future__ import annotations

import hashlib

__all__ = ["SPLITS", "split_for"]

SPLITS = ("train", "test")


def split_for(group_key: str, seed: int, test_share: float) -> str:
    """``"test"`` for about ``test_share`` of keys, ``"train"`` for the rest; depends only on the arguments."""
    digest = hashlib.sha256(f"prefloop-split:{seed}:{group_key}".encode()).digest()
    point = int.from_bytes(digest[:8], "big") / 2**64
    return "test" if point < test_share else "train"
