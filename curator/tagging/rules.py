"""Rule cues for the tactics, compiled from ``rules.yaml`` into a spaCy ``Matcher``.

Rules do what rules do well: fixed injection phrasings ("ignore previous instructions", "you are now DAN",
"print your system prompt", "you have admin access") and the framing cues of social engineering.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from spacy.matcher import Matcher
from spacy.tokens import Doc
from spacy.vocab import Vocab

from prefloop.curator.tagging import messages
from prefloop.curator.tagging.errors import TaxonomyError

__all__ = ["DEFAULT_RULES_PATH", "RuleHit", "RuleSet", "compile_pattern", "required_words"]

DEFAULT_RULES_PATH = Path(__file__).with_name("rules.yaml")


@dataclass(frozen=True)
class RuleHit:
    tactic: str
    rule: str
    score: float
    text: str


def compile_pattern(source: str) -> list[dict[str, Any]]:
    """Turn ``"ignore ~3 previous|prior instructions"`` into a spaCy Matcher token pattern."""
    pattern: list[dict[str, Any]] = []
    for tok in source.split():
        if tok.startswith("~") and tok[1:].isdigit():
            pattern.append({"OP": f"{{0,{int(tok[1:])}}}"})
            continue
        optional = tok.endswith("?") and len(tok) > 1
        words = (tok[:-1] if optional else tok).split("|")
        spec: dict[str, Any] = {"LOWER": words[0]} if len(words) == 1 else {"LOWER": {"IN": words}}
        if optional:
            spec["OP"] = "?"
        pattern.append(spec)
    return pattern


def required_words(pattern: list[dict[str, Any]]) -> list[frozenset[str]]:
    """For each token a pattern cannot do without, the words that token may be (gaps and optionals are left out)."""
    out = []
    for spec in pattern:
        if "LOWER" not in spec or spec.get("OP") in ("?", "*"):
            continue
        words = spec["LOWER"]
        out.append(frozenset(words["IN"] if isinstance(words, dict) else [words]))
    return out


class RuleSet:
    """Compiled rule cues. ``match(doc)`` returns ``{tactic: best score}`` plus the hits behind it.

    Most prompts contain none of the word combinations a pattern needs, and the spaCy ``Matcher`` costs ~0.4 ms a
    prompt even then (its gaps are expanded into optional wildcard tokens). So :meth:`hits` first checks, with
    set lookups, whether any pattern could match at all, and runs the matcher only when one could. The check is
    exact: a pattern whose required token has none of its words in the prompt cannot match.
    """

    def __init__(self, vocab: Vocab, rules: dict[str, dict[str, dict[str, Any]]]) -> None:
        self._matcher = Matcher(vocab)
        self._needs: list[list[frozenset[str]]] = []
        self._meta: dict[int, tuple[str, str, float]] = {}
        for tactic, groups in rules.items():
            for rule, spec in groups.items():
                key = f"{tactic}/{rule}"
                patterns = [compile_pattern(p) for p in spec.get("patterns", [])]
                if not patterns:
                    continue
                self._matcher.add(key, patterns)
                self._needs.extend(required_words(p) for p in patterns)
                self._meta[vocab.strings[key]] = (tactic, rule, float(spec.get("score", 0.5)))

    @classmethod
    def load(cls, vocab: Vocab, path: Path | str | None = None) -> RuleSet:
        p = Path(path) if path is not None else DEFAULT_RULES_PATH
        try:
            data = yaml.safe_load(p.read_text(encoding="utf-8"))
        except (OSError, yaml.YAMLError) as exc:
            raise TaxonomyError(messages.TAXONOMY_INVALID.format(path=p, reason=exc), value=str(p)) from exc
        if not isinstance(data, dict):
            raise TaxonomyError(
                messages.TAXONOMY_INVALID.format(path=p, reason="not a mapping"), value=str(p)
            )
        return cls(vocab, data)

    def could_match(self, doc: Doc) -> bool:
        """False when no pattern can match ``doc`` (each has a required token none of whose words occur)."""
        words = {t.lower_ for t in doc}
        return any(all(req & words for req in needs) for needs in self._needs)

    def hits(self, doc: Doc) -> list[RuleHit]:
        if not self.could_match(doc):
            return []
        found = []
        for match_id, start, end in self._matcher(doc):
            tactic, rule, score = self._meta[match_id]
            found.append(RuleHit(tactic, rule, score, doc[start:end].text))
        return found

    def scores(self, doc: Doc) -> dict[str, float]:
        """Best rule score per tactic; strong and weak cues of one tactic combine as independent evidence."""
        best: dict[tuple[str, str], float] = {}
        for hit in self.hits(doc):
            k = (hit.tactic, hit.rule)
            best[k] = max(best.get(k, 0.0), hit.score)
        out: dict[str, float] = {}
        for (tactic, _rule), score in best.items():
            out[tactic] = 1.0 - (1.0 - out.get(tactic, 0.0)) * (1.0 - score)
        return out
