"""The replayed trace: hh-rlhf transcripts to conversations, PII injection, the replay model."""

from __future__ import annotations

import pytest

from prefloop.curator.demo.errors import DemoError
from prefloop.curator.demo.model import TraceModel
from prefloop.curator.demo.trace import PII_PEOPLE, TRACE_FILE, inject_pii, load_trace, parse_transcript


def test_transcript_turns_become_messages() -> None:
    text = "\n\nHuman: hi there\n\nAssistant: hello\n\nHuman: how are you?\n\nAssistant: fine"
    assert parse_transcript(text) == [
        {"role": "user", "content": "hi there"},
        {"role": "assistant", "content": "hello"},
        {"role": "user", "content": "how are you?"},
        {"role": "assistant", "content": "fine"},
    ]


def test_transcript_must_start_with_a_turn() -> None:
    with pytest.raises(DemoError, match="must start with a Human turn") as err:
        parse_transcript("preamble\n\nHuman: hi\n\nAssistant: yo")
    assert "preamble" in str(err.value.value)


def test_the_slice_ships_with_its_license() -> None:
    license_text = (TRACE_FILE.parent / "LICENSE").read_text()
    assert "MIT License" in license_text and "Anthropic" in license_text


def test_conversations_split_prompt_context_and_the_two_answers() -> None:
    convs = load_trace(30, seed=1)
    assert len(convs) == 30
    for conv in convs:
        assert conv.context[-1] == {"role": "user", "content": conv.prompt}
        assert conv.better != conv.worse and conv.better and conv.worse
        assert all(m["role"] in ("user", "assistant") for m in conv.history)
        assert not conv.history or conv.history[0]["role"] == "user"
    assert any(conv.history for conv in convs)  # multi-turn conversations keep their earlier turns


def test_pii_goes_into_a_seeded_share_of_prompts() -> None:
    convs = load_trace(100, seed=3, pii_share=0.1)
    with_pii = [c for c in convs if c.pii]
    assert len(with_pii) == 10
    for conv in with_pii:
        assert all(value in conv.prompt for value in conv.pii)
    assert [c.index for c in with_pii] == [c.index for c in load_trace(100, seed=3, pii_share=0.1) if c.pii]
    assert [c.index for c in with_pii] != [c.index for c in load_trace(100, seed=4, pii_share=0.1) if c.pii]


def test_inject_pii_keeps_the_original_prompt() -> None:
    (conv,) = load_trace(1, pii_share=0.0001)
    plain = conv.prompt.split(". ", 1)[-1]
    person = PII_PEOPLE[2]
    out = inject_pii(conv, person, 1)
    assert person.name in out.prompt and person.email in out.prompt and person.phone in out.prompt
    assert out.pii == [person.name, person.email, person.phone]
    assert plain in out.prompt


def test_bad_counts_are_refused() -> None:
    with pytest.raises(DemoError, match="at least 1"):
        load_trace(0)
    with pytest.raises(DemoError, match="has only"):
        load_trace(10_000)


def test_the_model_answers_with_one_recorded_answer_then_the_other() -> None:
    convs = load_trace(20)
    model = TraceModel(convs, seed=0)
    firsts = set()
    for conv in convs:
        first = model(conv.context, 0, f"c-{conv.index}")
        second = model(conv.context, 1, f"c-{conv.index}")
        assert {first, second} == {conv.better, conv.worse}
        assert model(conv.context, 2, f"c-{conv.index}") == first
        firsts.add(first == conv.better)
    assert firsts == {True, False}  # sometimes the better answer comes first, sometimes the worse
    assert "replay model" in model([{"role": "user", "content": "unknown prompt"}], 0, "x")
