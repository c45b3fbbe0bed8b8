"""Settings: one typed object, unknown names and bad values fail at start-up with the name."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import ValidationError

from prefloop.curator.settings import Settings
from prefloop.schemas.errors import ConfigError


def test_defaults_are_embedded_mode() -> None:
    s = Settings.load({})
    assert s.embedded
    assert s.database_url.get_secret_value().startswith("sqlite:///")
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
    assert "did you mean PREFLOOP_DATABASE_URL?" in str(info.value)


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


# -- names: "did you mean", no list of every name ----------------------------------------------------------


@pytest.mark.parametrize(
    ("typo", "meant"),
    [
        ("PREFLOOP_KAKFA_BOOTSTRAP", "PREFLOOP_KAFKA_BOOTSTRAP"),
        ("PREFLOOP_SLACK_BOT_TOKN", "PREFLOOP_SLACK_BOT_TOKEN"),
        ("PREFLOOP_LOGLEVEL", "PREFLOOP_LOG_LEVEL"),
        ("PREFLOOP_DATABASE_URL_FIEL", "PREFLOOP_DATABASE_URL_FILE"),
    ],
)
def test_an_unknown_name_gets_the_closest_known_one_and_not_the_whole_list(typo: str, meant: str) -> None:
    with pytest.raises(ConfigError) as info:
        Settings.load({typo: "x"})
    text = str(info.value)
    assert f"unknown setting {typo} (from the environment): did you mean {meant}?" == text
    assert "PREFLOOP_RELEASE_SEED" not in text


def test_a_name_like_no_setting_says_so_and_where_to_look() -> None:
    with pytest.raises(ConfigError) as info:
        Settings.load({"PREFLOOP_WHATEVER": "1", "PREFLOOP_KAFKA_TOPPIC": "t"})
    text = str(info.value)
    assert "PREFLOOP_KAFKA_TOPPIC (from the environment): did you mean PREFLOOP_KAFKA_TOPIC?" in text
    assert "PREFLOOP_WHATEVER (from the environment): prefloop has no such setting" in text
    assert "`prefloop settings`" in text and "\n" not in text


# -- .env and *_FILE --------------------------------------------------------------------------------------


def test_a_dotenv_file_is_read_under_the_environment(tmp_path: Path) -> None:
    env_file = tmp_path / "prefloop.env"
    env_file.write_text(
        "# comment\nexport PREFLOOP_KAFKA_TOPIC=from-file\nPREFLOOP_RAW_RETENTION_DAYS='7'\n"
        'PREFLOOP_SLACK_CHANNEL="#review # not a comment"\nOTHER_APP_SETTING=ignored\n',
        encoding="utf-8",
    )
    s = Settings.load({"PREFLOOP_RAW_RETENTION_DAYS": "9"}, env_file=env_file)
    assert s.kafka_topic == "from-file"
    assert s.raw_retention_days == 9  # the environment wins
    assert s.slack_channel == "#review # not a comment"


def test_the_working_directorys_dotenv_is_read_with_the_process_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / ".env").write_text("PREFLOOP_KAFKA_GROUP=from-dotenv\n", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    assert Settings.load().kafka_group == "from-dotenv"
    assert Settings.load({}).kafka_group == "prefloop-curator"  # an explicit mapping reads no file


def test_an_explicit_mapping_is_the_whole_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every setting's variable set in the process (to a value no field would keep as it is) changes nothing
    when a mapping is given; the same variables given in the mapping do apply."""
    clean = Settings.load({}).model_dump()
    for field in Settings.model_fields:
        monkeypatch.setenv("PREFLOOP_" + field.upper(), "leaked-from-the-process")
    monkeypatch.setenv("PREFLOOP_NO_SUCH_SETTING", "x")
    assert Settings.load({}).model_dump() == clean
    given = Settings.load({"PREFLOOP_KAFKA_TOPIC": "given", "PREFLOOP_RAW_RETENTION_DAYS": "3"})
    assert (given.kafka_topic, given.raw_retention_days) == ("given", 3)
    assert given.replace(kafka_group="g").model_dump() == clean | {
        "kafka_topic": "given",
        "raw_retention_days": 3,
        "kafka_group": "g",
    }
    monkeypatch.delenv("PREFLOOP_NO_SUCH_SETTING")
    with pytest.raises(ConfigError):  # the process environment is still read when no mapping is given
        Settings.load()


def test_an_unknown_name_in_the_dotenv_file_names_the_file(tmp_path: Path) -> None:
    env_file = tmp_path / ".env"
    env_file.write_text("PREFLOOP_RELEASE_SED=3\n", encoding="utf-8")
    with pytest.raises(
        ConfigError, match=r"PREFLOOP_RELEASE_SED \(from .*\.env\): did you mean PREFLOOP_RELEASE_SEED\?"
    ):
        Settings.load({}, env_file=env_file)


@pytest.mark.parametrize(
    ("content", "says"),
    [
        (b"PREFLOOP_KAFKA_TOPIC=a\nthis is not an assignment\n", "line 2: not NAME=value"),
        (b"PREFLOOP_KAFKA_TOPIC=\xff\xfe\n", "is not UTF-8 text"),
    ],
)
def test_a_broken_dotenv_file_is_a_configuration_error(tmp_path: Path, content: bytes, says: str) -> None:
    env_file = tmp_path / ".env"
    env_file.write_bytes(content)
    with pytest.raises(ConfigError, match=says):
        Settings.load({}, env_file=env_file)


