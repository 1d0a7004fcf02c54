"""Migrations: run at start-up, idempotent, reversible, and in step with the table models."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect, text

from plexnav.store.db import Database
from plexnav.store.models import Base


def test_migrations_reach_head_and_are_idempotent(database):
    assert database.current_revision() == database.head_revision() is not None
    database.migrate()
    assert database.current_revision() == database.head_revision()
    tables = set(inspect(database.engine).get_table_names())
    assert {"users", "cases", "assessments", "shares", "audit_events", "alembic_version"} <= tables


def test_models_match_the_migrations(database):
    with database.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        diff = compare_metadata(context, Base.metadata)
    assert diff == []


def test_downgrade_and_upgrade_again(database):
    from alembic import command

    from plexnav.store.db import alembic_config
    cfg = alembic_config(database.engine)
    with database.engine.begin() as connection:
        cfg.attributes["connection"] = connection
        command.downgrade(cfg, "base")
    assert "users" not in inspect(database.engine).get_table_names()
    database.migrate()
    assert "users" in inspect(database.engine).get_table_names()


def test_sqlite_runs_in_wal_mode_with_foreign_keys(tmp_path):
    db = Database(f"sqlite:///{tmp_path / 'x.sqlite3'}")
    db.migrate()
    with db.engine.connect() as connection:
        assert connection.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert connection.execute(text("PRAGMA foreign_keys")).scalar() == 1
        assert connection.execute(text("PRAGMA synchronous")).scalar() == 2  # FULL
    db.dispose()


def test_first_run_creates_the_default_database_in_the_data_dir(tmp_path):
    from plexnav.api.app import create_app
    from plexnav.settings import Settings
    app = create_app(Settings(data_dir=tmp_path / "fresh" / "dir", secret_key="k" * 40))
    assert (tmp_path / "fresh" / "dir" / "plexnav.sqlite3").is_file()
    assert app.state.database.current_revision() == app.state.database.head_revision()
