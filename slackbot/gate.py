"""The door in front of bolt: Slack's signature is verified and the body parsed defensively *before* bolt sees
a request, because bolt parses the body (and reads the timestamp header as an int) before its own signature
check, and raises on what it cannot read.

Plain functions over bytes and headers: :func:`admit` returns :class:`Admitted` (bolt may have it) or
:class:`Rejection` (a 4xx to answer with, and whether the request was signed, so a signed but malformed payload
can be audited). The shape checks cover every field bolt's context building and our listeners read.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl

from prefloop.schemas.limits import json_too_deep
from prefloop.schemas.text import has_unstorable
from prefloop.slackbot import messages as msg

__all__ = [
    "MAX_AGE_SECONDS",
    "MAX_BODY_BYTES",
    "MAX_DEPTH",
    "Admitted",
    "Rejection",
    "admit",
    "check_shape",
    "unsafe_text",
]

#: Slack's replay window: a request whose timestamp is further from now is refused.
MAX_AGE_SECONDS = 300
#: Slack's interactive payloads are a few KB; anything this large is not from Slack.
MAX_BODY_BYTES = 1 << 20
#: Slack's deepest payloads (a modal's blocks and state) nest about ten levels; the JSON parser recurses once a
#: level, so deeper text is refused before it is parsed.
MAX_DEPTH = 64
#: Longest identifier-like field (Slack's own limit for action and block ids is 255 characters); button values
#: and URLs may be longer, message text longer still.
MAX_ID_CHARS = 255
MAX_VALUE_CHARS = 2_000
MAX_TEXT_CHARS = 50_000

_TIMESTAMP = re.compile(r"^[0-9]{1,12}$")
_SIGNATURE = re.compile(r"^v0=[0-9a-f]{64}$")
_ACTION_TS = re.compile(r"^[0-9]{1,12}(\.[0-9]{1,9})?$")
#: what an acting user's id may look like to be written into an audit line
_USER_ID = re.compile(r"^[A-Za-z0-9_.-]{1,64}$")


@dataclass(frozen=True)
class Rejection:
    """A request bolt must not see. ``error`` is a short code, ``detail`` says what was wrong and what to do."""

    status: int
    error: str
    detail: str
    #: the signature was valid: a malformed payload from someone holding the signing secret (audited)
    signed: bool = False
    #: the acting user, when it could be read (for the audit line)
    user: str | None = None

    def body(self) -> dict[str, Any]:
        return {"ok": False, "error": self.error, "detail": self.detail}


@dataclass(frozen=True)
class Admitted:
    text: str
    payload: dict[str, Any] = field(default_factory=dict)


def _header(headers: Mapping[str, str], name: str) -> str | None:
    value = headers.get(name)
    return value if isinstance(value, str) else None


def verify(headers: Mapping[str, str], raw: bytes, secret: str, now: float) -> Rejection | None:
    """Slack's v0 signature over ``v0:<timestamp>:<body>``, within :data:`MAX_AGE_SECONDS` of ``now``."""
    timestamp = _header(headers, "X-Slack-Request-Timestamp")
    signature = _header(headers, "X-Slack-Signature")
    if not timestamp or not signature:
        return Rejection(401, "missing_signature", msg.GATE_UNSIGNED)
    if not _TIMESTAMP.match(timestamp):
        return Rejection(401, "bad_timestamp", msg.GATE_BAD_TIMESTAMP)
    if abs(now - int(timestamp)) > MAX_AGE_SECONDS:
        return Rejection(401, "stale_request", msg.GATE_STALE)
    if not _SIGNATURE.match(signature):
        return Rejection(401, "bad_signature", msg.GATE_BAD_SIGNATURE)
    expected = hmac.new(secret.encode(), b"v0:" + timestamp.encode() + b":" + raw, hashlib.sha256).hexdigest()
    if not hmac.compare_digest("v0=" + expected, signature):
        return Rejection(401, "bad_signature", msg.GATE_BAD_SIGNATURE)
    return None


class _TooDeep(ValueError):
    pass


def _loads(text: str) -> Any:
    """``json.loads``, refusing text nested deeper than :data:`MAX_DEPTH` before parsing it (the parser recurses
    once a level: a deep enough array raises RecursionError, not ValueError)."""
    if json_too_deep(text.encode("utf-8", "surrogatepass"), MAX_DEPTH):
        raise _TooDeep
    return json.loads(text)


