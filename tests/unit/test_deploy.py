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
        if line.startswith("COPY ") and "--from=" not in line:
            for src in line.split()[1:-1]:
                assert (ROOT / src).exists(), f"Dockerfile copies missing {src}"
    assert re.search(r'ENTRYPOINT \["prefloop"\]', text)
    cmd = re.search(r"^CMD \[(.*)\]", text, re.M)
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


# -- image hygiene (issue 18) ----------------------------------------------------------------------------------
DIGEST = re.compile(r"@sha256:[0-9a-f]{64}$")
DOCKERFILES = [
    DEPLOY / "Dockerfile",
    DEPLOY / "images/kafka/Dockerfile",
    DEPLOY / "images/postgres/Dockerfile",
]


@pytest.mark.parametrize("path", DOCKERFILES, ids=lambda p: str(p.relative_to(DEPLOY)))
def test_every_image_builds_from_a_base_pinned_by_digest_runs_non_root_and_checks_its_health(
    path: Path,
) -> None:
    text = path.read_text(encoding="utf-8")
    base = re.search(r"^ARG BASE_IMAGE=(\S+)$", text, re.M)
    assert base is not None and DIGEST.search(base.group(1)), "the base must be pinned by digest"
    froms = re.findall(r"^FROM (\S+)", text, re.M)
    assert froms and all(f == "${BASE_IMAGE}" for f in froms)
    user = re.findall(r"^USER (\S+)", text, re.M)
    assert user and user[-1].split(":")[0] not in ("root", "0")
    assert re.search(r"^HEALTHCHECK .*CMD ", text, re.M)
    assert re.search(r"^VOLUME ", text, re.M)


def test_the_prefloop_image_is_multi_stage_with_its_data_under_the_volume() -> None:
    text = (DEPLOY / "Dockerfile").read_text(encoding="utf-8")
    assert re.findall(r"^FROM \S+ AS (\w+)", text, re.M) == ["build", "runtime"]
    assert 'VOLUME ["/data"]' in text and "USER 10001:10001" in text
    assert "chown -R 10001:10001 /data" in text  # the volume is the non-root user's
    env = dict(re.findall(r"(PREFLOOP_[A-Z_]+)=(\S+)", text))
    assert (
        env["PREFLOOP_DATABASE_URL"] == "sqlite:////data/prefloop.db"
    )  # the SQLite fallback, not under /app
    assert env["PREFLOOP_SLACK_HOST"] == "0.0.0.0"
    assert all(v.startswith("/data") for k, v in env.items() if k.endswith("_DIR"))
    assert set(env) <= {ENV_PREFIX + n.upper() for n in Settings.model_fields}
    assert 'CMD ["prefloop", "health"]' in text


def test_dockerignore_sends_only_what_the_image_copies() -> None:
    rules = [r for r in (ROOT / ".dockerignore").read_text().splitlines() if r and not r.startswith("#")]
    assert rules[0] == "*"  # everything out (.venv, .cache, var, tests, ...), then the sources back in
    copied = {
        src.rstrip("/")
        for line in (DEPLOY / "Dockerfile").read_text().splitlines()
        if line.startswith("COPY ") and "--from=" not in line
        for src in line.split()[1:-1]
    }
    allowed = {r[1:].rstrip("/") for r in rules if r.startswith("!")}
    assert copied == allowed


def test_compose_runs_the_images_deploy_containers_builds() -> None:
    (compose,) = _docs(DEPLOY / "compose" / "compose.yaml")
    script = (DEPLOY / "containers").read_text()
    built = set(re.findall(r"(localhost/prefloop[-a-z]*):", script)) | set(
        re.findall(r"build_one (localhost/\S+)", script)
    )
    for name, svc in compose["services"].items():
        image = re.sub(r"\$\{[A-Z_]+:-(.+)\}", r"\1", svc["image"])
        assert image.split(":")[0] in {b.split(":")[0] for b in built}, (name, image)
    roles = {n: s for n, s in compose["services"].items() if s["image"].endswith("prefloop:latest}")}
    for name, svc in roles.items():
        assert svc["read_only"] is True and "/tmp" in svc["tmpfs"], name
        if name != "migrate":
            assert "--wait" in svc["command"], (
                f"{name} must wait for its dependencies (podman-compose does not)"
            )
    assert compose["services"]["curator"]["deploy"]["replicas"] == 2
