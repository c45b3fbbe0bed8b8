"""The compose stack end to end, timed: build the images (deploy/containers build), bring up
deploy/compose/compose.yaml with the Slack-emulator override, send feedback through a capture app to Kafka, wait for
the pairs in PostgreSQL and in the emulator's review channel, take it down.

    python -m benchmarks.compose_stack [--quick]

The same flow as tests/integration/test_compose_stack.py (whose functions it runs). --quick is the same run (the
flow is already the smallest one that shows a pair reaching review). No baseline: the goal is absolute (keep CI
time reasonable). Last line: one JSON object.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path

from tests.integration.test_compose_stack import Stack, build_images, run_flow


def main(argv: list[str] | None = None) -> dict[str, object]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--quick", action="store_true", help="the same run (kept for the benchmarks' interface)"
    )
    parser.parse_args(argv)
    out: dict[str, object] = {"benchmark": "compose_stack", "load_average_1m": round(os.getloadavg()[0], 2)}
    out["build_s"] = round(build_images(), 1)
    print(f"images built in {out['build_s']} s", file=sys.stderr)
    with tempfile.TemporaryDirectory() as tmp:
        stack = Stack(Path(tmp))
        t0 = time.monotonic()
        try:
            stack.compose("up", "-d", "--no-build", timeout=600)
            out["compose_up_s"] = round(time.monotonic() - t0, 1)
            out |= run_flow(stack)
        finally:
            t1 = time.monotonic()
            left = stack.down()
            out["compose_down_s"] = round(time.monotonic() - t1, 1)
    out["total_s"] = round(sum(v for k, v in out.items() if k.endswith("_s") and isinstance(v, float)), 1)
    if left:
        raise SystemExit(f"containers left after down: {left}")
    return out


if __name__ == "__main__":
    print(json.dumps(main()))
