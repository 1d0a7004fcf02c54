"""``plexnav admin backup`` / ``restore``: a backup restored into a fresh database holds every
row of every table (SQLite online backup API; PostgreSQL pg_dump/pg_restore)."""

from __future__ import annotations

import pytest
from sqlalchemy import MetaData, select
from typer.testing import CliRunner

from web_support import PASSWORD, example_case, postgres_database, postgres_url


def _fill(database) -> None:
    from plexnav.case import Case
    from plexnav.diary.models import DiaryEntry
    from plexnav.store.accounts import Accounts
    from plexnav.store.casebook import Casebook
    from plexnav.store.diarybook import Diarybook
    from plexnav.store.schemas import CaseCreate, UserCreate

    with database.session() as session:
        accounts = Accounts(session)
        alice = accounts.get(
            accounts.register(UserCreate(username="alice", email="alice@example.org", password=PASSWORD)).id
        )
        case = Casebook(session, alice).create(CaseCreate(title="t", case=Case.model_validate(example_case())))
        Diarybook(session, alice).add_entry(case.id, DiaryEntry(date="2026-01-02", bladder_change=True))


def _rows(database) -> dict[str, list]:
    meta = MetaData()
    meta.reflect(database.engine)
    with database.engine.connect() as connection:
        return {
            name: sorted(map(repr, connection.execute(select(table)).all()))
            for name, table in sorted(meta.tables.items())
        }


def _cli(monkeypatch, tmp_path, url: str, *args):
    from plexnav.cli.admin import app

    monkeypatch.setenv("PLEXNAV_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("PLEXNAV_DATABASE_URL", url)
    return CliRunner().invoke(app, list(args))


@pytest.fixture(params=["sqlite", "postgresql"])
def two_databases(request, tmp_path):
    from contextlib import ExitStack

    from plexnav.store.db import Database

    if request.param == "postgresql" and not postgres_url():
        pytest.skip("PostgreSQL: set PLEXNAV_TEST_POSTGRES_URL")
    with ExitStack() as stack:
        if request.param == "sqlite":
            urls = [f"sqlite:///{tmp_path / 'live.sqlite3'}", f"sqlite:///{tmp_path / 'fresh.sqlite3'}"]
        else:
            urls = [stack.enter_context(postgres_database(postgres_url())) for _ in range(2)]
        databases = [Database(u) for u in urls]
        yield urls, databases
        for d in databases:
            d.dispose()


def test_a_backup_restored_into_a_fresh_database_has_every_row(two_databases, tmp_path, monkeypatch):
    (live_url, fresh_url), (live, fresh) = two_databases
    live.migrate()
    _fill(live)
    target = tmp_path / "plexnav.backup"
    done = _cli(monkeypatch, tmp_path, live_url, "backup", str(target))
    assert done.exit_code == 0, done.output
    assert _cli(monkeypatch, tmp_path, live_url, "backup", str(target)).exit_code == 2  # never overwrites
    done = _cli(monkeypatch, tmp_path, fresh_url, "restore", str(target))
    assert done.exit_code == 0, done.output
    before, after = _rows(live), _rows(fresh)
    assert before == after
    assert before["users"] and before["diary_entries"] and before["audit_events"] and before["alembic_version"]


def test_restoring_a_file_that_is_not_a_backup_is_refused(tmp_path, monkeypatch):
    junk = tmp_path / "junk.bin"
    junk.write_bytes(b"not a database at all" * 100)
    done = _cli(monkeypatch, tmp_path, f"sqlite:///{tmp_path / 'x.sqlite3'}", "restore", str(junk))
    assert done.exit_code == 2 and "junk.bin" in done.output
