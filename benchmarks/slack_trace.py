"""Where a vote's acknowledgement time goes: per-request timings inside the bot during `benchmarks.slack_votes`.

    python -m benchmarks.slack_votes --trace /tmp/trace      # writes /tmp/trace.<phase>.jsonl, summary on stderr

Attached from outside to a running bot (no change to the bot's code): the WSGI entry and exit, the gate, bolt's
hand-off to its listener thread, the listener's start and its ``ack()``, every SQL statement of the request's
transaction (the ``SELECT … FOR UPDATE`` on the pair's post, where a lock wait shows), the wait for a pooled
connection, the pre-ping, the commit (the WAL flush) and each thread's CPU time, so wall time minus CPU time is
time spent waiting (for the interpreter lock, the database, a lock or a connection). The client's latency of the
same vote is joined on the action's ``action_ts``. Tracing costs CPU itself: use it to attribute time, not to
quote figures.
"""

from __future__ import annotations

import json
import re
import statistics
import threading
import time
from collections import Counter, defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import event

__all__ = ["Tracer", "summarize"]

_TABLE = re.compile(r"\b(?:FROM|INTO|UPDATE)\s+([a-z_]+)", re.IGNORECASE)


def _label(statement: str) -> str:
    verb = statement.lstrip().split(None, 1)[0].upper() if statement.strip() else "?"
    table = _TABLE.search(statement)
    label = f"{verb} {table.group(1) if table else '-'}"
    if "FOR UPDATE" in statement.upper():
        label += " FOR UPDATE"
    return label


