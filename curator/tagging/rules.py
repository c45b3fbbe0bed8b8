"""Rule cues for the tactics, compiled from ``rules.yaml`` into a spaCy ``Matcher``.

Rules do what rules do well: fixed injection phrasings ("ignore previous instructions", "you are now DAN",
"print your system prompt", "you have admin access") and the framing cues of social engineering.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from spacy.matcher import Matcher
from spacy.tokens import Doc
from spacy.vocab import Vocab

from prefloop.curator.tagging import messages
from prefloop.curator.tagging.errors import TaxonomyError

__all__ = [
    "DEFAULT_RULES_PATH",
    "RuleHit",
    "RuleSet",
    "compile_pattern",
    "pattern_regex",
    "required_words",
    "token_stream",
]

DEFAULT_RULES_PATH = Path(__file__).with_name("rules.yaml")
#: Separates the tokens of a :func:`token_stream` (a NUL: stored text never holds one; a token that does is refused).
_SEP = "\x00"


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


def pattern_regex(pattern: list[dict[str, Any]]) -> re.Pattern[str]:
    """The regular expression that finds ``pattern`` in a :func:`token_stream`: each token is its words followed by
    the separator (optional with ``?``), a gap ``~N`` is up to N whole tokens."""
    parts = []
    for spec in pattern:
        if "LOWER" not in spec:
            parts.append(f"(?:[^{_SEP}]+{_SEP}){spec['OP']}")
            continue
        words = spec["LOWER"]["IN"] if isinstance(spec["LOWER"], dict) else [spec["LOWER"]]
        token = "(?:" + "|".join(re.escape(w) for w in words) + f"){_SEP}"
        parts.append(f"(?:{token})?" if spec.get("OP") == "?" else token)
    return re.compile(_SEP + "".join(parts))


def token_stream(words: list[str]) -> str | None:
    """The lower-cased tokens of a doc as one string, each followed by a separator (None if a token holds one)."""
    stream = _SEP + _SEP.join(words) + _SEP
    return None if stream.count(_SEP) != len(words) + 1 else stream


class RuleSet:
    """Compiled rule cues. ``match(doc)`` returns ``{tactic: best score}`` plus the hits behind it.

    Most prompts contain none of the word combinations a pattern needs, and the spaCy ``Matcher`` costs ~0.4 ms a
    prompt even then (its gaps are expanded into optional wildcard tokens). So :meth:`hits` first checks, with
    set lookups, whether any pattern could match at all, and runs the matcher only when one could. The check is
    exact: a pattern whose required token has none of its words in the prompt cannot match.

    :meth:`scores` needs only which rules match, not where: it searches the doc's tokens, joined into one string
    (:func:`token_stream`), with one regular expression per pattern (:func:`pattern_regex`), trying only the
    patterns whose required words all occur. Same answer as the matcher (tested against it), at a fraction of its
    cost on long prompts (27 ms a long jailbreak template with the matcher; issue 15, session 9).
    """

    def __init__(self, vocab: Vocab, rules: dict[str, dict[str, dict[str, Any]]]) -> None:
        self._matcher = Matcher(vocab)
        self._needs: list[list[frozenset[str]]] = []
        self._meta: dict[int, tuple[str, str, float]] = {}
        #: per rule: (tactic, rule, score) and each pattern's required words and regular expression
        self._searches: list[
            tuple[tuple[str, str, float], list[tuple[list[frozenset[str]], re.Pattern[str]]]]
        ] = []
        for tactic, groups in rules.items():
            for rule, spec in groups.items():
                key = f"{tactic}/{rule}"
                patterns = [compile_pattern(p) for p in spec.get("patterns", [])]
                if not patterns:
                    continue
                self._matcher.add(key, patterns)
                self._needs.extend(required_words(p) for p in patterns)
                self._meta[vocab.strings[key]] = (tactic, rule, float(spec.get("score", 0.5)))
                self._searches.append(
                    (
                        self._meta[vocab.strings[key]],
                        [(required_words(p), pattern_regex(p)) for p in patterns],
                    )
                )

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

    def matched(self, doc: Doc) -> list[tuple[str, str, float]]:
        """``(tactic, rule, score)`` of every rule with a pattern that matches ``doc`` (what :meth:`hits` finds,
        without the spans)."""
        lowers = [t.lower_ for t in doc]
        words = set(lowers)
        stream: str | None = None
        found = []
        for meta, patterns in self._searches:
            for needs, regex in patterns:
                if not all(req & words for req in needs):
                    continue
                if stream is None:
                    stream = token_stream(lowers)
                    if stream is None:  # a token holds the separator: ask the matcher
                        return sorted({(h.tactic, h.rule, h.score) for h in self.hits(doc)})
                if regex.search(stream):
                    found.append(meta)
                    break
        return found

    def scores(self, doc: Doc) -> dict[str, float]:
        """Best rule score per tactic; strong and weak cues of one tactic combine as independent evidence."""
        best: dict[tuple[str, str], float] = {}
        for tactic, rule, score in self.matched(doc):
            k = (tactic, rule)
            best[k] = max(best.get(k, 0.0), score)
        out: dict[str, float] = {}
        for (tactic, _rule), score in best.items():
            out[tactic] = 1.0 - (1.0 - out.get(tactic, 0.0)) * (1.0 - score)
        return out
