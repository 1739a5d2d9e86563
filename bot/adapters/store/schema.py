"""The ledger's tables, one SQLAlchemy ``MetaData``: what alembic's migrations create.

The migrations make the database; this describes it for the stores' statements, index and
constraint names included (``tests/test_schema_migrations.py`` compares a migrated database
with it). A change goes into a migration first, then here to say the same.
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
    sa.Column("claims", sa.Integer, nullable=False, server_default="0"),
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