class Tracer:
    """Timings of each request to ``/slack/events`` (and totals of the other threads' SQL) in one bot."""

    def __init__(self) -> None:
        self.local = threading.local()
        self.records: list[dict[str, Any]] = []
        self.other: Counter[str] = Counter()  # statement label -> count, of threads without a request
        self.other_s: Counter[str] = Counter()
        self.lock = threading.Lock()

    def _rec(self) -> dict[str, Any] | None:
        return getattr(self.local, "rec", None)

    def _add(self, key: str, seconds: float) -> None:
        rec = self._rec()
        if rec is not None:
            rec[key] = rec.get(key, 0.0) + seconds

    # -- attaching ---------------------------------------------------------------------------------------
    def attach(self, emulated: Any) -> None:
        bot = emulated.bot
        server = emulated.server.server
        server.app = self._wsgi(server.app)
        dispatch = bot._dispatch

        def traced_dispatch(admitted: Any, *args: Any) -> Any:
            rec = self._rec()
            if rec is not None:
                rec["t_dispatch"] = time.time()
                actions = (admitted.payload or {}).get("actions") or [{}]
                rec["action_ts"] = actions[0].get("action_ts")
                rec["user"] = ((admitted.payload or {}).get("user") or {}).get("id")
            return dispatch(admitted, *args)

        bot._dispatch = traced_dispatch
        executor = bot.app.listener_runner.listener_executor
        submit = executor.submit

        def traced_submit(fn: Any, *args: Any, **kwargs: Any) -> Any:
            rec = self._rec()
            if rec is not None:
                rec["t_submit"] = time.time()

            def run() -> Any:
                self.local.rec = rec
                if rec is not None:
                    rec["t_listener"] = time.time()
                    cpu = time.thread_time()
                try:
                    return fn(*args, **kwargs)
                finally:
                    if rec is not None:
                        rec["listener_cpu"] = time.thread_time() - cpu
                        rec["t_listener_end"] = time.time()
                    self.local.rec = None

            return submit(run)

        executor.submit = traced_submit
        self._ack(bot)
        self._engine(bot.store.engine)
        write = bot.service.write

        def traced_write() -> Any:
            tracer = self

            class Timed:
                def __enter__(self) -> Any:
                    rec = tracer._rec()
                    if rec is not None:
                        rec.setdefault("t_write", time.time())
                    self.inner = write()
                    entered = self.inner.__enter__()
                    if rec is not None:
                        rec.setdefault("t_write_in", time.time())
                        rec.setdefault("txn_cpu0", time.thread_time())
                    return entered

                def __exit__(self, *exc: Any) -> Any:
                    try:
                        return self.inner.__exit__(*exc)
                    finally:
                        rec = tracer._rec()
                        if rec is not None:
                            rec["t_write_end"] = time.time()
                            if "txn_cpu0" in rec:
                                rec["txn_cpu"] = time.thread_time() - rec.pop("txn_cpu0")

            return Timed()

        bot.service.write = traced_write
        store_slot = bot.store_slot

        @contextmanager
        def traced_slot(received: Any) -> Iterator[None]:
            rec = self._rec()
            if rec is not None:
                rec["t_slot_ask"] = time.time()
            with store_slot(received):
                if rec is not None:
                    rec["t_slot"] = time.time()
                yield

        bot.store_slot = traced_slot

    def _wsgi(self, app: Any) -> Any:
        def traced(environ: Any, start_response: Any) -> Any:
            rec: dict[str, Any] = {"t0": time.time(), "thread": threading.current_thread().name}
            cpu = time.thread_time()
            self.local.rec = rec
            status: list[str] = []

            def start(s: str, headers: Any, exc_info: Any = None) -> Any:
                status.append(s)
                return start_response(s, headers, exc_info) if exc_info else start_response(s, headers)

            try:
                return app(environ, start)
            finally:
                rec["t_exit"] = time.time()
                rec["request_cpu"] = time.thread_time() - cpu
                rec["status"] = status[0].split()[0] if status else "?"
                self.local.rec = None
                if environ.get("PATH_INFO") == "/slack/events":
                    with self.lock:
                        self.records.append(rec)

        return traced

    def _ack(self, bot: Any) -> None:
        from slack_bolt.context.ack.ack import Ack

        if getattr(Ack.__call__, "_traced", False):
            return
        call = Ack.__call__
        tracer = self

        def traced_call(ack: Any, *args: Any, **kwargs: Any) -> Any:
            rec = tracer._rec()
            if rec is not None and "t_ack" not in rec:
                rec["t_ack"] = time.time()
            return call(ack, *args, **kwargs)

        traced_call._traced = True  # type: ignore[attr-defined]
        Ack.__call__ = traced_call  # type: ignore[method-assign]

    def _engine(self, engine: Any) -> None:
        pool = engine.pool
        do_get = pool._do_get

        def traced_get() -> Any:
            t = time.perf_counter()
            try:
                return do_get()
            finally:
                self._add("pool_wait", time.perf_counter() - t)

        pool._do_get = traced_get
        dialect = engine.dialect
        for name, key in (("do_ping", "ping"), ("do_commit", "commit"), ("do_rollback", "rollback")):
            original = getattr(dialect, name)

            def timed(*args: Any, _original: Any = original, _key: str = key, **kwargs: Any) -> Any:
                t = time.perf_counter()
                try:
                    return _original(*args, **kwargs)
                finally:
                    self._add(_key, time.perf_counter() - t)
                    self._add(f"n_{_key}", 1)

            setattr(dialect, name, timed)

        @event.listens_for(engine, "before_cursor_execute")
        def before(conn: Any, cursor: Any, statement: str, params: Any, context: Any, many: bool) -> None:
            conn.info["_trace_t"] = time.perf_counter()

        @event.listens_for(engine, "after_cursor_execute")
        def after(conn: Any, cursor: Any, statement: str, params: Any, context: Any, many: bool) -> None:
            took = time.perf_counter() - conn.info.pop("_trace_t", time.perf_counter())
            label = _label(statement)
            rec = self._rec()
            if rec is None:
                with self.lock:
                    self.other[label] += 1
                    self.other_s[label] += took
                return
            if "backend_pid" not in rec:
                try:
                    rec["backend_pid"] = conn.connection.dbapi_connection.info.backend_pid
                except AttributeError:  # SQLite
                    rec["backend_pid"] = None
            stmts = rec.setdefault("sql", {})
            n, s = stmts.get(label, (0, 0.0))
            stmts[label] = (n + 1, s + took)

    # -- output ------------------------------------------------------------------------------------------
    def write(self, path: Path, client: list[tuple[str, str, float, int]]) -> dict[str, Any]:
        """Join the client's (user, action_ts, latency, status) and write one JSON line per vote; returns the
        summary."""
        by_key = {(r.get("user"), r.get("action_ts")): r for r in self.records}
        rows = []
        for user, action_ts, latency, status in client:
            rec = dict(by_key.get((user, action_ts)) or {})
            rec.update(client_latency=latency, client_status=status, client_sent=float(action_ts))
            rows.append(rec)
        with path.open("w", encoding="utf-8") as f:
            for row in rows:
                f.write(json.dumps(row) + "\n")
        summary = summarize(rows)
        summary["other_threads_sql"] = {
            k: [self.other[k], round(self.other_s[k], 3)] for k, _ in self.other.most_common()
        }
        return summary


