"""Records set aside (Kafka refused them for good): counted against the disk budget, listed, dropped; the
command's usage errors. Sending them again is tested against the real broker in
tests/integration/test_capture_faults.py."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from prefloop.capture.publisher.setaside import drop, list_set_aside, set_aside
from prefloop.capture.publisher.spool import pending_bytes
from prefloop.capture.setaside import main

IDS = ["019a4b2c-3d4e-7f60-8a1b-2c3d4e5f6a71", "019a4b2c-3d4e-7f60-8a1b-2c3d4e5f6a72"]


def _line(event_id: str, size: int) -> bytes:
    wire = {"event_id": event_id, "conversation_id": "c", "text": "x" * size}
    return json.dumps(wire, separators=(",", ":")).encode()  # compact, as capture spools it


def _cli(spool: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "prefloop.capture.setaside", "--spool", str(spool), *args],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_set_aside_records_count_against_the_budget_until_dropped(tmp_path: Path) -> None:
    writer = tmp_path / "w-1"
    writer.mkdir()
    assert pending_bytes(tmp_path) == 0
    for event_id, size in zip(IDS, (5000, 7000), strict=True):
        set_aside(tmp_path, writer, _line(event_id, size))
    records = list_set_aside(tmp_path)
    assert [r.event_id for r in records] == IDS
    assert pending_bytes(tmp_path) == sum(r.size + 1 for r in records) > 12_000
    assert drop(tmp_path, [IDS[0]]) == [IDS[0]]
    assert [r.event_id for r in list_set_aside(tmp_path)] == [IDS[1]]
    assert drop(tmp_path, None) == [IDS[1]] and pending_bytes(tmp_path) == 0


def _main(capsys: pytest.CaptureFixture[str], spool: Path, *args: str) -> tuple[int, str, str]:
    """The command in this process (its usage errors exit through argparse with status 2)."""
    try:
        code = main(["--spool", str(spool), *args])
    except SystemExit as exc:
        code = int(exc.code or 0)
    out, err = capsys.readouterr()
    return code, out, err


def test_the_command_lists_drops_and_says_what_was_wrong(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    set_aside(tmp_path, tmp_path / "w-1", _line(IDS[0], 10))
    listed = _cli(tmp_path, "list")  # the module runs as a command
    assert listed.returncode == 0 and IDS[0] in listed.stdout and not listed.stderr
    code, _, err = _main(capsys, tmp_path, "drop", "no-such-id")
    assert code == 1 and "not set aside: no-such-id" in err
    assert _main(capsys, tmp_path, "drop")[0] == 2  # neither ids nor --all
    code, _, err = _main(capsys, tmp_path, "send")
    assert code == 2 and "--bootstrap" in err
    code, _, err = _main(capsys, tmp_path, "send", "--bootstrap", "127.0.0.1:9", "--options", "[1]")
    assert code == 2 and "JSON object" in err
    assert _main(capsys, tmp_path / "nope", "list")[0] == 2
    assert _main(capsys, tmp_path, "drop", "--all")[0] == 0 and list_set_aside(tmp_path) == []
