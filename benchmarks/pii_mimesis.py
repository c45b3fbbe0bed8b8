"""Build the second PII evaluation set (``benchmarks/data/pii/eval_mimesis.jsonl``): another generator, other shapes.

Run once from the repository root (``mimesis`` is a dev dependency)::

    python -m benchmarks.pii_mimesis [--seed 20261206] [--out benchmarks/data/pii/eval_mimesis.jsonl]

The set was written and frozen before the scrubber was tuned against it (see ``docs/privacy.md`` and
``benchmarks/data/pii/README.md``). Values come from ``mimesis`` (names, streets, cities, postcodes, phone numbers
and companies of 20 locales); identifiers without a mimesis provider (IBAN, US SSN, keys and tokens) are built here
with their real structure and checksums. The templates are shapes the first set (presidio-research) does not have:
e-mail signatures, web forms, CSV / JSON / log pastes, config files with credentials, multi-turn pastes, names
with particles and hyphens, a full name reused later as the first name alone or title + surname, national phone
and address formats, values followed by punctuation. Confusers that must stay unchanged (public figures,
countries and states, cities named generically, organisations, products, code identifiers, technical words,
historical dates) are marked as ``keep`` spans.

Each line: ``{"id", "shape", "locale", "text", "spans": [{"type", "start", "end"}], "keep": [{"kind", "start",
"end"}]}``; offsets are Python string indices into ``text``.

Parts: ``pii_mimesis_vocab`` (locales and confuser lists), ``pii_mimesis_values`` (the labelled-text builder and
one locale's values), ``pii_mimesis_secrets`` (tokens, JWTs, keys), ``pii_mimesis_templates`` (the shapes); this
module draws them in order with one seeded generator.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from pathlib import Path
from typing import Any

from benchmarks.pii_mimesis_templates import (
    t_address_prose,
    t_birth,
    t_code,
    t_config,
    t_csv,
    t_form,
    t_hyphen_greeting,
    t_json,
    t_log,
    t_money,
    t_moving,
    t_multiturn,
    t_network,
    t_partial,
    t_particles,
    t_phone_formats,
    t_places,
    t_public,
    t_secrets_chat,
    t_signature,
    t_tech,
    t_urls,
)
from benchmarks.pii_mimesis_values import Builder, Values, build_set, generate
from benchmarks.pii_mimesis_vocab import LOCALES

OUT = Path(__file__).parent / "data" / "pii" / "eval_mimesis.jsonl"


TEMPLATES: dict[str, tuple[Callable[[Builder, Values, random.Random], None], int]] = {
    "signature": (t_signature, 50),
    "form": (t_form, 45),
    "csv": (t_csv, 30),
    "json": (t_json, 30),
    "log": (t_log, 30),
    "config": (t_config, 45),
    "multiturn": (t_multiturn, 40),
    "particles": (t_particles, 40),
    "partial_names": (t_partial, 35),
    "phone_formats": (t_phone_formats, 45),
    "address_prose": (t_address_prose, 45),
    "moving": (t_moving, 25),
    "money": (t_money, 35),
    "birth": (t_birth, 20),
    "network": (t_network, 20),
    "urls": (t_urls, 20),
    "secrets_chat": (t_secrets_chat, 40),
    "hyphen_greeting": (t_hyphen_greeting, 25),
    "confuser_public": (t_public, 35),
    "confuser_places": (t_places, 30),
    "confuser_code": (t_code, 30),
    "confuser_tech": (t_tech, 25),
}


def build(seed: int) -> list[dict[str, Any]]:
    return build_set(seed, TEMPLATES, LOCALES, Values)


def main(argv: list[str] | None = None) -> None:
    generate(argv, __doc__.split("\n")[0], 20261206, OUT, build)


if __name__ == "__main__":
    main()
