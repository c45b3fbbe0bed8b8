"""What can be checked of the deployment files without a Docker engine or a cluster: they parse, every
prefloop command they run exists, every PREFLOOP_* setting they set is a real setting, every file they copy exists."""

from __future__ import annotations

import inspect
import re
from pathlib import Path
from typing import Any

import click
import pytest
import yaml

from prefloop.curator.cli import cli
from prefloop.curator.settings import ENV_PREFIX, Settings

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"
YAML_FILES = sorted([*DEPLOY.glob("k8s/*.yaml"), *DEPLOY.glob("compose/*.yaml")])


def _docs(path: Path) -> list[Any]:
    return [d for d in yaml.safe_load_all(path.read_text(encoding="utf-8")) if d is not None]


def _resolve(argv: list[str]) -> click.Command:
    """Walk the real `prefloop` click tree; fails when a (sub)command does not exist."""
    command: click.Command = cli
    ctx = click.Context(cli)
    for word in argv:
        if word.startswith("-") or not isinstance(command, click.Group):
            break
        sub = command.get_command(ctx, word)
        assert sub is not None, f"`prefloop {' '.join(argv)}`: no command {word!r}"
        command = sub
    return command


def _walk(node: Any) -> Any:
    yield node
    if isinstance(node, dict):
        for v in node.values():
            yield from _walk(v)
    elif isinstance(node, list):
        for v in node:
            yield from _walk(v)


def _commands_and_env(path: Path) -> tuple[list[list[str]], set[str]]:
    commands, env = [], set()
    for doc in _docs(path):
        for node in _walk(doc):
            if not isinstance(node, dict):
                continue
            if path.parent.name == "k8s" and isinstance(node.get("args"), list):
                commands.append(node["args"])
            if path.parent.name == "compose" and isinstance(node.get("command"), list):
                commands.append(node["command"])
            for key in ("environment", "data"):
                if isinstance(node.get(key), dict):
                    env |= {k for k in node[key] if str(k).startswith(ENV_PREFIX)}
    return commands, env


@pytest.mark.parametrize("path", YAML_FILES, ids=lambda p: str(p.relative_to(DEPLOY)))
def test_manifest_parses_and_runs_only_real_commands_and_settings(path: Path) -> None:
    commands, env = _commands_and_env(path)
    assert _docs(path), f"{path} is empty"
    known = {ENV_PREFIX + name.upper() for name in Settings.model_fields}
    assert env <= known, f"unknown settings in {path.name}: {sorted(env - known)}"
    for argv in commands:
        _resolve(argv)


def test_every_role_is_deployed() -> None:
    k8s_cmds = [" ".join(c[:2]) for p in DEPLOY.glob("k8s/*.yaml") for c in _commands_and_env(p)[0]]
    compose_cmds = [" ".join(c[:2]) for p in DEPLOY.glob("compose/*.yaml") for c in _commands_and_env(p)[0]]
    for role in ("curator run", "slackbot serve", "scheduler run", "db upgrade"):
        assert role in k8s_cmds and role in compose_cmds, role


def test_scheduler_runs_as_exactly_one_replica() -> None:
    (deployment, _pvc) = _docs(DEPLOY / "k8s" / "scheduler.yaml")
    assert deployment["spec"]["replicas"] == 1
    assert deployment["spec"]["strategy"]["type"] == "Recreate"


def test_dockerfile_copies_existing_paths_and_runs_the_cli() -> None:
    text = (DEPLOY / "Dockerfile").read_text(encoding="utf-8")
    for line in text.splitlines():
        if line.startswith("COPY "):
            for src in line.split()[1:-1]:
                assert (ROOT / src).exists(), f"Dockerfile copies missing {src}"
    assert re.search(r'ENTRYPOINT \["prefloop"\]', text)
    cmd = re.search(r"CMD \[(.*)\]", text)
    assert cmd is not None
    _resolve([w.strip().strip('"') for w in cmd.group(1).split(",")])


# -- Kubernetes hygiene (issue 18) ---------------------------------------------------------------------------
def _k8s_objects() -> list[dict[str, Any]]:
    return [d for p in sorted(DEPLOY.glob("k8s/*.yaml")) for d in _docs(p)]


def _pod_specs() -> list[tuple[str, dict[str, Any]]]:
    out = []
    for obj in _k8s_objects():
        if obj["kind"] in ("Deployment", "Job"):
            out.append((obj["metadata"]["name"], obj["spec"]["template"]["spec"]))
    return out


