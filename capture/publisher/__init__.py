"""The publisher: bounded in-memory queue → spool writer thread → on-disk spool → Kafka sender thread."""

from __future__ import annotations

from prefloop.capture.publisher.config import DEFAULT_TOPIC, PublisherConfig
from prefloop.capture.publisher.publisher import Publisher
from prefloop.capture.publisher.writer import DURABILITY_MODES

__all__ = ["DEFAULT_TOPIC", "DURABILITY_MODES", "Publisher", "PublisherConfig"]
