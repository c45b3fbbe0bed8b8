"""Settings a deployment brings: Kubernetes service-link variables are tolerated (and only those), and
PREFLOOP_KAFKA_OPTIONS configures TLS/SASL with credentials from files or other variables."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from prefloop.curator.kafka_options import ALLOWED_KEYS, client_config, resolve_kafka_options
from prefloop.curator.service_links import is_service_link
from prefloop.curator.settings import Settings
from prefloop.schemas.errors import ConfigError

#: what a pod sees for a Service `prefloop-slackbot` (port 80 named http) and `prefloop-metrics` (9400, no name)
K8S_LINKS = {
    "PREFLOOP_SLACKBOT_SERVICE_HOST": "10.96.0.11",
    "PREFLOOP_SLACKBOT_SERVICE_PORT": "80",
    "PREFLOOP_SLACKBOT_SERVICE_PORT_HTTP": "80",
    "PREFLOOP_SLACKBOT_PORT": "tcp://10.96.0.11:80",
    "PREFLOOP_SLACKBOT_PORT_80_TCP": "tcp://10.96.0.11:80",
    "PREFLOOP_SLACKBOT_PORT_80_TCP_PROTO": "tcp",
    "PREFLOOP_SLACKBOT_PORT_80_TCP_PORT": "80",
    "PREFLOOP_SLACKBOT_PORT_80_TCP_ADDR": "10.96.0.11",
    "PREFLOOP_CURATOR_METRICS_SERVICE_HOST": "10.96.0.12",
    "PREFLOOP_CURATOR_METRICS_PORT_9400_UDP": "udp://10.96.0.12:9400",
}


def test_kubernetes_service_links_are_not_unknown_settings() -> None:
    s = Settings.load({**K8S_LINKS, "PREFLOOP_SLACK_PORT": "3000"})
    assert s.slack_port == 3000


@pytest.mark.parametrize(
    "name",
    ["PREFLOOP_SLACKBOT_PORT", "PREFLOOP_SLACKBOT_HOST", "PREFLOOP_SLACK_SERVICE", "PREFLOOP_PORT_80_TCP"],
)
def test_a_mistyped_setting_is_still_refused(name: str) -> None:
    with pytest.raises(ConfigError) as info:
        Settings.load({name: "3000"})
    assert info.value.name == name


def test_a_service_link_over_a_real_setting_says_what_happened() -> None:
    """A Service named `prefloop-slack` would set PREFLOOP_SLACK_PORT itself."""
    with pytest.raises(ConfigError) as info:
        Settings.load({"PREFLOOP_SLACK_PORT": "tcp://10.96.0.13:80"})
    assert info.value.name == "PREFLOOP_SLACK_PORT"
    assert "enableServiceLinks: false" in str(info.value) and "'prefloop-slack'" in str(info.value)


@given(
    service=st.from_regex(r"[A-Z][A-Z0-9]{0,8}(_[A-Z0-9]{1,8}){0,2}", fullmatch=True),
    port=st.integers(1, 65535),
    proto=st.sampled_from(["TCP", "UDP", "SCTP"]),
    ip=st.ip_addresses(v=4).map(str),
)
def test_every_injected_shape_is_recognised(service: str, port: int, proto: str, ip: str) -> None:
    base = f"PREFLOOP_{service}"
    p = proto.lower()
    injected = {
        f"{base}_SERVICE_HOST": ip,
        f"{base}_SERVICE_PORT": str(port),
        f"{base}_SERVICE_PORT_WEB": str(port),
        f"{base}_PORT": f"{p}://{ip}:{port}",
        f"{base}_PORT_{port}_{proto}": f"{p}://{ip}:{port}",
        f"{base}_PORT_{port}_{proto}_PROTO": p,
        f"{base}_PORT_{port}_{proto}_PORT": str(port),
        f"{base}_PORT_{port}_{proto}_ADDR": ip,
    }
    assert all(is_service_link(k, v) for k, v in injected.items())
    assert not is_service_link(f"{base}_PORT", str(port))  # a plain number is a (mistyped) setting


def test_bot_host_and_port_are_settings() -> None:
    s = Settings.load({"PREFLOOP_SLACK_HOST": "0.0.0.0", "PREFLOOP_SLACK_PORT": "8080"})
    assert (s.slack_host, s.slack_port) == ("0.0.0.0", 8080)
    assert Settings.load({}).slack_host == "127.0.0.1"


# -- PREFLOOP_KAFKA_OPTIONS ---------------------------------------------------------------------------------
def _pem(tmp_path: Path) -> Path:
    ca = tmp_path / "ca.pem"
    ca.write_text("-----BEGIN CERTIFICATE-----\n...\n-----END CERTIFICATE-----\n")
    return ca


def test_sasl_ssl_with_the_password_from_a_file_and_the_user_from_another_variable(tmp_path: Path) -> None:
    ca = _pem(tmp_path)
    secret = tmp_path / "password"
    secret.write_text("s3cret\n")
    raw = {
        "security_protocol": "SASL_SSL",
        "sasl_mechanism": "SCRAM-SHA-512",
        "sasl_plain_username_env": "KAFKA_USER",
        "sasl_plain_password_file": str(secret),
        "ssl_cafile": str(ca),
    }
    s = Settings.load(
        {
            "PREFLOOP_KAFKA_OPTIONS": json.dumps(raw),
            "PREFLOOP_KAFKA_BOOTSTRAP": "b:9093",
            "KAFKA_USER": "prefloop",
        }
    )
    assert s.kafka_options == {
        "security_protocol": "SASL_SSL",
        "sasl_mechanism": "SCRAM-SHA-512",
        "sasl_plain_username": "prefloop",
        "sasl_plain_password": "s3cret",
        "ssl_cafile": str(ca),
    }
    assert "s3cret" not in repr(s)  # credentials stay out of logs
    conf = client_config("b:9093", s.kafka_options, client_id="x", acks="all")
    assert (
        conf["bootstrap_servers"] == "b:9093"
        and conf["acks"] == "all"
        and conf["sasl_plain_password"] == "s3cret"
    )


@pytest.mark.parametrize(
    ("raw", "says"),
    [
        ("{not json", "is not JSON"),
        ("[1]", "must be a JSON object"),
        ('{"security_protocol": "SASL_SSL"}', "needs sasl_mechanism"),
        ('{"security_protocol": "SASL_SSL", "sasl_mechanism": "GSSAPI"}', "SCRAM-SHA-512"),
        (
            '{"security_protocol": "SASL_SSL", "sasl_mechanism": "PLAIN", "sasl_plain_username": "u"}',
            "needs sasl_plain_password",
        ),
        ('{"sasl_mechanism": "PLAIN"}', "use SASL_SSL"),
        ('{"security_protocol": "TLS"}', "use one of PLAINTEXT"),
        ('{"ssl_cafile": "/nonexistent/ca.pem"}', "ssl_cafile: no file at /nonexistent/ca.pem"),
        ('{"sasl_plain_password_file": "/nonexistent/pw"}', "cannot read /nonexistent/pw"),
        ('{"sasl_plain_password_env": "NOT_SET_ANYWHERE"}', "NOT_SET_ANYWHERE, which is not set"),
        ('{"sasl_plain_password": "a", "sasl_plain_password_env": "B"}', "one way"),
        ('{"acks": 0}', "unknown key(s) acks"),
        ('{"reconnect_backoff_ms": "fast"}', "must be an integer"),
    ],
)
def test_bad_kafka_options_name_the_setting_and_what_is_wrong(raw: str, says: str) -> None:
    with pytest.raises(ConfigError) as info:
        Settings.load({"PREFLOOP_KAFKA_OPTIONS": raw})
    assert info.value.name == "PREFLOOP_KAFKA_OPTIONS"
    assert says in str(info.value)


def test_an_unreadable_key_file_fails_at_start(tmp_path: Path) -> None:
    key = tmp_path / "client.key"
    key.write_text("k")
    key.chmod(0)
    if os.access(key, os.R_OK):  # root reads anything: make the path a directory instead
        key.unlink()
        key.mkdir()
    with pytest.raises(ConfigError) as info:
        Settings.load({"PREFLOOP_KAFKA_OPTIONS": json.dumps({"ssl_keyfile": str(key)})})
    assert "ssl_keyfile" in str(info.value)


_json = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=12),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=12), inner, max_size=3),
    max_leaves=8,
)


@given(
    options=st.dictionaries(
        st.sampled_from(sorted(ALLOWED_KEYS | {"sasl_plain_password_env", "acks"})) | st.text(max_size=8),
        _json,
        max_size=4,
    )
)
def test_any_json_object_is_options_or_a_clear_error(options: dict[str, Any]) -> None:
    """Whatever an operator writes, start-up either gets options every client accepts or one ConfigError."""
    try:
        s = Settings.load({"PREFLOOP_KAFKA_OPTIONS": json.dumps(options)})
    except ConfigError as exc:
        assert exc.name == "PREFLOOP_KAFKA_OPTIONS" and str(exc)
        return
    assert set(s.kafka_options) <= ALLOWED_KEYS
    from kafka import KafkaAdminClient, KafkaConsumer, KafkaProducer

    for cls in (KafkaConsumer, KafkaProducer, KafkaAdminClient):
        assert set(s.kafka_options) <= set(cls.DEFAULT_CONFIG)


def test_resolution_is_a_plain_function(tmp_path: Path) -> None:
    assert resolve_kafka_options(None) == {}
    assert resolve_kafka_options("  ") == {}
    assert resolve_kafka_options({"sasl_plain_password_env": "P"}, {"P": "x"}) == {"sasl_plain_password": "x"}


@pytest.mark.parametrize("value", [{"a": 1}, ["x"], "", "x" * 5000, "ca\x00.pem"])
def test_a_file_option_that_is_no_usable_path_is_a_clear_error(value: Any) -> None:
    # hypothesis found a JSON object as ssl_cafile crashing start-up (its text, a file name too long for stat)
    with pytest.raises(ConfigError, match="ssl_cafile") as err:
        Settings.load({"PREFLOOP_KAFKA_OPTIONS": json.dumps({"ssl_cafile": value})})
    assert err.value.name == "PREFLOOP_KAFKA_OPTIONS"
