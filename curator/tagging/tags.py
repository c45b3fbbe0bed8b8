"""The result of tagging one conversation, and the rule that turns scores into it."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from prefloop.curator.tagging.model import HARMFUL

__all__ = ["SECOND_HAZARD_RATIO", "Tags", "decide", "or_scores"]

#: A hazard besides the strongest one is reported only when its score is at least this share of the strongest.
SECOND_HAZARD_RATIO = 0.6


@dataclass(frozen=True)
class Tags:
    """Tags of one conversation.

    ``tactic`` is null for benign prompts and ``edge_case`` for legitimate requests that look risky; both carry no
    hazards and are not :attr:`harmful`. ``scores`` holds a 0..1 score for every tactic and hazard name.
    """

    tactic: str | None
    hazards: list[str] = field(default_factory=list)
    scores: dict[str, float] = field(default_factory=dict)
    #: The hazards' interoperable codes: ``{"ailuminate": [...], "llama_guard": [...]}`` (from the taxonomy).
    codes: dict[str, list[str]] = field(default_factory=dict)

    @property
    def harmful(self) -> bool:
        return self.tactic is not None and self.tactic != "edge_case"

    def to_dict(self) -> dict[str, Any]:
        return {
            "tactic": self.tactic,
            "hazards": list(self.hazards),
            "codes": {k: list(v) for k, v in self.codes.items()},
            "scores": dict(self.scores),
        }


def or_scores(a: float, b: float) -> float:
    """Combine two independent pieces of evidence: 1 - (1 - a)(1 - b)."""
    return 1.0 - (1.0 - a) * (1.0 - b)


def decide(
    cats: Mapping[str, float],
    rules: Mapping[str, float],
    thresholds: Mapping[str, float],
    hazards: list[str],
    first_turn_harm: float | None = None,
    reader: float | None = None,
) -> Tags:
    """Turn model scores (``cats``) and rule scores into tags.

    ``first_turn_harm`` is the ``harmful`` score of the conversation's first user turn alone; pass it for
    multi-turn conversations so gradual escalation (a harmless start that turns harmful) can be recognised.
    ``reader`` is the injection reader's score (tagger 2.1): a third, independent piece of injection evidence.
    """
    inj = or_scores(cats.get("prompt_injection", 0.0), rules.get("prompt_injection", 0.0))
    if reader is not None:
        inj = or_scores(inj, reader)
    soc = or_scores(cats.get("social_engineering", 0.0), rules.get("social_engineering", 0.0))
    esc = or_scores(cats.get("gradual_escalation", 0.0), rules.get("gradual_escalation", 0.0))
    edge = cats.get("edge_case", 0.0)
    harm = cats.get(HARMFUL, 0.0)
    hz = {h: float(cats.get(h, 0.0)) for h in hazards}
    is_injection = inj >= thresholds.get("prompt_injection", 0.5)
    is_harm = is_injection or harm >= thresholds.get(HARMFUL, 0.5)

    chosen: list[str] = []
    tactic: str | None = None
    if is_harm:
        top = max(hz, key=hz.__getitem__)
        # a second hazard must clear its threshold and be close to the strongest one; an injection that asks for
        # nothing hazardous (harm score under its threshold) keeps an empty list unless a hazard is clear-cut
        harm_ok = harm >= thresholds.get(HARMFUL, 0.5)
        floor = {h: thresholds.get(h, 0.5) if harm_ok else max(thresholds.get(h, 0.5), 0.5) for h in hazards}
        chosen = [h for h in hazards if hz[h] >= floor[h] and hz[h] >= SECOND_HAZARD_RATIO * hz[top]]
        if not chosen and harm_ok:
            chosen = [top]
        chosen.sort(key=lambda h: -hz[h])
        escalated = first_turn_harm is not None and first_turn_harm < thresholds.get(HARMFUL, 0.5)
        if is_injection:
            tactic = "prompt_injection"
        elif soc >= thresholds.get("social_engineering", 0.5):
            tactic = "social_engineering"
        elif escalated or esc >= thresholds.get("gradual_escalation", 0.5):
            tactic = "gradual_escalation"
        else:
            tactic = "direct_request"
    elif edge >= thresholds.get("edge_case", 0.5):
        tactic = "edge_case"

    scores = {
        "direct_request": harm,
        "prompt_injection": inj,
        "social_engineering": soc * harm,
        "gradual_escalation": esc * harm,
        "edge_case": edge,
        **hz,
    }
    return Tags(tactic=tactic, hazards=chosen, scores={k: round(float(v), 4) for k, v in scores.items()})
