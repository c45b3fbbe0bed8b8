"""A small assistant app with prefloop capture: a chat page with thumbs, regenerate, side-by-side choice and
edit, wired through the browser helper's ``data-prefloop-*`` attributes. Flask and ``capture`` only.

::

    app = create_app({"SECRET_KEY": "...", "PREFLOOP_CAPTURE_SPOOL_DIR": "var/spool"}, responder=my_model)
    app.run()

``responder(context, attempt, conversation_id) -> str`` is the "model": ``context`` is the conversation so far
(ending with the user's message), ``attempt`` is 0 for the first answer and counts regenerates. The default
:class:`CannedResponder` needs no model at all.

JSON API (the page's script and the demo's simulated users call the same endpoints):

- ``POST /api/chat`` ``{"message", "conversation_id"?, "history"?}`` -> ``{"conversation_id", "response_id",
  "token", "text", "model"}``. ``history`` (earlier turns) is accepted only when a conversation starts.
- ``POST /api/regenerate`` ``{"conversation_id", "response_id"}`` -> a new answer to the same turn (recorded
  with ``regenerates`` = the replaced response).

Feedback goes straight from the page to capture's endpoints (``/prefloop/feedback`` ...), carrying the token.
"""

from __future__ import annotations

import re
import threading
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from flask import Flask, Response, jsonify, render_template, request, session

from prefloop.capture.bounds import json_too_deep
from prefloop.capture.example import messages
from prefloop.capture.extension import FeedbackCapture

__all__ = ["MODEL_NAME", "CannedResponder", "Responder", "create_app"]

MODEL_NAME = "example-assistant-1"
Responder = Callable[[list[dict[str, str]], int, str], str]

_ID = re.compile(r"^[A-Za-z0-9_.:@/+=-]{1,128}$")
_ROLES = {"user", "assistant"}
MAX_MESSAGE_CHARS = 20_000
MAX_HISTORY = 100


class CannedResponder:
    """A stand-in model: a fixed answer per attempt, so regenerate visibly gives a different one."""

    ANSWERS = (
        "Here is a short answer: {topic}? It depends; tell me more about what you need.",
        "Let me answer more carefully. About “{topic}”: start with the simplest option, check the result, "
        "and only then add complexity. If you tell me your constraints I can be more specific.",
        "A third take on “{topic}”: break it into steps, and ask me about any step that is unclear.",
    )

    def __call__(self, context: list[dict[str, str]], attempt: int, conversation_id: str) -> str:
        topic = " ".join(context[-1]["content"].split())[:80]
        return self.ANSWERS[attempt % len(self.ANSWERS)].format(topic=topic)


@dataclass
class _Turn:
    """One user turn; every answer to it (first and regenerated) points here."""

    context: list[dict[str, str]]
    attempts: int = 0


@dataclass
class _Conversation:
    user: str
    messages: list[dict[str, str]] = field(default_factory=list)
    turns: dict[str, _Turn] = field(default_factory=dict)


