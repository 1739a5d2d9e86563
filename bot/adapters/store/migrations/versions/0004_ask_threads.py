"""Follow-up context: each Slack or mail thread's last reading of a question (issue 19).

Revision ID: 0004
Revises: 0003
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "ask_threads",
        sa.Column("key", sa.String(320), primary_key=True),  # "slack:C1:1712.5", "mail:<id>"
        sa.Column("event_id", sa.String(64), nullable=False),
        sa.Column("reading", sa.Text, nullable=False),  # JSON, a few hundred bytes
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_ask_threads_updated", "ask_threads", ["updated_at"])


def downgrade() -> None:
    op.drop_index("ix_ask_threads_updated", table_name="ask_threads")
    op.drop_table("ask_threads")
