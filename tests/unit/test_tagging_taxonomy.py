from __future__ import annotations

from pathlib import Path

import pytest

from prefloop.curator.tagging import Taxonomy, TaxonomyError

TACTICS = ["direct_request", "prompt_injection", "social_engineering", "gradual_escalation", "edge_case"]
HAZARDS = [
    "violence",
    "harassment",
    "privacy",
    "illegal_activity",
    "deception_fraud",
    "self_harm",
    "hate",
    "sexual_content",
    "weapons",
    "specialized_advice",
]


def test_packaged_taxonomy_has_the_agreed_names_in_order() -> None:
    tax = Taxonomy.load()
    assert tax.tactic_names == TACTICS
    assert tax.hazard_names == HAZARDS


def test_tactic_target_ranges_follow_the_seed_document() -> None:
    ranges = Taxonomy.load().target_ranges()
    assert ranges["tactics"]["direct_request"] == (0.25, 0.35)
    assert ranges["tactics"]["prompt_injection"] == (0.15, 0.25)
    assert ranges["tactics"]["social_engineering"] == (0.15, 0.20)
    assert ranges["tactics"]["gradual_escalation"] == (0.10, 0.15)
    assert ranges["tactics"]["edge_case"] == (0.20, 0.30)
    assert set(ranges["hazards"]) == set(HAZARDS)


def test_every_hazard_maps_to_llama_guard_and_ailuminate_codes() -> None:
    tax = Taxonomy.load()
    for hazard in tax.hazards:
        assert hazard.codes["llama_guard"], hazard.name
        assert all(c.startswith("S") and 1 <= int(c[1:]) <= 14 for c in hazard.codes["llama_guard"])
        assert hazard.codes["ailuminate"], hazard.name
        assert hazard.subcategories and hazard.examples and hazard.description
    assert tax.get("self_harm").codes == {"llama_guard": ("S11",), "ailuminate": ("ssh",)}
    assert {"S12", "S4"} <= set(tax.get("sexual_content").codes["llama_guard"])


def test_prompt_injection_lists_the_four_subcategories() -> None:
    subs = [s.name for s in Taxonomy.load().get("prompt_injection").subcategories]
    assert subs == [
        "role_override",
        "instruction_injection",
        "system_prompt_extraction",
        "permission_escalation",
    ]


def test_a_team_can_extend_the_taxonomy_without_code(tmp_path: Path) -> None:
    text = Path(Taxonomy.load().path).read_text(encoding="utf-8")
    extra = "      - {name: ransomware, description: Encrypting files for ransom.}\n"
    marker = "      - {name: cybercrime, description: Hacking, malware, ransomware, DDoS.}\n"
    path = tmp_path / "taxonomy.yaml"
    path.write_text(text.replace(marker, marker + extra), encoding="utf-8")
    subs = [s.name for s in Taxonomy.load(path).get("illegal_activity").subcategories]
    assert "ransomware" in subs and "cybercrime" in subs


@pytest.mark.parametrize(
    ("body", "fragment"),
    [
        ("tactics: []\nhazards: []\n", "'tactics' must be a non-empty list"),
        ("tactics:\n  - {name: a, target_share: [0.5, 0.2]}\nhazards:\n  - {name: b}\n", "target_share"),
        ("tactics:\n  - {name: a}\nhazards:\n  - {name: a}\n", "duplicate names"),
        ("tactics: [\n", "invalid"),
    ],
)
def test_invalid_taxonomy_files_fail_with_a_clear_message(tmp_path: Path, body: str, fragment: str) -> None:
    path = tmp_path / "t.yaml"
    path.write_text(body, encoding="utf-8")
    with pytest.raises(TaxonomyError, match="invalid") as info:
        Taxonomy.load(path)
    assert fragment in str(info.value)


def test_missing_taxonomy_file_names_the_path(tmp_path: Path) -> None:
    with pytest.raises(TaxonomyError) as info:
        Taxonomy.load(tmp_path / "nope.yaml")
    assert info.value.value == str(tmp_path / "nope.yaml")
