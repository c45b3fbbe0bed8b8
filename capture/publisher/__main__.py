"""``python -m capture.publisher``: the sidecar sender process (started by the publisher, not by hand)."""

from __future__ import annotations

from capture.publisher.sidecar import main

main()
