"""Run the real ``prefloop`` entry point in a child process, as a user or an operator would."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path


def run_prefloop(
    *args: str, env: Mapping[str, str], cwd: Path, timeout: float = 120
) -> subprocess.CompletedProcess[str]:
    """``prefloop ARGS`` (as ``python -m prefloop.curator.cli``) with exactly ``env``; output captured as text."""
    return subprocess.run(
        [sys.executable, "-m", "prefloop.curator.cli", *args],
        env=dict(env),
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
