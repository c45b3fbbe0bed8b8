"""curator: idempotency keys on events; the pairs each release took

``events.idempotency_key`` (unique per app and user where set): a retried click (same key, new event id) is
stored once. ``released_pairs``: every pair a release took, with the month, so a pair that becomes ready after
its month's release goes into the next one and never into two. Releases recorded before this revision are
taken to hold their month's pairs that are accepted now (the closest the store can tell).

Revision ID: 0006_ingest_idempotency
Revises: 0005_merge_heads
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import context, op

revision: str = "0006_ingest_idempotency"
down_revision: str | Sequence[str] | None = "0005_merge_heads"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


#: offline backfill: accepted pairs formed (UTC) in a month some release was built for
_MONTH_OF = {
    "postgresql": "to_char(formed_at AT TIME ZONE 'UTC', 'YYYY-MM')",
    "sqlite": "strftime('%Y-%m', formed_at)",
}
_BACKFILL = {
    dialect: "INSERT INTO released_pairs (pair_id, month) "
    f"SELECT pair_id, {month_of} FROM pairs WHERE status = 'accepted' "
    f"AND {month_of} IN (SELECT DISTINCT month FROM releases)"
    for dialect, month_of in _MONTH_OF.items()
}


def _bounds(month: str) -> tuple[datetime, datetime]:
    year, mon = int(month[:4]), int(month[5:7])
    return datetime(year, mon, 1, tzinfo=UTC), datetime(year + (mon == 12), mon % 12 + 1, 1, tzinfo=UTC)


def upgrade() -> None:
    with op.batch_alter_table("events", schema=None) as batch_op:
        batch_op.add_column(sa.Column("idempotency_key", sa.String(length=128), nullable=True))
    op.create_index(
        "uq_events_idempotency",
        "events",
        ["app_id", "user", "idempotency_key"],
        unique=True,
        postgresql_where=sa.text("idempotency_key IS NOT NULL"),
        sqlite_where=sa.text("idempotency_key IS NOT NULL"),
    )
    released = op.create_table(
        "released_pairs",
        sa.Column("pair_id", sa.String(length=64), nullable=False),
        sa.Column("month", sa.String(length=7), nullable=False),
        sa.PrimaryKeyConstraint("pair_id", name=op.f("pk_released_pairs")),
    )
    op.create_index(op.f("ix_released_pairs_month"), "released_pairs", ["month"], unique=False)
    if context.is_offline_mode():  # `prefloop db upgrade --sql`: the same backfill as one statement
        op.execute(_BACKFILL[op.get_context().dialect.name])
        return
    bind = op.get_bind()
    months = [m for (m,) in bind.execute(sa.text("SELECT DISTINCT month FROM releases ORDER BY month"))]
    pairs = sa.table(
        "pairs", sa.column("pair_id"), sa.column("status"), sa.column("formed_at", sa.DateTime(timezone=True))
    )
    for month in months:
        start, end = _bounds(month)
        if bind.dialect.name == "sqlite":
            start, end = start.replace(tzinfo=None), end.replace(tzinfo=None)
        rows = bind.execute(
            sa.select(pairs.c.pair_id).where(
                pairs.c.status == "accepted", pairs.c.formed_at >= start, pairs.c.formed_at < end
            )
        ).all()
        if rows:
            op.bulk_insert(released, [{"pair_id": r.pair_id, "month": month} for r in rows])


def downgrade() -> None:
    op.drop_index(op.f("ix_released_pairs_month"), table_name="released_pairs")
    op.drop_table("released_pairs")
    op.drop_index("uq_events_idempotency", table_name="events")
    with op.batch_alter_table("events", schema=None) as batch_op:
        batch_op.drop_column("idempotency_key")
