"""Issue 12, data rights: optional two-factor sign-in (TOTP, RFC 6238) with pyotp.

Enrolment shows a secret (text and QR code) once; a first code turns it on and yields
recovery codes shown once and stored hashed; sign-in then needs the code (one request, or
the code alone after a 401 naming ``totp_code``); a code works once; turning it off needs the
password and a code.  Every step is audited.  Before this change none of these routes
existed (404) and a password alone signed in.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pyotp
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from web_support import PASSWORD, register

from .backend_support import backend_app, backend_client, backend_settings  # noqa: F401 - fixtures


@pytest.fixture
def clock(monkeypatch, backend_app):
    """The two-factor clock, moved by hand (codes change every 30 s)."""
    now = [datetime(2026, 3, 1, 9, 0, 5, tzinfo=UTC)]
    monkeypatch.setattr("plexnav.store.twofactor.utcnow", lambda: now[0])
    backend_app.state.login_throttle.clock = lambda: now[0]
    return now


def _code(secret: str, moment: datetime) -> str:
    return pyotp.TOTP(secret).at(moment)


def _login(client, password=PASSWORD, code=None):
    body = {"username": "tess", "password": password} | ({"totp_code": code} if code else {})
    return client.post("/api/v1/auth/login", json=body)


@pytest.fixture
def enrolled(backend_client, clock):
    """Tess, signed in, with two-factor sign-in on; yields (client, secret, recovery codes)."""
    register(backend_client, "tess")
    enrolment = backend_client.post("/api/v1/auth/two-factor/enrol")
    assert enrolment.status_code == 200, enrolment.text
    secret = enrolment.json()["secret"]
    assert enrolment.json()["otpauth_uri"].startswith("otpauth://totp/plexnav:tess%40example.org?secret=" + secret)
    assert enrolment.json()["qr_svg"].startswith("<svg")
    on = backend_client.post("/api/v1/auth/two-factor/enable", json={"code": _code(secret, clock[0])})
    assert on.status_code == 200, on.text
    return backend_client, secret, on.json()["recovery_codes"]


def test_enrolment_counts_only_after_a_first_code(backend_client, clock):
    register(backend_client, "tess")
    secret = backend_client.post("/api/v1/auth/two-factor/enrol").json()["secret"]
    assert backend_client.get("/api/v1/auth/two-factor").json() == {
        "enabled": False,
        "enabled_at": None,
        "pending": True,
        "recovery_codes_left": 0,
    }
    backend_client.post("/api/v1/auth/logout")
    assert _login(backend_client).status_code == 200  # pending: the password alone still signs in
    wrong = backend_client.post("/api/v1/auth/two-factor/enable", json={"code": "000000"})
    assert wrong.status_code == 422 and wrong.json()["errors"][0]["path"] == "code"
    right = backend_client.post("/api/v1/auth/two-factor/enable", json={"code": _code(secret, clock[0])})
    assert right.status_code == 200
    assert backend_client.get("/api/v1/auth/me").json()["two_factor"] is True


def test_recovery_codes_are_shown_once_and_kept_hashed(enrolled, backend_app):
    from plexnav.store.models import RecoveryCode

    client, _, codes = enrolled
    assert len(codes) == 10 == len(set(codes)) and all(re.fullmatch(r"[A-Z2-7]{4}(-[A-Z2-7]{4}){3}", c) for c in codes)
    with backend_app.state.database.session() as session:
        stored = session.scalars(select(RecoveryCode.code_hash)).all()
    assert len(stored) == 10 and not set(codes) & set(stored)
    assert not any(c.replace("-", "") in h.upper() for c in codes for h in stored)
    assert client.get("/api/v1/auth/two-factor").json()["recovery_codes_left"] == 10
    assert client.post("/api/v1/auth/two-factor/enrol").status_code == 409  # turn it off first


def test_the_password_alone_no_longer_signs_in(enrolled, clock):
    client, secret, _ = enrolled
    client.post("/api/v1/auth/logout")
    asked = _login(client)
    assert asked.status_code == 401 and asked.json()["errors"][0]["path"] == "totp_code"
    assert client.get("/api/v1/auth/me").status_code == 401
    assert client.post("/api/v1/auth/login/two-factor", json={"code": "123456"}).status_code == 401
    assert client.get("/api/v1/auth/me").status_code == 401
    clock[0] += timedelta(seconds=30)
    done = client.post("/api/v1/auth/login/two-factor", json={"code": _code(secret, clock[0])})
    assert done.status_code == 200 and client.get("/api/v1/auth/me").json()["username"] == "tess"
    # a wrong password with a right code is still a wrong password
    client.post("/api/v1/auth/logout")
    clock[0] += timedelta(seconds=30)
    assert _login(client, "not the password!", _code(secret, clock[0])).status_code == 401


def test_a_code_works_once(enrolled, clock, backend_app):
    client, secret, _ = enrolled
    client.post("/api/v1/auth/logout")
    clock[0] += timedelta(seconds=30)
    code = _code(secret, clock[0])
    assert _login(client, code=code).status_code == 200
    with TestClient(backend_app, raise_server_exceptions=False) as thief:
        replay = _login(thief, code=code)
        assert replay.status_code == 401 and thief.get("/api/v1/auth/me").status_code == 401
        # one step of clock drift either side is accepted, but not two
        assert _login(thief, code=_code(secret, clock[0] + timedelta(seconds=60))).status_code == 401
        assert _login(thief, code=_code(secret, clock[0] + timedelta(seconds=30))).status_code == 200


def test_a_recovery_code_signs_in_once(enrolled, backend_app):
    client, _, codes = enrolled
    client.post("/api/v1/auth/logout")
    assert _login(client, code=codes[3].lower().replace("-", " ")).status_code == 200
    assert client.get("/api/v1/auth/two-factor").json()["recovery_codes_left"] == 9
    client.post("/api/v1/auth/logout")
    assert _login(client, code=codes[3]).status_code == 401


def test_guessing_codes_meets_the_sign_in_backoff(enrolled, backend_settings):
    client, _, _ = enrolled
    client.post("/api/v1/auth/logout")
    assert _login(client).status_code == 401  # the password step (counted as an attempt)
    statuses = [
        client.post("/api/v1/auth/login/two-factor", json={"code": f"{n:06d}"}).status_code
        for n in range(backend_settings.login_max_failures + 2)
    ]
    assert statuses[-1] == 429 and statuses.count(401) <= backend_settings.login_max_failures


def test_turning_it_off_needs_the_password_and_a_code(enrolled, clock):
    client, secret, _ = enrolled
    clock[0] += timedelta(seconds=30)
    code = _code(secret, clock[0])
    wrong_password = client.post("/api/v1/auth/two-factor/disable", json={"password": "nope-nope-nope", "code": code})
    assert wrong_password.status_code == 403 and wrong_password.json()["errors"][0]["path"] == "password"
    wrong_code = client.post("/api/v1/auth/two-factor/disable", json={"password": PASSWORD, "code": "999999"})
    assert wrong_code.status_code == 403 and wrong_code.json()["errors"][0]["path"] == "code"
    assert client.post("/api/v1/auth/two-factor/disable", json={"password": PASSWORD, "code": code}).status_code == 204
    client.post("/api/v1/auth/logout")
    assert _login(client).status_code == 200
    actions = [e["action"] for e in client.get("/api/v1/audit", params={"limit": 100}).json()]
    for expected in ("totp_enrol", "totp_enable", "totp_failed", "totp_disable", "login"):
        assert expected in actions, expected


def _csrf(page: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)


def test_the_pages_enrol_show_recovery_codes_and_ask_for_the_code_at_sign_in(backend_client, clock):
    client = backend_client
    register(client, "tess")
    page = client.get("/account").text
    assert "Set up two-factor sign-in" in page
    shown = client.post("/account/two-factor/enrol", data={"csrf_token": _csrf(page)})
    assert shown.status_code == 200 and "<svg" in shown.text and shown.headers["cache-control"] == "no-store"
    secret = re.search(r'<code id="totp-secret">([A-Z2-7]+)</code>', shown.text).group(1)
    on = client.post("/account/two-factor/enable", data={"csrf_token": _csrf(page), "code": _code(secret, clock[0])})
    assert on.status_code == 200 and "Your recovery codes" in on.text
    assert len(re.findall(r"<li><code>[A-Z2-7-]{19}</code></li>", on.text)) == 10
    assert "10 recovery codes left" in client.get("/account").text

    client.post("/api/v1/auth/logout")
    login_page = client.get("/login").text
    asked = client.post(
        "/login", data={"csrf_token": _csrf(login_page), "username": "tess", "password": PASSWORD, "next": "/account"}
    )
    assert asked.status_code == 401 and 'action="/login/two-factor"' in asked.text
    clock[0] += timedelta(seconds=30)
    done = client.post(
        "/login/two-factor",
        data={"csrf_token": _csrf(asked.text), "code": _code(secret, clock[0]), "next": "/account"},
        follow_redirects=False,
    )
    assert done.status_code == 303 and done.headers["location"] == "/account"
    assert client.get("/api/v1/auth/me").status_code == 200


def test_an_administrator_can_turn_it_off_for_someone_who_lost_everything(tmp_path, monkeypatch):
    from typer.testing import CliRunner

    from plexnav.api.app import create_app
    from plexnav.cli.main import app as cli
    from plexnav.settings import Settings

    monkeypatch.setenv("PLEXNAV_DATA_DIR", str(tmp_path))
    app = create_app(Settings(data_dir=tmp_path, secret_key="c" * 40))
    with TestClient(app) as client:
        register(client, "tess")
        secret = client.post("/api/v1/auth/two-factor/enrol").json()["secret"]
        assert client.post("/api/v1/auth/two-factor/enable", json={"code": pyotp.TOTP(secret).now()}).status_code == 200
        client.post("/api/v1/auth/logout")
        assert _login(client).status_code == 401
        done = CliRunner().invoke(cli, ["admin", "two-factor-off", "tess@example.org"])
        assert done.exit_code == 0 and "two-factor sign-in is off for tess" in done.output
        assert _login(client).status_code == 200
        assert CliRunner().invoke(cli, ["admin", "two-factor-off", "nobody"]).exit_code == 2
        events = client.get("/api/v1/audit", params={"action": "totp_disable"}).json()
        assert [(e["actor_name"], e["detail"]) for e in events] == [("cli", "by an administrator")]
    app.state.database.dispose()
