"""slackbot: a vote remembers the Slack action that cast it (action_ts), so an older action never overwrites it

Revision ID: 0007_vote_action_ts
Revises: 0006_ingest_idempotency
Create Date: 2026-12-06 13:30:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007_vote_action_ts"
down_revision: str | Sequence[str] | None = "0006_ingest_idempotency"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("votes", schema=None) as batch_op:
        batch_op.add_column(sa.Column("action_ts", sa.String(length=32), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("votes", schema=None) as batch_op:
        batch_op.drop_column("action_ts")
