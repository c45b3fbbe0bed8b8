"""What the Flask extension and the WSGI middleware share: recording responses and handling the feedback
endpoints, over plain data (bytes in, status + JSON-able dict out). No Flask here."""

from __future__ import annotations

import functools
import json
import logging
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Concatenate, ParamSpec

from pydantic import ValidationError
from pydantic_core import PydanticSerializationError

from prefloop.capture import messages
from prefloop.capture.bounds import MAX_NESTING, json_too_deep, value_too_deep
from prefloop.capture.degrade import Degradations
from prefloop.capture.errors import EventTooLargeError, NoUserError, TokenError
from prefloop.capture.idempotency import IdempotencyCache
from prefloop.capture.intake import KINDS, build_event, field_errors
from prefloop.capture.publisher import Publisher
from prefloop.capture.publisher.publisher import wire_line
from prefloop.capture.ratelimit import RateLimiter
from prefloop.capture.response_line import Record, check_response, encode_record, is_identifier, utc_from_ns
from prefloop.capture.settings import CaptureSettings
from prefloop.capture.tokens import Pseudonymizer, TokenSigner, derive_key
from prefloop.schemas.errors import CaptureError, EventValidationError, FieldError
from prefloop.schemas.events import GenerationSettings, Message, ResponseEvent

__all__ = ["CaptureCore", "Reply", "ResponseToken", "error_reply"]

log = logging.getLogger("prefloop.capture")

_UNAVAILABLE = {"spool_full", "queue_full", "spool_write_failed", "ack_timeout", "closed"}
P = ParamSpec("P")


class ResponseToken(str):
    """The signed token :meth:`CaptureCore.response_shown` returns (a ``str``: put it in the page as
    ``data-prefloop-token``), with the ids it names as attributes.

    When the response could not be recorded (non-strict mode) it is the empty string, ``recorded`` is False
    and ``reason`` says why (the label of ``prefloop_capture_degraded_total``); the browser helper ignores
    clicks on a response with an empty token.

    A recorded token carries its response and conversation ids in its text (``v3~<response>~<conversation>~``),
    so they are read from it when asked for; only what the text does not say is stored (the event id when the
    caller chose the response id; everything for an empty token). That keeps the object a bare ``str`` on the
    host's request path."""

    reason: str | None = None

    def __new__(
        cls, token: str, response_id: str, conversation_id: str, event_id: str, reason: str | None = None
    ) -> ResponseToken:
        self = str.__new__(cls, token)
        if not token:
            self.__dict__.update(
                _response_id=response_id, _conversation_id=conversation_id, _event_id=event_id, reason=reason
            )
        elif event_id != response_id:
            self.__dict__["_event_id"] = event_id
        return self

    @property
    def response_id(self) -> str:
        got = self.__dict__.get("_response_id")
        return self.split("~", 2)[1] if got is None else got

    @property
    def conversation_id(self) -> str:
        got = self.__dict__.get("_conversation_id")
        return self.split("~", 3)[2] if got is None else got

    @property
    def event_id(self) -> str:
        got = self.__dict__.get("_event_id")
        return self.response_id if got is None else got

    @property
    def recorded(self) -> bool:
        return self.reason is None


def _degrades(
    method: Callable[Concatenate[CaptureCore, P], ResponseToken],
) -> Callable[Concatenate[CaptureCore, P], ResponseToken]:
    """Non-strict mode: any failure of ``method`` becomes an empty token (counted, logged once per interval)."""

    @functools.wraps(method)
    def wrapper(self: CaptureCore, *args: P.args, **kwargs: P.kwargs) -> ResponseToken:
        try:
            return method(self, *args, **kwargs)
        except Exception as exc:
            return self.refuse(exc, kwargs.get("conversation_id"), kwargs.get("response_id"))

    return wrapper


@dataclass
class Reply:
    """An endpoint's answer: HTTP status, JSON body, extra headers."""

    status: int
    body: dict[str, Any]
    headers: dict[str, str] = field(default_factory=dict)

    def json(self) -> bytes:
        return json.dumps(self.body, separators=(",", ":")).encode()


def error_reply(status: int, code: str, fields: Sequence[FieldError] = (), **fmt: Any) -> Reply:
    """A JSON error answer: ``{"error": code, "message": ..., "fields": [{"field", "reason"}]}``."""
    body: dict[str, Any] = {"error": code, "message": messages.HTTP[code].format(**fmt)}
    if fields:
        body["fields"] = [f.to_dict() for f in fields]
    return Reply(status, body)


