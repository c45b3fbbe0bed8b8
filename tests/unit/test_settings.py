"""Settings: one typed object, unknown names and bad values fail at start-up with the name."""

from __future__ import annotations

from pathlib import Path

import pytest

from prefloop.curator.settings import Settings
from prefloop.schemas.errors import ConfigError


def test_defaults_are_embedded_mode() -> None:
    s = Settings.load({})
    assert s.embedded
    assert s.database_url.startswith("sqlite:///")
    assert s.spool_dir == Path("var/spool")


def test_values_come_from_prefixed_environment() -> None:
    s = Settings.load(
        {"PREFLOOP_KAFKA_BOOTSTRAP": "127.0.0.1:19092", "PREFLOOP_RAW_RETENTION_DAYS": "7", "HOME": "/root"}
    )
    assert not s.embedded
    assert s.raw_retention_days == 7


def test_unknown_prefixed_variable_is_refused_with_its_name() -> None:
    with pytest.raises(ConfigError) as info:
        Settings.load({"PREFLOOP_DATABSE_URL": "sqlite:///x.db"})
    assert info.value.name == "PREFLOOP_DATABSE_URL"
    assert "PREFLOOP_DATABASE_URL" in str(info.value)  # the known names are listed


@pytest.mark.parametrize(
    ("name", "value", "says"),
    [
        ("PREFLOOP_RAW_RETENTION_DAYS", "-1", "greater than or equal to 0"),
        ("PREFLOOP_SLACK_PORT", "http", "valid integer"),
        ("PREFLOOP_DATABASE_URL", "mysql://db", "sqlite:/// or postgresql"),
        ("PREFLOOP_LOG_LEVEL", "LOUD", "DEBUG"),
        ("PREFLOOP_RELEASE_TEST_SHARE", "1.5", "less than 1"),
    ],
)
def test_invalid_value_names_the_variable_and_what_is_allowed(name: str, value: str, says: str) -> None:
    with pytest.raises(ConfigError) as info:
        Settings.load({name: value})
    assert info.value.name == name
    assert info.value.value == value
    assert says in str(info.value)


def test_other_components_variables_are_not_unknown() -> None:
    s = Settings.load({"PREFLOOP_CAPTURE_SECRET_KEY": "x", "PREFLOOP_KAFKA_PORT": "19092"})
    assert s.embedded