def parse(text: str, content_type: str | None) -> dict[str, Any] | str:
    """The body as bolt will parse it (the same rules), or the reason it cannot be a Slack request."""
    if not text:
        return "empty body"
    try:
        if (content_type or "").split(";")[0].strip() == "application/json" or text.startswith("{"):
            value: Any = _loads(text)
        elif "payload" in text:
            params = dict(parse_qsl(text, keep_blank_values=True))
            payload = params.get("payload")
            value = {} if payload is None else _loads(payload)
        else:
            value = dict(parse_qsl(text, keep_blank_values=True))
    except _TooDeep:
        return f"JSON nested deeper than {MAX_DEPTH} levels"
    except (ValueError, RecursionError):
        return "not valid JSON or form data"
    if not isinstance(value, dict):
        return f"a JSON {type(value).__name__}, not an object"
    return value


def unsafe_text(value: Any, path: str = "") -> str | None:
    """The path of the first string (or key) in ``value`` holding a NUL character or a lone surrogate, which
    Slack never sends and neither PostgreSQL nor UTF-8 can store; None when there is none."""
    if isinstance(value, str):
        return (path or "body") if has_unstorable(value) else None
    if isinstance(value, dict):
        for key, item in value.items():
            if isinstance(key, str) and has_unstorable(key):
                return f"{path}.<key>" if path else "<key>"  # (the key itself is what cannot be written)
            bad = unsafe_text(item, f"{path}.{key}" if path else str(key))
            if bad is not None:
                return bad
    elif isinstance(value, list):
        for i, item in enumerate(value):
            bad = unsafe_text(item, f"{path}[{i}]")
            if bad is not None:
                return bad
    return None


# -- shapes ------------------------------------------------------------------------------------------------
# A check returns None when the value is fine, else the dotted path of what is wrong.
Check = Callable[[Any, str], str | None]


def _str(
    required: bool = False, pattern: re.Pattern[str] | None = None, max_chars: int = MAX_ID_CHARS
) -> Check:
    def check(value: Any, path: str) -> str | None:
        if value is None:
            return path if required else None
        if not isinstance(value, str) or (required and not value) or len(value) > max_chars:
            return path
        if pattern is not None and not pattern.match(value):
            return path
        return None

    return check


def _bool(value: Any, path: str) -> str | None:
    return None if value is None or isinstance(value, bool) else path


def _obj(spec: Mapping[str, Check], required: bool = False, allow_str: bool = False) -> Check:
    def check(value: Any, path: str) -> str | None:
        if value is None:
            return path if required else None
        if allow_str and isinstance(value, str):
            return None
        if not isinstance(value, dict):
            return path
        for key, sub in spec.items():
            bad = sub(value.get(key), f"{path}.{key}")
            if bad:
                return bad
        return None

    return check


def _list(item: Check, required: bool = False, non_empty: bool = False) -> Check:
    def check(value: Any, path: str) -> str | None:
        if value is None:
            return path if required else None
        if not isinstance(value, list) or (non_empty and not value):
            return path
        for i, v in enumerate(value):
            bad = item(v, f"{path}[{i}]")
            if bad:
                return bad
        return None

    return check


def _map_of(item: Check) -> Check:
    def check(value: Any, path: str) -> str | None:
        if value is None:
            return None
        if not isinstance(value, dict):
            return path
        for key, v in value.items():
            bad = item(v, f"{path}.{key}")
            if bad:
                return bad
        return None

    return check


