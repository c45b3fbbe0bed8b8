"""events and responses carry the app's trace id and metadata labels (v1.1 events), so pairs join traces

Revision ID: 0008_trace_id_metadata
Revises: 0007_vote_action_ts
Create Date: 2026-12-06 14:15:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0008_trace_id_metadata"
down_revision: str | Sequence[str] | None = "0007_vote_action_ts"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("events", schema=None) as batch_op:
        batch_op.add_column(sa.Column("trace_id", sa.String(length=128), nullable=True))
    with op.batch_alter_table("responses", schema=None) as batch_op:
        batch_op.add_column(sa.Column("trace_id", sa.String(length=128), nullable=True))
        batch_op.add_column(
            sa.Column(
                "meta",
                sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
                nullable=True,
            )
        )


def downgrade() -> None:
    with op.batch_alter_table("responses", schema=None) as batch_op:
        batch_op.drop_column("meta")
        batch_op.drop_column("trace_id")
    with op.batch_alter_table("events", schema=None) as batch_op:
        batch_op.drop_column("trace_id")
