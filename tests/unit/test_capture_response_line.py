"""The request-path fast path of ``response_shown``: the same bytes as ``ResponseEvent``, the same refusals."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import ValidationError

from prefloop.capture.core import CaptureCore
from prefloop.capture.intake import field_errors
from prefloop.capture.publisher.publisher import wire_line
from prefloop.capture.response_line import (
    encode_fields,
    encode_record,
    response_fields,
    response_line,
    response_record,
    wire_size_bound,
)
from prefloop.capture.settings import settings_from_config
from prefloop.schemas.errors import EventValidationError
from prefloop.schemas.events import GenerationSettings, Message, ResponseEvent

EVENT_ID = "019a4b2c-3d4e-7f60-8a1b-2c3d4e5f6a7b"
USER = "u_0123456789abcdef0123456789abcdef"
CONTEXT = [
    {"role": "system", "content": "You are helpful."},
    {"role": "user", "content": "Hi?"},
]
OPTIONAL = ("generation", "regenerates", "system_prompt_version", "locale", "client_version")


def fields(**over: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "event_id": EVENT_ID,
        "occurred_at": datetime(2026, 11, 22, 5, 40, 1, 123456, tzinfo=UTC),
        "app_id": "assistant",
        "conversation_id": "conv-1",
        "user": USER,
        "response_id": "r-1",
        "context": CONTEXT,
        "text": "The answer.",
        "model": "m-1",
        "generation": None,
        "prompt_source": "user",
        "regenerates": None,
        "system_prompt_version": None,
        "locale": None,
        "client_version": None,
    }
    base.update(over)
    return base


def model_line(f: dict[str, Any]) -> bytes:
    """What the full pydantic path produces (and how CaptureCore built it before the fast path)."""
    data = {k: v for k, v in f.items() if not (k in OPTIONAL and v is None)}
    return wire_line(ResponseEvent.model_validate(data))


ALL_CHARS = "".join(chr(c) for c in range(0x80)) + "é ü 中文 \u2028 \u2029 \x7f \ufeff 😀 \\\" '"

VALID = {
    "plain": {},
    "microsecond zero": {"occurred_at": datetime(2026, 1, 1, tzinfo=UTC)},
    "every escape": {"text": ALL_CHARS, "model": ALL_CHARS[1:200]},
    "escapes in context": {"context": [{"role": "user", "content": ALL_CHARS}]},
    "long text": {"text": "x" * 100_000},
    "empty text": {"text": ""},
    "messages and extra keys": {
        "context": (
            Message(role="assistant", content="a"),
            {"content": "q", "role": "user", "name": "ignored"},
        )
    },
    "max context": {"context": [{"role": "user", "content": ""}] * 500},
    "generation dict": {"generation": {"temperature": 0.7, "top_k": 5, "seed": None, "vendor": [1, "x"]}},
    "generation model": {"generation": GenerationSettings(top_p=0.5, max_tokens=10)},
    "generation empty": {"generation": {}},
    "all optional": {
        "regenerates": "r-0",
        "system_prompt_version": "sp-3",
        "locale": "de-CH",
        "client_version": "1.2.3",
        "prompt_source": "suggestion",
    },
    "identifier charset": {"conversation_id": "A-z_0.9:@/+=" + "a" * 116, "response_id": "x"},
    "empty optionals": {"system_prompt_version": "", "locale": "", "client_version": ""},
    "many dict messages, extra keys, non-ASCII": {
        "context": [
            {"role": "system", "content": "Sé bref.", "name": "ignored"},
            {"role": "assistant", "content": "a\n\x00"},
            {"role": "tool", "content": "中文 😀"},
            {"role": "user", "content": ALL_CHARS, "extra": 1},
        ]
    },
}


@pytest.mark.parametrize("over", VALID.values(), ids=list(VALID))
def test_fast_path_bytes_equal_the_model_s(over: dict[str, Any]) -> None:
    f = fields(**over)
    line = response_line(**f)
    assert line is not None, "the fast path should take this input"
    assert line == model_line(f)


INVALID = {
    "conversation id with a space": ({"conversation_id": "bad id"}, ["conversation_id"]),
    "conversation id too long": ({"conversation_id": "a" * 129}, ["conversation_id"]),
    "conversation id trailing newline": ({"conversation_id": "c\n"}, ["conversation_id"]),
    "conversation id empty": ({"conversation_id": ""}, ["conversation_id"]),
    "response id not str": ({"response_id": 7}, ["response_id"]),
    "empty context": ({"context": []}, ["context"]),
    "context too long": ({"context": [{"role": "user", "content": ""}] * 501}, ["context"]),
    "context not ending with user": ({"context": [{"role": "assistant", "content": "a"}]}, [""]),
    "bad role": ({"context": [{"role": "robot", "content": "a"}]}, ["context.0.role"]),
    "missing content": ({"context": [{"role": "user"}]}, ["context.0.content"]),
    "content too long": ({"context": [{"role": "user", "content": "x" * 100_001}]}, ["context.0.content"]),
    "context not a list": ({"context": "hello"}, ["context"]),
    "text too long": ({"text": "x" * 100_001}, ["text"]),
    "text not str": ({"text": 12}, ["text"]),
    "model empty": ({"model": ""}, ["model"]),
    "model too long": ({"model": "m" * 201}, ["model"]),
    "prompt source empty": ({"prompt_source": ""}, ["prompt_source"]),
    "bad generation": ({"generation": {"temperature": -1}}, ["generation.temperature"]),
    "generation not a dict": ({"generation": 3}, ["generation"]),
    "bad regenerates": ({"regenerates": "not ok"}, ["regenerates"]),
    "system prompt version too long": ({"system_prompt_version": "s" * 129}, ["system_prompt_version"]),
    "locale too long": ({"locale": "l" * 36}, ["locale"]),
    "client version too long": ({"client_version": "c" * 65}, ["client_version"]),
    "two at once": ({"text": 1, "model": ""}, ["text", "model"]),
}


@pytest.fixture()
def core(tmp_path: Path) -> Any:
    settings = settings_from_config(
        {
            "SECRET_KEY": "s",
            "PREFLOOP_CAPTURE_SPOOL_DIR": str(tmp_path / "spool"),
            "PREFLOOP_CAPTURE_STRICT": True,
        },
        app_name="assistant",
        instance_path=str(tmp_path),
        app_secret="s",
    )
    c = CaptureCore(settings)
    yield c
    c.publisher.shutdown(1)


@pytest.mark.parametrize(("over", "paths"), INVALID.values(), ids=list(INVALID))
def test_invalid_input_is_refused_with_the_model_s_field_names(
    core: CaptureCore, over: dict[str, Any], paths: list[str]
) -> None:
    f = fields(**over)
    assert response_line(**f) is None
    with pytest.raises(ValidationError) as model_exc:
        model_line(f)
    expected = field_errors(model_exc.value)
    assert [e.path for e in expected] == paths
    call = {k: v for k, v in f.items() if k not in ("event_id", "occurred_at", "app_id", "user")}
    with pytest.raises(EventValidationError) as info:
        core.response_shown("alice", **call)
    assert [(e.path, e.reason) for e in info.value.errors] == [(e.path, e.reason) for e in expected]


def test_unusual_but_valid_input_takes_the_model_path_and_is_accepted(core: CaptureCore) -> None:
    class Id(str):
        pass

    f = fields(conversation_id=Id("conv-1"), context=iter(CONTEXT))
    assert response_line(**f) is None
    token = core.response_shown(
        "alice", conversation_id=Id("conv-1"), context=iter(CONTEXT), text="t", model="m"
    )
    assert type(token.conversation_id) is str and token.conversation_id == "conv-1"


def test_random_mutations_never_pass_the_fast_path_unless_the_model_agrees() -> None:
    """Fast acceptance is a subset of the model's, with equal bytes; every model refusal is a fast refusal."""
    rng = random.Random(7)
    pool: dict[str, list[Any]] = {
        "conversation_id": ["c", "c d", "", "a" * 128, "a" * 129, "é", None, 5, "x\n"],
        "response_id": ["r", "r/1", "r 1", "", None, b"r"],
        "context": [
            CONTEXT,
            [],
            [{"role": "user", "content": 1}],
            [{"role": "tool", "content": "x"}],
            [{"role": "user", "content": "x", "role2": 1}],
            [Message(role="user", content="m")],
            ["user"],
            None,
        ],
        "text": ["t", "", "\x00", "x" * 100_001, None, b"t", "\ud800"],
        "model": ["m", "", "m" * 200, "m" * 201, None],
        "prompt_source": ["user", "", "p" * 65, 1],
        "generation": [None, {}, {"top_p": 2}, {"top_k": "3"}, {"x": 1}, [], GenerationSettings()],
        "regenerates": [None, "r", "r r", 1],
        "locale": [None, "en", "x" * 36, 3],
        "client_version": [None, "", "v" * 65, 1.0],
        "system_prompt_version": [None, "s", "s" * 129],
    }
    accepted = 0
    for _ in range(3000):
        f = fields(**{k: rng.choice(v) for k, v in pool.items() if rng.random() < 0.3})
        line = response_line(**f)
        try:
            expected = model_line(f)
        except (ValidationError, ValueError):
            assert line is None, f
            continue
        if line is not None:
            accepted += 1
            assert line == expected, f
    assert accepted > 100


