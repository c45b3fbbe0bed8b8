"""Capture's settings and how they are read from Flask config (``PREFLOOP_CAPTURE_*``), once, in init_app."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, MutableMapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from prefloop.capture import messages
from prefloop.capture.publisher.config import DEFAULT_TOPIC, SENDER_MODES, PublisherConfig
from prefloop.capture.publisher.writer import DURABILITY_MODES
from prefloop.schemas.errors import ConfigError
from prefloop.schemas.events import MAX_EVENT_BYTES

__all__ = ["CONFIG_DEFAULTS", "PREFIX", "CaptureSettings", "settings_from_config"]

PREFIX = "PREFLOOP_CAPTURE_"

#: Every key FeedbackCapture reads (without the prefix) and its default. ``None`` for SPOOL_DIR means
#: ``<app.instance_path>/prefloop-spool``; for APP_ID the app's name; for SECRET_KEY the app's SECRET_KEY.
CONFIG_DEFAULTS: dict[str, Any] = {
    "APP_ID": None,
    "SECRET_KEY": None,
    "SPOOL_DIR": None,
    "KAFKA_BOOTSTRAP": None,
    "KAFKA_TOPIC": DEFAULT_TOPIC,
    "KAFKA_COMPRESSION": "gzip",
    "KAFKA_OPTIONS": {},
    "DURABILITY": "interval",
    "FSYNC_INTERVAL": 0.2,
    "SPOOL_MAX_BYTES": 1 << 30,
    "MAX_EVENT_BYTES": MAX_EVENT_BYTES,
    "SEGMENT_MAX_BYTES": 16 << 20,
    "QUEUE_MAX_EVENTS": 10_000,
    "BATCH_MAX_EVENTS": 5_000,
    "BATCH_MAX_BYTES": 4 << 20,
    "LINGER": 0.02,
    "SEND_TIMEOUT": 30.0,
    "ACK_TIMEOUT": 2.0,
    "SHUTDOWN_TIMEOUT": 5.0,
    "SENDER": "process",
    "URL_PREFIX": "/prefloop",
    "MAX_BODY_BYTES": 512 * 1024,
    "RATE_LIMIT_PER_MINUTE": 120,
    "RATE_LIMIT_BURST": 30,
    "TOKEN_MAX_AGE": 30 * 24 * 3600,
    "IDEMPOTENCY_TTL": 600.0,
    "METRICS_ENDPOINT": True,
    "STATUS_ENDPOINT": True,
    "STRICT": False,
    "DEGRADED_LOG_INTERVAL": 60.0,
}
_APP_ID_CHARS = re.compile(r"[^A-Za-z0-9_.:@/+=-]")


@dataclass(frozen=True)
class CaptureSettings:
    """Everything one capture instance needs; built once, then read without locks."""

    app_id: str
    secret_key: str | bytes
    publisher: PublisherConfig
    url_prefix: str = "/prefloop"
    max_body_bytes: int = 512 * 1024
    rate_limit_per_minute: int = 120
    rate_limit_burst: int = 30
    token_max_age: int = 30 * 24 * 3600
    idempotency_ttl: float = 600.0
    metrics_endpoint: bool = True
    status_endpoint: bool = True
    #: False (default): response_shown never raises into the host's request; it degrades (see core.py)
    strict: bool = False
    degraded_log_interval: float = 60.0


def _bad(name: str, value: object, reason: str) -> ConfigError:
    return ConfigError(
        messages.BAD_SETTING.format(name=PREFIX + name, value=value, reason=reason), PREFIX + name, value
    )


def _int(config: Mapping[str, Any], name: str, minimum: int = 0) -> int:
    value = config[PREFIX + name]
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        raise _bad(name, value, f"must be an integer >= {minimum}")
    return value


def _float(config: Mapping[str, Any], name: str, minimum: float = 0.0) -> float:
    value = config[PREFIX + name]
    if isinstance(value, bool) or not isinstance(value, int | float) or value < minimum:
        raise _bad(name, value, f"must be a number >= {minimum}")
    return float(value)


def _max_event_bytes(config: Mapping[str, Any]) -> int:
    value = _int(config, "MAX_EVENT_BYTES", 1)
    if value > MAX_EVENT_BYTES:
        raise _bad(
            "MAX_EVENT_BYTES",
            value,
            f"must be at most {MAX_EVENT_BYTES}: the curator refuses larger events and Kafka's default message "
            "limit is 1 MiB; lower it if your broker's message.max.bytes is lower",
        )
    return value


def settings_from_config(
    config: MutableMapping[str, Any], *, app_name: str, instance_path: str, app_secret: object
) -> CaptureSettings:
    """Fill in defaults (``setdefault``), refuse unknown ``PREFLOOP_CAPTURE_*`` keys by name, validate."""
    unknown = sorted(k for k in config if k.startswith(PREFIX) and k[len(PREFIX) :] not in CONFIG_DEFAULTS)
    if unknown:
        known = ", ".join(PREFIX + k for k in CONFIG_DEFAULTS)
        raise ConfigError(
            messages.UNKNOWN_KEYS.format(names=", ".join(unknown), known=known), unknown[0], unknown
        )
    for key, default in CONFIG_DEFAULTS.items():
        config.setdefault(PREFIX + key, dict(default) if isinstance(default, dict) else default)

    secret = config[PREFIX + "SECRET_KEY"] or app_secret
    if not secret or not isinstance(secret, str | bytes):
        raise ConfigError(messages.NO_SECRET, PREFIX + "SECRET_KEY", None)
    app_id = config[PREFIX + "APP_ID"] or _APP_ID_CHARS.sub("_", app_name)[:128] or "app"
    if _APP_ID_CHARS.search(app_id) or len(app_id) > 128:
        raise _bad("APP_ID", app_id, "use at most 128 of A-Z a-z 0-9 _ . : @ / + = -")
    spool_dir = config[PREFIX + "SPOOL_DIR"] or str(Path(instance_path) / "prefloop-spool")
    options = config[PREFIX + "KAFKA_OPTIONS"]
    if not isinstance(options, dict):
        raise _bad("KAFKA_OPTIONS", options, "must be a dict of extra KafkaProducer settings")
    prefix = config[PREFIX + "URL_PREFIX"]
    if not isinstance(prefix, str) or not prefix.startswith("/"):
        raise _bad("URL_PREFIX", prefix, "must be a path starting with /")
    durability = config[PREFIX + "DURABILITY"]
    if durability not in DURABILITY_MODES:
        raise _bad("DURABILITY", durability, f"use one of {', '.join(DURABILITY_MODES)}")
    sender = config[PREFIX + "SENDER"]
    if sender not in SENDER_MODES:
        raise _bad("SENDER", sender, f"use one of {', '.join(SENDER_MODES)}")
    try:
        json.dumps(options)
    except TypeError:
        if sender == "process":
            raise _bad(
                "KAFKA_OPTIONS", options, "must be JSON-able with SENDER='process'; use SENDER='thread'"
            ) from None
    publisher = PublisherConfig(
        spool_dir=Path(spool_dir),
        kafka_bootstrap=config[PREFIX + "KAFKA_BOOTSTRAP"] or None,
        topic=config[PREFIX + "KAFKA_TOPIC"],
        compression=config[PREFIX + "KAFKA_COMPRESSION"],
        producer_options=dict(options),
        durability=durability,
        fsync_interval=_float(config, "FSYNC_INTERVAL", 0.001),
        spool_max_bytes=_int(config, "SPOOL_MAX_BYTES", 1),
        max_event_bytes=_max_event_bytes(config),
        segment_max_bytes=_int(config, "SEGMENT_MAX_BYTES", 1),
        queue_max_events=_int(config, "QUEUE_MAX_EVENTS", 1),
        batch_max_events=_int(config, "BATCH_MAX_EVENTS", 1),
        batch_max_bytes=_int(config, "BATCH_MAX_BYTES", 1),
        linger=_float(config, "LINGER"),
        send_timeout=_float(config, "SEND_TIMEOUT", 0.1),
        ack_timeout=_float(config, "ACK_TIMEOUT", 0.001),
        shutdown_timeout=_float(config, "SHUTDOWN_TIMEOUT"),
        sender=sender,
    )
    return CaptureSettings(
        app_id=app_id,
        secret_key=secret,
        publisher=publisher,
        url_prefix=prefix.rstrip("/") or "/prefloop",
        max_body_bytes=_int(config, "MAX_BODY_BYTES", 1),
        rate_limit_per_minute=_int(config, "RATE_LIMIT_PER_MINUTE"),
        rate_limit_burst=_int(config, "RATE_LIMIT_BURST", 1),
        token_max_age=_int(config, "TOKEN_MAX_AGE"),
        idempotency_ttl=_float(config, "IDEMPOTENCY_TTL"),
        metrics_endpoint=bool(config[PREFIX + "METRICS_ENDPOINT"]),
        status_endpoint=bool(config[PREFIX + "STATUS_ENDPOINT"]),
        strict=bool(config[PREFIX + "STRICT"]),
        degraded_log_interval=_float(config, "DEGRADED_LOG_INTERVAL"),
    )
