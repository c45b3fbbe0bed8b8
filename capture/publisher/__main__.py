"""``python -m prefloop.capture.publisher``: the sidecar sender process (started by the publisher, not by hand)."""

from __future__ import annotations

from prefloop.capture.publisher.sidecar import main

main()
