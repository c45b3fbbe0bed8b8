"""Debian's Chromium for the browser tests: where it is and the flags it needs on a machine with no network
(without the background-networking flags it keeps trying, and failing, to reach Google's hosts)."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@contextmanager
def chromium() -> Iterator[Any]:
    """Debian's headless Chromium under playwright, closed afterwards."""
    from playwright.sync_api import sync_playwright

    assert Path(CHROMIUM).exists(), "install Debian's chromium: apt-get install -y chromium"
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


def fail_fetches(keys: list[str]) -> Callable[[Any], None]:
    """A playwright route handler: ``fetch`` requests fail as if the network were down (their idempotency keys
    are recorded in ``keys``); anything else, such as a ``sendBeacon``, goes through."""

    def handle(route: Any) -> None:
        if route.request.resource_type == "fetch":
            keys.append(json.loads(route.request.post_data)["idempotency_key"])
            route.abort("internetdisconnected")
        else:
            route.continue_()

    return handle
