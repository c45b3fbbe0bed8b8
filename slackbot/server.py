"""The bot's production HTTP server: gunicorn, one worker process with threads.

One worker, because the worker process also runs the Slack outbox worker and the queue/reminder pass (both
threads): a second process would post in parallel to the first. Threads serve Slack's requests, each running its
listener before answering: a click is answered once stored, and at most as many clicks write at once as the
store's pool has connections to spare (the others wait for a slot within Slack's 3 seconds, or are answered 503).
The bot is built inside the worker, after the fork, so its threads and database connections belong to the process
that uses them. SIGTERM (a container stop) lets the worker finish the requests in hand, then stops the outbox
after the message in hand.
"""

from __future__ import annotations

import logging
import threading
from typing import Any

from gunicorn.app.base import BaseApplication

from prefloop.curator.settings import Settings

__all__ = ["BotServer", "bind_address", "housekeeping"]

log = logging.getLogger(__name__)


def housekeeping(bot: Any, stop: threading.Event, interval: float) -> None:
    """Until ``stop``: queue the pairs routed to review and remind on stale ones, every ``interval`` seconds."""
    while not stop.is_set():
        try:
            bot.service.enqueue_pending()
            bot.service.remind_due()
        except Exception:
            log.exception("queue/reminder pass failed; next pass in %ss", interval)
        stop.wait(interval)


def bind_address(host: str, port: int) -> str:
    """gunicorn's ``bind`` for ``host`` and ``port`` (IPv6 literals in brackets)."""
    return f"[{host}]:{port}" if ":" in host and not host.startswith("[") else f"{host}:{port}"


class BotServer(BaseApplication):
    """``BotServer(settings, host=..., port=...).run()`` serves ``/slack/events``, ``/healthz``, ``/readyz`` and
    ``/metrics`` until SIGTERM/SIGINT."""

    def __init__(
        self, settings: Settings, *, host: str, port: int, interval: float = 60.0, threads: int = 16
    ) -> None:
        self.settings = settings
        self.host, self.port, self.interval, self.threads = host, port, interval, threads
        self._bot: Any = None
        self._stop = threading.Event()
        super().__init__(prog="prefloop slackbot serve")

    def load_config(self) -> None:
        options: dict[str, Any] = {
            "bind": bind_address(self.host, self.port),
            "workers": 1,
            "worker_class": "gthread",
            "threads": self.threads,
            "timeout": 60,
            "graceful_timeout": 25,
            "keepalive": 5,
            "accesslog": None,
            "errorlog": "-",
            "loglevel": self.settings.log_level.lower(),
            "proc_name": "prefloop-slackbot",
            "worker_exit": self._worker_exit,
        }
        # gunicorn >= 25 opens a control socket under $HOME: not wanted (and a read-only root fs refuses it)
        if "control_socket_disable" in self.cfg.settings:
            options["control_socket_disable"] = True
        for key, value in options.items():
            self.cfg.set(key, value)

    def load(self) -> Any:
        """In the worker: build the bot, start its outbox and the queue/reminder pass, return the WSGI app."""
        from prefloop.slackbot.app import create_bot, warm_remark_scrubber

        self._bot = create_bot(self.settings)
        warm_remark_scrubber(self.settings)
        threading.Thread(
            target=housekeeping,
            args=(self._bot, self._stop, self.interval),
            name="slackbot-housekeeping",
            daemon=True,
        ).start()
        return self._bot.flask_app()

    def _worker_exit(self, _server: Any, _worker: Any) -> None:
        self._stop.set()
        if self._bot is not None:
            self._bot.close()  # the outbox finishes the message in hand
