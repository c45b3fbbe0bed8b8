"""Readers that turn the public data sets under ``corpus/sources/`` into labelled examples.

The data sets carry their own categories; this module maps them onto prefloop's taxonomy. Mapping is by the
source's category first and then by keywords in the text (first matching rule wins), because a source category
such as JailbreakBench's "Physical harm" spans several of our hazards (violence, weapons, self-harm).
The rules are approximate by design; ``SOURCES.md`` documents them and their known limits.
"""

from __future__ import annotations

import csv
import gzip
import json
import re
from collections.abc import Iterator
from pathlib import Path

from prefloop.curator.tagging.corpus import Example

__all__ = ["hazard_for", "load_public"]

# (pattern, hazard) in priority order; applied to lower-cased text.
_KEYWORD_RULES: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(p), h)
    for p, h in (
        (
            r"suicid|self-harm|self harm|anorexi|bulimi|kill (my|your)self|end (my|their) li(fe|ves)",
            "self_harm",
        ),
        (
            r"bomb|explosiv|nuclear|uranium|mustard gas|\bvx\b|sarin|nerve agent|biological warfare|bioweapon|"
            r"anthrax|ricin|glock switch|full auto|firearm|\bguns?\b|dimethylmercury|chemical weapon|bsl-4|"
            r"dangerous dna|biohazard|napalm|grenade",
            "weapons",
        ),
        (r"porn|sexual|\bsex\b|nude|erotic|genital|orgasm", "sexual_content"),
        (
            r"racis|sexis|xenophob|ethnic|semit|\bjews?\b|jewish|holocaust|nazi|lgbt|\bgay|disabilit|biracial|"
            r"inferior|less intelligent|older than fifty|immigrant|muslim|black people|white people|slur",
            "hate",
        ),
        (
            r"stalk|medical records|social security|\bdox|surveil|home address|track (someone|their)|spy on",
            "privacy",
        ),
        (r"defamat|insult|hate mail|bully|harass|body sham|humiliat", "harassment"),
        (
            r"mdma|fentanyl|nitazene|\bmeth\b|cocaine|heroin|\bcoke\b|\bcrack\b|\bweed\b|\bdrugs?\b|\blsd\b",
            "illegal_activity",
        ),
        (
            r"phish|scam|fraud|counterfeit|forge|\bfake\b|misinformation|vaccines? cause|persuasive (article|post)",
            "deception_fraud",
        ),
        (r"\bkill|murder|tortur|flay|cruelty|genocide|shoot|stab|poison|strangl|assault|behead", "violence"),
    )
)

_JBB_DEFAULT = {
    "Harassment/Discrimination": "harassment",
    "Malware/Hacking": "illegal_activity",
    "Physical harm": "violence",
    "Economic harm": "illegal_activity",
    "Fraud/Deception": "deception_fraud",
    "Disinformation": "deception_fraud",
    "Sexual/Adult content": "sexual_content",
    "Privacy": "privacy",
    "Expert advice": "specialized_advice",
    "Government decision-making": "illegal_activity",
}
# Categories whose own label beats keywords (the keyword would only name the topic, not the harm).
_JBB_TRUSTED = {"Malware/Hacking", "Fraud/Deception", "Disinformation", "Privacy", "Expert advice"}
_HARMBENCH_DEFAULT = {
    "chemical_biological": "weapons",
    "cybercrime_intrusion": "illegal_activity",
    "illegal": "illegal_activity",
    "misinformation_disinformation": "deception_fraud",
    "harassment_bullying": "harassment",
    "harmful": "violence",
}
_HARMBENCH_SKIPPED = {"copyright"}  # intellectual property is not a hazard of this taxonomy
_XSTEST_BENIGN = {"homonyms", "figurative_language", "safe_targets", "nons_group_real_discr"}
_XSTEST_UNSAFE_DEFAULT = {"contrast_privacy": "privacy", "contrast_discr": "hate"}


def hazard_for(text: str, default: str | None) -> str | None:
    """The first keyword rule's hazard for ``text``, else ``default``."""
    low = text.lower()
    for pattern, hazard in _KEYWORD_RULES:
        if pattern.search(low):
            return hazard
    return default


