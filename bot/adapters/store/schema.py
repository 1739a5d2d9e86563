"""The ledger's tables, one SQLAlchemy ``MetaData``: what alembic's migrations create.

The migrations make the database; this describes it for the stores' statements, index and
constraint names included (``tests/test_schema_migrations.py`` compares a migrated database
with it). A change goes into a migration first, then here to say the same: columns in the
order the migrations leave them (a later migration's column comes last), and SQLite's
triggers (``SQLITE_TRIGGERS``) as the migrations leave them too.

A brand-new ledger is made from this metadata (``database.create_if_new``: ``create_all``, the
triggers, alembic's version table stamped at head), not by running every migration: a tenth
of a second less on a first start, and alembic not imported. ``tests/test_schema_created.py``
holds the two ways equal on SQLite and PostgreSQL, object by object.
"""

from __future__ import annotations

from datetime import UTC, datetime

import sqlalchemy as sa


class UTCDateTime(sa.types.TypeDecorator[datetime]):
    """Aware UTC datetimes in, aware UTC datetimes out, on SQLite as on PostgreSQL."""

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: sa.Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError(f"naive datetime {value!r} given to the ledger")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: sa.Dialect
                             ) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


metadata = sa.MetaData()

deliveries = sa.Table(
    "deliveries", metadata,
    sa.Column("key", sa.String(512), primary_key=True),
    sa.Column("event_id", sa.String(64), nullable=False, index=True),
    sa.Column("date_id", sa.String(64), nullable=False),
    sa.Column("item_id", sa.String(256), nullable=False),
    sa.Column("kind", sa.String(16), nullable=False, server_default="reminder"),
    sa.Column("destination", sa.String(320), nullable=False),
    sa.Column("due", UTCDateTime(), nullable=False),
    sa.Column("target", UTCDateTime(), nullable=True),
    sa.Column("state", sa.String(16), nullable=False),
    sa.Column("attempts", sa.Integer, nullable=False, server_default="0"),
    sa.Column("next_attempt", UTCDateTime(), nullable=False),
    sa.Column("lease_owner", sa.String(128), nullable=True),
    sa.Column("lease_until", UTCDateTime(), nullable=True),
    sa.Column("planned_at", UTCDateTime(), nullable=False),
    sa.Column("updated_at", UTCDateTime(), nullable=False),
    sa.Column("sent_at", UTCDateTime(), nullable=True),
    sa.Column("reason", sa.Text, nullable=False, server_default=""),
    sa.Column("remote_id", sa.String(256), nullable=False, server_default=""),
    sa.Column("payload", sa.Text, nullable=False, server_default=""),
    sa.Column("needs_approval", sa.Boolean, nullable=False, server_default=sa.false()),
    sa.Column("approved_at", UTCDateTime(), nullable=True),
    sa.Column("approved_by", sa.String(128), nullable=False, server_default=""),
    sa.Column("claims", sa.Integer, nullable=False, server_default="0"),  # migration 0005
    sa.Index("ix_deliveries_due", "state", "next_attempt"),
)

delivery_log = sa.Table(
    "delivery_log", metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("key", sa.String(512), nullable=False, index=True),
    sa.Column("at", UTCDateTime(), nullable=False),
    sa.Column("from_state", sa.String(16), nullable=False),
    sa.Column("to_state", sa.String(16), nullable=False),
    sa.Column("reason", sa.Text, nullable=False, server_default=""),
    sa.Column("actor", sa.String(128), nullable=False, server_default=""),
)

subscribers = sa.Table(
    "subscribers", metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("event_id", sa.String(64), nullable=False),
    sa.Column("destination", sa.String(320), nullable=False),
    sa.Column("state", sa.String(24), nullable=False),  # pending | active | unsubscribed
    sa.Column("token", sa.String(64), nullable=False),
    sa.Column("source", sa.String(16), nullable=False, server_default=""),
    sa.Column("created_at", UTCDateTime(), nullable=False),
    sa.Column("updated_at", UTCDateTime(), nullable=False),
    # The subscriber's own choices (bot.core.preferences JSON); "" means the organizers' plan.
    sa.Column("preferences", sa.Text, nullable=False, server_default=""),
    sa.UniqueConstraint("event_id", "destination", name="uq_subscribers_event_destination"),
    sa.Index("ix_subscribers_token", "token", unique=True),  # a unique index, not a constraint
)