class _Conversations:
    """In-memory conversations (an example app: a real one keeps them in its database)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._items: dict[str, _Conversation] = {}

    def get(self, cid: str) -> _Conversation | None:
        with self._lock:
            return self._items.get(cid)

    def create(self, cid: str, user: str, history: list[dict[str, str]]) -> _Conversation | None:
        with self._lock:
            if cid in self._items:
                return None
            conv = self._items[cid] = _Conversation(user, list(history))
            return conv


def _bad(message: str, status: int = 400) -> tuple[Response, int]:
    return jsonify({"error": message}), status


def _json_body() -> object:
    """The request's JSON body, or ``None`` when it is not JSON or nests deeper than capture's bound (checked on
    the bytes first: the JSON parser recurses once per level and a deep enough array raises RecursionError)."""
    if json_too_deep(request.get_data(cache=True)):
        return None
    return request.get_json(silent=True)


def _history(value: object) -> list[dict[str, str]] | None:
    if value is None:
        return []
    if not isinstance(value, list) or len(value) > MAX_HISTORY:
        return None
    out = []
    for m in value:
        if not isinstance(m, dict) or m.get("role") not in _ROLES or not isinstance(m.get("content"), str):
            return None
        if len(m["content"]) > MAX_MESSAGE_CHARS:
            return None
        out.append({"role": m["role"], "content": m["content"]})
    return out


def create_app(
    config: Mapping[str, Any] | None = None,
    *,
    responder: Responder | None = None,
    clock: Callable[[], datetime] | None = None,
) -> Flask:
    """The example assistant. ``config`` is Flask config (``SECRET_KEY`` and ``PREFLOOP_CAPTURE_*`` keys);
    ``clock`` stamps the events (a replay passes one that runs in the replayed month)."""
    app = Flask(__name__)
    app.config.update(config or {})
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = uuid.uuid4().hex  # sessions and pseudonyms last as long as the process
    capture = FeedbackCapture(clock=clock)
    capture.init_app(app)
    model: Responder = responder or CannedResponder()
    conversations = _Conversations()
    app.extensions["example_capture"] = capture

    @capture.user_loader
    def current_user() -> object:
        return session.get("user_id")

    def ensure_user() -> str:
        if "user_id" not in session:
            session["user_id"] = f"web-{uuid.uuid4().hex[:16]}"
        return str(session["user_id"])

    def answer(
        conv_id: str, conv: _Conversation, turn: _Turn, regenerates: str | None = None
    ) -> dict[str, Any]:
        text = model(turn.context, turn.attempts, conv_id)
        token = capture.response_shown(
            conversation_id=conv_id,
            context=turn.context,
            text=text,
            model=MODEL_NAME,
            regenerates=regenerates,
        )
        turn.attempts += 1
        conv.turns[token.response_id] = turn
        conv.messages = [*turn.context, {"role": "assistant", "content": text}]
        return {
            "conversation_id": conv_id,
            "response_id": token.response_id,
            "token": str(token),
            "text": text,
            "model": MODEL_NAME,
        }

    @app.get("/")
    def index() -> str:
        ensure_user()
        return render_template("chat.html", model=MODEL_NAME)

    @app.post("/api/chat")
    def chat() -> Any:
        user = ensure_user()
        body = _json_body()
        if not isinstance(body, dict):
            return _bad(messages.NOT_JSON)
        text = body.get("message")
        if not isinstance(text, str) or not text.strip() or len(text) > MAX_MESSAGE_CHARS:
            return _bad(messages.BAD_MESSAGE.format(limit=MAX_MESSAGE_CHARS))
        cid = body.get("conversation_id")
        conv = conversations.get(cid) if isinstance(cid, str) else None
        if conv is None:
            if cid is not None and (not isinstance(cid, str) or not _ID.match(cid)):
                return _bad(messages.BAD_CONVERSATION_ID)
            history = _history(body.get("history"))
            if history is None:
                return _bad(messages.BAD_HISTORY.format(limit=MAX_HISTORY))
            cid = cid or uuid.uuid4().hex
            conv = conversations.create(cid, user, history)
            if conv is None:
                return _bad(messages.CONVERSATION_TAKEN, 409)
        elif conv.user != user:
            return _bad(messages.NOT_YOURS, 403)
        elif body.get("history"):
            return _bad(messages.HISTORY_ONLY_AT_START)
        context = [*conv.messages, {"role": "user", "content": text}]
        return jsonify(answer(str(cid), conv, _Turn(context)))

    @app.post("/api/regenerate")
    def regenerate() -> Any:
        user = ensure_user()
        body = _json_body()
        if not isinstance(body, dict):
            return _bad(messages.NOT_JSON)
        cid, rid = body.get("conversation_id"), body.get("response_id")
        conv = conversations.get(cid) if isinstance(cid, str) else None
        if conv is None or not isinstance(rid, str) or rid not in conv.turns:
            return _bad(messages.UNKNOWN_RESPONSE, 404)
        if conv.user != user:
            return _bad(messages.NOT_YOURS, 403)
        return jsonify(answer(str(cid), conv, conv.turns[rid], regenerates=rid))

    @app.get("/healthz")
    def healthz() -> Any:
        return {"ok": True}

    return app
