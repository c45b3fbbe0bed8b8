"""Drive the bot the way Slack does: signed HTTP requests to ``/slack/events``.

Used by the tests, the benchmark and the demo (simulated reviewers)::

    posted = posted_pairs(emulator)            # (channel, ts, pair_id) of every review post
    cast_votes(app_url, signing_secret, ["U1", "U2", "U3"], posted)
"""

from __future__ import annotations

import http.client
import json
import random
import time
import uuid
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode, urlsplit

from slack_sdk.signature import SignatureVerifier

from prefloop.slackbot.views import ACTION_REASON, BLOCK_REASON, VOTE_ACTIONS

__all__ = [
    "EmulatedBot",
    "PostedPair",
    "SignedClient",
    "block_action",
    "cast_votes",
    "event_callback",
    "make_review_pairs",
    "posted_pairs",
    "slash_command",
    "start_emulated_bot",
]

TEAM = {"id": "T0PREFLOOP", "domain": "prefloop-emulated"}
_CHOICE_ACTION = {choice: action for action, choice in VOTE_ACTIONS.items()}


@dataclass(frozen=True)
class PostedPair:
    channel: str
    ts: str
    pair_id: str


def posted_pairs(emulator: Any) -> list[PostedPair]:
    """Review posts the bot made in an emulated workspace (read from the emulator's call log)."""
    found = []
    for call in emulator.calls_to("chat.postMessage"):
        blocks = call.args.get("blocks")
        if isinstance(blocks, str):
            blocks = json.loads(blocks)
        if call.args.get("thread_ts") or not blocks:
            continue
        for block in blocks:
            for element in block.get("elements") or []:
                if element.get("action_id") in VOTE_ACTIONS:
                    found.append(PostedPair(call.response["channel"], call.response["ts"], element["value"]))
                    break
            else:
                continue
            break
    return found


def block_action(
    user: str, post: PostedPair, choice: str, reason: str | None = None, trigger_id: str | None = None
) -> dict[str, Any]:
    """A ``block_actions`` payload as Slack sends it when ``user`` presses a vote button on ``post``."""
    action_id = _CHOICE_ACTION.get(choice, choice)
    state: dict[str, Any] = {"values": {}}
    if reason:
        state["values"][BLOCK_REASON] = {
            ACTION_REASON: {
                "type": "static_select",
                "selected_option": {"value": reason, "text": {"type": "plain_text", "text": reason}},
            }
        }
    return {
        "type": "block_actions",
        "team": TEAM,
        "user": {"id": user, "username": user.lower(), "team_id": TEAM["id"]},
        "api_app_id": "A0PREFLOOP",
        "token": "unused-verification-token",
        "container": {
            "type": "message",
            "message_ts": post.ts,
            "channel_id": post.channel,
            "is_ephemeral": False,
        },
        "trigger_id": trigger_id or f"{int(time.time())}.{uuid.uuid4().hex[:12]}",
        "channel": {"id": post.channel, "name": "prefloop-review"},
        "message": {
            "type": "message",
            "ts": post.ts,
            "text": "",
            "blocks": [
                {
                    "type": "actions",
                    "block_id": "vote",
                    "elements": [
                        {"type": "button", "action_id": a, "value": post.pair_id} for a in VOTE_ACTIONS
                    ],
                }
            ],
        },
        "state": state,
        "response_url": "https://hooks.slack.invalid/actions/unused",
        "actions": [
            {
                "type": "button",
                "action_id": action_id,
                "block_id": "vote",
                "value": post.pair_id,
                "action_ts": f"{time.time():.6f}",
            }
        ],
    }


def slash_command(
    user: str, text: str, channel: str = "C00000001", response_url: str | None = None
) -> dict[str, str]:
    """Form fields of ``/prefloop <text>``."""
    return {
        "token": "unused-verification-token",
        "team_id": TEAM["id"],
        "team_domain": TEAM["domain"],
        "channel_id": channel,
        "channel_name": "prefloop-review",
        "user_id": user,
        "user_name": user.lower(),
        "command": "/prefloop",
        "text": text,
        "api_app_id": "A0PREFLOOP",
        "response_url": response_url or "https://hooks.slack.invalid/commands/unused",
        "trigger_id": f"{int(time.time())}.{uuid.uuid4().hex[:12]}",
    }


def event_callback(event: dict[str, Any], event_id: str | None = None) -> dict[str, Any]:
    """An Events API envelope around ``event``."""
    return {
        "token": "unused-verification-token",
        "team_id": TEAM["id"],
        "api_app_id": "A0PREFLOOP",
        "event": event,
        "type": "event_callback",
        "event_id": event_id or f"Ev{uuid.uuid4().hex[:10].upper()}",
        "event_time": int(time.time()),
        "authorizations": [{"team_id": TEAM["id"], "user_id": "U0PREFLOOPBOT", "is_bot": True}],
    }


