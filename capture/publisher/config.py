"""Settings of one :class:`~prefloop.capture.publisher.Publisher` (plain data; the Flask extension fills it from
``PREFLOOP_CAPTURE_*`` config keys)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from prefloop.capture import messages
from prefloop.capture.publisher.writer import DURABILITY_MODES
from prefloop.schemas.errors import ConfigError
from prefloop.schemas.events import MAX_EVENT_BYTES

__all__ = ["DEFAULT_TOPIC", "SENDER_MODES", "PublisherConfig"]

DEFAULT_TOPIC = "prefloop.feedback.v1"
SENDER_MODES = ("process", "thread")


def _bad_setting(name: str, value: object, reason: str) -> ConfigError:
    """The error for one setting of the publisher that cannot be used: its name, its value and why."""
    return ConfigError(
        messages.BAD_SETTING.format(name=name, value=value, reason=reason), name=name, value=value
    )


@dataclass(frozen=True)
class PublisherConfig:
    """Where events go and how hard capture tries to keep them.

    ``kafka_bootstrap`` None is embedded mode: the spool is the outbox the curator reads, nothing ships.
    """

    spool_dir: Path
    kafka_bootstrap: str | None = None
    topic: str = DEFAULT_TOPIC
    #: passed to KafkaProducer (gzip needs no extra package; lz4/zstd/snappy need theirs installed)
    compression: str | None = "gzip"
    #: extra KafkaProducer settings (security, client_id, ...); acks/idempotence are fixed
    producer_options: dict[str, Any] = field(default_factory=dict)
    durability: str = "interval"
    fsync_interval: float = 0.2
    #: how long the writer gathers events nobody waits for (response records) before one write(2)
    write_delay: float = 0.005
    spool_max_bytes: int = 1 << 30
    #: the largest serialized event accepted (at most MAX_EVENT_BYTES, which is below Kafka's default
    #: 1 MiB message limit and is what the curator accepts); larger events are refused at the call site
    max_event_bytes: int = MAX_EVENT_BYTES
    segment_max_bytes: int = 16 << 20
    queue_max_events: int = 10_000
    batch_max_events: int = 5_000
    batch_max_bytes: int = 4 << 20
    linger: float = 0.02
    #: how long the sender waits for Kafka to acknowledge one batch before it resets the producer
    send_timeout: float = 30.0
    #: how long publish() (and the feedback endpoints) wait for the event to be on disk
    ack_timeout: float = 2.0
    #: how long shutdown() tries to ship what is left before leaving it on disk for the next process
    shutdown_timeout: float = 5.0
    #: "process": ship from a child process (kafka-python's CPU work stays off the app's GIL; the default);
    #: "thread": ship from a thread of this process
    sender: str = "process"

    def __post_init__(self) -> None:
        object.__setattr__(self, "spool_dir", Path(self.spool_dir))
        if self.durability not in DURABILITY_MODES:
            raise _bad_setting("durability", self.durability, f"use one of {', '.join(DURABILITY_MODES)}")
        if self.sender not in SENDER_MODES:
            raise _bad_setting("sender", self.sender, f"use one of {', '.join(SENDER_MODES)}")
        positive = {
            "fsync_interval": self.fsync_interval,
            "spool_max_bytes": self.spool_max_bytes,
            "segment_max_bytes": self.segment_max_bytes,
            "queue_max_events": self.queue_max_events,
            "batch_max_events": self.batch_max_events,
            "batch_max_bytes": self.batch_max_bytes,
            "send_timeout": self.send_timeout,
            "ack_timeout": self.ack_timeout,
        }
        for name, value in positive.items():
            if isinstance(value, bool) or not isinstance(value, int | float) or value <= 0:
                raise _bad_setting(name, value, "must be a positive number")
        if not isinstance(self.max_event_bytes, int) or not 0 < self.max_event_bytes <= MAX_EVENT_BYTES:
            raise _bad_setting(
                "max_event_bytes",
                self.max_event_bytes,
                f"must be an integer from 1 to {MAX_EVENT_BYTES} (what the curator accepts)",
            )
        zero_or_more = {
            "linger": self.linger,
            "shutdown_timeout": self.shutdown_timeout,
            "write_delay": self.write_delay,
        }
        for name, value in zero_or_more.items():
            if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
                raise _bad_setting(name, value, "must be zero or more")

    @property
    def embedded(self) -> bool:
        return not self.kafka_bootstrap

    def sidecar_settings(self) -> dict[str, Any]:
        """What the sidecar process needs, as JSON-able data."""
        return {
            "spool_dir": str(self.spool_dir),
            "topic": self.topic,
            "producer": self.producer_settings(),
            "batch_max_events": self.batch_max_events,
            "batch_max_bytes": self.batch_max_bytes,
            "linger": self.linger,
            "send_timeout": self.send_timeout,
        }

    def producer_settings(self) -> dict[str, Any]:
        """The KafkaProducer settings: acks=all, idempotent, compressed, batched by bytes and time."""
        settings: dict[str, Any] = {
            "bootstrap_servers": self.kafka_bootstrap,
            "acks": "all",
            "enable_idempotence": True,
            "compression_type": self.compression,
            "linger_ms": 5,
            "batch_size": 256 * 1024,
            "max_block_ms": 10_000,
            "client_id": "prefloop-capture",
        }
        settings.update(self.producer_options)
        settings.update(acks="all", enable_idempotence=True)
        return settings
