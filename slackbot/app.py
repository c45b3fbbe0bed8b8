"""Wiring: the bolt app, its Web API client, the review service, the outbox worker, the HTTP server."""

from __future__ import annotations

import logging
import random
import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

from flask import Flask, request
from slack_bolt import App
from slack_bolt.adapter.flask import SlackRequestHandler
from slack_sdk import WebClient
from werkzeug.serving import BaseWSGIServer, make_server

from prefloop.curator.settings import Settings
from prefloop.curator.store import Store
from prefloop.slackbot import messages as msg
from prefloop.slackbot.errors import SlackNotConfigured
from prefloop.slackbot.listeners import register
from prefloop.slackbot.members import GroupMembers
from prefloop.slackbot.outbox import Outbox
from prefloop.slackbot.quorum import QuorumPolicy, load_policy
from prefloop.slackbot.reports import home_for
from prefloop.slackbot.rubric import Rubric, load_rubric
from prefloop.slackbot.service import ReviewService

__all__ = ["HttpServer", "SlackBot", "build_worker", "create_bot", "make_client"]

log = logging.getLogger(__name__)

SLACK_API = "https://slack.com/api/"


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

    # -- who may vote ------------------------------------------------------------------------------------
    def roles(self, user: str) -> tuple[bool, bool]:
        """(may vote as reviewer, is adjudicator). No reviewer group configured = everyone may review."""
        group = self.settings.slack_reviewer_group
        is_reviewer = group is None or self.members.contains(group, user)
        is_adjudicator = self.members.contains(self.settings.slack_adjudicator_group, user)
        return is_reviewer, is_adjudicator

    def tell(self, user: str, channel: str | None, text: str, pair_id: str | None = None) -> None:
        with self.service.write() as s:
            self.service.ephemeral(s, channel, user, text, pair_id)
        self.outbox.wake()

    def refuse(self, user: str, channel: str | None, pair_id: str | None, what: str) -> None:
        """A non-reviewer tried to act: audit it and tell them (ephemerally) why nothing happened."""
        group = self.settings.slack_reviewer_group
        text = msg.NOT_A_REVIEWER.format(group=f"<!subteam^{group}>" if group else "the reviewer group")
        with self.service.write() as s:
            self.service.audit(s, user, "vote_refused_not_reviewer", pair_id, attempted=what)
            self.service.ephemeral(s, channel, user, text, pair_id)
        self.outbox.wake()

    def publish_home(self, user: str, event_id: str | None) -> None:
        view = home_for(self.service, user)
        with self.service.write() as s:
            if not self.service.first_time(s, event_id):
                return
            self.service.queue_call(s, "views.publish", {"user_id": user, "view": view}, None)
        self.outbox.wake()

    # -- serving -----------------------------------------------------------------------------------------
    def flask_app(self) -> Flask:
        flask_app = Flask("prefloop-slackbot")
        handler = SlackRequestHandler(self.app)

        @flask_app.post("/slack/events")
        def slack_events() -> Any:
            return handler.handle(request)

        @flask_app.get("/healthz")
        def healthz() -> Any:
            return {"ok": True, "outbox_pending": self.outbox.pending()}

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
        SocketModeHandler(self.app, self.settings.slack_app_token).start()

    def close(self) -> None:
        self.outbox.stop()
        if self._owns_store:
            self.store.dispose()


def make_client(settings: Settings) -> WebClient:
    """A Web API client for ``settings`` (Slack, or the emulator when ``PREFLOOP_SLACK_API_URL`` is set)."""
    if not settings.slack_bot_token:
        raise SlackNotConfigured(msg.CLI_NO_TOKEN, name="PREFLOOP_SLACK_BOT_TOKEN")
    return WebClient(token=settings.slack_bot_token, base_url=settings.slack_api_url or SLACK_API, timeout=10)


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
    listener_threads: int = 64,
) -> SlackBot:
    """Build the bot from settings. The store must be migrated (`prefloop db upgrade`)."""
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
        return list(client.usergroups_users_list(usergroup=group)["users"])

    bot = SlackBot(
        settings, store, client, service, outbox, GroupMembers(fetch, ttl=policy.member_cache_seconds)
    )
    bot._owns_store = owns_store
    if settings.slack_reviewer_group is None:
        log.warning("PREFLOOP_SLACK_REVIEWER_GROUP is not set: every workspace member may vote")
    bot.app = App(
        client=client,
        signing_secret=settings.slack_signing_secret,
        process_before_response=False,
        listener_executor=ThreadPoolExecutor(max_workers=listener_threads, thread_name_prefix="bolt"),
    )
    register(bot.app, bot)
    if start_outbox:
        outbox.start()
    return bot