def _segments(r: dict[str, Any]) -> dict[str, float]:
    """A vote's time split into consecutive segments (ms); missing points leave their segment out."""
    seg: dict[str, float] = {}

    def span(name: str, a: str, b: str) -> None:
        if a in r and b in r:
            seg[name] = (r[b] - r[a]) * 1000

    r = dict(r)
    r["t_sent"] = r.get("client_sent", 0.0)
    r["t_client_end"] = r["t_sent"] + r.get("client_latency", 0.0)
    span("before_wsgi", "t_sent", "t0")
    span("gate", "t0", "t_dispatch")
    span("bolt_until_listener", "t_dispatch", "t_submit")
    span("listener_queue", "t_submit", "t_listener")
    first = "t_listener" if "t_listener" in r else "t_dispatch"
    if "t_slot_ask" in r:
        span("listener_until_slot", first, "t_slot_ask")
        span("slot_wait", "t_slot_ask", "t_slot")
        span("slot_until_txn", "t_slot", "t_write")
    else:
        span("listener_until_txn", first, "t_write")
    span("txn.session_open", "t_write", "t_write_in")
    span("txn", "t_write", "t_write_end")
    span("txn_end_to_ack", "t_write_end", "t_ack")
    span("ack_to_response", "t_ack", "t_exit")
    span("after_wsgi", "t_exit", "t_client_end")
    for key in ("pool_wait", "ping", "commit", "rollback"):
        if key in r:
            seg[f"txn.{key}"] = r[key] * 1000
    sql = r.get("sql") or {}
    for label, (_n, s) in sql.items():
        seg[f"txn.sql {label}"] = s * 1000
    if "txn" in seg:
        inside = sum(v for k, v in seg.items() if k.startswith("txn.") and k != "txn.session_open")
        seg["txn.python_and_waits"] = seg["txn"] - inside
    for key in ("request_cpu", "listener_cpu", "txn_cpu"):
        if key in r:
            seg[f"cpu.{key}"] = r[key] * 1000
    seg["n_statements"] = float(sum(n for n, _ in sql.values()))
    return seg


def summarize(rows: list[dict[str, Any]]) -> dict[str, Any]:
    """Mean of each segment over all votes, and over the slowest 1 % and 5 % by client latency."""
    ordered = sorted(rows, key=lambda r: r["client_latency"])
    out: dict[str, Any] = {"votes": len(rows), "joined": sum("t0" in r for r in rows)}
    for name, part in (
        ("all", ordered),
        ("slowest_5pct", ordered[-max(1, len(ordered) // 20) :]),
        ("slowest_1pct", ordered[-max(1, len(ordered) // 100) :]),
    ):
        acc: defaultdict[str, list[float]] = defaultdict(list)
        for r in part:
            for k, v in _segments(r).items():
                acc[k].append(v)
        out[name] = {
            "client_ms_mean": round(statistics.fmean(r["client_latency"] for r in part) * 1000, 1),
            **{k: round(sum(v) / len(part), 2) for k, v in sorted(acc.items())},
        }
    return out


_WAITS = """
SELECT state, coalesce(wait_event_type, '-'), coalesce(wait_event, '-'), left(query, 48)
FROM pg_stat_activity
WHERE datname = current_database() AND pid <> pg_backend_pid() AND backend_type = 'client backend'
"""


def sample_waits(url: str, stop: Any, out: Any, every: float = 0.02) -> None:
    """In a process of its own: what the database's client backends are doing, sampled every ``every`` s until
    ``stop`` is set; puts a Counter of (state, wait type, wait event, statement start) on ``out``. A backend
    ``idle in transaction`` waits for the bot's Python code while its transaction (and row locks) stay open."""
    import psycopg

    counts: Counter[tuple[str, ...]] = Counter()
    samples = 0
    dsn = url.replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(dsn, autocommit=True) as conn:
        while not stop.is_set():
            samples += 1
            for state, wtype, wevent, query in conn.execute(_WAITS).fetchall():
                if state == "idle":
                    continue
                counts[(state, wtype, wevent, " ".join((query or "").split())[:48])] += 1
            time.sleep(every)
    out.put((samples, counts))
