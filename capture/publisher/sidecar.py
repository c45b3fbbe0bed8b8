"""The Kafka sender in a child process (the default), so kafka-python's CPU work never competes with request
threads for the app's GIL.

The app process keeps the queue and the spool writer; the child ships the spool exactly as the in-process
sender does (it *is* :class:`KafkaSender`), talking to the parent over its stdin/stdout:

parent → child: one JSON line of settings, then ``w`` (something was written), ``i <n>`` (tell me when
everything on disk now is shipped), ``c <seconds>`` (drain that long, then exit). End of input (the parent
exited or was killed) makes the child stop at once; whatever it did not ship stays in the spool and is adopted.

child → parent: ``s <json>`` counters (shipped, shipped from the parent's own directory, Kafka errors by kind,
adopted directories) whenever they change, and ``i <n>`` answers.

Run as ``python -m prefloop.capture.publisher`` by :class:`ProcessSender`; not meant to be started by hand.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import IO, Any

from prefloop.capture import messages
from prefloop.capture.metrics import CaptureMetrics
from prefloop.capture.publisher.account import SpoolAccount
from prefloop.capture.publisher.sender import KafkaSender, make_producer

__all__ = ["ProcessSender", "main"]

log = logging.getLogger("prefloop.capture")
_STATS_EVERY_S = 0.2


class ProcessSender:
    """The parent's handle on the sidecar; the same interface as :class:`KafkaSender`.

    Supervised: when the child dies (SIGKILL, OOM, a crash) while the parent still runs, the reader thread
    logs it, counts it (``prefloop_capture_sender_restarts_total``) and starts a new child after a short
    backoff (doubling up to 30 s while it keeps dying at once). The new child ships this process's spool
    from its cursor and adopts what the dead one had adopted."""

    def __init__(
        self, settings: dict[str, Any], own_dir: Path, account: SpoolAccount, metrics: CaptureMetrics
    ) -> None:
        self.account = account
        self.metrics = metrics
        self.shipped_events = 0
        self.restarts = 0
        self.set_aside_events = 0
        self._settings = {**settings, "own_dir": str(own_dir)}
        self._idle = threading.Condition()
        self._requested = 0
        self._answered = 0
        self._write_lock = threading.Lock()
        self._closing = False
        self._linger = float(settings["linger"])
        self._woken = float("-inf")  # when the last wake-up was sent (monotonic)
        self._proc = self._spawn()
        self._reader = threading.Thread(target=self._supervise, name="prefloop-sidecar-reader", daemon=True)

    def _spawn(self) -> subprocess.Popen[bytes]:
        # the child's counters start at zero: so do ours for it
        self._child: dict[str, Any] = {
            "shipped": 0,
            "own_shipped": 0,
            "errors": {},
            "adopted": 0,
            "set_aside": {},
        }
        env = dict(os.environ)
        # the child's counts reach the metrics through this process (see _apply): files of its own under
        # prometheus_client's multiprocess mode would count them twice
        env.pop("PROMETHEUS_MULTIPROC_DIR", None)
        env.pop("prometheus_multiproc_dir", None)
        env["PYTHONPATH"] = os.pathsep.join(p for p in sys.path if p)
        proc = subprocess.Popen(
            [sys.executable, "-m", "prefloop.capture.publisher"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            env=env,
            close_fds=True,
        )
        assert proc.stdin is not None and proc.stdout is not None
        self._stdin: IO[bytes] = proc.stdin
        self._proc = proc
        self._send(json.dumps(self._settings))
        return proc

    def start(self) -> None:
        self._reader.start()

    def status(self) -> dict[str, Any]:
        return {
            "mode": "process",
            "up": self._proc.poll() is None,
            "pid": self._proc.pid,
            "restarts": self.restarts,
            "set_aside": self.set_aside_events,
            "adopted": int(self._child["adopted"]),
        }

    def _send(self, line: str) -> bool:
        try:
            with self._write_lock:
                self._stdin.write(line.encode() + b"\n")
                self._stdin.flush()
            return True
        except (BrokenPipeError, ValueError, OSError):
            return False

    def wake(self) -> None:
        """Called by the writer thread after each batch. The child reads the spool at least ``linger`` after
        each wake-up it gets, so a batch written within ``linger`` of the last wake-up sent ships with that one:
        no second pipe write. (Each is a system call that hands the GIL to the host's request threads, and the
        writer waits up to the switch interval to take it back.)"""
        now = time.monotonic()
        if now - self._woken < self._linger:
            return
        self._woken = now
        self._send("w")

    def wait_idle(self, timeout: float) -> bool:
        with self._idle:
            self._requested += 1
            target = self._requested
        deadline = time.monotonic() + timeout
        self._send(f"i {target}")  # a child that dies first gets it again from the supervisor
        with self._idle:
            while self._answered < target:
                left = deadline - time.monotonic()
                if left <= 0 or self._closing:
                    return False
                self._idle.wait(min(left, 0.1))
        return True

    def close(self, timeout: float) -> None:
        self._closing = True
        self._send(f"c {timeout}")
        with contextlib.suppress(OSError):
            self._stdin.close()
        try:
            self._proc.wait(timeout + 10)
        except subprocess.TimeoutExpired:
            self._proc.kill()
            self._proc.wait(5)
        self._reader.join(2)
        if self._proc.stdout is not None:
            self._proc.stdout.close()
        self.metrics.sender_up.set(0)

    def abandon_after_fork(self) -> None:
        """In a forked child: the sidecar belongs to the parent; drop our copies of its pipes."""
        self._closing = True
        for stream in (self._proc.stdin, self._proc.stdout):
            if stream is not None:
                with contextlib.suppress(OSError):
                    os.close(stream.fileno())
        self._proc.returncode = 0  # not ours to wait for

    def _supervise(self) -> None:
        backoff = 0.0
        while True:
            proc = self._proc
            self.metrics.sender_up.set(1)
            started = time.monotonic()
            assert proc.stdout is not None
            self._read(proc.stdout)
            if self._closing:
                break
            code = proc.wait()
            self.metrics.sender_up.set(0)
            if self._closing:
                break
            self.restarts += 1
            self.metrics.sender_restarts.inc()
            backoff = 0.5 if time.monotonic() - started > 30 else min(30.0, backoff * 2 or 0.5)
            log.error(messages.LOG_SIDECAR_DIED, proc.pid, _describe_exit(code), backoff)
            with contextlib.suppress(OSError):
                proc.stdout.close()
            with contextlib.suppress(OSError):
                self._stdin.close()
            time.sleep(backoff)
            if self._closing:
                break
            self._spawn()
            log.warning(messages.LOG_SIDECAR_RESTARTED, self._proc.pid)
            with self._idle:
                pending = self._requested
            if pending > self._answered:
                self._send(f"i {pending}")
            self._send("w")
        with self._idle:
            self._idle.notify_all()

    def _read(self, stdout: IO[bytes]) -> None:
        for raw in stdout:
            kind, _, rest = raw.decode().strip().partition(" ")
            if kind == "s":
                self._apply(json.loads(rest))
            elif kind == "i":
                with self._idle:
                    self._answered = max(self._answered, int(rest))
                    self._idle.notify_all()
        with self._idle:
            self._idle.notify_all()

    def _apply(self, stats: dict[str, Any]) -> None:
        m = self.metrics
        seen = self._child
        shipped = int(stats["shipped"]) - int(seen["shipped"])
        own = int(stats["own_shipped"]) - int(seen["own_shipped"])
        if shipped > 0:
            m.shipped.inc(shipped)
            self.shipped_events += shipped
        if own > 0:
            m.pending_events.dec(own)
        for kind, count in stats["errors"].items():
            before = seen["errors"].get(kind, 0.0)
            if count > before:
                m.kafka_errors.labels(kind).inc(count - before)
        for reason, count in stats.get("set_aside", {}).items():
            before = seen["set_aside"].get(reason, 0)
            if count > before:
                m.set_aside.labels(reason).inc(count - before)
                self.set_aside_events += int(count - before)
        if stats["adopted"] > seen["adopted"]:
            m.adopted_writers.inc(stats["adopted"] - seen["adopted"])
        self._child = stats
        account = self.account
        if account.full or account.pending >= account.max_bytes // 2:
            account.rescan()  # shipped segments were deleted: the budget may have room again
        # (below half the budget the writer thread's rescan every second keeps the count: a scan here, five times a
        # second while events ship, is a dozen system calls, each handing the GIL to the host's request threads
        # and waiting up to the switch interval to take it back)


def _describe_exit(code: int) -> str:
    if code < 0:
        with contextlib.suppress(ValueError):
            return f"killed by {signal.Signals(-code).name}"
    return f"exit status {code}"


# --- the child ----------------------------------------------------------------------------------------
def main() -> None:
    logging.basicConfig(level=logging.WARNING, format="%(message)s (capture sidecar, pid %(process)d)")
    logging.getLogger("kafka").setLevel(logging.CRITICAL)
    out_lock = threading.Lock()

    def say(line: str) -> None:
        # a broken pipe means the parent is gone (killed): the loop below sees the end of its input and stops
        with out_lock, contextlib.suppress(BrokenPipeError, ValueError):
            sys.stdout.write(line + "\n")
            sys.stdout.flush()

    cfg = json.loads(sys.stdin.readline())
    root = Path(cfg["spool_dir"])
    metrics = CaptureMetrics()
    account = SpoolAccount(root, 1 << 62, metrics)
    producer_settings = cfg["producer"]
    sender = KafkaSender(
        root,
        Path(cfg["own_dir"]),
        lambda: make_producer(producer_settings),
        cfg["topic"],
        account,
        metrics,
        batch_max_events=cfg["batch_max_events"],
        batch_max_bytes=cfg["batch_max_bytes"],
        linger=cfg["linger"],
        send_timeout=cfg["send_timeout"],
    )
    sender.start()
    done = threading.Event()

    def stats() -> dict[str, Any]:
        errors = {}
        for metric in metrics.kafka_errors.collect():
            for sample in metric.samples:
                if sample.name.endswith("_total"):
                    errors[sample.labels["kind"]] = sample.value
        set_aside = {}
        for metric in metrics.set_aside.collect():
            for sample in metric.samples:
                if sample.name.endswith("_total"):
                    set_aside[sample.labels["reason"]] = sample.value
        return {
            "shipped": sender.shipped_events,
            "own_shipped": sender.own_shipped_events,
            "errors": errors,
            "adopted": int(metrics.value("prefloop_capture_adopted_writers_total")),
            "set_aside": set_aside,
        }

    def report() -> None:
        last: dict[str, Any] = {}
        while not done.wait(_STATS_EVERY_S):
            now = stats()
            if now != last:
                say("s " + json.dumps(now))
                last = now

    threading.Thread(target=report, name="prefloop-sidecar-stats", daemon=True).start()

    def answer_idle(gen: str) -> None:
        while not sender.wait_idle(1.0):
            if done.is_set():
                return
        say("s " + json.dumps(stats()))
        say(f"i {gen}")

    drain = 0.0
    for raw in sys.stdin:
        cmd, _, arg = raw.strip().partition(" ")
        if cmd == "w":
            sender.wake()
        elif cmd == "i":
            threading.Thread(target=answer_idle, args=(arg,), daemon=True).start()
        elif cmd == "c":
            drain = float(arg)
            break
    # "c": drain for a while; end of input (the parent is gone): stop now
    sender.close(drain)
    done.set()
    with contextlib.suppress(BrokenPipeError, ValueError):
        say("s " + json.dumps(stats()))


if __name__ == "__main__":
    main()
