"""kafka-python's log lines while the broker is away, summed up for an operator.

With the broker stopped, kafka-python logs every failed connection, lost connection, failed metadata refresh and
failed coordinator request: about 65 warning and error lines a minute, for as long as the outage lasts, each
saying the same thing in another way. :class:`BrokerOutageLog` sits on the log handlers and turns that into
three kinds of line of its own: one when the broker has been unreachable for a few seconds (with kafka-python's
own reason), one a minute while it stays so, and one when a connection succeeds again. Every other kafka-python
warning or error (authorisation, SASL, an unknown topic) passes unchanged; ``--debug`` removes the filter and
shows every line.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable

from prefloop.curator.messages import KAFKA_BACK, KAFKA_DOWN, KAFKA_STILL_DOWN

__all__ = ["BrokerOutageLog", "install", "uninstall"]

#: what kafka-python says when a connection to a broker fails or drops: the start of an outage
_FAILURE_MARKERS = (
    "Connection failed",
    "Connection lost",
    "socket disconnected",
    "KafkaConnectionError",
    "ECONNREFUSED",
    "Request timed out",
    "Error receiving network data",
    "Error sending request data",
)
#: what follows from it while no broker answers (also said briefly in ordinary times: then shown as it is)
_CONSEQUENCE_MARKERS = (
    "No node available",
    "Metadata refresh",
    "Bootstrap",
    "NodeNotReady",
    "Marking the coordinator dead",
    "Error sending",
    "Heartbeat",
)
#: kafka-python's line when a connection is up again (kafka.net.connection, INFO)
_CONNECTED = ": Connected"

log = logging.getLogger("prefloop.curator.kafka")


class BrokerOutageLog(logging.Filter):
    """A handler filter: kafka-python's unreachable-broker lines become this module's summary lines.

    A failure starts a suspected outage, held back silently: a connection the broker closed while idle is
    re-opened at once ("Connected") and says nothing. Failures that go on for ``confirm_s`` make it an outage,
    said once; then one line every ``interval_s``, and one when a connection succeeds again. A suspicion with no
    failure for ``interval_s`` is forgotten."""

    def __init__(
        self, interval_s: float = 60.0, confirm_s: float = 5.0, clock: Callable[[], float] = time.monotonic
    ) -> None:
        super().__init__()
        self.interval_s = interval_s
        self.confirm_s = confirm_s
        self._clock = clock
        self._lock = threading.Lock()
        self._first: float | None = None  # the first failure of a suspected or confirmed outage
        self._latest = 0.0  # the latest failure
        self._confirmed = False
        self._said = 0.0  # when the last line was written
        self._held = 0  # kafka-python lines held back since then
        self._reason = ""
        self._last: tuple[logging.LogRecord | None, bool] = (None, True)

    @property
    def outage(self) -> bool:
        """A failure was seen and no connection succeeded since."""
        return self._first is not None

    def filter(self, record: logging.LogRecord) -> bool:
        if record.name != "kafka" and not record.name.startswith("kafka."):
            return True
        with self._lock:  # a second handler sees the same record: decide once
            if record is self._last[0]:
                return self._last[1]
        keep = self._decide(record)
        with self._lock:
            self._last = (record, keep)
        return keep

    def _decide(self, record: logging.LogRecord) -> bool:
        text = record.getMessage()
        if record.levelno < logging.WARNING:
            if _CONNECTED in text:
                self._reachable()
            return False  # kafka-python's info lines are for --debug
        if (
            _network_error(record)
            or any(marker in text for marker in _FAILURE_MARKERS)
            or (self.outage and any(marker in text for marker in _CONSEQUENCE_MARKERS))
        ):
            self._failed(text)
            return False
        return True

    def _failed(self, text: str) -> None:
        now = self._clock()
        with self._lock:
            if self._first is None or (not self._confirmed and now - self._latest >= self.interval_s):
                self._first, self._confirmed, self._held, self._reason = now, False, 0, _reason(text)
            self._latest = now
            self._held += 1
            if not self._confirmed:
                if now - self._first < self.confirm_s:
                    return
                self._confirmed = True
                line = KAFKA_DOWN.format(seconds=now - self._first, reason=self._reason)
            elif now - self._said >= self.interval_s:
                line = KAFKA_STILL_DOWN.format(seconds=now - self._first, lines=self._held)
            else:
                return
            self._said, self._held = now, 0
        log.warning(line)

    def _reachable(self) -> None:
        with self._lock:
            first, confirmed = self._first, self._confirmed
            self._first, self._confirmed = None, False
        if first is not None and confirmed:
            log.info(KAFKA_BACK.format(seconds=self._clock() - first))


def _network_error(record: logging.LogRecord) -> bool:
    """kafka-python logged a socket's error with its traceback (a reset or refused connection)."""
    error = record.exc_info[1] if record.exc_info else None
    return isinstance(error, OSError)


def _reason(text: str) -> str:
    """The short cause of a kafka-python line: its last ``: ``-separated part, without the connection's repr."""
    reason = text.rsplit(": ", 1)[-1].strip().rstrip(".)]")
    return reason[:200] or text[:200]


_installed: list[tuple[logging.Handler, BrokerOutageLog]] = []


def install(root: logging.Logger | None = None) -> None:
    """Put one :class:`BrokerOutageLog` on each of the root logger's handlers; kafka-python's connection lines
    (INFO) reach it so that the broker's return is seen. Idempotent."""
    uninstall()
    root = root or logging.getLogger()
    outage = BrokerOutageLog()
    for handler in root.handlers:
        handler.addFilter(outage)
        _installed.append((handler, outage))
    logging.getLogger("kafka.net.connection").setLevel(logging.INFO)


def uninstall() -> None:
    """Take the filters off again (``--debug``: every kafka-python line as it comes)."""
    while _installed:
        handler, outage = _installed.pop()
        handler.removeFilter(outage)
    logging.getLogger("kafka.net.connection").setLevel(logging.NOTSET)
