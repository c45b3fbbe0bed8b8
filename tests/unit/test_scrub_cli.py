"""`prefloop scrub` and the JSONL function behind it (with the no-NER registry, so no model is loaded)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from prefloop.curator.cli.scrub import scrub
from prefloop.curator.scrub import ScrubInputError
from prefloop.curator.scrub.jsonl import scrub_jsonl

DATA = Path(__file__).parent.parent / "data" / "pii"
NO_NER = str(DATA / "no_ner.yaml")


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(scrub, [*args, "--recognizers", NO_NER, "--no-progress"])
    return result.exit_code, result.output


def test_fail_mode_stops_at_the_first_bad_line_and_writes_nothing(tmp_path: Path) -> None:
    out = tmp_path / "out.jsonl"
    code, output = run("--in", str(DATA / "mixed.jsonl"), "--out", str(out))
    assert code == 1
    assert "line 2: not valid JSON" in output and "--on-error skip" in output
    assert not out.exists()
    assert list(tmp_path.iterdir()) == []  # no temporary file left behind


def test_skip_mode_writes_good_lines_and_lists_the_bad_ones(tmp_path: Path) -> None:
    out = tmp_path / "out.jsonl"
    code, output = run("--in", str(DATA / "mixed.jsonl"), "--out", str(out), "--on-error", "skip")
    assert code == 0
    assert "skipped line 3: field 'text' is missing" in output
    assert "skipped line 4: field 'text' is a int, not a string" in output
    assert "skipped line 6: the JSON value is a list, not an object" in output
    assert "skipped line numbers: 2, 3, 4, 6" in output
    rows = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert [row["id"] for row in rows] == [1, 5]
    first = rows[0]
    assert first["scrubbed"] == "Mail me at [EMAIL_ADDRESS_1] or call [PHONE_NUMBER_1]."
    for item in first["pii"]:
        assert set(item) == {"type", "start", "end"}
    assert [first["text"][p["start"] : p["end"]] for p in first["pii"]] == [
        "ana.lopez@proton.me",
        "+1 415 555 2671",
    ]
    assert rows[1]["scrubbed"] == "Badge [SECRET_1], card [CREDIT_CARD_1], card again [CREDIT_CARD_1]."


def test_field_option_and_original_fields_are_kept(tmp_path: Path) -> None:
    src = tmp_path / "in.jsonl"
    src.write_text(json.dumps({"body": "ssn 219-09-9998", "keep": [1, 2]}) + "\n", encoding="utf-8")
    out = tmp_path / "out.jsonl"
    code, _ = run("--in", str(src), "--out", str(out), "--field", "body")
    assert code == 0
    row = json.loads(out.read_text(encoding="utf-8"))
    assert row == {
        "body": "ssn 219-09-9998",
        "keep": [1, 2],
        "scrubbed": "ssn [US_SSN_1]",
        "pii": [{"type": "US_SSN", "start": 4, "end": 15}],
    }


def test_worker_processes_give_the_same_output_in_the_same_order(tmp_path: Path) -> None:
    src = tmp_path / "in.jsonl"
    lines = [
        json.dumps({"i": i, "text": f"user{i}@proton.me paid with 4539 5787 6362 1486"}) for i in range(600)
    ]
    src.write_text("\n".join(lines) + "\n", encoding="utf-8")
    single, multi = tmp_path / "single.jsonl", tmp_path / "multi.jsonl"
    scrub_jsonl(src, single, recognizers_yaml=NO_NER)
    report = scrub_jsonl(src, multi, recognizers_yaml=NO_NER, processes=2)
    assert multi.read_bytes() == single.read_bytes()
    assert report.written == 600 and report.entities == {"EMAIL_ADDRESS": 600, "CREDIT_CARD": 600}


def test_bad_line_error_carries_line_and_reason(tmp_path: Path) -> None:
    src = tmp_path / "in.jsonl"
    shutil.copy(DATA / "mixed.jsonl", src)
    with pytest.raises(ScrubInputError) as caught:
        scrub_jsonl(src, tmp_path / "out.jsonl", recognizers_yaml=NO_NER, processes=2)
    assert caught.value.line_number == 2
    assert caught.value.field == "text"
    assert caught.value.reason.startswith("not valid JSON")


def test_a_line_that_is_not_utf8_is_reported_not_fatal(tmp_path: Path) -> None:
    src = tmp_path / "in.jsonl"
    src.write_bytes(b'{"text": "caf\xe9 at 203.0.113.57"}\n{"text": "ok 203.0.113.58"}\n')
    out = tmp_path / "out.jsonl"
    report = scrub_jsonl(src, out, recognizers_yaml=NO_NER, on_error="skip")
    assert [(e.line_number, e.reason) for e in report.skipped] == [
        (1, "not valid UTF-8 (bad byte at position 13)")
    ]
    assert json.loads(out.read_text(encoding="utf-8"))["scrubbed"] == "ok [IP_ADDRESS_1]"