# any character UTF-8 can carry, control characters (6 bytes each in JSON) and 4-byte ones included
_TEXT = st.text(st.characters(exclude_categories=("Cs",)), max_size=3000)


@given(
    text=_TEXT,
    contents=st.lists(_TEXT, min_size=1, max_size=8),
    model=st.text(st.characters(exclude_categories=("Cs",)), min_size=1, max_size=200),
    optional=st.dictionaries(
        st.sampled_from(["system_prompt_version", "locale", "client_version"]),
        st.text(st.characters(exclude_categories=("Cs",)), max_size=35),
    ),
    generation=st.sampled_from([None, {}, {"temperature": 0.5, "seed": 3}]),
)
def test_the_size_bound_is_never_below_the_wire_line(
    text: str, contents: list[str], model: str, optional: dict[str, str], generation: Any
) -> None:
    """The request thread leaves serialization to the writer only when this bound fits the size limit."""
    context = [{"role": "user", "content": c} for c in contents]
    data = response_fields(
        **fields(text=text, context=context, model=model, generation=generation, **optional)
    )
    assert data is not None
    bound = wire_size_bound(data)
    assert bound is not None and len(encode_fields(data)) <= bound


def test_no_bound_is_given_for_provider_specific_generation_keys() -> None:
    data = response_fields(**fields(generation={"temperature": 0.1, "vendor": {"nested": ["x" * 10]}}))
    assert data is not None and wire_size_bound(data) is None


