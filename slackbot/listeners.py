"""bolt listeners: convert Slack payloads and call the review service. Nothing here talks to Slack directly:
replies go through the outbox, so an ack never waits on Slack."""

from __future__ import annotations

import logging
import re
from typing import TYPE_CHECKING, Any

from slack_bolt import Ack, App, BoltRequest

from prefloop.slackbot import messages as msg
from prefloop.slackbot.members import MembersUnavailable
from prefloop.slackbot.reports import command_response, coverage_text
from prefloop.slackbot.views import ACTION_READ_FULL, ACTION_REASON, BLOCK_REASON, VOTE_ACTIONS

if TYPE_CHECKING:
    from prefloop.slackbot.app import SlackBot

__all__ = ["register"]

log = logging.getLogger(__name__)

_VOTE_ACTION = re.compile("^(" + "|".join(VOTE_ACTIONS) + ")$")


def _selected_reason(body: dict[str, Any]) -> str | None:
    """The rubric reason currently picked in the message (block_actions carry the message's input state)."""
    values = (body.get("state") or {}).get("values") or {}
    selected = (values.get(BLOCK_REASON) or {}).get(ACTION_REASON) or {}
    option = selected.get("selected_option") or {}
    return option.get("value")


def _retry_num(request: BoltRequest) -> int | None:
    raw = request.headers.get("x-slack-retry-num")
    try:
        return int(raw[0]) if raw else None
    except (TypeError, ValueError):
        return None


def register(app: App, bot: SlackBot) -> None:
    service = bot.service

    @app.action(_VOTE_ACTION)
    def vote(ack: Ack, body: dict[str, Any], action: dict[str, Any]) -> None:
        user = body["user"]["id"]
        channel = (body.get("channel") or {}).get("id")
        pair_id = str(action.get("value", ""))
        choice = VOTE_ACTIONS[action["action_id"]]
        try:
            is_reviewer, is_adjudicator = bot.roles(user)
        except MembersUnavailable as exc:
            log.warning("%s", exc)
            bot.tell(user, channel, msg.GROUP_UNAVAILABLE, pair_id)
            ack()
            return
        if not (is_reviewer or is_adjudicator):
            bot.refuse(user, channel, pair_id, choice)
        else:
            service.cast_vote(
                pair_id, user, choice, _selected_reason(body), is_adjudicator=is_adjudicator, channel=channel
            )
        ack()

    @app.action(ACTION_REASON)
    def reason(ack: Ack, body: dict[str, Any], action: dict[str, Any]) -> None:
        user = body["user"]["id"]
        channel = (body.get("channel") or {}).get("id")
        selected = (action.get("selected_option") or {}).get("value")
        pair_id = _pair_of_message(body)
        if pair_id and selected:
            try:
                allowed = any(bot.roles(user))
            except MembersUnavailable:
                allowed = False
            if allowed:
                service.record_reason(pair_id, user, str(selected), channel)
            else:
                bot.refuse(user, channel, pair_id, f"reason:{selected}")
        ack()

    @app.action(ACTION_READ_FULL)
    def read_full(ack: Ack, body: dict[str, Any], action: dict[str, Any]) -> None:
        ack()
        service.open_full_text(str(action.get("value", "")), body["user"]["id"], body["trigger_id"])

    @app.command("/prefloop")
    def command(ack: Ack, command: dict[str, Any]) -> None:
        text = command.get("text", "")
        if text.strip().lower().startswith("coverage"):
            # coverage may take longer than Slack's 3 s: ack now, answer ephemerally through the outbox
            ack(text=msg.COVERAGE_PENDING, response_type="ephemeral")
            bot.tell(command["user_id"], command.get("channel_id"), f"```{coverage_text(service.store)}```")
            return
        ack(text=command_response(service, text), response_type="ephemeral")

    @app.event("app_home_opened")
    def home(event: dict[str, Any], body: dict[str, Any]) -> None:
        if event.get("tab", "home") != "home":
            return
        bot.publish_home(event["user"], body.get("event_id"))

    @app.event("message")
    def thread_message(event: dict[str, Any], body: dict[str, Any], request: BoltRequest) -> None:
        if event.get("subtype") not in (None, "thread_broadcast") or event.get("bot_id"):
            return
        thread_ts = event.get("thread_ts")
        if not thread_ts or thread_ts == event.get("ts") or not event.get("user"):
            return
        service.record_thread_message(
            body.get("event_id"),
            str(thread_ts),
            event["user"],
            str(event["ts"]),
            str(event.get("text", "")),
            _retry_num(request),
        )


def _pair_of_message(body: dict[str, Any]) -> str | None:
    """The pair id of the message an action came from (its vote buttons carry it)."""
    for block in (body.get("message") or {}).get("blocks") or []:
        for element in block.get("elements") or []:
            if element.get("action_id") in VOTE_ACTIONS:
                return str(element.get("value"))
    return None