def test_every_pod_turns_service_links_off_and_runs_as_non_root_read_only() -> None:
    specs = _pod_specs()
    assert {name for name, _ in specs} >= {
        "prefloop-curator",
        "prefloop-slackbot",
        "prefloop-scheduler",
        "prefloop-migrate",
    }
    for name, spec in specs:
        assert spec.get("enableServiceLinks") is False, name
        assert spec["securityContext"]["runAsNonRoot"] is True, name
        assert spec["securityContext"]["runAsUser"] == 10001, name  # the image's prefloop user
        mounts_tmp = {v["name"] for v in spec.get("volumes", []) if "emptyDir" in v}
        for c in spec["containers"]:
            sc = c["securityContext"]
            assert sc["readOnlyRootFilesystem"] is True and sc["allowPrivilegeEscalation"] is False, name
            assert sc["capabilities"]["drop"] == ["ALL"], name
            assert {"cpu", "memory"} <= set(c["resources"]["requests"]), name
            assert any(m["mountPath"] == "/tmp" and m["name"] in mounts_tmp for m in c["volumeMounts"]), name


@pytest.mark.parametrize(
    ("name", "port", "live", "ready"),
    [
        ("prefloop-curator", 9400, "/healthz", "/readyz"),
        ("prefloop-slackbot", 3000, "/healthz", "/readyz"),
        ("prefloop-scheduler", 9400, "/healthz", "/readyz"),
    ],
)
def test_long_running_roles_have_probes_on_the_ports_they_serve(
    name: str, port: int, live: str, ready: str
) -> None:
    config = next(o for o in _k8s_objects() if o["kind"] == "ConfigMap")["data"]
    spec = dict(_pod_specs())[name]
    (container,) = spec["containers"]
    ports = {p["name"]: p["containerPort"] for p in container["ports"]}
    for probe, path in (("livenessProbe", live), ("readinessProbe", ready)):
        get = container[probe]["httpGet"]
        assert get["path"] == path
        assert ports[get["port"]] == port
    served = int(
        config["PREFLOOP_SLACK_PORT"] if name == "prefloop-slackbot" else config["PREFLOOP_METRICS_PORT"]
    )
    assert served == port
    assert config["PREFLOOP_SLACK_HOST"] == "0.0.0.0"


def test_the_curator_scales_on_lag_capped_at_the_partition_count() -> None:
    from prefloop.curator.ingest.kafka import KafkaSource

    partitions = inspect.signature(KafkaSource).parameters["partitions"].default  # topics the curator creates
    objs = {(o["kind"], o["metadata"]["name"]): o for o in _k8s_objects()}
    config = objs[("ConfigMap", "prefloop-config")]["data"]
    hpa = objs[("HorizontalPodAutoscaler", "prefloop-curator")]["spec"]
    scaled = objs[("ScaledObject", "prefloop-curator")]["spec"]
    assert hpa["maxReplicas"] == scaled["maxReplicaCount"] == partitions
    assert scaled["scaleTargetRef"]["name"] == hpa["scaleTargetRef"]["name"] == "prefloop-curator"
    (trigger,) = scaled["triggers"]
    meta = trigger["metadata"]
    assert trigger["type"] == "kafka" and int(meta["lagThreshold"]) > 0
    assert meta["allowIdleConsumers"] == "false"
    assert meta["bootstrapServers"] == config["PREFLOOP_KAFKA_BOOTSTRAP"]
    assert meta["consumerGroup"] == config["PREFLOOP_KAFKA_GROUP"]
    assert meta["topic"] == config["PREFLOOP_KAFKA_TOPIC"]
    assert ("TriggerAuthentication", trigger["authenticationRef"]["name"]) in objs


def test_one_kafka_version_everywhere() -> None:
    local = re.search(
        r'KAFKA_VERSION="\$\{PREFLOOP_KAFKA_VERSION:-([0-9.]+)\}"', (DEPLOY / "local/kafka").read_text()
    )
    assert local is not None
    version = local.group(1)
    found = set()
    for path in [
        *DEPLOY.rglob("*.yaml"),
        *DEPLOY.rglob("*Dockerfile*"),
        *DEPLOY.rglob("*.xml"),
        *DEPLOY.rglob("*.sh"),
    ]:
        text = path.read_text(encoding="utf-8")
        found |= {(path.name, v) for v in re.findall(r"kafka[:_-]?(?:2\.13-)?(\d+\.\d+\.\d+)", text, re.I)}
    assert found, "no Kafka version found in deploy/"
    assert {v for _, v in found} == {version}, sorted(found)
