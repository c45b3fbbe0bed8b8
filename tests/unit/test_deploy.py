"""What can be checked of the deployment files without a Docker engine or a cluster: they parse, every
prefloop command they run exists, every PREFLOOP_* setting they set is a real setting, every file they copy exists."""

from __future__ import annotations

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
