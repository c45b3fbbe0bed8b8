"""Tagging speed and model size of the packaged tagger: `python -m benchmarks.tagger_speed` (issue 15, session 12).

Run it under the bench lock (`flock /work/notes/bench.lock nice -n 10 ...`). Tags ``--timed`` prompts of the
benchmark's mix (the last user turn of every corpus row, about half harmful, as `benchmarks.tagger` times it) and
of its ordinary prompts, with each model in turn, ``--rounds`` times (A B A B: every model meets the same load),
per second of wall time and per second of the process's CPU time. Models: the packaged one, and with
``--long-prompts MODE`` the same model reading long prompts' windows (``encoder.long_prompts``). Also the size of
what tagging loads: the model folder, the encoder's ONNX file and its tokenizer. Progress and the load average
before and after go to stderr; the last stdout line is one JSON object.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
from pathlib import Path
from typing import Any

from benchmarks.tagger_scoring import log, throughput
from prefloop.curator.tagging import Tagger
from prefloop.curator.tagging.corpus import load_corpus
from prefloop.curator.tagging.encoder import TOKENIZER_PATH, default_model_path
from prefloop.curator.tagging.tagger import DEFAULT_MODEL_DIR, THRESHOLDS_FILE
from prefloop.curator.tagging.training import source_of


def _load() -> list[float]:
    return [round(x, 2) for x in os.getloadavg()]


def folder_bytes(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


def sizes(model_dir: Path) -> dict[str, int]:
    """Bytes of what tagging loads from disk."""
    out = {
        "model_dir": folder_bytes(model_dir),
        "encoder_onnx": default_model_path().stat().st_size,
        "encoder_tokenizer": TOKENIZER_PATH.stat().st_size,
    }
    return out | {"total": sum(out.values())}


def with_long_prompts(model_dir: Path, out_dir: Path, mode: str) -> Path:
    """A copy of ``model_dir`` whose encoder reads long prompts' windows (``mode``)."""
    import shutil

    shutil.copytree(model_dir, out_dir, dirs_exist_ok=True)
    meta = json.loads((out_dir / THRESHOLDS_FILE).read_text(encoding="utf-8"))
    meta["encoder"]["long_prompts"] = mode
    (out_dir / THRESHOLDS_FILE).write_text(
        json.dumps(meta, indent=2, sort_keys=True) + "\n", encoding="utf-8"
    )
    return out_dir


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument(
        "--model", default=str(DEFAULT_MODEL_DIR), help="model folder (default: the packaged one)"
    )
    ap.add_argument(
        "--long-prompts", choices=("headtail", "every"), help="also time the model reading windows"
    )
    ap.add_argument("--timed", type=int, default=2000, help="prompts per measurement")
    ap.add_argument("--rounds", type=int, default=2)
    args = ap.parse_args(argv)
    model_dir = Path(args.model)
    corpus = sorted(load_corpus(), key=lambda e: e.key)
    mixes = {
        "mix": [e.turns[-1] for e in corpus],
        "ordinary": [e.turns[-1] for e in corpus if e.tactic is None and source_of(e) != "xstest"],
    }
    summary: dict[str, Any] = {"sizes": sizes(model_dir), "load_before": _load()}
    with tempfile.TemporaryDirectory() as tmp:
        models = {"packaged": Tagger.load(model_dir)}
        if args.long_prompts:
            long_dir = with_long_prompts(model_dir, Path(tmp) / "long", args.long_prompts)
            models[f"long_{args.long_prompts}"] = Tagger.load(long_dir)
        for round_ in range(args.rounds):
            for name, model in models.items():
                for mix, texts in mixes.items():
                    wall, cpu = throughput(model, texts, args.timed)
                    summary.setdefault(f"{name}_{mix}_prompts_per_s", []).append(round(wall, 1))
                    summary.setdefault(f"{name}_{mix}_prompts_per_cpu_s", []).append(round(cpu, 1))
                    log(
                        f"round {round_ + 1} {name} {mix}: {wall:.1f} prompts/s, {cpu:.1f}/CPU-s, load {_load()}"
                    )
    summary["load_after"] = _load()
    print(json.dumps(summary, sort_keys=True))
    return 0


if __name__ == "__main__":
    sys.exit(main())
