"""The whole loop on real services: the example chat page in headless Chromium -> capture -> real Kafka -> the
curator into real PostgreSQL -> the real bot over HTTP against the Slack emulator, signed votes -> a release.

The browser clicks thumbs-down on the first answer, regenerate, thumbs-up on the new answer; the test finds that
pair (prompt, chosen, rejected) in the month's release files.
"""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import select

from prefloop.curator.cli.demo import EmulatedReviewDesk, ExampleApp
from prefloop.curator.demo.run import AppSetup
from prefloop.curator.settings import Settings
from prefloop.curator.store import Store
from prefloop.curator.store.models import Pair, ReviewPost
from tests.browser import CHROMIUM, CHROMIUM_ARGS

pytestmark = pytest.mark.integration

PROMPT = "How do I reverse a list in Python? One sentence, please."
BAD = "Sort the list with sorted() and it will come out reversed every time."
GOOD = "Call items.reverse() to reverse it in place, or use items[::-1] for a reversed copy."


def responder(context: list[dict[str, str]], attempt: int, conversation_id: str) -> str:
    return BAD if attempt == 0 else GOOD


def wait_for(predicate: Callable[[], object], timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {predicate}")
        time.sleep(0.05)


@pytest.fixture()
def settings(kafka_bootstrap: str, kafka_topic: str, postgres_url: str, tmp_path: Path) -> Settings:
    return Settings.load(
        {},
        database_url=postgres_url,
        kafka_bootstrap=kafka_bootstrap,
        kafka_topic=kafka_topic,
        kafka_dlq_topic=f"{kafka_topic}.dlq",
        kafka_group=f"fullstack-{uuid.uuid4().hex[:8]}",
        spool_dir=tmp_path / "spool",
        release_dir=tmp_path / "releases",
    )


@pytest.fixture()
def app(settings: Settings) -> Iterator[ExampleApp]:
    config = {
        "SECRET_KEY": "fullstack-test",
        "PREFLOOP_CAPTURE_SPOOL_DIR": str(settings.spool_dir),
        "PREFLOOP_CAPTURE_KAFKA_BOOTSTRAP": settings.kafka_bootstrap,
        "PREFLOOP_CAPTURE_KAFKA_TOPIC": settings.kafka_topic,
    }
    running = ExampleApp(AppSetup(config, responder, datetime.now(UTC)))
    yield running
    running.stop()


def click_through_the_page(url: str, profile: Path) -> None:
    """Chromium: ask, thumbs-down the answer, regenerate, thumbs-up the new answer."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        context = p.chromium.launch_persistent_context(
            str(profile), executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True
        )
        try:
            page = context.new_page()
            page.goto(url)
            page.fill("#prompt", PROMPT)
            with page.expect_response("**/api/chat") as chat:
                page.click("#send")
            assert chat.value.status == 200
            first = page.locator(".msg.assistant").nth(0)
            first.wait_for()
            assert first.locator(".text").inner_text() == BAD
            with page.expect_response("**/prefloop/feedback") as down:
                first.locator("[data-prefloop-vote=down]").click()
            assert down.value.status == 200, down.value.text()
            with (
                page.expect_response("**/prefloop/regenerate") as regen_event,
                page.expect_response("**/api/regenerate") as regen,
            ):
                first.locator("[data-prefloop-regenerate]").click()
            assert regen_event.value.status == 200 and regen.value.status == 200
            second = page.locator(".msg.assistant").nth(1)
            second.wait_for()
            assert second.locator(".text").inner_text() == GOOD
            with page.expect_response("**/prefloop/feedback") as up:
                second.locator("[data-prefloop-vote=up]").click()
            assert up.value.status == 200, up.value.text()
            assert second.get_attribute("data-prefloop-vote-state") == "up"
            page.wait_for_function("window.prefloop.pending() === 0")
        finally:
            context.close()


def test_clicks_in_the_chat_page_reach_the_release(
    settings: Settings, app: ExampleApp, tmp_path: Path
) -> None:
    from prefloop.curator.ingest.kafka import KafkaSource
    from prefloop.curator.pairing import load_policy
    from prefloop.curator.pipeline import Curator
    from prefloop.curator.releases import BuildOptions, build_release
    from prefloop.curator.releases.months import month_of
    from prefloop.curator.scrub import Scrubber
    from prefloop.curator.tagging import Tagger

    click_through_the_page(app.url, tmp_path / "chromium-profile")
    assert app.flush(30.0), "capture did not ship every event to Kafka"

    store = Store(settings.database_url)
    try:
        cur = Curator(
            store, load_policy(), scrubber=Scrubber(model=settings.spacy_model), tagger=Tagger.load()
        )
        source = KafkaSource(
            cur,
            bootstrap=str(settings.kafka_bootstrap),
            topic=settings.kafka_topic,
            dlq_topic=settings.kafka_dlq_topic,
            group=settings.kafka_group,
            create_topics=False,
        )
        totals = source.run(once=True, join_timeout_s=30.0)
        assert totals.inserted == 5 and totals.dead_letters == 0  # 2 responses, 2 thumbs, 1 regenerate

        with store.session() as s:
            (pair,) = s.scalars(select(Pair)).all()
            assert (pair.chosen, pair.rejected) == (GOOD, BAD)
            status, pair_id = pair.status, pair.pair_id
        assert status in ("accepted", "review")
        if status == "review":
            desk = EmulatedReviewDesk(settings, store)
            try:
                (post,) = desk.post_pending(20.0)
                with store.session() as s:
                    a_is = s.get(ReviewPost, pair_id).a_is  # type: ignore[union-attr]
                good_side = "a" if a_is == "chosen" else "b"
                for reviewer in desk.reviewers[:2]:
                    assert desk.vote(reviewer, post, good_side, "correctness") == 200

                def resolved() -> bool:
                    with store.session() as s:
                        return s.get(Pair, pair_id).status == "accepted"  # type: ignore[union-attr]

                wait_for(resolved)
                wait_for(lambda: desk.emulator.calls_to("chat.update"))
            finally:
                desk.stop()

        built = build_release(
            store, BuildOptions.from_settings(settings, month_of(datetime.now(UTC)), progress=False)
        )
    finally:
        store.dispose()

    rows = [
        json.loads(line)
        for split in ("train", "test")
        for line in (built.path / "jsonl" / f"{split}.jsonl").read_text(encoding="utf-8").splitlines()
    ]
    assert [(r["prompt"], r["chosen"], r["rejected"]) for r in rows] == [
        (
            [{"role": "user", "content": PROMPT}],
            [{"role": "assistant", "content": GOOD}],
            [{"role": "assistant", "content": BAD}],
        )
    ]


def test_the_demo_runs_on_kafka_and_postgresql(
    kafka_bootstrap: str, postgres_url: str, tmp_path: Path
) -> None:
    """`make demo KAFKA=1`: the same loop through the real broker and PostgreSQL; its topics are removed."""
    from kafka import KafkaAdminClient

    from prefloop.curator.cli.demo import adapters
    from prefloop.curator.demo import DemoOptions, run_demo

    settings = Settings.load({}, database_url=postgres_url, kafka_bootstrap=kafka_bootstrap)
    lines: list[str] = []
    summary = run_demo(
        settings,
        DemoOptions(workdir=tmp_path / "demo", conversations=20, seed=5, kafka=True),
        adapters(),
        echo=lines.append,
    )
    assert summary.mode == "kafka" and summary.dead_letters == 0
    assert sum(summary.events.values()) > 20 * 3 and summary.events["response"] >= 20
    assert summary.release["pairs"] == summary.pairs["accepted"] > 0 and summary.leaks["clean"]
    (topic,) = [line.split("topic ")[1].split(",")[0] for line in lines if line.startswith("Kafka ")]
    admin = KafkaAdminClient(bootstrap_servers=kafka_bootstrap, client_id="prefloop-tests")
    try:
        assert not {topic, f"{topic}.dlq"} & set(admin.list_topics())
    finally:
        admin.close()


def test_demo_database_is_recreated_empty(postgres_admin_url: str) -> None:
    """`prefloop demo --kafka` re-creates its own database on the server, leaving the others alone."""
    from sqlalchemy import create_engine, text

    from prefloop.curator.demo.database import fresh_database

    name = f"prefloop_demo_t_{uuid.uuid4().hex[:8]}"
    url = fresh_database(postgres_admin_url, name)
    try:
        engine = create_engine(url)
        with engine.begin() as conn:
            conn.execute(text("CREATE TABLE leftover (x int)"))
        engine.dispose()
        assert fresh_database(postgres_admin_url, name) == url
        engine = create_engine(url)
        with engine.connect() as conn:
            tables = conn.execute(text("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")).all()
        engine.dispose()
        assert tables == []
    finally:
        from tests.conftest import _drop_database

        _drop_database(postgres_admin_url, name)
