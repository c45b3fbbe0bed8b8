"""``PREFLOOP_KAFKA_OPTIONS``: the security and connection settings every Kafka client of the curator and the
bot is built with (consumer, dead-letter producer, admin client, ``prefloop doctor``).

The value is a JSON object of kafka-python client settings, the same keys capture's
``PREFLOOP_CAPTURE_KAFKA_OPTIONS`` passes to its producer, so one object configures both sides. Managed Kafka
(MSK, Confluent Cloud, Aiven, Redpanda Cloud) typically needs::

    {"security_protocol": "SASL_SSL", "sasl_mechanism": "SCRAM-SHA-512",
     "sasl_plain_username": "prefloop", "sasl_plain_password_file": "/run/secrets/kafka-password",
     "ssl_cafile": "/etc/prefloop/kafka-ca.pem"}

A credential (``sasl_plain_username``, ``sasl_plain_password``, ``ssl_password``) may be given inline, or read
at start-up from a file (``<key>_file``: a path, one trailing newline stripped, e.g. a mounted Secret) or from
another environment variable (``<key>_env``: its name). Certificate files must exist and be readable at start,
so a wrong path fails there, with the key's name, instead of at the first connection.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

__all__ = [
    "ALLOWED_KEYS",
    "MECHANISMS",
    "PROTOCOLS",
    "KafkaOptionsError",
    "client_config",
    "resolve_kafka_options",
]

PROTOCOLS = ("PLAINTEXT", "SSL", "SASL_PLAINTEXT", "SASL_SSL")
MECHANISMS = ("PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512")
_SECRETS = ("sasl_plain_username", "sasl_plain_password", "ssl_password")
_FILES = ("ssl_cafile", "ssl_certfile", "ssl_keyfile", "ssl_crlfile")
_INTS = (
    "connections_max_idle_ms",
    "reconnect_backoff_ms",
    "reconnect_backoff_max_ms",
    "metadata_max_age_ms",
)
#: keys every client (KafkaConsumer, KafkaProducer, KafkaAdminClient) accepts with the same meaning
ALLOWED_KEYS = frozenset(
    {
        "security_protocol",
        "sasl_mechanism",
        "ssl_check_hostname",
        "client_dns_lookup",
        *_SECRETS,
        *_FILES,
        *_INTS,
    }
)


class KafkaOptionsError(ValueError):
    """What is wrong with the options; the settings loader turns it into a ConfigError naming the variable."""


def _parse(raw: str | Mapping[str, Any]) -> dict[str, Any]:
    if isinstance(raw, Mapping):
        return dict(raw)
    text = raw.strip()
    if not text:
        return {}
    try:
        value = json.loads(text)
    except json.JSONDecodeError as exc:
        raise KafkaOptionsError(f"is not JSON ({exc.msg} at character {exc.pos})") from None
    if not isinstance(value, dict):
        raise KafkaOptionsError('must be a JSON object such as {"security_protocol": "SASL_SSL", ...}')
    return value


def _credential(options: dict[str, Any], key: str, environ: Mapping[str, str]) -> None:
    forms = [k for k in (key, f"{key}_file", f"{key}_env") if k in options]
    if len(forms) > 1:
        raise KafkaOptionsError(f"give {key} one way, not as {' and '.join(forms)}")
    if f"{key}_file" in options:
        path = Path(str(options.pop(f"{key}_file")))
        try:
            text = path.read_text(encoding="utf-8")
        except OSError as exc:
            raise KafkaOptionsError(f"{key}_file: cannot read {path} ({exc.strerror})") from None
        options[key] = text.removesuffix("\n").removesuffix("\r")
    elif f"{key}_env" in options:
        name = str(options.pop(f"{key}_env"))
        if name not in environ:
            raise KafkaOptionsError(f"{key}_env names {name}, which is not set")
        options[key] = environ[name]
    if key in options and not isinstance(options[key], str):
        raise KafkaOptionsError(f"{key} must be a string")


def resolve_kafka_options(
    raw: str | Mapping[str, Any] | None, environ: Mapping[str, str] | None = None
) -> dict[str, Any]:
    """Parse and check the options, reading credentials given as ``<key>_file`` / ``<key>_env``.

    Raises :class:`KafkaOptionsError` saying what is wrong and what is allowed."""
    if raw is None:
        return {}
    options = _parse(raw)
    for key in _SECRETS:
        _credential(options, key, environ or {})
    unknown = sorted(set(options) - ALLOWED_KEYS)
    if unknown:
        raise KafkaOptionsError(
            f"unknown key(s) {', '.join(unknown)}; allowed: {', '.join(sorted(ALLOWED_KEYS))} "
            f"(credentials also as <key>_file or <key>_env)"
        )
    protocol = options.get("security_protocol", "PLAINTEXT")
    if protocol not in PROTOCOLS:
        raise KafkaOptionsError(f"security_protocol {protocol!r}: use one of {', '.join(PROTOCOLS)}")
    mechanism = options.get("sasl_mechanism")
    if protocol.startswith("SASL_"):
        if mechanism not in MECHANISMS:
            raise KafkaOptionsError(
                f"security_protocol {protocol} needs sasl_mechanism, one of {', '.join(MECHANISMS)}"
            )
        missing = [k for k in ("sasl_plain_username", "sasl_plain_password") if not options.get(k)]
        if missing:
            raise KafkaOptionsError(f"sasl_mechanism {mechanism} needs {' and '.join(missing)}")
    elif mechanism is not None:
        raise KafkaOptionsError(
            f"sasl_mechanism is set but security_protocol is {protocol}: use SASL_SSL (or SASL_PLAINTEXT)"
        )
    for key in _FILES:
        if key in options:
            value = options[key]
            if not isinstance(value, str) or not value:
                raise KafkaOptionsError(f"{key} must be the path of a file (a string)")
            path = Path(value)
            try:
                found = path.is_file()
            except (OSError, ValueError) as exc:  # a name too long for the file system, a NUL byte
                raise KafkaOptionsError(f"{key}: not a usable path ({exc})"[:300]) from None
            if not found:
                raise KafkaOptionsError(f"{key}: no file at {path}")
            try:
                with path.open("rb"):
                    pass
            except OSError as exc:
                raise KafkaOptionsError(f"{key}: cannot read {path} ({exc.strerror})") from None
            options[key] = str(path)
    for key in _INTS:
        if key in options and (isinstance(options[key], bool) or not isinstance(options[key], int)):
            raise KafkaOptionsError(f"{key} must be an integer (milliseconds)")
    if "ssl_check_hostname" in options and not isinstance(options["ssl_check_hostname"], bool):
        raise KafkaOptionsError("ssl_check_hostname must be true or false")
    return options


def client_config(bootstrap: str, options: Mapping[str, Any] | None, **fixed: Any) -> dict[str, Any]:
    """The keyword arguments of one kafka-python client: the bootstrap servers, the operator's options, then the
    settings the calling client fixes (``client_id``, ``acks``, ...)."""
    return {"bootstrap_servers": bootstrap, **(options or {}), **fixed}
