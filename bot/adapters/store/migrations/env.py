"""Alembic environment: runs on the connection (or engine) duebot passes in; no alembic.ini.

duebot passes a connection in a transaction that holds the schema lock
(``database._schema_transaction``): every migration runs in it and it commits once, so a
process starting beside this one sees no schema or all of it. ``transactional_ddl`` says so
on SQLite too, where alembic would otherwise commit after each migration.
"""

from __future__ import annotations

from alembic import context
from sqlalchemy import engine_from_config, pool
from sqlalchemy.engine import Connection

config = context.config


def run(connection: Connection) -> None:
    context.configure(connection=connection, transactional_ddl=True,
                      render_as_batch=connection.dialect.name == "sqlite")
    with context.begin_transaction():
        context.run_migrations()


given = config.attributes.get("connection")
if given is not None:  # duebot's: its transaction, committed by the caller
    run(given)
else:  # the alembic command line
    engine = config.attributes.get("engine") or engine_from_config(
        config.get_section(config.config_ini_section) or {}, prefix="sqlalchemy.",
        poolclass=pool.NullPool)
    with engine.connect() as connection:
        run(connection)
        connection.commit()
