"""Wiring: the bolt app, its Web API client, the review service, the outbox worker, the HTTP server."""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import random
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from flask import Flask, Response, request
from pydantic import SecretStr
from slack_bolt import App, BoltRequest
from slack_bolt.adapter.flask.handler import to_flask_response
from slack_sdk import WebClient
from slack_sdk.webhook import WebhookClient
from sqlalchemy.exc import TimeoutError as StoreTimeout
from werkzeug.exceptions import HTTPException
from werkzeug.serving import BaseWSGIServer, make_server

from prefloop.curator.ops_server import json_probe
from prefloop.curator.settings import Settings
from prefloop.curator.store import Store
from prefloop.slackbot import messages as msg
from prefloop.slackbot.errors import SlackNotConfigured
from prefloop.slackbot.gate import MAX_BODY_BYTES, Admitted, Rejection, admit
from prefloop.slackbot.listeners import register
from prefloop.slackbot.members import GroupMembers, channel_members, is_channel
from prefloop.slackbot.ops import bot_readiness, render_metrics
from prefloop.slackbot.outbox import Outbox
from prefloop.slackbot.quorum import QuorumPolicy, load_policy
from prefloop.slackbot.reports import home_for
from prefloop.slackbot.rubric import Rubric, load_rubric
from prefloop.slackbot.service import ReviewService

__all__ = [
    "ACK_BUDGET_SECONDS",
    "HttpServer",
    "Roles",
    "SlackBot",
    "build_worker",
    "click_slots",
    "create_bot",
    "load_remark_scrubber",
    "make_client",
    "warm_remark_scrubber",
]

log = logging.getLogger(__name__)


def _secret(value: SecretStr | None) -> str:
    """A Slack secret's value for the library that needs it ("" when unset)."""
    return value.get_secret_value() if value is not None else ""


SLACK_API = "https://slack.com/api/"

#: How long after its request arrived a click may wait for a free store slot before it is answered 503. Slack gives
#: up on a request after 3 seconds; what is left is for the transaction itself.
ACK_BUDGET_SECONDS = 2.0
#: Pooled connections kept for the bot's other users (the outbox worker, the queue/reminder pass, reports).
RESERVED_CONNECTIONS = 2


@dataclass
class HttpServer:
    server: BaseWSGIServer
    thread: threading.Thread

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_port}"

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(5)


@dataclass(frozen=True)
class Roles:
    reviewer: bool
    adjudicator: bool

    @property
    def any(self) -> bool:
        return self.reviewer or self.adjudicator


