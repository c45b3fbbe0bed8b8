"""The image and the compose file, run for real: `deploy/containers build` makes the images from Debian packages
(no registry), podman-compose brings up deploy/compose/compose.yaml with the Slack-emulator override (Kafka,
PostgreSQL, migrate, curator x2, the bot, the scheduler), a capture app outside the stack sends feedback to
Kafka's external listener, and the test sees the pair in the store and posted to the bot's emulator. Then down.

The compose files are copied unchanged next to a .env written here (the shipped files, this test's secrets), and
the project name, the published ports and the images are this checkout's own."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import time
import urllib.request
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from prefloop.curator.store import Store
from prefloop.curator.store.models import Pair, ReviewPost
from tests.integration.test_deploy_probes import answers, free_port, get
from tests.integration.test_kafka_security import GOOD, send_regenerated_answers

pytestmark = pytest.mark.integration

ROOT = Path(__file__).resolve().parents[2]
CONTAINERS = ROOT / "deploy" / "containers"
SECRET = "0f1e2d3c4b5a69788796a5b4c3d2e1f0"
BOT_TOKEN = "xoxb-compose-test"
ROLES = ("migrate", "curator", "slackbot", "scheduler")


def containers(*args: str, env: dict[str, str] | None = None, timeout: float = 300) -> str:
    done = subprocess.run(
        [str(CONTAINERS), *args], capture_output=True, text=True, timeout=timeout, env=env, cwd=ROOT
    )
    assert done.returncode == 0, (
        f"deploy/containers {' '.join(args)}:\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}"
    )
    return done.stdout


def wait_for(predicate: Any, timeout: float, what: str, detail: Any = lambda: "") -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(1)
    raise AssertionError(f"timed out after {timeout:.0f} s waiting for {what}\n{detail()}")


class Stack:
    def __init__(self, workdir: Path) -> None:
        self.dir = workdir
        self.project = f"prefloop-test-{uuid.uuid4().hex[:8]}"
        self.kafka_port, self.pg_port = free_port(), free_port()
        self.bot_port, self.emulator_port = free_port(), free_port()
        for name in ("compose.yaml", "compose.emulator.yaml"):
            shutil.copy(ROOT / "deploy" / "compose" / name, workdir / name)
        (workdir / ".env").write_text(
            f"PREFLOOP_SLACK_BOT_TOKEN={BOT_TOKEN}\n"
            f"PREFLOOP_SLACK_SIGNING_SECRET={SECRET}\n"
            "PREFLOOP_SLACK_REVIEWER_GROUP=S0REVIEW\n"
        )
        self.env = {k: v for k, v in os.environ.items() if not k.startswith("PREFLOOP_")} | {
            "KAFKA_EXTERNAL_PORT": str(self.kafka_port),
            "POSTGRES_PUBLISH_PORT": str(self.pg_port),
            "BOT_PUBLISH": f"127.0.0.1:{self.bot_port}",
            "EMULATOR_PUBLISH_PORT": str(self.emulator_port),
        }

    def compose(self, *args: str, timeout: float = 300) -> str:
        return containers(
            "compose", "-p", self.project, "-f", str(self.dir / "compose.yaml"),
            "-f", str(self.dir / "compose.emulator.yaml"), *args, env=self.env, timeout=timeout,
        )  # fmt: skip

    def podman(self, *args: str, timeout: float = 120) -> str:
        return containers("podman", *args, env=self.env, timeout=timeout)

    def names(self) -> list[str]:
        out = self.podman(
            "ps",
            "-a",
            "--filter",
            f"label=io.podman.compose.project={self.project}",
            "--format",
            "{{.Names}}",
        )
        return sorted(out.split())

    def never_started(self) -> list[str]:
        """Containers `up` created but could not start (podman-compose 1.0 reports that with exit 0)."""
        out = self.podman(
            "ps", "-a", "--filter", f"label=io.podman.compose.project={self.project}",
            "--filter", "status=created", "--format", "{{.Names}}",
        )  # fmt: skip
        return sorted(out.split())

    def start_error(self, name: str) -> str:
        done = subprocess.run(
            [str(CONTAINERS), "podman", "start", name], capture_output=True, text=True, env=self.env, cwd=ROOT
        )
        return (done.stderr or done.stdout)[-1500:]

    def logs(self) -> str:
        parts = []
        for name in self.names():
            done = subprocess.run(
                [str(CONTAINERS), "podman", "logs", "--tail", "25", name],
                capture_output=True,
                text=True,
                env=self.env,
            )
            parts.append(f"---- {name}\n{done.stdout[-2500:]}{done.stderr[-2500:]}")
        return "\n".join(parts)

    @property
    def database_url(self) -> str:
        return f"postgresql+psycopg://prefloop:prefloop@127.0.0.1:{self.pg_port}/prefloop"

    def down(self) -> list[str]:
        """`down -v` (containers, network, volumes); the containers of this project still there afterwards."""
        subprocess.run(
            [str(CONTAINERS), "compose", "-p", self.project, "-f", str(self.dir / "compose.yaml"),
             "-f", str(self.dir / "compose.emulator.yaml"), "down", "-v", "-t", "20"],
            capture_output=True, env=self.env, timeout=300, cwd=ROOT,
        )  # fmt: skip
        # podman-compose 1.0 leaves the project's network behind
        subprocess.run(
            [str(CONTAINERS), "podman", "network", "rm", "-f", f"{self.project}_default"],
            capture_output=True, env=self.env, timeout=60, cwd=ROOT,
        )  # fmt: skip
        return self.names()


def build_images() -> float:
    """`deploy/containers build`; its wall time in seconds."""
    t0 = time.monotonic()
    containers("build", timeout=1500)
    return time.monotonic() - t0


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    build_images()
    s = Stack(tmp_path_factory.mktemp("compose"))
    try:
        s.compose("up", "-d", "--no-build", timeout=600)
        stuck = s.never_started()  # fail now with podman's reason, not after waiting minutes for the bot
        assert not stuck, f"`up` could not start {stuck}: {s.start_error(stuck[0])}"
        yield s
    finally:
        left = s.down()
        assert left == [], f"containers left after down: {left}"


@pytest.mark.timeout(2400)
def test_feedback_through_the_compose_stack_reaches_the_store_and_the_bots_emulator(stack: Stack) -> None:
    print(json.dumps(run_flow(stack)))


def run_flow(stack: Stack) -> dict[str, float]:
    """Wait for the stack, send feedback through capture, see the pairs in the store and the emulator; timings."""
    bot = f"http://127.0.0.1:{stack.bot_port}"
    t0 = time.monotonic()
    # the bot is ready once its store is migrated (it waited for `migrate`) and its outbox runs
    wait_for(lambda: answers(bot + "/readyz") and get(bot + "/readyz")[0] == 200, 420, "the bot", stack.logs)
    ready_s = time.monotonic() - t0
    names = stack.names()
    curators = [n for n in names if n.startswith(f"{stack.project}_curator_")]
    assert len(curators) == 2, names

    def consuming(name: str) -> bool:  # the curator's /readyz, asked inside its container
        done = subprocess.run(
            [
                str(CONTAINERS),
                "podman",
                "exec",
                name,
                "prefloop",
                "health",
                "--url",
                "http://127.0.0.1:9400/readyz",
            ],
            capture_output=True,
            env=stack.env,
            timeout=60,
        )
        return done.returncode == 0

    wait_for(lambda: all(consuming(n) for n in curators), 300, "both curators to consume", stack.logs)
    shipped = send_regenerated_answers(
        {
            "PREFLOOP_CAPTURE_SPOOL_DIR": str(stack.dir / "spool"),
            "PREFLOOP_CAPTURE_KAFKA_BOOTSTRAP": f"127.0.0.1:{stack.kafka_port}",
            "PREFLOOP_CAPTURE_KAFKA_TOPIC": "prefloop.feedback.v1",
        },
        conversations=2,
    )
    assert shipped == 8
    sent_at = time.monotonic()
    store = Store(stack.database_url)
    posts: list[tuple[str, str, str]] = []

    def posted() -> bool:
        with store.session() as s:
            rows = s.execute(
                select(Pair.pair_id, ReviewPost.channel, ReviewPost.ts)
                .join(ReviewPost, ReviewPost.pair_id == Pair.pair_id)
                .where(ReviewPost.ts.is_not(None))
            ).all()
        posts[:] = [(str(a), str(b), str(c)) for a, b, c in rows]
        return len(posts) == 2

    try:
        wait_for(posted, 300, "two pairs posted to the emulator", stack.logs)
    finally:
        store.dispose()
    end_to_end_s = time.monotonic() - sent_at
    for _pair_id, channel, ts in posts:
        url = f"http://127.0.0.1:{stack.emulator_port}/api/conversations.replies?channel={channel}&ts={ts}"
        asked = urllib.request.Request(url, headers={"Authorization": f"Bearer {BOT_TOKEN}"})
        with urllib.request.urlopen(asked, timeout=10) as resp:
            thread = json.loads(resp.read())
        assert thread["ok"], thread
        assert GOOD in json.dumps(thread["messages"][0])  # the pair's texts are in the review post
    # every role's container answers its image HEALTHCHECK (`prefloop health` against the role's /healthz)
    for name in stack.names():
        if any(f"_{role}_" in name for role in ("curator", "slackbot", "scheduler")):
            stack.podman("healthcheck", "run", name)
    state = stack.podman(
        "inspect", "--format", "{{.State.ExitCode}} {{.State.Status}}", f"{stack.project}_migrate_1"
    )
    assert state.split() == ["0", "exited"], state
    return {"up_to_bot_ready_s": round(ready_s, 1), "feedback_to_review_post_s": round(end_to_end_s, 1)}
