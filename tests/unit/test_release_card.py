"""The dataset card: its load lines run on a real built release and load what the manifest counts; it has the
hub template's sections, filled from the release."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

from prefloop.curator.releases import BuildOptions, GatePolicy, build_release
from prefloop.curator.releases.card_sections import COLUMN_DOCS
from prefloop.curator.releases.rows import SCHEMA
from prefloop.curator.store import Store
from tests.unit.release_factories import SmallTaxonomy, add_pairs

SECTIONS = (
    "## Dataset Structure",
    "## Uses",
    "### Direct Use",
    "### Out-of-Scope Use",
    "## Dataset Creation",
    "### Personal and Sensitive Information",
    "## Bias, Risks, and Limitations",
    "## Citation",
    "## Dataset Card Contact",
)


def _build(store: Store, root: Path, **kw: object) -> Path:
    opts = BuildOptions(
        month="2026-10",
        root=root,
        progress=False,
        test_share=0.3,
        policy=GatePolicy(min_pairs_warning=10),
        **kw,
    )
    return build_release(store, opts, taxonomy=SmallTaxonomy()).path


def test_the_cards_load_lines_run_on_the_release_and_load_every_row(store: Store, tmp_path: Path) -> None:
    add_pairs(store, 20)
    path = _build(store, tmp_path / "rel")
    card = (path / "README.md").read_text()
    blocks = re.findall(r"```python\n(.*?)```", card, flags=re.S)
    assert blocks, "the card shows how to load the release"
    check = (
        "\nimport json\n"
        "print(json.dumps({name: {s: d.num_rows for s, d in value.items()} "
        "for name, value in (('parquet', ds), ('json', ds_json), ('arrow', ds_arrow))}))\n"
    )
    env = {**os.environ, "HF_HOME": str(tmp_path / "hf"), "HF_DATASETS_OFFLINE": "1", "HF_HUB_OFFLINE": "1"}
    done = subprocess.run(
        [sys.executable, "-c", "".join(blocks) + check],
        cwd=path,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    loaded = json.loads(done.stdout.strip().splitlines()[-1])
    counts = json.loads((path / "manifest.json").read_text())["counts"]
    expected = {"train": counts["train"], "test": counts["test"]}
    assert expected["train"] > 0 and expected["test"] > 0
    assert loaded == {"parquet": expected, "json": expected, "arrow": expected}


def test_the_parquet_folder_loads_on_its_own_and_the_folder_loads_as_the_hub_would(
    store: Store, tmp_path: Path
) -> None:
    """``data_dir="data"`` (every file in ``data/`` read as Parquet), the card's own ``data_files`` line and the
    whole folder read as the hub reads a repository (the card's ``configs``) all load every row; the JSON lines
    load from their own folder."""
    add_pairs(store, 20)
    path = _build(store, tmp_path / "rel")
    card = (path / "README.md").read_text()
    (card_line,) = [line for line in card.splitlines() if line.startswith('ds = load_dataset("parquet"')]
    script = (
        "import json, os\n"
        "from datasets import load_dataset\n"
        f"{card_line}\n"
        "loads = {\n"
        "    'card': ds,\n"
        "    'data_dir': load_dataset('parquet', data_dir='data'),\n"
        "    'json_dir': load_dataset('json', data_dir='jsonl'),\n"
        "    'folder': load_dataset(os.getcwd()),\n"
        "}\n"
        "print(json.dumps({k: {s: d.num_rows for s, d in v.items()} for k, v in loads.items()}))\n"
    )
    env = {**os.environ, "HF_HOME": str(tmp_path / "hf"), "HF_DATASETS_OFFLINE": "1", "HF_HUB_OFFLINE": "1"}
    done = subprocess.run(
        [sys.executable, "-c", script], cwd=path, env=env, capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stderr[-2000:]
    loaded = json.loads(done.stdout.strip().splitlines()[-1])
    counts = json.loads((path / "manifest.json").read_text())["counts"]
    expected = {"train": counts["train"], "test": counts["test"]}
    assert expected["train"] > 0 and expected["test"] > 0
    assert loaded == {"card": expected, "data_dir": expected, "json_dir": expected, "folder": expected}
    assert sorted(p.name for p in (path / "data").iterdir()) == ["test.parquet", "train.parquet"]


def test_the_card_has_the_hub_templates_sections_filled_from_the_release(
    store: Store, tmp_path: Path
) -> None:
    add_pairs(store, 12)
    card = (_build(store, tmp_path / "a", contact="data-team@example.org") / "README.md").read_text()
    positions = [card.find(section + "\n") for section in SECTIONS]
    assert all(p > 0 for p in positions), [s for s, p in zip(SECTIONS, positions, strict=True) if p < 0]
    manifest_counts = json.loads((tmp_path / "a" / "2026-10" / "manifest.json").read_text())["counts"]
    structure = card[card.index("## Dataset Structure") : card.index("## Uses")]
    for field in SCHEMA:  # every column, with its type and what it holds
        assert f"| `{field.name}` |" in structure and COLUMN_DOCS[field.name] in structure, field.name
    assert f"`train` ({manifest_counts['train']} pairs)" in structure
    assert "`scrub-1` (24)" in card  # the scrubber versions on the pairs
    assert "year   = {2026}" in card and "24 pairs, license cc-by-4.0" in card
    assert card.rstrip().endswith("data-team@example.org")
    unset = (_build(store, tmp_path / "b") / "README.md").read_text()
    assert "PREFLOOP_RELEASE_CONTACT" in unset[unset.index("## Dataset Card Contact") :]


def test_every_released_column_is_described() -> None:
    assert [f.name for f in SCHEMA if f.name not in COLUMN_DOCS] == []


def test_the_card_reports_the_audit_of_automatic_acceptance(store: Store, tmp_path: Path) -> None:
    from prefloop.curator.store.models import ReviewPost

    add_pairs(store, 12)
    empty = (_build(store, tmp_path / "a") / "README.md").read_text()
    assert "audit of automatic acceptance: no audit pair resolved yet" in empty
    audited = add_pairs(
        store, 5, pairs_per_group=1, prefix="audited", route_reasons=["audit: drawn", "strong_signal: 0.97"]
    )
    unrelated = add_pairs(store, 2, pairs_per_group=1, prefix="weak", route_reasons=["weak_signal: 0.9"])
    with store.session() as s:
        for i, pid in enumerate([*audited, *unrelated]):
            outcome = "rejected" if i == 0 else "both_bad" if i == 1 else "chosen"
            s.add(
                ReviewPost(pair_id=pid, a_is="chosen", rubric_version="r1", state="resolved", outcome=outcome)
            )
    card = (_build(store, tmp_path / "b") / "README.md").read_text()
    assert (
        "reviewers confirmed the users' side on 3 of 5 pairs drawn at random from those that met the bar "
        "for automatic acceptance (60%, 95% interval 23%-88%" in card
    )


def test_the_card_reports_strength_against_review(store: Store, tmp_path: Path) -> None:
    from prefloop.curator.store.models import ReviewPost

    add_pairs(store, 12)
    empty = (_build(store, tmp_path / "a") / "README.md").read_text()
    assert "strength against review: no pair below the bar or audited resolved yet" in empty
    weak = add_pairs(
        store,
        25,
        pairs_per_group=1,
        prefix="weak",
        strength=0.92,
        route_reasons=["weak_signal: 0.920 < 0.950"],
    )
    # met the bar, reviewed for a conflict: not a fair sample of its band, left out
    conflicted = add_pairs(store, 3, pairs_per_group=1, prefix="conf", route_reasons=["conflict: 1 signal"])
    with store.session() as s:
        for i, pid in enumerate([*weak, *conflicted]):
            outcome = "chosen" if i < 18 else "rejected"
            s.add(
                ReviewPost(pair_id=pid, a_is="chosen", rubric_version="r1", state="resolved", outcome=outcome)
            )
    card = (_build(store, tmp_path / "b") / "README.md").read_text()
    assert (
        "0.90-0.95: 18 of 25 confirmed (72%, 95% interval 52%-86%) at strength 0.92, over-confident" in card
    )
    assert "0.95-1.00" not in card[card.index("strength against review") :].split("\n")[0]
