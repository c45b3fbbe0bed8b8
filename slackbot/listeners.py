"""bolt listeners: convert Slack payloads and call the review service. Nothing here talks to Slack directly:
replies go through the outbox, so an ack never waits on Slack."""

from __future__ import annotations

import logging
import re
from typing import TYPE_CHECKING, Any

from slack_bolt import Ack, App, BoltContext, BoltRequest, BoltResponse
from slack_sdk.errors import SlackApiError
from sqlalchemy.exc import SQLAlchemyError

from prefloop.slackbot import messages as msg
from prefloop.slackbot.members import MembersUnavailable
from prefloop.slackbot.reports import COMMAND_ROLES, SLOW_COMMANDS, command_response
from prefloop.slackbot.service import ActionRef
from prefloop.slackbot.views import ACTION_READ_FULL, ACTION_REASON, BLOCK_REASON, VOTE_ACTIONS

if TYPE_CHECKING:
    from prefloop.slackbot.app import Roles, SlackBot

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


def _action_ref(body: dict[str, Any], action: dict[str, Any]) -> ActionRef:
    """The click's identity (the gate guarantees ``user.id`` and ``action_ts`` are strings)."""
    container = body.get("container") or {}
    channel = container.get("channel_id") or (body.get("channel") or {}).get("id") or ""
    message_ts = container.get("message_ts") or (body.get("message") or {}).get("ts") or ""
    return ActionRef(
        user=str(body["user"]["id"]),
        container=f"{channel}:{message_ts}",
        action_id=str(action.get("action_id", "")),
        action_ts=str(action.get("action_ts", "")),
    )


def listener_failed(error: Exception, response: BoltResponse | None) -> BoltResponse | None:
    """bolt's error handler. A listener that could not reach the store (down, no connection or store slot free
    in time) is one line in the log, and the request is answered 503: Slack tells the reviewer the click failed
    (or sends the event again). Listeners run before the answer (``process_before_response``), so nothing they
    did is acknowledged before they finish. Anything else is a bug: logged with its traceback, answered 500 as
    bolt does."""
    if not isinstance(error, SQLAlchemyError):
        log.error("a Slack listener failed", exc_info=error)
        return None
    if response is None:  # only when bolt answered before the listener ran (not how the bot configures it)
        log.error("a Slack listener could not reach the store after its ack (%s)", type(error).__name__)
        return None
    log.error(
        "a Slack click could not be stored (%s: %s); answered 503, so Slack shows the reviewer it failed",
        type(error).__name__,
        str(error).splitlines()[0][:200],
    )
    return BoltResponse(status=503, body="")