#: Now, as an aware UTC datetime (a C call: no Python frame). The default clock; ``response_shown`` reads
#: ``time.time_ns()`` instead when it is in place and has the writer thread make the datetime.
_utcnow: Callable[[], datetime] = functools.partial(datetime.now, UTC)
_time_ns = time.time_ns
#: ``str.__new__``: a recorded :class:`ResponseToken` whose response id is its event id, made without a frame
_bare_token = str.__new__


class CaptureCore:
    """One capture instance: settings, publisher, token signer, pseudonymizer, rate limiter, key cache."""

    def __init__(
        self,
        settings: CaptureSettings,
        publisher: Publisher | None = None,
        clock: Callable[[], datetime] | None = None,
    ) -> None:
        self.settings = settings
        #: Stamps ``occurred_at``; a timezone-aware UTC ``datetime``. Replaceable for replays and tests.
        self.clock: Callable[[], datetime] = clock or _utcnow
        self.publisher = publisher if publisher is not None else Publisher(settings.publisher)
        self.signer = TokenSigner(
            derive_key(settings.secret_key, "token"), settings.token_max_age, settings.app_id
        )
        self.pseudonymize = Pseudonymizer(derive_key(settings.secret_key, "user"))
        self._pseudonyms = self.pseudonymize.cache
        self.limiter = RateLimiter(settings.rate_limit_per_minute, settings.rate_limit_burst)
        self.idempotency = IdempotencyCache(settings.idempotency_ttl)
        self.app_id = settings.app_id
        self._app_id_ok = is_identifier(settings.app_id)  # else the model path refuses it, by name
        self.degradations = Degradations(self.publisher.metrics, settings.degraded_log_interval)
        self._started = time.monotonic()

    @property
    def metrics(self) -> Any:
        return self.publisher.metrics

    def refuse(
        self, exc: Exception, conversation_id: object = None, response_id: object = None
    ) -> ResponseToken:
        """What ``response_shown`` does with a failure: raise it in strict mode; otherwise count it, log it
        (at most once per interval) and return an empty token. Its ``response_id`` is the caller's (if a
        string) or a fresh unique id, so a host that keys its own state by it keeps working."""
        if self.settings.strict:
            raise exc
        reason = self.degradations.record(exc)
        rid = response_id if isinstance(response_id, str) else self.publisher.new_event_id()
        cid = conversation_id if isinstance(conversation_id, str) else ""
        return ResponseToken("", rid, cid, "", reason)

    def status(self) -> dict[str, Any]:
        """The health of this capture instance (``GET <prefix>/status``): ``status`` is ``ok`` or
        ``degraded`` (spool over budget, spool writes failing, sender down, or a response not recorded within the
        log interval)."""
        publisher = self.publisher
        sender = publisher.sender_status()
        degraded = self.degradations.snapshot()
        problems = []
        if publisher.spool_full:
            problems.append("spool_full")
        if publisher.spool_write_failing:
            problems.append("spool_write_failing")
        if sender["mode"] != "embedded" and not sender["up"]:
            problems.append("sender_down")
        if self.degradations.recent():
            problems.append(f"responses_not_recorded:{self.degradations.last_reason}")
        return {
            "status": "degraded" if problems else "ok",
            "problems": problems,
            "strict": self.settings.strict,
            "app_id": self.app_id,
            "uptime_s": round(time.monotonic() - self._started, 1),
            "spool": {
                "full": publisher.spool_full,
                "pending_bytes": publisher.account_pending(),
                "max_bytes": publisher.config.spool_max_bytes,
                "queue_depth": publisher.queue_depth,
            },
            "sender": sender,
            "degraded": degraded,
            "max_event_bytes": publisher.config.max_event_bytes,
        }

    # --- the assistant's own code ---------------------------------------------------------------------
    @_degrades
    def response_shown(
        self,
        user_id: object,
        *,
        conversation_id: str,
        context: Sequence[Message | dict[str, Any]],
        text: str,
        model: str,
        response_id: str | None = None,
        generation: GenerationSettings | dict[str, Any] | None = None,
        regenerates: str | None = None,
        prompt_source: str = "user",
        system_prompt_version: str | None = None,
        locale: str | None = None,
        client_version: str | None = None,
        trace_id: str | None = None,
        metadata: Mapping[str, str] | None = None,
    ) -> ResponseToken:
        """Record a response shown to ``user_id``; return its token. Validates on this thread, then queues
        without waiting for the disk. ``trace_id`` (the generation's trace in OpenTelemetry, Langfuse or
        LangSmith) and ``metadata`` (a few string labels) travel with the response into its pairs.

        Never raises by default: a response that cannot be recorded (invalid input, event over
        ``MAX_EVENT_BYTES``, spool over budget, ...) gives an empty token (``token.recorded`` False,
        ``token.reason``), counted and logged once per interval. With ``PREFLOOP_CAPTURE_STRICT`` it raises
        instead (:class:`~prefloop.schemas.errors.EventValidationError`, a ``CaptureError``).

        The usual call is checked field by field without building the pydantic model
        (:func:`~prefloop.capture.response_line.check_response`) and serialized by the spool writer thread;
        anything that check cannot vouch for goes through ``ResponseEvent.model_validate``, which refuses it
        with the model's own field names."""
        return self.record_response(
            user_id,
            conversation_id,
            context,
            text,
            model,
            response_id,
            generation,
            regenerates,
            prompt_source,
            system_prompt_version,
            locale,
            client_version,
            trace_id,
            metadata,
        )

    def record_response(
        self,
        user_id: object,
        conversation_id: str,
        context: Sequence[Message | dict[str, Any]],
        text: str,
        model: str,
        response_id: str | None,
        generation: GenerationSettings | dict[str, Any] | None,
        regenerates: str | None,
        prompt_source: str,
        system_prompt_version: str | None,
        locale: str | None,
        client_version: str | None,
        trace_id: str | None,
        metadata: Mapping[str, str] | None,
    ) -> ResponseToken:
        """:meth:`response_shown` with positional arguments, raising instead of degrading: the callers that
        degrade themselves (the Flask extension) skip a layer of keyword passing on the request path."""
        if user_id is None:
            raise NoUserError()
        user = self._pseudonyms.get(user_id) if type(user_id) is str else None  # a user seen lately
        if user is None:
            user = self.pseudonymize(user_id)
        publisher = self.publisher
        # one clock read for the id, the event's time and the token (the writer thread makes the datetime)
        now_ns = _time_ns() if self.clock is _utcnow else None
        event_id = publisher.ids.take(now_ns)
        if generation is not None and value_too_deep(generation):
            raise EventValidationError(
                "invalid", [FieldError("generation", f"nested deeper than {MAX_NESTING} levels")]
            )
        if response_id is None:
            response_id = event_id
        occurred_at: datetime | int = self.clock() if now_ns is None else now_ns
        checked = None
        if self._app_id_ok and trace_id is None and metadata is None:  # the fast path knows neither field
            checked = check_response(
                event_id,
                occurred_at,
                self.app_id,
                conversation_id,
                user,
                response_id,
                context,
                text,
                model,
                generation,
                prompt_source,
                regenerates,
                system_prompt_version,
                locale,
                client_version,
            )
        if checked is not None and checked[1] <= publisher.max_line_bytes:
            publisher.submit_record(checked[0])  # surely fits: the writer thread serializes it
        elif checked is None or not self._queue_line(checked[0]):
            response_id, conversation_id = self._submit_model(
                {
                    "event_id": event_id,
                    "occurred_at": occurred_at if now_ns is None else utc_from_ns(now_ns),
                    "app_id": self.app_id,
                    "conversation_id": conversation_id,
                    "user": user,
                    "response_id": response_id,
                    "context": context,
                    "text": text,
                    "model": model,
                    "prompt_source": prompt_source,
                },
                (
                    ("generation", generation),
                    ("regenerates", regenerates),
                    ("system_prompt_version", system_prompt_version),
                    ("locale", locale),
                    ("client_version", client_version),
                    ("trace_id", trace_id),
                    ("metadata", metadata),
                ),
            )
        token = self.signer.issue(
            response_id, conversation_id, user, None if now_ns is None else now_ns // 1_000_000_000
        )
        if response_id is event_id:  # the usual case: the token's text says everything (no Python frame)
            return _bare_token(ResponseToken, token)
        return ResponseToken(token, response_id, conversation_id, event_id)

    def _submit_model(self, data: dict[str, Any], optional: tuple[tuple[str, Any], ...]) -> tuple[str, str]:
        """The full path: validate ``data`` plus the ``optional`` fields given with ``ResponseEvent`` (which
        refuses invalid input with the model's own field names) and queue its wire line. Returns the event's
        response and conversation ids."""
        for name, value in optional:
            if value is not None:
                data[name] = value
        try:
            event = ResponseEvent.model_validate(data)
        except ValidationError as exc:
            raise EventValidationError("invalid", field_errors(exc)) from None
        self.publisher.submit_line(wire_line(event), "response")
        return event.response_id, event.conversation_id

    def _queue_line(self, record: Record) -> bool:
        """Queue a response the fast checks vouched for but whose size bound may not fit the event size limit
        (or that has none): serialized here and its exact size checked. False when it cannot be serialized
        (the full path then says why)."""
        try:
            line = encode_record(record)
        except PydanticSerializationError:
            return False
        self.publisher.submit_line(line, "response")
        return True

    # --- the endpoints ----------------------------------------------------------------------------------
    def handle(self, kind: str, body: bytes, user_id: object) -> Reply:
        """Answer one POST to endpoint ``kind`` (``feedback``, ``regenerate``, ``choice``, ``edit``).

        Returns 200 only once the event is in the spool file (see :meth:`Publisher.publish`). Never raises.
        """
        try:
            return self._handle(kind, body, user_id)
        except Exception:  # a bug must not become a 500 page in the host app
            log.exception("prefloop capture: unexpected error in the %s endpoint", kind)
            self.metrics.count_rejected("unavailable")
            return error_reply(503, "unavailable")

    def too_large(self, size: int) -> Reply:
        self.metrics.count_rejected("too_large")
        return error_reply(413, "too_large", size=size, limit=self.settings.max_body_bytes)

    def _handle(self, kind: str, raw: bytes, user_id: object) -> Reply:
        metrics = self.metrics
        if kind not in KINDS:
            return error_reply(404, "not_found")
        if len(raw) > self.settings.max_body_bytes:
            return self.too_large(len(raw))
        if json_too_deep(raw):
            metrics.count_rejected("too_deep")
            return error_reply(400, "too_deep", limit=MAX_NESTING)
        try:
            body = json.loads(raw)
        except (ValueError, UnicodeDecodeError, RecursionError):
            metrics.count_rejected("invalid")
            return error_reply(400, "not_json")
        if not isinstance(body, dict):
            metrics.count_rejected("invalid")
            return error_reply(400, "not_object")
        if user_id is None:
            metrics.count_rejected("no_user")
            return error_reply(401, "no_user")
        user = self.pseudonymize(user_id)
        wait = self.limiter.check(user)
        if wait:
            metrics.count_rejected("rate_limited")
            retry = max(1, int(wait + 0.999))
            reply = error_reply(429, "rate_limited", retry_after=retry)
            reply.headers["Retry-After"] = str(retry)
            return reply
        key = body.get("idempotency_key")
        if key is not None and (not isinstance(key, str) or not 0 < len(key) <= 128):
            metrics.count_rejected("invalid")
            return error_reply(
                422, "invalid", [FieldError("idempotency_key", "must be a string of 1 to 128 characters")]
            )

        def accept() -> str:
            event = build_event(
                kind,
                body,
                user=user,
                app_id=self.app_id,
                signer=self.signer,
                event_id=self.publisher.new_event_id(),
                occurred_at=self.clock(),
            )
            self.publisher.publish_line(wire_line(event), kind)
            return event.event_id

        try:
            event_id, duplicate = self.idempotency.run(
                user, key, accept, wait=self.publisher.config.ack_timeout
            )
        except TokenError as exc:
            metrics.count_rejected("invalid_token")
            return error_reply(403, "invalid_token", [FieldError(exc.field, str(exc))])
        except EventValidationError as exc:
            metrics.count_rejected("invalid")
            return error_reply(422, "invalid", exc.errors)
        except EventTooLargeError as exc:
            return error_reply(413, "event_too_large", size=exc.size, limit=exc.limit)
        except CaptureError as exc:
            reason = getattr(exc, "reason", "unavailable")
            if reason not in _UNAVAILABLE:
                raise
            reply = error_reply(503, reason)
            reply.body["detail"] = str(exc)
            reply.headers["Retry-After"] = "5"
            return reply
        if duplicate:
            metrics.duplicates.inc()
        return Reply(200, {"ok": True, "event_id": event_id, "duplicate": duplicate})
