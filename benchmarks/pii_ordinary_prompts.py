"""Build the second preservation set (``benchmarks/data/pii/ordinary_prompts.jsonl``), once, from public sets.

Run from the repository root with the folder that holds the published files (never at test or benchmark time;
the written file is frozen and a test checks its sha256)::

    python -m benchmarks.pii_ordinary_prompts --source ../shared/data --out benchmarks/data/pii/ordinary_prompts.jsonl

Origins (other than the first preservation set's HH-RLHF turns and written replies): every turn of LMSYS
MT-bench and Vicuna-bench (FastChat, Apache-2.0) and every prompt XSTest labels ``safe`` (CC-BY-4.0): ordinary
requests of many kinds, and public figures, fictional characters and organisations named with no cue that they
are public. Screened before any tuning by one rule: a text that names an invented person outside a public role
(people of word problems and logic puzzles) is left out, since the policy cannot call such a name public; CEOs in
invented news and company data are in a public role and stay.
"""

from __future__ import annotations

import argparse
import csv
import json
from collections.abc import Iterator, Sequence
from pathlib import Path

#: (bench, question_id, turn) left out by the screening rule, with the invented person each names.
SCREENED_OUT = {
    ("mt_bench", 103, 0): "Thomas, a person of a riddle",
    ("mt_bench", 104, 0): "David, a person of a riddle",
    ("mt_bench", 104, 1): "David, a person of a riddle",
    ("mt_bench", 105, 0): "Alice, Bert, Cheryl, David and Enid, people of a logic puzzle",
    ("mt_bench", 109, 0): "Suresh, a person of a riddle",
    ("mt_bench", 109, 1): "Suresh, a person of a riddle",
    ("mt_bench", 119, 0): "Benjamin, a person of a word problem",
    ("mt_bench", 119, 1): "Benjamin, a person of a word problem",
}


def rows(source: Path) -> Iterator[dict[str, object]]:
    for bench in ("mt_bench", "vicuna_bench"):
        with (source / "fastchat_bench" / f"{bench}_questions.jsonl").open(encoding="utf-8") as handle:
            for line in handle:
                record = json.loads(line)
                for turn, text in enumerate(record["turns"]):
                    if (bench, record["question_id"], turn) not in SCREENED_OUT:
                        row = f"{record['question_id']}/{turn}"
                        yield {"source": bench, "row": row, "kind": record["category"], "text": text}
    with (source / "xstest" / "xstest_prompts.csv").open(encoding="utf-8", newline="") as handle:
        for record in csv.DictReader(handle):
            if record["label"] == "safe":
                yield {
                    "source": "xstest",
                    "row": record["id"],
                    "kind": record["type"],
                    "text": record["prompt"],
                }


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--source", type=Path, required=True, help="folder with fastchat_bench/ and xstest/")
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args(argv)
    with args.out.open("w", encoding="utf-8") as out:
        for number, row in enumerate(rows(args.source)):
            out.write(json.dumps({"id": number, **row}, ensure_ascii=False) + "\n")


if __name__ == "__main__":
    main()
