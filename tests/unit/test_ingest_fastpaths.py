"""The curator's throughput shortcuts give exactly what the plain code gave: text normalization, generation
settings, the response ids of event rows. (The direct COPY of new rows: tests/integration/test_ingest_copy.py.)"""

from __future__ import annotations

import json
import re
import unicodedata
import uuid
from typing import Any

import pytest

from prefloop.curator.ingest.writer import _generation, _response_ids
from prefloop.curator.pairing.grouping import normalize_text
from prefloop.schemas.errors import EventValidationError
from prefloop.schemas.events import GenerationSettings, parse_event
from tests.factories import EventFactory

_REFERENCE_SPACE = re.compile(r"\s+")


@pytest.mark.parametrize(
    "raw",
    [
        "  plain   ascii\ttext\n",
        "no-space",
        "",
        " \x1c\x1d\x1e\x1f\x85 odd separators \u2028\u2029 ",
        "nbsp\u00a0em\u2003ideographic\u3000space",
        "ﬁ ligature, ① circled, Ｆｕｌｌ width",
        "e\u0301 combining \r\n\v\f end",
    ],
)
def test_normalize_text_matches_the_regex_reference(raw: str) -> None:
    reference = _REFERENCE_SPACE.sub(" ", unicodedata.normalize("NFKC", raw)).strip()
    assert normalize_text(raw) == reference
    assert normalize_text(raw) == reference  # the memoized answer too


@pytest.mark.parametrize(
    "given",
    [
        {},
        {"temperature": 1},
        {"temperature": 1.0},
        {"temperature": 0.7, "seed": 3, "top_k": 0},
        {"top_p": 1, "max_tokens": 10, "seed": None},
        {"temperature": 0.5, "provider": {"a": None, "b": [1, None]}},
    ],
)
def test_generation_is_the_model_dump_and_its_json(given: dict[str, Any]) -> None:
    settings = GenerationSettings(**given)
    for _ in range(2):  # cold, then memoized
        dumped, as_json = _generation(settings)
        assert dumped == settings.model_dump(exclude_none=True)
        assert as_json == json.dumps(settings.model_dump(exclude_none=True))
        assert [type(v) for v in dumped.values()] == [
            type(v) for v in settings.model_dump(exclude_none=True).values()
        ]


def test_int_and_float_settings_are_not_confused() -> None:
    assert _generation(GenerationSettings(top_k=1))[1] == '{"top_k": 1}'
    assert _generation(GenerationSettings(temperature=1))[1] == '{"temperature": 1.0}'


def test_response_ids_of_each_event_type() -> None:
    f = EventFactory()
    r = f.response(response_id="ra")
    cases = {
        "response": (r, ("ra", None)),
        "feedback": (f.feedback("ra", 1), ("ra", None)),
        "regenerate": (f.regenerate("ra"), ("ra", None)),
        "edit": (f.edit("ra", "better"), ("ra", None)),
        "choice": (f.choice("ra", "rb", "a"), ("ra", "rb")),
    }
    for kind, (event, expected) in cases.items():
        parsed = parse_event(event)
        assert parsed.type == kind and _response_ids(parsed) == expected


def _reference_uuid7(value: str) -> str:
    """The event_id rule as first written: any form uuid.UUID accepts, version 7, normalized."""
    parsed = uuid.UUID(value)
    if parsed.version != 7:
        raise ValueError(parsed.version)
    return str(parsed)


@pytest.mark.parametrize(
    "value",
    [
        "01890a5d-ac96-774b-bcce-b302099a8057",  # canonical v7
        "01890A5D-AC96-774B-BCCE-B302099A8057",  # uppercase: normalized
        "{01890a5d-ac96-774b-bcce-b302099a8057}",
        "urn:uuid:01890a5d-ac96-774b-bcce-b302099a8057",
        "01890a5dac96774bbcceb302099a8057",
        "01890a5d-ac96-474b-bcce-b302099a8057",  # version 4
        "01890a5d-ac96-774b-7cce-b302099a8057",  # not the RFC 4122 variant: no version
        "01890a5d-ac96-774b-ccce-b302099a8057",
        "01890a5d-ac96-774b-bcce-b302099a805",
        "not a uuid",
    ],
)
def test_event_id_rule_is_unchanged(value: str) -> None:
    event = {**EventFactory().feedback("r1"), "event_id": value}
    try:
        expected: str | None = _reference_uuid7(value)
    except ValueError:
        expected = None
    if expected is None:
        with pytest.raises(EventValidationError):
            parse_event(event)
    else:
        assert parse_event(event).event_id == expected
