"""slackbot: gold items, pairs with a known answer mixed into the review queue to measure reviewers

Revision ID: 0009_gold_items
Revises: 0008_trace_id_metadata
Create Date: 2026-12-06 14:10:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import prefloop.curator.store.models.base

revision: str = "0009_gold_items"
down_revision: str | Sequence[str] | None = "0008_trace_id_metadata"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "gold_items",
        sa.Column("pair_id", sa.String(length=64), nullable=False),
        sa.Column("answer", sa.String(length=16), nullable=False),
        sa.Column("category", sa.String(length=64), nullable=False),
        sa.Column("source", sa.String(length=64), nullable=False),
        sa.Column("added_at", prefloop.curator.store.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["pair_id"], ["pairs.pair_id"], name=op.f("fk_gold_items_pair_id_pairs"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("pair_id", name=op.f("pk_gold_items")),
    )


def downgrade() -> None:
    op.drop_table("gold_items")
