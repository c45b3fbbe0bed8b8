"""curator ingest and pairing columns

Adds what ingest and pairing need on top of the initial store: the second response of a ``choice`` event,
the "continued by" link between turns, a purge marker on prompt groups and the pair fingerprint used by the
duplicate check.

Revision ID: 0002_curator_ingest
Revises: 0001_initial
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import prefloop.curator.store.models.base

revision: str = "0002_curator_ingest"
down_revision: str | Sequence[str] | None = "0001_initial"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("events", schema=None) as batch_op:
        batch_op.add_column(sa.Column("other_response_id", sa.String(length=128), nullable=True))
        batch_op.create_index("ix_events_other_response", ["other_response_id"], unique=False)
    with op.batch_alter_table("responses", schema=None) as batch_op:
        batch_op.add_column(sa.Column("continued_by", sa.String(length=128), nullable=True))
    with op.batch_alter_table("prompt_groups", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "purged_at", prefloop.curator.store.models.base.UTCDateTime(timezone=True), nullable=True
            )
        )
    with op.batch_alter_table("pairs", schema=None) as batch_op:
        batch_op.add_column(sa.Column("fingerprint", sa.String(length=64), nullable=True))
        batch_op.create_index(batch_op.f("ix_pairs_fingerprint"), ["fingerprint"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("pairs", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_pairs_fingerprint"))
        batch_op.drop_column("fingerprint")
    with op.batch_alter_table("prompt_groups", schema=None) as batch_op:
        batch_op.drop_column("purged_at")
    with op.batch_alter_table("responses", schema=None) as batch_op:
        batch_op.drop_column("continued_by")
    with op.batch_alter_table("events", schema=None) as batch_op:
        batch_op.drop_index("ix_events_other_response")
        batch_op.drop_column("other_response_id")
