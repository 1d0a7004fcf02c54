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


def test_migration_0003_keeps_accounts_and_leaves_old_clinicians_pending(database):
    """Upgrading an existing database keeps every row; clinicians who signed up unvetted
    wait for an administrator (their shares stay, but show nothing until approval)."""
    from alembic import command

    from plexnav.store.db import alembic_config
    from plexnav.store.models import User
    from plexnav.store.repositories import CaseRepository

    cfg = alembic_config(database.engine)
    with database.engine.begin() as connection:
        cfg.attributes["connection"] = connection
        command.downgrade(cfg, "0002_diary_entries")
    with database.engine.begin() as connection:
        for uid, name, role in (("a" * 32, "pam", "patient"), ("b" * 32, "cleo", "clinician")):
            connection.execute(
                text(
                    "INSERT INTO users (id, username, email, display_name, role, password_hash, created_at) "
                    "VALUES (:id, :u, :e, :u, :r, 'h', '2026-01-01 00:00:00')"
                ),
                {"id": uid, "u": name, "e": f"{name}@x.org", "r": role},
            )
        connection.execute(
            text(
                "INSERT INTO cases (id, owner_id, created_by_id, title, document, version, created_at, "
                "updated_at) VALUES (:id, :o, :o, 'Foot', '{}', 1, '2026-01-01', '2026-01-01')"
            ),
            {"id": "c" * 32, "o": "a" * 32},
        )
        connection.execute(
            text("INSERT INTO shares (id, patient_id, clinician_id, created_at) VALUES (:id, :p, :c, '2026-01-01')"),
            {"id": "d" * 32, "p": "a" * 32, "c": "b" * 32},
        )
    database.migrate()
    with database.session() as session:
        users = {u.username: u for u in session.query(User).all()}
        assert set(users) == {"pam", "cleo"} and users["cleo"].role == "clinician"
        assert users["cleo"].approved_at is None and not users["cleo"].vetted
        assert CaseRepository(session).visible_to(users["cleo"]) == []
        assert [c.title for c in CaseRepository(session).visible_to(users["pam"])] == ["Foot"]
        session.add(User(username="root", email="root@x.org", display_name="root", role="admin", password_hash="h"))
        session.commit()
    import pytest
    from sqlalchemy.exc import IntegrityError

    with database.session() as session:
        session.add(User(username="bad", email="bad@x.org", display_name="bad", role="superuser", password_hash="h"))
        with pytest.raises(IntegrityError):
            session.commit()


def test_migration_0007_keeps_shares_and_its_downgrade_never_widens_access(database):
    """Upgrading: an existing share means all cases, with no end.  Downgrading: the old
    schema can only say "all cases, for ever", so shares of one case, with an end or revoked
    are deleted rather than turned into that."""
    from datetime import timedelta

    from alembic import command

    from plexnav.store.db import alembic_config
    from plexnav.store.models import Share, StoredCase, User, utcnow

    now = utcnow()
    with database.session() as session:
        pat = User(username="pam", email="pam@x.org", display_name="pam", role="patient", password_hash="h")
        doc = User(username="doc", email="doc@x.org", display_name="doc", role="clinician", password_hash="h")
        other = User(username="oli", email="oli@x.org", display_name="oli", role="clinician", password_hash="h")
        session.add_all([pat, doc, other])
        session.flush()
        case = StoredCase(owner_id=pat.id, title="Foot", document={})
        session.add(case)
        session.flush()
        session.add_all(
            [
                Share(patient_id=pat.id, clinician_id=doc.id),
                Share(patient_id=pat.id, clinician_id=other.id, case_id=case.id),
                Share(patient_id=pat.id, clinician_id=other.id, expires_at=now + timedelta(days=1)),
                Share(patient_id=pat.id, clinician_id=other.id, revoked_at=now),
            ]
        )
        session.commit()
        doc_id = doc.id
    cfg = alembic_config(database.engine)
    with database.engine.begin() as connection:
        cfg.attributes["connection"] = connection
        command.downgrade(cfg, "0006_audit_chain")
    with database.engine.connect() as connection:
        rows = connection.execute(text("SELECT clinician_id FROM shares")).all()
    assert [r[0] for r in rows] == [doc_id]
    database.migrate()
    with database.session() as session:
        (kept,) = session.query(Share).all()
        assert kept.case_id is None and kept.expires_at is None and kept.status(utcnow()) == "active"