def _jailbreakbench(root: Path) -> Iterator[Example]:
    with (root / "jbb_behaviors_harmful.csv").open(encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(fh):
            cat = row["category"]
            hazard = _JBB_DEFAULT[cat] if cat in _JBB_TRUSTED else hazard_for(row["goal"], _JBB_DEFAULT[cat])
            yield Example((row["goal"],), "direct_request", (str(hazard),), "jailbreakbench", cat)


def _harmbench(root: Path) -> Iterator[Example]:
    with (root / "harmbench_behaviors_text_val.csv").open(encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(fh):
            cat = row["SemanticCategory"]
            if cat in _HARMBENCH_SKIPPED:
                continue
            default = _HARMBENCH_DEFAULT[cat]
            hazard = default if cat == "cybercrime_intrusion" else hazard_for(row["Behavior"], default)
            yield Example((row["Behavior"],), "direct_request", (str(hazard),), "harmbench", cat)


def _xstest(root: Path) -> Iterator[Example]:
    with (root / "xstest_prompts.csv").open(encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(fh):
            kind, text = row["type"], row["prompt"]
            if row["label"] == "safe":
                tactic = None if kind in _XSTEST_BENIGN else "edge_case"
                yield Example((text,), tactic, (), "xstest", kind)
                continue
            default = _XSTEST_UNSAFE_DEFAULT.get(kind)
            hazard = default or hazard_for(text, "violence")
            yield Example((text,), "direct_request", (str(hazard),), "xstest", kind)


def _fastchat(root: Path) -> Iterator[Example]:
    for name in ("mt_bench_questions.jsonl", "vicuna_bench_questions.jsonl"):
        with (root / name).open(encoding="utf-8") as fh:
            for line in fh:
                row = json.loads(line)
                turns = tuple(row["turns"])
                yield Example(turns, None, (), "fastchat_bench", row.get("category", ""))
                if len(turns) > 1:  # the opening turn alone is also an ordinary prompt
                    yield Example(turns[:1], None, (), "fastchat_bench", row.get("category", ""))


_HUMAN_TURN = re.compile(r"\n\nHuman: (.*?)(?=\n\nAssistant:|\Z)", re.S)


def _hh_rlhf(root: Path, labels: Path) -> Iterator[Example]:
    """Hand-labelled conversations of HH-RLHF harmless-base (``labels/hh_rlhf.tsv``: row, turns, tactic, hazards)."""
    if not labels.is_file():
        return
    wanted: dict[int, tuple[int, str | None, tuple[str, ...]]] = {}
    for line in labels.read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        row, n_raw, tactic_raw, hazards_raw = line.split("\t")
        wanted[int(row)] = (
            int(n_raw),
            None if tactic_raw == "none" else tactic_raw,
            () if hazards_raw == "none" else tuple(hazards_raw.split(",")),
        )
    with gzip.open(root / "harmless-base_test.jsonl.gz", "rt", encoding="utf-8") as fh:
        for idx, line in enumerate(fh):
            if idx not in wanted:
                continue
            n_turns, tactic, hazards = wanted[idx]
            turns = tuple(t.strip() for t in _HUMAN_TURN.findall(json.loads(line)["chosen"]))[:n_turns]
            yield Example(turns, tactic, hazards, "hh_rlhf", str(idx))


def load_public(sources_dir: Path) -> Iterator[Example]:
    """Every labelled example from the public data sets that are present under ``sources_dir``."""
    readers = {
        "jailbreakbench": _jailbreakbench,
        "harmbench": _harmbench,
        "xstest": _xstest,
        "fastchat_bench": _fastchat,
    }
    for name, reader in readers.items():
        if (sources_dir / name).is_dir():
            yield from reader(sources_dir / name)
    if (sources_dir / "hh_rlhf").is_dir():
        yield from _hh_rlhf(sources_dir / "hh_rlhf", sources_dir.parent / "labels" / "hh_rlhf.tsv")