@dataclass
class SlackBot:
    settings: Settings
    store: Store
    client: WebClient
    service: ReviewService
    outbox: Outbox
    members: GroupMembers
    app: App = field(init=False)
    _owns_store: bool = False
    _responder: ThreadPoolExecutor = field(
        default_factory=lambda: ThreadPoolExecutor(max_workers=4, thread_name_prefix="slack-respond")
    )
    #: Clicks writing to the store at once (:meth:`store_slot`); set from the pool's size by :func:`create_bot`.
    _slots: threading.BoundedSemaphore = field(default_factory=lambda: threading.BoundedSemaphore(8))
    ack_budget: float = ACK_BUDGET_SECONDS

    # -- who may vote ------------------------------------------------------------------------------------
    def roles(self, user: str) -> Roles:
        """What ``user`` may do: review (member of the reviewer group or channel; everyone when neither is
        configured) and adjudicate (member of the adjudicator group)."""
        group, channel = self.settings.slack_reviewer_group, self.settings.slack_reviewer_channel
        if group is None and channel is None:
            is_reviewer = True
        else:
            is_reviewer = self.members.contains(group, user) or self.members.contains(channel, user)
        return Roles(is_reviewer, self.members.contains(self.settings.slack_adjudicator_group, user))

    @contextmanager
    def store_slot(self, received: float | None) -> Iterator[None]:
        """Hold one of the bounded slots for a click that writes to the store (a vote, a rubric reason).

        There are fewer slots than pooled connections, so a click that has one never queues in the pool. A click
        that finds every slot taken waits, but at most until :data:`ACK_BUDGET_SECONDS` after its request arrived
        (``received``, a ``time.monotonic()``); then it raises the pool's ``TimeoutError``, answered 503 with one
        log line (:func:`~prefloop.slackbot.listeners.listener_failed`), never a wait past Slack's 3 seconds."""
        waited = 0.0 if received is None else time.monotonic() - received
        if not self._slots.acquire(timeout=max(0.0, self.ack_budget - waited)):
            raise StoreTimeout(msg.STORE_BUSY.format(seconds=self.ack_budget))
        try:
            yield
        finally:
            self._slots.release()

    def reviewer_pool(self) -> str:
        group, channel = self.settings.slack_reviewer_group, self.settings.slack_reviewer_channel
        names = [f"<!subteam^{group}>" if group else "", f"<#{channel}>" if channel else ""]
        return " or ".join(n for n in names if n) or "the reviewer group"

    def tell(self, user: str, channel: str | None, text: str, pair_id: str | None = None) -> None:
        with self.service.write() as s:
            self.service.ephemeral(s, channel, user, text, pair_id)
        self.outbox.wake()

    def refuse(
        self, user: str, channel: str | None, pair_id: str | None, what: str, action_key: str | None = None
    ) -> None:
        """A non-reviewer tried to act: audit it and tell them (ephemerally) why nothing happened. A retried
        click (same ``action_key``) is audited and answered once."""
        text = msg.NOT_A_REVIEWER.format(group=self.reviewer_pool())

        def run() -> bool:
            with self.service.write() as s:
                if not self.service.first_time(s, action_key):
                    return False
                self.service.audit(s, user, "vote_refused_not_reviewer", pair_id, attempted=what)
                self.service.ephemeral(s, channel, user, text, pair_id)
                return True

        if self.service.once(action_key, run)[1]:
            self.outbox.wake()

    def respond(self, response_url: str | None, compute: Callable[[], str]) -> None:
        """Answer a slash command later through its ``response_url`` (works in DMs and in channels the bot is
        not in, unlike chat.postEphemeral). Runs ``compute`` off the request thread."""
        if not response_url:
            return

        def run() -> None:
            try:
                text = compute()
            except Exception as exc:  # a report failing must still answer the person who asked
                log.warning("slash command report failed: %s", exc.__class__.__name__)
                text = msg.COMMAND_FAILED.format(error=exc.__class__.__name__)
            try:
                WebhookClient(response_url, timeout=10).send(text=text, response_type="ephemeral")
            except Exception as exc:  # Slack unreachable: the person can run the command again
                log.warning("could not answer through response_url: %s", exc.__class__.__name__)

        self._responder.submit(run)

    def publish_home(self, user: str, event_id: str | None) -> None:
        view = home_for(self.service, user)
        with self.service.write() as s:
            if not self.service.first_time(s, event_id):
                return
            self.service.queue_call(s, "views.publish", {"user_id": user, "view": view}, None)
        self.outbox.wake()

    def refuse_request(self, rejection: Rejection) -> None:
        """A request with a valid signature but a malformed payload: audit it (no payload text is kept)."""
        log.warning("refused a signed Slack request: %s", rejection.error)
        try:
            with self.service.write() as s:
                self.service.audit(
                    s,
                    rejection.user or "unknown",
                    "request_malformed",
                    None,
                    error=rejection.error,
                    detail=rejection.detail,
                )
        except Exception as exc:  # the store is down: the refusal is still answered (and logged above)
            log.error("could not audit a refused Slack request (%s)", exc.__class__.__name__)

    def handle(self, headers: Any, raw: bytes, content_type: str | None, query: str = "") -> Response:
        """One request to /slack/events: the gate first (signature, body, shape), then bolt."""
        received = time.monotonic()
        verdict = admit(headers, raw, _secret(self.settings.slack_signing_secret), time.time(), content_type)
        if isinstance(verdict, Rejection):
            if verdict.signed:
                self.refuse_request(verdict)
            else:
                log.info("refused an unsigned or stale Slack request: %s", verdict.error)
            return _json(verdict.body(), verdict.status)
        return self._dispatch(verdict, headers, query, received)

    def _dispatch(
        self, admitted: Admitted, headers: Any, query: str, received: float | None = None
    ) -> Response:
        try:
            bolt_request = BoltRequest(
                body=admitted.text,
                query=query,
                headers=dict(headers.items()),
                context={"received_at": received},
            )
            return to_flask_response(self.app.dispatch(bolt_request))
        except Exception as exc:  # the gate checked the shape; whatever still fails is answered, not crashed
            log.error("could not handle a signed Slack request (%s); answered 400", exc.__class__.__name__)
            rejection = Rejection(
                400, "unprocessable", msg.GATE_MALFORMED.format(what=exc.__class__.__name__)
            )
            self.refuse_request(rejection)
            return _json(rejection.body(), 400)

    # -- serving -----------------------------------------------------------------------------------------
    def flask_app(self) -> Flask:
        flask_app = Flask("prefloop-slackbot")
        flask_app.config["MAX_CONTENT_LENGTH"] = MAX_BODY_BYTES

        @flask_app.post("/slack/events")
        def slack_events() -> Any:
            raw = request.get_data(cache=True)
            return self.handle(
                request.headers, raw, request.content_type, request.query_string.decode("latin-1")
            )

        @flask_app.errorhandler(HTTPException)
        def http_error(exc: HTTPException) -> Any:
            # 404/405/413 and friends as JSON, never an HTML page
            text = msg.GATE_HTTP_ERROR.format(name=exc.name)
            return _json(
                {"ok": False, "error": exc.name.lower().replace(" ", "_"), "detail": text}, exc.code or 400
            )

        # liveness: the process serves HTTP (no database call: a restart would not bring the database back)
        @flask_app.get("/healthz")
        def healthz() -> Any:
            return {"ok": True}

        @flask_app.get("/readyz")
        def readyz() -> Any:  # readiness: the store answers and the outbox worker runs
            status, body = json_probe(lambda: bot_readiness(self.store, self.outbox.alive))
            return Response(body, status=status, mimetype="application/json")

        @flask_app.get("/metrics")
        def metrics() -> Any:
            return Response(render_metrics(self.store), mimetype="text/plain; version=0.0.4; charset=utf-8")

        return flask_app

    def start_http(self, host: str = "127.0.0.1", port: int = 0) -> HttpServer:
        """Serve /slack/events on a background thread (threaded werkzeug server)."""
        server = make_server(host, port, self.flask_app(), threaded=True)
        thread = threading.Thread(target=server.serve_forever, name="slackbot-http", daemon=True)
        thread.start()
        return HttpServer(server, thread)

    def serve_socket_mode(self) -> None:
        from slack_bolt.adapter.socket_mode import SocketModeHandler

        if not self.settings.slack_app_token:
            raise SlackNotConfigured(msg.CLI_NO_APP_TOKEN, name="PREFLOOP_SLACK_APP_TOKEN")
        SocketModeHandler(self.app, self.settings.slack_app_token.get_secret_value()).start()

    def close(self) -> None:
        self._responder.shutdown(wait=True)
        self.outbox.stop()
        if self._owns_store:
            self.store.dispose()


