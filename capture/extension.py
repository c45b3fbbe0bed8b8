"""``FeedbackCapture``: the Flask extension."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import datetime
from typing import Any, cast

from flask import Flask, current_app
from flask.globals import _cv_app
from markupsafe import Markup, escape

from prefloop.capture import messages
from prefloop.capture.core import CaptureCore, ResponseToken
from prefloop.capture.csrf import exempt_from_csrf
from prefloop.capture.errors import NoUserError
from prefloop.capture.metrics import CaptureMetrics
from prefloop.capture.publisher import Publisher
from prefloop.capture.settings import settings_from_config
from prefloop.capture.views import make_blueprint
from prefloop.schemas.events import GenerationSettings, Message

__all__ = ["EXTENSION_KEY", "FeedbackCapture"]

EXTENSION_KEY = "prefloop"
#: The app of the current context, without the proxy's attribute look-up on every use (what ``current_app``
#: resolves to; outside a context it raises the same RuntimeError).
_current_app: Callable[[], Flask] = cast(Any, current_app)._get_current_object


class FeedbackCapture:
    """Records the responses an assistant shows and the feedback users give on them, and publishes both.

    ::

        capture = FeedbackCapture()          # or FeedbackCapture(app)
        capture.init_app(app)

        @capture.user_loader
        def current_user_id():
            return session.get("user_id")    # the host's user; pseudonymized before it leaves the app

        token = capture.response_shown(conversation_id=cid, context=msgs, text=answer, model="m-1")

    Configuration (Flask config, read once in :meth:`init_app`; unknown ``PREFLOOP_CAPTURE_*`` keys fail):

    - ``PREFLOOP_CAPTURE_SECRET_KEY`` — signs response tokens and keys user pseudonyms (default: ``SECRET_KEY``).
      Keep it stable: changing it changes every pseudonym and invalidates issued tokens.
    - ``PREFLOOP_CAPTURE_APP_ID`` — ``app_id`` on every event (default: the app's name).
    - ``PREFLOOP_CAPTURE_SPOOL_DIR`` — the on-disk spool (default: ``<instance_path>/prefloop-spool``).
    - ``PREFLOOP_CAPTURE_KAFKA_BOOTSTRAP`` — ``host:port[,...]``; unset is embedded mode (the curator reads
      the spool). ``PREFLOOP_CAPTURE_KAFKA_TOPIC`` (``prefloop.feedback.v1``),
      ``PREFLOOP_CAPTURE_KAFKA_COMPRESSION`` (``gzip``), ``PREFLOOP_CAPTURE_KAFKA_OPTIONS`` (dict of extra
      KafkaProducer settings; acks=all and idempotence are always on).
    - ``PREFLOOP_CAPTURE_DURABILITY`` — ``none`` | ``interval`` (default) | ``always``: when the spool is
      fdatasynced (see docs/capture.md); ``PREFLOOP_CAPTURE_FSYNC_INTERVAL`` (0.2 s) for ``interval``.
    - ``PREFLOOP_CAPTURE_SPOOL_MAX_BYTES`` (1 GiB) — disk budget; past it events are refused (503) and counted.
    - ``PREFLOOP_CAPTURE_SEGMENT_MAX_BYTES`` (16 MiB), ``PREFLOOP_CAPTURE_QUEUE_MAX_EVENTS`` (10,000).
    - ``PREFLOOP_CAPTURE_BATCH_MAX_EVENTS`` (5,000), ``PREFLOOP_CAPTURE_BATCH_MAX_BYTES`` (4 MiB),
      ``PREFLOOP_CAPTURE_LINGER`` (0.02 s) — how the sender batches; ``PREFLOOP_CAPTURE_SEND_TIMEOUT`` (30 s).
    - ``PREFLOOP_CAPTURE_ACK_TIMEOUT`` (2 s) — how long an endpoint waits for the disk before answering 503.
    - ``PREFLOOP_CAPTURE_SHUTDOWN_TIMEOUT`` (5 s) — how long shutdown tries to ship before leaving it on disk.
    - ``PREFLOOP_CAPTURE_SENDER`` — ``process`` (default: a child process ships, so Kafka work never holds this
      process's GIL) or ``thread`` (ship from a thread of this process).
    - ``PREFLOOP_CAPTURE_URL_PREFIX`` (``/prefloop``), ``PREFLOOP_CAPTURE_MAX_BODY_BYTES`` (512 KiB),
      ``PREFLOOP_CAPTURE_RATE_LIMIT_PER_MINUTE`` (120; 0 = off), ``PREFLOOP_CAPTURE_RATE_LIMIT_BURST`` (30),
      ``PREFLOOP_CAPTURE_TOKEN_MAX_AGE`` (30 days, in s; 0 = never expire),
      ``PREFLOOP_CAPTURE_IDEMPOTENCY_TTL`` (600 s), ``PREFLOOP_CAPTURE_METRICS_ENDPOINT`` (True),
      ``PREFLOOP_CAPTURE_STATUS_ENDPOINT`` (True: ``GET <prefix>/status``, a JSON health view).
    - ``PREFLOOP_CAPTURE_MAX_EVENT_BYTES`` (1,000,000, the most allowed) — the largest serialized event
      accepted; keep it below the broker's ``message.max.bytes`` (Kafka's default is 1 MiB).
    - ``PREFLOOP_CAPTURE_STRICT`` (False) — False: ``response_shown`` never raises, it returns an empty token
      and counts why; True: it raises. ``PREFLOOP_CAPTURE_DEGRADED_LOG_INTERVAL`` (60 s): at most one log
      line per interval about responses not recorded.
    """

    def __init__(
        self,
        app: Flask | None = None,
        *,
        user_loader: Callable[[], object] | None = None,
        clock: Callable[[], datetime] | None = None,
    ) -> None:
        """``clock`` stamps ``occurred_at`` (default: now, UTC); replays and tests pass their own."""
        self._user_loader = user_loader
        self._clock = clock
        if app is not None:
            self.init_app(app)

    def init_app(self, app: Flask) -> None:
        """Read the config, start the publisher, register the blueprint. Once per app."""
        if EXTENSION_KEY in app.extensions:
            raise RuntimeError(messages.ALREADY_REGISTERED.format(app=app.name))
        settings = settings_from_config(
            app.config,
            app_name=app.name,
            instance_path=app.instance_path,
            app_secret=app.config.get("SECRET_KEY"),
        )
        core = CaptureCore(settings, clock=self._clock)
        app.extensions[EXTENSION_KEY] = core
        blueprint = make_blueprint(self, settings)
        app.register_blueprint(blueprint)
        exempt_from_csrf(app, blueprint)  # the signed response token already binds user and conversation
        prefix = settings.url_prefix

        def prefloop_script() -> Markup:
            src = escape(f"{prefix}/static/prefloop.js")
            return Markup(f'<script src="{src}" data-prefloop-endpoint="{escape(prefix)}" defer></script>')

        app.jinja_env.globals["prefloop_script"] = prefloop_script

    def user_loader(self, fn: Callable[[], object]) -> Callable[[], object]:
        """Register the function returning the current user's id (None when nobody is signed in)."""
        self._user_loader = fn
        return fn

    def current_user_id(self) -> object:
        return self._user_loader() if self._user_loader is not None else None

    # --- per-app state ------------------------------------------------------------------------------
    def core(self, app: Flask | None = None) -> CaptureCore:
        target = app if app is not None else current_app
        try:
            return target.extensions[EXTENSION_KEY]
        except KeyError:
            raise RuntimeError(messages.NOT_REGISTERED) from None

    def publisher(self, app: Flask | None = None) -> Publisher:
        return self.core(app).publisher

    def metrics(self, app: Flask | None = None) -> CaptureMetrics:
        return self.core(app).publisher.metrics

    def flush(self, timeout: float = 10.0, app: Flask | None = None) -> bool:
        """Wait until every accepted event is on disk and (with Kafka) shipped."""
        return self.core(app).publisher.flush(timeout)

    def shutdown(self, timeout: float | None = None, app: Flask | None = None) -> None:
        """Stop the publisher of ``app`` (also runs at interpreter exit)."""
        self.core(app).publisher.shutdown(timeout)

    # --- called by the assistant's code ------------------------------------------------------------
    def response_shown(
        self,
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
        user: object = None,
        trace_id: str | None = None,
        metadata: Mapping[str, str] | None = None,
    ) -> ResponseToken:
        """Record that the current user was shown ``text``; return the token the page puts on the response.

        Validated on the calling thread, then queued in memory and returned: no disk or network wait. The
        spool write follows within milliseconds (a process killed in that window loses the response record,
        never an acknowledged click). ``user`` overrides the user_loader. ``trace_id`` (the generation's trace
        in OpenTelemetry, Langfuse or LangSmith) and ``metadata`` (at most 16 short string labels; released
        with the pairs, so no personal data) travel with the response into its pairs and release rows.

        Never raises into the host's request by default: a response that cannot be recorded (invalid input,
        too large, no user, spool over budget, queue full) returns an empty token (``token.recorded`` False,
        ``token.reason``), counted in ``prefloop_capture_degraded_total`` and shown by ``<prefix>/status``.
        With ``PREFLOOP_CAPTURE_STRICT = True`` it raises instead (``EventValidationError``, ``NoUserError``,
        ``EventTooLargeError``, ``SpoolFullError``, ``QueueFullError``).
        """
        ctx = _cv_app.get(None)  # the app context (one C call; current_app's proxy runs Python)
        try:
            core: CaptureCore = (ctx.app if ctx is not None else _current_app()).extensions[EXTENSION_KEY]
        except KeyError:
            raise RuntimeError(messages.NOT_REGISTERED) from None
        if user is None:
            loader = self._user_loader
            user = loader() if loader is not None else None
            if user is None:
                return core.refuse(NoUserError(loader is not None), conversation_id, response_id)
        try:
            return core.record_response(
                user,
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
                None,
                trace_id,
                metadata,
            )
        except Exception as exc:  # CaptureCore.response_shown's degrading, without its keyword layer
            return core.refuse(exc, conversation_id, response_id)
