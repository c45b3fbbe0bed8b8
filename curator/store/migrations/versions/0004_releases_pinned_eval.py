"""releases: frozen evaluation set flag on released prompts

Revision ID: 0004_releases_pinned_eval
Revises: 0001_initial
Create Date: 2026-11-22 04:30:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004_releases_pinned_eval"
down_revision: str | Sequence[str] | None = "0001_initial"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("released_prompts", schema=None) as batch_op:
        batch_op.add_column(sa.Column("pinned_eval", sa.Boolean(), server_default=sa.false(), nullable=False))


def downgrade() -> None:
    with op.batch_alter_table("released_prompts", schema=None) as batch_op:
        batch_op.drop_column("pinned_eval")
