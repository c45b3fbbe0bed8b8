"""`prefloop slackbot serve|post|remind` and `prefloop agreement` (registered lazily by the prefloop group)."""

from __future__ import annotations

import json
import logging
import secrets
import threading
from pathlib import Path
from typing import Any

import click

from prefloop.curator.settings import Settings
from prefloop.curator.startup import wait_for_dependency, wait_option
from prefloop.curator.store import Store
from prefloop.schemas.errors import StoreError
from prefloop.slackbot import messages as msg

__all__ = ["agreement", "slackbot"]

log = logging.getLogger(__name__)


def _store(settings: Settings) -> Store:
    store = Store(settings.database_url)
    store.require_current()
    return store


@click.group()
def slackbot() -> None:
    """Run the Slack review bot."""


@slackbot.command()
@click.option("--host", default=None, help="interface to listen on (HTTP mode; default: PREFLOOP_SLACK_HOST)")
@click.option("--port", type=int, default=None, help="port (default: PREFLOOP_SLACK_PORT)")
@click.option("--socket-mode/--http", "socket_mode", default=None, help="default: PREFLOOP_SLACK_SOCKET_MODE")
@click.option("--emulator", is_flag=True, help="run against a local Slack emulator (no Slack needed)")
@click.option(
    "--interval", type=float, default=60.0, show_default=True, help="seconds between queue/reminder passes"
)
@click.option(
    "--open-review",
    is_flag=True,
    help="let every workspace member vote when PREFLOOP_SLACK_REVIEWER_GROUP is unset (refused otherwise)",
)
@wait_option("the migrated database")
@click.pass_obj
def serve(
    settings: Settings,
    host: str | None,
    port: int | None,
    socket_mode: bool | None,
    emulator: bool,
    interval: float,
    open_review: bool,
    wait_s: float,
) -> None:
    """Serve Slack's requests on /slack/events (gunicorn), post pairs routed to review, remind on stale ones.

    Also serves /healthz (liveness), /readyz (store reachable, outbox worker running) and /metrics."""
    no_pool = settings.slack_reviewer_group is None and settings.slack_reviewer_channel is None
    if no_pool and not (open_review or emulator):
        raise click.UsageError(msg.NO_REVIEWER_GROUP)

    emu = None
    if emulator:
        from prefloop.slackbot.emulator import SlackEmulator

        groups: dict[str, list[str]] = {
            g: [] for g in (settings.slack_reviewer_group, settings.slack_adjudicator_group) if g
        }
        emu = SlackEmulator(usergroups=groups).start()
        configured = settings.slack_signing_secret
        secret = configured.get_secret_value() if configured else secrets.token_hex(16)
        settings = settings.replace(
            slack_bot_token="xoxb-emulator", slack_api_url=emu.url, slack_signing_secret=secret
        )
        shown = "PREFLOOP_SLACK_SIGNING_SECRET" if configured else secret  # a configured one is never echoed
        click.echo(f"Slack emulator on {emu.url}; signing secret: {shown}", err=True)
    use_socket = settings.slack_socket_mode if socket_mode is None else socket_mode
    try:
        if use_socket:
            _serve_socket_mode(settings, interval)
        else:
            from prefloop.slackbot.server import BotServer

            # here, not in the worker: a clear error instead of a boot loop
            wait_for_dependency(
                lambda: _check_bot_settings(settings),
                timeout=wait_s,
                what="the migrated database",
                retry_on=(StoreError,),
            )
            host = host or settings.slack_host
            port = port or settings.slack_port
            click.echo(
                msg.CLI_SERVING.format(host=host, port=port, api=settings.slack_api_url or "slack.com"),
                err=True,
            )
            BotServer(settings, host=host, port=port, interval=interval).run()
    except KeyboardInterrupt:
        pass
    finally:
        if emu is not None:
            emu.stop()


def _check_bot_settings(settings: Settings) -> None:
    from prefloop.slackbot.errors import SlackNotConfigured

    if not settings.slack_bot_token:
        raise SlackNotConfigured(msg.CLI_NO_TOKEN, name="PREFLOOP_SLACK_BOT_TOKEN")
    if not settings.slack_signing_secret:
        raise SlackNotConfigured(msg.CLI_NO_SECRET, name="PREFLOOP_SLACK_SIGNING_SECRET")
    _store(settings).dispose()


def _serve_socket_mode(settings: Settings, interval: float) -> None:
    from prefloop.slackbot.app import create_bot, warm_remark_scrubber
    from prefloop.slackbot.server import housekeeping

    bot = create_bot(settings)
    warm_remark_scrubber(settings)
    stop = threading.Event()
    threading.Thread(
        target=housekeeping, args=(bot, stop, interval), name="slackbot-housekeeping", daemon=True
    ).start()
    try:
        bot.serve_socket_mode()
    finally:
        stop.set()
        bot.close()


@slackbot.command()
@click.option("--limit", type=int, default=None, help="post at most this many pairs")
@click.option("--timeout", type=float, default=60.0, show_default=True, help="seconds to keep retrying Slack")
@click.pass_obj
def post(settings: Settings, limit: int | None, timeout: float) -> None:
    """Queue pairs routed to review and drain the outbox once (posting to Slack)."""
    from prefloop.slackbot.app import build_worker, make_client

    store = _store(settings)
    try:
        service, outbox = build_worker(settings, store, make_client(settings))
        result = service.enqueue_pending(limit)
        drained = outbox.drain(timeout)
        click.echo(
            msg.CLI_POSTED.format(
                queued=len(result.queued),
                refused=len(result.refused_unscrubbed),
                sent=drained.sent,
                pending=outbox.pending(),
                failed=drained.failed,
            )
        )
    finally:
        store.dispose()


