"""prefloop capture: record what an assistant shows and what its users think of it, and publish both.

- :class:`FeedbackCapture` — the Flask extension (``init_app``, ``user_loader``, ``response_shown``).
- :class:`CaptureMiddleware` — the same endpoints for any WSGI app.
- :class:`Publisher` — queue → spool → Kafka, usable without Flask.
- The errors, all subclasses of :class:`prefloop.schemas.errors.CaptureError`.
"""

from __future__ import annotations

from prefloop.capture.core import ResponseToken
from prefloop.capture.errors import (
    AckTimeoutError,
    NoUserError,
    PublisherClosedError,
    QueueFullError,
    SpoolFullError,
    SpoolWriteError,
    TokenError,
)
from prefloop.capture.extension import FeedbackCapture
from prefloop.capture.publisher import Publisher, PublisherConfig
from prefloop.capture.wsgi import CaptureMiddleware
from prefloop.schemas.errors import CaptureError

__all__ = [
    "AckTimeoutError",
    "CaptureError",
    "CaptureMiddleware",
    "FeedbackCapture",
    "NoUserError",
    "Publisher",
    "PublisherClosedError",
    "PublisherConfig",
    "QueueFullError",
    "ResponseToken",
    "SpoolFullError",
    "SpoolWriteError",
    "TokenError",
]
