"""prefloop capture: record what an assistant shows and what its users think of it, and publish both.

- :class:`FeedbackCapture` — the Flask extension (``init_app``, ``user_loader``, ``response_shown``).
- :class:`CaptureMiddleware` — the same endpoints for any WSGI app.
- :class:`CaptureASGI` — the same for any ASGI app (Starlette, FastAPI), off the event loop.
- :class:`Publisher` — queue → spool → Kafka, usable without Flask.
- The errors, all subclasses of :class:`prefloop.schemas.errors.CaptureError`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from prefloop.capture.asgi import CaptureASGI
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
from prefloop.capture.publisher import Publisher, PublisherConfig
from prefloop.capture.wsgi import CaptureMiddleware
from prefloop.schemas.errors import CaptureError

__all__ = [
    "AckTimeoutError",
    "CaptureASGI",
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

if TYPE_CHECKING:
    from prefloop.capture.extension import FeedbackCapture


def __getattr__(name: str) -> Any:
    """``FeedbackCapture`` is imported on first use, so an ASGI or WSGI app (``prefloop[asgi]``) needs no Flask."""
    if name == "FeedbackCapture":
        from prefloop.capture.extension import FeedbackCapture

        return FeedbackCapture
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
