"""The ledger's public name: ``bot.adapters.store.ledger.Ledger`` (its code moves next)."""

from bot.adapters.store.deliveries import (
    Ledger,
    LedgerUnavailable,
    SchemaError,
    current_revision,
    head_revision,
    make_engine,
    upgrade,
)
from bot.ports import Planned

__all__ = ["Ledger", "LedgerUnavailable", "Planned", "SchemaError", "current_revision",
           "head_revision", "make_engine", "upgrade"]