def _json(body: dict[str, Any], status: int) -> Response:
    return Response(json.dumps(body), status=status, mimetype="application/json")


def make_client(settings: Settings) -> WebClient:
    """A Web API client for ``settings`` (Slack, or the emulator when ``PREFLOOP_SLACK_API_URL`` is set)."""
    if not settings.slack_bot_token:
        raise SlackNotConfigured(msg.CLI_NO_TOKEN, name="PREFLOOP_SLACK_BOT_TOKEN")
    token = settings.slack_bot_token.get_secret_value()
    return WebClient(token=token, base_url=settings.slack_api_url or SLACK_API, timeout=10)


def pseudonym_key(settings: Settings) -> bytes | None:
    """The reviewer-pseudonym key, derived from the signing secret for that one purpose (stable while the
    secret is; the secret itself is never used as the key)."""
    secret = settings.slack_signing_secret
    if not secret:
        return None
    return hmac.new(
        secret.get_secret_value().encode(), b"prefloop reviewer pseudonyms v1", hashlib.sha256
    ).digest()


#: the remark scrubber of each spaCy model, loaded once a process (None: it could not load)
_SCRUBBERS: dict[str, Any] = {}
_SCRUBBERS_LOCK = threading.Lock()


def load_remark_scrubber(model: str) -> Any | None:
    """The curator's PII scrubber for ``model``, loaded on first call and shared by every bot of the process;
    None (remarks are withheld from releases) when it is not installed or cannot load."""
    with _SCRUBBERS_LOCK:
        if model not in _SCRUBBERS:
            try:
                from prefloop.curator.scrub import Scrubber

                scrubber = Scrubber(model=model)
                # the model and the word lists load on first use: now, not in a vote
                scrubber.scrub_texts_consistently(["Loaded."])
                _SCRUBBERS[model] = scrubber
            except Exception as exc:  # not installed (prefloop[curator]) or no model: withhold remarks
                log.warning("no PII scrubber for review remarks (%s): remarks are withheld", exc)
                _SCRUBBERS[model] = None
        return _SCRUBBERS[model]


