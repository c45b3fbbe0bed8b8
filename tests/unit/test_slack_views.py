"""Block Kit payloads and the rubric file."""

from __future__ import annotations

from pathlib import Path

import pytest

from prefloop.slackbot.errors import RubricError
from prefloop.slackbot.rubric import load_rubric
from prefloop.slackbot.views import (
    ACTION_READ_FULL,
    VOTE_ACTIONS,
    PairView,
    full_text_modal,
    resolved_message,
    review_message,
    tally_text,
)

RUBRIC = load_rubric()
VIEW = PairView(
    "p1",
    [{"role": "user", "content": "Sort <!channel> & list?"}],
    "CHOSEN TEXT",
    "REJECTED TEXT",
    {"tactic": "none", "hazards": ["weapons"]},
    ["conflict: 1 signal(s) favour the rejected side; kept, not averaged away", "check:rejected_is_refusal"],
)


def _texts(blocks: list[dict]) -> str:
    out = []
    for b in blocks:
        if "text" in b:
            out.append(b["text"]["text"])
        for e in b.get("elements", []):
            if isinstance(e.get("text"), str):
                out.append(e["text"])
    return "\n".join(out)


def test_rubric_is_ordered_and_versioned() -> None:
    assert [c.label for c in RUBRIC.criteria] == [
        "Correctness",
        "Grounding",
        "Format",
        "Safety",
        "Usefulness",
    ]
    assert RUBRIC.version


def test_bad_rubric_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "r.yaml"
    path.write_text("version: 1\ncriteria:\n  - id: a\n    label: A\n  - id: a\n    label: B\n")
    with pytest.raises(RubricError, match="unique"):
        load_rubric(path)


@pytest.mark.parametrize(("a_is", "first"), [("chosen", "CHOSEN"), ("rejected", "REJECTED")])
def test_post_shows_sides_in_recorded_order_with_tags_reasons_and_rubric(a_is: str, first: str) -> None:
    payload = review_message(VIEW, a_is, RUBRIC)
    text = _texts(payload["blocks"])
    assert text.index(f"*Answer A*\n{first}") < text.index("*Answer B*")
    assert "hazards: weapons" in text and "users disagreed" in text
    # blind: nothing says which side the users preferred (no check names, no chosen/rejected)
    assert "rejected_is_refusal" not in text and "rejected side" not in text
    assert "Correctness > Grounding > Format > Safety > Usefulness" in text
    assert "&lt;!channel&gt; &amp;" in text and "<!channel>" not in text  # no mention injection
    actions = [e for b in payload["blocks"] if b["type"] == "actions" for e in b["elements"]]
    assert [e["action_id"] for e in actions if e["type"] == "button"] == list(VOTE_ACTIONS)
    assert all(e["value"] == "p1" for e in actions if e["type"] == "button")
    select = next(e for e in actions if e["type"] == "static_select")
    assert [o["value"] for o in select["options"]] == list(RUBRIC.reason_ids)


def test_long_text_is_cut_with_read_full_and_modal_has_everything() -> None:
    long = "x" * 5000
    view = PairView("p2", [{"role": "user", "content": "q"}], long, "short")
    payload = review_message(view, "chosen", RUBRIC, cut=700)
    text = _texts(payload["blocks"])
    assert "cut: 700 of 5000" in text and "x" * 701 not in text
    buttons = [e for b in payload["blocks"] if b["type"] == "actions" for e in b["elements"]]
    assert any(e.get("action_id") == ACTION_READ_FULL for e in buttons)
    modal = full_text_modal(view, "chosen")
    assert _texts(modal["blocks"]).count("x") == 5000
    assert all(len(b["text"]["text"]) <= 3000 for b in modal["blocks"] if "text" in b)
    assert not any(
        e.get("action_id") == ACTION_READ_FULL
        for e in review_message(VIEW, "chosen", RUBRIC)["blocks"][-1]["elements"]
    )


def test_resolved_message_drops_buttons_and_shows_tally_in_shown_frame() -> None:
    payload = resolved_message(VIEW, "rejected", RUBRIC, "chosen", {"chosen": 2, "tie": 1}, 2 / 3, "quorum")
    assert not any(b["type"] == "actions" for b in payload["blocks"])
    text = _texts(payload["blocks"])
    assert "B better: 2" in text and "Tie: 1" in text and "67%" in text
    assert tally_text({"chosen": 1}, "chosen") == "A better: 1"