def register(app: App, bot: SlackBot) -> None:
    service = bot.service
    app.error(listener_failed)

    def roles_or_none(user: str, channel: str | None, pair_id: str | None) -> Roles | None:
        try:
            return bot.roles(user)
        except MembersUnavailable as exc:
            log.warning("%s", exc)
            bot.tell(user, channel, msg.GROUP_UNAVAILABLE, pair_id)
            return None

    # A vote or a rubric reason is acknowledged once it is stored: Slack's 200 is the bot's word that the click
    # counts. One the store could not take (or that found no store slot within the ack budget) raises before the
    # ack, and the app's error handler answers 503 (Slack shows the reviewer that the click failed, and it can be
    # repeated) instead of a 200 for a lost click.
    @app.action(_VOTE_ACTION)
    def vote(ack: Ack, body: dict[str, Any], action: dict[str, Any], context: BoltContext) -> None:
        ref = _action_ref(body, action)
        channel = (body.get("channel") or {}).get("id")
        pair_id = str(action.get("value", ""))
        choice = VOTE_ACTIONS[action["action_id"]]
        roles = roles_or_none(ref.user, channel, pair_id)
        if roles is None or not roles.any:
            ack()
            if roles is not None:
                bot.refuse(ref.user, channel, pair_id, choice, ref.key)
            return
        with bot.store_slot(context.get("received_at")):
            service.cast_vote(
                pair_id,
                ref.user,
                choice,
                _selected_reason(body),
                is_reviewer=roles.reviewer,
                is_adjudicator=roles.adjudicator,
                channel=channel,
                action=ref,
            )
        ack()

    @app.action(ACTION_REASON)
    def reason(ack: Ack, body: dict[str, Any], action: dict[str, Any], context: BoltContext) -> None:
        ref = _action_ref(body, action)
        channel = (body.get("channel") or {}).get("id")
        selected = (action.get("selected_option") or {}).get("value")
        pair_id = _pair_of_message(body)
        if not (pair_id and selected):
            ack()
            return
        roles = roles_or_none(ref.user, channel, pair_id)
        if roles is None or not roles.any:
            ack()
            if roles is not None:
                bot.refuse(ref.user, channel, pair_id, f"reason:{selected}", ref.key)
            return
        with bot.store_slot(context.get("received_at")):
            service.record_reason(pair_id, ref.user, str(selected), channel, action=ref)
        ack()

    @app.action(ACTION_READ_FULL)
    def read_full(ack: Ack, body: dict[str, Any], action: dict[str, Any]) -> None:
        ack()
        ref = _action_ref(body, action)
        channel = (body.get("channel") or {}).get("id")
        pair_id = str(action.get("value", ""))
        roles = roles_or_none(ref.user, channel, pair_id)
        if roles is None:
            return
        if not roles.any:
            bot.refuse(ref.user, channel, pair_id, "read_full", ref.key)
            return
        trigger_id = body.get("trigger_id")
        modal = service.full_text_modal_for(pair_id, ref.user, ref.key)
        if modal is None or not trigger_id:
            return
        # the trigger id lives 3 seconds: open the modal now, in this request's listener, never via the outbox
        try:
            bot.client.views_open(trigger_id=trigger_id, view=modal)
        except SlackApiError as exc:
            log.warning("views.open for %s failed: %s", pair_id, exc.response.get("error"))

    @app.command("/prefloop")
    def command(ack: Ack, command: dict[str, Any]) -> None:
        text = str(command.get("text") or "")
        sub = text.strip().split(" ", 1)[0].lower()
        user = str(command["user_id"])
        needed = COMMAND_ROLES.get(sub)
        if needed is None:
            ack(text=msg.COMMAND_USAGE, response_type="ephemeral")
            return
        try:
            roles = bot.roles(user)
        except MembersUnavailable as exc:
            log.warning("%s", exc)
            ack(text=msg.GROUP_UNAVAILABLE, response_type="ephemeral")
            return
        allowed = roles.adjudicator if needed == "adjudicator" else roles.any
        if not allowed:
            with service.write() as s:
                service.audit(s, user, "command_refused", None, command=sub, needs=needed)
            ack(
                text=msg.COMMAND_NOT_ALLOWED.format(command=sub, role=msg.ROLE_NAMES[needed]),
                response_type="ephemeral",
            )
            return
        if sub in SLOW_COMMANDS:
            # may take longer than Slack's 3 s: ack now, answer through the command's response_url
            ack(text=msg.COMMAND_PENDING, response_type="ephemeral")
            bot.respond(command.get("response_url"), lambda: command_response(service, sub))
            return
        ack(text=command_response(service, sub), response_type="ephemeral")

    def home(event: dict[str, Any], body: dict[str, Any]) -> None:
        user = event.get("user")
        if event.get("tab", "home") != "home" or not isinstance(user, str) or not user:
            return  # (Slack always names the user; a signed event without one has nobody to show a Home to)
        try:
            bot.publish_home(user, body.get("event_id"))
        except Exception as exc:  # after the answer: logged as any listener failing after its ack
            listener_failed(exc, None)

    # the Home view reads every rated vote: built after the event is answered (a lazy listener), not before
    app.event("app_home_opened")(ack=_answer, lazy=[home])

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


def _answer(ack: Ack) -> None:
    ack()


def _pair_of_message(body: dict[str, Any]) -> str | None:
    """The pair id of the message an action came from (its vote buttons carry it)."""
    for block in (body.get("message") or {}).get("blocks") or []:
        for element in block.get("elements") or []:
            if element.get("action_id") in VOTE_ACTIONS:
                return str(element.get("value"))
    return None
