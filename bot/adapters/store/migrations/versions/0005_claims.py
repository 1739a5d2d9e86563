"""Claims apart from attempts: a lease that lapsed unsent is not a try (issue 15, item 1).

``attempts`` used to grow at every claim; rows that lost their lease while queued behind a
hanging mail server ran out of attempts after one real send. Now ``claims`` counts claims (a
claim after the first may follow a send that landed: Slack looks before posting again) and
``attempts`` counts sends that were tried and recorded. Existing rows keep their count as
claims.

Revision ID: 0005
Revises: 0004
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("deliveries") as batch:
        batch.add_column(sa.Column("claims", sa.Integer, nullable=False, server_default="0"))
    op.execute("UPDATE deliveries SET claims = attempts")


def downgrade() -> None:
    with op.batch_alter_table("deliveries") as batch:
        batch.drop_column("claims")
