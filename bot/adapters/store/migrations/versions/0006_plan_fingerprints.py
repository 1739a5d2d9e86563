"""Plan fingerprints: an unchanged plan skips its reconcile (issue 16, start-up).

``plan_fingerprints`` holds, per event and kind, a digest of the plan the last reconcile made
the ledger match, the ``now`` it ran at and how many rows the event then had. A reconcile
leaves the event's rows at a fixed point of its plan: the same plan again, at the same or a
later ``now``, changes nothing (``bot.adapters.store.planning``). That holds only while no one
else touched what reconcile reads, so on SQLite triggers forget an event's fingerprint when
one of its rows changes in a way reconcile could answer: a state other than ``claimed`` or
``sent`` (a retry, a release, a skip, a cancel), a new due time, target, payload, approval or
``sent_at``. A row deleted or given another key, event or kind forgets them all: a key another
event holds is not planned again, so a freed one may be. Claims and sends (the common writes)
fire none. Rows of the planned kinds are only ever inserted by reconcile, which writes the
fingerprint in the same transaction.

PostgreSQL gets the table but no triggers: replicas write beside a reconcile there (a trigger
could not tell a change the reconcile saw from one it did not), so its reconcile never skips.

A later migration that rebuilds ``deliveries`` (alembic's batch mode on SQLite copies the
table and drops its triggers) must create the triggers again and empty this table; until the
triggers are back, nothing is skipped.

Revision ID: 0006
Revises: 0005
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

_FORGET = "DELETE FROM plan_fingerprints WHERE event_id = OLD.event_id AND kind = OLD.kind;"
TRIGGERS = {
    # A change reconcile could answer, of one of the event's rows: its fingerprint goes.
    "plan_fingerprints_forget_update": (
        "AFTER UPDATE OF state, due, target, payload, needs_approval, sent_at ON deliveries "
        "FOR EACH ROW WHEN NEW.state NOT IN ('claimed', 'sent') AND ("
        "NEW.state IS NOT OLD.state OR NEW.due IS NOT OLD.due "
        "OR NEW.target IS NOT OLD.target OR NEW.payload IS NOT OLD.payload "
        "OR NEW.needs_approval IS NOT OLD.needs_approval OR NEW.sent_at IS NOT OLD.sent_at) "
        f"BEGIN {_FORGET} END"),
    # A key gone or moved: any event may plan it (a key another event holds is not added,
    # so one freed may be): every fingerprint goes.
    "plan_fingerprints_forget_moved": (
        "AFTER UPDATE OF key, event_id, kind ON deliveries FOR EACH ROW WHEN "
        "NEW.key IS NOT OLD.key OR NEW.event_id IS NOT OLD.event_id OR NEW.kind IS NOT OLD.kind "
        "BEGIN DELETE FROM plan_fingerprints; END"),
    "plan_fingerprints_forget_delete": (
        "AFTER DELETE ON deliveries FOR EACH ROW BEGIN DELETE FROM plan_fingerprints; END"),
}
"""SQLite's triggers, by name (``planning`` checks they exist before it skips anything)."""


def upgrade() -> None:
    op.create_table(
        "plan_fingerprints",
        sa.Column("event_id", sa.String(64), primary_key=True),
        sa.Column("kind", sa.String(16), primary_key=True),
        sa.Column("fingerprint", sa.String(64), nullable=False),
        sa.Column("planned_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("row_count", sa.Integer, nullable=False),
    )
    if op.get_bind().dialect.name == "sqlite":
        for name, body in TRIGGERS.items():
            op.execute(f"CREATE TRIGGER {name} {body}")


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        for name in TRIGGERS:
            op.execute(f"DROP TRIGGER IF EXISTS {name}")
    op.drop_table("plan_fingerprints")
