"""The Slack emulator in a process of its own, for benchmarks.

In production Slack's Web API is another service: its HTTP handling does not take the bot's interpreter lock.
With the emulator inside the bot's process, every outbox call (a post, an update, an ephemeral) also runs the
emulator's request handler on the bot's interpreter, and the votes' transactions wait for it. ``EmulatorProcess``
runs :class:`~prefloop.slackbot.emulator.SlackEmulator` in a spawned child and answers the few questions the
benchmark asks (its URL, its call log) over a pipe.
"""

from __future__ import annotations

import multiprocessing
from typing import Any

from prefloop.slackbot.emulator import EmulatedCall

__all__ = ["EmulatorProcess"]


def _serve(conn: Any, usergroups: dict[str, list[str]], channel_members: dict[str, list[str]]) -> None:
    from prefloop.slackbot.emulator import SlackEmulator

    emulator = SlackEmulator(usergroups=usergroups, channel_members=channel_members).start()
    conn.send(emulator.url)
    try:
        while True:
            request = conn.recv()
            if request[0] == "calls_to":
                conn.send(emulator.calls_to(request[1]))
            elif request[0] == "calls":
                conn.send(list(emulator.calls))
            else:  # "stop"
                break
    finally:
        emulator.stop()


class EmulatorProcess:
    """A started emulator in a child process; quacks like ``SlackEmulator`` where the benchmark reads it."""

    def __init__(
        self,
        usergroups: dict[str, list[str]] | None = None,
        channel_members: dict[str, list[str]] | None = None,
    ) -> None:
        self.usergroups = {k: list(v) for k, v in (usergroups or {}).items()}
        ctx = multiprocessing.get_context("spawn")
        self._conn, child = ctx.Pipe()
        self._process = ctx.Process(
            target=_serve,
            args=(child, self.usergroups, channel_members or {}),
            name="slack-emulator",
            daemon=True,
        )
        self._process.start()
        if not self._conn.poll(60):
            self._process.kill()
            raise RuntimeError("the Slack emulator's process did not start within 60 s")
        self.url: str = self._conn.recv()

    def calls_to(self, method: str) -> list[EmulatedCall]:
        self._conn.send(("calls_to", method))
        calls: list[EmulatedCall] = self._conn.recv()
        return calls

    @property
    def calls(self) -> list[EmulatedCall]:
        self._conn.send(("calls",))
        calls: list[EmulatedCall] = self._conn.recv()
        return calls

    def stop(self) -> None:
        if self._process.is_alive():
            self._conn.send(("stop",))
            self._process.join(10)
        if self._process.is_alive():
            self._process.kill()
