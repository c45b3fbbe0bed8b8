"""review: reviewer outcomes per signal kind (confirmed/contradicted), read by pairing to re-estimate reliabilities

Revision ID: 0011_signal_kind_outcomes
Revises: 0010_user_signal_history
Create Date: 2026-12-06 16:40:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import prefloop.curator.store.models.base

revision: str = "0011_signal_kind_outcomes"
down_revision: str | Sequence[str] | None = "0010_user_signal_history"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "signal_kind_outcomes",
        sa.Column("kind", sa.String(length=64), nullable=False),
        sa.Column("confirmed", sa.Integer(), nullable=False),
        sa.Column("contradicted", sa.Integer(), nullable=False),
        sa.Column(
            "updated_at", prefloop.curator.store.models.base.UTCDateTime(timezone=True), nullable=False
        ),
        sa.PrimaryKeyConstraint("kind", name=op.f("pk_signal_kind_outcomes")),
    )


def downgrade() -> None:
    op.drop_table("signal_kind_outcomes")
