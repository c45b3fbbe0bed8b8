"""The demo end to end on embedded defaults (SQLite, spool, Slack emulator), small: and the issue-5 leak test —
personal data injected into prompts reaches the store raw, but never Slack nor the release."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from prefloop.curator.cli.demo import EmulatedReviewDesk, adapters
from prefloop.curator.demo import DemoOptions, run_demo
from prefloop.curator.demo.leaks import release_texts
from prefloop.curator.demo.run import Adapters
from prefloop.curator.demo.trace import load_trace
from prefloop.curator.settings import Settings
from prefloop.curator.store import Store
from prefloop.curator.store.models import EventRow


def test_small_demo_runs_every_stage_and_leaks_nothing(tmp_path: Path) -> None:
    desks: list[EmulatedReviewDesk] = []

    def open_review(settings: Settings, store: Store, seed: int | None = None) -> Any:
        desks.append(EmulatedReviewDesk(settings, store))
        return desks[-1]

    lines: list[str] = []
    options = DemoOptions(workdir=tmp_path / "demo", conversations=25, seed=3)
    summary = run_demo(
        Settings.load({}), options, Adapters(adapters().start_app, open_review), echo=lines.append
    )

    assert json.loads((tmp_path / "demo" / "summary.json").read_text()) == summary.to_dict()
    assert summary.mode == "embedded" and summary.month == "2026-10"
    assert set(summary.events) >= {"response", "feedback", "regenerate"} and summary.dead_letters == 0
    assert summary.http_requests > summary.sessions >= 25
    assert summary.pairs["total"] > 0 and summary.review["posted"] == summary.pairs["reviewed"] > 0
    assert summary.review["unresolved"] == 0 and summary.pairs["review"] == 0
    assert summary.release["pairs"] == summary.pairs["accepted"] > 0
    assert Path(summary.release["card"]).is_file() and Path(summary.release["coverage_plot"]).is_file()
    assert summary.agreement["votes"] >= 2 * summary.review["posted"]
    assert any("[7/7] summary" in line for line in lines) and "leak check   clean" in lines[-1]

    # the leak test: the injected values were really in the traffic (raw events) ...
    injected = [v for conv in load_trace(25, seed=3) for v in conv.pii]
    assert injected and summary.leaks["clean"] and summary.pii["entities_replaced"] > 0
    store = Store(f"sqlite:///{tmp_path / 'demo' / 'prefloop.db'}")
    with store.session() as s:
        raw = json.dumps([e for (e,) in s.execute(select(EventRow.payload))], ensure_ascii=False)
    store.dispose()
    assert all(value in raw for value in injected)
    # ... but in no Slack call the bot made, and in no file of the release
    (desk,) = desks
    slack = [json.dumps(c.args, ensure_ascii=False) for c in desk.emulator.calls]
    assert any(c.method == "chat.postMessage" for c in desk.emulator.calls)
    files = list(release_texts(Path(summary.release["path"])))
    assert any(name.endswith("/jsonl/train.jsonl") for name, _ in files)
    for value in injected:
        assert not any(value.casefold() in text.casefold() for text in slack), value
        assert not any(value.casefold() in text.casefold() for _, text in files), value


def test_demo_kafka_says_what_it_needs(monkeypatch: Any, capsys: Any) -> None:
    from prefloop.curator.cli import main

    for name in ("PREFLOOP_KAFKA_BOOTSTRAP", "PREFLOOP_DATABASE_URL"):
        monkeypatch.delenv(name, raising=False)
    assert main(["demo", "--kafka"]) == 1
    assert "PREFLOOP_KAFKA_BOOTSTRAP" in capsys.readouterr().err
    monkeypatch.setenv("PREFLOOP_KAFKA_BOOTSTRAP", "127.0.0.1:1")
    assert main(["demo", "--kafka"]) == 1
    assert "PREFLOOP_DATABASE_URL" in capsys.readouterr().err


def test_demo_refuses_a_folder_it_did_not_make(tmp_path: Path, capsys: Any) -> None:
    from prefloop.curator.cli import main

    (tmp_path / "notes.txt").write_text("mine")
    assert main(["demo", "--workdir", str(tmp_path), "-n", "1"]) == 1
    assert "refusing to empty" in capsys.readouterr().err and (tmp_path / "notes.txt").exists()


def test_release_overrides_only_volume_gates(sqlite_url: str, tmp_path: Path) -> None:
    from prefloop.curator.demo.run import _release
    from prefloop.curator.releases import GateFailedError
    from tests.unit.release_factories import add_pairs

    store = Store(sqlite_url)
    said: list[str] = []
    try:
        with pytest.raises(GateFailedError) as err:  # an empty month is a failure, not something to override
            _release(store, Settings.load({}), "2026-10", tmp_path / "r", said.append)
        assert err.value.failed == ["empty"] and not said
        add_pairs(store, 60, rejected="Short.")  # 120 pairs, chosen always the longer: label balance fails
        built = _release(store, Settings.load({}), "2026-10", tmp_path / "r", said.append)
    finally:
        store.dispose()
    assert list(built.manifest.overrides) == ["label_balance"]
    assert len(said) == 1 and "label_balance" in said[0] and "--override label_balance" in said[0]
