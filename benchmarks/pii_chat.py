"""Build the third PII evaluation set (``benchmarks/data/pii/eval_chat.jsonl``): chat, a third origin.

Run once from the repository root::

    python -m benchmarks.pii_chat [--seed 20261207] [--out benchmarks/data/pii/eval_chat.jsonl]

Neither faker (set 1), mimesis (set 2) nor presidio-research's templates: the values are hand-written pools of 13
locales (``pii_chat_values``) and the templates (``pii_chat_templates``) are chat messages people send an assistant
about their own lives — one-liners naming a colleague or neighbour with no title, group-chat exports, delivery
addresses, phone numbers in the shapes people type, bookings, where someone lives or travels, ids, e-mails, short
messages in the locale's language, lower-case phone typing, pasted messages with a sign-off — and ordinary replies
naming public figures, places, products and organisations that must stay. Written and frozen before any rule was
changed for it (sha256 in ``tests/unit/test_pii_sets.py``).

Each line: ``{"id", "shape", "locale", "text", "spans": [{"type", "start", "end"}], "keep": [{"kind", "start",
"end"}]}`` (the format of set 2).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from benchmarks.pii_chat_templates import TEMPLATES
from benchmarks.pii_chat_values import LOCALES, Values
from benchmarks.pii_mimesis_values import build_set, generate

OUT = Path(__file__).parent / "data" / "pii" / "eval_chat.jsonl"


def build(seed: int) -> list[dict[str, Any]]:
    return build_set(seed, TEMPLATES, LOCALES, Values, lambda locale: locale.code)


def main(argv: list[str] | None = None) -> None:
    generate(argv, __doc__.split("\n")[0], 20261207, OUT, build)


if __name__ == "__main__":
    main()
