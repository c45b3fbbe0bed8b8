"""Capture's counters, in a :class:`prometheus_client.CollectorRegistry` of their own (one per publisher),
so two apps in one process never collide and the host's default registry is left alone.

Under a pre-forking server (gunicorn, uWSGI) each worker counts for itself. When ``prometheus_client`` runs in
its multiprocess mode (``PROMETHEUS_MULTIPROC_DIR`` set before the app starts), every worker's values live in
files in that directory and :meth:`CaptureMetrics.render` answers for all workers together, whichever one the
scrape reaches: counters are summed over every worker that ever ran, per-process gauges over the live ones,
and the spool-wide gauges take the latest value any live worker wrote.

A scrape reads every worker's file and skips one it cannot read (a worker killed between creating its file and
sizing it leaves an empty one for good; prometheus_client's own collector then fails every scrape after it).
"""

from __future__ import annotations

import glob
import json
import logging
import os
import struct
from collections.abc import Iterable

from prometheus_client import CollectorRegistry, Counter, Gauge, generate_latest, values
from prometheus_client.exposition import CONTENT_TYPE_LATEST
from prometheus_client.metrics_core import Metric
from prometheus_client.mmap_dict import MmapedDict
from prometheus_client.multiprocess import MultiProcessCollector

from prefloop.capture import messages as msg

__all__ = ["CONTENT_TYPE_LATEST", "CaptureMetrics", "multiprocess_mode"]

REJECT_REASONS = (
    "spool_full",
    "queue_full",
    "spool_write_failed",
    "ack_timeout",
    "closed",
    "invalid",
    "invalid_token",
    "no_user",
    "rate_limited",
    "too_large",
    "corrupt_spool_line",
    "event_too_large",
    "too_deep",
)


log = logging.getLogger("prefloop.capture")

#: files already reported as unreadable (one log line each, not one per scrape); bounded
_REPORTED: set[str] = set()
_REPORTED_MAX = 1024


def multiprocess_mode() -> bool:
    """True when ``prometheus_client`` keeps values in per-process files (it decides once, at import, from
    ``PROMETHEUS_MULTIPROC_DIR``)."""
    return values.ValueClass is not values.MutexValue