@pytest.mark.parametrize("bad", ["\ud800", "ok \udfff", "\udbff\udc00\ud800"])
def test_a_lone_surrogate_is_refused_before_the_token(core: CaptureCore, bad: str) -> None:
    """The fast checks refuse what the writer thread could not serialize, so no token names a lost event."""
    for over in ({"text": bad}, {"model": bad}, {"context": [{"role": "user", "content": bad}]}):
        assert response_fields(**fields(**over)) is None
        call = {
            k: v for k, v in fields(**over).items() if k not in ("event_id", "occurred_at", "app_id", "user")
        }
        with pytest.raises(EventValidationError):
            core.response_shown("alice", **call)


def test_a_response_serialized_by_the_writer_is_the_model_s_line_on_disk(core: CaptureCore) -> None:
    call = {"conversation_id": "conv-9", "context": CONTEXT, "text": ALL_CHARS, "model": "m-1"}
    token = core.response_shown("alice", **call)
    assert core.publisher.flush(5)
    lines = [
        line
        for segment in sorted(core.publisher.config.spool_dir.rglob("*.jsonl"))
        for line in segment.read_bytes().splitlines(keepends=True)
    ]
    written = [line for line in lines if token.event_id.encode() in line]
    assert len(written) == 1
    f = fields(
        event_id=token.event_id,
        response_id=token.event_id,
        conversation_id="conv-9",
        text=ALL_CHARS,
        user=core.pseudonymize("alice"),
        app_id=core.app_id,
    )
    f["occurred_at"] = ResponseEvent.model_validate_json(written[0]).occurred_at
    assert written[0] == model_line(f)


