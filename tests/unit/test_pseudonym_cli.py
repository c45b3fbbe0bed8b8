"""`prefloop pseudonym <raw user id>` prints what capture stores as ``user`` for that id, with the same secret."""

from __future__ import annotations

from pathlib import Path

import pytest

from prefloop.curator.cli import main
from tests.unit.test_capture_extension import Host


def _captured_user(tmp_path: Path, user_id: str) -> str:
    """The ``user`` of an event the real extension spooled for ``user_id`` (SECRET_KEY "test-secret")."""
    host = Host(tmp_path)
    try:
        host.user = user_id
        host.show()
        (event,) = host.events()
    finally:
        host.capture.shutdown(app=host.app)
    return str(event["user"])


def test_it_prints_the_pseudonym_capture_stores(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("PREFLOOP_CAPTURE_SECRET_KEY", "test-secret")
    assert main(["pseudonym", "alice@example.com"]) in (0, None)
    printed = capsys.readouterr().out.strip()
    assert printed == _captured_user(tmp_path, "alice@example.com")
    assert printed.startswith("u_") and "alice" not in printed


def test_the_secret_may_come_from_a_file_and_is_required(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv("PREFLOOP_CAPTURE_SECRET_KEY", raising=False)
    assert main(["pseudonym", "42"]) == 1
    assert "PREFLOOP_CAPTURE_SECRET_KEY" in capsys.readouterr().err
    key = tmp_path / "capture.key"
    key.write_text("test-secret\n", encoding="utf-8")
    assert main(["pseudonym", "42", "--secret-key-file", str(key)]) in (0, None)
    assert capsys.readouterr().out.strip() == _captured_user(tmp_path, "42")