def warm_remark_scrubber(settings: Settings) -> threading.Thread:
    """Load the remark scrubber in the background now. A pair's resolution scrubs its thread's remarks inside the
    vote that settles it, and Slack waits 3 s for that answer: a first load there (spaCy and the recognizers,
    seconds) would make the first settling vote of a fresh process fail for its reviewer."""
    thread = threading.Thread(
        target=load_remark_scrubber, args=(settings.spacy_model,), name="remark-scrubber-load", daemon=True
    )
    thread.start()
    return thread


def remark_scrubber(settings: Settings) -> Callable[[list[str]], list[str] | None]:
    """Scrubs thread remarks with the curator's PII scrubber (:func:`load_remark_scrubber`); returns None (remarks
    are withheld from releases) when the scrubber is not installed or cannot load."""

    def scrub(texts: list[str]) -> list[str] | None:
        scrubber = load_remark_scrubber(settings.spacy_model)
        if scrubber is None:
            return None
        return list(scrubber.scrub_texts_consistently(texts))

    return scrub


def click_slots(store: Store) -> int:
    """How many clicks may write to the store at once: the pool's connections (``pool_size`` + ``max_overflow``)
    less :data:`RESERVED_CONNECTIONS`, at least 1; 16 for a pool without a limit."""
    pool = store.engine.pool
    size = getattr(pool, "size", None)
    overflow = getattr(pool, "_max_overflow", None)
    if not callable(size) or overflow is None or overflow < 0:
        return 16
    return max(1, int(size()) + int(overflow) - RESERVED_CONNECTIONS)


def build_worker(
    settings: Settings,
    store: Store,
    client: WebClient,
    *,
    rubric: Rubric | None = None,
    policy: QuorumPolicy | None = None,
    rng: random.Random | None = None,
) -> tuple[ReviewService, Outbox]:
    """The review service and its outbox worker (enough to post and remind without serving HTTP)."""
    service = ReviewService(
        store,
        rubric or load_rubric(),
        policy or load_policy(settings.quorum_policy),
        channel=settings.slack_channel,
        adjudicator_group=settings.slack_adjudicator_group,
        rng=rng,
        pseudonym_key=pseudonym_key(settings),
        remark_scrubber=remark_scrubber(settings),
        team_channel=settings.slack_team_channel,
    )
    return service, Outbox(service, client)


def create_bot(
    settings: Settings,
    store: Store | None = None,
    *,
    client: WebClient | None = None,
    rubric: Rubric | None = None,
    policy: QuorumPolicy | None = None,
    rng: random.Random | None = None,
    start_outbox: bool = True,
    slots: int | None = None,
) -> SlackBot:
    """Build the bot from settings. The store must be migrated (`prefloop db upgrade`).

    Listeners run on the thread that serves the request (bolt's ``process_before_response``): a click is answered
    when its listener returns, with no hand-off to another thread and no polling for the ack. At most ``slots``
    clicks (default: :func:`click_slots` of the store's pool) write to the store at once."""
    if not settings.slack_bot_token and client is None:
        raise SlackNotConfigured(msg.CLI_NO_TOKEN, name="PREFLOOP_SLACK_BOT_TOKEN")
    if not settings.slack_signing_secret:
        raise SlackNotConfigured(msg.CLI_NO_SECRET, name="PREFLOOP_SLACK_SIGNING_SECRET")
    owns_store = store is None
    store = store or Store(settings.database_url)
    store.require_current()
    client = client or make_client(settings)
    policy = policy or load_policy(settings.quorum_policy)
    service, outbox = build_worker(settings, store, client, rubric=rubric, policy=policy, rng=rng)

    def fetch(group: str) -> list[str]:
        if is_channel(group):
            return channel_members(client, group)
        return list(client.usergroups_users_list(usergroup=group)["users"])

    bot = SlackBot(
        settings, store, client, service, outbox, GroupMembers(fetch, ttl=policy.member_cache_seconds)
    )
    bot._owns_store = owns_store
    bot._slots = threading.BoundedSemaphore(slots or click_slots(store))
    if settings.slack_reviewer_group is None and settings.slack_reviewer_channel is None:
        log.warning(
            "neither PREFLOOP_SLACK_REVIEWER_GROUP nor PREFLOOP_SLACK_REVIEWER_CHANNEL is set: "
            "every workspace member may vote"
        )
    bot.app = App(
        client=client,
        signing_secret=settings.slack_signing_secret.get_secret_value(),
        process_before_response=True,
        # only for lazy listeners (work done after the answer, such as the App Home view)
        listener_executor=ThreadPoolExecutor(max_workers=4, thread_name_prefix="bolt-lazy"),
    )
    register(bot.app, bot)
    if start_outbox:
        outbox.start()
    return bot
