"""The last guard at the exits (docs/privacy.md): independent catches, counted, logged without the value,
and wired into the Slack view and the release writer."""

from __future__ import annotations

import logging
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from hypothesis import given
from hypothesis import strategies as st
from prometheus_client import CollectorRegistry

from prefloop.curator.releases import BuildOptions, GatePolicy, build_release
from prefloop.curator.releases import ordered_pass as release_pass
from prefloop.curator.scrub import guard as guard_module
from prefloop.curator.scrub.guard import ExitGuard, GuardResult, guard_text
from prefloop.curator.store import Store
from prefloop.curator.store.models import Pair
from prefloop.slackbot import service as slack_service
from tests.unit.release_factories import SmallTaxonomy, add_pairs


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("mail jane.roe@example.com.", "mail [EMAIL_ADDRESS_0]."),
        ("docs: user@example.com and you@company.org", "docs: user@example.com and you@company.org"),
        ("call +41 78 348 81 90: evenings", "call [PHONE_NUMBER_0]: evenings"),
        ("office (312) 846-2210", "office [PHONE_NUMBER_0]"),
        ("card 4539 5787 6362 1486, amex 3714-496353-98431", "card [CREDIT_CARD_0], amex [CREDIT_CARD_0]"),
        ("IBAN DE89 3704 0044 0532 0130 00", "IBAN [IBAN_CODE_0]"),
        ("ssn 219-09-9998", "ssn [US_SSN_0]"),
        ("host 203.0.113.57 and 2001:db8:85a3::8a2e:370:7334", "host [IP_ADDRESS_0] and [IP_ADDRESS_0]"),
        ("key AKIA4QWERTYUIOPASDF2", "key [SECRET_0]"),
        ("jwt ewogICJhbGciOiAiRVMyNTYiCn0.ewogICJzdWIiOiAiMTIzIgp9.c2ln", "jwt [SECRET_0]"),
        ("db postgres://app:Tr0ub4dor@db.internal:5432/x", "db [SECRET_0]"),
        ("token gho_" + "a" * 36 + " here", "token [SECRET_0] here"),
        # digits of other scripts are digits too (the ASCII shortcut must not skip them)
        (
            "call +\u0664\u0661 \u0667\u0668 \u0663\u0664\u0668 \u0668\u0661 \u0669\u0660 tonight",
            "call [PHONE_NUMBER_0] tonight",
        ),
        (
            "card \uff14\uff15\uff13\uff19 \uff15\uff17\uff18\uff17 \uff16\uff13\uff16\uff12 \uff11\uff14\uff18\uff16 ok",
            "card [CREDIT_CARD_0] ok",
        ),
    ],
)
def test_guard_catches_what_must_never_leave(text: str, expected: str) -> None:
    assert guard_text(text).text == expected


@pytest.mark.parametrize(
    "text",
    [
        "bind 127.0.0.1 or 0.0.0.0, port 8080",
        "pip install numpy==1.26.4 on 2024-03-15 at 10:30:00",
        "ISBN 978-3-16-148410-0, order 4539578763621487 (bad checksum)",
        "[EMAIL_ADDRESS_1] wrote to [PHONE_NUMBER_2]",
        "std::vector and a::b, the year 1969, 1,250.00 EUR",
        "",
    ],
)
def test_guard_leaves_ordinary_text_alone(text: str) -> None:
    result = guard_text(text)
    assert result.text == text and result.catches == []


#: Pieces that make the guard's cheap pre-checks and its regexes disagree if they can: every secret hint, their
#: near misses, ASCII and other digits, separators.
_PIECES = st.sampled_from(
    [
        "PRIVATE KEY", "AKIA", "ASIA", "gh", "ghp_", "ghz_", "github_pat_", "glpat-", "xox", "sk-", "k_live_",
        "AIza", "hf_", "npm_", "pypi-", "SG.", "SG", "://", ":/", "ew", "ey", ".ew", ".ey", "eyJhbGciOiJI",
        "abcdefghijkl", "0", "7", "\u0663", "\uff17", "\u00b2", "@", ".", "-", "_", " ", "\n", "é",
    ]
)  # fmt: skip


