"""releases: recompute the fingerprints of released prompts that hold scrubber placeholders

Before this revision the near-duplicate normalisation looked for ``<PERSON_1>`` while the scrubber writes
``[PERSON_1]``, so a released prompt with placeholders was recorded with a fingerprint that kept the number
(``person_1``). Fingerprints are now computed with placeholders by type (``placeholder_person``): a prompt that
differs from a shipped one only in placeholder numbers must find it. This recomputes ``released_prompts.
fingerprint`` from the group's prompt (the pair with the lowest id, as the build reads a group) for the rows
whose prompt holds a ``[TYPE_n]`` placeholder; the others already have the current fingerprint.

Offline (``prefloop db upgrade --sql``) the recomputation cannot be written as SQL (NFKC, a regular expression
and a hash): the script says so in a comment, and those rows keep their old fingerprints (they are then found
across releases by their group key only, as before this revision).

Revision ID: 0012_refingerprint_placeholders
Revises: 0011_signal_kind_outcomes
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import context, op

from prefloop.curator.releases.rows import prompt_fingerprint
from prefloop.curator.store.models.base import JSONType

revision: str = "0012_refingerprint_placeholders"
down_revision: str | Sequence[str] | None = "0011_signal_kind_outcomes"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

#: what the scrubber writes: the rows to recompute hold one of these in their prompt
_SCRUBBER_PLACEHOLDER = re.compile(r"\[[A-Z][A-Z0-9_]*?_\d+\]")
_BATCH = 1000
OFFLINE_NOTE = (
    "-- 0012_refingerprint_placeholders: released_prompts.fingerprint of prompts with scrubber placeholders is "
    "recomputed in Python by an online `prefloop db upgrade` only; this script leaves those rows as they were"
)


def upgrade() -> None:
    if context.is_offline_mode():
        op.execute(sa.text(OFFLINE_NOTE))
        return
    bind = op.get_bind()
    released = sa.table("released_prompts", sa.column("group_key"), sa.column("fingerprint"))
    pairs = sa.table("pairs", sa.column("pair_id"), sa.column("group_key"), sa.column("prompt", JSONType))
    first = (
        sa.select(pairs.c.group_key, sa.func.min(pairs.c.pair_id).label("pair_id"))
        .group_by(pairs.c.group_key)
        .subquery()
    )
    rows = bind.execute(
        sa.select(released.c.group_key, released.c.fingerprint, pairs.c.prompt)
        .join(first, first.c.group_key == released.c.group_key)
        .join(pairs, pairs.c.pair_id == first.c.pair_id)
        .order_by(released.c.group_key)
        .execution_options(yield_per=5000)
    )
    changes = []  # read to the end before writing: one connection
    for key, old, prompt in rows:
        texts = [str(m.get("content", "")) for m in prompt or [] if m.get("role") != "system"]
        if not any(_SCRUBBER_PLACEHOLDER.search(t) for t in texts):
            continue
        new = prompt_fingerprint(prompt)
        if new != old:
            changes.append({"k": key, "f": new})
    update = (
        sa.update(released)
        .where(released.c.group_key == sa.bindparam("k"))
        .values(fingerprint=sa.bindparam("f"))
    )
    for i in range(0, len(changes), _BATCH):
        bind.execute(update, changes[i : i + _BATCH])


def downgrade() -> None:
    """Nothing to undo: the old fingerprints cannot be told apart from the current ones by the old code's
    readers, which only compare fingerprints for equality."""