def test_fields_the_writer_cannot_serialize_are_dropped_counted_and_the_rest_written(
    core: CaptureCore, caplog: pytest.LogCaptureFixture
) -> None:
    publisher = core.publisher
    good = response_record(**fields(event_id="019a4b2c-3d4e-7f60-8a1b-2c3d4e5f6a70"))
    assert good is not None
    bad = list(good)
    bad[8] = object()  # the text, with no JSON form: a bug upstream
    publisher.submit_record(tuple(bad))
    publisher.submit_record(good)
    assert publisher.flush(5)
    on_disk = b"".join(p.read_bytes() for p in publisher.config.spool_dir.rglob("*.jsonl"))
    assert on_disk.count(b"019a4b2c-3d4e-7f60-8a1b-2c3d4e5f6a70") == 1
    assert publisher.metrics.rejected.labels("error")._value.get() == 1
    assert "could not be serialized" in caplog.text


@given(st.integers(min_value=0, max_value=2**62))
def test_a_clock_reading_in_ns_becomes_the_datetime_datetime_now_would_give(ns: int) -> None:
    """response_shown reads time.time_ns() once (id, event time, token) and the writer makes the datetime."""
    from prefloop.capture.response_line import utc_from_ns

    seconds, rest = divmod(ns, 10**9)
    assert utc_from_ns(ns) == datetime.fromtimestamp(seconds, UTC).replace(microsecond=rest // 1000)


def test_the_event_time_on_disk_is_the_time_of_the_call(core: CaptureCore) -> None:
    before = datetime.now(UTC)
    token = core.response_shown("alice", conversation_id="conv-t", context=CONTEXT, text="x", model="m-1")
    after = datetime.now(UTC)
    assert core.publisher.flush(5)
    lines = b"".join(p.read_bytes() for p in core.publisher.config.spool_dir.rglob("*.jsonl")).splitlines()
    event = next(ResponseEvent.model_validate_json(x) for x in lines if token.event_id.encode() in x)
    assert before <= event.occurred_at <= after
    ms = (event.occurred_at - datetime(1970, 1, 1, tzinfo=UTC)) // timedelta(milliseconds=1)
    assert event.event_id[:13].replace("-", "") == f"{ms:012x}"  # the id's time is the event's


def test_conversation_ids_and_models_seen_lately_are_still_checked_exactly() -> None:
    """Valid conversation ids and model names are remembered (bounded) to skip their check next time; that
    never lets an invalid one through, whatever was seen before, and the memory stays bounded."""
    from prefloop.capture import response_line as rl

    for i in range(rl._SEEN_MAX + 10):  # more than the memory holds: it starts over
        assert response_line(**fields(conversation_id=f"conv-{i}", model=f"m-{i % 300}")) is not None
        assert len(rl._SEEN_IDS) <= rl._SEEN_MAX and len(rl._SEEN_MODELS) <= rl._SEEN_MAX
    for bad in ("conv 1", "", "c" * 129, "conv-1\n", "cönv"):
        assert response_line(**fields(conversation_id=bad)) is None
        assert bad not in rl._SEEN_IDS
    for bad_model in ("", "m" * 201, "\ud800"):
        assert response_line(**fields(model=bad_model)) is None
        assert bad_model not in rl._SEEN_MODELS

    class Sub(str):
        pass

    assert response_line(**fields(conversation_id=Sub("conv-1"))) is None  # exact str only, as before
    assert response_line(**fields(model=Sub("m-1"))) is None
    line = response_line(**fields(conversation_id="conv-1", model="m-1"))
    assert line is not None and line == model_line(fields(conversation_id="conv-1", model="m-1"))


def _clock_reading(at: datetime, sub_microsecond: int = 789) -> int:
    """A ``time.time_ns()`` reading that :func:`utc_from_ns` makes ``at`` of (the nanoseconds below the
    microsecond are dropped)."""
    return (at - datetime(1970, 1, 1, tzinfo=UTC)) // timedelta(microseconds=1) * 1000 + sub_microsecond


@pytest.mark.parametrize("over", VALID.values(), ids=list(VALID))
def test_the_writer_s_line_of_a_clock_reading_is_the_model_s(over: dict[str, Any]) -> None:
    """What the spool writer writes for a record whose event time is the request path's ``time.time_ns()``
    reading (the usual case) is the model's line for that instant."""
    f = fields(**over)
    record = response_record(**{**f, "occurred_at": _clock_reading(f["occurred_at"])})
    assert record is not None
    assert encode_record(record) == model_line(f)


_ROLE = st.sampled_from(["system", "user", "assistant", "tool"])
_SHORT = st.text(st.characters(exclude_categories=("Cs",)), max_size=35)


@given(
    ns=st.integers(min_value=0, max_value=2**62),
    text=_TEXT,
    earlier=st.lists(st.tuples(_ROLE, _TEXT), max_size=6),
    last=_TEXT,
    model=st.text(st.characters(exclude_categories=("Cs",)), min_size=1, max_size=200),
    prompt_source=st.text(st.characters(exclude_categories=("Cs",)), min_size=1, max_size=64),
    optional=st.dictionaries(st.sampled_from(["system_prompt_version", "locale", "client_version"]), _SHORT),
    regenerates=st.one_of(st.none(), st.from_regex(r"[A-Za-z0-9_.:@/+=-]{1,128}", fullmatch=True)),
)
def test_any_usual_record_is_written_as_the_model_writes_it(
    ns: int,
    text: str,
    earlier: list[tuple[str, str]],
    last: str,
    model: str,
    prompt_source: str,
    optional: dict[str, str],
    regenerates: str | None,
) -> None:
    from prefloop.capture.response_line import utc_from_ns

    context = [{"role": role, "content": content} for role, content in earlier]
    context.append({"role": "user", "content": last})
    f = fields(
        text=text,
        context=context,
        model=model,
        prompt_source=prompt_source,
        regenerates=regenerates,
        occurred_at=utc_from_ns(ns),
        **optional,
    )
    record = response_record(**{**f, "occurred_at": ns})
    assert record is not None
    assert encode_record(record) == model_line(f)


_MANY = [
    {"role": "system", "content": "s"},
    {"role": "assistant", "content": "a"},
    {"role": "user", "content": "q"},
]


@pytest.mark.parametrize(
    "bad",
    [
        {"role": "user"},
        {"content": "x"},
        {"role": "robot", "content": "x"},
        {"role": 1, "content": "x"},
        {"role": ["user"], "content": "x"},
        {"role": "user", "content": 1},
        {"role": "user", "content": "ok \udfff"},
        {"role": "user", "content": "x" * 100_001},
    ],
)
def test_one_bad_message_among_many_is_refused_wherever_it_is(bad: dict[str, Any]) -> None:
    """A bad message anywhere in a longer context sends the call to the model path, which refuses it."""
    for at in range(len(_MANY) + 1):
        context = [*_MANY[:at], bad, *_MANY[at:]]
        if at == len(_MANY):
            context.append({"role": "user", "content": "q"})
        f = fields(context=context)
        assert response_line(**f) is None
        with pytest.raises((ValidationError, ValueError)):
            model_line(f)
