"""The ledger's revisions, one linear chain, a module a schema change: a ledger made by an
older duebot is upgraded in place (``duebot db upgrade``) to what schema.py declares."""