@slackbot.command()
@click.option(
    "--id", "ids", type=int, multiple=True, help="only this message (repeatable; default: every failed one)"
)
@click.option("--no-send", is_flag=True, help="only queue them again (a running bot sends them)")
@click.option("--timeout", type=float, default=60.0, show_default=True, help="seconds to keep retrying Slack")
@click.pass_obj
def resend(settings: Settings, ids: tuple[int, ...], no_send: bool, timeout: float) -> None:
    """Send the outbox's failed messages again (Slack refused them, or was away longer than the retry window)."""
    from prefloop.slackbot.outbox import DrainStats, resend_failed

    store = _store(settings)
    try:
        n = resend_failed(store, ids)
        drained, pending = DrainStats(), None
        if not no_send and n:
            from prefloop.slackbot.app import build_worker, make_client

            _service, outbox = build_worker(settings, store, make_client(settings))
            drained = outbox.drain(timeout)
            pending = outbox.pending()
        click.echo(
            msg.CLI_RESENT.format(
                n=n, sent=drained.sent, pending="-" if pending is None else pending, failed=drained.failed
            )
        )
    finally:
        store.dispose()


@slackbot.command()
@click.option("--timeout", type=float, default=60.0, show_default=True)
@click.pass_obj
def remind(settings: Settings, timeout: float) -> None:
    """Remind reviewers in the threads of pairs still without quorum (per the quorum policy)."""
    from prefloop.slackbot.app import build_worker, make_client

    store = _store(settings)
    try:
        service, outbox = build_worker(settings, store, make_client(settings))
        n = service.remind_due()
        drained = outbox.drain(timeout)
        click.echo(msg.CLI_REMINDED.format(n=n, sent=drained.sent, pending=outbox.pending()))
    finally:
        store.dispose()


@click.command()
@click.option("--json", "as_json", is_flag=True, help="print the report as one JSON object")
@click.option("--target", type=float, default=None, help="agreement target (default 0.70)")
@click.pass_obj
def agreement(settings: Settings, as_json: bool, target: float | None) -> None:
    """Reviewer agreement: percent agreement and Krippendorff's alpha, overall, per harm category, per reviewer."""
    from prefloop.curator.pairing.audit import audit_estimate
    from prefloop.slackbot.agreement import AGREEMENT_TARGET, agreement_report
    from prefloop.slackbot.quorum import load_policy
    from prefloop.slackbot.reports import (
        agreement_text,
        audit_text,
        calibration_text,
        gold_text,
        service_gold,
    )
    from prefloop.slackbot.rubric import load_rubric
    from prefloop.slackbot.service import ReviewService

    store = _store(settings)
    try:
        service = ReviewService(
            store, load_rubric(), load_policy(settings.quorum_policy), settings.slack_channel
        )
        report = agreement_report(service.rated_votes(), target if target is not None else AGREEMENT_TARGET)
        scores, low = service_gold(service)
        audit = audit_estimate(service.audit_outcomes())
        calibration = service.review_calibration()
    finally:
        store.dispose()
    if as_json:
        payload: dict[str, Any] = report.to_dict() | {
            "needs_clearer_rubric": report.needs_clearer_rubric(),
            "gold": {r: sc.to_dict() | {"flagged": r in low} for r, sc in sorted(scores.items())},
            "audit": audit.to_dict(),
            "calibration": calibration,
        }
        click.echo(json.dumps(payload, sort_keys=True))
    else:
        texts = [
            agreement_text(report),
            gold_text(scores, low),
            audit_text(audit),
            calibration_text(calibration),
        ]
        click.echo("\n\n".join(texts))


@slackbot.group()
def gold() -> None:
    """Gold items: pairs with a known answer mixed into the review queue to measure reviewers."""


@gold.command("add")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.pass_obj
def gold_add(settings: Settings, path: Path) -> None:
    """Add gold items from a JSONL file: {"prompt", "chosen", "rejected", "answer"?, "category"?} per line."""
    from prefloop.slackbot.gold import add_gold, read_gold_file

    store = _store(settings)
    try:
        added = add_gold(store, read_gold_file(path))
    finally:
        store.dispose()
    click.echo(msg.CLI_GOLD_ADDED.format(n=len(added), path=path))


@gold.command("export")
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "--month", default=None, help="Only the prompts pinned from this release (YYYY-MM); default all."
)
@click.option("--reviewed-only", is_flag=True, help="Only pairs whose side reviewers decided.")
@click.option("--limit", type=click.IntRange(min=1), default=None, help="At most this many (a fixed sample).")
@click.pass_obj
def gold_export(
    settings: Settings, path: Path, month: str | None, reviewed_only: bool, limit: int | None
) -> None:
    """Write gold items from the frozen evaluation set (prompts pinned by `prefloop release pin-eval`) to PATH,
    one JSON object per line, ready for `prefloop slackbot gold add PATH`."""
    from prefloop.slackbot.gold_export import eval_gold_items, write_gold_file

    store = _store(settings)
    try:
        result = eval_gold_items(store, month, reviewed_only=reviewed_only, limit=limit)
    finally:
        store.dispose()
    if not result.prompts:
        raise click.ClickException(msg.CLI_GOLD_NO_EVAL.format(month=month or "any release"))
    write_gold_file(result.items, path)
    click.echo(
        msg.CLI_GOLD_EXPORTED.format(
            n=len(result.items), prompts=result.prompts, skipped=result.skipped, path=path
        )
    )