class SignedClient:
    """Posts to the bot's ``/slack/events`` with Slack's request signature. One keep-alive connection;
    not thread-safe (make one per simulated reviewer)."""

    def __init__(self, app_url: str, signing_secret: str, timeout: float = 10.0) -> None:
        parts = urlsplit(app_url)
        self.host, self.port = parts.hostname or "127.0.0.1", parts.port or 80
        self.path = (parts.path.rstrip("/") or "") + "/slack/events"
        self.verifier = SignatureVerifier(signing_secret)
        self.timeout = timeout
        self._conn: http.client.HTTPConnection | None = None

    def headers(
        self, body: str, timestamp: int | None = None, retry_num: int | None = None
    ) -> dict[str, str]:
        ts = str(int(time.time()) if timestamp is None else timestamp)
        headers = {
            "X-Slack-Request-Timestamp": ts,
            "X-Slack-Signature": str(self.verifier.generate_signature(timestamp=ts, body=body)),
        }
        if retry_num is not None:
            headers["X-Slack-Retry-Num"] = str(retry_num)
            headers["X-Slack-Retry-Reason"] = "http_timeout"
        return headers

    def send(
        self,
        body: str,
        content_type: str,
        *,
        timestamp: int | None = None,
        signature: str | None = None,
        retry_num: int | None = None,
    ) -> tuple[int, str]:
        headers = self.headers(body, timestamp, retry_num)
        if signature is not None:
            headers["X-Slack-Signature"] = signature
        headers["Content-Type"] = content_type
        for attempt in (1, 2):
            if self._conn is None:
                self._conn = http.client.HTTPConnection(self.host, self.port, timeout=self.timeout)
            try:
                self._conn.request("POST", self.path, body=body.encode("utf-8"), headers=headers)
                response = self._conn.getresponse()
                return response.status, response.read().decode("utf-8", "replace")
            except (ConnectionError, http.client.HTTPException):
                self.close()
                if attempt == 2:
                    raise
        raise AssertionError("unreachable")

    def action(self, payload: dict[str, Any], **kw: Any) -> tuple[int, str]:
        return self.send(
            urlencode({"payload": json.dumps(payload)}), "application/x-www-form-urlencoded", **kw
        )

    def command(self, fields: dict[str, str], **kw: Any) -> tuple[int, str]:
        return self.send(urlencode(fields), "application/x-www-form-urlencoded", **kw)

    def event(self, envelope: dict[str, Any], **kw: Any) -> tuple[int, str]:
        return self.send(json.dumps(envelope), "application/json", **kw)

    def close(self) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None


def _default_choice(rng: random.Random) -> Callable[[str, PostedPair], tuple[str, str | None]]:
    """Simulated reviewers who mostly agree: a per-pair "true" answer, followed 80% of the time."""
    truth: dict[str, str] = {}
    reasons = ("correctness", "grounding", "format", "safety", "usefulness")

    def choose(_user: str, post: PostedPair) -> tuple[str, str | None]:
        if post.pair_id not in truth:
            truth[post.pair_id] = rng.choices(("a", "b", "tie", "both_bad"), weights=(45, 45, 5, 5))[0]
        choice = (
            truth[post.pair_id] if rng.random() < 0.8 else rng.choice(("a", "b", "tie", "both_bad", "unsafe"))
        )
        return choice, rng.choice(reasons)

    return choose


def cast_votes(
    app_url: str,
    signing_secret: str,
    reviewers: Sequence[str],
    posts: Iterable[PostedPair],
    *,
    per_pair: int = 3,
    choose: Callable[[str, PostedPair], tuple[str, str | None]] | None = None,
    seed: int = 0,
) -> list[tuple[str, str, str, int]]:
    """Simulated reviewers vote on each post (``per_pair`` distinct reviewers each, rotating through
    ``reviewers``), with signed block_actions requests. Returns (reviewer, pair_id, choice, HTTP status)."""
    rng = random.Random(seed)
    choose = choose or _default_choice(rng)
    clients = {r: SignedClient(app_url, signing_secret) for r in reviewers}
    cast = []
    try:
        for i, post in enumerate(posts):
            for k in range(min(per_pair, len(reviewers))):
                reviewer = reviewers[(i + k) % len(reviewers)]
                choice, reason = choose(reviewer, post)
                status, _ = clients[reviewer].action(block_action(reviewer, post, choice, reason))
                cast.append((reviewer, post.pair_id, choice, status))
    finally:
        for c in clients.values():
            c.close()
    return cast