def test_a_missing_env_file_named_explicitly_is_a_configuration_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="cannot read the settings file"):
        Settings.load({}, env_file=tmp_path / "nope.env")


def test_a_setting_is_read_from_the_file_its_FILE_variable_names(tmp_path: Path) -> None:
    (tmp_path / "token").write_text("xoxb-from-a-secret\n", encoding="utf-8")
    (tmp_path / "db").write_text("postgres://u:p4ss@db.internal:5432/prefloop", encoding="utf-8")
    s = Settings.load(
        {
            "PREFLOOP_SLACK_BOT_TOKEN_FILE": str(tmp_path / "token"),
            "PREFLOOP_DATABASE_URL_FILE": str(tmp_path / "db"),
        }
    )
    assert s.slack_bot_token is not None and s.slack_bot_token.get_secret_value() == "xoxb-from-a-secret"
    assert s.database_url.get_secret_value() == "postgresql+psycopg://u:p4ss@db.internal:5432/prefloop"


def test_a_setting_and_its_FILE_form_together_are_refused(tmp_path: Path) -> None:
    (tmp_path / "t").write_text("a", encoding="utf-8")
    with pytest.raises(ConfigError, match="keep one") as info:
        Settings.load({"PREFLOOP_KAFKA_TOPIC": "b", "PREFLOOP_KAFKA_TOPIC_FILE": str(tmp_path / "t")})
    assert info.value.name == "PREFLOOP_KAFKA_TOPIC"


def test_an_unreadable_secret_file_names_the_variable_not_a_value(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as info:
        Settings.load({"PREFLOOP_SLACK_SIGNING_SECRET_FILE": str(tmp_path / "missing")})
    assert "PREFLOOP_SLACK_SIGNING_SECRET_FILE=" in str(info.value) and "No such file" in str(info.value)


# -- database URLs ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("given", "read_as"),
    [
        ("postgres://u:pw@host:5432/db", "postgresql+psycopg://u:pw@host:5432/db"),
        ("postgresql://u:pw@host/db?sslmode=require", "postgresql+psycopg://u:pw@host/db?sslmode=require"),
        ("postgresql+psycopg://u@host/db", "postgresql+psycopg://u@host/db"),
        ("  sqlite:///var/x.db\n", "sqlite:///var/x.db"),
    ],
)
def test_hosting_platform_postgres_urls_are_read_as_psycopg(given: str, read_as: str) -> None:
    assert Settings.load({"PREFLOOP_DATABASE_URL": given}).database_url.get_secret_value() == read_as


@pytest.mark.parametrize(
    "url",
    [
        "mysql://root:hunter2-secret@db/prefloop",
        "postgres://root:hunter2-secret@db:port/prefloop",
        "postgres://root:hunter2-secret@db:99999/prefloop",
        "hunter2-secret",
        "root:hunter2-secret@db/prefloop",
    ],
)
def test_an_invalid_database_url_is_refused_without_echoing_its_password(url: str) -> None:
    with pytest.raises(ConfigError) as info:
        Settings.load({"PREFLOOP_DATABASE_URL": url})
    assert info.value.name == "PREFLOOP_DATABASE_URL"
    assert "hunter2" not in str(info.value) and "hunter2" not in repr(info.value.value)
    assert "is invalid" in str(info.value)


def test_secrets_never_show_in_repr_str_or_dumps() -> None:
    s = Settings.load(
        {
            "PREFLOOP_DATABASE_URL": "postgres://prefloop:db-pass-123@db/prefloop",
            "PREFLOOP_SLACK_BOT_TOKEN": "xoxb-token-456",
            "PREFLOOP_SLACK_SIGNING_SECRET": "signing-789",
            "PREFLOOP_SLACK_APP_TOKEN": "xapp-012",
        }
    )
    shown = [repr(s), str(s), str(s.model_dump()), s.model_dump_json(), str(s.database_url)]
    for text in shown:
        for secret in ("db-pass-123", "xoxb-token-456", "signing-789", "xapp-012"):
            assert secret not in text
    assert str(s.database_url) == "postgresql+psycopg://prefloop:***@db/prefloop"
    assert Settings.secret_fields() >= {
        "database_url",
        "slack_bot_token",
        "slack_signing_secret",
        "slack_app_token",
    }


def test_replace_validates_and_keeps_secrets_secret() -> None:
    s = Settings.load({}).replace(slack_bot_token="xoxb-new", database_url="postgres://u:pw@h/db")
    assert s.slack_bot_token is not None and s.slack_bot_token.get_secret_value() == "xoxb-new"
    assert s.database_url.get_secret_value() == "postgresql+psycopg://u:pw@h/db"
    with pytest.raises(ValidationError):
        s.replace(slack_port="http")


@given(
    scheme=st.sampled_from(["postgres", "postgresql", "postgresql+psycopg", "mysql", "sqlite", "redis"]),
    password=st.text(st.characters(blacklist_categories=["Cs"]), max_size=30).map(lambda t: "S3cr" + t),
    port=st.sampled_from(["5432", "", "99999", "port", "-1"]),
)
def test_no_database_url_shows_its_password_whether_accepted_or_refused(
    scheme: str, password: str, port: str
) -> None:
    url = f"{scheme}://prefloop:{password}@db.internal{':' + port if port else ''}/prefloop"
    try:
        s = Settings.load({"PREFLOOP_DATABASE_URL": url})
    except ConfigError as exc:
        shown = [str(exc), repr(exc.value)]
    else:
        shown = [repr(s), str(s.database_url), s.model_dump_json()]
    assert not any("S3cr" in text for text in shown), shown
