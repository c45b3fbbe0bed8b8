"""The browser helper (capture/static/prefloop.js) in real headless Chromium against a real Flask app
served on 127.0.0.1 (embedded mode: events land in the spool, which the test reads)."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask, render_template_string, session
from werkzeug.serving import make_server

from prefloop.capture import FeedbackCapture
from tests.browser import chromium, fail_fetches
from tests.spool import spool_events, wait_for_events

pytestmark = pytest.mark.integration


PAGE = """<!doctype html><html><head><meta charset="utf-8">{{ prefloop_script() }}</head><body>
<div id="r1" data-prefloop-token="{{ t1 }}"><p>Answer one</p>
  <button id="up1" data-prefloop-vote="up">up</button>
  <button id="down1" data-prefloop-vote="down" data-prefloop-reason="incorrect">down</button>
  <button id="regen1" data-prefloop-regenerate>regenerate</button>
  <form id="edit1" data-prefloop-edit><textarea name="edited_text"></textarea><button id="save1">save</button></form>
</div>
<div id="pair" data-prefloop-choice data-prefloop-token-a="{{ t1 }}" data-prefloop-token-b="{{ t2 }}">
  <button id="preferB" data-prefloop-prefer="b">B is better</button>
</div>
<a id="away" href="/away">leave</a>
</body></html>"""


class Server:
    def __init__(self, spool: Path) -> None:
        app = Flask("assistant")
        app.config.update(SECRET_KEY="browser-secret", PREFLOOP_CAPTURE_SPOOL_DIR=str(spool))
        self.capture = FeedbackCapture(app, user_loader=lambda: session.get("user"))
        self.app = app
        self.spool = spool

        @app.get("/")
        def index() -> str:
            session["user"] = "alice"
            ctx = [{"role": "user", "content": "2+2?"}]
            t1 = self.capture.response_shown(
                conversation_id="conv-1", context=ctx, text="4", model="m", user="alice"
            )
            t2 = self.capture.response_shown(
                conversation_id="conv-1", context=ctx, text="four", model="m", user="alice"
            )
            return render_template_string(PAGE, t1=t1, t2=t2)

        @app.get("/away")
        def away() -> str:
            return "bye"

        self.server = make_server("127.0.0.1", 0, app, threaded=True)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def events(self, kind: str | None = None) -> list[dict[str, Any]]:
        assert self.capture.flush(5, app=self.app)
        return spool_events(self.spool, kind)

    def wait_for(self, kind: str, count: int, timeout: float = 10.0) -> list[dict[str, Any]]:
        return wait_for_events(self.events, kind, count, timeout)

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.capture.shutdown(app=self.app)


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with chromium() as b:
        yield b


@pytest.fixture()
def server(tmp_path: Path) -> Iterator[Server]:
    s = Server(tmp_path / "spool")
    yield s
    s.close()


@pytest.fixture()
def page(browser: Any, server: Server) -> Iterator[Any]:
    context = browser.new_context()
    pg = context.new_page()
    pg.goto(server.url + "/")
    pg.wait_for_function("window.prefloop && window.prefloop.version === 1")
    yield pg
    context.close()


def sent(page: Any, count: int) -> None:
    """Wait until ``count`` requests were acknowledged (the helper dispatches prefloop:sent)."""
    page.wait_for_function(f"window.__sent >= {count}")


def track(page: Any) -> None:
    page.evaluate("window.__sent = 0; document.addEventListener('prefloop:sent', () => window.__sent++)")


def test_vote_change_and_retract(page: Any, server: Server) -> None:
    track(page)
    page.click("#up1")
    sent(page, 1)
    assert page.get_attribute("#up1", "aria-pressed") == "true"
    page.click("#down1")  # change the vote
    sent(page, 2)
    assert page.get_attribute("#up1", "aria-pressed") == "false"
    assert page.get_attribute("#down1", "aria-pressed") == "true"
    page.click("#down1")  # the same button again: retract
    sent(page, 3)
    assert page.get_attribute("#r1", "data-prefloop-vote-state") == ""
    fb = server.wait_for("feedback", 3)
    assert [(e.get("rating"), e.get("reason"), e["retract"]) for e in fb] == [
        (1, None, False),
        (-1, "incorrect", False),
        (None, None, True),
    ]
    response = server.events("response")[0]
    assert {e["response_id"] for e in fb} == {response["response_id"]}
    assert len({e["idempotency_key"] for e in fb}) == 3  # one key per click
    assert all(e["client_version"] == "prefloop.js/1" for e in fb)


def test_regenerate_choice_and_edit(page: Any, server: Server) -> None:
    track(page)
    page.click("#regen1")
    page.click("#preferB")
    page.fill("#edit1 textarea", "Four, exactly.")
    page.click("#save1")
    sent(page, 3)
    r1, r2 = server.events("response")
    assert server.wait_for("regenerate", 1)[0]["response_id"] == r1["response_id"]
    choice = server.wait_for("choice", 1)[0]
    assert (choice["response_a"], choice["response_b"], choice["preferred"]) == (
        r1["response_id"],
        r2["response_id"],
        "b",
    )
    assert server.wait_for("edit", 1)[0]["edited_text"] == "Four, exactly."
    assert page.url.endswith("/")  # the edit form did not navigate


def test_a_retried_click_is_counted_once(page: Any, server: Server) -> None:
    """The server accepts the click but the answer is lost on the way back: the helper retries with the
    same idempotency key and the server acknowledges without emitting it again."""
    attempts: list[str] = []

    def lose_first_answer(route: Any) -> None:
        attempts.append(json.loads(route.request.post_data)["idempotency_key"])
        response = route.fetch()  # the server handles it
        if len(attempts) == 1:
            route.abort("connectionreset")
        else:
            route.fulfill(response=response)

    page.route("**/prefloop/feedback", lose_first_answer)
    track(page)
    page.click("#up1")
    sent(page, 1)
    assert len(attempts) == 2 and attempts[0] == attempts[1]
    assert len(server.wait_for("feedback", 1)) == 1
    time.sleep(0.2)
    assert len(server.events("feedback")) == 1
    assert server.capture.metrics(app=server.app).value("prefloop_capture_duplicate_clicks_total") == 1


def test_click_right_before_leaving_the_page_arrives(page: Any, server: Server) -> None:
    page.evaluate("document.getElementById('down1').click(); location.href = '/away'")
    page.wait_for_url("**/away")
    fb = server.wait_for("feedback", 1)
    assert len(fb) == 1 and fb[0]["rating"] == -1


def test_unacknowledged_click_is_beaconed_on_pagehide(page: Any, server: Server) -> None:
    """fetch fails (network down for fetch), the page is left before a retry: sendBeacon delivers the click
    with the same idempotency key."""
    fetch_keys: list[str] = []

    page.route("**/prefloop/feedback", fail_fetches(fetch_keys))
    page.click("#up1")
    page.wait_for_function("window.prefloop.pending() === 1")
    page.wait_for_timeout(50)
    page.goto(server.url + "/away")
    fb = server.wait_for("feedback", 1)
    assert len(fb) == 1 and fb[0]["rating"] == 1
    assert fetch_keys and fb[0]["idempotency_key"] == fetch_keys[0]
