"""What commands print: progress bars only on a terminal (no ``\\r`` into a pipe or a log), `--json` documents.

`prefloop release build` runs as a subprocess twice on the same kind of store: once with stderr a pipe, once
with stderr a pseudo-terminal, where the bar must still be drawn.
"""

from __future__ import annotations

import fcntl
import json
import os
import pty
import struct
import subprocess
import sys
import termios
from pathlib import Path

import pytest

from prefloop.curator.store import Store, upgrade
from tests.unit.release_factories import add_pairs

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture()
def env_with_pairs(tmp_path: Path) -> dict[str, str]:
    url = f"sqlite:///{tmp_path / 'release.db'}"
    upgrade(url)
    store = Store(url)
    add_pairs(store, 8)
    store.dispose()
    env = {k: v for k, v in os.environ.items() if not k.startswith("PREFLOOP_")}
    env |= {
        "PYTHONPATH": str(ROOT),
        "PREFLOOP_DATABASE_URL": url,
        "PREFLOOP_RELEASE_DIR": str(tmp_path / "rel"),
    }
    return env


def _build(env: dict[str, str], cwd: Path, *extra: str, stderr: int) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(
        [sys.executable, "-m", "prefloop.curator.cli", "release", "build", "--month", "2026-10", *extra],
        env=env,
        cwd=cwd,
        stdout=subprocess.PIPE,
        stderr=stderr,
        timeout=120,
    )


def test_release_build_into_a_pipe_draws_no_bar_and_json_is_one_document(
    env_with_pairs: dict[str, str], tmp_path: Path
) -> None:
    result = _build(env_with_pairs, tmp_path, "--json", stderr=subprocess.PIPE)
    assert result.returncode == 0, result.stderr
    assert b"\r" not in result.stderr and b"16/16" not in result.stderr
    built = json.loads(result.stdout)
    assert built["name"] == "prefloop-preferences-2026-10" and built["counts"]["pairs"] == 16
    assert Path(built["path"]).is_dir() and any("too few" in w for w in built["warnings"])


def test_release_build_on_a_terminal_draws_the_bar(env_with_pairs: dict[str, str], tmp_path: Path) -> None:
    leader, follower = pty.openpty()
    # a new pty has 0 columns, and tqdm fits its bar into the width: give it a terminal's size
    fcntl.ioctl(follower, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 100, 0, 0))
    try:
        result = _build(env_with_pairs, tmp_path, stderr=follower)
        os.close(follower)
        drawn = b""
        while True:
            try:
                chunk = os.read(leader, 65536)
            except OSError:  # EIO: the terminal's other end is closed and drained
                break
            if not chunk:
                break
            drawn += chunk
    finally:
        os.close(leader)
    assert result.returncode == 0
    assert b"16/16" in drawn, (
        drawn
    )  # the bar's count (a pty turns every \n into \r\n, so \r alone proves nothing)