class CaptureMetrics:
    """The metrics of one publisher (and the endpoints in front of it)."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry(auto_describe=True)
        r = self.registry
        self.accepted = Counter(
            "prefloop_capture_events_accepted",
            "Events accepted: written to the spool (labelled by event type).",
            ["type"],
            registry=r,
        )
        self.shipped = Counter(
            "prefloop_capture_events_shipped", "Events acknowledged by Kafka (acks=all).", registry=r
        )
        self.rejected = Counter(
            "prefloop_capture_events_rejected",
            "Events refused, by reason (spool_full is the disk budget; nothing accepted is ever dropped).",
            ["reason"],
            registry=r,
        )
        self.duplicates = Counter(
            "prefloop_capture_duplicate_clicks",
            "Requests repeating an idempotency key already accepted: acknowledged, not re-emitted.",
            registry=r,
        )
        self.kafka_errors = Counter(
            "prefloop_capture_kafka_errors",
            "Kafka failures (the events stay in the spool and are retried), by kind.",
            ["kind"],
            registry=r,
        )
        self.write_errors = Counter(
            "prefloop_capture_spool_write_errors", "Failed writes to the spool file.", registry=r
        )
        self.pending_bytes = Gauge(
            "prefloop_capture_spool_pending_bytes",
            "Bytes in the spool not yet shipped to Kafka (all writers of this spool directory).",
            registry=r,
            multiprocess_mode="livemostrecent",  # every worker measures the same directory
        )
        self.pending_events = Gauge(
            "prefloop_capture_spool_pending_events",
            "Events this process wrote and has not yet shipped (in embedded mode: wrote since start).",
            registry=r,
            multiprocess_mode="livesum",
        )
        self.spool_full = Gauge(
            "prefloop_capture_spool_full",
            "1 while the spool is over its byte budget and new events are refused.",
            registry=r,
            multiprocess_mode="livemostrecent",
        )
        self.spool_max_bytes = Gauge(
            "prefloop_capture_spool_max_bytes",
            "The spool's byte budget.",
            registry=r,
            multiprocess_mode="livemax",
        )
        self.queue_depth = Gauge(
            "prefloop_capture_queue_depth",
            "Events waiting in memory for the spool writer.",
            registry=r,
            multiprocess_mode="livesum",
        )
        self.adopted_writers = Counter(
            "prefloop_capture_adopted_writers",
            "Spool directories of dead processes adopted and shipped.",
            registry=r,
        )
        self.degraded = Counter(
            "prefloop_capture_degraded",
            "response_shown calls that did not record the response and returned an empty token instead of "
            "raising into the host's request (non-strict mode), by reason.",
            ["reason"],
            registry=r,
        )
        self.set_aside = Counter(
            "prefloop_capture_events_set_aside",
            "Spooled events Kafka refused for good (e.g. over the broker's message size): moved to the "
            "spool's .set-aside directory for an operator, so later events keep shipping.",
            ["reason"],
            registry=r,
        )
        self.sender_restarts = Counter(
            "prefloop_capture_sender_restarts",
            "Times the sender sidecar process died and was started again.",
            registry=r,
        )
        self.sender_up = Gauge(
            "prefloop_capture_sender_up",
            "1 while the sender (sidecar or thread) is running (of every live worker's, under a "
            "multiprocess server).",
            registry=r,
            multiprocess_mode="livemin",
        )
        self.fsyncs = Counter("prefloop_capture_spool_fsyncs", "fdatasync calls on the spool.", registry=r)
        self._accepted_by_type = {
            t: self.accepted.labels(t) for t in ("response", "feedback", "regenerate", "choice", "edit")
        }
        self._rejected_by_reason = {reason: self.rejected.labels(reason) for reason in REJECT_REASONS}

    def count_accepted(self, kind: str, n: int = 1) -> None:
        child = self._accepted_by_type.get(kind) or self.accepted.labels(kind)
        child.inc(n)

    def count_rejected(self, reason: str, n: int = 1) -> None:
        child = self._rejected_by_reason.get(reason) or self.rejected.labels(reason)
        child.inc(n)

    def render(self) -> bytes:
        """The Prometheus text exposition of this registry; in multiprocess mode, of every worker's values
        (read from ``PROMETHEUS_MULTIPROC_DIR``)."""
        if multiprocess_mode():
            registry = CollectorRegistry()
            registry.register(ReadableFilesCollector(multiprocess_dir()))
            return generate_latest(registry)
        return generate_latest(self.registry)

    def value(self, name: str, labels: dict[str, str] | None = None) -> float:
        """Current value of one sample (``name`` as exposed, e.g. ``prefloop_capture_events_shipped_total``);
        0.0 when it has not been recorded yet."""
        got = self.registry.get_sample_value(name, labels or {})
        return 0.0 if got is None else got


def multiprocess_dir() -> str:
    """The directory prometheus_client's multiprocess mode writes to (it copies the old lower-case spelling of
    the variable into this one when it creates the first value)."""
    return os.environ.get("PROMETHEUS_MULTIPROC_DIR", "")


def readable(path: str) -> bool:
    """Whether a worker's metrics file can be read whole now. A file that vanished (a dead worker's live gauges,
    removed by ``mark_process_dead``) is quietly not; one that is empty, cut short or garbled is logged once."""
    try:
        for key, *_ in MmapedDict.read_all_values_from_file(path):
            json.loads(key)  # the merge parses every key: a garbled one would fail the whole scrape there
        return True
    except FileNotFoundError:
        return False
    # ValueError covers UnicodeDecodeError and keys that are not JSON
    except (OSError, struct.error, ValueError) as exc:
        if path not in _REPORTED and len(_REPORTED) < _REPORTED_MAX:
            _REPORTED.add(path)
            log.warning(msg.LOG_METRICS_FILE_SKIPPED, os.path.basename(path), type(exc).__name__)
        return False


class ReadableFilesCollector:
    """prometheus_client's multiprocess merge over the files of ``path`` that can be read: one bad file costs
    its own (empty) values, not the whole scrape."""

    def __init__(self, path: str) -> None:
        self.path = path

    def collect(self) -> Iterable[Metric]:
        files = [f for f in sorted(glob.glob(os.path.join(self.path, "*.db"))) if readable(f)]
        return MultiProcessCollector.merge(files, accumulate=True)