def make_review_pairs(
    store: Any, n: int, *, seed: int = 0, unscrubbed: int = 0, hazards: Sequence[str] = ("none",)
) -> list[str]:
    """Insert ``n`` synthetic pairs routed to review (plus ``unscrubbed`` ones whose texts are not scrubbed),
    for tests, the benchmark and a demo without real traffic. Returns the ids of the scrubbed ones."""
    from datetime import UTC, datetime, timedelta

    from prefloop.curator.store.models import Pair, PromptGroup

    rng = random.Random(seed)
    start = datetime(2026, 11, 1, tzinfo=UTC)
    ids = []
    with store.session() as s:
        for i in range(n + unscrubbed):
            key = f"sim-{seed}-{i:06d}"
            prompt = [
                {
                    "role": "user",
                    "content": f"Simulated question #{i}: how do I sort a list of {rng.choice(['ints', 'dates', 'names'])}?",
                }
            ]
            s.add(PromptGroup(key=key, context=prompt, app_id="simulated", first_seen=start, last_seen=start))
            s.flush()
            pair_id = f"p-{seed}-{i:06d}"
            s.add(
                Pair(
                    pair_id=pair_id,
                    group_key=key,
                    chosen_response_id=f"r{i}a",
                    rejected_response_id=f"r{i}b",
                    prompt=prompt,
                    chosen=f"Use sorted(xs). (answer {i}a)",
                    rejected=f"Write your own bubble sort. (answer {i}b)",
                    scrubbed=i < n,
                    kind="thumbs_cross_user",
                    strength=0.4,
                    signals=[],
                    checks=[],
                    tags={"tactic": "none", "hazards": [hazards[i % len(hazards)]]},
                    status="review",
                    route_reasons=["weak_signal"],
                    formed_at=start + timedelta(minutes=i),
                )
            )
            if i < n:
                ids.append(pair_id)
    return ids


@dataclass
class EmulatedBot:
    """The real bot served over HTTP on 127.0.0.1, talking to a local Slack emulator."""

    emulator: Any
    bot: Any
    server: Any
    signing_secret: str

    @property
    def url(self) -> str:
        """Base URL of the bot (requests go to ``url + "/slack/events"``)."""
        return str(self.server.url)

    def stop(self) -> None:
        self.server.stop()
        self.bot.close()
        self.emulator.stop()


def start_emulated_bot(
    settings: Any,
    store: Any = None,
    *,
    reviewers: Sequence[str] = ("U0REVIEW1", "U0REVIEW2", "U0REVIEW3"),
    adjudicators: Sequence[str] = ("U0ADJUDICATOR",),
    signing_secret: str | None = None,
    rng: random.Random | None = None,
    reviewer_channel: str | None = None,
    emulator: Any = None,
) -> EmulatedBot:
    """Start an emulator (with a reviewer and an adjudicator group), the bot against it and its HTTP server.
    Used by the demo when no Slack token is configured, and by the tests. ``rng`` decides which side each post
    shows as "A" (default: system randomness; the demo seeds it so its runs repeat). With
    ``reviewer_channel`` (a channel id) the reviewers are that channel's members instead of a user group, as on
    Slack's free plan. ``emulator``: an emulator already running elsewhere (a benchmark runs it in a process of
    its own) with the groups below, instead of one started here."""
    from prefloop.slackbot.app import create_bot
    from prefloop.slackbot.emulator import SlackEmulator

    reviewer_group = None if reviewer_channel else settings.slack_reviewer_group or "S0PREFLOOPREVIEW"
    adjudicator_group = settings.slack_adjudicator_group or "S0PREFLOOPADJ"
    groups = {adjudicator_group: list(adjudicators)}
    if reviewer_group:
        groups[reviewer_group] = list(reviewers)
    members = {reviewer_channel: list(reviewers)} if reviewer_channel else {}
    if emulator is None:
        emulator = SlackEmulator(usergroups=groups, channel_members=members)
        emulator.start()
    elif reviewer_group and emulator.usergroups.get(reviewer_group) != list(reviewers):
        raise ValueError(f"the emulator given has no user group {reviewer_group} of these reviewers")
    configured = settings.slack_signing_secret
    secret = signing_secret or (configured.get_secret_value() if configured else uuid.uuid4().hex)
    settings = settings.replace(
        slack_bot_token="xoxb-emulated",
        slack_api_url=emulator.url,
        slack_signing_secret=secret,
        slack_reviewer_group=reviewer_group,
        slack_reviewer_channel=reviewer_channel,
        slack_adjudicator_group=adjudicator_group,
    )
    try:
        bot = create_bot(settings, store, rng=rng)
        server = bot.start_http()
    except BaseException:
        emulator.stop()
        raise
    return EmulatedBot(emulator, bot, server, secret)
