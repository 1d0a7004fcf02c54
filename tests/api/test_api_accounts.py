"""Accounts: registration, sign-in with signed HttpOnly cookies, rate limiting, sign-out."""

from __future__ import annotations

from datetime import UTC

from web_support import PASSWORD, register


def test_register_login_me_logout(client):
    user = register(client, "ada", login=False)
    assert user["role"] == "patient" and "password" not in user and "password_hash" not in user
    assert client.get("/api/v1/auth/me").status_code == 401
    response = client.post("/api/v1/auth/login", json={"username": "ADA@example.org", "password": PASSWORD})
    assert response.status_code == 200
    cookie = response.headers["set-cookie"].lower()
    assert "httponly" in cookie and "samesite=lax" in cookie and "plexnav_session=" in cookie
    assert client.get("/api/v1/auth/me").json()["username"] == "ada"
    assert client.post("/api/v1/auth/logout").status_code == 204
    assert client.get("/api/v1/auth/me").status_code == 401


def test_passwords_are_argon2_hashed(client, app):
    register(client, "bea", login=False)
    from plexnav.store.models import User

    with app.state.database.session() as session:
        stored = session.query(User).filter_by(username="bea").one()
    assert stored.password_hash.startswith("$argon2id$")
    assert PASSWORD not in stored.password_hash


def test_duplicate_and_invalid_registrations(client):
    register(client, "cyd", login=False)
    again = client.post(
        "/api/v1/auth/register", json={"username": "CYD", "email": "other@example.org", "password": PASSWORD}
    )
    assert again.status_code == 409 and again.json()["errors"][0]["path"] == "username"
    weak = client.post(
        "/api/v1/auth/register", json={"username": "dee", "email": "dee@example.org", "password": "short"}
    )
    assert weak.status_code == 422 and weak.json()["errors"][0]["path"] == "password"
    bad_role = client.post(
        "/api/v1/auth/register",
        json={"username": "eve", "email": "eve@example.org", "password": PASSWORD, "role": "admin"},
    )
    assert bad_role.status_code == 422
    assert bad_role.json()["errors"][0]["choices"] == ["patient", "clinician"]


def test_wrong_password_is_401_and_login_is_rate_limited(client, settings):
    register(client, "fay", login=False)
    for _ in range(settings.login_max_failures):
        response = client.post("/api/v1/auth/login", json={"username": "fay", "password": "wrong password"})
        assert response.status_code == 401
    blocked = client.post("/api/v1/auth/login", json={"username": "fay", "password": PASSWORD})
    assert blocked.status_code == 429
    assert int(blocked.headers["retry-after"]) >= 1
    assert blocked.json()["errors"][0]["message"].startswith("too many failed sign-ins")


def test_rate_limit_window_expires_and_success_resets(tmp_path):
    from datetime import datetime, timedelta

    from plexnav.server.ratelimit import LoginThrottle
    from plexnav.store.db import Database

    database = Database(f"sqlite:///{tmp_path / 'throttle.sqlite3'}")
    database.migrate()
    start = datetime(2026, 1, 1, tzinfo=UTC)
    now = [start]
    throttle = LoginThrottle(database, 2, 60, clock=lambda: now[0])
    assert throttle.reserve("gus", "1.2.3.4")[0] is not None  # a failure: its reservation stays
    assert throttle.retry_after("gus", "1.2.3.4") is None
    assert throttle.reserve("gus", "1.2.3.4")[0] is not None
    assert throttle.reserve("gus", "1.2.3.4") == (None, 1)  # backoff: a pause, not a lockout
    assert throttle.retry_after("other", "5.6.7.8") is None
    now[0] = start + timedelta(seconds=61)
    assert throttle.retry_after("gus", "1.2.3.4") is None
    attempt, _ = throttle.reserve("hal", "9.9.9.9")
    throttle.succeeded("hal", attempt)
    throttle.reserve("hal", "9.9.9.9")
    assert throttle.retry_after("hal", "9.9.9.9") is None
    # a second throttle on the same database (another worker process) sees the same count
    other = LoginThrottle(database, 2, 60, clock=lambda: now[0])
    assert other.reserve("hal", "9.9.9.9")[0] is not None
    assert other.reserve("hal", "9.9.9.9")[0] is None and throttle.reserve("hal", "1.1.1.1")[0] is None
    database.dispose()


def test_tampered_session_cookie_is_ignored(client):
    register(client, "ivy")
    cookie = client.cookies.get("plexnav_session")
    client.cookies.set("plexnav_session", cookie[:-3] + ("AAA" if not cookie.endswith("AAA") else "BBB"))
    assert client.get("/api/v1/auth/me").status_code == 401


def test_clinician_signup_is_off_by_default(tmp_path):
    from fastapi.testclient import TestClient

    from plexnav.api.app import create_app
    from plexnav.settings import Settings

    assert Settings(data_dir=tmp_path).allow_clinician_signup is False
    app = create_app(Settings(data_dir=tmp_path, secret_key="s" * 40))
    with TestClient(app) as c:
        response = c.post(
            "/api/v1/auth/register",
            json={"username": "doc", "email": "doc@example.org", "password": PASSWORD, "role": "clinician"},
        )
        assert response.status_code == 403
        assert 'value="clinician"' not in c.get("/register").text


def test_secret_key_is_generated_once_and_kept(tmp_path):
    from plexnav.settings import Settings

    settings = Settings(data_dir=tmp_path)
    first = settings.resolved_secret_key()
    assert len(first) >= 40 and first == Settings(data_dir=tmp_path).resolved_secret_key()
    assert (tmp_path / "session-secret.key").stat().st_mode & 0o077 == 0
    assert settings.resolved_database_url() == f"sqlite:///{tmp_path / 'plexnav.sqlite3'}"


def test_database_url_from_the_environment(monkeypatch, tmp_path):
    from plexnav.settings import Settings

    monkeypatch.setenv("PLEXNAV_DATABASE_URL", "postgresql://u:p@127.0.0.1:5999/db")
    monkeypatch.setenv("PLEXNAV_DATA_DIR", str(tmp_path))
    assert Settings().resolved_database_url() == "postgresql+psycopg://u:p@127.0.0.1:5999/db"
