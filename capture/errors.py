"""Errors capture raises on purpose. All derive from :class:`prefloop.schemas.errors.CaptureError`.

::

    CaptureError
    ├── SpoolFullError          the on-disk spool is over its byte budget; the event was not accepted
    ├── QueueFullError          the in-memory queue in front of the spool writer is full
    ├── SpoolWriteError         the spool file could not be written (disk error); the event was not accepted
    ├── EventTooLargeError      the serialized event is over MAX_EVENT_BYTES (below the broker's message limit)
    ├── AckTimeoutError         the event was not on disk within the acknowledgment timeout
    ├── PublisherClosedError    the publisher was shut down
    ├── TokenError              a response token does not verify (forged, expired, other user or conversation)
    └── NoUserError             the host app's user_loader returned no user for this request
"""

from __future__ import annotations

from prefloop.capture import messages
from prefloop.schemas.errors import CaptureError

__all__ = [
    "AckTimeoutError",
    "CaptureError",
    "EventTooLargeError",
    "NoUserError",
    "PublisherClosedError",
    "QueueFullError",
    "SpoolFullError",
    "SpoolWriteError",
    "TokenError",
]


class SpoolFullError(CaptureError):
    """The spool holds ``pending_bytes`` against a budget of ``max_bytes``: Kafka has been away too long."""

    reason = "spool_full"

    def __init__(self, pending_bytes: int, max_bytes: int) -> None:
        self.pending_bytes = pending_bytes
        self.max_bytes = max_bytes
        super().__init__(messages.SPOOL_FULL.format(pending=pending_bytes, budget=max_bytes))


class QueueFullError(CaptureError):
    """``size`` events wait in memory for the spool writer (the bound): the disk is too slow or stuck."""

    reason = "queue_full"

    def __init__(self, size: int) -> None:
        self.size = size
        super().__init__(messages.QUEUE_FULL.format(size=size))


class SpoolWriteError(CaptureError):
    """Writing ``path`` failed with ``errno``; the event is not on disk."""

    reason = "spool_write_failed"

    def __init__(self, path: str, error: OSError) -> None:
        self.path = path
        self.errno = error.errno
        super().__init__(messages.SPOOL_WRITE_FAILED.format(path=path, error=error))


class EventTooLargeError(CaptureError):
    """The event serializes to ``size`` bytes, over the ``limit`` (``PREFLOOP_CAPTURE_MAX_EVENT_BYTES``); it was
    not accepted. Kafka would refuse it, and the curator refuses anything over
    ``prefloop.schemas.events.MAX_EVENT_BYTES``."""

    reason = "event_too_large"

    def __init__(self, size: int, limit: int) -> None:
        self.size = size
        self.limit = limit
        super().__init__(messages.EVENT_TOO_LARGE.format(size=size, limit=limit))


class AckTimeoutError(CaptureError):
    """The event was not confirmed on disk within ``timeout`` seconds (it may still be written)."""

    reason = "ack_timeout"

    def __init__(self, timeout: float) -> None:
        self.timeout = timeout
        super().__init__(messages.ACK_TIMEOUT.format(timeout=timeout))


class PublisherClosedError(CaptureError):
    """The publisher was shut down; nothing more is accepted."""

    reason = "closed"

    def __init__(self) -> None:
        super().__init__(messages.PUBLISHER_CLOSED)


class TokenError(CaptureError):
    """A response token failed verification; ``why`` is one of ``malformed``, ``signature``, ``expired``."""

    reason = "invalid_token"

    def __init__(self, why: str, field: str = "token") -> None:
        self.why = why
        self.field = field
        super().__init__(messages.TOKEN_INVALID.get(why, messages.TOKEN_INVALID["signature"]))


class NoUserError(CaptureError):
    """``user_loader`` returned None (nobody is signed in) or was never registered (``registered`` False)."""

    reason = "no_user"

    def __init__(self, registered: bool = True) -> None:
        self.registered = registered
        super().__init__(messages.NO_USER if registered else messages.NO_USER_LOADER)
