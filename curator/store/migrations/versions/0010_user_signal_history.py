"""review: users' reviewer-verified signal history (confirmed/contradicted), read by pairing

Revision ID: 0010_user_signal_history
Revises: 0009_gold_items
Create Date: 2026-12-06 14:45:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import prefloop.curator.store.models.base

revision: str = "0010_user_signal_history"
down_revision: str | Sequence[str] | None = "0009_gold_items"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "user_signal_history",
        sa.Column("user", sa.String(length=128), nullable=False),
        sa.Column("confirmed", sa.Integer(), nullable=False),
        sa.Column("contradicted", sa.Integer(), nullable=False),
        sa.Column(
            "updated_at", prefloop.curator.store.models.base.UTCDateTime(timezone=True), nullable=False
        ),
        sa.PrimaryKeyConstraint("user", name=op.f("pk_user_signal_history")),
    )


def downgrade() -> None:
    op.drop_table("user_signal_history")
