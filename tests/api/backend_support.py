"""An app on SQLite and, when PLEXNAV_TEST_POSTGRES_URL is set, the same app on PostgreSQL:
the attack tests of issue 12 run on both databases."""

from __future__ import annotations

import pytest

from web_support import postgres_database, postgres_url


@pytest.fixture(params=["sqlite", "postgresql"])
def backend_settings(request, tmp_path):
    from plexnav.settings import Settings

    common = dict(
        data_dir=tmp_path,
        secret_key="test-secret-" + "k" * 32,
        login_max_failures=3,
        login_window_seconds=60,
        allow_clinician_signup=True,
    )
    if request.param == "sqlite":
        yield Settings(**common)
        return
    base = postgres_url()
    if not base:
        pytest.skip("PostgreSQL: set PLEXNAV_TEST_POSTGRES_URL (see scripts/start-test-postgres.sh)")
    with postgres_database(base) as url:
        yield Settings(**common, database_url=url)


@pytest.fixture
def backend_app(backend_settings):
    from plexnav.api.app import create_app

    app = create_app(backend_settings)
    yield app
    app.state.database.dispose()


@pytest.fixture
def backend_client(backend_app):
    from fastapi.testclient import TestClient

    with TestClient(backend_app, raise_server_exceptions=False) as c:
        yield c
