"""initial store

Revision ID: 0001_initial
Revises:
Create Date: 2026-11-22 04:21:02.302374
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

import prefloop.curator.store.models.base

revision: str = "0001_initial"
down_revision: str | Sequence[str] | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:

    op.create_table(
        "audit_log",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("at", prefloop.curator.store.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("actor", sa.String(length=64), nullable=False),
        sa.Column("action", sa.String(length=64), nullable=False),
        sa.Column("pair_id", sa.String(length=64), nullable=True),
        sa.Column("rubric_version", sa.String(length=32), nullable=True),
        sa.Column(
            "detail",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_log")),
    )
    with op.batch_alter_table("audit_log", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_audit_log_at"), ["at"], unique=False)
        batch_op.create_index(batch_op.f("ix_audit_log_pair_id"), ["pair_id"], unique=False)

    op.create_table(
        "dead_letters",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("source", sa.String(length=300), nullable=False),
        sa.Column("code", sa.String(length=32), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("raw", sa.LargeBinary(), nullable=False),
        sa.Column("at", prefloop.curator.store.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_dead_letters")),
    )
    op.create_table(
        "erasures",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("user", sa.String(length=128), nullable=False),
        sa.Column("at", prefloop.curator.store.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("events_removed", sa.Integer(), nullable=False),
        sa.Column("pairs_removed", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_erasures")),
    )
    with op.batch_alter_table("erasures", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_erasures_user"), ["user"], unique=False)

    op.create_table(
        "events",
        sa.Column("event_id", sa.String(length=36), nullable=False),
        sa.Column("type", sa.String(length=16), nullable=False),
        sa.Column("schema_version", sa.SmallInteger(), nullable=False),
        sa.Column("app_id", sa.String(length=128), nullable=False),
        sa.Column("conversation_id", sa.String(length=128), nullable=False),
        sa.Column("user", sa.String(length=128), nullable=False),
        sa.Column("response_id", sa.String(length=128), nullable=True),
        sa.Column(
            "occurred_at", prefloop.curator.store.models.base.UTCDateTime(timezone=True), nullable=False
        ),
        sa.Column(
            "ingested_at", prefloop.curator.store.models.base.UTCDateTime(timezone=True), nullable=False
        ),
        sa.Column(
            "payload",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("source", sa.String(length=300), nullable=True),
        sa.Column("purged_at", prefloop.curator.store.models.base.UTCDateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("event_id", name=op.f("pk_events")),
    )
    with op.batch_alter_table("events", schema=None) as batch_op:
        batch_op.create_index("ix_events_conversation", ["conversation_id", "occurred_at"], unique=False)
        batch_op.create_index("ix_events_occurred", ["occurred_at"], unique=False)
        batch_op.create_index("ix_events_response", ["response_id"], unique=False)
        batch_op.create_index("ix_events_user", ["user"], unique=False)

    op.create_table(
        "feedback",
        sa.Column("response_id", sa.String(length=128), nullable=False),
        sa.Column("user", sa.String(length=128), nullable=False),
        sa.Column("rating", sa.SmallInteger(), nullable=False),
        sa.Column("reason", sa.String(length=32), nullable=True),
        sa.Column("comment", sa.Text(), nullable=True),
        sa.Column("event_id", sa.String(length=36), nullable=False),
        sa.Column(
            "occurred_at", prefloop.curator.store.models.base.UTCDateTime(timezone=True), nullable=False
        ),
        sa.PrimaryKeyConstraint("response_id", "user", name=op.f("pk_feedback")),
    )
    op.create_table(
        "job_runs",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("job", sa.String(length=64), nullable=False),
        sa.Column("period", sa.String(length=32), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column(
            "started_at", prefloop.curator.store.models.base.UTCDateTime(timezone=True), nullable=False
        ),
        sa.Column(
            "finished_at", prefloop.curator.store.models.base.UTCDateTime(timezone=True), nullable=True
        ),
        sa.Column(
            "detail",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_job_runs")),
        sa.UniqueConstraint("job", "period", name="uq_job_runs_job_period"),
    )
    op.create_table(
        "prompt_groups",
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column(
            "context",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("system_prompt_version", sa.String(length=128), nullable=True),
        sa.Column("app_id", sa.String(length=128), nullable=False),
        sa.Column(
            "tags",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=True,
        ),
        sa.Column(
            "first_seen", prefloop.curator.store.models.base.UTCDateTime(timezone=True), nullable=False
        ),
        sa.Column("last_seen", prefloop.curator.store.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("dirty", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_prompt_groups")),
    )
    with op.batch_alter_table("prompt_groups", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_prompt_groups_dirty"), ["dirty"], unique=False)

    op.create_table(
        "released_prompts",
        sa.Column("group_key", sa.String(length=64), nullable=False),
        sa.Column("fingerprint", sa.String(length=64), nullable=False),
        sa.Column("split", sa.String(length=16), nullable=False),
        sa.Column("first_release", sa.String(length=32), nullable=False),
        sa.PrimaryKeyConstraint("group_key", name=op.f("pk_released_prompts")),
    )
    with op.batch_alter_table("released_prompts", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_released_prompts_fingerprint"), ["fingerprint"], unique=False)

    op.create_table(
        "releases",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("month", sa.String(length=7), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("path", sa.Text(), nullable=False),
        sa.Column(
            "manifest",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column(
            "created_at", prefloop.curator.store.models.base.UTCDateTime(timezone=True), nullable=False
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_releases")),
        sa.UniqueConstraint("month", "revision", name="uq_releases_month_revision"),
    )
    op.create_table(
        "reviewers",
        sa.Column("user_id", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=True),
        sa.Column("role", sa.String(length=16), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("added_at", prefloop.curator.store.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("user_id", name=op.f("pk_reviewers")),
    )
    op.create_table(
        "slack_events_seen",
        sa.Column("event_id", sa.String(length=64), nullable=False),
        sa.Column("at", prefloop.curator.store.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("event_id", name=op.f("pk_slack_events_seen")),
    )
    op.create_table(
        "slack_outbox",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("dedupe_key", sa.String(length=200), nullable=False),
        sa.Column("method", sa.String(length=64), nullable=False),
        sa.Column(
            "payload",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("pair_id", sa.String(length=64), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column(
            "next_attempt_at", prefloop.curator.store.models.base.UTCDateTime(timezone=True), nullable=False
        ),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column(
            "result",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=True,
        ),
        sa.Column(
            "created_at", prefloop.curator.store.models.base.UTCDateTime(timezone=True), nullable=False
        ),
        sa.Column("sent_at", prefloop.curator.store.models.base.UTCDateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_slack_outbox")),
        sa.UniqueConstraint("dedupe_key", name=op.f("uq_slack_outbox_dedupe_key")),
    )
    with op.batch_alter_table("slack_outbox", schema=None) as batch_op:
        batch_op.create_index("ix_slack_outbox_due", ["status", "next_attempt_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_slack_outbox_pair_id"), ["pair_id"], unique=False)

    op.create_table(
        "source_offsets",
        sa.Column("source", sa.String(length=300), nullable=False),
        sa.Column("position", sa.BigInteger(), nullable=False),
        sa.Column(
            "updated_at", prefloop.curator.store.models.base.UTCDateTime(timezone=True), nullable=False
        ),
        sa.PrimaryKeyConstraint("source", name=op.f("pk_source_offsets")),
    )
    op.create_table(
        "pairs",
        sa.Column("pair_id", sa.String(length=64), nullable=False),
        sa.Column("group_key", sa.String(length=64), nullable=False),
        sa.Column("chosen_response_id", sa.String(length=128), nullable=True),
        sa.Column("rejected_response_id", sa.String(length=128), nullable=True),
        sa.Column("chosen_human_written", sa.Boolean(), nullable=False),
        sa.Column(
            "prompt",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("chosen", sa.Text(), nullable=False),
        sa.Column("rejected", sa.Text(), nullable=False),
        sa.Column("scrubbed", sa.Boolean(), nullable=False),
        sa.Column("scrubber_version", sa.String(length=100), nullable=True),
        sa.Column(
            "pii_counts",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("strength", sa.Float(), nullable=False),
        sa.Column(
            "signals",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("conflicts", sa.Integer(), nullable=False),
        sa.Column(
            "checks",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column(
            "tags",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=True,
        ),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column(
            "route_reasons",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("policy_version", sa.String(length=64), nullable=True),
        sa.Column(
            "review",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=True,
        ),
        sa.Column("rubric_version", sa.String(length=32), nullable=True),
        sa.Column(
            "meta",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column(
            "users",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("formed_at", prefloop.curator.store.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column(
            "created_at", prefloop.curator.store.models.base.UTCDateTime(timezone=True), nullable=False
        ),
        sa.Column(
            "updated_at", prefloop.curator.store.models.base.UTCDateTime(timezone=True), nullable=False
        ),
        sa.ForeignKeyConstraint(
            ["group_key"], ["prompt_groups.key"], name=op.f("fk_pairs_group_key_prompt_groups")
        ),
        sa.PrimaryKeyConstraint("pair_id", name=op.f("pk_pairs")),
    )
    with op.batch_alter_table("pairs", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_pairs_group_key"), ["group_key"], unique=False)
        batch_op.create_index(batch_op.f("ix_pairs_status"), ["status"], unique=False)
        batch_op.create_index("ix_pairs_status_formed", ["status", "formed_at"], unique=False)

    op.create_table(
        "responses",
        sa.Column("response_id", sa.String(length=128), nullable=False),
        sa.Column("event_id", sa.String(length=36), nullable=False),
        sa.Column("group_key", sa.String(length=64), nullable=False),
        sa.Column("app_id", sa.String(length=128), nullable=False),
        sa.Column("conversation_id", sa.String(length=128), nullable=False),
        sa.Column("user", sa.String(length=128), nullable=False),
        sa.Column("text", sa.Text(), nullable=True),
        sa.Column("model", sa.String(length=200), nullable=False),
        sa.Column(
            "generation",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("prompt_source", sa.String(length=64), nullable=False),
        sa.Column("regenerates", sa.String(length=128), nullable=True),
        sa.Column("turn_index", sa.Integer(), nullable=False),
        sa.Column("shown_at", prefloop.curator.store.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["event_id"], ["events.event_id"], name=op.f("fk_responses_event_id_events"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["group_key"], ["prompt_groups.key"], name=op.f("fk_responses_group_key_prompt_groups")
        ),
        sa.PrimaryKeyConstraint("response_id", name=op.f("pk_responses")),
    )
    with op.batch_alter_table("responses", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_responses_conversation_id"), ["conversation_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_responses_group_key"), ["group_key"], unique=False)
        batch_op.create_index(batch_op.f("ix_responses_regenerates"), ["regenerates"], unique=False)
        batch_op.create_index(batch_op.f("ix_responses_user"), ["user"], unique=False)

    op.create_table(
        "review_posts",
        sa.Column("pair_id", sa.String(length=64), nullable=False),
        sa.Column("channel", sa.String(length=64), nullable=True),
        sa.Column("ts", sa.String(length=32), nullable=True),
        sa.Column("a_is", sa.String(length=8), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("rubric_version", sa.String(length=32), nullable=False),
        sa.Column("posted_at", prefloop.curator.store.models.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column(
            "reminded_at", prefloop.curator.store.models.base.UTCDateTime(timezone=True), nullable=True
        ),
        sa.Column(
            "resolved_at", prefloop.curator.store.models.base.UTCDateTime(timezone=True), nullable=True
        ),
        sa.Column("outcome", sa.String(length=16), nullable=True),
        sa.ForeignKeyConstraint(
            ["pair_id"], ["pairs.pair_id"], name=op.f("fk_review_posts_pair_id_pairs"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("pair_id", name=op.f("pk_review_posts")),
    )
    with op.batch_alter_table("review_posts", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_review_posts_state"), ["state"], unique=False)
        batch_op.create_index(batch_op.f("ix_review_posts_ts"), ["ts"], unique=False)

    op.create_table(
        "thread_messages",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("pair_id", sa.String(length=64), nullable=False),
        sa.Column("user_id", sa.String(length=64), nullable=False),
        sa.Column("ts", sa.String(length=32), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("at", prefloop.curator.store.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["pair_id"], ["pairs.pair_id"], name=op.f("fk_thread_messages_pair_id_pairs"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_thread_messages")),
    )
    with op.batch_alter_table("thread_messages", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_thread_messages_pair_id"), ["pair_id"], unique=False)

    op.create_table(
        "votes",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("pair_id", sa.String(length=64), nullable=False),
        sa.Column("reviewer", sa.String(length=64), nullable=False),
        sa.Column("choice", sa.String(length=16), nullable=False),
        sa.Column("reason", sa.String(length=64), nullable=True),
        sa.Column("a_is", sa.String(length=8), nullable=False),
        sa.Column("rubric_version", sa.String(length=32), nullable=False),
        sa.Column("role", sa.String(length=16), nullable=False),
        sa.Column("voted_at", prefloop.curator.store.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["pair_id"], ["pairs.pair_id"], name=op.f("fk_votes_pair_id_pairs"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_votes")),
        sa.UniqueConstraint("pair_id", "reviewer", name="uq_votes_pair_reviewer"),
    )
    with op.batch_alter_table("votes", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_votes_pair_id"), ["pair_id"], unique=False)


def downgrade() -> None:

    with op.batch_alter_table("votes", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_votes_pair_id"))

    op.drop_table("votes")
    with op.batch_alter_table("thread_messages", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_thread_messages_pair_id"))

    op.drop_table("thread_messages")
    with op.batch_alter_table("review_posts", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_review_posts_ts"))
        batch_op.drop_index(batch_op.f("ix_review_posts_state"))

    op.drop_table("review_posts")
    with op.batch_alter_table("responses", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_responses_user"))
        batch_op.drop_index(batch_op.f("ix_responses_regenerates"))
        batch_op.drop_index(batch_op.f("ix_responses_group_key"))
        batch_op.drop_index(batch_op.f("ix_responses_conversation_id"))

    op.drop_table("responses")
    with op.batch_alter_table("pairs", schema=None) as batch_op:
        batch_op.drop_index("ix_pairs_status_formed")
        batch_op.drop_index(batch_op.f("ix_pairs_status"))
        batch_op.drop_index(batch_op.f("ix_pairs_group_key"))

    op.drop_table("pairs")
    op.drop_table("source_offsets")
    with op.batch_alter_table("slack_outbox", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_slack_outbox_pair_id"))
        batch_op.drop_index("ix_slack_outbox_due")

    op.drop_table("slack_outbox")
    op.drop_table("slack_events_seen")
    op.drop_table("reviewers")
    op.drop_table("releases")
    with op.batch_alter_table("released_prompts", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_released_prompts_fingerprint"))

    op.drop_table("released_prompts")
    with op.batch_alter_table("prompt_groups", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_prompt_groups_dirty"))

    op.drop_table("prompt_groups")
    op.drop_table("job_runs")
    op.drop_table("feedback")
    with op.batch_alter_table("events", schema=None) as batch_op:
        batch_op.drop_index("ix_events_user")
        batch_op.drop_index("ix_events_response")
        batch_op.drop_index("ix_events_occurred")
        batch_op.drop_index("ix_events_conversation")

    op.drop_table("events")
    with op.batch_alter_table("erasures", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_erasures_user"))

    op.drop_table("erasures")
    op.drop_table("dead_letters")
    with op.batch_alter_table("audit_log", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_audit_log_pair_id"))
        batch_op.drop_index(batch_op.f("ix_audit_log_at"))

    op.drop_table("audit_log")
