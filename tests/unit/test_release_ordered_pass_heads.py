"""The ordered pass looks paraphrase decisions up as it reaches each prompt: it must not wait for all of them
before its first row, or the encoder runs before the pass instead of beside it."""

from __future__ import annotations

import threading
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from prefloop.curator.releases import BuildOptions
from prefloop.curator.releases.ordered_pass import OrderedPass
from prefloop.curator.releases.paraphrase_decisions import Decisions


def test_making_the_pass_does_not_wait_for_the_decisions(tmp_path: Path) -> None:
    """Testing the mapping for truth asks for its length, which waits for the last decision."""
    release = threading.Event()

    def slow(texts: Sequence[str]) -> np.ndarray:
        release.wait(30)  # the encoder is still busy
        return np.ones((len(texts), 2), np.float32) / np.sqrt(2)

    decisions = Decisions(["a", "b"], ["x", "y"], np.array([[0, 1]]), slow, 0.67)
    try:
        made: list[OrderedPass] = []
        opts = BuildOptions(month="2026-10", root=tmp_path, progress=False, paraphrase=True)
        making = threading.Thread(
            target=lambda: made.append(OrderedPass("2026-10", opts, None, None, decisions))  # type: ignore[arg-type]
        )
        making.start()
        making.join(10)
        assert made and made[0].heads is decisions and not release.is_set()
        assert OrderedPass("2026-10", opts, None, None).heads == {}  # type: ignore[arg-type]
    finally:
        release.set()
        decisions.close(wait=True)
    assert decisions.get("b") == "a"
