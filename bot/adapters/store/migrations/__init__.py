"""Alembic migrations of the ledger schema (``duebot db upgrade``)."""
