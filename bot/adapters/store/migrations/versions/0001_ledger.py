"""The first ledger: deliveries, their history, and a small key-value table.

Revision ID: 0001
Revises:
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def _ts(name: str, nullable: bool = False) -> sa.Column[object]:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def upgrade() -> None:
    op.create_table(
        "deliveries",
        sa.Column("key", sa.String(512), primary_key=True),
        sa.Column("event_id", sa.String(64), nullable=False),
        sa.Column("date_id", sa.String(64), nullable=False),
        sa.Column("item_id", sa.String(256), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False, server_default="reminder"),
        sa.Column("destination", sa.String(320), nullable=False),
        _ts("due"),
        _ts("target", True),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("attempts", sa.Integer, nullable=False, server_default="0"),
        _ts("next_attempt"),
        sa.Column("lease_owner", sa.String(128), nullable=True),
        _ts("lease_until", True),
        _ts("planned_at"),
        _ts("updated_at"),
        _ts("sent_at", True),
        sa.Column("reason", sa.Text, nullable=False, server_default=""),
        sa.Column("remote_id", sa.String(256), nullable=False, server_default=""),
        sa.Column("payload", sa.Text, nullable=False, server_default=""),
    )
    op.create_index("ix_deliveries_event_id", "deliveries", ["event_id"])
    op.create_index("ix_deliveries_due", "deliveries", ["state", "next_attempt"])
    op.create_table(
        "delivery_log",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("key", sa.String(512), nullable=False),
        _ts("at"),
        sa.Column("from_state", sa.String(16), nullable=False),
        sa.Column("to_state", sa.String(16), nullable=False),
        sa.Column("reason", sa.Text, nullable=False, server_default=""),
        sa.Column("actor", sa.String(128), nullable=False, server_default=""),
    )
    op.create_index("ix_delivery_log_key", "delivery_log", ["key"])
    op.create_table(
        "duebot_meta",
        sa.Column("name", sa.String(64), primary_key=True),
        sa.Column("value", sa.Text, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("duebot_meta")
    op.drop_table("delivery_log")
    op.drop_table("deliveries")
