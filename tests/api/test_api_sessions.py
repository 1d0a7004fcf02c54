"""Issue 12, item 4: sessions could not be revoked.

Stateless cookies with a 14-day sliding life kept working after logout.  Now sessions live
in the database: logout ends them (a replayed cookie signs no one in), they end when idle,
"sign out everywhere" and ending one session from the list work, cookies are Secure
whenever the app is not on loopback, and an HSTS setting sends Strict-Transport-Security.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from fastapi.testclient import TestClient

from web_support import PASSWORD, register

from .backend_support import backend_app, backend_client, backend_settings  # noqa: F401 - fixtures

COOKIE = "plexnav_session"


def _login(app) -> TestClient:
    c = TestClient(app, raise_server_exceptions=False)
    c.__enter__()
    assert c.post("/api/v1/auth/login", json={"username": "alice", "password": PASSWORD}).status_code == 200
    return c


def test_a_cookie_replayed_after_logout_signs_no_one_in(backend_client):
    register(backend_client, "alice")
    stolen = backend_client.cookies.get(COOKIE)
    assert backend_client.get("/api/v1/auth/me").status_code == 200
    assert backend_client.post("/api/v1/auth/logout").status_code == 204
    backend_client.cookies.set(COOKIE, stolen)
    assert backend_client.get("/api/v1/auth/me").status_code == 401


def _set_every_session_back(app, column: str, seconds: int) -> None:
    """Every stored session's ``column`` (a time) ``seconds`` in the past."""
    from sqlalchemy import update

    from plexnav.store.models import UserSession, utcnow

    with app.state.database.session() as session:
        session.execute(update(UserSession).values({column: utcnow() - timedelta(seconds=seconds)}))
        session.commit()


def test_an_idle_session_ends(backend_client, backend_app):
    register(backend_client, "alice")
    _set_every_session_back(backend_app, "last_seen_at", backend_app.state.settings.session_idle_seconds + 5)
    assert backend_client.get("/api/v1/auth/me").status_code == 401


def test_a_session_older_than_its_lifetime_ends_even_when_used(backend_client, backend_app):
    register(backend_client, "alice")
    _set_every_session_back(backend_app, "created_at", backend_app.state.settings.session_max_age + 5)
    assert backend_client.get("/api/v1/auth/me").status_code == 401


def test_sessions_are_listed_and_one_can_be_ended(backend_client, backend_app):
    register(backend_client, "alice")
    phone = _login(backend_app)
    listed = backend_client.get("/api/v1/auth/sessions").json()
    assert len(listed) == 2 and sum(s["current"] for s in listed) == 1
    assert "token" not in str(listed).lower()
    other = next(s for s in listed if not s["current"])
    assert backend_client.delete(f"/api/v1/auth/sessions/{other['id']}").status_code == 204
    assert phone.get("/api/v1/auth/me").status_code == 401
    assert backend_client.get("/api/v1/auth/me").status_code == 200
    # someone else's session id is not yours to end
    register(phone, "bob")
    bobs = phone.get("/api/v1/auth/sessions").json()[0]["id"]
    assert backend_client.delete(f"/api/v1/auth/sessions/{bobs}").status_code == 404
    assert phone.get("/api/v1/auth/me").json()["username"] == "bob"
    phone.__exit__(None, None, None)


def test_sign_out_everywhere_ends_every_session(backend_client, backend_app):
    register(backend_client, "alice")
    laptop, phone = _login(backend_app), _login(backend_app)
    assert laptop.post("/api/v1/auth/logout-everywhere").status_code == 204
    for c in (backend_client, laptop, phone):
        assert c.get("/api/v1/auth/me").status_code == 401
        c is backend_client or c.__exit__(None, None, None)


@pytest.mark.parametrize(
    ("host", "secure"),
    [("127.0.0.1", False), ("::1", False), ("localhost", False), ("0.0.0.0", True), ("192.0.2.7", True)],
)
def test_cookies_are_secure_unless_the_app_is_on_loopback(tmp_path, host, secure):
    from plexnav.api.app import create_app
    from plexnav.settings import Settings

    app = create_app(Settings(data_dir=tmp_path, secret_key="s" * 40, listen_host=host, hsts_max_age=31536000))
    with TestClient(app, base_url="https://testserver") as c:
        answer = c.post(
            "/api/v1/auth/register", json={"username": "alice", "email": "alice@example.org", "password": PASSWORD}
        )
        assert answer.status_code == 201
        signed = c.post("/api/v1/auth/login", json={"username": "alice", "password": PASSWORD})
        assert ("secure" in signed.headers["set-cookie"].lower()) is secure
        assert signed.headers["strict-transport-security"] == "max-age=31536000; includeSubDomains"
    app.state.database.dispose()


def test_changing_the_password_ends_every_other_session(backend_client, backend_app):
    register(backend_client, "alice")
    phone = _login(backend_app)
    new = "a different long passphrase 42"
    wrong = backend_client.post("/api/v1/auth/password", json={"current_password": "nope", "new_password": new})
    assert wrong.status_code == 403 and wrong.json()["errors"][0]["path"] == "current_password"
    weak = backend_client.post(
        "/api/v1/auth/password", json={"current_password": PASSWORD, "new_password": "password1234"}
    )
    assert weak.status_code == 422 and weak.json()["errors"][0]["path"] == "new_password"
    done = backend_client.post("/api/v1/auth/password", json={"current_password": PASSWORD, "new_password": new})
    assert done.status_code == 200
    assert backend_client.get("/api/v1/auth/me").status_code == 200  # this session starts afresh
    assert phone.get("/api/v1/auth/me").status_code == 401  # the other one ended
    assert phone.post("/api/v1/auth/login", json={"username": "alice", "password": PASSWORD}).status_code == 401
    assert phone.post("/api/v1/auth/login", json={"username": "alice", "password": new}).status_code == 200
    phone.__exit__(None, None, None)
