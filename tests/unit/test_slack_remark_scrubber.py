"""The Slack bot's remark scrubber: loaded once a process, in the background at start, never in a vote's way."""

from __future__ import annotations

import logging

import pytest

from prefloop.curator.settings import Settings
from prefloop.slackbot.app import load_remark_scrubber, remark_scrubber, warm_remark_scrubber


def test_warmed_at_start_then_shared_by_every_bot_of_the_process() -> None:
    settings = Settings()
    thread = warm_remark_scrubber(settings)
    assert thread.daemon and thread.name == "remark-scrubber-load"
    thread.join(120)
    loaded = load_remark_scrubber(settings.spacy_model)
    assert loaded is not None
    first, second = remark_scrubber(settings), remark_scrubber(settings)  # two bots' resolutions
    assert first(["ask jane.doe@acme-corp.io if unsure"]) == second(["ask jane.doe@acme-corp.io if unsure"])
    assert "jane.doe@acme-corp.io" not in first(["ask jane.doe@acme-corp.io if unsure"])[0]  # type: ignore[index]
    assert load_remark_scrubber(settings.spacy_model) is loaded


def test_a_scrubber_that_cannot_load_withholds_remarks_and_says_so_once(
    caplog: pytest.LogCaptureFixture,
) -> None:
    settings = Settings().replace(spacy_model="xx_no_such_model_for_prefloop")
    caplog.set_level(logging.WARNING, logger="prefloop.slackbot.app")
    scrub = remark_scrubber(settings)
    assert scrub(["a remark"]) is None
    assert scrub(["another"]) is None
    said = [r.getMessage() for r in caplog.records if "no PII scrubber" in r.getMessage()]
    assert len(said) == 1 and "remarks are withheld" in said[0]
