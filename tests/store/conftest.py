"""Storage tests run against SQLite always, and PostgreSQL too when PLEXNAV_TEST_POSTGRES_URL
is set (``scripts/start-test-postgres.sh`` starts a throwaway server and prints the URL)."""

from __future__ import annotations

import pytest

from web_support import cheap_password_hashing, postgres_database, postgres_url


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request, tmp_path):
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'store.sqlite3'}"
        return
    base = postgres_url()
    if not base:
        pytest.skip("PostgreSQL: set PLEXNAV_TEST_POSTGRES_URL (see scripts/start-test-postgres.sh)")
    with postgres_database(base) as url:
        yield url


@pytest.fixture
def database(database_url):
    from plexnav.store.db import Database

    db = Database(database_url)
    db.migrate()
    yield db
    db.dispose()


@pytest.fixture(autouse=True)
def _fast_hashing(monkeypatch):
    cheap_password_hashing(monkeypatch)
