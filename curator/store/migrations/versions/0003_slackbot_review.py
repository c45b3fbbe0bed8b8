"""slackbot: reminder count and escalation time on review posts, votes indexed by reviewer

Revision ID: 0003_slackbot_review
Revises: 0001_initial
Create Date: 2026-11-22 04:40:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import prefloop.curator.store.models.base

revision: str = "0003_slackbot_review"
down_revision: str | Sequence[str] | None = "0001_initial"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("review_posts", schema=None) as batch_op:
        batch_op.add_column(sa.Column("reminders", sa.Integer(), nullable=False, server_default="0"))
        batch_op.add_column(
            sa.Column(
                "escalated_at", prefloop.curator.store.models.base.UTCDateTime(timezone=True), nullable=True
            )
        )
    with op.batch_alter_table("votes", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_votes_reviewer"), ["reviewer"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("votes", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_votes_reviewer"))
    with op.batch_alter_table("review_posts", schema=None) as batch_op:
        batch_op.drop_column("escalated_at")
        batch_op.drop_column("reminders")