@given(
    st.lists(
        st.one_of(_PIECES, st.text(max_size=4), st.from_regex(guard_module._SECRET_HINT, fullmatch=True)),
        max_size=12,
    ).map("".join)
)
def test_the_cheap_pre_checks_never_skip_what_the_regexes_would_scan(text: str) -> None:
    """The guard skips its regex scans when substring tests show they cannot match: for secrets, a text with
    none of ``_SECRET_MARKS`` never matches the hint regex; for numbers, the digit test is ``\\d`` exactly."""
    if guard_module._SECRET_HINT.search(text):
        assert any(mark in text for mark in guard_module._SECRET_MARKS)
    assert guard_module._may_hold_secret(text) == any(mark in text for mark in guard_module._SECRET_MARKS)
    assert guard_module._has_digit(text) == (guard_module._DIGIT.search(text) is not None)
    if guard_module._nothing_to_look_at(text):  # the exit guards' shortcut returns what guard_text would
        assert guard_text(text) == GuardResult(text)


def test_every_secret_mark_is_in_one_group_and_holds_its_key() -> None:
    groups = guard_module._MARK_GROUPS
    assert sorted(m for _, group in groups for m in group) == sorted(guard_module._SECRET_MARKS)
    assert all(key in mark for key, group in groups for mark in group)


def test_exit_guard_counts_each_catch_and_logs_the_type_never_the_value(
    caplog: pytest.LogCaptureFixture,
) -> None:
    registry = CollectorRegistry()
    guard = ExitGuard("slack", registry=registry)
    with caplog.at_level(logging.WARNING):
        out = guard.texts("pair-1", ["write to jane.roe@example.com or +41 78 348 81 90", "fine"])
    assert out == ["write to [EMAIL_ADDRESS_0] or [PHONE_NUMBER_0]", "fine"]
    sample = registry.get_sample_value
    assert sample("prefloop_exit_guard_catches_total", {"exit": "slack", "type": "EMAIL_ADDRESS"}) == 1
    assert sample("prefloop_exit_guard_catches_total", {"exit": "slack", "type": "PHONE_NUMBER"}) == 1
    assert "pair-1" in caplog.text and "EMAIL_ADDRESS" in caplog.text
    assert "jane.roe" not in caplog.text and "348 81 90" not in caplog.text


def test_slack_view_masks_what_the_scrubber_missed() -> None:
    pair = Pair(
        pair_id="p-guard",
        prompt=[{"role": "user", "content": "my card is 4539 5787 6362 1486"}],
        chosen="Call me on +41 78 348 81 90.",
        rejected="ok",
        tags={},
        route_reasons=[],
    )
    before = slack_service.EXIT_GUARD.counts["CREDIT_CARD"]
    view = slack_service.pair_view(pair)
    assert view.prompt[0]["content"] == "my card is [CREDIT_CARD_0]"
    assert view.chosen == "Call me on [PHONE_NUMBER_0]." and view.rejected == "ok"
    assert slack_service.EXIT_GUARD.counts["CREDIT_CARD"] == before + 1


def test_release_rows_are_guarded_and_counted(store: Store, tmp_path: Path) -> None:
    add_pairs(store, 12, chosen="Sure: write to jane.roe@example.com about it.")
    before = release_pass.RELEASE_GUARD.counts["EMAIL_ADDRESS"]
    options = BuildOptions(
        month="2026-10",
        root=tmp_path,
        progress=False,
        test_share=0.3,
        policy=GatePolicy(min_pairs_warning=10),
    )
    build_release(store, options, taxonomy=SmallTaxonomy())
    rows = [
        row
        for split in ("train", "test")
        for row in pq.read_table(tmp_path / "2026-10" / "data" / f"{split}.parquet").to_pylist()
    ]
    assert rows and all(
        r["chosen"][0]["content"] == "Sure: write to [EMAIL_ADDRESS_0] about it." for r in rows
    )
    assert release_pass.RELEASE_GUARD.counts["EMAIL_ADDRESS"] >= before + len(rows)
