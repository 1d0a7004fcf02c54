"""Alembic environment for plexnav's bundled migrations.

Run programmatically by :meth:`plexnav.store.db.Database.migrate`, which hands over an open
connection in ``config.attributes["connection"]``; the ``alembic`` command line works too
(it builds an engine from ``sqlalchemy.url``).  On PostgreSQL a transaction-scoped advisory
lock makes concurrent start-ups migrate one at a time.
"""

from __future__ import annotations

from alembic import context
from sqlalchemy import create_engine, text

from plexnav.store.models import Base

MIGRATION_LOCK_ID = 0x706C6578  # "plex"


def run_migrations(connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=Base.metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        if connection.dialect.name == "postgresql":
            connection.execute(text("SELECT pg_advisory_xact_lock(:id)"), {"id": MIGRATION_LOCK_ID})
        context.run_migrations()


def main() -> None:
    connection = context.config.attributes.get("connection")
    if connection is not None:
        run_migrations(connection)
        return
    url = context.config.get_main_option("sqlalchemy.url")
    if url is None:
        raise RuntimeError("alembic: no sqlalchemy.url in the configuration and no connection given")
    engine = create_engine(url)
    with engine.begin() as conn:
        run_migrations(conn)
    engine.dispose()


if context.is_offline_mode():
    raise SystemExit("plexnav migrations run online only (they need a connection)")
main()