audit_log = sa.Table(
    "audit_log", metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("at", UTCDateTime(), nullable=False),
    sa.Column("actor", sa.String(128), nullable=False),
    sa.Column("event_id", sa.String(64), nullable=False, server_default=""),
    sa.Column("action", sa.String(64), nullable=False),
    sa.Column("detail", sa.Text, nullable=False, server_default=""),
    sa.Index("ix_audit_log_event", "event_id", "at"),
)

announcements = sa.Table(
    "announcements", metadata,
    sa.Column("id", sa.String(64), primary_key=True),
    sa.Column("event_id", sa.String(64), nullable=False),
    sa.Column("when_spec", sa.String(128), nullable=False),
    sa.Column("destinations", sa.Text, nullable=False),  # JSON list
    sa.Column("text", sa.Text, nullable=False, server_default=""),
    sa.Column("template", sa.String(128), nullable=False, server_default=""),
    sa.Column("state", sa.String(16), nullable=False),  # scheduled | cancelled
    sa.Column("created_by", sa.String(128), nullable=False, server_default=""),
    sa.Column("created_at", UTCDateTime(), nullable=False),
    sa.Column("updated_at", UTCDateTime(), nullable=False),
    sa.Index("ix_announcements_event", "event_id"),
)

processed_inbound = sa.Table(
    "processed_inbound", metadata,
    sa.Column("key", sa.String(512), primary_key=True),  # "slack:Ev123", "mail:<message-id>"
    sa.Column("at", UTCDateTime(), nullable=False),
    sa.Column("owner", sa.String(128), nullable=False, server_default=""),
)

inbound_hits = sa.Table(
    "inbound_hits", metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("key", sa.String(320), nullable=False),  # a sender, for per-sender rate limits
    sa.Column("at", UTCDateTime(), nullable=False),
    sa.Index("ix_inbound_hits_key_at", "key", "at"),
)

ask_threads = sa.Table(
    "ask_threads", metadata,
    sa.Column("key", sa.String(320), primary_key=True),
    sa.Column("event_id", sa.String(64), nullable=False),
    sa.Column("reading", sa.Text, nullable=False),
    sa.Column("updated_at", UTCDateTime(), nullable=False),
    sa.Index("ix_ask_threads_updated", "updated_at"),
)

meta = sa.Table(
    "duebot_meta", metadata,
    sa.Column("name", sa.String(64), primary_key=True),
    sa.Column("value", sa.Text, nullable=False),
)

plan_fingerprints = sa.Table(
    "plan_fingerprints", metadata,
    # Per event and kind, the plan the last reconcile left the rows matching (migration
    # 0006; ``planning``): the same plan again, at a later ``now``, changes nothing.
    sa.Column("event_id", sa.String(64), primary_key=True),
    sa.Column("kind", sa.String(16), primary_key=True),
    sa.Column("fingerprint", sa.String(64), nullable=False),
    sa.Column("planned_at", UTCDateTime(), nullable=False),
    sa.Column("row_count", sa.Integer, nullable=False),
)

date_revisions = sa.Table(
    "date_revisions", metadata,
    # Per date, the calendar revision its entry is served at (migration 0007; ``revisions``):
    # a new fingerprint of what a calendar shows raises ``sequence`` once, at ``modified``
    # (NULL until the ledger first raises it: the schedule's own revision, time unknown).
    sa.Column("event_id", sa.String(64), primary_key=True),
    sa.Column("date_id", sa.String(64), primary_key=True),
    sa.Column("fingerprint", sa.String(64), nullable=False),
    sa.Column("sequence", sa.Integer, nullable=False),
    sa.Column("modified", UTCDateTime(), nullable=True),
)

_FORGET = "DELETE FROM plan_fingerprints WHERE event_id = OLD.event_id AND kind = OLD.kind;"
SQLITE_TRIGGERS = {
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
"""SQLite's triggers on ``deliveries``, by name: they forget a plan's fingerprint when a row
changes in a way reconcile could answer (migration 0006 says why; ``planning`` checks they
exist before it skips anything). Made with the tables by ``metadata.create_all`` on SQLite
(PostgreSQL has none). The same text as migration 0006's: a migration is never edited, so a
later one that changes a trigger changes it here too."""

for _name, _body in SQLITE_TRIGGERS.items():
    _trigger = sa.DDL(f"CREATE TRIGGER {_name} {_body}")  # type: ignore[no-untyped-call]
    sa.event.listen(metadata, "after_create", _trigger.execute_if(dialect="sqlite"))
