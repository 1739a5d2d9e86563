"""The ledger over SQLAlchemy: one module a table group; ``ledger.Ledger`` composes them."""
