"""Date revisions: a hand edit of a date raises its calendar SEQUENCE (issue: feed sequence).

``date_revisions`` holds, per event and date, a fingerprint of what a calendar entry shows of
the date (``bot.core.revisions.fingerprint``), the ``SEQUENCE`` it is served at and when the
ledger raised it to that (its ``LAST-MODIFIED``). A changed fingerprint raises the sequence
once, whichever replica sees it first (``bot.adapters.store.revisions``). Existing ledgers
start empty: each date's first revision is the schedule's own ``sequence`` with ``modified``
NULL (when it was written is not known), recorded when the upgraded duebot first serves it,
so the feed's bytes do not change with the upgrade.

Revision ID: 0007
Revises: 0006
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "date_revisions",
        sa.Column("event_id", sa.String(64), primary_key=True),
        sa.Column("date_id", sa.String(64), primary_key=True),
        sa.Column("fingerprint", sa.String(64), nullable=False),
        sa.Column("sequence", sa.Integer, nullable=False),
        sa.Column("modified", sa.DateTime(timezone=True), nullable=True),
    )


def downgrade() -> None:
    op.drop_table("date_revisions")
