"""Subscribers, the audit log, announcements, inbound dedupe and rate limits; the outbox.

Revision ID: 0002
Revises: 0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def _ts(name: str, nullable: bool = False) -> sa.Column[object]:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def upgrade() -> None:
    with op.batch_alter_table("deliveries") as batch:
        batch.add_column(sa.Column("needs_approval", sa.Boolean, nullable=False,
                                   server_default=sa.false()))
        batch.add_column(_ts("approved_at", True))
        batch.add_column(sa.Column("approved_by", sa.String(128), nullable=False,
                                   server_default=""))
    op.create_table(
        "subscribers",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("event_id", sa.String(64), nullable=False),
        sa.Column("destination", sa.String(320), nullable=False),
        sa.Column("state", sa.String(24), nullable=False),
        sa.Column("token", sa.String(64), nullable=False),
        sa.Column("source", sa.String(16), nullable=False, server_default=""),
        _ts("created_at"),
        _ts("updated_at"),
        sa.UniqueConstraint("event_id", "destination", name="uq_subscribers_event_destination"),
    )
    op.create_index("ix_subscribers_token", "subscribers", ["token"], unique=True)
    op.create_table(
        "audit_log",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        _ts("at"),
        sa.Column("actor", sa.String(128), nullable=False),
        sa.Column("event_id", sa.String(64), nullable=False, server_default=""),
        sa.Column("action", sa.String(64), nullable=False),
        sa.Column("detail", sa.Text, nullable=False, server_default=""),
    )
    op.create_index("ix_audit_log_event", "audit_log", ["event_id", "at"])
    op.create_table(
        "announcements",
        sa.Column("id", sa.String(64), primary_key=True),
        sa.Column("event_id", sa.String(64), nullable=False),
        sa.Column("when_spec", sa.String(128), nullable=False),
        sa.Column("destinations", sa.Text, nullable=False),
        sa.Column("text", sa.Text, nullable=False, server_default=""),
        sa.Column("template", sa.String(128), nullable=False, server_default=""),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("created_by", sa.String(128), nullable=False, server_default=""),
        _ts("created_at"),
        _ts("updated_at"),
    )
    op.create_index("ix_announcements_event", "announcements", ["event_id"])
    op.create_table(
        "processed_inbound",
        sa.Column("key", sa.String(512), primary_key=True),
        _ts("at"),
        sa.Column("owner", sa.String(128), nullable=False, server_default=""),
    )
    op.create_table(
        "inbound_hits",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("key", sa.String(320), nullable=False),
        _ts("at"),
    )
    op.create_index("ix_inbound_hits_key_at", "inbound_hits", ["key", "at"])


def downgrade() -> None:
    op.drop_table("inbound_hits")
    op.drop_table("processed_inbound")
    op.drop_table("announcements")
    op.drop_table("audit_log")
    op.drop_table("subscribers")
    with op.batch_alter_table("deliveries") as batch:
        batch.drop_column("approved_by")
        batch.drop_column("approved_at")
        batch.drop_column("needs_approval")