_ID = _obj({"id": _str(), "team_id": _str(), "enterprise_id": _str()}, allow_str=True)
_AUTHS = _list(_obj({"team_id": _str(), "enterprise_id": _str(), "user_id": _str()}))
#: Fields bolt reads while building its context, on every kind of request.
_COMMON: dict[str, Check] = {
    "type": _str(),
    "team": _ID,
    "enterprise": _ID,
    "user": _ID,
    "channel": _ID,
    "authorizations": _AUTHS,
    "is_ext_shared_channel": _bool,
    "team_id": _str(),
    "enterprise_id": _str(),
    "user_id": _str(),
    "channel_id": _str(),
    "view": _obj({"team_id": _str(), "app_installed_team_id": _str(), "id": _str()}),
    "response_url": _str(max_chars=MAX_VALUE_CHARS),
    "trigger_id": _str(),
}
_OPTION = _obj({"value": _str(max_chars=MAX_VALUE_CHARS)})
_ELEMENT = _obj({"action_id": _str(), "value": _str(max_chars=MAX_VALUE_CHARS), "type": _str()})
_BLOCK = _obj({"type": _str(), "block_id": _str(), "elements": _list(_ELEMENT)})
_BLOCK_ACTIONS: dict[str, Check] = {
    "user": _obj({"id": _str(required=True), "team_id": _str()}, required=True),
    "actions": _list(
        _obj(
            {
                "action_id": _str(required=True),
                "block_id": _str(),
                "value": _str(max_chars=MAX_VALUE_CHARS),
                "action_ts": _str(required=True, pattern=_ACTION_TS),
                "selected_option": _OPTION,
                "type": _str(),
            },
            required=True,
        ),
        required=True,
        non_empty=True,
    ),
    "state": _obj({"values": _map_of(_map_of(_obj({"selected_option": _OPTION})))}),
    "container": _obj({"message_ts": _str(), "channel_id": _str(), "type": _str()}),
    "message": _obj({"ts": _str(), "blocks": _list(_BLOCK)}),
    "channel": _obj({"id": _str(), "name": _str()}),
}
_COMMAND: dict[str, Check] = {
    "command": _str(required=True),
    "user_id": _str(required=True),
    "text": _str(max_chars=MAX_TEXT_CHARS),
}
_EVENT: dict[str, Check] = {
    "type": _str(required=True),
    "user": _ID,
    "user_team": _str(),
    "team": _str(),
    "channel": _ID,
    "tab": _str(),
    "ts": _str(),
    "thread_ts": _str(),
    "text": _str(max_chars=MAX_TEXT_CHARS),
    "subtype": _str(),
    "bot_id": _str(),
}
_EVENT_CALLBACK: dict[str, Check] = {"event": _obj(_EVENT, required=True), "event_id": _str()}


def check_shape(payload: dict[str, Any]) -> str | None:
    """None when ``payload`` has the shape bolt and the listeners rely on, else the path of the first bad field."""
    kind = payload.get("type")
    specs: list[Mapping[str, Check]] = [_COMMON]
    if kind == "block_actions":
        specs.append(_BLOCK_ACTIONS)
    elif kind == "event_callback":
        specs.append(_EVENT_CALLBACK)
    elif kind == "url_verification":
        specs.append({"challenge": _str(required=True)})
    elif kind is None and "command" in payload:
        specs.append(_COMMAND)
    elif kind is None and "ssl_check" not in payload:
        return "type"
    for spec in specs:
        for key, check in spec.items():
            bad = check(payload.get(key), key)
            if bad:
                return bad
    return None


def _user_of(payload: dict[str, Any]) -> str | None:
    """The acting user's id for the audit line, when it looks like one (never raw text from the payload)."""
    user = payload.get("user")
    for value in (user.get("id") if isinstance(user, dict) else user, payload.get("user_id")):
        if isinstance(value, str) and _USER_ID.match(value):
            return value
    return None


def admit(
    headers: Mapping[str, str], raw: bytes, secret: str, now: float, content_type: str | None = None
) -> Admitted | Rejection:
    """Verify, decode, parse and shape-check one request to ``/slack/events``."""
    if len(raw) > MAX_BODY_BYTES:
        return Rejection(413, "too_large", msg.GATE_TOO_LARGE)
    rejected = verify(headers, raw, secret, now)
    if rejected is not None:
        return rejected
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        return Rejection(400, "not_utf8", msg.GATE_NOT_UTF8, signed=True)
    parsed = parse(text, content_type)
    if isinstance(parsed, str):
        return Rejection(400, "malformed_body", msg.GATE_MALFORMED.format(what=parsed), signed=True)
    bad = unsafe_text(parsed) or check_shape(parsed)
    if bad is not None:
        return Rejection(
            400,
            "malformed_payload",
            msg.GATE_BAD_FIELD.format(field=bad[:120]),
            signed=True,
            user=_user_of(parsed),
        )
    return Admitted(text, parsed)
