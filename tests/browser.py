"""Debian's Chromium for the browser tests: where it is and the flags it needs on a machine with no network
(without the background-networking flags it keeps trying, and failing, to reach Google's hosts)."""

from __future__ import annotations

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
