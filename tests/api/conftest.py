"""Fixtures for the API and page tests: an app on a fresh SQLite file, and test clients."""

from __future__ import annotations

import warnings

import pytest

from web_support import cheap_password_hashing

warnings.filterwarnings("ignore", message=".*httpx2.*")


def pytest_configure(config):
    config.addinivalue_line("filterwarnings", "ignore:.*httpx2.*")


@pytest.fixture
def settings(tmp_path):
    from plexnav.settings import Settings

    return Settings(
        data_dir=tmp_path,
        secret_key="test-secret-" + "k" * 32,
        login_max_failures=3,
        login_window_seconds=60,
        allow_clinician_signup=True,
    )


@pytest.fixture
def app(settings):
    from plexnav.api.app import create_app

    return create_app(settings)


@pytest.fixture
def client(app):
    from fastapi.testclient import TestClient

    with TestClient(app) as c:
        yield c


@pytest.fixture
def make_client(app):
    """More signed-in people against the same app: each client has its own cookie jar."""
    from .accounts_support import client_factory

    yield from client_factory(app)


@pytest.fixture
def smtp_sink():
    """A local SMTP server collecting the emails the app sends."""
    from .accounts_support import SmtpSink

    with SmtpSink() as sink:
        yield sink


@pytest.fixture(autouse=True)
def _fast_hashing(monkeypatch):
    cheap_password_hashing(monkeypatch)
