"""A local Slack Web API emulator: a small HTTP server on 127.0.0.1 that answers the methods the review bot
uses, records every call, and fails on demand (429 with Retry-After, or 5xx).

Tests and the demo point the real bolt app at it::

    emu = SlackEmulator(usergroups={"S0REVIEW": ["U1", "U2"]}).start()
    client = WebClient(token="xoxb-emulated", base_url=emu.url)
    ...
    emu.fail("chat.postMessage", status=429, times=1, retry_after=1)
    emu.stop()

Run it standalone with ``python -m prefloop.slackbot.emulator [--port N] [--group S0REVIEW=U1,U2]``.
"""

from __future__ import annotations

import argparse
import itertools
import json
import signal
import sys
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

__all__ = ["EmulatedCall", "SlackEmulator"]

BOT_USER = "U0PREFLOOPBOT"
BOT_ID = "B0PREFLOOP"
TEAM_ID = "T0PREFLOOP"


@dataclass
class EmulatedCall:
    method: str
    args: dict[str, Any]
    status: int
    response: Any
    at: float = field(default_factory=time.time)


@dataclass
class _Failure:
    status: int
    times: int
    retry_after: int


class SlackEmulator:
    """The emulated workspace: channels, messages, user groups; plus the call log and fault injection."""

    def __init__(
        self,
        usergroups: dict[str, list[str]] | None = None,
        channels: dict[str, str] | None = None,
        token: str | None = None,
        port: int = 0,
        channel_members: dict[str, list[str]] | None = None,
        host: str = "127.0.0.1",
    ) -> None:
        self.usergroups: dict[str, list[str]] = {k: list(v) for k, v in (usergroups or {}).items()}
        #: channel id -> member user ids (``conversations.members``)
        self.channel_members: dict[str, list[str]] = {k: list(v) for k, v in (channel_members or {}).items()}
        #: channel name (without '#') -> id; unknown names get an id on first use.
        self.channels: dict[str, str] = dict(channels or {})
        self.token = token
        self.calls: list[EmulatedCall] = []
        #: channel id -> messages (dicts with ts, text, blocks, thread_ts, user)
        self.messages: dict[str, list[dict[str, Any]]] = {}
        self._failures: dict[str, list[_Failure]] = {}
        self._lock = threading.Lock()
        self._ts = itertools.count(1)
        self._port = port
        self._host = host
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # -- lifecycle ---------------------------------------------------------------------------------------
    def start(self) -> SlackEmulator:
        emulator = self

        class Handler(_Handler):
            emu = emulator

        self._server = ThreadingHTTPServer((self._host, self._port), Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, name="slack-emulator", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def __enter__(self) -> SlackEmulator:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def port(self) -> int:
        if self._server is None:
            raise RuntimeError("the emulator is not running: call start() first")
        return int(self._server.server_address[1])

    @property
    def url(self) -> str:
        """Base URL for ``WebClient(base_url=...)`` (with the trailing slash slack_sdk joins onto)."""
        return f"http://127.0.0.1:{self.port}/api/"

    def response_url(self, name: str = "command") -> str:
        """A slash command's ``response_url`` served by the emulator (answers are recorded as method
        ``response_url`` with the name in ``args["_hook"]``)."""
        return f"http://127.0.0.1:{self.port}/response/{name}"

    # -- control -----------------------------------------------------------------------------------------
    def fail(self, method: str, status: int = 429, times: int = 1, retry_after: int = 1) -> None:
        """Answer the next ``times`` calls of ``method`` ("*" = any) with ``status`` (429 adds Retry-After)."""
        with self._lock:
            self._failures.setdefault(method, []).append(_Failure(status, times, retry_after))

    def recover(self) -> None:
        """Answer every call normally again (drop the failures still queued by :meth:`fail`)."""
        with self._lock:
            self._failures.clear()

    def calls_to(self, method: str, ok_only: bool = True) -> list[EmulatedCall]:
        with self._lock:
            return [c for c in self.calls if c.method == method and (not ok_only or c.status == 200)]

    def channel_id(self, name_or_id: str) -> str:
        name = name_or_id.lstrip("#")
        if name.startswith(("C", "G", "D")) and name.isupper():
            return name
        with self._lock:
            return self.channels.setdefault(name, f"C{len(self.channels) + 1:08d}")

    def thread(self, channel: str, ts: str) -> list[dict[str, Any]]:
        """Replies in the thread of ``ts`` (excluding the parent)."""
        with self._lock:
            return [m for m in self.messages.get(channel, []) if m.get("thread_ts") == ts and m["ts"] != ts]

    # -- request handling --------------------------------------------------------------------------------
    def _take_failure(self, method: str) -> _Failure | None:
        with self._lock:
            for key in (method, "*"):
                queue = self._failures.get(key)
                if queue:
                    failure = queue[0]
                    failure.times -= 1
                    if failure.times <= 0:
                        queue.pop(0)
                    return failure
        return None

    def _record(self, method: str, args: dict[str, Any], status: int, response: Any) -> None:
        with self._lock:
            self.calls.append(EmulatedCall(method, args, status, response))

    def _next_ts(self) -> str:
        return f"{int(time.time())}.{next(self._ts):06d}"

    def answer(self, method: str, args: dict[str, Any], authorization: str | None) -> dict[str, Any]:
        if self.token and authorization != f"Bearer {self.token}":
            return {"ok": False, "error": "invalid_auth"}
        if not authorization and method != "api.test":
            return {"ok": False, "error": "not_authed"}
        handler = getattr(self, "_m_" + method.replace(".", "_"), None)
        if handler is None:
            return {"ok": False, "error": "unknown_method"}
        result: dict[str, Any] = handler(args)
        return result

    def _m_api_test(self, args: dict[str, Any]) -> dict[str, Any]:
        return {"ok": True, "args": args}

    def _m_auth_test(self, _args: dict[str, Any]) -> dict[str, Any]:
        return {
            "ok": True,
            "url": "https://prefloop-emulated.slack.com/",
            "team": "prefloop (emulated)",
            "user": "prefloop",
            "team_id": TEAM_ID,
            "user_id": BOT_USER,
            "bot_id": BOT_ID,
            "is_enterprise_install": False,
        }

    def _m_chat_postMessage(self, args: dict[str, Any]) -> dict[str, Any]:
        if not args.get("channel"):
            return {"ok": False, "error": "channel_not_found"}
        if not args.get("text") and not args.get("blocks"):
            return {"ok": False, "error": "no_text"}
        channel = self.channel_id(str(args["channel"]))
        message = {
            "type": "message",
            "ts": self._next_ts(),
            "user": BOT_USER,
            "bot_id": BOT_ID,
            "text": args.get("text", ""),
            "blocks": _maybe_json(args.get("blocks")) or [],
        }
        if args.get("thread_ts"):
            message["thread_ts"] = str(args["thread_ts"])
            message["reply_broadcast"] = bool(args.get("reply_broadcast"))
        with self._lock:
            self.messages.setdefault(channel, []).append(message)
        return {"ok": True, "channel": channel, "ts": message["ts"], "message": message}

    def _m_chat_update(self, args: dict[str, Any]) -> dict[str, Any]:
        channel = self.channel_id(str(args.get("channel", "")))
        with self._lock:
            for message in self.messages.get(channel, []):
                if message["ts"] == args.get("ts"):
                    message["text"] = args.get("text", message["text"])
                    message["blocks"] = _maybe_json(args.get("blocks")) or message["blocks"]
                    message["edited"] = True
                    return {"ok": True, "channel": channel, "ts": message["ts"], "text": message["text"]}
        return {"ok": False, "error": "message_not_found"}

    def _m_chat_delete(self, args: dict[str, Any]) -> dict[str, Any]:
        channel = self.channel_id(str(args.get("channel", "")))
        with self._lock:
            kept = [m for m in self.messages.get(channel, []) if m["ts"] != args.get("ts")]
            if len(kept) == len(self.messages.get(channel, [])):
                return {"ok": False, "error": "message_not_found"}
            self.messages[channel] = kept
        return {"ok": True, "channel": channel, "ts": args.get("ts")}

    def _m_chat_postEphemeral(self, args: dict[str, Any]) -> dict[str, Any]:
        if not args.get("channel") or not args.get("user"):
            return {
                "ok": False,
                "error": "channel_not_found" if not args.get("channel") else "user_not_in_channel",
            }
        return {"ok": True, "message_ts": self._next_ts()}

    def _m_chat_getPermalink(self, args: dict[str, Any]) -> dict[str, Any]:
        channel = self.channel_id(str(args.get("channel", "")))
        ts = str(args.get("message_ts", "")).replace(".", "")
        return {
            "ok": True,
            "channel": channel,
            "permalink": f"https://prefloop-emulated.slack.com/archives/{channel}/p{ts}",
        }

    def _m_views_publish(self, args: dict[str, Any]) -> dict[str, Any]:
        if not args.get("user_id") or not args.get("view"):
            return {"ok": False, "error": "invalid_arguments"}
        return {"ok": True, "view": {"id": f"V{next(self._ts):08d}", **(_maybe_json(args["view"]) or {})}}

    def _m_views_open(self, args: dict[str, Any]) -> dict[str, Any]:
        if not args.get("trigger_id") or not args.get("view"):
            return {"ok": False, "error": "invalid_arguments"}
        return {"ok": True, "view": {"id": f"V{next(self._ts):08d}", **(_maybe_json(args["view"]) or {})}}

    def _m_usergroups_users_list(self, args: dict[str, Any]) -> dict[str, Any]:
        group = str(args.get("usergroup", ""))
        with self._lock:
            users = self.usergroups.get(group)
        if users is None:
            return {"ok": False, "error": "no_such_subteam"}
        return {"ok": True, "users": list(users)}

    def _m_conversations_members(self, args: dict[str, Any]) -> dict[str, Any]:
        channel = str(args.get("channel", ""))
        with self._lock:
            members = self.channel_members.get(channel)
        if members is None:
            return {"ok": False, "error": "channel_not_found"}
        limit = max(int(args.get("limit") or 100), 1)
        start = int(args.get("cursor") or 0)
        page = members[start : start + limit]
        cursor = str(start + limit) if start + limit < len(members) else ""
        return {"ok": True, "members": page, "response_metadata": {"next_cursor": cursor}}

    def _m_conversations_replies(self, args: dict[str, Any]) -> dict[str, Any]:
        channel = self.channel_id(str(args.get("channel", "")))
        ts = str(args.get("ts", ""))
        with self._lock:
            found = [m for m in self.messages.get(channel, []) if m["ts"] == ts or m.get("thread_ts") == ts]
        if not found:
            return {"ok": False, "error": "thread_not_found"}
        return {"ok": True, "messages": found, "has_more": False}


def _maybe_json(value: Any) -> Any:
    if isinstance(value, str):
        try:
            return json.loads(value)
        except ValueError:
            return value
    return value


class _Handler(BaseHTTPRequestHandler):
    emu: SlackEmulator
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:  # quiet
        return

    def _args(self) -> dict[str, Any]:
        parts = urlsplit(self.path)
        args: dict[str, Any] = {k: v[-1] for k, v in parse_qs(parts.query).items()}
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        if body:
            ctype = self.headers.get("Content-Type", "")
            if "json" in ctype:
                args.update(json.loads(body.decode("utf-8")))
            else:
                args.update({k: v[-1] for k, v in parse_qs(body.decode("utf-8")).items()})
        return args

    def _handle(self) -> None:
        path = urlsplit(self.path).path
        if path.startswith("/response/"):
            self._hook(path.rsplit("/", 1)[-1])
            return
        method = path.rsplit("/", 1)[-1]
        try:
            args = self._args()
        except (ValueError, UnicodeDecodeError):
            self._send(400, {"ok": False, "error": "invalid_form_data"}, method, {})
            return
        if "token" in args and not self.headers.get("Authorization"):
            auth: str | None = f"Bearer {args.pop('token')}"
        else:
            auth = self.headers.get("Authorization")
        failure = self.emu._take_failure(method)
        if failure is not None:
            if failure.status == 429:
                body = {"ok": False, "error": "ratelimited"}
                self._send(429, body, method, args, {"Retry-After": str(failure.retry_after)})
            else:
                self._send(failure.status, "emulated server error", method, args)
            return
        self._send(200, self.emu.answer(method, args, auth), method, args)

    def _hook(self, name: str) -> None:
        """A POST to a slash command's response_url."""
        try:
            args = self._args()
        except (ValueError, UnicodeDecodeError):
            self._send(400, {"ok": False, "error": "invalid_payload"}, "response_url", {})
            return
        self._send(200, {"ok": True}, "response_url", {**args, "_hook": name})

    do_POST = _handle
    do_GET = _handle

    def _send(
        self, status: int, body: Any, method: str, args: dict[str, Any], headers: dict[str, str] | None = None
    ) -> None:
        self.emu._record(method, args, status, body)
        raw = (json.dumps(body) if isinstance(body, dict) else str(body)).encode("utf-8")
        self.send_response(status)
        self.send_header(
            "Content-Type", "application/json; charset=utf-8" if isinstance(body, dict) else "text/plain"
        )
        self.send_header("Content-Length", str(len(raw)))
        for key, value in (headers or {}).items():
            self.send_header(key, value)
        self.end_headers()
        self.wfile.write(raw)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Run the local Slack Web API emulator.")
    parser.add_argument("--port", type=int, default=0, help="port (default: a free one)")
    parser.add_argument("--host", default="127.0.0.1", help="interface (0.0.0.0 in a container)")
    parser.add_argument("--group", action="append", default=[], help="user group: ID=U1,U2 (repeatable)")
    ns = parser.parse_args(argv)
    groups = {g.split("=", 1)[0]: g.split("=", 1)[1].split(",") for g in ns.group if "=" in g}
    emu = SlackEmulator(usergroups=groups, port=ns.port, host=ns.host).start()
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))  # PID 1 in a container: stop on SIGTERM
    print(f"Slack emulator on {emu.url} (PREFLOOP_SLACK_API_URL={emu.url}); Ctrl-C stops it", flush=True)
    try:
        while True:
            time.sleep(3600)
    except (KeyboardInterrupt, SystemExit):
        emu.stop()


if __name__ == "__main__":
    main()
