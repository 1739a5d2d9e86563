"""The ledger: every table group's store in one object, as the service and the CLI use it.

``Ledger.open(url)`` connects and brings a new database to the schema; the parts live beside
this module, one per table group of the port (``bot.ports.Ledger``): deliveries, subscribers,
announcements, audit, inbound, threads, meta, over the connection of ``database``.
"""

from __future__ import annotations

from typing import Any

from bot.adapters.store.announcements import AnnouncementStore
from bot.adapters.store.answer_writes import AnswerWriteStore
from bot.adapters.store.audit import AuditStore
from bot.adapters.store.database import (
    HEAD,
    LedgerUnavailable,
    SchemaError,
    at_head,
    create_if_new,
    current_revision,
    head_revision,
    make_engine,
    mapped_errors,
    upgrade,
)
from bot.adapters.store.deliveries import DeliveryStore
from bot.adapters.store.meta import MetaStore
from bot.adapters.store.revisions import RevisionStore
from bot.adapters.store.subscribers import SubscriberStore
from bot.errors import StorageUnavailable
from bot.ports import Planned

__all__ = ["Ledger", "LedgerUnavailable", "Planned", "SchemaError", "current_revision",
           "head_revision", "make_engine", "upgrade"]


class Ledger(DeliveryStore, SubscriberStore, AnnouncementStore, AuditStore, AnswerWriteStore,
             MetaStore, RevisionStore):
    """Every read and write of the ledger goes through here."""

    @classmethod
    def open(cls, url: str, *, owner: str = "duebot", create: bool = True,
             **pool: Any) -> Ledger:
        """Connect; a new database gets the schema, an old one must be upgraded first."""
        engine = make_engine(url, **pool)
        ledger = cls(engine, owner=owner)
        ledger.ensure_schema(create=create)
        return ledger

    def ensure_schema(self, *, create: bool = True) -> None:
        try:
            with mapped_errors():
                self._check_schema(create=create)
        except StorageUnavailable as exc:
            raise LedgerUnavailable(f"cannot open the ledger database: {exc.detail}",
                                    detail=exc.detail) from None

    def _check_schema(self, *, create: bool) -> None:
        if at_head(self.engine):  # the usual start: up to date, and alembic not imported
            return
        # A new database is made under the schema lock, which reads the revision again: a
        # process started at the same moment may have made it (or be making it) meanwhile.
        current = create_if_new(self.engine) if create else current_revision(self.engine)
        if current == HEAD:  # made just now (or by a process beside this one): no alembic
            return
        head = head_revision()
        if current == head:
            return
        raise SchemaError(
            f"the database schema is at revision {current or 'none'}, this duebot needs "
            f"{head}: run `duebot db upgrade` (back up the database first)")
