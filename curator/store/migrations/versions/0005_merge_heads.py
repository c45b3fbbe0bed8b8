"""merge: one head again (0002 ingest, 0003 review and 0004 releases each branched from 0001)

Plain ``alembic upgrade head`` needs a single head. New revisions revise this one (or the newest head after it);
tests/unit/test_store.py fails when the history branches again.

Revision ID: 0005_merge_heads
Revises: 0002_curator_ingest, 0003_slackbot_review, 0004_releases_pinned_eval
Create Date: 2026-12-06 13:30:00
"""

from __future__ import annotations

from collections.abc import Sequence

revision: str = "0005_merge_heads"
down_revision: str | Sequence[str] | None = (
    "0002_curator_ingest",
    "0003_slackbot_review",
    "0004_releases_pinned_eval",
)
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
