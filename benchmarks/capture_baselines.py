"""The baselines of :mod:`benchmarks.capture_overhead`: the Langfuse and LangSmith SDKs recording the same answer
(their server a closed local port), each measured by the same harness in a worker process of the separate
virtualenv ``.cache/baselines/venv`` (neither SDK is a prefloop dependency).

    python -m benchmarks.capture_overhead --setup-baselines   # once: create the virtualenv
"""

from __future__ import annotations

import argparse
import contextlib
import gc
import json
import logging
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from flask import Flask, jsonify

from benchmarks.capture_harness import (
    ANSWER,
    CONTEXT,
    answer_body,
    free_port,
    log,
    make_bare,
    measure,
    warm_up,
)

ROOT = Path(__file__).resolve().parent.parent
BASELINE_VENV = ROOT / ".cache" / "baselines" / "venv"
BASELINE_PINS = ["flask==3.1.3", "langfuse==5.2.0", "langsmith==0.14.17"]


def make_langfuse_apps(port: int) -> tuple[Flask, Flask, Callable[[], None]]:
    """The same endpoint recording the answer as a Langfuse generation (server: a closed local port)."""
    from langfuse import Langfuse

    client = Langfuse(public_key="pk-lf-bench", secret_key="sk-lf-bench", host=f"http://127.0.0.1:{port}")
    ext = Flask("assistant")
    ext.config.update(SECRET_KEY="bench")

    @ext.get("/answer")
    def ext_answer() -> Any:
        conversation, text = answer_body()
        with client.start_as_current_observation(
            as_type="generation", name="answer", model="m-1", input=CONTEXT, metadata={"c": conversation}
        ) as generation:
            generation.update(output=text)
            token = generation.id
        return jsonify(conversation=conversation, text=text, token=token)

    return make_bare(), ext, client.shutdown


def make_langsmith_apps(port: int) -> tuple[Flask, Flask, Callable[[], None]]:
    """The same endpoint recording the answer as a LangSmith LLM run (server: a closed local port)."""
    os.environ["LANGSMITH_TRACING"] = "true"
    import langsmith

    client = langsmith.Client(api_url=f"http://127.0.0.1:{port}", api_key="ls-bench")

    @langsmith.traceable(run_type="llm", name="answer", client=client)
    def generate(messages: list[dict[str, str]], conversation: str) -> str:
        return ANSWER

    ext = Flask("assistant")
    ext.config.update(SECRET_KEY="bench")

    @ext.get("/answer")
    def ext_answer() -> Any:
        conversation, _ = answer_body()
        text = generate(CONTEXT, conversation)
        return jsonify(conversation=conversation, text=text, token=None)

    return make_bare(), ext, lambda: client.flush()


def baseline_worker(kind: str, n: int) -> None:
    """Runs inside .cache/baselines/venv: the bare/instrumented pair for one SDK; prints one JSON line."""
    logging.disable(logging.CRITICAL)  # the SDKs log their failed exports to an unreachable server
    port = free_port()
    bare, ext, stop = {"langfuse": make_langfuse_apps, "langsmith": make_langsmith_apps}[kind](port)
    warm_up(bare, ext)
    gc.collect()
    result = measure({kind: (bare, ext)}, n)[kind]
    with contextlib.suppress(Exception):
        stop()
    print(json.dumps(result), flush=True)
    os._exit(0)  # the SDKs' exporter threads keep retrying the unreachable server; do not wait for them


def run_baseline(kind: str, n: int) -> dict[str, float] | None:
    python = BASELINE_VENV / "bin" / "python"
    if not python.exists():
        log(f"{kind}: no baseline virtualenv; run python -m benchmarks.capture_overhead --setup-baselines")
        return None
    proc = subprocess.run(
        [str(python), "-m", "benchmarks.capture_baselines", kind, "--pairs", str(n)],
        capture_output=True,
        text=True,
        timeout=1800,
        cwd=ROOT,
    )
    if proc.returncode != 0:
        log(f"{kind}: worker failed:\n{proc.stderr[-2000:]}")
        return None
    result: dict[str, float] = json.loads(proc.stdout.strip().splitlines()[-1])
    log(f"{kind}: " + ", ".join(f"{k}={v:.1f}" for k, v in result.items()))
    return result


def setup_baselines() -> None:
    subprocess.run([sys.executable, "-m", "venv", str(BASELINE_VENV)], check=True)
    pip = [str(BASELINE_VENV / "bin" / "python"), "-m", "pip", "install", "--quiet", *BASELINE_PINS]
    subprocess.run(pip, check=True)
    log(f"baselines installed in {BASELINE_VENV}: {', '.join(BASELINE_PINS)}")


def main() -> None:
    """The worker's entry point (``run_baseline`` starts it with the baseline virtualenv's interpreter)."""
    ap = argparse.ArgumentParser(description="one baseline SDK's worker")
    ap.add_argument("kind", choices=["langfuse", "langsmith"])
    ap.add_argument("--pairs", type=int, default=3_000)
    args = ap.parse_args()
    baseline_worker(args.kind, args.pairs)


if __name__ == "__main__":
    main()
